import CUV
import Synchronization

/// The process's single libuv loop and the serial executor that runs Swift jobs on its thread.
///
/// Created once (`EventLoop.shared`); `run()` is called on the thread that becomes the loop thread and
/// blocks until `stop()`. Every libuv handle is created, used and closed on that thread. Other threads
/// reach it only through `enqueue` (the executor), which queues the job under a lock and wakes the loop with
/// `uv_async_send` — the only thread-safe libuv call.
public final class EventLoop: SerialExecutor, TaskExecutor, @unchecked Sendable {
    /// The loop of this process.
    public static let shared = EventLoop()

    /// The libuv loop; touch only on the loop thread.
    public let uvLoop: UnsafeMutablePointer<uv_loop_t>
    private let wakeup: UnsafeMutablePointer<uv_async_t>
    private let jobs = Mutex<[UnownedJob]>([])
    private let loopThread = Mutex<pthread_t?>(nil)
    private var stopRequested = false

    private init() {
        SystemResources.ignoreBrokenPipes()
        uvLoop = UnsafeMutablePointer<uv_loop_t>.allocate(capacity: 1)
        let rc = uv_loop_init(uvLoop)
        precondition(rc == 0, "uv_loop_init failed: \(rc)")
        wakeup = UnsafeMutablePointer<uv_async_t>.allocate(capacity: 1)
        let rc2 = uv_async_init(uvLoop, wakeup) { handle in
            guard let handle, let data = handle.pointee.data else { return }
            Unmanaged<EventLoop>.fromOpaque(data).takeUnretainedValue().drain()
        }
        precondition(rc2 == 0, "uv_async_init failed: \(rc2)")
        wakeup.pointee.data = Unmanaged.passUnretained(self).toOpaque()
    }

    /// True when called on the loop thread.
    public var isLoopThread: Bool {
        let current = pthread_self()
        return loopThread.withLock { owner in owner.map { pthread_equal($0, current) != 0 } ?? false }
    }

    // MARK: SerialExecutor / TaskExecutor

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        jobs.withLock { $0.append(unowned) }
        uv_async_send(wakeup)
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    public func checkIsolated() {
        precondition(isLoopThread, "expected to run on the event loop thread")
    }

    /// Runs queued jobs; called by the wake-up handle on the loop thread. A burst is bounded so that
    /// sockets keep being served while a flood of jobs arrives.
    private func drain() {
        var rounds = 0
        while rounds < 64 {
            let batch = jobs.withLock { queue -> [UnownedJob] in
                let taken = queue
                queue.removeAll(keepingCapacity: true)
                return taken
            }
            if batch.isEmpty { break }
            for job in batch {
                job.runSynchronously(isolatedTo: asUnownedSerialExecutor(), taskExecutor: asUnownedTaskExecutor())
            }
            rounds += 1
        }
        if rounds == 64 { uv_async_send(wakeup) }
        if stopRequested { uv_stop(uvLoop) }
    }

    // MARK: Running

    /// Makes the calling thread the loop thread, runs `setUp` on it, then serves until `stop()`.
    /// After the loop stops, every remaining handle is closed and given a chance to run its close callback.
    public func run(_ setUp: @LoopActor () -> Void) {
        loopThread.withLock { $0 = pthread_self() }
        LoopActor.assumeIsolated { setUp() }
        while !stopRequested {
            uv_run(uvLoop, UV_RUN_DEFAULT)
        }
        // Let close callbacks of handles closed during shutdown run.
        uv_run(uvLoop, UV_RUN_NOWAIT)
    }

    /// Stops the loop after the current iteration. Call on the loop thread.
    public func stop() {
        precondition(isLoopThread)
        stopRequested = true
        uv_stop(uvLoop)
    }

    /// Milliseconds of the loop's cached clock (updated once per loop iteration).
    public var nowMilliseconds: UInt64 { uv_now(uvLoop) }
}

/// The global actor whose executor is the event loop: everything isolated to it runs on the loop thread.
@globalActor
public actor LoopActor {
    public static let shared = LoopActor()

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        EventLoop.shared.asUnownedSerialExecutor()
    }

    /// Runs `operation` as loop-isolated code from a synchronous context that is known to be on the loop
    /// thread: a libuv callback, which libuv only ever calls from `uv_run` on that thread. The thread is
    /// checked in debug builds; release builds skip the check on this hot path (every read and write).
    public static func assumeIsolated<T>(_ operation: @LoopActor () throws -> T) rethrows -> T {
        typealias Isolated = @LoopActor () throws -> T
        typealias Plain = () throws -> T
        assert(EventLoop.shared.isLoopThread, "LoopActor.assumeIsolated called off the loop thread")
        return try withoutActuallyEscaping(operation) { (fn: @escaping Isolated) throws -> T in
            let plain = unsafeBitCast(fn, to: Plain.self)
            return try plain()
        }
    }
}
