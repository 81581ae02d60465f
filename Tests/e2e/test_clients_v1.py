"""The 1.x-era clients (mcp 1.30, fastmcp 3.x, mcp-proxy 0.13) against the real server.

They live in .venv-v1, so each case runs v1_clients.py with that interpreter and checks its JSON report with
the same rules as the 2.x tests.
"""

from __future__ import annotations

import pytest

from checks import check_report, run_v1


@pytest.mark.parametrize("path", ["/mcp/sse", "/sse"])
def test_v1_sse_client(server, path):
    check_report(run_v1("sse", f"{server.base}{path}"))


def test_v1_streamablehttp_client(server):
    report = run_v1("streamablehttp", f"{server.base}/mcp")
    check_report(report)
    assert report["sessionId"], "no Mcp-Session-Id issued in stateful mode"


def test_v1_streamable_http_client(server):
    report = run_v1("streamable_http", f"{server.base}/mcp")
    check_report(report)
    assert report["sessionId"]


def test_v1_streamable_http_client_stateless(stateless_server):
    report = run_v1("streamable_http", f"{stateless_server.base}/mcp")
    check_report(report)
    assert report["sessionId"] is None, "stateless mode must not issue Mcp-Session-Id"


def test_v1_fastmcp_streamable_http(server):
    report = run_v1("fastmcp", f"{server.base}/mcp")
    check_report(report)
    assert report["contexts_structured"]["currentContext"] == "kind-dev"


@pytest.mark.parametrize("path", ["/mcp/sse", "/sse"])
def test_v1_fastmcp_sse(server, path):
    report = run_v1("fastmcp_sse", f"{server.base}{path}")
    check_report(report)
    assert report["contexts_structured"]["currentContext"] == "kind-dev"


@pytest.mark.parametrize("path", ["/mcp/sse", "/sse"])
def test_mcp_proxy_sse_bridge(server, path):
    check_report(run_v1("proxy_sse", f"{server.base}{path}"))


def test_mcp_proxy_streamablehttp_bridge(server):
    check_report(run_v1("proxy_streamablehttp", f"{server.base}/mcp"))


def test_mcp_proxy_with_bearer_header(start_server, tmp_path):
    """The documented Claude Desktop route to a token-protected server: mcp-proxy -H Authorization ..."""
    token = "e2e-proxy-bearer-0123456789abcdef"
    tf = tmp_path / "tokens"
    tf.write_text(token + "\n")
    s = start_server("--auth-token-file", str(tf), health_headers={"Authorization": f"Bearer {token}"},
                     extra_secrets=(token,))
    check_report(run_v1("proxy_streamablehttp", f"{s.base}/mcp", {"headers": {"Authorization": f"Bearer {token}"}}))
    check_report(run_v1("proxy_sse", f"{s.base}/mcp/sse", {"headers": {"Authorization": f"Bearer {token}"}}))
