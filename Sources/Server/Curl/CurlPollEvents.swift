import CCurl

/// Translation between curl's socket wishes (`CURL_POLL_*`) and libuv readiness, and back into the
/// `CURL_CSELECT_*` flags of `curl_multi_socket_action`.
///
/// Stateless; any thread.
enum CurlPollEvents {
    /// What to poll for when curl's socket callback says `what`.
    static func events(for what: Int32) -> UVPoll.Events {
        var events: UVPoll.Events = []
        if what == CURL_POLL_IN || what == CURL_POLL_INOUT { events.insert(.readable) }
        if what == CURL_POLL_OUT || what == CURL_POLL_INOUT { events.insert(.writable) }
        return events
    }

    /// The flags to hand curl for a poll callback's `status` and readiness.
    static func actionFlags(status: Int32, ready: UVPoll.Events) -> Int32 {
        guard status >= 0 else { return CURL_CSELECT_ERR }
        var flags: Int32 = 0
        if ready.contains(.readable) { flags |= CURL_CSELECT_IN }
        if ready.contains(.writable) { flags |= CURL_CSELECT_OUT }
        return flags
    }
}
