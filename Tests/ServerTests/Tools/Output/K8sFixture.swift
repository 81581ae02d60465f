import Foundation
import Testing
@testable import Server

/// The Kubernetes API payloads in `Fixtures/k8s` (see its README for sources), parsed. Plain helpers, any
/// thread.
enum K8sFixture {
    /// `2022-02-17T21:51:01Z`, the creation time of the fixture pod.
    static let podCreated = Date(timeIntervalSince1970: 1_645_134_661)

    static func url(_ name: String) throws -> URL {
        let directory = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return directory.appendingPathComponent("k8s").appendingPathComponent(name)
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOf: url(name), encoding: .utf8)
    }

    static func load(_ name: String) throws -> JSONValue {
        try JSONParser.parse(try text(name))
    }

    /// Every JSON fixture.
    static let allJSON = [
        "pod.json", "table-pods.json", "list-pods-paginated.json", "deployment.json", "event.json",
        "node.k8s-testdata.json", "secret.json", "list-secrets.json", "table-secrets-object.json",
    ]

    /// A copy of `value` with the member at `path` replaced (or removed with nil), creating objects on the way.
    static func setting(_ value: JSONValue, _ path: [String], to newValue: JSONValue?) -> JSONValue {
        guard let key = path.first else { return newValue ?? .null }
        var object = value.objectValue ?? JSONObject()
        if path.count == 1 {
            object[key] = newValue
        } else {
            object[key] = setting(object[key] ?? .object(JSONObject()), Array(path.dropFirst()), to: newValue)
        }
        return .object(object)
    }
}
