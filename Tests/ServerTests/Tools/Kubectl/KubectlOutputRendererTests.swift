import Testing
@testable import Server

/// `KubectlOutputRenderer`: kubectl's JSON redacted and rendered as YAML or JSON, text capped, unparseable
/// JSON withheld. Pure; no process is started.
@Suite struct KubectlOutputRendererTests {
    private let renderer = KubectlOutputRenderer(maxBytes: 64 * 1024, showSecrets: false)
    private let limit = KubectlTool.processOutputLimit

    static let secretJSON = """
        {"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"shop","annotations":\
        {"kubectl.kubernetes.io/last-applied-configuration":"{\\"data\\":{\\"password\\":\\"czNjcjN0\\"}}"},\
        "managedFields":[{"manager":"kubectl"}]},"type":"Opaque","data":{"password":"czNjcjN0","user":"YWRtaW4="}}
        """

    private func render(_ text: String, _ mode: KubectlInvocation.Output,
                        renderer: KubectlOutputRenderer? = nil) throws -> KubectlOutputRenderer.Rendered {
        try (renderer ?? self.renderer).render(stdout: Array(text.utf8), mode: mode, processTruncated: false,
                                               processLimit: limit)
    }

    @Test func secretAsYAMLIsRedacted() throws {
        let rendered = try render(Self.secretJSON, .structured(.yaml))
        #expect(rendered.body.contains("kind: Secret"))
        #expect(rendered.body.contains("password: REDACTED"))
        #expect(!rendered.body.contains("czNjcjN0"))
        #expect(!rendered.body.contains("YWRtaW4="))
        #expect(!rendered.body.contains("managedFields"))
        #expect(rendered.notes.joined().contains("redacted"))
    }

    @Test func secretAsJSONIsRedactedAndParseable() throws {
        let rendered = try render(Self.secretJSON, .structured(.json))
        let value = try JSONParser.parse(rendered.body)
        #expect(value["data"]?["password"]?.stringValue == "REDACTED")
        #expect(value["metadata"]?["annotations"]?[KubeRedaction.lastAppliedAnnotation]?.stringValue == "REDACTED")
    }

    @Test func showSecretsKeepsValues() throws {
        let rendered = try render(Self.secretJSON, .structured(.yaml),
                                  renderer: KubectlOutputRenderer(maxBytes: 64 * 1024, showSecrets: true))
        #expect(rendered.body.contains("czNjcjN0"))
    }

    @Test func secretListItemsAreRedacted() throws {
        let list = "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[\(Self.secretJSON),\(Self.secretJSON)]}"
        let rendered = try render(list, .structured(.yaml))
        #expect(!rendered.body.contains("czNjcjN0"))
        #expect(rendered.body.components(separatedBy: "password: REDACTED").count == 3)
    }

    @Test func severalDocumentsBecomeAList() throws {
        let rendered = try render(Self.secretJSON + "\n" + "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\","
                                  + "\"metadata\":{\"name\":\"a}{\\\"\"},\"data\":{\"k\":\"v\"}}\n",
                                  .structured(.yaml))
        #expect(rendered.body.hasPrefix("apiVersion: v1\nkind: List\n"))
        #expect(rendered.body.contains("kind: ConfigMap"))
        #expect(rendered.body.contains("k: v"))
        #expect(!rendered.body.contains("czNjcjN0"))
    }

    @Test func invalidJSONIsWithheld() throws {
        for text in ["{\"kind\":\"Secret\",\"data\":{\"password\":\"czNjcjN0\"", "NAME AGE\nx 1d\n", "{}{", "[1,]"] {
            #expect(throws: KubectlOutputRenderer.Failure.self) { try render(text, .structured(.yaml)) }
        }
        let shown = try render("not json czNjcjN0", .structured(.yaml),
                               renderer: KubectlOutputRenderer(maxBytes: 1024, showSecrets: true))
        #expect(shown.body.contains("czNjcjN0"))
    }

    @Test func truncatedJSONIsWithheld() throws {
        #expect(throws: KubectlOutputRenderer.Failure.self) {
            try renderer.render(stdout: Array(Self.secretJSON.utf8), mode: .structured(.json), processTruncated: true,
                                processLimit: limit)
        }
    }

    @Test func emptyStructuredOutputIsEmpty() throws {
        #expect(try render("  \n", .structured(.yaml)).body == "")
    }

    @Test func rawJSONIsRedactedAndOtherTextPasses() throws {
        let json = try render(Self.secretJSON, .raw)
        #expect(!json.body.contains("czNjcjN0"))
        #expect(try JSONParser.parse(json.body)["kind"]?.stringValue == "Secret")
        #expect(try render("ok", .raw).body == "ok")
        #expect(throws: KubectlOutputRenderer.Failure.self) { try render("{\"a\":1}\n{\"b\":", .raw) }
    }

    @Test func textIsCappedWithANote() throws {
        let small = KubectlOutputRenderer(maxBytes: 100, showSecrets: false)
        let lines = (0..<50).map { "pod-\($0)   Running" }.joined(separator: "\n") + "\n"
        let rendered = try render(lines, .text, renderer: small)
        #expect(rendered.body.utf8.count <= 100)
        #expect(rendered.body.hasPrefix("pod-0 "))
        #expect(rendered.notes.joined().contains("Showing the first"))
    }

    @Test func largeListIsCutBetweenItems() throws {
        let item = "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"p\"}}"
        let list = "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":["
            + Array(repeating: item, count: 200).joined(separator: ",") + "]}"
        let rendered = try render(list, .structured(.json), renderer: KubectlOutputRenderer(maxBytes: 1000,
                                                                                            showSecrets: false))
        let value = try JSONParser.parse(rendered.body)
        #expect((value["items"]?.arrayValue?.count ?? 0) > 0)
        #expect((value["items"]?.arrayValue?.count ?? 0) < 200)
        #expect(!rendered.notes.isEmpty)
    }

    @Test func documentSplitterHandlesStringsAndEscapes() throws {
        let values = try KubectlOutputRenderer.documents(Array("{\"a\":\"}\\\"{\"} [1,[2]]\n{}".utf8))
        #expect(values.count == 3)
        #expect(values[0]["a"]?.stringValue == "}\"{")
        #expect(throws: JSONParseError.self) { try KubectlOutputRenderer.documents(Array("{} 5".utf8)) }
    }
}
