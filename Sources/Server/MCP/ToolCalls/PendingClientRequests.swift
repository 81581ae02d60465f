/// The requests a session sent to its client and still waits for, by the JSON-RPC id the server minted:
/// mints ids, files a waiter under each, and hands the waiter back when the response (or a timeout or
/// cancellation) arrives. Ids are strings (`kube-mcp-1`, ...) so that they never look like a client's ids.
///
/// Plain value; owned by one session (loop thread) or a test. Generic over the waiter so that tests need no
/// continuations or timers.
public struct PendingClientRequests<Waiter> {
    /// The most requests one session may have outstanding at once.
    public static var capacity: Int { 64 }

    private var waiters: [JSONRPCID: Waiter] = [:]
    private var nextNumber = 1

    public init() {}

    public var count: Int { waiters.count }
    public var isFull: Bool { waiters.count >= Self.capacity }

    /// A fresh id for the next request.
    public mutating func nextID() -> JSONRPCID {
        defer { nextNumber += 1 }
        return .string("kube-mcp-\(nextNumber)")
    }

    /// Files `waiter` under `id`; false when the table is full or the id is taken.
    public mutating func insert(_ waiter: Waiter, for id: JSONRPCID) -> Bool {
        guard !isFull, waiters[id] == nil else { return false }
        waiters[id] = waiter
        return true
    }

    /// The waiter for a response's id, removed; nil for ids this session never issued or already settled.
    public mutating func remove(_ id: JSONRPCID) -> Waiter? {
        waiters.removeValue(forKey: id)
    }

    /// Every waiter, removed (the session ends).
    public mutating func removeAll() -> [Waiter] {
        defer { waiters.removeAll() }
        return Array(waiters.values)
    }
}
