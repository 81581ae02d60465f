"""Every read tool, called through the official MCP clients over both HTTP transports and stdio, against the fake
cluster over real TLS with client certificates."""

from __future__ import annotations

import asyncio

import pytest
import yaml

from e2e_util import BINARY, Server, child_env, cluster_server

SECRET_VALUES = ("s3cr3t-Passw0rd!", "czNjcjN0LVBhc3N3MHJkIQ==")


@pytest.fixture(scope="module")
def server(cluster):
    with cluster_server(cluster, extra_secrets=SECRET_VALUES) as s:
        yield s


def call(server: Server, transport: str, name: str, arguments: dict) -> tuple[str, bool, object]:
    """Calls one tool with the mcp 2.x client over /mcp or /mcp/sse; returns (text, isError, structured)."""
    from mcp import Client, StdioServerParameters
    from mcp.client.sse import sse_client

    async def run():
        if transport == "stdio":
            # The same binary and cluster, as an assistant that starts it as a subprocess would.
            target = StdioServerParameters(command=str(BINARY), args=["--stdio", "--kubeconfig", str(server.kubeconfig)],
                                           env=child_env())
        else:
            target = f"{server.base}/mcp" if transport == "streamable" else sse_client(f"{server.base}/mcp/sse")
        kwargs = {} if transport == "streamable" else {"mode": "legacy"}
        async with Client(target, **kwargs) as client:
            result = await client.call_tool(name, arguments)
            # The first block is the body (table, YAML or JSON); notes follow in later blocks.
            text = "\n".join(getattr(block, "text", "") for block in result.content)
            return text, bool(result.is_error), result.structured_content

    return asyncio.run(asyncio.wait_for(run(), 60))


def first_block(server: Server, transport: str, name: str, arguments: dict) -> str:
    """The first content block only (the parseable body)."""
    from mcp import Client

    async def run():
        async with Client(f"{server.base}/mcp") as client:
            result = await client.call_tool(name, arguments)
            return result.content[0].text

    return asyncio.run(asyncio.wait_for(run(), 60))


TRANSPORTS = ["streamable", "sse", "stdio"]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_cluster_info(server, transport):
    text, error, _ = call(server, transport, "cluster_info", {})
    assert not error, text
    assert "Kubernetes version: v1." in text
    assert "Nodes: 2 ready of 2" in text
    assert "shop" in text and "monitoring" in text
    assert "apps" in text


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_api_resources(server, transport):
    text, error, _ = call(server, transport, "api_resources", {})
    assert not error, text
    lines = text.splitlines()
    assert lines[0].split() == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    deploy = next(line for line in lines if line.startswith("deployments "))
    assert deploy.split() == ["deployments", "deploy", "apps/v1", "true", "Deployment"]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_namespaces_list(server, transport):
    text, error, _ = call(server, transport, "namespaces_list", {})
    assert not error, text
    for ns in ("default", "shop", "monitoring", "kube-system"):
        assert ns in text


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_pods_list_all_namespaces(server, transport):
    text, error, _ = call(server, transport, "pods_list", {})
    assert not error, text
    assert "NAMESPACE" in text.splitlines()[0]
    assert "frontend-" in text and "prometheus-" in text


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_pods_list_in_namespace_with_selector(server, transport):
    text, error, _ = call(server, transport, "pods_list_in_namespace", {"namespace": "shop", "labelSelector": "app=frontend"})
    assert not error, text
    assert "frontend-" in text and "prometheus" not in text and "api-" not in text


def _pod_named(server, transport, prefix: str) -> str:
    text, error, _ = call(server, transport, "pods_list_in_namespace", {"namespace": "shop"})
    assert not error, text
    for line in text.splitlines()[1:]:
        if line.split()[0].startswith(prefix):
            return line.split()[0]
    raise AssertionError(f"no pod starting with {prefix} in:\n{text}")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_pods_get_is_yaml_without_managed_fields(server, transport):
    name = _pod_named(server, transport, "frontend-")
    text, error, _ = call(server, transport, "pods_get", {"name": name, "namespace": "shop"})
    assert not error, text
    doc = yaml.safe_load(first_block(server, transport, "pods_get", {"name": name, "namespace": "shop"}))
    assert doc["kind"] == "Pod" and doc["metadata"]["name"] == name
    assert "managedFields" not in doc["metadata"]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_pods_log_of_the_crash_looping_pod(server, transport):
    name = _pod_named(server, transport, "payments-")
    text, error, _ = call(server, transport, "pods_log", {"name": name, "namespace": "shop", "tail": 5})
    assert not error, text
    assert 0 < len(text.splitlines()) <= 6
    text, error, _ = call(server, transport, "pods_log", {"name": name, "namespace": "shop", "previous": True})
    assert not error, text
    assert text.strip()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_events_list_warnings(server, transport):
    text, error, _ = call(server, transport, "events_list", {"namespace": "shop", "warningsOnly": True})
    assert not error, text
    assert "BackOff" in text
    assert "Scheduled" not in text


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_resources_list_deployments(server, transport):
    text, error, _ = call(server, transport, "resources_list", {"apiVersion": "apps/v1", "kind": "Deployment",
                                                                 "namespace": "shop"})
    assert not error, text
    assert "frontend" in text and "api" in text


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_resources_get_secret_is_redacted(server, transport):
    text, error, _ = call(server, transport, "resources_get", {"apiVersion": "v1", "kind": "Secret",
                                                                "name": "shop-db-credentials", "namespace": "shop"})
    assert not error, text
    assert "3 values redacted" in text
    doc = yaml.safe_load(first_block(server, transport, "resources_get", {"apiVersion": "v1", "kind": "Secret",
                                                                          "name": "shop-db-credentials", "namespace": "shop"}))
    assert set(doc["data"]) == {"username", "password", "url"}
    assert all(v == "REDACTED" for v in doc["data"].values())
    for secret in SECRET_VALUES:
        assert secret not in text


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_secret_lists_are_redacted_in_every_format(server, transport):
    text, error, _ = call(server, transport, "resources_list", {"apiVersion": "v1", "kind": "Secret", "namespace": "shop"})
    assert not error, text
    assert "shop-db-credentials" in text
    for secret in SECRET_VALUES:
        assert secret not in text


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_errors_are_tool_errors_with_the_servers_words(server, transport):
    text, error, _ = call(server, transport, "pods_get", {"name": "no-such-pod", "namespace": "shop"})
    assert error
    assert "NotFound" in text and "no-such-pod" in text
    text, error, _ = call(server, transport, "resources_list", {"apiVersion": "v1", "kind": "Gizmo"})
    assert error and "Gizmo" in text
    text, error, _ = call(server, transport, "pods_list", {"context": "nope"})
    assert error and "nope" in text
