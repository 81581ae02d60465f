"""Raw HTTP/1.1 against the real server: every documented status code, framing and limits, timeouts,
connection cap, slow-reader protection, heartbeats, keep-alive and pipelining.

Every error answer must be a short JSON body with an `error` key (plain or JSON-RPC), and the server must keep
answering /health after each bad request.
"""

from __future__ import annotations

import json
import threading
import time

import pytest

from e2e_util import (
    KUBECONFIG, MCP_POST_HEADERS, RawConn, SSEStream, assert_health, assert_json_error, build_request, free_port, http,
    init_params, initialize, mcp_post, modern_headers, modern_meta, rpc,
)


def raw_exchange(port: int, data: bytes, timeout: float = 10.0):
    with RawConn(port, timeout) as c:
        c.send(data)
        return c.read_response(timeout)


def expect_error(r, status: int) -> dict:
    assert r.status == status, f"expected {status}, got {r!r}"
    return assert_json_error(r)


def jsonrpc_error(r, status: int, code: int | None = None) -> dict:
    doc = expect_error(r, status)
    assert doc.get("jsonrpc") == "2.0" and isinstance(doc["error"], dict), doc
    assert isinstance(doc["error"].get("code"), int) and doc["error"].get("message"), doc
    if code is not None:
        assert doc["error"]["code"] == code, doc
    return doc


# --- request line and header limits --------------------------------------------------------------------------


def test_request_line_too_long_414(server):
    path = "/health?pad=" + "a" * 9000
    r = raw_exchange(server.port, build_request("GET", path, server.port))
    expect_error(r, 414)
    assert_health(server.port)


def test_request_line_under_limit_ok(server):
    path = "/health?pad=" + "a" * 7900  # request line ~7930 bytes < 8192
    r = raw_exchange(server.port, build_request("GET", path, server.port))
    assert r.status == 200, r


def test_too_many_header_fields_431(server):
    headers = {f"X-Filler-{i}": "v" for i in range(120)}
    expect_error(raw_exchange(server.port, build_request("GET", "/health", server.port, headers)), 431)
    assert_health(server.port)


def test_header_count_under_limit_ok(server):
    headers = {f"X-Filler-{i}": "v" for i in range(90)}
    assert raw_exchange(server.port, build_request("GET", "/health", server.port, headers)).status == 200


def test_header_bytes_too_large_431(server):
    headers = {f"X-Big-{i}": "b" * 7000 for i in range(6)}  # 6 fields, ~42 KB
    expect_error(raw_exchange(server.port, build_request("GET", "/health", server.port, headers)), 431)
    assert_health(server.port)


# --- body limits and framing ---------------------------------------------------------------------------------


def _send_quietly(c: RawConn, data: bytes) -> None:
    try:
        c.sock.sendall(data)
    except OSError:
        pass  # the server may answer and close before reading the whole body


def test_content_length_over_limit_413(server):
    size = 4 * 1024 * 1024 + 1
    with RawConn(server.port, 15) as c:
        c.send(build_request("POST", "/mcp", server.port,
                             {**MCP_POST_HEADERS, "Content-Length": str(size)}))
        try:
            r = c.read_response(3)  # a good server rejects on the header alone
        except TimeoutError:
            t = threading.Thread(target=_send_quietly, args=(c, b" " * size), daemon=True)
            t.start()
            r = c.read_response(15)
    expect_error(r, 413)
    assert_health(server.port)


def test_chunked_body_over_limit_413(server):
    with RawConn(server.port, 20) as c:
        c.send(build_request("POST", "/mcp", server.port, {**MCP_POST_HEADERS, "Transfer-Encoding": "chunked"}))
        chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)

        def pump():
            for _ in range(5 * 16 + 4):  # ~5.3 MiB
                _send_quietly(c, chunk)
            _send_quietly(c, b"0\r\n\r\n")

        t = threading.Thread(target=pump, daemon=True)
        t.start()
        r = c.read_response(20)
    expect_error(r, 413)
    assert_health(server.port)


def test_large_body_under_limit_accepted(server):
    """A 1 MiB JSON body (well under 4 MiB) is read fully and answered as JSON-RPC, not rejected for size."""
    body = json.dumps(rpc(1, "initialize", {**init_params("2025-06-18"), "padding": "x" * (1 << 20)}))
    r = mcp_post(server.port, json.loads(body), timeout=20)
    assert r.status == 200, r


def test_body_arriving_in_pieces_is_awaited(server):
    """The server answers only once Content-Length bytes have arrived, however slowly they come."""
    body = json.dumps(rpc(1, "initialize", init_params("2025-06-18"))).encode()
    with RawConn(server.port) as c:
        c.send(build_request("POST", "/mcp", server.port, {**MCP_POST_HEADERS, "Content-Length": str(len(body))}))
        time.sleep(0.3)
        c.send(body[:20])
        time.sleep(0.3)
        c.send(body[20:])
        r = c.read_response(5)
    assert r.status == 200, r
    assert r.message()["result"]["protocolVersion"] == "2025-06-18"


def test_content_length_with_transfer_encoding_400(server):
    body = b'{"jsonrpc":"2.0","id":1,"method":"ping"}'
    req = build_request("POST", "/mcp", server.port, {**MCP_POST_HEADERS, "Content-Length": str(len(body)),
                                                     "Transfer-Encoding": "chunked"})
    req += b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    expect_error(raw_exchange(server.port, req), 400)
    assert_health(server.port)


def test_differing_content_lengths_400(server):
    body = b'{"jsonrpc":"2.0","id":1,"method":"ping"}'
    head = (f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nContent-Type: application/json\r\n"
            f"Accept: application/json, text/event-stream\r\nContent-Length: {len(body)}\r\n"
            f"Content-Length: {len(body) + 1}\r\n\r\n").encode()
    expect_error(raw_exchange(server.port, head + body + b" "), 400)
    assert_health(server.port)


def test_transfer_encoding_other_than_chunked_400(server):
    body = b'{"jsonrpc":"2.0","id":1,"method":"ping"}'
    req = build_request("POST", "/mcp", server.port, {**MCP_POST_HEADERS, "Transfer-Encoding": "gzip",
                                                     "Content-Length": str(len(body))}, body)
    expect_error(raw_exchange(server.port, req), 400)
    req = build_request("POST", "/mcp", server.port, {**MCP_POST_HEADERS, "Transfer-Encoding": "gzip"}, None)
    expect_error(raw_exchange(server.port, req + body), 400)
    assert_health(server.port)


def test_chunked_body_accepted(server):
    body = json.dumps(rpc(1, "initialize", init_params("2025-06-18"))).encode()
    req = build_request("POST", "/mcp", server.port, {**MCP_POST_HEADERS, "Transfer-Encoding": "chunked"})
    req += b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (10, body[:10], len(body) - 10, body[10:])
    r = raw_exchange(server.port, req)
    assert r.status == 200, r
    assert r.message()["result"]["protocolVersion"] == "2025-06-18"


def test_non_json_content_type_415(server):
    r = http(server.port, "POST", "/mcp", {"Content-Type": "text/plain", "Accept": "application/json"},
             json.dumps(rpc(1, "ping")))
    expect_error(r, 415)
    assert_health(server.port)


def test_not_acceptable_406(server):
    r = http(server.port, "POST", "/mcp", {"Content-Type": "application/json", "Accept": "text/html"},
             json.dumps(rpc(1, "initialize", init_params("2025-06-18"))))
    expect_error(r, 406)
    assert_health(server.port)


def test_invalid_json_body_400_parse_error(server):
    r = http(server.port, "POST", "/mcp", MCP_POST_HEADERS, "{not json")
    jsonrpc_error(r, 400, -32700)
    assert_health(server.port)


def test_unknown_path_404_json(server):
    expect_error(http(server.port, "GET", "/no/such/path"), 404)


def test_unsupported_method_on_mcp_405(server):
    r = http(server.port, "PUT", "/mcp", MCP_POST_HEADERS, "{}")
    expect_error(r, 405)
    assert r.header("allow"), "405 without an Allow header"


# --- sessions (Streamable HTTP) ------------------------------------------------------------------------------


def test_initialize_issues_session_id(server):
    sid, result = initialize(server.port, "2025-06-18")
    assert sid and all(0x21 <= ord(ch) <= 0x7E for ch in sid), sid
    assert result["protocolVersion"] == "2025-06-18"
    assert result["serverInfo"]["name"] == "kube-mcp"
    r = mcp_post(server.port, rpc(2, "tools/list", {}), session=sid, version="2025-06-18")
    assert r.status == 200, r
    assert {t["name"] for t in r.message()["result"]["tools"]} >= {"configuration_contexts_list", "configuration_view"}


def test_unknown_protocol_version_in_initialize_negotiates_latest(server):
    r = mcp_post(server.port, rpc(1, "initialize", init_params("1999-01-01")))
    assert r.status == 200, r
    assert r.message()["result"]["protocolVersion"] == "2025-11-25"


def test_missing_session_400(server):
    initialize(server.port, "2025-06-18")
    r = mcp_post(server.port, rpc(2, "tools/list", {}), version="2025-06-18")
    jsonrpc_error(r, 400)
    assert_health(server.port)


def test_unknown_session_404(server):
    r = mcp_post(server.port, rpc(2, "tools/list", {}), session="0123456789abcdef0123456789abcdef",
                 version="2025-06-18")
    jsonrpc_error(r, 404)
    assert_health(server.port)


def test_delete_ends_session_then_404(server):
    sid, _ = initialize(server.port, "2025-06-18")
    r = http(server.port, "DELETE", "/mcp", {"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-06-18"})
    assert r.status in (200, 204), r
    r = mcp_post(server.port, rpc(2, "tools/list", {}), session=sid, version="2025-06-18")
    jsonrpc_error(r, 404)
    r = http(server.port, "DELETE", "/mcp", {"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-06-18"})
    expect_error(r, 404)
    assert_health(server.port)


@pytest.mark.parametrize("bad", ["invalid-protocol-version", "1999-01-01", "2099-01-01"])
def test_bad_protocol_version_header_400(server, bad):
    sid, _ = initialize(server.port, "2025-06-18")
    r = mcp_post(server.port, rpc(2, "tools/list", {}), session=sid, version=bad)
    jsonrpc_error(r, 400)
    assert_health(server.port)


def test_bad_protocol_version_header_before_initialize_400(server):
    r = mcp_post(server.port, rpc(1, "initialize", init_params("2025-06-18")), version="invalid-protocol-version")
    jsonrpc_error(r, 400)


@pytest.mark.parametrize("version", ["2025-06-18", "2025-11-25"])
def test_batch_rejected_after_2025_03_26(server, version):
    sid, _ = initialize(server.port, version)
    r = mcp_post(server.port, [rpc(10, "ping"), rpc(11, "tools/list", {})], session=sid, version=version)
    jsonrpc_error(r, 400)
    assert_health(server.port)


def test_batch_accepted_on_2025_03_26(server):
    sid, result = initialize(server.port, "2025-03-26")
    assert result["protocolVersion"] == "2025-03-26"
    r = mcp_post(server.port, [rpc(10, "ping"), rpc(11, "tools/list", {})], session=sid)
    assert r.status == 200, r
    by_id = {m["id"]: m for m in r.messages() if "id" in m}
    assert by_id[10]["result"] == {}, by_id
    assert {t["name"] for t in by_id[11]["result"]["tools"]} >= {"configuration_contexts_list"}


def test_notification_only_batch_on_2025_03_26_is_202(server):
    sid, _ = initialize(server.port, "2025-03-26")
    r = mcp_post(server.port, [rpc(None, "notifications/initialized")], session=sid)
    assert r.status == 202, r


def test_get_stream_opens_for_session(server):
    sid, _ = initialize(server.port, "2025-06-18")
    s = SSEStream(server.port, "/mcp", {"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-06-18"}, timeout=5)
    try:
        assert s.status == 200, (s.status, s.headers)
        assert dict((k.lower(), v) for k, v in s.headers)["content-type"].startswith("text/event-stream")
    finally:
        s.close()


# --- security ------------------------------------------------------------------------------------------------


def test_bad_host_403(server):
    for path, method, body in [("/mcp", "POST", json.dumps(rpc(1, "initialize", init_params("2025-06-18")))),
                               ("/mcp/sse", "GET", None)]:
        h = {"Host": "evil.example.com"}
        if body:
            h.update(MCP_POST_HEADERS)
        expect_error(http(server.port, method, path, h, body), 403)
    assert_health(server.port)


def test_bad_origin_403(server):
    r = http(server.port, "POST", "/mcp", {**MCP_POST_HEADERS, "Origin": "http://evil.example.com"},
             json.dumps(rpc(1, "initialize", init_params("2025-06-18"))))
    expect_error(r, 403)
    r = http(server.port, "GET", "/mcp/sse", {"Accept": "text/event-stream", "Origin": "http://evil.example.com"})
    expect_error(r, 403)
    assert_health(server.port)


def test_localhost_host_header_allowed(server):
    for host in (f"localhost:{server.port}", f"127.0.0.1:{server.port}"):
        r = mcp_post(server.port, rpc(1, "initialize", init_params("2025-06-18")), headers={"Host": host})
        assert r.status == 200, (host, r)


def test_allowed_host_and_origin_flags(start_server):
    s = start_server("--allowed-host", "mcp.internal", "--allowed-origin", "https://app.example")
    init = json.dumps(rpc(1, "initialize", init_params("2025-06-18")))
    r = http(s.port, "POST", "/mcp", {**MCP_POST_HEADERS, "Host": "mcp.internal"}, init)
    assert r.status == 200, r
    r = http(s.port, "POST", "/mcp", {**MCP_POST_HEADERS, "Origin": "https://app.example"}, init)
    assert r.status == 200, r
    expect_error(http(s.port, "POST", "/mcp", {**MCP_POST_HEADERS, "Host": "evil.example.com"}, init), 403)
    expect_error(http(s.port, "POST", "/mcp", {**MCP_POST_HEADERS, "Origin": "https://evil.example"}, init), 403)


AUTH_TOKENS = ("e2e-bearer-token-one-5b0c7d", "e2e-bearer-token-two-91af3e")


@pytest.fixture
def auth_server(start_server, tmp_path):
    tf = tmp_path / "tokens.txt"
    tf.write_text("\n".join(AUTH_TOKENS) + "\n")
    return start_server("--auth-token-file", str(tf), "--log-level", "debug",
                        health_headers={"Authorization": f"Bearer {AUTH_TOKENS[1]}"}, extra_secrets=AUTH_TOKENS)


def test_auth_missing_token_401(auth_server):
    init = json.dumps(rpc(1, "initialize", init_params("2025-06-18")))
    r = http(auth_server.port, "POST", "/mcp", MCP_POST_HEADERS, init)
    expect_error(r, 401)
    assert (r.header("www-authenticate") or "").lower().startswith("bearer"), r
    for method, path in (("GET", "/mcp/sse"), ("GET", "/sse"), ("POST", "/mcp/tools/list"), ("GET", "/mcp/resources")):
        r = http(auth_server.port, method, path, {"Accept": "text/event-stream, application/json",
                                                  "Content-Type": "application/json"}, "{}" if method == "POST" else None)
        expect_error(r, 401)
        assert (r.header("www-authenticate") or "").lower().startswith("bearer"), (path, r)


def test_auth_wrong_token_401(auth_server):
    init = json.dumps(rpc(1, "initialize", init_params("2025-06-18")))
    for value in ("Bearer not-the-token", f"Basic {AUTH_TOKENS[0]}", f"Bearer {AUTH_TOKENS[0]}x", "Bearer"):
        r = http(auth_server.port, "POST", "/mcp", {**MCP_POST_HEADERS, "Authorization": value}, init)
        expect_error(r, 401)
        assert (r.header("www-authenticate") or "").lower().startswith("bearer"), r


def test_auth_right_token_200(auth_server):
    for token in AUTH_TOKENS:
        headers = {"Authorization": f"Bearer {token}"}
        sid, result = initialize(auth_server.port, "2025-06-18", headers=headers)
        assert result["serverInfo"]["name"] == "kube-mcp"
        r = mcp_post(auth_server.port, rpc(2, "tools/call", {"name": "configuration_contexts_list", "arguments": {}}),
                     session=sid, version="2025-06-18", headers=headers)
        assert r.status == 200, r
        assert "kind-dev" in json.dumps(r.message()["result"])
    assert_health(auth_server.port, {"Authorization": f"Bearer {AUTH_TOKENS[0]}"})


def test_probes_need_no_token(auth_server):
    """/health and /ready stay open for orchestrator probes (the Docker HEALTHCHECK relies on it)."""
    assert http(auth_server.port, "GET", "/health").status == 200
    assert http(auth_server.port, "GET", "/ready").status == 200
    expect_error(http(auth_server.port, "GET", "/"), 401)


@pytest.mark.parametrize("how", ["flag", "env"])
def test_non_loopback_without_auth_refuses_to_start(start_server, how):
    if how == "flag":
        s = start_server("--host", "0.0.0.0", wait=False, check_exit=False)
    else:
        s = start_server(wait=False, check_exit=False, standard_flags=False,
                         env={"MCP_HOST": "0.0.0.0", "MCP_PORT": str(free_port()),
                              "K8S_KUBECONFIG_PATH": str(KUBECONFIG)})
    try:
        rc = s.wait(timeout=10)
    except Exception:
        s.kill()
        raise AssertionError("server bound a non-loopback address without auth and kept running")
    assert rc != 0, "refusal must exit non-zero"
    assert s.stderr().strip(), "refusal must explain itself on stderr"
    assert s.stdout().strip() == ""


# --- stateless mode ------------------------------------------------------------------------------------------


def test_stateless_get_and_delete_405(stateless_server):
    port = stateless_server.port
    r = http(port, "GET", "/mcp", {"Accept": "text/event-stream"})
    expect_error(r, 405)
    assert r.header("allow"), r
    r = http(port, "DELETE", "/mcp", {"Mcp-Session-Id": "whatever"})
    expect_error(r, 405)
    assert_health(port)


def test_stateless_no_session_ids(stateless_server):
    port = stateless_server.port
    r = mcp_post(port, rpc(1, "initialize", init_params("2025-06-18")))
    assert r.status == 200, r
    assert r.header("mcp-session-id") is None, "stateless mode issued a session id"
    r = mcp_post(port, rpc(2, "tools/call", {"name": "configuration_contexts_list", "arguments": {}}),
                 version="2025-06-18")
    assert r.status == 200, r
    assert r.header("mcp-session-id") is None
    assert r.message()["result"]["structuredContent"]["currentContext"] == "kind-dev"


# --- modern 2026-07-28 path ----------------------------------------------------------------------------------


def modern_post(port, msg, **hdr):
    return http(port, "POST", "/mcp", modern_headers(**hdr), json.dumps(msg))


def test_modern_server_discover(server):
    r = modern_post(server.port, rpc(1, "server/discover", {"_meta": modern_meta()}), method="server/discover")
    assert r.status == 200, r
    assert r.header("mcp-session-id") is None, "the modern path has no sessions"
    res = r.message()["result"]
    assert "2026-07-28" in res["supportedVersions"], res
    assert res["resultType"] == "complete"
    assert "tools" in res["capabilities"]
    assert isinstance(res["ttlMs"], int) and res["ttlMs"] >= 0 and res["cacheScope"] in ("public", "private")


def test_modern_tools_call(server):
    params = {"name": "configuration_contexts_list", "arguments": {}, "_meta": modern_meta()}
    r = modern_post(server.port, rpc(3, "tools/call", params), method="tools/call", name="configuration_contexts_list")
    assert r.status == 200, r
    res = r.message()["result"]
    assert res["resultType"] == "complete"
    assert res["structuredContent"]["currentContext"] == "kind-dev"


def test_modern_method_header_mismatch_32020(server):
    r = modern_post(server.port, rpc(4, "tools/list", {"_meta": modern_meta()}), method="prompts/list")
    jsonrpc_error(r, 400, -32020)
    assert_health(server.port)


def test_modern_missing_method_header_32020(server):
    h = modern_headers("tools/list")
    del h["Mcp-Method"]
    r = http(server.port, "POST", "/mcp", h, json.dumps(rpc(5, "tools/list", {"_meta": modern_meta()})))
    jsonrpc_error(r, 400, -32020)


def test_modern_name_header_mismatch_32020(server):
    params = {"name": "configuration_view", "arguments": {}, "_meta": modern_meta()}
    r = modern_post(server.port, rpc(6, "tools/call", params), method="tools/call", name="configuration_contexts_list")
    jsonrpc_error(r, 400, -32020)
    r = modern_post(server.port, rpc(7, "tools/call", params), method="tools/call")  # Mcp-Name missing
    jsonrpc_error(r, 400, -32020)


def test_modern_unsupported_version_32022(server):
    meta = {**modern_meta(), "io.modelcontextprotocol/protocolVersion": "2099-01-01"}
    r = modern_post(server.port, rpc(8, "server/discover", {"_meta": meta}), method="server/discover",
                    version="2099-01-01")
    doc = jsonrpc_error(r, 400, -32022)
    assert "2026-07-28" in doc["error"]["data"]["supported"], doc


def test_modern_unknown_method_404_with_32601(server):
    r = modern_post(server.port, rpc(9, "nope/unknown", {"_meta": modern_meta()}), method="nope/unknown")
    doc = jsonrpc_error(r, 404, -32601)
    assert doc["id"] == 9


def test_modern_missing_meta_400(server):
    r = modern_post(server.port, rpc(10, "tools/list", {}), method="tools/list")
    jsonrpc_error(r, 400, -32602)


def test_modern_get_and_delete_405(server):
    for method in ("GET", "DELETE"):
        r = http(server.port, method, "/mcp", {"Accept": "text/event-stream", "MCP-Protocol-Version": "2026-07-28"})
        expect_error(r, 405)


# --- legacy HTTP+SSE -----------------------------------------------------------------------------------------


def open_legacy(port: int, path: str = "/mcp/sse", **kw) -> tuple[SSEStream, str]:
    s = SSEStream(port, path, **kw)
    assert s.status == 200, (s.status, s.headers)
    ev = s.next_event(5)
    assert ev.event == "endpoint", ev
    return s, ev.data


def test_legacy_endpoint_event_and_message_roundtrip(server):
    s, endpoint = open_legacy(server.port)
    try:
        assert endpoint.startswith("/mcp/messages?sessionId="), endpoint
        r = http(server.port, "POST", endpoint, {"Content-Type": "application/json"},
                 json.dumps(rpc(1, "initialize", init_params("2024-11-05"))))
        assert r.status == 202, r
        ev = s.next_event(5)
        assert ev.event == "message", ev
        msg = json.loads(ev.data)
        assert msg["id"] == 1 and msg["result"]["protocolVersion"] == "2024-11-05", msg
    finally:
        s.close()


def test_legacy_alias_paths_and_session_id_param(server):
    s, endpoint = open_legacy(server.port, "/sse")
    try:
        assert endpoint.startswith("/") and "essionId=" in endpoint, endpoint
        sid = endpoint.split("essionId=", 1)[1]
        # No initialize first: served as 2024-11-05 with defaults.
        for i, target in enumerate((f"/messages?sessionId={sid}", f"/messages?session_id={sid}",
                                    f"/mcp/messages?session_id={sid}"), start=1):
            r = http(server.port, "POST", target, {"Content-Type": "application/json"},
                     json.dumps(rpc(i, "tools/list", {})))
            assert r.status == 202, (target, r)
            msg = json.loads(s.next_event(5).data)
            assert msg["id"] == i and {t["name"] for t in msg["result"]["tools"]} >= {"configuration_view"}, msg
    finally:
        s.close()


def test_legacy_post_unknown_session_404_missing_400(server):
    body = json.dumps(rpc(1, "ping"))
    expect_error(http(server.port, "POST", "/mcp/messages?sessionId=deadbeefdeadbeefdeadbeefdeadbeef",
                      {"Content-Type": "application/json"}, body), 404)
    expect_error(http(server.port, "POST", "/mcp/messages", {"Content-Type": "application/json"}, body), 400)
    expect_error(http(server.port, "POST", "/messages", {"Content-Type": "application/json"}, body), 400)
    assert_health(server.port)


def test_legacy_post_invalid_json_400(server):
    s, endpoint = open_legacy(server.port)
    try:
        r = http(server.port, "POST", endpoint, {"Content-Type": "application/json"}, "{not json")
        expect_error(r, 400)
        r = http(server.port, "POST", endpoint, {"Content-Type": "text/plain"}, json.dumps(rpc(1, "ping")))
        expect_error(r, 415)
        r = http(server.port, "POST", endpoint, {"Content-Type": "application/json"}, json.dumps(rpc(2, "ping")))
        assert r.status == 202, r  # the session survived the bad posts
        assert json.loads(s.next_event(5).data)["id"] == 2
    finally:
        s.close()


def test_legacy_heartbeat_comments(start_server):
    s = start_server("--heartbeat-interval", "1")
    stream, _ = open_legacy(s.port)
    try:
        stream.read_for(3.3)
        assert len(stream.comments) >= 2, f"expected >=2 ':' comment lines in 3.3 s, got {stream.comments!r}"
        assert all(c.startswith(":") for c in stream.comments)
    finally:
        stream.close()


def test_streamable_get_stream_heartbeat_comments(start_server):
    s = start_server("--heartbeat-interval", "1")
    sid, _ = initialize(s.port, "2025-06-18")
    stream = SSEStream(s.port, "/mcp", {"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-06-18"})
    try:
        assert stream.status == 200
        stream.read_for(3.3)
        assert len(stream.comments) >= 2, f"expected >=2 ':' comment lines in 3.3 s, got {stream.comments!r}"
    finally:
        stream.close()


# --- connection management -----------------------------------------------------------------------------------


def test_keep_alive_and_pipelining(server):
    with RawConn(server.port) as c:
        c.send(build_request("GET", "/health", server.port) + build_request("GET", "/", server.port))
        first = c.read_response(5)
        second = c.read_response(5)
        assert first.status == 200 and first.json()["status"] == "ok", first
        assert second.status == 200 and second.json()["name"] == "kube-mcp", second
        # the connection is still usable afterwards, with a POST pipelined before a GET
        c.send(build_request("POST", "/mcp/tools/list", server.port, {"Content-Type": "application/json"}, "{}")
               + build_request("GET", "/health", server.port))
        third = c.read_response(5)
        fourth = c.read_response(5)
        assert third.status == 200 and "tools" in third.json(), third
        assert fourth.status == 200 and fourth.json()["status"] == "ok", fourth


def test_pipelined_error_then_request(server):
    """A rejected request (bad JSON) does not desynchronise the connection for the next pipelined one."""
    with RawConn(server.port) as c:
        c.send(build_request("POST", "/mcp", server.port, MCP_POST_HEADERS, "{oops")
               + build_request("GET", "/health", server.port))
        first = c.read_response(5)
        assert first.status == 400, first
        try:
            second = c.read_response(5)
        except Exception:
            second = None  # closing after an error is allowed; then a new connection must work
        if second is not None:
            assert second.status == 200, second
    assert_health(server.port)


def test_header_read_timeout_closes_connection(start_server):
    s = start_server("--header-timeout", "1")
    with RawConn(s.port) as c:
        c.send(f"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{s.port}\r\n".encode())  # headers never finish
        t0 = time.monotonic()
        closed, got = c.wait_closed(6)
        elapsed = time.monotonic() - t0
    assert closed, "connection with incomplete headers was not closed"
    assert 0.5 <= elapsed <= 4.5, f"closed after {elapsed:.2f}s with --header-timeout 1"
    if got:
        assert got.startswith(b"HTTP/1.1 408"), got[:100]
    with RawConn(s.port) as c:  # silent connection
        t0 = time.monotonic()
        closed, _ = c.wait_closed(6)
        assert closed and time.monotonic() - t0 <= 4.5
    assert_health(s.port)


def test_idle_keep_alive_timeout(start_server):
    s = start_server("--idle-timeout", "1")
    with RawConn(s.port) as c:
        c.send(build_request("GET", "/health", s.port))
        assert c.read_response(5).status == 200
        time.sleep(0.3)
        c.send(build_request("GET", "/health", s.port))  # still open shortly after
        assert c.read_response(5).status == 200
        t0 = time.monotonic()
        closed, got = c.wait_closed(6)
        elapsed = time.monotonic() - t0
    assert closed and got == b"", (closed, got[:100])
    assert 0.5 <= elapsed <= 4.5, f"idle connection closed after {elapsed:.2f}s with --idle-timeout 1"
    assert_health(s.port)


def test_idle_timeout_does_not_cut_sse_streams(start_server):
    s = start_server("--idle-timeout", "1", "--heartbeat-interval", "1")
    stream, endpoint = open_legacy(s.port)
    try:
        stream.read_for(2.5)
        assert not stream.eof, "an open SSE stream was closed by the idle timeout"
        r = http(s.port, "POST", endpoint, {"Content-Type": "application/json"}, json.dumps(rpc(1, "ping")))
        assert r.status == 202
        assert json.loads(stream.next_event(5).data)["id"] == 1
    finally:
        stream.close()


@pytest.mark.parametrize("path", ["/mcp/sse", "/mcp"])
def test_writing_to_a_vanished_client_does_not_kill_the_server(start_server, path):
    """Heartbeats to a stream whose client went away hit EPIPE; that must close the stream, not raise SIGPIPE."""
    s = start_server("--heartbeat-interval", "1", check_exit=False)
    headers = {}
    if path == "/mcp":
        sid, _ = initialize(s.port, "2025-06-18")
        headers = {"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-06-18"}
    stream = SSEStream(s.port, path, headers)
    assert stream.status == 200
    stream.close()  # FIN now; the next write gets RST, the one after it EPIPE
    time.sleep(3.5)
    assert s.proc.poll() is None, f"server died with {s.proc.returncode} (-13 = SIGPIPE) after a client vanished"
    assert_health(s.port)
    s.check_clean_exit()


def test_max_connections_503(start_server):
    s = start_server("--max-connections", "5")
    conns = []
    try:
        for _ in range(5):
            c = RawConn(s.port)
            c.send(build_request("GET", "/health", s.port))
            assert c.read_response(5).status == 200
            conns.append(c)
        with RawConn(s.port) as extra:
            try:
                extra.send(build_request("GET", "/health", s.port))
            except OSError:
                pass
            r = extra.read_response(5)
        expect_error(r, 503)
    finally:
        for c in conns:
            c.close()
    deadline = time.monotonic() + 3
    while True:
        try:
            assert_health(s.port)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def big_kubeconfig(path, n: int = 300):
    lines = ["apiVersion: v1", "kind: Config", "current-context: ctx-0000", "clusters:"]
    for i in range(n):
        lines += [f"- name: cluster-{i:04d}", "  cluster:", f"    server: https://cluster-{i:04d}.example:6443"]
    lines.append("users:")
    for i in range(n):
        lines += [f"- name: user-{i:04d}", "  user:", f"    token: fake-token-{i:04d}"]
    lines.append("contexts:")
    for i in range(n):
        lines += [f"- name: ctx-{i:04d}", "  context:", f"    cluster: cluster-{i:04d}", f"    user: user-{i:04d}",
                  f"    namespace: namespace-{i:04d}"]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.slow
def test_slow_sse_reader_is_disconnected(start_server, tmp_path):
    queue = 65536
    kc = big_kubeconfig(tmp_path / "big.yaml")
    s = start_server("--stream-queue-bytes", str(queue), kubeconfig=kc)
    sample = http(s.port, "POST", "/mcp/tools/call", {"Content-Type": "application/json"},
                  json.dumps({"name": "configuration_contexts_list", "arguments": {}}))
    assert sample.status == 200, sample
    per_answer = len(sample.body)
    assert per_answer > 20000, per_answer
    stream, endpoint = open_legacy(s.port, rcvbuf=4096)
    try:
        # Never read from `stream` while answers pile up: kernel buffers (<= 4 MiB send + small receive) fill,
        # then the server's per-stream queue, which must not grow past --stream-queue-bytes.
        budget = 4 * 1024 * 1024 * 3 + queue
        posted, rejected, t0 = 0, None, time.monotonic()
        body = json.dumps(rpc(1, "tools/call", {"name": "configuration_contexts_list", "arguments": {}}))
        with RawConn(s.port, 10) as poster:
            while posted * per_answer < budget and time.monotonic() - t0 < 40:
                try:
                    poster.send(build_request("POST", endpoint, s.port, {"Content-Type": "application/json"}, body))
                    r = poster.read_response(10)
                except (OSError, TimeoutError):
                    rejected = "connection error"
                    break
                if r.status != 202:
                    rejected = r.status
                    break
                posted += 1
        # Answers are produced off the loop, so some may still be coming: give the server time to queue them
        # (the disconnect is logged) before reading, which would empty the queue.
        deadline = time.monotonic() + 15
        while "slow_reader_disconnected" not in s.stderr() and time.monotonic() < deadline:
            time.sleep(0.05)
        closed = stream.drain_until_end(15)
        assert closed, (f"slow SSE reader was never disconnected: posted {posted} answers of {per_answer} bytes "
                        f"(~{posted * per_answer >> 20} MiB) with --stream-queue-bytes {queue}")
        assert rejected is None or rejected in (404, "connection error"), rejected
    finally:
        stream.close()
    assert_health(s.port)
