"""The 1.x-era clients (mcp 1.30, fastmcp 3.x, mcp-proxy 0.13) against the real server.

They live in .venv-v1, so each case runs v1_clients.py with that interpreter and checks its JSON report with
the same rules as the 2.x tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checks import check_contexts_result, check_tools, check_view_result
from e2e_util import KUBECONFIG, V1_PYTHON, Server

SCRIPT = Path(__file__).resolve().parent / "v1_clients.py"


def run_v1(scenario: str, target: str, opts: dict | None = None, timeout: float = 60) -> dict:
    assert V1_PYTHON.exists(), f"{V1_PYTHON} missing: run `make deps`"
    cmd = [str(V1_PYTHON), str(SCRIPT), scenario, target] + ([json.dumps(opts)] if opts else [])
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    lines = [line for line in p.stdout.splitlines() if line.strip()]
    assert lines, f"{scenario}: no report (rc={p.returncode}); stderr:\n{p.stderr[-3000:]}"
    report = json.loads(lines[-1])
    assert report["ok"], f"{scenario} failed: {report['error']}\n{report.get('traceback', '')}\n" \
                         f"stderr:\n{p.stderr[-3000:]}"
    assert p.returncode == 0
    return report


def check_report(report: dict, version: str = "2025-11-25") -> None:
    assert report["protocolVersion"] == version, report["protocolVersion"]
    assert report["serverName"] == "kube-mcp"
    check_tools(report["tools"])
    check_contexts_result(report["contexts"])
    check_view_result(report["view"], minified=True)
    check_view_result(report["view_full"], minified=False)


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


def test_v1_stdio_client_against_server_stdio_mode():
    from e2e_util import BINARY

    check_report(run_v1("stdio", str(BINARY), {"args": ["--stdio", "--kubeconfig", str(KUBECONFIG)]}))
