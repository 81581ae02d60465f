import Testing
@testable import Server

@Suite struct JSONRPCMessageTests {
    @Test func classifiesRequest() throws {
        let message = try JSONRPCMessage(
            json(#"{"jsonrpc":"2.0","id":7,"method":"tools/list","params":{"cursor":"x"}}"#))
        guard case .request(let id, let method, let params) = message else {
            Issue.record("expected a request, got \(message)")
            return
        }
        #expect(id == .int(7))
        #expect(method == "tools/list")
        #expect(params["cursor"] == "x")
        #expect(message.requestID == .int(7))
        #expect(message.method == "tools/list")
    }

    @Test func classifiesNotification() throws {
        let message = try JSONRPCMessage(json(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#))
        guard case .notification(let method, let params) = message else {
            Issue.record("expected a notification, got \(message)")
            return
        }
        #expect(method == "notifications/initialized")
        #expect(params.isEmpty)
        #expect(message.requestID == nil)
    }

    @Test func classifiesResultAndErrorResponses() throws {
        let result = try JSONRPCMessage(json(#"{"jsonrpc":"2.0","id":"s-1","result":{}}"#))
        guard case .response(let id, _) = result else {
            Issue.record("expected a response, got \(result)")
            return
        }
        #expect(id == .string("s-1"))
        #expect(result.method == nil)
        #expect(result.requestID == nil)
        #expect(result.params.isEmpty)

        let error = try JSONRPCMessage(json(#"{"jsonrpc":"2.0","id":null,"error":{"code":-1,"message":"x"}}"#))
        guard case .response(let errorID, _) = error else {
            Issue.record("expected a response, got \(error)")
            return
        }
        #expect(errorID == nil)
    }

    @Test func acceptsNullParamsAsEmpty() throws {
        let message = try JSONRPCMessage(json(#"{"jsonrpc":"2.0","id":1,"method":"ping","params":null}"#))
        #expect(message.params.isEmpty)
        #expect(message.requestID == .int(1))
    }

    @Test func preservesStringAndIntegerIDs() throws {
        let stringID = try JSONRPCMessage(json(#"{"jsonrpc":"2.0","id":"1","method":"ping"}"#))
        let intID = try JSONRPCMessage(json(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#))
        #expect(stringID.requestID == .string("1"))
        #expect(intID.requestID == .int(1))
        #expect(stringID.requestID != intID.requestID)
        #expect(stringID.requestID?.json == .string("1"))
        #expect(intID.requestID?.json == .int(1))
    }

    @Test func acceptsIntegralDoubleIDsAsIntegers() throws {
        let message = try JSONRPCMessage(json(#"{"jsonrpc":"2.0","id":3.0,"method":"ping"}"#))
        #expect(message.requestID == .int(3))
    }

    @Test(arguments: [
        #"{"id":1,"method":"ping"}"#,
        #"{"jsonrpc":"1.0","id":1,"method":"ping"}"#,
        #"{"jsonrpc":2.0,"id":1,"method":"ping"}"#,
        #"{"jsonrpc":null,"id":1,"method":"ping"}"#,
    ])
    func rejectsWrongJSONRPCVersion(text: String) throws {
        let error = #expect(throws: JSONRPCError.self) { try JSONRPCMessage(json(text)) }
        #expect(error?.code == JSONRPCError.invalidRequestCode)
        #expect(error?.code == -32600)
    }

    @Test(arguments: [#"[1,2]"#, #""x""#, "1", "true"])
    func rejectsNonObjectParams(params: String) throws {
        let error = #expect(throws: JSONRPCError.self) {
            try JSONRPCMessage(json(#"{"jsonrpc":"2.0","id":1,"method":"ping","params":"# + params + "}"))
        }
        #expect(error?.code == -32600)
    }

    @Test(arguments: ["null", "{}", "true", "[1]", "1.5"])
    func rejectsBadIDTypes(id: String) throws {
        let error = #expect(throws: JSONRPCError.self) {
            try JSONRPCMessage(json(#"{"jsonrpc":"2.0","id":"# + id + #","method":"ping"}"#))
        }
        #expect(error?.code == -32600)
    }

    @Test(arguments: [
        #"{"jsonrpc":"2.0","id":1,"method":5}"#,
        #"{"jsonrpc":"2.0","id":1}"#,
        #"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#,
        #""ping""#,
        "null",
    ])
    func rejectsMessagesThatAreNeitherRequestNotificationNorResponse(text: String) throws {
        let error = #expect(throws: JSONRPCError.self) { try JSONRPCMessage(json(text)) }
        #expect(error?.code == -32600)
    }
}

@Suite struct JSONRPCEncoderTests {
    @Test func encodesResultWithOriginalIDType() throws {
        let withString = try JSONParser.parse(JSONRPCEncoder.result(id: .string("abc"), ["tools": []]))
        #expect(withString == ["jsonrpc": "2.0", "id": "abc", "result": ["tools": []]])
        let withInt = try JSONParser.parse(JSONRPCEncoder.result(id: .int(42), ["ok": true]))
        #expect(withInt["id"] == .int(42))
        #expect(withInt["result"]?["ok"] == true)
    }

    @Test func encodesPreEncodedResult() throws {
        let bytes = JSONRPCEncoder.result(id: .int(1), encodedResult: Array("{}".utf8))
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"jsonrpc":"2.0","id":1,"result":{}}"#)
        let message = try JSONRPCMessage(JSONParser.parse(bytes))
        guard case .response(let id, _) = message else {
            Issue.record("expected a response, got \(message)")
            return
        }
        #expect(id == .int(1))
    }

    @Test func encodesErrorWithNullIDWhenUnknown() throws {
        let value = try JSONParser.parse(JSONRPCEncoder.error(id: nil, .parseError("bad")))
        #expect(value["jsonrpc"] == "2.0")
        #expect(value.objectValue?.keys.contains("id") == true)
        #expect(value["id"] == .null)
        #expect(value["error"]?["code"] == .int(-32700))
        #expect(value["error"]?["message"] == "Parse error: bad")
        #expect(value["error"]?["data"] == nil)
        #expect(value["result"] == nil)
    }

    @Test func encodesErrorWithIDAndData() throws {
        let error = JSONRPCError(code: -32602, message: "Invalid params: x", data: ["field": "name"])
        let value = try JSONParser.parse(JSONRPCEncoder.error(id: .string("r1"), error))
        #expect(value["id"] == "r1")
        #expect(value["error"] == ["code": -32602, "message": "Invalid params: x", "data": ["field": "name"]])
    }

    @Test func encodesNotificationWithoutID() throws {
        let bytes = JSONRPCEncoder.notification(method: "notifications/progress",
                                                params: ["progressToken": "t", "progress": 0.5])
        let value = try JSONParser.parse(bytes)
        #expect(value.objectValue?.keys == ["jsonrpc", "method", "params"])
        #expect(value["params"]?["progress"] == .double(0.5))
        let message = try JSONRPCMessage(value)
        guard case .notification(let method, let params) = message else {
            Issue.record("expected a notification, got \(message)")
            return
        }
        #expect(method == "notifications/progress")
        #expect(params["progressToken"] == "t")
    }

    @Test func omitsParamsOfBareNotification() throws {
        let bytes = JSONRPCEncoder.notification(method: "notifications/tools/list_changed", params: nil)
        #expect(String(decoding: bytes, as: UTF8.self)
            == #"{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}"#)
    }
}

@Suite struct JSONRPCErrorTests {
    @Test func usesTheStandardCodes() {
        #expect(JSONRPCError.parseError("x").code == -32700)
        #expect(JSONRPCError.invalidRequest("x").code == -32600)
        #expect(JSONRPCError.methodNotFound("x/y").code == -32601)
        #expect(JSONRPCError.methodNotFound("x/y").message.contains("x/y"))
        #expect(JSONRPCError.invalidParams("x").code == -32602)
        #expect(JSONRPCError.internalError("x").code == -32603)
        #expect(JSONRPCError.headerMismatch("x").code == -32020)
    }

    @Test func unsupportedVersionListsEverySupportedVersion() throws {
        let error = JSONRPCError.unsupportedVersion("1.0.0")
        #expect(error.code == -32022)
        #expect(error.message == "Unsupported protocol version")
        let data = try #require(error.data)
        #expect(data["requested"] == "1.0.0")
        #expect(data["supported"] == ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"])
    }

    @Test func rendersDataOnlyWhenPresent() {
        #expect(JSONRPCError(code: 1, message: "m").json == ["code": 1, "message": "m"])
        #expect(JSONRPCError(code: 1, message: "m", data: "d").json == ["code": 1, "message": "m", "data": "d"])
    }
}

private func json(_ text: String) throws -> JSONValue {
    try JSONParser.parse(text)
}
