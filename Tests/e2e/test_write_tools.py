"""The write and operate tools (resources_create_or_update, resources_delete, resources_scale, pods_delete, pods_run,
deployments_restart, rollout_status) through the official mcp 2.x client over /mcp, over /mcp/sse (legacy mode)
and over stdio, against the fake cluster: server-side apply answers, dry runs, conflicts, scaling, rollouts with
progress notifications, cancellation and timeouts, and the errors a model has to act on."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time

import pytest
import yaml

from e2e_util import BINARY, Server, cluster_server
from fake_cluster import FakeCluster

TRANSPORTS = ["streamable", "sse", "stdio"]
SECRET_VALUE = "hunter2-Sup3r-s3cret"
SECRET_VALUE_2 = "correct-horse-battery"
START_DELAY = "fake.kube-mcp.io/start-delay-seconds"


@pytest.fixture(scope="module")
def server(cluster):
    with cluster_server(cluster, extra_secrets=(SECRET_VALUE, SECRET_VALUE_2)) as s:
        yield s


@contextlib.asynccontextmanager
async def client(server: Server, cluster: FakeCluster, transport: str):
    from mcp import Client, StdioServerParameters
    from mcp.client.sse import sse_client

    if transport == "streamable":
        target, kwargs = f"{server.base}/mcp", {}
    elif transport == "sse":
        target, kwargs = sse_client(f"{server.base}/mcp/sse"), {"mode": "legacy"}
    else:
        target, kwargs = StdioServerParameters(command=str(BINARY), args=["--stdio", "--kubeconfig",
                                                                          str(cluster.kubeconfig)]), {}
    async with Client(target, **kwargs) as c:
        yield c


async def tool(c, name: str, arguments: dict, progress=None) -> tuple[str, bool, object]:
    result = await c.call_tool(name, arguments, progress_callback=progress)
    text = "\n".join(getattr(block, "text", "") for block in result.content)
    return text, bool(result.is_error), result.structured_content


def run(coro, timeout: float = 80):
    return asyncio.run(asyncio.wait_for(coro, timeout))


def manifest(ns: str, image: str = "nginx:1.27", replicas: int = 1, delay: str = "0.5") -> str:
    return f"""# a namespace, a deployment and its service
apiVersion: v1
kind: Namespace
metadata:
  name: {ns}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: {ns}
  labels: {{app: web}}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
      annotations:
        {START_DELAY}: "{delay}"
    spec:
      containers:
      - name: web
        image: {image}
        ports:
        - name: http
          containerPort: 8080
        env:
        - name: PORT
          value: "8080"
        - name: VERBOSE
          value: "yes"
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: {ns}
spec:
  selector: {{app: web}}
  ports:
  - name: http
    port: 80
    targetPort: 8080
"""


def secret(ns: str, value: str) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": ns},
                       "stringData": {"password": value}})


def actions(structured) -> list[tuple[str, str]]:
    return [(r["kind"], r["action"]) for r in structured["results"]]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_apply_scale_restart_run_delete(server, cluster, transport):
    ns = f"write-{transport}"
    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(p, total, message):
        progress.append((p, total, message))

    async def go():
        async with client(server, cluster, transport) as c:
            # Create: every object reported as created, in input order.
            text, error, data = await tool(c, "resources_create_or_update", {"resource": manifest(ns)})
            assert not error, text
            assert actions(data) == [("Namespace", "created"), ("Deployment", "created"), ("Service", "created")]
            assert f"deployment.apps/web created in namespace {ns}" in text and "service/web created" in text
            # Quoted numbers and yes stay strings (the fake, like the API server, would reject numbers there).
            text, error, _ = await tool(c, "resources_get", {"apiVersion": "apps/v1", "kind": "Deployment",
                                                             "name": "web", "namespace": ns})
            doc = yaml.safe_load(text.split("\n\n")[0]) if not error else {}
            env = doc["spec"]["template"]["spec"]["containers"][0]["env"]
            assert env == [{"name": "PORT", "value": "8080"}, {"name": "VERBOSE", "value": "yes"}]

            # The same again: unchanged.
            text, error, data = await tool(c, "resources_create_or_update", {"resource": manifest(ns)})
            assert not error, text
            assert [a for _, a in actions(data)] == ["unchanged"] * 3, text

            # A dry run of a change: reported as configured, the cluster keeps the old image.
            changed = manifest(ns, image="nginx:1.28")
            text, error, data = await tool(c, "resources_create_or_update", {"resource": changed, "dryRun": True})
            assert not error, text
            assert data["dryRun"] is True and "dry run" in text
            assert data["results"][1]["action"] == "configured"
            assert data["results"][1]["changedFields"] == ["spec.template.spec.containers[name=web].image"]
            text, error, _ = await tool(c, "resources_get", {"apiVersion": "apps/v1", "kind": "Deployment",
                                                             "name": "web", "namespace": ns})
            assert "image: nginx:1.27" in text and "nginx:1.28" not in text

            # The change for real: configured with the changed path.
            text, error, data = await tool(c, "resources_create_or_update", {"resource": changed})
            assert not error, text
            assert [a for _, a in actions(data)] == ["unchanged", "configured", "unchanged"], text
            assert "changed: spec.template.spec.containers[name=web].image" in text
            text, error, _ = await tool(c, "rollout_status", {"name": "web", "namespace": ns, "timeoutSeconds": 30})
            assert not error, text

            # Scale 1 -> 3 through the scale subresource.
            text, error, data = await tool(c, "resources_scale", {"kind": "deployment", "name": "web",
                                                                  "namespace": ns, "replicas": 3})
            assert not error, text
            assert "scaled from 1 to 3 replicas" in text
            assert data["previousReplicas"] == 1 and data["replicas"] == 3
            text, error, _ = await tool(c, "rollout_status", {"name": "web", "namespace": ns, "timeoutSeconds": 30})
            assert not error, text
            assert 'deployment "web" successfully rolled out' in text

            # Re-applying replicas: 1 now conflicts with the scale's field manager; force takes the field over.
            text, error, data = await tool(c, "resources_create_or_update", {"resource": changed})
            assert error, text
            assert data["results"][1]["action"] == "failed" and "force: true" in text
            assert "1 of 3 objects failed; 2 applied" in text
            text, error, data = await tool(c, "resources_create_or_update", {"resource": changed, "force": True})
            assert not error, text
            assert data["results"][1]["changedFields"] == ["spec.replicas"]

            # A Secret: answers name only; the value never shows, even when it changes.
            text, error, data = await tool(c, "resources_create_or_update", {"resource": secret(ns, SECRET_VALUE)})
            assert not error and "secret/db created" in text, text
            text2, error, data = await tool(c, "resources_create_or_update", {"resource": secret(ns, SECRET_VALUE_2)})
            assert not error and "secret/db configured" in text2 and "data.password" in text2, text2
            for t in (text, text2, json.dumps(data)):
                assert SECRET_VALUE not in t and SECRET_VALUE_2 not in t
                assert base64.b64encode(SECRET_VALUE_2.encode()).decode() not in t

            # Restart, then wait for the rollout with progress notifications (pods take 0.5 s to start).
            text, error, _ = await tool(c, "deployments_restart", {"name": "web", "namespace": ns})
            assert not error, text
            assert "kubectl.kubernetes.io/restartedAt=" in text
            text, error, data = await tool(c, "rollout_status", {"name": "web", "namespace": ns, "kind": "deploy",
                                                                 "timeoutSeconds": 60}, progress=on_progress)
            assert not error, text
            assert 'deployment "web" successfully rolled out' in text and data["complete"] is True
            messages = [m for _, _, m in progress]
            assert any(m and m.startswith('Waiting for deployment "web" rollout to finish') for m in messages), messages
            values = [p for p, _, _ in progress]
            assert values == sorted(values) and len(set(values)) == len(values), values
            assert all(total == 100 for _, total, _ in progress)

            # pods_run with dryRun creates nothing; then pods_run for real, then pods_delete.
            text, error, data = await tool(c, "pods_run", {"image": "busybox:1.36", "namespace": ns, "name": "dry-one",
                                                           "dryRun": True})
            assert not error and "would be created" in text and data["dryRun"] is True, text
            text, error, _ = await tool(c, "pods_get", {"name": "dry-one", "namespace": ns})
            assert error and "NotFound" in text, text
            text, error, data = await tool(c, "pods_run", {"image": "busybox:1.36", "namespace": ns, "port": 9000,
                                                           "command": ["sleep", "3600"], "env": {"MODE": "test"},
                                                           "labels": {"team": "e2e"}})
            assert not error, text
            pod = data["name"]
            assert pod.startswith("busybox-") and f"pod/{pod} created in namespace {ns}" in text
            text, error, _ = await tool(c, "pods_get", {"name": pod, "namespace": ns})
            doc = yaml.safe_load(text.split("\n\n")[0])
            assert doc["metadata"]["labels"] == {"run": pod, "team": "e2e"}
            container = doc["spec"]["containers"][0]
            assert container["command"] == ["sleep", "3600"] and container["ports"][0]["containerPort"] == 9000
            text, error, _ = await tool(c, "pods_delete", {"name": pod, "namespace": ns, "gracePeriodSeconds": 0})
            assert not error, text
            assert f"pod/{pod}" in text

            # A pod of the deployment: deleted and replaced by its ReplicaSet.
            text, error, _ = await tool(c, "pods_list_in_namespace", {"namespace": ns, "labelSelector": "app=web"})
            victim = text.splitlines()[1].split()[0]
            text, error, _ = await tool(c, "pods_delete", {"name": victim, "namespace": ns})
            assert not error and "will start a replacement" in text, text

            # resources_delete: dry run first (nothing happens), then Foreground and Background.
            text, error, _ = await tool(c, "resources_delete", {"apiVersion": "v1", "kind": "Service", "name": "web",
                                                                "namespace": ns, "dryRun": True})
            assert not error and "would be deleted" in text, text
            text, error, _ = await tool(c, "resources_get", {"apiVersion": "v1", "kind": "Service", "name": "web",
                                                             "namespace": ns})
            assert not error, text
            text, error, _ = await tool(c, "resources_delete", {"apiVersion": "v1", "kind": "Service", "name": "web",
                                                                "namespace": ns, "propagationPolicy": "Foreground"})
            assert not error and "service/web" in text and "Foreground" in text, text
            text, error, _ = await tool(c, "resources_delete", {"apiVersion": "apps/v1", "kind": "Deployment",
                                                                "name": "web", "namespace": ns,
                                                                "propagationPolicy": "Background"})
            assert not error and "deployment.apps/web" in text, text
            text, error, _ = await tool(c, "resources_get", {"apiVersion": "apps/v1", "kind": "Deployment",
                                                             "name": "web", "namespace": ns})
            assert error and "NotFound" in text

    run(go(), timeout=85)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_errors_say_what_to_do(server, cluster, transport):
    async def go():
        async with client(server, cluster, transport) as c:
            bad_yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: [1, 2\n"
            text, error, _ = await tool(c, "resources_create_or_update", {"resource": bad_yaml})
            assert error and "Nothing was applied" in text and "line" in text, text
            text, error, _ = await tool(c, "resources_create_or_update", {
                "resource": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {a: b}\n"})
            assert error and "metadata.name is missing" in text and "document 1 (line 1)" in text, text
            text, error, data = await tool(c, "resources_create_or_update", {
                "resource": "apiVersion: example.com/v1\nkind: Gizmo\nmetadata:\n  name: g\n"})
            assert error and "Gizmo" in text, text
            text, error, _ = await tool(c, "resources_create_or_update", {"resource": "---\n# nothing\n---\n"})
            assert error and "no object" in text
            text, error, _ = await tool(c, "resources_delete", {"apiVersion": "v1", "kind": "ConfigMap",
                                                                "name": "no-such-thing", "namespace": "default"})
            assert error and "NotFound" in text and "no-such-thing" in text, text
            text, error, _ = await tool(c, "resources_scale", {"kind": "ConfigMap", "name": "x", "replicas": 1})
            assert error and "no scale subresource" in text, text
            text, error, _ = await tool(c, "rollout_status", {"name": "nope", "namespace": "shop"})
            assert error and "NotFound" in text, text
            text, error, _ = await tool(c, "rollout_status", {"name": "web", "kind": "CronJob"})
            assert error and "StatefulSet" in text
            text, error, _ = await tool(c, "pods_delete", {"name": "no-such-pod", "namespace": "shop"})
            assert error and "NotFound" in text
            text, error, _ = await tool(c, "deployments_restart", {"name": "no-such-deploy", "namespace": "shop"})
            assert error and "NotFound" in text

    run(go())


def slow_deployment(ns: str, name: str, delay: int) -> str:
    return f"""apiVersion: v1
kind: Namespace
metadata: {{name: {ns}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {ns}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata:
      labels: {{app: {name}}}
      annotations: {{"{START_DELAY}": "{delay}"}}
    spec:
      containers: [{{name: app, image: "nginx:1.27"}}]
"""


@pytest.mark.parametrize("transport", ["streamable", "sse"])
def test_rollout_status_times_out_saying_how_far_it_got(server, cluster, transport):
    ns = f"slow-{transport}"

    async def go():
        async with client(server, cluster, transport) as c:
            text, error, _ = await tool(c, "resources_create_or_update", {"resource": slow_deployment(ns, "slow", 60)})
            assert not error, text
            t0 = time.monotonic()
            text, error, _ = await tool(c, "rollout_status", {"name": "slow", "namespace": ns, "timeoutSeconds": 2})
            elapsed = time.monotonic() - t0
            assert error, text
            assert "Timed out after 2 s" in text and "Waiting for deployment" in text, text
            assert 1.8 < elapsed < 6, elapsed

    run(go())


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_rollout_status_cancelled_stops_watching(server, cluster, transport):
    ns = f"cancel-{transport}"
    admin = cluster

    async def go():
        got_progress = asyncio.Event()

        async def on_progress(p, total, message):
            got_progress.set()

        async with client(server, cluster, transport) as c:
            text, error, _ = await tool(c, "resources_create_or_update", {"resource": slow_deployment(ns, "slow", 120)})
            assert not error, text
            call = asyncio.create_task(c.call_tool("rollout_status", {"name": "slow", "namespace": ns,
                                                                      "timeoutSeconds": 120},
                                                   progress_callback=on_progress))
            await asyncio.wait_for(got_progress.wait(), 20)
            deadline = time.monotonic() + 10
            while not [r for r in admin.requests() if "/deployments" in r["path"] and ns in r["path"]
                       and "watch=1" in (r.get("query") or "")]:
                assert time.monotonic() < deadline, "the rollout was not being watched"
                await asyncio.sleep(0.1)
            while admin.call("GET", "/_fake/info")["openWatches"] < 1:
                assert time.monotonic() < deadline, "the watch is not open"
                await asyncio.sleep(0.1)
            call.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await call
            cancelled_at = time.monotonic()
            # The watch is closed promptly and nothing more is asked of the API server.
            while admin.call("GET", "/_fake/info")["openWatches"] > 0:
                assert time.monotonic() - cancelled_at < 3, "the watch stayed open after cancellation"
                await asyncio.sleep(0.1)
            admin.call("DELETE", "/_fake/requests")
            await asyncio.sleep(1.5)
            later = [r for r in admin.requests() if ns in r["path"]]
            assert later == [], later
            # The session still works.
            text, error, _ = await tool(c, "resources_get", {"apiVersion": "apps/v1", "kind": "Deployment",
                                                             "name": "slow", "namespace": ns})
            assert not error, text

    run(go())
    from e2e_util import http
    assert http(server.port, "GET", "/health", timeout=5).status == 200
