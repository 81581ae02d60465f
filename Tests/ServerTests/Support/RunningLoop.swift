import Foundation
@testable import Server

/// Runs the process's event loop on a background thread so that tests can await `@LoopActor` code.
/// Started once per test process; nothing else in the unit tests uses the loop.
enum RunningLoop {
    private static let started: Void = {
        let ready = DispatchSemaphore(value: 0)
        let thread = Thread {
            EventLoop.shared.run { ready.signal() }
        }
        thread.name = "test-event-loop"
        thread.start()
        ready.wait()
    }()

    static func ensure() { _ = started }
}

/// Collects what the engine answers, on the loop.
@LoopActor
final class CollectingReply: MCPReply {
    var responses: [JSONValue] = []
    var notifications: [JSONValue] = []
    private var waiters: [CheckedContinuation<JSONValue, Never>] = []

    var isOpen: Bool { true }

    func sendNotification(_ bytes: [UInt8]) {
        notifications.append((try? JSONParser.parse(bytes)) ?? .null)
    }

    func sendResponse(_ bytes: [UInt8], errorCode: Int?) {
        let value = (try? JSONParser.parse(bytes)) ?? .null
        responses.append(value)
        let pending = waiters
        waiters.removeAll()
        for w in pending { w.resume(returning: value) }
    }

    /// The next response (or the last one if it already arrived and none was awaited).
    func nextResponse(after count: Int) async -> JSONValue {
        if responses.count > count { return responses[count] }
        return await withCheckedContinuation { waiters.append($0) }
    }
}
