"""Server-initiated messages: list changes after SIGHUP on both stream kinds, progress and log notifications
inside a POST's SSE response, and logging/setLevel validation."""
import json
import signal

from e2e_util import SSEStream, initialize, mcp_post, rpc, parse_sse


def test_sighup_sends_tools_list_changed_on_every_stream(server):
    sid, _ = initialize(server.port, "2025-06-18")
    get_stream = SSEStream(server.port, "/mcp", {"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-06-18"})
    legacy = SSEStream(server.port, "/mcp/sse")
    try:
        assert get_stream.status == 200 and legacy.status == 200
        assert legacy.next_event(5).event == "endpoint"
        server.proc.send_signal(signal.SIGHUP)
        for stream in (get_stream, legacy):
            ev = stream.next_event(5)
            assert ev.event == "message", ev
            assert json.loads(ev.data) == {"jsonrpc": "2.0", "method": "notifications/tools/list_changed"}
        # Still serving, and the tools are still there after the reload.
        r = mcp_post(server.port, rpc(2, "tools/list"), session=sid, version="2025-06-18")
        assert {t["name"] for t in r.message()["result"]["tools"]} >= {"configuration_view"}
    finally:
        get_stream.close()
        legacy.close()


def test_progress_and_logs_stream_in_the_post_response(server):
    sid, _ = initialize(server.port, "2025-11-25")
    r = mcp_post(server.port, rpc(5, "logging/setLevel", {"level": "info"}), session=sid, version="2025-11-25")
    assert r.message()["result"] == {}
    call = rpc(6, "tools/call", {"name": "configuration_view", "arguments": {}, "_meta": {"progressToken": "tok"}})
    r = mcp_post(server.port, call, session=sid, version="2025-11-25")
    assert r.status == 200
    assert r.header("content-type").startswith("text/event-stream"), r.headers
    msgs = [json.loads(e.data) for e in parse_sse(r.body.decode()) if e.event == "message"]
    progress = [m["params"] for m in msgs if m.get("method") == "notifications/progress"]
    assert [p["progress"] for p in progress] == [1, 2, 3] and all(p["progressToken"] == "tok" for p in progress)
    assert any(m.get("method") == "notifications/message" and m["params"]["level"] == "info" for m in msgs)
    assert msgs[-1]["id"] == 6 and msgs[-1]["result"]["isError"] is False


def test_without_progress_token_the_answer_is_plain_json(server):
    sid, _ = initialize(server.port, "2025-11-25")
    r = mcp_post(server.port, rpc(7, "tools/call", {"name": "configuration_view", "arguments": {}}),
                 session=sid, version="2025-11-25")
    assert r.header("content-type").startswith("application/json")
    assert r.message()["result"]["isError"] is False


def test_set_level_rejects_unknown_level(server):
    sid, _ = initialize(server.port, "2025-06-18")
    r = mcp_post(server.port, rpc(8, "logging/setLevel", {"level": "loud"}), session=sid, version="2025-06-18")
    assert r.message()["error"]["code"] == -32602
