import CCurl

/// libcurl's multi interface driven by the event loop: one `UVPoll` per socket curl asks about, one
/// `UVTimer` for curl's timeouts, and finished transfers drained after every action (curl's multi-uv
/// example in Swift). Connections, TLS sessions and HTTP/2 streams are shared by every transfer.
///
/// Loop thread only. Owns the multi handle and the poll handles; transfers own their easy handles.
@LoopActor
public final class CurlMulti {
    /// The multi handle of the loop, created on first use.
    public static let shared = CurlMulti()

    private let multi: UnsafeMutableRawPointer
    private let timer = UVTimer()
    /// Runs paused transfers again on the next loop iteration (an idle handle: a 0 ms timer started from a
    /// timer callback would fire again in the same iteration, before any socket is served).
    private let resumeIdle = UVIdle()
    private var toResume: [CurlTransfer] = []
    private var polls: [Int32: UVPoll] = [:]
    private var kickScheduled = false
    /// Transfers in progress (the multi handle holds them; this keeps the Swift objects alive).
    private var active: Set<ObjectIdentifier> = []
    private var byIdentifier: [ObjectIdentifier: CurlTransfer] = [:]

    private init() {
        CurlMulti.globalInit
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed") }
        self.multi = multi
        let me = Unmanaged.passUnretained(self).toOpaque()
        ccurl_multi_setopt_socket_function(multi, CurlMulti.onSocket)
        ccurl_multi_setopt_ptr(multi, CURLMOPT_SOCKETDATA, me)
        ccurl_multi_setopt_timer_function(multi, CurlMulti.onTimer)
        ccurl_multi_setopt_ptr(multi, CURLMOPT_TIMERDATA, me)
        ccurl_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        timer.unref()
    }

    /// Resumes `transfer` on the next loop iteration (it paused itself after its share of bytes).
    func resumeLater(_ transfer: CurlTransfer) {
        toResume.append(transfer)
        resumeIdle.start { [unowned self] in
            let batch = self.toResume
            self.toResume = []
            if batch.isEmpty {
                self.resumeIdle.stop()
                return
            }
            for transfer in batch { transfer.resume() }
            self.drainFinished()
        }
    }

    private static let globalInit: Void = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    }()

    /// Starts a transfer.
    func add(_ transfer: CurlTransfer) throws(CurlError) {
        let rc = curl_multi_add_handle(multi, transfer.easy)
        guard rc == CURLM_OK else { throw .multi(rc, "curl_multi_add_handle") }
        let id = ObjectIdentifier(transfer)
        active.insert(id)
        byIdentifier[id] = transfer
    }

    /// Stops a transfer early (cancellation); its completion is not reported by curl afterwards.
    func remove(_ transfer: CurlTransfer) {
        let id = ObjectIdentifier(transfer)
        guard active.remove(id) != nil else { return }
        byIdentifier[id] = nil
        curl_multi_remove_handle(multi, transfer.easy)
    }

    // MARK: curl → loop

    /// CURLMOPT_SOCKETFUNCTION: curl says which events it wants on a socket (or that it is done with it).
    private static let onSocket: curl_socket_callback = { _, socket, what, userp, _ in
        guard let userp else { return 0 }
        let me = Unmanaged<CurlMulti>.fromOpaque(userp).takeUnretainedValue()
        LoopActor.assumeIsolated { me.watch(socket: socket, what: what) }
        return 0
    }

    private func watch(socket: curl_socket_t, what: Int32) {
        if what == CURL_POLL_REMOVE {
            polls.removeValue(forKey: socket)?.close()
            return
        }
        let poll: UVPoll
        if let existing = polls[socket] {
            poll = existing
        } else {
            do { poll = try UVPoll(socket: socket) } catch { return }
            polls[socket] = poll
        }
        try? poll.start(CurlPollEvents.events(for: what)) { [unowned self] status, ready in
            self.action(socket: socket, flags: CurlPollEvents.actionFlags(status: status, ready: ready))
        }
    }

    /// CURLMOPT_TIMERFUNCTION: curl wants to be called after `timeout` ms (-1: never). Never act from inside
    /// curl's own callback: a 0 ms timer runs on the next loop iteration.
    private static let onTimer: curl_multi_timer_callback = { _, timeout, userp in
        guard let userp else { return 0 }
        let me = Unmanaged<CurlMulti>.fromOpaque(userp).takeUnretainedValue()
        LoopActor.assumeIsolated {
            if timeout < 0 {
                me.timer.stop()
            } else {
                me.timer.start(timeoutMs: UInt64(timeout)) { [unowned me] in
                    me.action(socket: CURL_SOCKET_TIMEOUT, flags: 0)
                }
            }
        }
        return 0
    }

    private func action(socket: curl_socket_t, flags: Int32) {
        var running: Int32 = 0
        curl_multi_socket_action(multi, socket, flags, &running)
        drainFinished()
    }

    /// Reports every finished transfer to its owner.
    private func drainFinished() {
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let result = ccurl_msg_result(message)
            var privateData: UnsafeMutableRawPointer?
            ccurl_easy_getinfo_ptr(easy, CURLINFO_PRIVATE, &privateData)
            curl_multi_remove_handle(multi, easy)
            guard let privateData else { continue }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(privateData).takeUnretainedValue()
            let id = ObjectIdentifier(transfer)
            active.remove(id)
            byIdentifier[id] = nil
            transfer.finish(result)
        }
    }
}
