/// What a watch reports.
public enum WatchEvent: Sendable, Equatable {
    case added(JSONValue)
    case modified(JSONValue)
    case deleted(JSONValue)
    /// The server's progress marker: everything up to this resourceVersion has been seen.
    case bookmark(resourceVersion: String)
    /// The watch could not resume (410 Gone) and relisted: this is the complete current state; consumers
    /// replace what they had.
    case relisted(items: [JSONValue], resourceVersion: String)
}
