"""The fake Kubernetes API server (Tests/FakeCluster) against the real kubectl and raw HTTPS.

One fake cluster (scenario ``demo``, free port) serves the whole module. The kubectl tests check exit code 0
and kubectl's normal output; the HTTP tests check the exact wire shapes the fake promises (Status bodies,
continue tokens, watch events, Tables, patches, log streaming, fault injection, the request log).
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import shutil
import ssl
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FAKE = ROOT / "Tests" / "FakeCluster" / "fakecluster.py"
KUBECTL = shutil.which("kubectl")

pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")


@dataclass
class Cluster:
    """A running fake cluster and what a client needs to reach it."""

    proc: subprocess.Popen
    kubeconfig: Path
    host: str
    port: int
    token: str
    tokens_file: Path
    ctx: ssl.SSLContext
    anon_ctx: ssl.SSLContext
    cache_dir: Path
    log: Path

    def kubectl(self, *args: str, check: bool = True, timeout: float = 30) -> subprocess.CompletedProcess:
        """Run the real kubectl against the fake."""
        cmd = [KUBECTL, "--kubeconfig", str(self.kubeconfig), "--cache-dir", str(self.cache_dir), *args]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                             env={**os.environ, "KUBECTL_KUBERC": "false"})
        if check:
            assert res.returncode == 0, f"{' '.join(args)} -> {res.returncode}\n{res.stdout}\n{res.stderr}"
        return res

    def conn(self, anonymous: bool = False, timeout: float = 10) -> http.client.HTTPSConnection:
        """A TLS connection with (default) or without the client certificate."""
        return http.client.HTTPSConnection(self.host, self.port, timeout=timeout,
                                           context=self.anon_ctx if anonymous else self.ctx)

    def request(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
                anonymous: bool = False, token: str | None = None,
                content_type: str = "application/json") -> tuple[int, dict[str, str], bytes]:
        """One request; returns (status, headers, body)."""
        c = self.conn(anonymous=anonymous or token is not None)
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            h.setdefault("Content-Type", content_type)
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        out = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        return r.status, hdrs, out

    def json(self, method: str, path: str, body: Any = None, expect: int | None = 200, **kw) -> Any:
        """A request whose JSON answer is returned (status asserted)."""
        status, _, out = self.request(method, path, body, **kw)
        if expect is not None:
            assert status == expect, f"{method} {path}: {status} {out[:500]!r}"
        return json.loads(out)

    def fault(self, spec: dict[str, Any]) -> Any:
        """Inject a fault through the admin endpoint."""
        return self.json("POST", "/_fake/faults", spec, expect=201)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Cluster:
    d = tmp_path_factory.mktemp("fakecluster")
    kc = d / "kubeconfig"
    tokens = d / "tokens"
    tokens.write_text("")
    log = d / "fake.log"
    with open(log, "wb") as lf:
        proc = subprocess.Popen([sys.executable, str(FAKE), "--listen", "127.0.0.1:0", "--kubeconfig-out", str(kc),
                                 "--scenario", "demo", "--tokens-file", str(tokens), "--bookmark-interval", "0.5"],
                                stdout=lf, stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while not kc.exists():
        assert proc.poll() is None, f"fake cluster exited early:\n{log.read_text()}"
        assert time.time() < deadline, "fake cluster not ready within 30 s"
        time.sleep(0.05)
    cfg = yaml.safe_load(kc.read_text())
    server = cfg["clusters"][0]["cluster"]["server"]
    host, port = server.removeprefix("https://").rsplit(":", 1)
    users = {u["name"]: u["user"] for u in cfg["users"]}
    files = {}
    for key, name in (("certificate-authority-data", "ca.crt"),):
        (d / name).write_bytes(base64.b64decode(cfg["clusters"][0]["cluster"][key]))
        files[name] = d / name
    (d / "client.crt").write_bytes(base64.b64decode(users["fake-admin"]["client-certificate-data"]))
    (d / "client.key").write_bytes(base64.b64decode(users["fake-admin"]["client-key-data"]))
    ctx = ssl.create_default_context(cafile=str(d / "ca.crt"))
    ctx.load_cert_chain(str(d / "client.crt"), str(d / "client.key"))
    anon = ssl.create_default_context(cafile=str(d / "ca.crt"))
    c = Cluster(proc, kc, host, int(port), users["fake-token"]["token"], tokens, ctx, anon, d / "cache", log)
    try:
        yield c
    finally:
        proc.terminate()
        try:
            rc = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
        assert rc == 0, f"fake cluster exit code {rc}:\n{log.read_text()[-3000:]}"
        assert not kc.exists(), "kubeconfig must be removed on clean shutdown"
        assert "Traceback" not in log.read_text(), log.read_text()[-3000:]


def wait_for(pred, timeout: float = 10.0, interval: float = 0.1):
    """Poll ``pred`` until it returns a truthy value."""
    deadline = time.time() + timeout
    while True:
        v = pred()
        if v:
            return v
        assert time.time() < deadline, "condition not met in time"
        time.sleep(interval)


def pod_names(cluster: Cluster, ns: str, selector: str) -> list[str]:
    out = cluster.json("GET", f"/api/v1/namespaces/{ns}/pods?labelSelector={selector}")
    return [p["metadata"]["name"] for p in out["items"]]


def crashloop_pod(cluster: Cluster) -> str:
    return pod_names(cluster, "shop", "app%3Dpayments")[0]


# --- kubectl --------------------------------------------------------------------------------------------------


def test_kubectl_get_pods_all_namespaces(cluster: Cluster) -> None:
    out = cluster.kubectl("get", "pods", "-A").stdout
    lines = out.splitlines()
    assert lines[0].split() == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert any(ln.startswith("shop") and "frontend-" in ln and "1/1" in ln and "Running" in ln for ln in lines)
    crash = [ln for ln in lines if "payments-" in ln]
    assert crash and "CrashLoopBackOff" in crash[0] and "0/1" in crash[0]
    assert any(ln.startswith("kube-system") and "coredns-" in ln for ln in lines)
    assert any(ln.startswith("monitoring") and "prometheus-" in ln for ln in lines)


def test_kubectl_get_deploy_yaml(cluster: Cluster) -> None:
    doc = yaml.safe_load(cluster.kubectl("get", "deploy", "-n", "shop", "-o", "yaml").stdout)
    assert doc["kind"] == "List"
    by_name = {d["metadata"]["name"]: d for d in doc["items"]}
    assert {"frontend", "api", "payments"} <= set(by_name)
    fe = by_name["frontend"]
    assert fe["apiVersion"] == "apps/v1" and fe["kind"] == "Deployment"
    assert fe["spec"]["replicas"] == 3 and fe["status"]["readyReplicas"] == 3
    assert fe["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    conds = {c["type"]: c for c in fe["status"]["conditions"]}
    assert conds["Available"]["reason"] == "MinimumReplicasAvailable"
    assert conds["Progressing"]["reason"] == "NewReplicaSetAvailable"


def test_kubectl_describe_crashloop_pod(cluster: Cluster) -> None:
    pod = crashloop_pod(cluster)
    out = cluster.kubectl("describe", "pod", pod, "-n", "shop").stdout
    assert f"Name:             {pod}" in out
    assert "Reason:       CrashLoopBackOff" in out
    assert "Exit Code:    1" in out
    restarts = int(out.split("Restart Count:")[1].split()[0])
    assert restarts >= 4
    assert "Warning  BackOff" in out and "Back-off restarting failed container payments" in out
    assert "Successfully assigned shop/" in out


def test_kubectl_api_resources(cluster: Cluster) -> None:
    out = cluster.kubectl("api-resources").stdout
    rows = {ln.split()[0] + "/" + ln.split()[-3] for ln in out.splitlines()[1:] if len(ln.split()) >= 4}
    for want in ("pods/v1", "deployments/apps/v1", "cronjobs/batch/v1", "ingresses/networking.k8s.io/v1",
                 "clusterroles/rbac.authorization.k8s.io/v1", "customresourcedefinitions/apiextensions.k8s.io/v1",
                 "pods/metrics.k8s.io/v1beta1", "leases/coordination.k8s.io/v1"):
        assert want in rows, want
    assert any(ln.split()[:2] == ["deployments", "deploy"] for ln in out.splitlines())


def test_kubectl_apply_server_side(cluster: Cluster, tmp_path: Path) -> None:
    manifest = tmp_path / "web.yaml"
    manifest.write_text("""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{containerPort: 80}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: shop}
data: {greeting: hello}
""")
    out = cluster.kubectl("apply", "--server-side", "-f", str(manifest)).stdout
    assert "deployment.apps/web serverside-applied" in out and "configmap/web-config serverside-applied" in out
    again = cluster.kubectl("apply", "--server-side", "-f", str(manifest)).stdout
    assert "serverside-applied" in again
    dep = json.loads(cluster.kubectl("get", "deploy", "web", "-n", "shop", "-o", "json",
                                     "--show-managed-fields").stdout)
    assert dep["spec"]["replicas"] == 2
    managers = {(m["manager"], m["operation"]) for m in dep["metadata"]["managedFields"]}
    assert ("kubectl", "Apply") in managers
    cm = json.loads(cluster.kubectl("get", "cm", "web-config", "-n", "shop", "-o", "json").stdout)
    assert cm["data"] == {"greeting": "hello"}
    wait_for(lambda: len([p for p in cluster.json("GET", "/api/v1/namespaces/shop/pods?labelSelector=app%3Dweb")
                          ["items"] if p["status"].get("phase") == "Running"]) == 2)


def test_kubectl_custom_resource_definition(cluster: Cluster, tmp_path: Path) -> None:
    """A created CRD appears in discovery and its resource gets endpoints, as on a real server."""
    crd = tmp_path / "crd.yaml"
    crd.write_text("""\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget, shortNames: [gd]}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
""")
    cluster.kubectl("apply", "-f", str(crd))
    resources = cluster.kubectl("api-resources", "--api-group=example.com").stdout
    assert "gadgets" in resources and "Gadget" in resources and "gd" in resources
    cr = tmp_path / "cr.yaml"
    cr.write_text("apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g1, namespace: shop}\nspec: {size: 3}\n")
    cluster.kubectl("apply", "--server-side", "-f", str(cr))
    out = cluster.kubectl("get", "gd", "-n", "shop", "-o", "jsonpath={.items[0].spec.size}").stdout
    assert out == "3"
    established = cluster.kubectl("get", "crd", "gadgets.example.com",
                                  "-o", "jsonpath={.status.conditions[?(@.type=='Established')].status}").stdout
    assert established == "True"


def test_kubectl_scale(cluster: Cluster) -> None:
    out = cluster.kubectl("scale", "deploy/frontend", "--replicas=5", "-n", "shop").stdout
    assert "deployment.apps/frontend scaled" in out

    def five_ready() -> bool:
        pods = cluster.json("GET", "/api/v1/namespaces/shop/pods?labelSelector=app%3Dfrontend")["items"]
        ready = [p for p in pods if any(c["type"] == "Ready" and c["status"] == "True"
                                        for c in p["status"].get("conditions", []))]
        return len(pods) == 5 and len(ready) == 5
    wait_for(five_ready)
    out = cluster.kubectl("get", "deploy", "frontend", "-n", "shop").stdout
    assert out.splitlines()[1].split()[1:4] == ["5/5", "5", "5"]


def test_kubectl_logs(cluster: Cluster) -> None:
    out = cluster.kubectl("logs", crashloop_pod(cluster), "-n", "shop", "--tail=5").stdout
    lines = out.splitlines()
    assert len(lines) == 5
    assert "failed to connect to database" in out and lines[-1].startswith("FATAL")
    fe = pod_names(cluster, "shop", "app%3Dfrontend")[0]
    out = cluster.kubectl("logs", fe, "-n", "shop", "--tail=2", "--timestamps").stdout
    assert len(out.splitlines()) == 2 and out[:4].isdigit() and "Z " in out


def test_kubectl_exec(cluster: Cluster) -> None:
    fe = pod_names(cluster, "shop", "app%3Dfrontend")[0]
    res = cluster.kubectl("exec", fe, "-n", "shop", "--", "echo", "hi")
    assert res.stdout == "hi\n"
    res = cluster.kubectl("exec", fe, "-n", "shop", "--", "sh", "-c", "exit 3", check=False)
    assert res.returncode == 3
    res = cluster.kubectl("exec", fe, "-n", "shop", "--", "nosuchcmd", check=False)
    assert res.returncode == 127 and "nosuchcmd: command not found" in res.stderr


def test_kubectl_delete_deployment_collects_pods(cluster: Cluster) -> None:
    assert len(pod_names(cluster, "shop", "app%3Dapi")) == 2
    out = cluster.kubectl("delete", "deploy/api", "-n", "shop").stdout
    assert 'deployment.apps "api" deleted' in out
    wait_for(lambda: not pod_names(cluster, "shop", "app%3Dapi"))
    rs = cluster.json("GET", "/apis/apps/v1/namespaces/shop/replicasets?labelSelector=app%3Dapi")
    assert rs["items"] == []


def test_kubectl_get_raw_version_and_auth(cluster: Cluster) -> None:
    version = json.loads(cluster.kubectl("get", "--raw", "/version").stdout)
    assert version["gitVersion"] == "v1.37.0" and version["major"] == "1"
    assert cluster.kubectl("auth", "can-i", "create", "deployments", "-n", "shop").stdout.strip() == "yes"
    assert "kube-mcp-test" in cluster.kubectl("auth", "whoami").stdout


# --- raw HTTP -------------------------------------------------------------------------------------------------


def test_unauthenticated_is_401(cluster: Cluster) -> None:
    status, hdrs, body = cluster.request("GET", "/api/v1/namespaces", anonymous=True)
    assert status == 401 and hdrs["content-type"] == "application/json"
    assert body == (b'{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized",'
                    b'"reason":"Unauthorized","code":401}')
    assert cluster.request("GET", "/api/v1/namespaces", token="not-a-token")[0] == 401


def test_status_bodies(cluster: Cluster) -> None:
    status, _, body = cluster.request("GET", "/api/v1/namespaces/shop/pods/nginx")
    assert status == 404
    assert json.loads(body) == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                "message": 'pods "nginx" not found', "reason": "NotFound",
                                "details": {"name": "nginx", "kind": "pods"}, "code": 404}
    status, _, body = cluster.request("GET", "/apis/apps/v1/namespaces/shop/deployments/nope")
    assert json.loads(body)["message"] == 'deployments.apps "nope" not found'
    assert json.loads(body)["details"] == {"name": "nope", "group": "apps", "kind": "deployments"}
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dup"}, "data": {"a": "1"}}
    cluster.json("POST", "/api/v1/namespaces/shop/configmaps", cm, expect=201)
    status, _, body = cluster.request("POST", "/api/v1/namespaces/shop/configmaps", cm)
    assert status == 409
    assert json.loads(body) == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                "message": 'configmaps "dup" already exists', "reason": "AlreadyExists",
                                "details": {"name": "dup", "kind": "configmaps"}, "code": 409}
    status, _, body = cluster.request("POST", "/api/v1/namespaces/nowhere/configmaps", cm)
    assert status == 404 and json.loads(body)["message"] == 'namespaces "nowhere" not found'
    bad = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "nginx-deployment"},
           "spec": {"replicas": -1, "selector": {"matchLabels": {"app": "x"}},
                    "template": {"metadata": {"labels": {"app": "x"}},
                                 "spec": {"containers": [{"name": "x", "image": "nginx"}]}}}}
    status, _, body = cluster.request("POST", "/apis/apps/v1/namespaces/shop/deployments", bad)
    assert status == 422
    assert json.loads(body) == json.loads((ROOT / "Tests/FakeCluster/data/examples/status-422-invalid.json")
                                          .read_text())
    status, _, body = cluster.request("POST", "/api/v1/namespaces/shop/configmaps",
                                      {"metadata": {"name": "Bad_Name"}})
    st = json.loads(body)
    assert status == 422 and st["reason"] == "Invalid"
    assert st["details"]["causes"][0]["field"] == "metadata.name"
    assert st["details"]["causes"][0]["reason"] == "FieldValueInvalid"
    status, _, body = cluster.request("POST", "/api/v1/namespaces/shop/configmaps", {"metadata": {}})
    assert status == 422 and json.loads(body)["details"]["causes"] == [
        {"reason": "FieldValueRequired", "message": "Required value: name or generateName is required",
         "field": "metadata.name"}]
    live = cluster.json("GET", "/api/v1/namespaces/shop/configmaps/dup")
    stale = dict(live, data={"a": "2"})
    cluster.json("PUT", "/api/v1/namespaces/shop/configmaps/dup", stale)
    status, _, body = cluster.request("PUT", "/api/v1/namespaces/shop/configmaps/dup", stale)
    assert status == 409 and json.loads(body)["reason"] == "Conflict"
    assert json.loads(body)["message"] == ('Operation cannot be fulfilled on configmaps "dup": the object has been '
                                           'modified; please apply your changes to the latest version and try again')


def test_generate_name_and_metadata(cluster: Cluster) -> None:
    out = cluster.json("POST", "/api/v1/namespaces/default/configmaps",
                       {"metadata": {"generateName": "gen-"}, "data": {}}, expect=201)
    meta = out["metadata"]
    assert meta["name"].startswith("gen-") and len(meta["name"]) == 9
    assert meta["uid"] and meta["resourceVersion"].isdigit() and meta["creationTimestamp"].endswith("Z")
    dep = cluster.json("GET", "/apis/apps/v1/namespaces/shop/deployments/frontend")
    assert dep["metadata"]["generation"] >= 2  # scaled earlier: spec change bumps generation


def test_paging_and_expired_continue(cluster: Cluster) -> None:
    cluster.json("POST", "/api/v1/namespaces", {"metadata": {"name": "paging"}}, expect=201)
    for i in range(7):
        cluster.json("POST", "/api/v1/namespaces/paging/configmaps", {"metadata": {"name": f"cm-{i}"}}, expect=201)
    page = cluster.json("GET", "/api/v1/namespaces/paging/configmaps?limit=3")
    names = [i["metadata"]["name"] for i in page["items"]]
    assert names == ["cm-0", "cm-1", "cm-2"]
    assert "kind" not in page["items"][0]
    assert page["metadata"]["remainingItemCount"] == 5  # 4 more cm-* plus kube-root-ca.crt
    token = page["metadata"]["continue"]
    decoded = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    assert decoded == {"v": "meta.k8s.io/v1", "rv": int(page["metadata"]["resourceVersion"]), "start": "cm-2\x00"}
    while token:
        page = cluster.json("GET", f"/api/v1/namespaces/paging/configmaps?limit=3&continue={token}")
        names += [i["metadata"]["name"] for i in page["items"]]
        token = page["metadata"].get("continue")
    assert names == [f"cm-{i}" for i in range(7)] + ["kube-root-ca.crt"]
    first = cluster.json("GET", "/api/v1/namespaces/paging/configmaps?limit=2")
    old = cluster.json("GET", "/_fake/config")
    cluster.json("POST", "/_fake/config", {"continueWindow": 1})
    try:
        for i in range(2):
            cluster.json("POST", "/api/v1/namespaces/paging/configmaps", {"metadata": {"name": f"late-{i}"}},
                         expect=201)
        status, _, body = cluster.request("GET", "/api/v1/namespaces/paging/configmaps?limit=2&continue="
                                          + first["metadata"]["continue"])
    finally:
        cluster.json("POST", "/_fake/config", {"continueWindow": old["continueWindow"]})
    st = json.loads(body)
    assert status == 410 and st["reason"] == "Expired" and st["code"] == 410
    expected = json.loads((ROOT / "Tests/FakeCluster/data/examples/status-410-expired-continue.json").read_text())
    assert st["message"] == expected["message"]
    fresh = json.loads(base64.urlsafe_b64decode(st["metadata"]["continue"] + "=="))
    assert fresh["rv"] == -1 and fresh["start"] == "cm-1\x00"
    cluster.fault({"kind": "expire-next-continue"})
    page = cluster.json("GET", "/api/v1/namespaces/paging/configmaps?limit=2")
    status, _, _ = cluster.request("GET", "/api/v1/namespaces/paging/configmaps?limit=2&continue="
                                   + page["metadata"]["continue"])
    assert status == 410


def _watch_lines(cluster: Cluster, path: str, limit_s: float = 10) -> list[dict[str, Any]]:
    c = cluster.conn(timeout=limit_s)
    c.request("GET", path)
    r = c.getresponse()
    assert r.status == 200 and r.getheader("Content-Type") == "application/json"
    assert r.getheader("Transfer-Encoding") == "chunked"
    events = [json.loads(line) for line in r.read().splitlines() if line.strip()]
    c.close()
    return events


def test_watch_event_sequence(cluster: Cluster) -> None:
    cluster.json("POST", "/api/v1/namespaces", {"metadata": {"name": "watching"}}, expect=201)
    rv = cluster.json("GET", "/api/v1/namespaces/watching/configmaps")["metadata"]["resourceVersion"]
    cm = cluster.json("POST", "/api/v1/namespaces/watching/configmaps", {"metadata": {"name": "w1"}, "data": {"a": "1"}},
                      expect=201)
    cluster.json("PATCH", "/api/v1/namespaces/watching/configmaps/w1", {"data": {"a": "2"}},
                 headers={"Content-Type": "application/merge-patch+json"})
    cluster.json("DELETE", "/api/v1/namespaces/watching/configmaps/w1")

    def late_write() -> None:
        time.sleep(0.3)
        cluster.json("POST", "/api/v1/namespaces/watching/configmaps", {"metadata": {"name": "w2"}}, expect=201)
    t = threading.Thread(target=late_write)
    t.start()
    events = _watch_lines(cluster, f"/api/v1/namespaces/watching/configmaps?watch=true&resourceVersion={rv}"
                                   "&allowWatchBookmarks=true&timeoutSeconds=2")
    t.join()
    types = [e["type"] for e in events]
    data_events = [e for e in events if e["type"] != "BOOKMARK"]
    assert [e["type"] for e in data_events] == ["ADDED", "MODIFIED", "DELETED", "ADDED"]
    assert data_events[0]["object"]["metadata"]["uid"] == cm["metadata"]["uid"]
    assert data_events[0]["object"]["kind"] == "ConfigMap" and data_events[0]["object"]["apiVersion"] == "v1"
    assert data_events[1]["object"]["data"] == {"a": "2"}
    assert data_events[3]["object"]["metadata"]["name"] == "w2"
    rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in data_events]
    assert rvs == sorted(rvs) and rvs[0] > int(rv)
    assert "BOOKMARK" in types and types[-1] == "BOOKMARK"
    bm = events[-1]["object"]
    assert bm == {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"resourceVersion": bm["metadata"]["resourceVersion"]}}
    assert int(bm["metadata"]["resourceVersion"]) >= rvs[-1]
    # no resourceVersion: the current state as ADDED, then live events
    events = _watch_lines(cluster, "/api/v1/namespaces/watching/configmaps?watch=1&timeoutSeconds=1")
    assert {e["object"]["metadata"]["name"] for e in events if e["type"] == "ADDED"} == {"w2", "kube-root-ca.crt"}


def test_watch_too_old_resource_version_is_410_error_event(cluster: Cluster) -> None:
    cluster.fault({"kind": "compact"})
    events = _watch_lines(cluster, "/api/v1/namespaces/shop/pods?watch=true&resourceVersion=1&timeoutSeconds=5")
    assert len(events) == 1 and events[0]["type"] == "ERROR"
    st = events[0]["object"]
    assert st["kind"] == "Status" and st["code"] == 410 and st["reason"] == "Expired"
    assert st["message"].startswith("too old resource version: 1 (")
    assert set(st) == {"kind", "apiVersion", "metadata", "status", "message", "reason", "code"}
    cluster.fault({"kind": "expire-next-watch"})
    events = _watch_lines(cluster, "/api/v1/namespaces/shop/pods?watch=true&timeoutSeconds=5")
    assert [e["type"] for e in events] == ["ERROR"]


def test_table_for_pods(cluster: Cluster) -> None:
    accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
    status, hdrs, body = cluster.request("GET", "/api/v1/namespaces/shop/pods", headers={"Accept": accept})
    assert status == 200 and hdrs["content-type"] == "application/json;as=Table;v=v1;g=meta.k8s.io"
    table = json.loads(body)
    example = json.loads((ROOT / "Tests/FakeCluster/data/examples/table-pods.json").read_text())
    assert table["kind"] == "Table" and table["apiVersion"] == "meta.k8s.io/v1"
    assert table["columnDefinitions"] == example["columnDefinitions"]
    row = next(r for r in table["rows"] if r["cells"][0].startswith("payments-"))
    assert row["cells"][1] == "0/1" and row["cells"][2] == "CrashLoopBackOff" and " ago)" in row["cells"][3]
    assert row["object"]["kind"] == "PartialObjectMetadata" and "spec" not in row["object"]
    status, _, body = cluster.request("GET", "/api/v1/namespaces/shop/pods?includeObject=Object",
                                      headers={"Accept": accept})
    assert json.loads(body)["rows"][0]["object"]["kind"] == "Pod"
    status, _, body = cluster.request("GET", "/api/v1/namespaces/shop/pods?includeObject=None",
                                      headers={"Accept": accept})
    assert "object" not in json.loads(body)["rows"][0]
    status, _, body = cluster.request("GET", "/apis/apps/v1/namespaces/shop/deployments/frontend",
                                      headers={"Accept": accept})
    t = json.loads(body)
    assert [c["name"] for c in t["columnDefinitions"]][:5] == ["Name", "Ready", "Up-to-date", "Available", "Age"]
    assert len(t["rows"]) == 1


def test_strategic_merge_patch_of_containers(cluster: Cluster) -> None:
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "smp"},
           "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "smp"}},
                    "template": {"metadata": {"labels": {"app": "smp"}}, "spec": {"containers": [
                        {"name": "a", "image": "nginx:1", "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]},
                        {"name": "b", "image": "busybox:1", "ports": [{"containerPort": 8080}]}]}}}}
    cluster.json("POST", "/apis/apps/v1/namespaces/shop/deployments", dep, expect=201)
    smp = {"spec": {"template": {"spec": {"containers": [
        {"name": "a", "env": [{"name": "Y", "value": "3"}, {"name": "Z", "value": "4"}]},
        {"name": "b", "image": "busybox:2", "ports": [{"containerPort": 9090}]},
        {"name": "c", "image": "redis:7"}]}}}}
    out = cluster.json("PATCH", "/apis/apps/v1/namespaces/shop/deployments/smp", smp,
                       headers={"Content-Type": "application/strategic-merge-patch+json"})
    cs = {c["name"]: c for c in out["spec"]["template"]["spec"]["containers"]}
    assert list(cs) == ["a", "b", "c"]
    assert cs["a"]["image"] == "nginx:1"
    assert [(e["name"], e["value"]) for e in cs["a"]["env"]] == [("X", "1"), ("Y", "3"), ("Z", "4")]
    assert cs["b"]["image"] == "busybox:2"
    assert [p["containerPort"] for p in cs["b"]["ports"]] == [8080, 9090]
    assert out["metadata"]["generation"] == 2
    out = cluster.json("PATCH", "/apis/apps/v1/namespaces/shop/deployments/smp",
                       {"spec": {"template": {"spec": {"containers": [{"name": "a", "$patch": "delete"}]}}}},
                       headers={"Content-Type": "application/strategic-merge-patch+json"})
    assert [c["name"] for c in out["spec"]["template"]["spec"]["containers"]] == ["b", "c"]
    out = cluster.json("PATCH", "/apis/apps/v1/namespaces/shop/deployments/smp",
                       [{"op": "replace", "path": "/spec/replicas", "value": 1}],
                       headers={"Content-Type": "application/json-patch+json"})
    assert out["spec"]["replicas"] == 1


def test_logs_follow_streams(cluster: Cluster) -> None:
    pod = pod_names(cluster, "shop", "app%3Dfrontend")[0]
    c = cluster.conn(timeout=10)
    c.request("GET", f"/api/v1/namespaces/shop/pods/{pod}/log?follow=true&tailLines=1&timestamps=true")
    r = c.getresponse()
    assert r.status == 200 and r.getheader("Content-Type", "").startswith("text/plain")
    start = time.time()
    lines = [r.readline() for _ in range(4)]
    elapsed = time.time() - start
    c.close()
    assert all(ln.endswith(b"\n") for ln in lines)
    assert elapsed < 3 and elapsed > 0.3  # one tail line, then new lines every ~200 ms
    status, _, body = cluster.request("GET", f"/api/v1/namespaces/shop/pods/{pod}/log?previous=true")
    assert status == 400 and json.loads(body)["message"] == (
        f'previous terminated container "frontend" in pod "{pod}" not found')
    status, _, body = cluster.request("GET", f"/api/v1/namespaces/shop/pods/{pod}/log?limitBytes=10")
    assert status == 200 and len(body) == 10


def test_fault_429_with_retry_after(cluster: Cluster) -> None:
    cluster.fault({"kind": "429", "count": 2, "retryAfter": 1})
    for _ in range(2):
        status, hdrs, body = cluster.request("GET", "/api/v1/namespaces/shop/pods")
        assert status == 429 and hdrs["retry-after"] == "1"
        st = json.loads(body)
        assert st["reason"] == "TooManyRequests" and st["details"]["retryAfterSeconds"] == 1
    assert cluster.request("GET", "/api/v1/namespaces/shop/pods")[0] == 200
    cluster.fault({"kind": "500", "count": 1, "path": "/configmaps"})
    assert cluster.request("GET", "/api/v1/namespaces/shop/pods")[0] == 200
    assert cluster.request("GET", "/api/v1/namespaces/shop/configmaps")[0] == 500


def test_request_log(cluster: Cluster) -> None:
    cluster.request("DELETE", "/_fake/requests")
    cluster.request("GET", "/api/v1/namespaces/shop/pods?limit=1")
    log = cluster.json("GET", "/_fake/requests")["items"]
    assert [(e["method"], e["path"], e["query"], e["user"], e["code"]) for e in log] == [
        ("GET", "/api/v1/namespaces/shop/pods", "limit=1", "kube-mcp-test", 200)]
    cluster.request("DELETE", "/_fake/requests")
    assert cluster.json("GET", "/_fake/requests")["items"] == []
    assert cluster.request("GET", "/_fake/requests", anonymous=True)[0] == 401


def test_discovery_documents(cluster: Cluster) -> None:
    status, hdrs, body = cluster.request("GET", "/apis", headers={
        "Accept": "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"})
    assert hdrs["content-type"] == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    agg = json.loads(body)
    assert agg["kind"] == "APIGroupDiscoveryList"
    groups = {g["metadata"]["name"] for g in agg["items"]}
    assert {"apps", "batch", "metrics.k8s.io"} <= groups
    legacy = cluster.json("GET", "/apis")
    assert {g["name"] for g in legacy["groups"]} == groups
    storage = cluster.json("GET", "/apis/storage.k8s.io/v1")
    assert "csinodes/status" in {r["name"] for r in storage["resources"]}
    certs = cluster.json("GET", "/apis/certificates.k8s.io/v1")
    assert "clustertrustbundles" in {r["name"] for r in certs["resources"]}
    status, hdrs, body = cluster.request("GET", "/api", headers={
        "Accept": "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"})
    core = json.loads(body)
    pods = next(r for r in core["items"][0]["versions"][0]["resources"] if r["resource"] == "pods")
    assert {s["subresource"] for s in pods["subresources"]} >= {"log", "exec", "eviction", "status"}
    api = cluster.json("GET", "/api")
    assert api["serverAddressByClientCIDRs"][0]["serverAddress"] == f"127.0.0.1:{cluster.port}"
    assert cluster.request("GET", "/healthz")[2] == b"ok"
    assert b"[+]ping ok" in cluster.request("GET", "/readyz?verbose")[2]


def test_token_auth_and_rotation(cluster: Cluster) -> None:
    assert cluster.request("GET", "/api/v1/namespaces", token=cluster.token)[0] == 200
    res = cluster.kubectl("--context", "fake-token", "get", "ns", "shop")
    assert "shop" in res.stdout
    cluster.tokens_file.write_text("rotated-one,rotation-user\n")
    assert cluster.request("GET", "/api/v1/namespaces", token="rotated-one")[0] == 200
    cluster.fault({"kind": "expire-tokens"})
    assert cluster.request("GET", "/api/v1/namespaces", token=cluster.token)[0] == 401
    assert cluster.request("GET", "/api/v1/namespaces", token="rotated-one")[0] == 401
    cluster.tokens_file.write_text("rotated-two\n")
    assert cluster.request("GET", "/api/v1/namespaces", token="rotated-two")[0] == 200
    assert cluster.request("GET", "/api/v1/namespaces")[0] == 200  # client certificates are unaffected
