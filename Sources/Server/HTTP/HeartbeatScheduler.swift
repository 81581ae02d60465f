/// Sends the keep-alive comment on every long-lived event stream once per interval, spread over many short
/// ticks so that no single loop callback touches more than a small slice of the streams.
///
/// Loop thread only. Streams are assigned round-robin to `slotCount` slots; every tick serves one slot.
/// Removal is lazy: a slot drops closed or finished streams when it is next visited.
@LoopActor
final class HeartbeatScheduler {
    static let tickMilliseconds: UInt64 = 100
    let slotCount: Int
    private var slots: [[HTTPConnection]]
    private var cursor = 0
    private var nextSlot = 0
    private var timer: UVTimer?

    init(intervalMilliseconds: UInt64) {
        slotCount = max(1, Int(intervalMilliseconds / HeartbeatScheduler.tickMilliseconds))
        slots = Array(repeating: [], count: slotCount)
    }

    func start() {
        let timer = UVTimer()
        timer.start(timeoutMs: HeartbeatScheduler.tickMilliseconds, repeatMs: HeartbeatScheduler.tickMilliseconds) {
            [unowned self] in self.tick()
        }
        timer.unref()
        self.timer = timer
    }

    func stop() {
        timer?.close()
        timer = nil
    }

    func add(_ connection: HTTPConnection) {
        guard connection.heartbeatSlot == nil else { return }
        let slot = nextSlot
        nextSlot = (nextSlot + 1) % slotCount
        connection.heartbeatSlot = slot
        slots[slot].append(connection)
    }

    func remove(_ connection: HTTPConnection) {
        connection.heartbeatSlot = nil
    }

    private func tick() {
        let slot = cursor
        cursor = (cursor + 1) % slotCount
        var members = slots[slot]
        slots[slot] = []
        members.removeAll { $0.heartbeatSlot != slot || $0.eventStream == nil }
        for connection in members { connection.eventStream?.sendHeartbeat() }
        // Streams added during the sends (none expected) stay registered.
        slots[slot].append(contentsOf: members.filter { $0.heartbeatSlot == slot })
    }
}
