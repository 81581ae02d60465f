import Synchronization

/// How many kubectl processes may run at once (each is a Go program of tens of MiB): a call beyond the limit is
/// refused at once rather than queued, so one client cannot fill the machine with processes.
///
/// Thread-safe (a `Mutex`); shared by every copy of the tool.
final class KubectlSlots: Sendable {
    /// Processes at once (8): enough for several assistants, small next to the server's memory budget.
    static let defaultLimit = 8

    let limit: Int
    private let running = Mutex(0)

    init(limit: Int = KubectlSlots.defaultLimit) {
        self.limit = limit
    }

    /// Takes a slot; false when all are in use.
    func acquire() -> Bool {
        running.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func release() {
        running.withLock { $0 = max(0, $0 - 1) }
    }
}
