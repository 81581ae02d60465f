/// The state of one watch as a side-effect-free machine: it reads event lines, remembers the last
/// resourceVersion to resume from, and says when a relist is needed (410 Gone).
///
/// Plain value; owned by one watch loop or a test.
public struct WatchState: Sendable, Equatable {
    /// What the owner does after a line.
    public enum Action: Sendable, Equatable {
        case emit(WatchEvent)
        /// The resourceVersion is too old: list again and restart from the list's resourceVersion.
        case relist
        /// A server error other than 410; the stream should be reopened after a pause.
        case failed(KubeStatus)
        case ignore
    }

    /// Where to resume; nil before the first list.
    public private(set) var resourceVersion: String?

    public init(resourceVersion: String?) {
        self.resourceVersion = resourceVersion
    }

    /// Interprets one line of a watch stream.
    public mutating func handle(line: [UInt8]) -> Action {
        guard let event = try? JSONParser.parse(line), let type = event["type"]?.stringValue else { return .ignore }
        let object = event["object"] ?? .null
        let rv = object["metadata"]?["resourceVersion"]?.stringValue
        switch type {
        case "ADDED", "MODIFIED", "DELETED":
            if let rv { resourceVersion = rv }
            switch type {
            case "ADDED": return .emit(.added(object))
            case "MODIFIED": return .emit(.modified(object))
            default: return .emit(.deleted(object))
            }
        case "BOOKMARK":
            guard let rv else { return .ignore }
            resourceVersion = rv
            return .emit(.bookmark(resourceVersion: rv))
        case "ERROR":
            let status = KubeStatus.parse(httpStatus: object["code"]?.intValue ?? 500, body: JSONWriter.encode(object))
            if status.code == 410 {
                resourceVersion = nil
                return .relist
            }
            return .failed(status)
        default:
            return .ignore
        }
    }

    /// A fresh list arrived: resume from its resourceVersion.
    public mutating func relisted(resourceVersion rv: String) {
        resourceVersion = rv
    }

    /// The server answered the watch request itself with 410.
    public mutating func expired() {
        resourceVersion = nil
    }
}
