"""Initial cluster contents: ``empty``, ``demo`` and ``bench``."""

from __future__ import annotations

import base64
import copy
import uuid
from typing import Any

import kjson
from controller import BEHAVIOR_ANNOTATION, NODE_NAMES, ControlPlane, container_id, image_id, image_ref, node_ip
from registry import Registry, Requester, default_pod_spec

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
VERSION = "v1.37.0"


def _create(reg: Registry, group: str, plural: str, obj: dict[str, Any], manager: str = "kubectl-create") -> Any:
    info = reg.discovery.preferred(group, plural)
    assert info is not None, (group, plural)
    ns = obj.get("metadata", {}).get("namespace")
    return reg.create(info, ns, obj, Requester(manager))


def base(reg: Registry, ca_pem: bytes) -> None:
    """System namespaces, the two nodes, default service accounts, kube-root-ca.crt, the kubernetes service."""
    for ns in SYSTEM_NAMESPACES:
        namespace(reg, ns, ca_pem)
    for i, name in enumerate(NODE_NAMES):
        node(reg, name, control_plane=(i == 0))
    _create(reg, "", "services", {"metadata": {"name": "kubernetes", "namespace": "default",
                                               "labels": {"component": "apiserver", "provider": "kubernetes"}},
                                  "spec": {"clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"],
                                           "ports": [{"name": "https", "port": 443, "protocol": "TCP",
                                                      "targetPort": 6443}]}}, "kube-apiserver")
    _create(reg, "apiregistration.k8s.io", "apiservices", {
        "metadata": {"name": "v1beta1.metrics.k8s.io", "labels": {"k8s-app": "metrics-server"}},
        "spec": {"service": {"name": "metrics-server", "namespace": "kube-system", "port": 443},
                 "group": "metrics.k8s.io", "version": "v1beta1", "insecureSkipTLSVerify": True,
                 "groupPriorityMinimum": 100, "versionPriority": 100},
        "status": {"conditions": [{"type": "Available", "status": "True", "lastTransitionTime": kjson.rfc3339(),
                                   "reason": "Passed", "message": "all checks passed"}]}}, "kubectl-client-side-apply")


def namespace(reg: Registry, name: str, ca_pem: bytes, labels: dict[str, str] | None = None) -> None:
    """A namespace (the control plane adds its default ServiceAccount and kube-root-ca.crt ConfigMap)."""
    meta: dict[str, Any] = {"name": name}
    if labels:
        meta["labels"] = dict(labels)
    _create(reg, "", "namespaces", {"metadata": meta}, "kubectl-create")


def node(reg: Registry, name: str, control_plane: bool = False) -> None:
    """A Ready node with capacity, addresses and nodeInfo."""
    labels = {"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
              "kubernetes.io/hostname": name, "kubernetes.io/os": "linux"}
    if control_plane:
        labels["node-role.kubernetes.io/control-plane"] = ""
    idx = NODE_NAMES.index(name) if name in NODE_NAMES else 0
    st = _create(reg, "", "nodes", {"metadata": {"name": name, "labels": labels,
                                                 "annotations": {"node.alpha.kubernetes.io/ttl": "0",
                                                                 "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
                                    "spec": {"podCIDR": f"10.244.{idx * 4}.0/22", "podCIDRs": [f"10.244.{idx * 4}.0/22"]}},
                 "kubelet")
    obj = copy.deepcopy(st.obj)
    now = kjson.rfc3339()
    cap = {"cpu": "4", "ephemeral-storage": "102625208Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0",
           "memory": "16372792Ki", "pods": "110"}
    alloc = dict(cap, cpu="3800m", memory="15860792Ki")

    def cond(t: str, s: str, reason: str, msg: str) -> dict[str, Any]:
        return {"type": t, "status": s, "lastHeartbeatTime": now, "lastTransitionTime": now, "reason": reason,
                "message": msg}
    obj["status"] = {
        "capacity": cap, "allocatable": alloc,
        "conditions": [cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                       cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                       cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                       cond("Ready", "True", "KubeletReady", "kubelet is posting ready status")],
        "addresses": [{"type": "InternalIP", "address": node_ip(name)}, {"type": "Hostname", "address": name}],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        "nodeInfo": {"machineID": uuid.uuid5(uuid.NAMESPACE_DNS, name).hex, "systemUUID": str(uuid.uuid5(uuid.NAMESPACE_URL, name)),
                     "bootID": str(uuid.uuid4()), "kernelVersion": "6.1.0-28-amd64",
                     "osImage": "Debian GNU/Linux 12 (bookworm)", "containerRuntimeVersion": "containerd://2.1.4",
                     "kubeletVersion": VERSION, "kubeProxyVersion": "", "operatingSystem": "linux",
                     "architecture": "amd64"},
        "images": [{"names": ["docker.io/library/nginx:1.27"], "sizeBytes": 72950530}],
    }
    reg.put_internal(("", "nodes"), obj, "kubelet", "status")


def deployment(reg: Registry, ns: str, name: str, replicas: int, image: str, port: int | None = None,
               env: list[dict[str, Any]] | None = None, annotations: dict[str, str] | None = None,
               labels: dict[str, str] | None = None, resources: dict[str, Any] | None = None) -> None:
    """A Deployment (the controller creates its ReplicaSet and pods)."""
    container: dict[str, Any] = {"name": name, "image": image}
    if port:
        container["ports"] = [{"containerPort": port, "protocol": "TCP"}]
    if env:
        container["env"] = env
    container["resources"] = resources or {"requests": {"cpu": "100m", "memory": "64Mi"},
                                           "limits": {"cpu": "500m", "memory": "128Mi"}}
    tmeta: dict[str, Any] = {"labels": {"app": name, **(labels or {})}}
    if annotations:
        tmeta["annotations"] = annotations
    _create(reg, "apps", "deployments", {
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name, **(labels or {})}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": tmeta, "spec": {"containers": [container]}}}},
        "kubectl-client-side-apply")


def service(reg: Registry, ns: str, name: str, port: int, target: int, selector: dict[str, str] | None = None) -> None:
    """A ClusterIP service."""
    _create(reg, "", "services", {"metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
                                  "spec": {"selector": selector or {"app": name},
                                           "ports": [{"name": "http", "port": port, "targetPort": target,
                                                      "protocol": "TCP"}]}}, "kubectl-client-side-apply")


def empty(reg: Registry, ca_pem: bytes) -> None:
    """Just the system namespaces and two nodes."""
    base(reg, ca_pem)


def demo(reg: Registry, ca_pem: bytes) -> None:
    """Namespaces shop and monitoring with deployments, services, config, a secret and a crash-looping pod."""
    base(reg, ca_pem)
    namespace(reg, "shop", ca_pem, {"team": "shop"})
    namespace(reg, "monitoring", ca_pem, {"team": "platform"})
    deployment(reg, "kube-system", "coredns", 2, "registry.k8s.io/coredns/coredns:v1.11.3", 53,
               labels={"k8s-app": "kube-dns"})
    deployment(reg, "shop", "frontend", 3, "nginx:1.27", 80, labels={"tier": "web"})
    deployment(reg, "shop", "api", 2, "ghcr.io/example/shop-api:2.3.1", 8080, labels={"tier": "backend"},
               env=[{"name": "DB_HOST", "value": "payments-db.shop.svc.cluster.local"},
                    {"name": "LOG_LEVEL", "value": "info"}])
    deployment(reg, "shop", "payments", 1, "ghcr.io/example/payments:1.4.2", 8443, labels={"tier": "backend"},
               annotations={BEHAVIOR_ANNOTATION: "crashloop"},
               env=[{"name": "DATABASE_URL", "value": "postgres://payments@payments-db.shop.svc.cluster.local:5432/payments"},
                    {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "shop-db-credentials",
                                                                           "key": "password"}}}])
    deployment(reg, "monitoring", "prometheus", 1, "prom/prometheus:v2.53.0", 9090, labels={"tier": "monitoring"})
    service(reg, "shop", "frontend", 80, 80)
    service(reg, "shop", "api", 8080, 8080)
    service(reg, "shop", "payments", 8443, 8443)
    service(reg, "monitoring", "prometheus", 9090, 9090)
    _create(reg, "", "configmaps", {"metadata": {"name": "shop-config", "namespace": "shop", "labels": {"app": "shop"}},
                                    "data": {"FEATURE_FLAGS": "new-checkout,recommendations",
                                             "CURRENCY": "EUR", "API_URL": "http://api.shop.svc:8080"}},
            "kubectl-client-side-apply")
    _create(reg, "", "configmaps", {"metadata": {"name": "prometheus-config", "namespace": "monitoring"},
                                    "data": {"prometheus.yml": "global:\n  scrape_interval: 15s\nscrape_configs:\n"
                                                               "- job_name: kubernetes-pods\n"
                                                               "  kubernetes_sd_configs:\n  - role: pod\n"}},
            "kubectl-client-side-apply")

    def b64(s: str) -> str:
        return base64.b64encode(s.encode()).decode()
    _create(reg, "", "secrets", {"metadata": {"name": "shop-db-credentials", "namespace": "shop",
                                              "labels": {"app": "payments"}},
                                 "type": "Opaque",
                                 "data": {"username": b64("payments"), "password": b64("s3cr3t-Passw0rd!"),
                                          "url": b64("postgres://payments:s3cr3t-Passw0rd!@payments-db:5432/payments")}},
            "kubectl-client-side-apply")


def bench(reg: Registry, ca_pem: bytes, pods: int, cp: ControlPlane) -> None:
    """``pods`` Running pods in namespace ``bench``, written straight to the store (no controller work)."""
    base(reg, ca_pem)
    namespace(reg, "bench", ca_pem)
    now = kjson.rfc3339()
    store = reg.store
    rs_hash = "5d8f7c9b4"
    for i in range(pods):
        node_name = NODE_NAMES[i % len(NODE_NAMES)]
        name = f"bench-{rs_hash}-{i:05d}"
        uid = str(uuid.uuid4())
        ip = cp.alloc_pod_ip(node_name)
        spec = cp.pod_spec({"containers": [{"name": "app", "image": "nginx:1.27",
                                            "ports": [{"containerPort": 80, "protocol": "TCP"}],
                                            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}, name)
        spec["nodeName"] = node_name
        default_pod_spec(spec)
        pod = {"kind": "Pod", "apiVersion": "v1",
               "metadata": {"name": name, "namespace": "bench", "uid": uid, "generation": 1,
                            "creationTimestamp": now,
                            "labels": {"app": "bench", "shard": f"s{i % 10}", "pod-template-hash": rs_hash}},
               "spec": spec,
               "status": {"phase": "Running",
                          "conditions": [{"type": t, "status": "True", "lastProbeTime": None,
                                          "lastTransitionTime": now}
                                         for t in ("PodReadyToStartContainers", "Initialized", "Ready",
                                                   "ContainersReady", "PodScheduled")],
                          "hostIP": node_ip(node_name), "hostIPs": [{"ip": node_ip(node_name)}],
                          "podIP": ip, "podIPs": [{"ip": ip}], "startTime": now,
                          "containerStatuses": [{"name": "app", "state": {"running": {"startedAt": now}},
                                                 "lastState": {}, "ready": True, "restartCount": 0,
                                                 "image": image_ref("nginx:1.27"), "imageID": image_id("nginx:1.27"),
                                                 "containerID": container_id(uid, "app", 0), "started": True}],
                          "qosClass": "Burstable"}}
        store.put(("", "pods"), pod)


SCENARIOS = ("demo", "bench", "empty")
