import Testing
@testable import Server

@Suite struct MessageIntakeTests {
    @Test func parsesSingleMessage() throws {
        let parsed = try MessageIntake.parse(Array(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#.utf8)).get()
        guard case .single(let message) = parsed else {
            Issue.record("expected a single message, got \(parsed)")
            return
        }
        #expect(message.requestID == .int(1))
        #expect(message.method == "ping")
    }

    @Test func parsesBatchInOrder() throws {
        let body = #"[{"jsonrpc":"2.0","id":"a","method":"tools/list"},"#
            + #"{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":2,"result":{}}]"#
        let parsed = try MessageIntake.parse(Array(body.utf8)).get()
        guard case .batch(let messages) = parsed else {
            Issue.record("expected a batch, got \(parsed)")
            return
        }
        #expect(messages.count == 3)
        #expect(messages[0].requestID == .string("a"))
        #expect(messages[1].method == "notifications/initialized")
        #expect(messages[1].requestID == nil)
        guard case .response(let id, _) = messages[2] else {
            Issue.record("expected a response, got \(messages[2])")
            return
        }
        #expect(id == .int(2))
    }

    @Test func rejectsEmptyBatch() {
        #expect(failure(of: "[]")?.code == -32600)
        #expect(failure(of: " [ ] ")?.code == -32600)
    }

    @Test(arguments: ["", "{", "not json", #"{"jsonrpc":"2.0","id":1,"method":"ping"} trailing"#, "[1,]"])
    func reportsParseErrors(body: String) {
        let error = failure(of: body)
        #expect(error?.code == -32700)
        #expect(error?.message.hasPrefix("Parse error") == true)
    }

    @Test(arguments: ["42", #""ping""#, #"{"id":1,"method":"ping"}"#, #"[{"jsonrpc":"2.0","method":"a"},1]"#])
    func reportsInvalidRequests(body: String) {
        #expect(failure(of: body)?.code == -32600)
    }

    @Test(arguments: ["application/json", "application/json; charset=utf-8", "Application/JSON",
                      " application/json ;charset=UTF-8", "APPLICATION/JSON;charset=utf-8"])
    func recognisesJSONContentTypes(contentType: String) {
        #expect(MessageIntake.isJSON(contentType: contentType))
    }

    @Test(arguments: [nil, "", "text/plain", "application/json-patch+json", "application/jsonx", "text/json",
                      "application/x-www-form-urlencoded", "multipart/form-data; boundary=application/json"]
        as [String?])
    func refusesOtherContentTypes(contentType: String?) {
        #expect(!MessageIntake.isJSON(contentType: contentType))
    }

    @Test func acceptsBothFormsForTheUsualMCPHeader() {
        let accepted = MessageIntake.accepted("application/json, text/event-stream")
        #expect(accepted.json)
        #expect(accepted.eventStream)
    }

    @Test(arguments: [nil, "", "*/*"] as [String?])
    func acceptsBothFormsForWildcardOrMissingHeader(accept: String?) {
        let accepted = MessageIntake.accepted(accept)
        #expect(accepted.json)
        #expect(accepted.eventStream)
    }

    @Test func acceptsOnlyWhatIsNamed() {
        let json = MessageIntake.accepted("application/json")
        #expect(json.json && !json.eventStream)
        let sse = MessageIntake.accepted("text/event-stream")
        #expect(!sse.json && sse.eventStream)
        let appWildcard = MessageIntake.accepted("application/*")
        #expect(appWildcard.json && !appWildcard.eventStream)
        let textWildcard = MessageIntake.accepted("text/*")
        #expect(!textWildcard.json && textWildcard.eventStream)
    }

    @Test func ignoresParametersCaseAndSpacesInAccept() {
        let accepted = MessageIntake.accepted("Application/JSON;q=0.9 ,  TEXT/EVENT-STREAM ; q=0.5")
        #expect(accepted.json)
        #expect(accepted.eventStream)
    }

    @Test func acceptsNeitherForUnrelatedMediaTypes() {
        let accepted = MessageIntake.accepted("text/html")
        #expect(!accepted.json)
        #expect(!accepted.eventStream)
        let several = MessageIntake.accepted("text/html, application/xhtml+xml, image/png")
        #expect(!several.json && !several.eventStream)
    }

    private func failure(of body: String) -> JSONRPCError? {
        if case .failure(let error) = MessageIntake.parse(Array(body.utf8)) { return error }
        Issue.record("\(body) was accepted")
        return nil
    }
}

@Suite struct MessageIntakeQualityTests {
    @Test func zeroQualityMeansNotAcceptable() {
        #expect(MessageIntake.accepted("application/json;q=0, text/event-stream") == (false, true))
        #expect(MessageIntake.accepted("application/json; q=0.000").json == false)
        #expect(MessageIntake.accepted("application/json;q=0.5").json == true)
        #expect(MessageIntake.accepted("application/json;q=1").json == true)
    }
}
