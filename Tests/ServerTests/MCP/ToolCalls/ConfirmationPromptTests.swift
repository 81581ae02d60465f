import Testing
@testable import Server

/// `ConfirmationPrompt` and `ElicitationSupport`: what the user is asked and how answers are read.
@Suite struct ConfirmationPromptTests {
    @Test func messageNamesToolAndArguments() {
        let text = ConfirmationPrompt.message(tool: "pods_delete",
                                              arguments: JSONObject([("name", "web-1"), ("namespace", "default")]))
        #expect(text
                == "kube-mcp wants to run pods_delete (destructive) with {name: web-1, namespace: default}. Allow?")
        #expect(ConfirmationPrompt.message(tool: "x", arguments: JSONObject()).contains("without arguments"))
    }

    @Test func longArgumentsAreCut() {
        let text = ConfirmationPrompt.message(
            tool: "resources_create_or_update",
            arguments: JSONObject([("yaml", .string(String(repeating: "a", count: 5000))), ("dryRun", false)]))
        #expect(text.count < 800)
        #expect(text.contains("…"))
    }

    @Test func paramsAreAOneBooleanForm() {
        let params = ConfirmationPrompt.elicitationParams(tool: "pods_delete", arguments: JSONObject(),
                                                          includeMode: true)
        #expect(params["mode"] == "form")
        #expect(params["requestedSchema"]?["properties"]?["confirm"]?["type"] == "boolean")
        #expect(params["requestedSchema"]?["required"] == ["confirm"])
        let old = ConfirmationPrompt.elicitationParams(tool: "pods_delete", arguments: JSONObject(), includeMode: false)
        #expect(old["mode"] == nil)
    }

    @Test func onlyAcceptWithConfirmTrueConfirms() {
        #expect(ConfirmationPrompt.verdict(elicitResult: ["action": "accept", "content": ["confirm": true]], tool: "t")
                == .confirmed)
        for answer: JSONValue in [["action": "accept", "content": ["confirm": false]], ["action": "accept"],
                                  ["action": "accept", "content": ["confirm": "true"]], ["action": "decline"],
                                  ["action": "cancel"], [:], "yes"] {
            guard case .refused(let text) = ConfirmationPrompt.verdict(elicitResult: answer, tool: "t") else {
                Issue.record("\(answer) confirmed")
                continue
            }
            #expect(text.hasPrefix("not confirmed"))
        }
        guard case .refused(let declined) = ConfirmationPrompt.verdict(elicitResult: ["action": "decline"], tool: "t")
        else { return }
        #expect(declined.contains("the user declined"))
    }

    @Test func everyOtherEndingIsARefusal() {
        for answer in [ClientAnswer.timedOut, .cancelled, .notSent,
                       .error(JSONRPCError(code: -32600, message: "Elicitation not supported"))] {
            #expect(ConfirmationPrompt.verdict(answer: answer, tool: "t") != .confirmed)
        }
        guard case .refused(let text) = ConfirmationPrompt.verdict(answer: .timedOut, tool: "t") else { return }
        #expect(text.contains("120 s"))
    }

    @Test func elicitationSupportFromCapabilities() {
        #expect(ElicitationSupport(capability: nil) == .none)
        #expect(ElicitationSupport(capability: [:]) == .form)
        #expect(ElicitationSupport(capability: ["form": [:]]) == .form)
        #expect(ElicitationSupport(capability: ["form": [:], "url": [:]]) == .form)
        #expect(ElicitationSupport(capability: ["url": [:]]) == .none)
        #expect(ElicitationSupport(capability: true) == .none)
    }

    @Test func fallbackRefusalSaysHowToChangeIt() {
        let text = ConfirmationPrompt.fallbackRefusal(tool: "pods_delete", reason: "this client did not declare it")
        #expect(text.contains("--confirm-fallback deny"))
        #expect(text.contains("--confirm-fallback allow"))
        #expect(text.contains("MCP_CONFIRM_FALLBACK=allow"))
    }
}
