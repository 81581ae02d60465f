/// Whether a client can be asked for confirmation with a form elicitation, from the `elicitation`
/// capability it declared (in `initialize`, or per request in 2026-07-28 `_meta`).
///
/// Plain value, any thread. An empty capability object means form mode (2025-06-18 clients declare `{}`);
/// a client that declared only `url` mode cannot show a form.
public enum ElicitationSupport: Sendable, Equatable {
    case none
    case form

    public init(capability: JSONValue?) {
        guard let object = capability?.objectValue else {
            self = .none
            return
        }
        self = object.isEmpty || object["form"] != nil ? .form : .none
    }
}
