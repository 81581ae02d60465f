import CUV
import Foundation

/// How a child process ended and what it wrote.
///
/// Plain value, any thread. `stdout` may hold a secret (an exec plugin prints its credential there): never
/// log it.
public struct ProcessResult: Sendable, Equatable {
    /// The exit status; meaningful when `termSignal` is 0.
    public var exitStatus: Int
    /// The signal that ended the process, 0 when it exited by itself.
    public var termSignal: Int32
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// The time limit ran out and the process was stopped (SIGTERM, then SIGKILL).
    public var timedOut: Bool
    /// Output beyond the limit was dropped from stdout or stderr.
    public var truncated: Bool

    public init(exitStatus: Int, termSignal: Int32, stdout: [UInt8], stderr: [UInt8], timedOut: Bool,
                truncated: Bool) {
        self.exitStatus = exitStatus
        self.termSignal = termSignal
        self.stdout = stdout
        self.stderr = stderr
        self.timedOut = timedOut
        self.truncated = truncated
    }

    /// Exited by itself with status 0 within the time limit.
    public var succeeded: Bool { exitStatus == 0 && termSignal == 0 && !timedOut }
}

/// A child process started with `uv_spawn` — no shell — with stdin ignored (or fed from a byte buffer through
/// a pipe, then closed), stdout and stderr read through pipes into capped buffers, and a time limit after which the process group gets SIGTERM, then SIGKILL.
///
/// Loop thread only; other tasks use `run(...)`, which hops to the loop and back. Owns its `uv_process_t` and
/// two or three `uv_pipe_t`s: each handle retains the object through `data` and is freed in its close callback
/// (the process handle after the exit callback, an output pipe at its end of file, the input pipe once its
/// one write has completed or failed). The child leads a process group of its
/// own (`UV_PROCESS_DETACHED`), so that a shell script's children are signalled with it and cannot keep the
/// pipes open.
@LoopActor
public final class UVProcess {
    /// Bytes kept of each of stdout and stderr by default (1 MiB); the rest is read and dropped.
    public nonisolated static let defaultOutputLimit = 1 << 20
    /// Between SIGTERM and SIGKILL.
    static let killGraceMilliseconds: UInt64 = 2_000
    /// After SIGKILL, how long the pipes may stay open (held by a process outside the group) before they are
    /// closed without their end of file.
    static let pipeGraceMilliseconds: UInt64 = 1_000
    /// `PATH` used when the environment has none (what `execvp` falls back to).
    public nonisolated static let fallbackSearchPath = "/usr/local/bin:/usr/bin:/bin"

    /// A result, or the libuv call that failed.
    typealias Outcome = Result<ProcessResult, UVError>

    /// What to start.
    struct Spec: Sendable {
        var path: String
        /// argv, including argv[0].
        var arguments: [String]
        /// `NAME=value` entries: the child's whole environment.
        var environment: [String]
        var currentDirectory: String?
        var timeoutMilliseconds: Int
        var outputLimit: Int
        /// Bytes written to the child's stdin, which is then closed; nil for no stdin at all.
        var standardInput: [UInt8]? = nil
    }

    private let process: UnsafeMutablePointer<uv_process_t>
    private let stdoutPipe: UnsafeMutablePointer<uv_pipe_t>
    private let stderrPipe: UnsafeMutablePointer<uv_pipe_t>
    /// Set when the child gets input; allocated in `spawn`, freed in its close callback.
    private var stdinPipe: UnsafeMutablePointer<uv_pipe_t>?
    private var stdinOpen = false
    private let outputLimit: Int
    private var completion: (@LoopActor (Outcome) -> Void)?
    private var timer: UVTimer?

    /// The child's process id (and process group id).
    public private(set) var pid: Int32 = 0
    private var stdout: [UInt8] = []
    private var stderr: [UInt8] = []
    private var stdoutOpen = false
    private var stderrOpen = false
    private var exited = false
    private var exitStatus = 0
    private var termSignal: Int32 = 0
    private var timedOut = false
    private var truncated = false
    private var stopping = false
    private var finished = false

    private init(outputLimit: Int, completion: @escaping @LoopActor (Outcome) -> Void) {
        self.outputLimit = max(0, outputLimit)
        self.completion = completion
        process = UnsafeMutablePointer<uv_process_t>.allocate(capacity: 1)
        stdoutPipe = UnsafeMutablePointer<uv_pipe_t>.allocate(capacity: 1)
        stderrPipe = UnsafeMutablePointer<uv_pipe_t>.allocate(capacity: 1)
    }

    // MARK: Running from any task

    /// Runs `executable` with `arguments` and exactly `environment`, and returns how it ended.
    ///
    /// Any task. With `standardInput`, the child reads those bytes from its stdin, then end of file (a child
    /// that exits without reading them all is not an error); without, stdin is not connected. A command containing `/` is used as is (relative to `currentDirectory`, else the process's
    /// working directory); a bare name is looked up in the `PATH` of `environment` (see `locate`). Reaching the
    /// time limit is not an error: the result says `timedOut`. Cancelling the calling task returns at once with
    /// `ECANCELED` and stops the child in the background (SIGTERM, SIGKILL 2 s later).
    /// - Throws: `UVError` with `ENOENT` when the command is not found, or the failing libuv call.
    public nonisolated static func run(executable: String, arguments: [String], environment: [String: String],
                                       currentDirectory: String? = nil, timeoutMilliseconds: Int,
                                       outputLimit: Int = defaultOutputLimit,
                                       standardInput: [UInt8]? = nil) async throws(UVError) -> ProcessResult {
        guard let path = locate(executable, baseDirectory: currentDirectory, environment: environment) else {
            throw UVError(UV_ENOENT.rawValue, "uv_spawn")
        }
        let spec = Spec(path: path, arguments: [executable] + arguments,
                        environment: environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" },
                        currentDirectory: currentDirectory, timeoutMilliseconds: timeoutMilliseconds,
                        outputLimit: outputLimit, standardInput: standardInput)
        var attempt = 0
        while true {
            let outcome = await launch(spec)
            // ETXTBSY: the file is open for writing, typically only in a child that another thread forked and
            // that has not reached exec yet (descriptors without O_CLOEXEC). It passes within milliseconds.
            if case .failure(let error) = outcome, error.code == UV_ETXTBSY.rawValue, attempt < textBusyRetries,
               !Task.isCancelled {
                attempt += 1
                try? await Task.sleep(for: .milliseconds(20 * attempt))
                continue
            }
            return try outcome.get()
        }
    }

    /// How often `run` tries again when exec finds the file busy.
    nonisolated static let textBusyRetries = 3

    /// Starts the process on the loop and waits for its result, passing on cancellation.
    private nonisolated static func launch(_ spec: Spec) async -> Outcome {
        let launch = Launch()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                Task { @LoopActor in
                    launch.start(spec) { continuation.resume(returning: $0) }
                }
            }
        } onCancel: {
            Task { @LoopActor in launch.cancel() }
        }
    }

    /// The file `command` names: with a `/`, the path itself (made absolute against `baseDirectory`); else the
    /// first executable regular file called `command` in the directories of `environment["PATH"]`
    /// (`fallbackSearchPath` when unset; empty entries are skipped rather than meaning the working directory).
    /// Nil when a bare name is found nowhere.
    ///
    /// Any thread; reads file metadata only.
    public nonisolated static func locate(_ command: String, baseDirectory: String?,
                                          environment: [String: String]) -> String? {
        guard !command.isEmpty else { return nil }
        if command.contains("/") {
            if command.hasPrefix("/") { return command }
            let base = baseDirectory ?? FileManager.default.currentDirectoryPath
            return base.hasSuffix("/") ? base + command : base + "/" + command
        }
        let searchPath = environment["PATH"] ?? fallbackSearchPath
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = directory.hasSuffix("/") ? String(directory) + command : String(directory) + "/" + command
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        return nil
    }

    /// Joins a `run` call with the process it starts on the loop, whichever of start and cancel comes first.
    @LoopActor
    private final class Launch {
        var process: UVProcess?
        var cancelled = false

        nonisolated init() {}

        func start(_ spec: Spec, completion: @escaping @LoopActor (Outcome) -> Void) {
            if cancelled {
                completion(.failure(UVError(UV_ECANCELED.rawValue, "uv_spawn")))
                return
            }
            do {
                process = try UVProcess.spawn(spec, completion: completion)
            } catch {
                completion(.failure(error))
            }
        }

        func cancel() {
            cancelled = true
            process?.cancel()
        }
    }

    // MARK: Starting

    /// Starts a process; `completion` is called once on the loop thread with its result, or with the failure of
    /// a libuv call after the start (reading the pipes), or `ECANCELED` after `cancel()`.
    /// - Throws: the `uv_spawn` or `uv_pipe_init` failure; nothing was started then.
    static func spawn(_ spec: Spec, completion: @escaping @LoopActor (Outcome) -> Void)
        throws(UVError) -> UVProcess
    {
        let me = UVProcess(outputLimit: spec.outputLimit, completion: completion)
        let loop = EventLoop.shared.uvLoop
        let outRC = uv_pipe_init(loop, me.stdoutPipe, 0)
        if outRC < 0 {
            me.process.deallocate()
            me.stdoutPipe.deallocate()
            me.stderrPipe.deallocate()
            throw UVError(outRC, "uv_pipe_init")
        }
        me.stdoutPipe.pointee.data = Unmanaged.passRetained(me).toOpaque()
        let errRC = uv_pipe_init(loop, me.stderrPipe, 0)
        if errRC < 0 {
            me.process.deallocate()
            me.stderrPipe.deallocate()
            UVHandle.closeReleasingOwner(me.stdoutPipe)
            throw UVError(errRC, "uv_pipe_init")
        }
        me.stderrPipe.pointee.data = Unmanaged.passRetained(me).toOpaque()
        if spec.standardInput != nil {
            let inPipe = UnsafeMutablePointer<uv_pipe_t>.allocate(capacity: 1)
            let inRC = uv_pipe_init(loop, inPipe, 0)
            if inRC < 0 {
                me.process.deallocate()
                inPipe.deallocate()
                UVHandle.closeReleasingOwner(me.stdoutPipe)
                UVHandle.closeReleasingOwner(me.stderrPipe)
                throw UVError(inRC, "uv_pipe_init")
            }
            inPipe.pointee.data = Unmanaged.passRetained(me).toOpaque()
            me.stdinPipe = inPipe
        }

        let rc = me.spawnProcess(spec, loop: loop)
        // uv_spawn initialises the handle whether or not the process starts: it is closed either way.
        me.process.pointee.data = Unmanaged.passRetained(me).toOpaque()
        if rc < 0 {
            me.completion = nil
            UVHandle.closeReleasingOwner(me.process)
            UVHandle.closeReleasingOwner(me.stdoutPipe)
            UVHandle.closeReleasingOwner(me.stderrPipe)
            if let inPipe = me.stdinPipe { UVHandle.closeReleasingOwner(inPipe) }
            throw UVError(rc, "uv_spawn")
        }
        me.pid = me.process.pointee.pid
        me.stdoutOpen = true
        me.stderrOpen = true
        if me.stdinPipe != nil {
            me.stdinOpen = true
            me.writeInput(spec.standardInput ?? [])
        }
        for pipe in [me.stdoutPipe, me.stderrPipe] {
            let readRC = pipe.withMemoryRebound(to: uv_stream_t.self, capacity: 1) {
                uv_read_start($0, UVProcess.allocate, UVProcess.onRead)
            }
            if readRC < 0 {
                me.fail(UVError(readRC, "uv_read_start"))
                return me
            }
        }
        if spec.timeoutMilliseconds > 0 {
            let timer = UVTimer()
            me.timer = timer
            timer.start(timeoutMs: UInt64(spec.timeoutMilliseconds)) { me.timeLimitReached() }
        }
        return me
    }

    /// Fills `uv_process_options_t` with C copies of the strings, which need to live only during `uv_spawn`.
    private func spawnProcess(_ spec: Spec, loop: UnsafeMutablePointer<uv_loop_t>) -> Int32 {
        var stdio = [uv_stdio_container_t](repeating: uv_stdio_container_t(), count: 3)
        if let stdinPipe {
            stdio[0].flags = uv_stdio_flags(rawValue: UV_CREATE_PIPE.rawValue | UV_READABLE_PIPE.rawValue)
            stdio[0].data.stream = UnsafeMutableRawPointer(stdinPipe).assumingMemoryBound(to: uv_stream_t.self)
        } else {
            stdio[0].flags = UV_IGNORE
        }
        let captured = uv_stdio_flags(rawValue: UV_CREATE_PIPE.rawValue | UV_WRITABLE_PIPE.rawValue)
        stdio[1].flags = captured
        stdio[1].data.stream = UnsafeMutableRawPointer(stdoutPipe).assumingMemoryBound(to: uv_stream_t.self)
        stdio[2].flags = captured
        stdio[2].data.stream = UnsafeMutableRawPointer(stderrPipe).assumingMemoryBound(to: uv_stream_t.self)
        let process = self.process
        return Self.withCStrings(spec.arguments) { argv in
            Self.withCStrings(spec.environment) { envp in
                spec.path.withCString { file in
                    Self.withOptionalCString(spec.currentDirectory) { cwd in
                        stdio.withUnsafeMutableBufferPointer { containers in
                            var options = uv_process_options_t()
                            options.exit_cb = UVProcess.onExit
                            options.file = file
                            options.args = argv
                            options.env = envp
                            options.cwd = cwd
                            options.flags = UV_PROCESS_DETACHED.rawValue
                            options.stdio_count = 3
                            options.stdio = containers.baseAddress
                            return uv_spawn(loop, process, &options)
                        }
                    }
                }
            }
        }
    }

    private static func withCStrings<R>(_ strings: [String],
                                        _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for pointer in pointers { free(pointer) } }
        return pointers.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }

    private static func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let string else { return body(nil) }
        return string.withCString { body($0) }
    }

    // MARK: Input

    /// Writes `bytes` to the child's stdin in one `uv_write` and closes the pipe when it completes (or at once
    /// when there is nothing to write). The copy of the bytes and the request are freed in the write callback.
    private func writeInput(_ bytes: [UInt8]) {
        guard let inPipe = stdinPipe, !bytes.isEmpty else {
            closeInput()
            return
        }
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        bytes.withUnsafeBytes { raw in
            UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress!, byteCount: bytes.count)
        }
        let request = UnsafeMutablePointer<uv_write_t>.allocate(capacity: 1)
        request.pointee.data = UnsafeMutableRawPointer(buffer)
        var buf = uv_buf_init(buffer, UInt32(bytes.count))
        let rc = inPipe.withMemoryRebound(to: uv_stream_t.self, capacity: 1) {
            uv_write(request, $0, &buf, 1, UVProcess.onInputWritten)
        }
        if rc < 0 {
            // Nothing was queued: the callback will not run. The child sees end of file at once.
            buffer.deallocate()
            request.deallocate()
            closeInput()
        }
    }

    /// The write finished, failed (`EPIPE` when the child exited without reading) or was cancelled by the
    /// close: free it and close the pipe.
    private static let onInputWritten: uv_write_cb = { request, _ in
        guard let request else { return }
        if let buffer = request.pointee.data { buffer.deallocate() }
        let stream = request.pointee.handle
        request.deallocate()
        guard let stream, let data = stream.pointee.data else { return }
        let me = Unmanaged<UVProcess>.fromOpaque(data).takeUnretainedValue()
        LoopActor.assumeIsolated { me.closeInput() }
    }

    private func closeInput() {
        guard stdinOpen, let inPipe = stdinPipe else { return }
        stdinOpen = false
        UVHandle.closeReleasingOwner(inPipe)
    }

    // MARK: Stopping

    /// Stops waiting: the completion hears `ECANCELED` now, and the process group is stopped in the background.
    public func cancel() {
        fail(UVError(UV_ECANCELED.rawValue, "uv_spawn"))
    }

    /// Reports `error` instead of a result and stops the process.
    private func fail(_ error: UVError) {
        deliver(.failure(error))
        stop()
    }

    private func timeLimitReached() {
        timedOut = true
        stop()
    }

    /// SIGTERM to the group, SIGKILL after the grace period, then the pipes are given up.
    private func stop() {
        guard !stopping, !finished else { return }
        stopping = true
        closeInput()
        signalGroup(SIGTERM)
        let timer = self.timer ?? UVTimer()
        self.timer = timer
        timer.start(timeoutMs: Self.killGraceMilliseconds) { [unowned self] in
            self.signalGroup(SIGKILL)
            timer.start(timeoutMs: Self.pipeGraceMilliseconds) { [unowned self] in
                self.closePipe(stdout: true)
                self.closePipe(stdout: false)
            }
        }
    }

    /// Signals the child's process group (its shell's children too); the child alone if that fails.
    private func signalGroup(_ signal: Int32) {
        guard pid > 0, !finished else { return }
        let rc = uv_kill(-pid, signal)
        if rc < 0, rc != UV_ESRCH.rawValue, !exited {
            _ = uv_process_kill(process, signal)
        }
    }

    // MARK: Events

    private static let sharedBufferSize = 64 * 1024
    nonisolated(unsafe) private static let sharedBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: 64 * 1024)

    private static let allocate: uv_alloc_cb = { _, _, buf in
        buf?.pointee = uv_buf_init(UVProcess.sharedBuffer, UInt32(UVProcess.sharedBufferSize))
    }

    private static let onRead: uv_read_cb = { stream, nread, buf in
        guard let stream, let data = stream.pointee.data else { return }
        let me = Unmanaged<UVProcess>.fromOpaque(data).takeUnretainedValue()
        let address = Int(bitPattern: stream)
        nonisolated(unsafe) let base = buf?.pointee.base
        LoopActor.assumeIsolated {
            let isStdout = address == Int(bitPattern: me.stdoutPipe)
            if nread > 0, let base {
                me.received(UnsafeRawBufferPointer(start: base, count: nread), stdout: isStdout)
            } else if nread < 0 {
                // End of file, or a read error: either way nothing more comes from this pipe.
                me.closePipe(stdout: isStdout)
            }
        }
    }

    private func received(_ bytes: UnsafeRawBufferPointer, stdout isStdout: Bool) {
        let kept = isStdout ? stdout.count : stderr.count
        let take = min(bytes.count, outputLimit - kept)
        if take < bytes.count { truncated = true }
        guard take > 0 else { return }
        if isStdout {
            stdout.append(contentsOf: bytes.prefix(take))
        } else {
            stderr.append(contentsOf: bytes.prefix(take))
        }
    }

    private func closePipe(stdout isStdout: Bool) {
        if isStdout {
            guard stdoutOpen else { return }
            stdoutOpen = false
            UVHandle.closeReleasingOwner(stdoutPipe)
        } else {
            guard stderrOpen else { return }
            stderrOpen = false
            UVHandle.closeReleasingOwner(stderrPipe)
        }
        finishIfDone()
    }

    private static let onExit: uv_exit_cb = { handle, status, signal in
        guard let handle, let data = handle.pointee.data else { return }
        let me = Unmanaged<UVProcess>.fromOpaque(data).takeUnretainedValue()
        LoopActor.assumeIsolated { me.exited(status: Int(status), signal: signal) }
    }

    private func exited(status: Int, signal: Int32) {
        guard !exited else { return }
        exited = true
        exitStatus = status
        termSignal = signal
        UVHandle.closeReleasingOwner(process)
        finishIfDone()
    }

    /// The process has exited and both pipes are at their end: report, and release the timer.
    private func finishIfDone() {
        guard exited, !stdoutOpen, !stderrOpen, !finished else { return }
        finished = true
        closeInput()
        timer?.close()
        timer = nil
        deliver(.success(ProcessResult(exitStatus: exitStatus, termSignal: termSignal, stdout: stdout,
                                       stderr: stderr, timedOut: timedOut, truncated: truncated)))
    }

    private func deliver(_ result: Result<ProcessResult, UVError>) {
        guard let completion else { return }
        self.completion = nil
        completion(result)
    }
}
