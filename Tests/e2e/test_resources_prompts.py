"""MCP resources (k8s:// URIs), resources/subscribe, prompts and completion, through the official mcp 2.x
Client over /mcp (2026-07-28 auto mode and the legacy handshake), /mcp/sse and stdio, against the fake cluster.

Subscriptions exist only in the handshake revisions; changes are made with the real kubectl, and the fake's
`/_fake/info` open-watch count proves that every watch stops on unsubscribe and at the end of a session."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time
from contextlib import asynccontextmanager

import mcp_types as types
import pytest
import yaml
from mcp import Client, StdioServerParameters
from mcp.client.sse import sse_client
from mcp.shared.exceptions import MCPError

from e2e_util import BINARY, Server, cluster_server, assert_no_secrets
from fake_cluster import FakeCluster

SECRET_VALUES = ("s3cr3t-Passw0rd!", "czNjcjN0LVBhc3N3MHJkIQ==")
KUBECTL = shutil.which("kubectl")

# Client.subscribe_resource warns that 2026-07-28 removed it; the handshake revisions tested here still have it.
pytestmark = pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning")

OBJECT = "k8s://{context}/{namespace}/{resource}/{name}"
CLUSTER_OBJECT = "k8s://{context}/_cluster/{resource}/{name}"
LOG = "k8s://{context}/{namespace}/pods/{name}/log{?container,tail,previous}"
CONTEXT = "k8s://{context}"

# (transport, client mode): every way a client reaches the server.
MODES = [("streamable", "auto"), ("streamable", "legacy"), ("sse", "legacy"), ("stdio", "legacy"), ("stdio", "auto")]
LEGACY_MODES = [m for m in MODES if m[1] == "legacy"]
IDS = [f"{t}-{m}" for t, m in MODES]
LEGACY_IDS = [f"{t}-{m}" for t, m in LEGACY_MODES]


@pytest.fixture(scope="module")
def server(cluster):
    with cluster_server(cluster, extra_secrets=SECRET_VALUES) as s:
        yield s


@asynccontextmanager
async def connect(server: Server, cluster: FakeCluster, transport: str, mode: str, handler=None):
    if transport == "streamable":
        target = f"{server.base}/mcp"
    elif transport == "sse":
        target = sse_client(f"{server.base}/mcp/sse")
    else:
        target = StdioServerParameters(command=str(BINARY), args=["--stdio", "--kubeconfig", str(cluster.kubeconfig)])
    async with Client(target, mode=mode, message_handler=handler) as client:
        yield client


def run(coro_fn, timeout: float = 60):
    return asyncio.run(asyncio.wait_for(coro_fn(), timeout))


def kubectl(cluster: FakeCluster, *args: str) -> str:
    out = subprocess.run([KUBECTL, "--kubeconfig", str(cluster.kubeconfig), *args], capture_output=True, text=True,
                         timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout


def open_watches(cluster: FakeCluster) -> int:
    return json.loads(kubectl(cluster, "get", "--raw", "/_fake/info"))["openWatches"]


def wait_for_watches(cluster: FakeCluster, expected: int, timeout: float = 10) -> int:
    deadline = time.monotonic() + timeout
    count = open_watches(cluster)
    while count != expected and time.monotonic() < deadline:
        time.sleep(0.2)
        count = open_watches(cluster)
    return count


def payments_pod(cluster: FakeCluster) -> str:
    return kubectl(cluster, "-n", "shop", "get", "pods", "-l", "app=payments", "-o",
                   "jsonpath={.items[0].metadata.name}")


# --- lists --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("transport,mode", MODES, ids=IDS)
def test_list_and_templates(server, cluster, transport, mode):
    async def go():
        async with connect(server, cluster, transport, mode) as c:
            uris = [r.uri for r in (await c.list_resources()).resources]
            for uri in ("k8s://contexts", "k8s://fake", "k8s://fake-token", "k8s://fake/_cluster/namespaces/shop",
                        "k8s://fake/_cluster/namespaces/kube-system"):
                assert uri in uris, uris
            templates = {t.uri_template: t for t in (await c.list_resource_templates()).resource_templates}
            assert set(templates) == {OBJECT, CLUSTER_OBJECT, LOG, CONTEXT}
            assert templates[OBJECT].mime_type == "application/yaml"
            assert templates[LOG].mime_type == "text/plain"
            # Sessions subscribe with resources/subscribe, 2026-07-28 with subscriptions/listen.
            assert c.server_capabilities.resources.subscribe is True
    run(go)


# --- reads ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("transport,mode", MODES, ids=IDS)
def test_read_secret_is_redacted_yaml(server, cluster, transport, mode):
    async def go():
        async with connect(server, cluster, transport, mode) as c:
            result = await c.read_resource("k8s://fake/shop/secrets/shop-db-credentials")
            content = result.contents[0]
            assert content.mime_type == "application/yaml"
            assert content.uri == "k8s://fake/shop/secrets/shop-db-credentials"
            secret = yaml.safe_load(content.text)
            assert secret["kind"] == "Secret"
            assert set(secret["data"]) == {"username", "password", "url"}
            assert all(v == "REDACTED" for v in secret["data"].values())
            assert "managedFields" not in secret["metadata"]
            assert content.text.startswith("# 3 values redacted")
            assert_no_secrets(content.text, "secret resource", SECRET_VALUES)
    run(go)


@pytest.mark.parametrize("transport,mode", MODES, ids=IDS)
def test_read_contexts_objects_and_logs(server, cluster, transport, mode):
    pod = payments_pod(cluster)

    async def go():
        async with connect(server, cluster, transport, mode) as c:
            contexts = yaml.safe_load((await c.read_resource("k8s://contexts")).contents[0].text)
            assert contexts["currentContext"] == "fake"
            by_name = {x["name"]: x for x in contexts["contexts"]}
            assert by_name["fake"]["current"] is True and by_name["fake"]["server"] == cluster.server
            summary_text = (await c.read_resource("k8s://fake")).contents[0].text
            assert_no_secrets(summary_text, "context summary", tuple(cluster.secrets()))
            summary = yaml.safe_load(summary_text)
            assert summary["kubernetes"]["version"].startswith("v1.")
            assert summary["nodes"] == {"total": 2, "ready": 2}
            # Every spelling kubectl accepts names the same object.
            for spelling in ("deployments", "deploy", "Deployment", "deployments.apps", "deployment.v1.apps"):
                obj = yaml.safe_load((await c.read_resource(f"k8s://fake/shop/{spelling}/frontend")).contents[0].text)
                assert (obj["kind"], obj["metadata"]["name"]) == ("Deployment", "frontend")
            node = yaml.safe_load((await c.read_resource("k8s://fake/_cluster/nodes/node-1")).contents[0].text)
            assert node["kind"] == "Node"
            ns = yaml.safe_load((await c.read_resource("k8s://fake/_cluster/namespaces/shop")).contents[0].text)
            assert ns["kind"] == "Namespace"
            log = (await c.read_resource(f"k8s://fake/shop/pods/{pod}/log")).contents[0]
            assert log.mime_type == "text/plain" and "database" in log.text
            short = (await c.read_resource(f"k8s://fake/shop/pods/{pod}/log?container=payments&tail=2")).contents[0]
            assert len(short.text.strip().splitlines()) <= 2
    run(go)


@pytest.mark.parametrize("transport,mode", MODES, ids=IDS)
def test_read_errors(server, cluster, transport, mode):
    not_found = -32002 if mode == "legacy" else -32602

    async def go():
        async with connect(server, cluster, transport, mode) as c:
            cases = {
                "k8s://fake/shop/pods/..": (-32602, "not a valid"),
                "k8s://fake/shop/pods/a%2Fb": (-32602, "not a valid"),
                "k8s://fake//pods/x": (-32602, "empty path segment"),
                "k8s://fake/shop/pods/%zz": (-32602, "percent-encoding"),
                "k8s://fake/Shop/pods/x": (-32602, "namespace"),
                "k8s://fake/shop/pods/x?tail=5": (-32602, "query"),
                "k8s://fake/shop/pods/x/log?tail=99999999": (-32602, "tail"),
                "k8s://fake/shop/pods/x/log?evil=1": (-32602, "unknown log query parameter"),
                "k8s://fake/_cluster/pods/x": (-32602, "namespaced"),
                "k8s://fake/shop/nodes/node-1": (-32602, "cluster-scoped"),
                "k8s://fake/shop/pods/no-such-pod": (not_found, "not found"),
                "k8s://no-such-context/shop/pods/x": (not_found, "no context"),
                "k8s://fake/shop/widgets/x": (not_found, "resource type"),
            }
            for uri, (code, words) in cases.items():
                with pytest.raises(MCPError) as info:
                    await c.read_resource(uri)
                assert info.value.error.code == code, (uri, info.value.error)
                assert words in info.value.error.message, (uri, info.value.error.message)
    run(go)


# --- subscriptions --------------------------------------------------------------------------------------------------


@pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")
@pytest.mark.parametrize("transport,mode", LEGACY_MODES, ids=LEGACY_IDS)
def test_subscribe_notifies_on_change_and_unsubscribe_stops_the_watch(server, cluster, transport, mode):
    uri = "k8s://fake/shop/configmaps/shop-config"
    updates: list[str] = []

    async def handler(message):
        if isinstance(message, types.ResourceUpdatedNotification):
            updates.append(message.params.uri)

    async def wait_update(count: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while len(updates) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.1)

    async def go():
        baseline = await asyncio.to_thread(open_watches, cluster)
        async with connect(server, cluster, transport, mode, handler) as c:
            await c.subscribe_resource(uri)
            await c.subscribe_resource(uri)  # idempotent: still one watch
            assert await asyncio.to_thread(wait_for_watches, cluster, baseline + 1) == baseline + 1
            await asyncio.to_thread(kubectl, cluster, "-n", "shop", "annotate", "configmap", "shop-config",
                                    f"e2e/{transport}-{mode}=1", "--overwrite")
            await wait_update(1)
            assert updates and updates[0] == uri
            await c.unsubscribe_resource(uri)
            assert await asyncio.to_thread(wait_for_watches, cluster, baseline) == baseline
            seen = len(updates)
            await asyncio.to_thread(kubectl, cluster, "-n", "shop", "annotate", "configmap", "shop-config",
                                    f"e2e/{transport}-{mode}=2", "--overwrite")
            await asyncio.sleep(1.0)
            assert len(updates) == seen, "a notification arrived after unsubscribe"

            # Deletion is a change too; the watch then keeps going until the session ends.
            await asyncio.to_thread(kubectl, cluster, "-n", "shop", "create", "configmap", f"e2e-{transport}",
                                    "--from-literal=a=b")
            doomed = f"k8s://fake/shop/configmaps/e2e-{transport}"
            await c.subscribe_resource(doomed)
            await c.subscribe_resource("k8s://fake/_cluster/namespaces/shop")
            assert await asyncio.to_thread(wait_for_watches, cluster, baseline + 2) == baseline + 2
            await asyncio.to_thread(kubectl, cluster, "-n", "shop", "delete", "configmap", f"e2e-{transport}")
            await wait_update(seen + 1)
            assert doomed in updates[seen:]
        # The session ended (DELETE, closed SSE stream, or closed stdin): no watch is left behind.
        assert await asyncio.to_thread(wait_for_watches, cluster, baseline) == baseline
    run(go, timeout=90)


@pytest.mark.parametrize("transport,mode", LEGACY_MODES, ids=LEGACY_IDS)
def test_subscribe_errors(server, cluster, transport, mode):
    async def go():
        async with connect(server, cluster, transport, mode) as c:
            for uri, code, words in [
                ("k8s://fake/shop/configmaps/no-such-map", -32002, "not found"),
                ("k8s://fake/shop/pods/x/log", -32602, "only object URIs"),
                ("k8s://contexts", -32602, "only object URIs"),
                ("k8s://fake/shop/pods/..", -32602, "not a valid"),
                ("file:///etc/passwd", -32002, "Resource not found"),
            ]:
                with pytest.raises(MCPError) as info:
                    await c.subscribe_resource(uri)
                assert info.value.error.code == code, (uri, info.value.error)
                assert words in info.value.error.message, (uri, info.value.error.message)
            await c.unsubscribe_resource("k8s://fake/shop/configmaps/never-subscribed")  # a no-op, not an error
    run(go)


# --- prompts --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("transport,mode", MODES, ids=IDS)
def test_prompts_embed_live_data(server, cluster, transport, mode):
    pod = payments_pod(cluster)

    async def go():
        async with connect(server, cluster, transport, mode) as c:
            prompts = {p.name: p for p in (await c.list_prompts()).prompts}
            assert set(prompts) == {"cluster_health_check", "troubleshoot_pod", "troubleshoot_deployment"}
            args = {p: {a.name: a.required for a in prompts[p].arguments} for p in prompts}
            assert args["troubleshoot_pod"] == {"pod": True, "namespace": False, "context": False}
            assert args["troubleshoot_deployment"] == {"deployment": True, "namespace": False, "context": False}
            assert args["cluster_health_check"] == {"namespace": False, "context": False}

            text = (await c.get_prompt("troubleshoot_pod", {"pod": pod, "namespace": "shop"})).messages[0].content.text
            for words in ("CrashLoopBackOff", "restarts", "BackOff", "FATAL", "previous, crashed run", "`pods_log`",
                          "`events_list`", "`pods_get`", "owned by ReplicaSet"):
                assert words in text, (words, text)

            text = (await c.get_prompt("troubleshoot_deployment",
                                       {"deployment": "payments", "namespace": "shop"})).messages[0].content.text
            for words in ("replicas: desired 1", "needing attention", "CrashLoopBackOff", "FATAL", "`resources_get`",
                          "Conditions"):
                assert words in text, (words, text)

            text = (await c.get_prompt("cluster_health_check", {})).messages[0].content.text
            for words in ("node-1: Ready", "shop/payments-", "CrashLoopBackOff", "Warning BackOff",
                          "Deployments short of replicas", "shop/payments: available 0 of 1"):
                assert words in text, (words, text)
            text = (await c.get_prompt("cluster_health_check", {"namespace": "monitoring"})).messages[0].content.text
            assert "namespace monitoring" in text and "payments" not in text
            assert_no_secrets(text, "prompt", SECRET_VALUES)
    run(go)


@pytest.mark.parametrize("transport,mode", [("streamable", "auto"), ("sse", "legacy")], ids=["streamable-auto", "sse"])
def test_prompt_errors(server, cluster, transport, mode):
    async def go():
        async with connect(server, cluster, transport, mode) as c:
            for name, arguments, words in [
                ("troubleshoot_pod", {}, "pod"),
                ("troubleshoot_pod", {"pod": "x", "namespace": "Bad_NS"}, "namespace"),
                ("troubleshoot_pod", {"pod": "../x"}, "pod name"),
                ("no_such_prompt", {}, "Unknown prompt"),
            ]:
                with pytest.raises(MCPError) as info:
                    await c.get_prompt(name, arguments)
                assert info.value.error.code == -32602 and words in info.value.error.message, info.value.error
            # A failed read is reported inside the prompt, which still comes back.
            text = (await c.get_prompt("troubleshoot_pod", {"pod": "gone", "namespace": "shop"})).messages[0].content.text
            assert "could not be read" in text and "not found" in text and "## What to do" in text
            text = (await c.get_prompt("troubleshoot_deployment", {"deployment": "x", "context": "nope"})
                    ).messages[0].content.text
            assert "could not be read" in text and "nope" in text
    run(go)


# --- completion -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("transport,mode", MODES, ids=IDS)
def test_completion(server, cluster, transport, mode):
    pod = payments_pod(cluster)

    def prompt(name):
        return types.PromptReference(type="ref/prompt", name=name)

    def template(uri):
        return types.ResourceTemplateReference(type="ref/resource", uri=uri)

    async def go():
        async with connect(server, cluster, transport, mode) as c:
            async def values(ref, name, value, context=None):
                result = (await c.complete(ref, {"name": name, "value": value}, context)).completion
                assert result.total == len(result.values) and result.has_more is False
                return result.values

            assert await values(prompt("troubleshoot_pod"), "context", "fa") == ["fake", "fake-token"]
            assert await values(prompt("troubleshoot_pod"), "namespace", "sh") == ["shop"]
            assert await values(prompt("troubleshoot_pod"), "pod", "pay", {"namespace": "shop"}) == [pod]
            assert await values(prompt("troubleshoot_pod"), "pod", "pay") == []  # default namespace
            assert await values(prompt("troubleshoot_deployment"), "deployment", "fr", {"namespace": "shop"}) == ["frontend"]
            assert await values(prompt("cluster_health_check"), "namespace", "kube-") == [
                "kube-node-lease", "kube-public", "kube-system"]
            assert await values(template(CONTEXT), "context", "fake-") == ["fake-token"]
            assert await values(template(OBJECT), "namespace", "mon") == ["monitoring"]
            assert "deployments" in await values(template(OBJECT), "resource", "dep")
            assert "nodes" not in await values(template(OBJECT), "resource", "")
            assert await values(template(CLUSTER_OBJECT), "resource", "nod") == ["nodes"]
            assert "deployments.apps" in await values(template(OBJECT), "resource", "deployments.")
            assert await values(template(OBJECT), "name", "shop-",
                                {"context": "fake", "namespace": "shop", "resource": "configmaps"}) == ["shop-config"]
            assert await values(template(CLUSTER_OBJECT), "name", "node-", {"resource": "nodes"}) == ["node-1", "node-2"]
            assert await values(template(LOG), "name", "pay", {"namespace": "shop"}) == [pod]
            assert await values(template(LOG), "container", "", {"namespace": "shop", "name": pod}) == ["payments"]
    run(go)
