/// Header and idle timeouts for every connection with one one-second tick instead of one timer each.
///
/// Loop thread only. Connections sit in the bucket of the second their deadline falls in; entries made stale
/// by a later deadline are skipped when their bucket comes round.
@LoopActor
final class TimeoutWheel {
    private static let size: UInt64 = 64
    private var buckets: [[HTTPConnection]] = Array(repeating: [], count: Int(TimeoutWheel.size))
    private var lastSecond: UInt64 = EventLoop.shared.nowMilliseconds / 1000

    /// (Re)registers a connection for its current deadline.
    func schedule(_ connection: HTTPConnection) {
        guard let deadline = connection.state.deadline else { return }
        let second = (deadline + 999) / 1000
        if connection.wheelSecond == second { return }
        connection.wheelSecond = second
        buckets[Int(second % TimeoutWheel.size)].append(connection)
    }

    /// Fires every bucket up to `now`.
    func tick(now: UInt64) {
        let nowSecond = now / 1000
        var second = max(lastSecond + 1, nowSecond >= TimeoutWheel.size ? nowSecond - TimeoutWheel.size + 1 : 0)
        while second <= nowSecond {
            let index = Int(second % TimeoutWheel.size)
            let bucket = buckets[index]
            buckets[index] = []
            for connection in bucket {
                guard let registered = connection.wheelSecond else { continue }
                if registered > second {
                    // Same slot, a later lap: keep waiting (unless it is a stale duplicate).
                    if registered % TimeoutWheel.size == second % TimeoutWheel.size {
                        buckets[index].append(connection)
                    }
                    continue
                }
                if registered != second && registered % TimeoutWheel.size != second % TimeoutWheel.size { continue }
                connection.wheelSecond = nil
                guard connection.state.deadline != nil else { continue }
                connection.tick(now: now)
                schedule(connection)
            }
            second += 1
        }
        lastSecond = nowSecond
    }
}
