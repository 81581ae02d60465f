/// Decides which progress notifications `rollout_status` sends while it waits: one whenever kubectl's message
/// changes, and a heartbeat with the same message every `heartbeat` when nothing changes (so that clients which
/// reset their timeout on progress keep waiting). MCP requires the progress value to grow with every
/// notification, so the percentage is nudged up when the rollout itself has not advanced.
///
/// A state machine without side effects: the waiter feeds it states and clock ticks and performs the actions it
/// returns. One owner (the waiting tool call); not shared.
struct RolloutProgress {
    /// What to send.
    struct Notification: Equatable {
        var progress: Double
        var message: String
    }

    /// The interval of heartbeat notifications.
    let heartbeat: Duration
    private(set) var lastMessage: String?
    private(set) var lastProgress: Double = -1
    private var lastSentAt: Duration = .zero

    /// The highest value a waiting rollout reports (100 means complete).
    static let waitingCeiling = 99.9

    init(heartbeat: Duration = .seconds(10)) {
        self.heartbeat = heartbeat
    }

    /// A new state of the object at `elapsed` since the wait began.
    mutating func observe(_ state: RolloutRules.State, at elapsed: Duration) -> Notification? {
        guard state.message != lastMessage else { return nil }
        lastMessage = state.message
        let target = state.phase == .complete ? 100 : min(state.percent, Self.waitingCeiling)
        return send(target, message: state.message, at: elapsed)
    }

    /// The clock moved on: a heartbeat when nothing was sent for `heartbeat`.
    mutating func tick(at elapsed: Duration) -> Notification? {
        guard let lastMessage, elapsed - lastSentAt >= heartbeat else { return nil }
        let seconds = Int(elapsed.components.seconds)
        return send(min(lastProgress, Self.waitingCeiling), message: "\(lastMessage) (waited \(seconds) s)", at: elapsed)
    }

    private mutating func send(_ target: Double, message: String, at elapsed: Duration) -> Notification? {
        var value = Self.tenth(target)
        if value <= lastProgress { value = Self.tenth(lastProgress + 0.1) }
        if value > 100 || (value > Self.waitingCeiling && target < 100) {
            return nil
        }
        lastProgress = value
        lastSentAt = elapsed
        return Notification(progress: value, message: message)
    }

    private static func tenth(_ value: Double) -> Double { (value * 10).rounded() / 10 }
}
