import CUV
#if canImport(Glibc)
import Glibc
#endif

/// The threads that run heavy work off the event loop (decoding, filtering and formatting API answers), at
/// a lower scheduling priority than the loop thread so that a burst of big lists never starves the loop.
///
/// A `TaskExecutor`: tool tasks prefer it, so their nonisolated work runs here while loop-isolated parts still
/// run on the loop. Thread-safe; jobs wait in a FIFO under a mutex and a condition variable.
public final class WorkerPool: TaskExecutor, @unchecked Sendable {
    /// One thread per core, at nice +10.
    public static let shared = WorkerPool(threads: max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))), nice: 10)

    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var jobs: [UnownedJob] = []
    private var head = 0
    public let threadCount: Int
    private let nice: Int32

    init(threads: Int, nice: Int32) {
        threadCount = threads
        self.nice = nice
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
        for _ in 0..<threads { startThread() }
    }

    private func startThread() {
        var thread = pthread_t()
        let box = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, { raw in
            let pool = Unmanaged<WorkerPool>.fromOpaque(raw!).takeRetainedValue()
            pool.work()
            return nil
        }, box)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        pthread_detach(thread)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        pthread_mutex_lock(&mutex)
        jobs.append(unowned)
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
    }

    private func work() {
        // Lower this thread's priority (Linux: nice applies per thread).
        setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(cuv_gettid()), nice)
        while true {
            pthread_mutex_lock(&mutex)
            while head == jobs.count { pthread_cond_wait(&condition, &mutex) }
            let job = jobs[head]
            head += 1
            if head > 1024 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            pthread_mutex_unlock(&mutex)
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
