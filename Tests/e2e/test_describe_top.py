"""pods_top, nodes_top and resources_describe through the official mcp 2.x client over /mcp, /mcp/sse (legacy mode)
and stdio, against the fake cluster; and every tool's structuredContent validated against its outputSchema over
real calls (with the default output limit and with a tiny one that truncates)."""

from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager

import jsonschema
import pytest
from jsonschema.validators import validator_for

from e2e_util import BINARY, Server, cluster_server
from fake_cluster import FakeCluster

# The demo scenario's Secret shop/shop-db-credentials (see test_read_tools.py).
SECRET_VALUES = ("s3cr3t-Passw0rd!", "czNjcjN0LVBhc3N3MHJkIQ==")
TRANSPORTS = ["streamable", "sse", "stdio"]

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "gadgets.example.com"},
    "spec": {"group": "example.com", "scope": "Namespaced",
             "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget", "shortNames": ["gd"]},
             "versions": [{"name": "v1", "served": True, "storage": True,
                           "schema": {"openAPIV3Schema": {"type": "object",
                                                          "x-kubernetes-preserve-unknown-fields": True}}}]},
}
GADGET = {"apiVersion": "example.com/v1", "kind": "Gadget",
          "metadata": {"name": "g1", "namespace": "shop", "labels": {"app": "gadget"}},
          "spec": {"size": 3, "colour": "teal", "ports": [{"name": "http", "port": 8080}]}}




@pytest.fixture(scope="module")
def cluster():
    c = FakeCluster("demo")
    # The CRD exists before the server first reads discovery.
    c.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", CRD)
    c.call("POST", "/apis/example.com/v1/namespaces/shop/gadgets", GADGET)
    yield c
    c.stop()


@pytest.fixture(scope="module")
def server(cluster):
    with cluster_server(cluster, extra_secrets=SECRET_VALUES) as s:
        yield s


@asynccontextmanager
async def client(server: Server, cluster: FakeCluster, transport: str, *extra: str):
    """An mcp 2.x Client over /mcp, /mcp/sse (legacy mode) or a `--stdio` child with the cluster's kubeconfig."""
    from mcp import Client, StdioServerParameters
    from mcp.client.sse import sse_client

    if transport == "streamable":
        target, kwargs = f"{server.base}/mcp", {}
    elif transport == "sse":
        target, kwargs = sse_client(f"{server.base}/mcp/sse"), {"mode": "legacy"}
    else:
        target = StdioServerParameters(command=str(BINARY),
                                       args=["--stdio", "--kubeconfig", str(cluster.kubeconfig), *extra])
        kwargs = {}
    async with Client(target, **kwargs) as c:
        yield c


def text_of(result) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 90))


def value(text: str, key: str) -> str | None:
    """The value next to `key:` on its (first) line, alignment spaces removed."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(key + " ") or stripped == key:
            return stripped[len(key):].strip()
    return None


def pod_named(pods: dict, prefix: str) -> str:
    return next(item["name"] for item in pods["items"] if item["name"].startswith(prefix))


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_top(server, cluster, transport):
    async def go():
        async with client(server, cluster, transport) as c:
            r = await c.call_tool("nodes_top", {})
            assert not r.is_error, text_of(r)
            lines = r.content[0].text.splitlines()
            assert lines[0].split() == ["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]
            assert {line.split()[0] for line in lines[1:]} == {"node-1", "node-2"}
            for line in lines[1:]:
                cells = line.split()
                assert cells[1].endswith("m") and cells[2].endswith("%") and cells[3].endswith("Mi") and cells[4].endswith("%")
            nodes = r.structured_content["nodes"]
            assert all(0 < n["cpuPercent"] < 100 and n["cpuAllocatableMillicores"] == 3800 for n in nodes)

            r = await c.call_tool("nodes_top", {"name": "node-2", "sortBy": "memory"})
            assert not r.is_error and [n["name"] for n in r.structured_content["nodes"]] == ["node-2"]

            r = await c.call_tool("pods_top", {"namespace": "shop", "sortBy": "cpu"})
            assert not r.is_error, text_of(r)
            pods = r.structured_content["pods"]
            assert {p["namespace"] for p in pods} == {"shop"} and len(pods) >= 5
            cpus = [p["cpuMillicores"] for p in pods]
            assert cpus == sorted(cpus, reverse=True)
            assert r.content[0].text.splitlines()[0].split() == ["NAME", "CPU(cores)", "MEMORY(bytes)"]
            assert "Total of" in text_of(r)

            r = await c.call_tool("pods_top", {"allNamespaces": True, "containers": True, "labelSelector": "app=frontend"})
            assert not r.is_error, text_of(r)
            assert r.content[0].text.splitlines()[0].split() == ["NAMESPACE", "POD", "NAME", "CPU(cores)", "MEMORY(bytes)"]
            assert all(p["name"].startswith("frontend-") and p["containers"][0]["name"] == "frontend"
                       for p in r.structured_content["pods"])

            name = r.structured_content["pods"][0]["name"]
            r = await c.call_tool("pods_top", {"namespace": "shop", "name": name})
            assert not r.is_error and [p["name"] for p in r.structured_content["pods"]] == [name]

            r = await c.call_tool("pods_top", {"namespace": "shop", "name": "no-such-pod"})
            assert r.is_error and "No metrics for pod no-such-pod" in text_of(r)
    run(go())


def test_top_without_metrics_server_is_a_clear_error(server, cluster):
    cluster.call("POST", "/_fake/faults", {"kind": "503", "count": -1, "path": "/apis/metrics.k8s.io/v1beta1/"})
    try:
        async def go():
            async with client(server, cluster, "streamable") as c:
                for name, args in (("pods_top", {"namespace": "shop"}), ("nodes_top", {})):
                    r = await c.call_tool(name, args)
                    assert r.is_error, text_of(r)
                    assert text_of(r).startswith("metrics-server is not installed: "), text_of(r)
                    assert "503" in text_of(r)
        run(go())
    finally:
        cluster.call("DELETE", "/_fake/faults")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_describe(server, cluster, transport):
    async def go():
        async with client(server, cluster, transport) as c:
            pods = (await c.call_tool("pods_list_in_namespace", {"namespace": "shop"})).structured_content
            payments = pod_named(pods, "payments-")

            # A crash-looping pod, kind spelled as a short name: containers, state, conditions, events.
            r = await c.call_tool("resources_describe", {"kind": "po", "name": payments, "namespace": "shop"})
            assert not r.is_error, text_of(r)
            text = text_of(r)
            assert text.startswith(f"Name:") and payments in text.splitlines()[0]
            assert value(text, "Namespace:") == "shop"
            assert value(text, "Controlled By:").startswith("ReplicaSet/payments-")
            assert value(text, "Image:") == "ghcr.io/example/payments:1.4.2"
            assert value(text, "Last State:") == "Terminated" and value(text, "Exit Code:") == "1"
            assert int(value(text, "Restart Count:")) >= 4
            for needle in ("Containers:", "CrashLoopBackOff", "Conditions:", "QoS Class:", "Tolerations:",
                           "<set to the key 'password' in secret 'shop-db-credentials'>", "Events:", "BackOff"):
                assert needle in text, f"{needle!r} not in:\n{text}"
            events = text[text.index("\nEvents:"):]
            assert "Type" in events and "Reason" in events and "Warning" in events

            # A deployment, by plural.group.
            r = await c.call_tool("resources_describe", {"kind": "deployments.apps", "name": "frontend", "namespace": "shop"})
            assert not r.is_error, text_of(r)
            text = text_of(r)
            assert value(text, "Replicas:").startswith("3 desired | ")
            assert value(text, "StrategyType:") == "RollingUpdate"
            assert value(text, "NewReplicaSet:").startswith("frontend-")
            assert value(text, "NewReplicaSet:").endswith("(3/3 replicas created)")
            for needle in ("Pod Template:", "ScalingReplicaSet"):
                assert needle in text, f"{needle!r} not in:\n{text}"

            # With apiVersion and Kind, like a manifest.
            r = await c.call_tool("resources_describe", {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api",
                                                         "namespace": "shop"})
            assert not r.is_error and value(text_of(r), "Name:") == "api", text_of(r)

            r = await c.call_tool("resources_describe", {"kind": "service", "name": "kubernetes", "namespace": "default"})
            assert not r.is_error, text_of(r)
            text = text_of(r)
            assert value(text, "Type:") == "ClusterIP" and value(text, "IP:") == "10.96.0.1"
            assert value(text, "Port:") == "https  443/TCP" and value(text, "TargetPort:") == "6443/TCP"
            assert value(text, "Session Affinity:") == "None"

            r = await c.call_tool("resources_describe", {"kind": "nodes", "name": "node-1"})
            assert not r.is_error, text_of(r)
            text = text_of(r)
            assert value(text, "Roles:") == "control-plane"
            for needle in ("Conditions:", "KubeletReady", "Addresses:", "InternalIP:",
                           "Capacity:", "Allocatable:", "System Info:", "Kubelet Version:", "Non-terminated Pods:",
                           "Allocated resources:"):
                assert needle in text, f"{needle!r} not in:\n{text}"
            assert "Namespace:" not in text.split("Roles:")[0]

            r = await c.call_tool("resources_describe", {"kind": "Secret", "name": "shop-db-credentials",
                                                         "namespace": "shop"})
            assert not r.is_error, text_of(r)
            text = text_of(r)
            assert value(text, "Type:") == "Opaque"
            for key in ("password:", "username:", "url:"):
                assert any(line.startswith(key) and line.endswith(" bytes") for line in text.splitlines()), text
            assert "password:  16 bytes" in text
            for secret in SECRET_VALUES:
                assert secret not in text
            assert "REDACTED" not in text

            r = await c.call_tool("resources_describe", {"kind": "configmap", "name": "shop-config", "namespace": "shop"})
            assert not r.is_error and "\nData\n====\n" in text_of(r), text_of(r)

            r = await c.call_tool("resources_describe", {"kind": "ns", "name": "shop"})
            assert not r.is_error and "Status:" in text_of(r) and "team=shop" in text_of(r), text_of(r)

            # A custom resource: the generic tree, by short name.
            r = await c.call_tool("resources_describe", {"kind": "gd", "name": "g1", "namespace": "shop"})
            assert not r.is_error, text_of(r)
            text = text_of(r)
            for needle in ("Name:", "g1", "Labels:", "app=gadget", "Spec:", "size:", "3", "colour:", "teal", "- name:",
                           "http", "Events:"):
                assert needle in text, f"{needle!r} not in:\n{text}"

            # Errors: an unknown kind and a missing object.
            r = await c.call_tool("resources_describe", {"kind": "Gizmo", "name": "x"})
            assert r.is_error and "Gizmo" in text_of(r) and "api_resources" in text_of(r), text_of(r)
            r = await c.call_tool("resources_describe", {"kind": "pod", "name": "no-such-pod", "namespace": "shop"})
            assert r.is_error and "NotFound" in text_of(r) and "no-such-pod" in text_of(r), text_of(r)
            r = await c.call_tool("resources_describe", {"apiVersion": "nope.example.com/v1", "kind": "Pod", "name": "x"})
            assert r.is_error and "nope.example.com/v1" in text_of(r), text_of(r)
    run(go())


# --- outputSchema / structuredContent ------------------------------------------------------------------------------


def calls_for(pod: str) -> dict[str, dict]:
    """Arguments that make each tool with an outputSchema succeed against the demo scenario."""
    return {
        "configuration_contexts_list": {},
        "configuration_view": {},
        "cluster_info": {},
        "api_resources": {},
        "namespaces_list": {},
        "pods_list": {},
        "pods_list_in_namespace": {"namespace": "shop", "labelSelector": "app=frontend"},
        "pods_get": {"name": pod, "namespace": "shop"},
        "events_list": {"namespace": "shop"},
        "resources_list": {"apiVersion": "apps/v1", "kind": "Deployment"},
        "resources_get": {"apiVersion": "v1", "kind": "Secret", "name": "shop-db-credentials", "namespace": "shop"},
        "pods_top": {"allNamespaces": True, "containers": True},
        "nodes_top": {},
        "pods_exec": {"name": pod, "namespace": "shop", "command": ["echo", "schema"]},
        "resources_create_or_update": {"dryRun": True, "resource": (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: schema-check\n  namespace: shop\ndata:\n  a: b\n")},
    }


def frontend_pod(cluster: FakeCluster) -> str:
    return cluster.call("GET", "/api/v1/namespaces/shop/pods?labelSelector=app%3Dfrontend")["items"][0]["metadata"]["name"]


async def check_all_output_schemas(c, pod: str) -> dict[str, dict]:
    """Calls every tool that declares an outputSchema and validates its structuredContent with jsonschema (the mcp
    client validates too: a mismatch raises inside call_tool). Returns the structured contents by tool."""
    tools = {t.name: t for t in (await c.list_tools()).tools}
    with_schema = {name: t.output_schema for name, t in tools.items() if t.output_schema is not None}
    list_and_get = {"pods_list", "pods_list_in_namespace", "pods_get", "events_list", "resources_list", "resources_get",
                    "namespaces_list", "api_resources", "cluster_info", "pods_top", "nodes_top"}
    assert list_and_get <= set(with_schema), sorted(list_and_get - set(with_schema))
    calls = calls_for(pod)
    assert set(with_schema) <= set(calls), f"no test call for {sorted(set(with_schema) - set(calls))}"
    out = {}
    for name, schema in with_schema.items():
        cls = validator_for(schema, default=jsonschema.Draft202012Validator)
        cls.check_schema(schema)
        r = await c.call_tool(name, calls[name])
        assert not r.is_error, f"{name}: {text_of(r)}"
        assert r.structured_content is not None, f"{name} declares an outputSchema but returned no structuredContent"
        cls(schema).validate(r.structured_content)
        out[name] = r.structured_content
    return out


def test_structured_content_matches_output_schema_for_every_tool(server, cluster):
    async def go():
        async with client(server, cluster, "streamable") as c:
            out = await check_all_output_schemas(c, frontend_pod(cluster))
        pods = out["pods_list"]
        assert pods["kind"] == "Pod" and pods["apiVersion"] == "v1" and pods["truncated"] is False
        assert pods["count"] == len(pods["items"]) >= 9
        row = next(i for i in pods["items"] if i["name"].startswith("payments-"))
        assert row["namespace"] == "shop" and row["status"] == "CrashLoopBackOff" and row["ready"] == "0/1"
        assert out["pods_list_in_namespace"]["namespace"] == "shop"
        assert all(i["name"].startswith("frontend-") for i in out["pods_list_in_namespace"]["items"])
        assert out["pods_get"]["object"]["kind"] == "Pod" and "managedFields" not in out["pods_get"]["object"]["metadata"]
        secret = out["resources_get"]["object"]
        assert secret["data"] == {"username": "REDACTED", "password": "REDACTED", "url": "REDACTED"}
        dump = json.dumps(out)
        for value in SECRET_VALUES:
            assert value not in dump
        deployments = out["resources_list"]
        assert deployments["kind"] == "Deployment" and deployments["apiVersion"] == "apps/v1"
        assert {"frontend", "api", "payments"} <= {i["name"] for i in deployments["items"]}
        assert any(r["name"] == "deployments" and r["kind"] == "Deployment" for r in out["api_resources"]["resources"])
        info = out["cluster_info"]
        assert info["readyNodes"] == 2 and {"shop", "monitoring"} <= set(info["namespaces"])
        assert {i["name"] for i in out["namespaces_list"]["items"]} >= {"default", "shop"}
    run(go())


def test_structured_content_is_bounded_like_the_text(cluster):
    """With a tiny output limit the text is cut; the structured content is cut too, says so, and still validates."""
    s = Server(args=["--output-limit-bytes", "400"], kubeconfig=cluster.kubeconfig).start()
    try:
        async def go():
            async with client(s, cluster, "streamable") as c:
                out = await check_all_output_schemas(c, frontend_pod(cluster))
                r = await c.call_tool("pods_list", {})
                shown = len(r.content[0].text.splitlines()) - 1
                discovery = await c.call_tool("api_resources", {})
                info = await c.call_tool("cluster_info", {})
            # Every result is bounded, the discovery table and the cluster summary included.
            assert len(discovery.content[0].text.encode()) <= 400 + 200, discovery.content[0].text
            assert out["api_resources"]["truncated"] is True
            assert 0 < out["api_resources"]["count"] == len(out["api_resources"]["resources"]) < 40
            assert len(info.content[0].text.encode()) <= 400 and info.structured_content["truncated"] is True
            pods = out["pods_list"]
            assert pods["truncated"] is True and pods["count"] == len(pods["items"]) <= shown
            assert out["pods_get"]["truncated"] is True and out["pods_get"]["object"]["kind"] == "Pod"
            assert out["pods_get"]["omittedFields"]
            assert out["pods_top"]["truncated"] is True
            assert len(json.dumps(out["pods_list"]["items"])) <= 400
        run(go())
    finally:
        s.stop()
        s.kill()


def test_stdio_structured_content_validates(cluster):
    async def go():
        async with client(None, cluster, "stdio") as c:
            await check_all_output_schemas(c, frontend_pod(cluster))
    run(go())
