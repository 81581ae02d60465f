"""The prototype-compatible REST endpoints, the index document, health/readiness, and env configuration."""

from __future__ import annotations

import json
import urllib.parse

from checks import check_contexts_result, check_tools, check_view_result
from e2e_util import KUBECONFIG, assert_json_error, free_port, http, initialize, mcp_post, rpc


def test_index_document(server):
    r = http(server.port, "GET", "/")
    assert r.status == 200, r
    assert r.content_type == "application/json", r
    doc = r.json()
    assert doc["name"] == "kube-mcp"
    assert isinstance(doc["version"], str) and doc["version"]
    transports = doc["transports"]
    assert isinstance(transports, dict) and transports, doc
    urls = [v for v in transports.values() if isinstance(v, str)]
    assert any(u.rstrip("/").endswith("/mcp") for u in urls), transports
    assert any(u.endswith("/sse") for u in urls), transports
    listed = http(server.port, "POST", "/mcp/tools/list", {"Content-Type": "application/json"}, "{}").json()
    assert doc["tools"] == len(listed["tools"]) >= 2, (doc["tools"], len(listed["tools"]))


def test_health_and_ready(server):
    r = http(server.port, "GET", "/health")
    assert r.status == 200 and r.content_type == "application/json" and r.json() == {"status": "ok"}, r
    r = http(server.port, "GET", "/ready")
    assert r.status == 200, r


def test_rest_tools_list(server):
    r = http(server.port, "POST", "/mcp/tools/list", {"Content-Type": "application/json"}, "{}")
    assert r.status == 200 and r.content_type == "application/json", r
    check_tools(r.json()["tools"])


def test_rest_tools_list_matches_mcp_tools_list(server):
    rest = http(server.port, "POST", "/mcp/tools/list", {"Content-Type": "application/json"}, "{}").json()["tools"]
    sid, _ = initialize(server.port, "2025-11-25")
    mcp = mcp_post(server.port, rpc(2, "tools/list", {}), session=sid, version="2025-11-25").message()["result"]
    assert [t["name"] for t in rest] == [t["name"] for t in mcp["tools"]]


def test_rest_tools_call(server):
    def call(name, arguments):
        r = http(server.port, "POST", "/mcp/tools/call", {"Content-Type": "application/json"},
                 {"name": name, "arguments": arguments})
        assert r.status == 200 and r.content_type == "application/json", r
        return r.json()

    check_contexts_result(call("configuration_contexts_list", {}))
    check_view_result(call("configuration_view", {}), minified=True)
    check_view_result(call("configuration_view", {"minified": True}), minified=True)
    check_view_result(call("configuration_view", {"minified": False}), minified=False)


def test_rest_tools_call_unknown_tool(server):
    r = http(server.port, "POST", "/mcp/tools/call", {"Content-Type": "application/json"},
             {"name": "no_such_tool", "arguments": {}})
    assert r.status < 500, r
    doc = r.json()
    assert doc.get("isError") is True or "error" in doc, doc


def test_rest_tools_call_bad_body(server):
    r = http(server.port, "POST", "/mcp/tools/call", {"Content-Type": "application/json"}, "{nope")
    assert r.status == 400, r
    assert_json_error(r)
    r = http(server.port, "POST", "/mcp/tools/call", {"Content-Type": "application/json"}, {"arguments": {}})
    assert r.status == 400, r
    assert_json_error(r)


def test_rest_resources(server):
    r = http(server.port, "GET", "/mcp/resources")
    assert r.status == 200 and r.content_type == "application/json", r
    doc = r.json()
    assert isinstance(doc.get("resources"), list), doc
    for res in doc["resources"][:3]:
        uri = urllib.parse.quote(res["uri"], safe="")
        one = http(server.port, "GET", f"/mcp/resources/{uri}")
        assert one.status == 200, (res["uri"], one)
        json.loads(one.body)
    missing = http(server.port, "GET", "/mcp/resources/" + urllib.parse.quote("k8s://no-such-context/default/pods/x",
                                                                              safe=""))
    assert missing.status == 404, missing
    assert_json_error(missing)
    # A k8s:// URI that fits none of the forms is a bad request, not a missing resource.
    malformed = http(server.port, "GET", "/mcp/resources/" + urllib.parse.quote("k8s://no/such/thing", safe=""))
    assert malformed.status == 400, malformed
    assert_json_error(malformed)


def test_http_mode_writes_nothing_to_stdout(server):
    http(server.port, "GET", "/")
    http(server.port, "POST", "/mcp/tools/call", {"Content-Type": "application/json"},
         {"name": "configuration_contexts_list", "arguments": {}})
    assert server.stdout() == "", f"HTTP mode wrote to stdout (logs belong on stderr): {server.stdout()[:300]!r}"


def test_configuration_from_environment(start_server):
    port = free_port()
    s = start_server(standard_flags=False, port=port,
                     env={"MCP_HOST": "127.0.0.1", "MCP_PORT": str(port), "K8S_KUBECONFIG_PATH": str(KUBECONFIG),
                          "MCP_DEBUG": "1"})
    r = http(s.port, "POST", "/mcp/tools/call", {"Content-Type": "application/json"},
             {"name": "configuration_contexts_list", "arguments": {}})
    assert r.status == 200, r
    check_contexts_result(r.json())
    assert s.stderr().strip(), "MCP_DEBUG=1 should produce debug logs on stderr"


def test_flags_override_environment(start_server):
    port = free_port()
    s = start_server(port=port, env={"MCP_PORT": str(free_port()), "K8S_KUBECONFIG_PATH": "/nonexistent/kubeconfig"})
    r = http(s.port, "POST", "/mcp/tools/call", {"Content-Type": "application/json"},
             {"name": "configuration_contexts_list", "arguments": {}})
    assert r.status == 200, r
    check_contexts_result(r.json())


def test_context_flag_and_env_select_the_context_in_use(start_server):
    for s in (start_server("--context", "prod"),
              start_server(env={"K8S_CONTEXT": "prod"})):
        call = lambda name, args: http(s.port, "POST", "/mcp/tools/call", {"Content-Type": "application/json"},  # noqa: E731
                                       {"name": name, "arguments": args}).json()
        check_contexts_result(call("configuration_contexts_list", {}), expect_current="prod")
        check_view_result(call("configuration_view", {}), minified=True, context="prod")
