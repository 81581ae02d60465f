"""The `kubectl` tool: the real kubectl run by the server against the fake cluster, called through the official
MCP clients over /mcp, /mcp/sse and stdio.

Allowed commands work (tables, YAML with Secret values redacted, describe, apply with a manifest on stdin,
delete); injection attempts are refused and, as the fake's request log shows, reach no API server; a read-only
server refuses writes; a server whose PATH lacks kubectl does not offer the tool.
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil

import pytest
import yaml

from e2e_util import BINARY, Server, cluster_server

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")

SECRET_VALUES = ("s3cr3t-Passw0rd!", "czNjcjN0LVBhc3N3MHJkIQ==", "cGF5bWVudHM=")
TRANSPORTS = ["streamable", "sse"]

MANIFEST = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: kubectl-tool-e2e
  namespace: shop
data:
  greeting: hello
---
apiVersion: v1
kind: Secret
metadata:
  name: kubectl-tool-e2e
  namespace: shop
type: Opaque
stringData:
  token: tool-e2e-Secret-Value
"""




@pytest.fixture(scope="module")
def api(cluster):
    """The fake's own endpoints (request log)."""
    return cluster


@pytest.fixture(scope="module")
def server(cluster):
    with cluster_server(cluster, extra_secrets=SECRET_VALUES) as s:
        yield s


@pytest.fixture(scope="module")
def read_only_server(cluster):
    s = Server(args=["--read-only"], kubeconfig=cluster.kubeconfig).start()
    yield s
    try:
        s.check_clean_exit(extra_secrets=tuple(cluster.secrets()) + SECRET_VALUES)
    finally:
        s.kill()


def call(server: Server, transport: str, arguments: dict) -> tuple[str, bool]:
    """Calls the kubectl tool with the mcp 2.x client over /mcp or /mcp/sse; returns (all text, isError)."""
    from mcp import Client
    from mcp.client.sse import sse_client

    async def run():
        target = f"{server.base}/mcp" if transport == "streamable" else sse_client(f"{server.base}/mcp/sse")
        kwargs = {} if transport == "streamable" else {"mode": "legacy"}
        async with Client(target, **kwargs) as client:
            result = await client.call_tool("kubectl", arguments)
            return "\n".join(getattr(b, "text", "") for b in result.content), bool(result.is_error)

    return asyncio.run(asyncio.wait_for(run(), 90))


def list_tools(server: Server) -> dict[str, dict]:
    from mcp import Client

    async def run():
        async with Client(f"{server.base}/mcp") as client:
            return {t.name: t.model_dump(by_alias=True, exclude_none=True) for t in (await client.list_tools()).tools}

    return asyncio.run(asyncio.wait_for(run(), 30))


def assert_no_secret_values(text: str) -> None:
    for value in SECRET_VALUES + ("tool-e2e-Secret-Value", base64.b64encode(b"tool-e2e-Secret-Value").decode()):
        assert value not in text, f"secret value {value[:8]}... in:\n{text}"


# --- listing ---------------------------------------------------------------------------------------------------


def test_tool_is_listed_with_truthful_annotations(server, read_only_server):
    tool = list_tools(server)["kubectl"]
    a = tool["annotations"]
    assert (a["readOnlyHint"], a["destructiveHint"], a["idempotentHint"], a["openWorldHint"]) == (False, True, False, False)
    assert tool["inputSchema"]["required"] == ["args"]
    assert set(tool["inputSchema"]["properties"]) == {"args", "context", "stdin", "timeoutSeconds"}
    assert "apply" in tool["description"]
    ro = list_tools(read_only_server)["kubectl"]
    assert ro["annotations"]["readOnlyHint"] is True
    assert "apply" not in ro["description"].split("Refused")[0]


def test_not_offered_when_kubectl_is_not_on_path(cluster):
    s = Server(kubeconfig=cluster.kubeconfig, env={"PATH": "/nonexistent"}).start()
    try:
        tools = list_tools(s)
        assert "kubectl" not in tools
        assert "pods_list" in tools
    finally:
        s.kill()


# --- allowed commands over both HTTP transports -----------------------------------------------------------------


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_get_pods_table(server, transport):
    text, error = call(server, transport, {"args": ["get", "pods", "-n", "shop"]})
    assert not error, text
    assert text.splitlines()[0].split()[:3] == ["NAME", "READY", "STATUS"]
    assert "frontend-" in text


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_get_pods_in_empty_namespace_reports_stderr(server, transport):
    text, error = call(server, transport, {"args": ["get", "pods", "-n", "default"]})
    assert not error, text
    assert "No resources found" in text


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_get_deployment_as_yaml(server, transport):
    text, error = call(server, transport, {"args": ["get", "deploy", "frontend", "-n", "shop", "-o", "yaml"]})
    assert not error, text
    doc = yaml.safe_load(text.split("\n\n")[0])
    assert doc["kind"] == "Deployment" and doc["metadata"]["name"] == "frontend"
    assert "managedFields" not in doc["metadata"]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_get_secret_yaml_is_redacted(server, transport):
    text, error = call(server, transport, {"args": ["get", "secret", "shop-db-credentials", "-n", "shop", "-oyaml"]})
    assert not error, text
    assert_no_secret_values(text)
    doc = yaml.safe_load(text.split("\n\n")[0])
    assert doc["kind"] == "Secret"
    assert set(doc["data"].values()) == {"REDACTED"}
    assert "redacted" in text


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_secret_list_json_and_raw_are_redacted(server, transport):
    text, error = call(server, transport, {"args": ["get", "secrets", "-A", "--output=json"]})
    assert not error, text
    assert_no_secret_values(text)
    doc = json.loads(text.split("\n")[0])
    assert any(item["metadata"]["name"] == "shop-db-credentials" for item in doc["items"])
    text, error = call(server, transport, {"args": ["get", "--raw", "/api/v1/namespaces/shop/secrets"]})
    assert not error, text
    assert_no_secret_values(text)
    assert "REDACTED" in text


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_describe_pod_and_secret(server, transport):
    text, error = call(server, transport, {"args": ["get", "pods", "-n", "shop", "-o", "name"]})
    assert not error, text
    pod = next(line for line in text.splitlines() if line.startswith("pod/frontend-"))
    text, error = call(server, transport, {"args": ["describe", pod, "-n", "shop"]})
    assert not error, text
    assert "Name:" in text and pod.removeprefix("pod/") in text
    text, error = call(server, transport, {"args": ["describe", "secret", "shop-db-credentials", "-n", "shop"]})
    assert not error, text
    assert "bytes" in text
    assert_no_secret_values(text)
    text, error = call(server, transport, {"args": ["get", "secrets", "-n", "shop", "-o", "wide"]})
    assert not error and "shop-db-credentials" in text, text
    assert_no_secret_values(text)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_apply_from_stdin_then_delete(server, api, transport):
    text, error = call(server, transport, {"args": ["apply", "-f", "-"], "stdin": MANIFEST})
    assert not error, text
    assert "configmap/kubectl-tool-e2e" in text and "secret/kubectl-tool-e2e" in text
    text, error = call(server, transport, {"args": ["get", "secret", "kubectl-tool-e2e", "-n", "shop", "-o", "yaml"]})
    assert not error, text
    assert_no_secret_values(text)
    doc = yaml.safe_load(text.split("\n\n")[0])
    assert set((doc.get("data") or {}).values()) | set((doc.get("stringData") or {}).values()) == {"REDACTED"}
    assert doc["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] == "REDACTED"
    text, error = call(server, transport, {"args": ["get", "configmap", "kubectl-tool-e2e", "-n", "shop", "-o", "json"]})
    assert not error, text
    assert json.loads(text.split("\n")[0])["data"] == {"greeting": "hello"}
    api.clear_requests()
    text, error = call(server, transport, {"args": ["delete", "-f", "-"], "stdin": MANIFEST})
    assert not error, text
    assert "deleted" in text
    assert [r for r in api.requests() if r["method"] == "DELETE"], "no DELETE reached the fake"
    text, error = call(server, transport, {"args": ["get", "configmap", "kubectl-tool-e2e", "-n", "shop"]})
    assert error and "NotFound" in text, text


def test_failure_reports_exit_status(server):
    text, error = call(server, "streamable", {"args": ["get", "deploy", "missing", "-n", "shop"]})
    assert error
    assert "exited with status 1" in text and "NotFound" in text


# --- refusals: no request reaches the API server -----------------------------------------------------------------

INJECTIONS = [
    ["get", "pods", "--server=https://127.0.0.1:1"],
    ["get", "pods", "-s", "https://127.0.0.1:1"],
    ["get", "pods", "-shttps://127.0.0.1:1"],
    ["get", "pods", "--token=stolen"],
    ["get", "pods", "--kubeconfig=/etc/kubernetes/admin.conf"],
    ["get", "pods", "--as=system:admin"],
    ["get", "--as=system:admin", "pods"],
    ["--token=x", "get", "pods"],
    ["get", "pods", "--as-group=system:masters"],
    ["get", "pods", "--insecure_skip_tls_verify"],
    ["get", "pods", "--client-key=/tmp/k"],
    ["get", "pods", "-v=9"],
    ["get", "pods;", "id"],
    ["get", "pods", "$(id)"],
    ["get", "pods", "`id`"],
    ["get", "pods\nget secrets"],
    ["get", "pods", "|", "sh"],
    ["apply", "-f", "/etc/passwd"],
    ["get", "--raw", "https://example.com/"],
    ["exec", "frontend", "--", "id"],
    ["krew", "install", "x"],
    ["get", "secret", "shop-db-credentials", "-n", "shop", "-o", "jsonpath={.data.password}"],
    ["diff", "-f", "-"],
    ["annotate", "secret", "shop-db-credentials", "-n", "shop", "--list"],
]


@pytest.mark.parametrize("args", INJECTIONS, ids=[json.dumps(a)[:60] for a in INJECTIONS])
def test_injection_is_refused_without_any_request(server, api, args):
    api.clear_requests()
    text, error = call(server, "streamable", {"args": args})
    assert error, text
    assert text.startswith("kubectl refused"), text
    assert api.requests() == [], "a refused call reached the API server"


def test_refusal_over_sse_names_token_and_rule(server, api):
    api.clear_requests()
    text, error = call(server, "sse", {"args": ["get", "pods", "--as=admin"]})
    assert error
    assert '"--as=admin"' in text and "context argument" in text
    assert api.requests() == []


def test_read_only_server_refuses_delete(read_only_server, api):
    api.clear_requests()
    text, error = call(read_only_server, "streamable", {"args": ["delete", "deploy", "frontend", "-n", "shop"]})
    assert error and "--read-only" in text, text
    assert api.requests() == []
    text, error = call(read_only_server, "streamable", {"args": ["get", "deploy", "-n", "shop"]})
    assert not error and "frontend" in text, text


# --- stdio -----------------------------------------------------------------------------------------------------


def test_over_stdio(cluster, api, tmp_path):
    import anyio
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(command=str(BINARY), args=["--stdio", "--kubeconfig", str(cluster.kubeconfig)])

    async def go():
        async with Client(params) as c:
            tools = {t.name: t for t in (await c.list_tools()).tools}
            assert "kubectl" in tools

            async def kubectl(arguments):
                r = await c.call_tool("kubectl", arguments)
                return "\n".join(getattr(b, "text", "") for b in r.content), bool(r.is_error)

            text, error = await kubectl({"args": ["get", "pods", "-n", "shop"]})
            assert not error and "frontend-" in text, text
            text, error = await kubectl({"args": ["get", "secret", "shop-db-credentials", "-n", "shop", "-o", "yaml"]})
            assert not error and "REDACTED" in text, text
            assert_no_secret_values(text)
            text, error = await kubectl({"args": ["apply", "-f", "-"], "stdin": MANIFEST})
            assert not error and "configmap/kubectl-tool-e2e" in text, text
            text, error = await kubectl({"args": ["delete", "configmap,secret", "kubectl-tool-e2e", "-n", "shop"]})
            assert not error and "deleted" in text, text
            api.clear_requests()
            text, error = await kubectl({"args": ["get", "pods", "--server=https://127.0.0.1:1"]})
            assert error and text.startswith("kubectl refused"), text
            assert api.requests() == []

    async def main():
        with anyio.fail_after(90):
            await go()

    anyio.run(main)
