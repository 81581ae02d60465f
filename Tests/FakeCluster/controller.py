"""A tiny control plane: deployment and replicaset controllers, scheduler, kubelet, garbage collector, events.

It reacts to store events (through a work queue, never re-entrantly) and keeps the fake realistic:
Deployment -> ReplicaSet (``pod-template-hash``) -> Pods that are scheduled on ``node-1``/``node-2`` and become
Running/Ready within ~0.3 s; rollouts on template change; scaling; ownerReference garbage collection with
Background/Foreground/Orphan propagation; graceful pod termination; crash-looping containers; and the events
the real components emit (Scheduled, Pulled, Created, Started, ScalingReplicaSet, SuccessfulCreate, Killing,
BackOff, ...).
"""

from __future__ import annotations

import asyncio
import copy
import datetime as _dt
import hashlib
import math
import traceback
import uuid
import zlib
from typing import Any

import kjson
from registry import SUFFIX_ALPHABET, Registry, Requester, default_pod_spec, qos_class, random_suffix
from store import Event, GroupResource, Store

PODS: GroupResource = ("", "pods")
RS: GroupResource = ("apps", "replicasets")
DEPLOY: GroupResource = ("apps", "deployments")
EVENTS: GroupResource = ("", "events")
NODES: GroupResource = ("", "nodes")
NAMESPACES: GroupResource = ("", "namespaces")
ROOT_CA_DESCRIPTION = ("Contains a CA bundle that can be used to verify the kube-apiserver when using internal "
                       "endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "
                       "guaranteed across distributions of Kubernetes clusters.")
BEHAVIOR_ANNOTATION = "fake.kube-mcp.io/behavior"
# Seconds the kubelet takes to start a pod's containers (pod or pod-template annotation; default start_delay):
# makes rollouts slow enough to watch them progress.
START_DELAY_ANNOTATION = "fake.kube-mcp.io/start-delay-seconds"
NODE_NAMES = ("node-1", "node-2")


def node_ip(node: str) -> str:
    """Fake InternalIP of a node."""
    idx = NODE_NAMES.index(node) if node in NODE_NAMES else (zlib.crc32(node.encode()) % 200)
    return f"192.168.49.{2 + idx}"


def template_hash(template: dict[str, Any]) -> str:
    """``pod-template-hash``: fnv32a of the template, rendered with ``rand.SafeEncodeString``."""
    data = kjson.encode(template)
    h = 0x811C9DC5
    for b in hashlib.sha256(data).digest():
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return "".join(SUFFIX_ALPHABET[ord(ch) % len(SUFFIX_ALPHABET)] for ch in str(h))


def image_ref(image: str) -> str:
    """Docker-normalised image reference as the runtime reports it."""
    name = image.split("@")[0]
    if ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    first = name.split("/")[0]
    if "/" not in name:
        name = "docker.io/library/" + name
    elif "." not in first and ":" not in first and first != "localhost":
        name = "docker.io/" + name
    return name


def image_id(image: str) -> str:
    """A stable fake digest reference."""
    ref = image_ref(image)
    return ref.rsplit(":", 1)[0] + "@sha256:" + hashlib.sha256(ref.encode()).hexdigest()


def container_id(pod_uid: str, name: str, restart: int) -> str:
    """A stable fake containerd id."""
    return "containerd://" + hashlib.sha256(f"{pod_uid}/{name}/{restart}".encode()).hexdigest()


def owner_ref(obj: dict[str, Any], controller: bool = True) -> dict[str, Any]:
    """An ownerReference pointing at ``obj``."""
    return {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "name": obj["metadata"]["name"],
            "uid": obj["metadata"]["uid"], "controller": controller, "blockOwnerDeletion": True}


def controller_uid(obj: dict[str, Any]) -> str | None:
    """uid of the controlling owner, if any."""
    for ref in obj["metadata"].get("ownerReferences") or ():
        if ref.get("controller"):
            return ref.get("uid")
    return None


class ControlPlane:
    """All fake controllers, driven by one asyncio worker."""

    def __init__(self, registry: Registry, start_delay: float = 0.2, crash_interval: float = 10.0,
                 terminate_delay: float = 0.2, ca_pem: bytes = b"") -> None:
        self.registry = registry
        self.ca_pem = ca_pem
        self.store: Store = registry.store
        self.start_delay = start_delay
        self.crash_interval = crash_interval
        self.terminate_delay = terminate_delay
        self.queue: asyncio.Queue[tuple[str, str, str]] | None = None
        self.pending: set[tuple[str, str, str]] = set()
        self.ip_counter: dict[str, int] = {}
        self._node_rr = 0
        self._tasks: set[asyncio.Task] = set()
        self._killing: set[str] = set()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.store.listeners.append(self._on_event)
        registry.on_delete.append(self._on_delete)

    # -- plumbing --

    def start(self) -> None:
        """Start the worker on the running loop."""
        self.loop = asyncio.get_running_loop()
        self.queue = asyncio.Queue()
        for item in sorted(self.pending):
            self.queue.put_nowait(item)
        self._spawn(self._worker())
        self._spawn(self._crashloop_ticker())

    def _spawn(self, coro) -> None:
        t = asyncio.ensure_future(coro)
        self._tasks.add(t)
        t.add_done_callback(self._tasks.discard)

    def enqueue(self, kind: str, ns: str, name: str, delay: float = 0.0) -> None:
        """Schedule a reconcile of ``kind`` (deploy, rs, pod, gc, ns-delete, pod-kill)."""
        item = (kind, ns, name)
        if self.loop is None or self.queue is None:
            self.pending.add(item)
            return
        if delay > 0:
            self.loop.call_later(delay, self.enqueue, kind, ns, name)
            return
        if item in self.pending:
            return
        self.pending.add(item)
        self.queue.put_nowait(item)

    async def _worker(self) -> None:
        assert self.queue is not None
        while True:
            item = await self.queue.get()
            self.pending.discard(item)
            try:
                self.reconcile(*item)
            except Exception:  # keep the control plane alive; the fake must not die on one bad object
                traceback.print_exc()

    async def settle(self, timeout: float = 5.0) -> None:
        """Process the queue until it stays empty (used before reporting READY)."""
        deadline = asyncio.get_running_loop().time() + timeout
        quiet = 0
        while asyncio.get_running_loop().time() < deadline and quiet < 3:
            await asyncio.sleep(0.05)
            quiet = quiet + 1 if not self.pending and (self.queue is None or self.queue.empty()) else 0

    def reconcile(self, kind: str, ns: str, name: str) -> None:
        """Dispatch one work item."""
        if kind == "deploy":
            self.sync_deployment(ns, name)
        elif kind == "rs":
            self.sync_replicaset(ns, name)
        elif kind == "pod":
            self.sync_pod(ns, name)
        elif kind == "pod-kill":
            self.finish_pod(ns, name)
        elif kind == "gc":
            self.collect(name)
        elif kind == "ns-init":
            self.init_namespace(name)
        elif kind == "ns-delete":
            self.finish_namespace(name)
        elif kind == "foreground":
            self.check_foreground(name)

    def _on_event(self, ev: Event) -> None:
        obj = ev.stored.obj
        meta = obj["metadata"]
        ns = meta.get("namespace", "")
        if ev.gr == DEPLOY and ev.type != "DELETED":
            self.enqueue("deploy", ns, meta["name"])
        elif ev.gr == RS:
            if ev.type != "DELETED":
                self.enqueue("rs", ns, meta["name"])
            self._enqueue_owner(obj, "Deployment", "deploy")
        elif ev.gr == NAMESPACES and ev.type == "ADDED":
            self.enqueue("ns-init", "", meta["name"])
        elif ev.gr == PODS:
            if ev.type != "DELETED":
                self.enqueue("pod", ns, meta["name"])
            self._enqueue_owner(obj, "ReplicaSet", "rs")

    def _enqueue_owner(self, obj: dict[str, Any], kind: str, work: str) -> None:
        for ref in obj["metadata"].get("ownerReferences") or ():
            if ref.get("kind") == kind and ref.get("controller"):
                self.enqueue(work, obj["metadata"].get("namespace", ""), ref["name"])

    def _on_delete(self, gr: GroupResource, obj: dict[str, Any], policy: str) -> None:
        meta = obj["metadata"]
        uid = meta.get("uid", "")
        if policy == "Namespace":
            self.enqueue("ns-delete", "", meta["name"], delay=0.05)
        elif policy == "Graceful":
            self.enqueue("pod-kill", meta.get("namespace", ""), meta["name"])
        elif policy == "Foreground":
            self.enqueue("gc", "", uid)
            self.enqueue("foreground", "", uid, delay=0.05)
        elif policy == "Background" and self.store.dependents.get(uid):
            self.enqueue("gc", "", uid, delay=0.02)
        for ref in meta.get("ownerReferences") or ():
            owner = self.store.get_by_uid(ref.get("uid", ""))
            if owner and "foregroundDeletion" in (owner[1].obj["metadata"].get("finalizers") or []):
                self.enqueue("foreground", "", ref["uid"], delay=0.02)

    # -- events --

    def record(self, obj: dict[str, Any], etype: str, reason: str, message: str, component: str,
               host: str = "", field_path: str = "") -> None:
        """Record (or bump the count of) a core/v1 Event about ``obj``."""
        meta = obj["metadata"]
        ns = meta.get("namespace") or "default"
        if self.store.get(("", "namespaces"), None, ns) is None:
            return
        now = kjson.rfc3339()
        involved: dict[str, Any] = {"kind": obj["kind"], "namespace": meta.get("namespace", ""),
                                    "name": meta["name"], "uid": meta.get("uid", ""),
                                    "apiVersion": obj["apiVersion"], "resourceVersion": meta.get("resourceVersion", "")}
        if not meta.get("namespace"):
            del involved["namespace"]
        if field_path:
            involved["fieldPath"] = field_path
        key = hashlib.sha1(f"{meta.get('uid')}/{reason}/{message}/{field_path}".encode()).hexdigest()[:16]
        name = f"{meta['name']}.{key}"
        existing = self.store.get(EVENTS, ns, name)
        if existing is not None:
            ev = copy.deepcopy(existing.obj)
            ev["count"] = int(ev.get("count") or 1) + 1
            ev["lastTimestamp"] = now
            ev["involvedObject"] = involved
            self.store.put(EVENTS, ev)
            return
        source: dict[str, Any] = {"component": component}
        if host:
            source["host"] = host
        ev = {"kind": "Event", "apiVersion": "v1",
              "metadata": {"name": name, "namespace": ns, "uid": str(uuid.uuid4()), "creationTimestamp": now},
              "involvedObject": involved, "reason": reason, "message": message, "source": source,
              "firstTimestamp": now, "lastTimestamp": now, "count": 1, "type": etype, "eventTime": None,
              "reportingComponent": component, "reportingInstance": host or ""}
        self.store.put(EVENTS, ev)

    # -- deployments --

    def _owned(self, gr: GroupResource, ns: str, uid: str) -> list[dict[str, Any]]:
        out = []
        for g, key in self.store.dependents.get(uid, ()):
            if g != gr:
                continue
            st = self.store.tables.get(gr, {}).get(key)
            if st is not None and controller_uid(st.obj) == uid:
                out.append(st.obj)
        out.sort(key=lambda o: o["metadata"]["name"])
        return out

    def _scale_rs(self, d: dict[str, Any], rs: dict[str, Any], replicas: int) -> dict[str, Any]:
        old = rs["spec"].get("replicas", 0)
        if old == replicas:
            return rs
        new = copy.deepcopy(rs)
        new["spec"]["replicas"] = replicas
        ann = new["metadata"].setdefault("annotations", {})
        ann["deployment.kubernetes.io/desired-replicas"] = str(d["spec"].get("replicas", 1))
        ann["deployment.kubernetes.io/max-replicas"] = str(d["spec"].get("replicas", 1) + _surge(d))
        stored = self.registry.put_internal(RS, new, "kube-controller-manager")
        verb = "up" if replicas > old else "down"
        self.record(d, "Normal", "ScalingReplicaSet",
                    f"Scaled {verb} replica set {rs['metadata']['name']} from {old} to {replicas}",
                    "deployment-controller")
        return stored.obj

    def sync_deployment(self, ns: str, name: str) -> None:
        """Reconcile one Deployment: its ReplicaSets, rollout and status."""
        st = self.store.get(DEPLOY, ns, name)
        if st is None or st.obj["metadata"].get("deletionTimestamp"):
            return
        d = st.obj
        spec = d.get("spec") or {}
        uid = d["metadata"]["uid"]
        desired = int(spec.get("replicas", 1))
        template = spec.get("template") or {}
        h = template_hash(template)
        rss = self._owned(RS, ns, uid)
        new_rs = next((r for r in rss if (r["metadata"].get("labels") or {}).get("pod-template-hash") == h), None)
        olds = [r for r in rss if r is not new_rs]
        revision = max([int((r["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision", "0"))
                        for r in rss] + [0])
        recreate = (spec.get("strategy") or {}).get("type") == "Recreate"
        created_new = False
        if spec.get("paused"):
            self._deployment_status(d, new_rs, olds)
            return
        if new_rs is None:
            if recreate and any(r["spec"].get("replicas", 0) or r.get("status", {}).get("replicas", 0) for r in olds):
                for r in olds:
                    self._scale_rs(d, r, 0)
                self._deployment_status(d, None, olds)
                return
            tmpl = copy.deepcopy(template)
            tmpl.setdefault("metadata", {}).setdefault("labels", {})["pod-template-hash"] = h
            selector = copy.deepcopy(spec.get("selector") or {})
            selector.setdefault("matchLabels", {})["pod-template-hash"] = h
            rs_obj = {"kind": "ReplicaSet", "apiVersion": "apps/v1", "metadata": {
                "name": f"{name}-{h}", "namespace": ns, "uid": str(uuid.uuid4()),
                "generation": 1, "creationTimestamp": kjson.rfc3339(),
                "labels": dict(tmpl["metadata"]["labels"]),
                "annotations": {"deployment.kubernetes.io/desired-replicas": str(desired),
                                "deployment.kubernetes.io/max-replicas": str(desired + _surge(d)),
                                "deployment.kubernetes.io/revision": str(revision + 1)},
                "ownerReferences": [owner_ref(d)]},
                "spec": {"replicas": 0, "selector": selector, "template": tmpl}, "status": {"replicas": 0}}
            new_rs = self.registry.put_internal(RS, rs_obj, "kube-controller-manager").obj
            created_new = True
            revision += 1
            d2 = copy.deepcopy(d)
            d2["metadata"].setdefault("annotations", {})["deployment.kubernetes.io/revision"] = str(revision)
            d = self.registry.put_internal(DEPLOY, d2, "kube-controller-manager").obj
        rs_rev = (new_rs["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision")
        if rs_rev and (d["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision") != rs_rev:
            d2 = copy.deepcopy(d)
            d2["metadata"].setdefault("annotations", {})["deployment.kubernetes.io/revision"] = rs_rev
            d = self.registry.put_internal(DEPLOY, d2, "kube-controller-manager").obj
        new_rs = self._scale_rs(d, new_rs, desired)
        ready_new = (new_rs.get("status") or {}).get("readyReplicas", 0)
        if ready_new >= desired or recreate:
            for r in olds:
                if r["spec"].get("replicas", 0) > 0:
                    self._scale_rs(d, r, 0)
        self._deployment_status(d, new_rs, olds, created_new)

    def _deployment_status(self, d: dict[str, Any], new_rs: dict[str, Any] | None, olds: list[dict[str, Any]],
                           created_new: bool = False) -> None:
        all_rs = ([new_rs] if new_rs else []) + olds
        desired = int(d["spec"].get("replicas", 1))
        replicas = sum((r.get("status") or {}).get("replicas", 0) for r in all_rs)
        ready = sum((r.get("status") or {}).get("readyReplicas", 0) for r in all_rs)
        available = sum((r.get("status") or {}).get("availableReplicas", 0) for r in all_rs)
        updated = (new_rs.get("status") or {}).get("replicas", 0) if new_rs else 0
        status: dict[str, Any] = {"observedGeneration": d["metadata"].get("generation", 1)}
        if replicas:
            status["replicas"] = replicas
        if updated:
            status["updatedReplicas"] = updated
        if ready:
            status["readyReplicas"] = ready
        if available:
            status["availableReplicas"] = available
        if replicas - available > 0 or desired - available > 0:
            status["unavailableReplicas"] = max(replicas, desired) - available
        now = kjson.rfc3339()
        old_conds = {c["type"]: c for c in (d.get("status") or {}).get("conditions") or []}
        max_unavail = _max_unavailable(d)
        avail_ok = available >= desired - max_unavail
        conds = []

        def cond(ctype: str, status_: str, reason: str, message: str) -> dict[str, Any]:
            prev = old_conds.get(ctype)
            same = prev and prev.get("status") == status_
            same_all = same and prev.get("reason") == reason and prev.get("message") == message
            return {"type": ctype, "status": status_,
                    "lastUpdateTime": prev["lastUpdateTime"] if same_all else now,
                    "lastTransitionTime": prev["lastTransitionTime"] if same else now,
                    "reason": reason, "message": message}
        conds.append(cond("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.")
                     if avail_ok else
                     cond("Available", "False", "MinimumReplicasUnavailable",
                          "Deployment does not have minimum availability."))
        rs_name = new_rs["metadata"]["name"] if new_rs else ""
        complete = new_rs is not None and updated == desired and replicas == desired and available >= desired
        if complete:
            conds.append(cond("Progressing", "True", "NewReplicaSetAvailable",
                              f'ReplicaSet "{rs_name}" has successfully progressed.'))
        elif created_new and "Progressing" not in old_conds:
            conds.append(cond("Progressing", "True", "NewReplicaSetCreated", f'Created new replica set "{rs_name}"'))
        elif new_rs is not None:
            conds.append(cond("Progressing", "True", "ReplicaSetUpdated", f'ReplicaSet "{rs_name}" is progressing.'))
        # Progressing is listed first once it exists, like the controller's append order on a new deployment.
        if "Progressing" in old_conds and list(old_conds)[0] == "Progressing":
            conds.reverse()
        status["conditions"] = conds
        if status != d.get("status"):
            d2 = copy.deepcopy(d)
            d2["status"] = status
            self.registry.put_internal(DEPLOY, d2, "kube-controller-manager", "status")

    # -- replicasets --

    def sync_replicaset(self, ns: str, name: str) -> None:
        """Reconcile one ReplicaSet: create/delete pods and update status."""
        st = self.store.get(RS, ns, name)
        if st is None or st.obj["metadata"].get("deletionTimestamp"):
            return
        rs = st.obj
        uid = rs["metadata"]["uid"]
        pods = self._owned(PODS, ns, uid)
        active = [p for p in pods if not p["metadata"].get("deletionTimestamp")
                  and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
        desired = int((rs.get("spec") or {}).get("replicas", 1))
        if len(active) < desired:
            for _ in range(desired - len(active)):
                self._create_pod(rs)
        elif len(active) > desired:
            victims = sorted(active, key=lambda p: (_is_ready(p), p["metadata"]["creationTimestamp"]),
                             reverse=False)[: len(active) - desired]
            info = self.registry.discovery.lookup("", "v1", "pods")
            for p in victims:
                try:
                    self.registry.delete(info, ns, p["metadata"]["name"], {}, Requester("kube-controller-manager"))
                except Exception:
                    continue
                self.record(rs, "Normal", "SuccessfulDelete", f"Deleted pod: {p['metadata']['name']}",
                            "replicaset-controller")
            active = [p for p in active if p not in victims]
        ready = sum(1 for p in active if _is_ready(p))
        status: dict[str, Any] = {"replicas": len(active)}
        if active:
            status["fullyLabeledReplicas"] = len(active)
        if ready:
            status["readyReplicas"] = ready
            status["availableReplicas"] = ready
        status["observedGeneration"] = rs["metadata"].get("generation", 1)
        if status != rs.get("status"):
            rs2 = copy.deepcopy(self.store.get(RS, ns, name).obj)
            rs2["status"] = status
            self.registry.put_internal(RS, rs2, "kube-controller-manager", "status")

    def _create_pod(self, rs: dict[str, Any]) -> None:
        ns = rs["metadata"]["namespace"]
        tmpl = copy.deepcopy(rs["spec"].get("template") or {})
        for _ in range(10):
            name = f"{rs['metadata']['name']}-{random_suffix(5, self.registry.rng)}"
            if self.store.get(PODS, ns, name) is None:
                break
        meta = tmpl.get("metadata") or {}
        spec = tmpl.get("spec") or {}
        pod = {"kind": "Pod", "apiVersion": "v1",
               "metadata": {"name": name, "generateName": rs["metadata"]["name"] + "-", "namespace": ns,
                            "uid": str(uuid.uuid4()), "generation": 1, "creationTimestamp": kjson.rfc3339(),
                            "labels": dict(meta.get("labels") or {}),
                            "ownerReferences": [owner_ref(rs)]},
               "spec": self.pod_spec(spec, name), "status": {"phase": "Pending"}}
        if meta.get("annotations"):
            pod["metadata"]["annotations"] = dict(meta["annotations"])
        pod["status"]["qosClass"] = qos_class(pod["spec"])
        self.registry.put_internal(PODS, pod, "kube-controller-manager")
        self.record(rs, "Normal", "SuccessfulCreate", f"Created pod: {name}", "replicaset-controller")

    def pod_spec(self, spec: dict[str, Any], pod_name: str) -> dict[str, Any]:
        """A pod spec as the apiserver defaults and admission (service account) complete it."""
        spec = copy.deepcopy(spec)
        default_pod_spec(spec)
        vol = "kube-api-access-" + random_suffix(5, self.registry.rng)
        spec.setdefault("volumes", []).append({"name": vol, "projected": {"sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1",
                                                                          "fieldPath": "metadata.namespace"}}]}}],
            "defaultMode": 420}})
        for c in spec.get("containers") or []:
            c.setdefault("volumeMounts", []).append({"name": vol, "readOnly": True,
                                                     "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"})
        spec.setdefault("serviceAccountName", "default")
        spec.setdefault("serviceAccount", spec["serviceAccountName"])
        spec.setdefault("tolerations", [
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
             "tolerationSeconds": 300},
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
             "tolerationSeconds": 300}])
        spec.setdefault("priority", 0)
        spec.setdefault("enableServiceLinks", True)
        spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
        return spec

    # -- scheduler + kubelet --

    def _pick_node(self) -> str:
        nodes = [k for k, st in self.store.iter(NODES) if not (st.obj.get("spec") or {}).get("unschedulable")]
        nodes = nodes or list(NODE_NAMES)
        node = nodes[self._node_rr % len(nodes)]
        self._node_rr += 1
        return node

    def alloc_pod_ip(self, node: str) -> str:
        """Next pod IP from the node's /24."""
        idx = NODE_NAMES.index(node) if node in NODE_NAMES else 9
        n = self.ip_counter.get(node, 1) + 1
        self.ip_counter[node] = n
        return f"10.244.{idx * 4 + (n // 250)}.{n % 250 + 2}"

    def sync_pod(self, ns: str, name: str) -> None:
        """Schedule and start pods; handles terminating pods too."""
        st = self.store.get(PODS, ns, name)
        if st is None:
            return
        pod = st.obj
        meta = pod["metadata"]
        if meta.get("deletionTimestamp"):
            self.enqueue("pod-kill", ns, name)
            return
        spec = pod.get("spec") or {}
        status = pod.get("status") or {}
        if not spec.get("nodeName"):
            node = self._pick_node()
            p = copy.deepcopy(pod)
            p["spec"]["nodeName"] = node
            now = kjson.rfc3339()
            p["status"]["conditions"] = [{"type": "PodScheduled", "status": "True", "lastProbeTime": None,
                                          "lastTransitionTime": now}]
            self.registry.put_internal(PODS, p, "kube-scheduler", "status")
            self.record(p, "Normal", "Scheduled", f"Successfully assigned {ns}/{name} to {node}", "default-scheduler")
            return
        if status.get("phase") == "Pending" and not status.get("containerStatuses"):
            self._kubelet_create(pod)

    def _kubelet_create(self, pod: dict[str, Any]) -> None:
        """Pending pod on a node: report ContainerCreating, then start it after ``start_delay``."""
        p = copy.deepcopy(pod)
        node = p["spec"]["nodeName"]
        now = kjson.rfc3339()
        st = p["status"]
        st["hostIP"] = node_ip(node)
        st["hostIPs"] = [{"ip": st["hostIP"]}]
        st["startTime"] = now
        st["conditions"] = _pod_conditions(now, ready=False, initialized=True,
                                           unready=[c["name"] for c in p["spec"].get("containers", [])])
        st["containerStatuses"] = [{"name": c["name"], "state": {"waiting": {"reason": "ContainerCreating"}},
                                    "lastState": {}, "ready": False, "restartCount": 0, "image": c.get("image", ""),
                                    "imageID": "", "started": False} for c in p["spec"].get("containers", [])]
        self.registry.put_internal(PODS, p, "kubelet", "status")
        if self.loop is not None:
            self.loop.call_later(self._start_delay(p), self._kubelet_start, p["metadata"]["namespace"],
                                 p["metadata"]["name"], p["metadata"]["uid"])
        else:
            self._kubelet_start(p["metadata"]["namespace"], p["metadata"]["name"], p["metadata"]["uid"])

    def _start_delay(self, pod: dict[str, Any]) -> float:
        """The pod's ``START_DELAY_ANNOTATION`` in seconds (0..3600), else the default."""
        raw = (pod["metadata"].get("annotations") or {}).get(START_DELAY_ANNOTATION)
        try:
            return min(max(float(raw), 0.0), 3600.0) if raw is not None else self.start_delay
        except ValueError:
            return self.start_delay

    def _kubelet_start(self, ns: str, name: str, uid: str) -> None:
        st = self.store.get(PODS, ns, name)
        if st is None or st.obj["metadata"]["uid"] != uid or st.obj["metadata"].get("deletionTimestamp"):
            return
        p = copy.deepcopy(st.obj)
        node = p["spec"]["nodeName"]
        crash = (p["metadata"].get("annotations") or {}).get(BEHAVIOR_ANNOTATION) == "crashloop"
        for c in p["spec"].get("containers", []):
            fp = f"spec.containers{{{c['name']}}}"
            self.record(p, "Normal", "Pulled", f'Container image "{c.get("image", "")}" already present on machine',
                        "kubelet", node, fp)
            self.record(p, "Normal", "Created", f"Created container: {c['name']}", "kubelet", node, fp)
            self.record(p, "Normal", "Started", f"Started container {c['name']}", "kubelet", node, fp)
        p = copy.deepcopy(self.store.get(PODS, ns, name).obj)
        now = kjson.rfc3339()
        ip = self.alloc_pod_ip(node)
        st2 = p["status"]
        st2["phase"] = "Running"
        st2["podIP"] = ip
        st2["podIPs"] = [{"ip": ip}]
        statuses = []
        for c in p["spec"].get("containers", []):
            statuses.append({"name": c["name"], "state": {"running": {"startedAt": now}}, "lastState": {},
                             "ready": not crash, "restartCount": 0, "image": image_ref(c.get("image", "")),
                             "imageID": image_id(c.get("image", "")), "containerID": container_id(uid, c["name"], 0),
                             "started": True})
        st2["containerStatuses"] = statuses
        st2["conditions"] = _pod_conditions(now, ready=not crash, initialized=True,
                                            unready=[s["name"] for s in statuses if not s["ready"]],
                                            previous=st2.get("conditions"))
        self.registry.put_internal(PODS, p, "kubelet", "status")
        if crash:
            self.crash(ns, name)

    def crash(self, ns: str, name: str, restarts_at_least: int = 0) -> None:
        """The crash-looping container exits with code 1 and goes into CrashLoopBackOff."""
        st = self.store.get(PODS, ns, name)
        if st is None:
            return
        p = copy.deepcopy(st.obj)
        uid = p["metadata"]["uid"]
        node = p["spec"].get("nodeName", "")
        now_dt = kjson.utcnow()
        now = kjson.rfc3339(now_dt)
        for cs in p["status"].get("containerStatuses") or []:
            restarts = max(int(cs.get("restartCount", 0)) + 1, restarts_at_least)
            started = (cs.get("state", {}).get("running") or {}).get("startedAt") or \
                kjson.rfc3339(now_dt - _dt.timedelta(seconds=2))
            backoff = min(10 * 2 ** max(restarts - 1, 0), 300)
            cs["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": started,
                                              "finishedAt": now, "containerID": container_id(uid, cs["name"],
                                                                                             restarts - 1)}}
            cs["state"] = {"waiting": {"reason": "CrashLoopBackOff", "message":
                                       f"back-off {_go_duration(backoff)} restarting failed container={cs['name']} "
                                       f"pod={name}_{ns}({uid})"}}
            cs["ready"] = False
            cs["started"] = False
            cs["restartCount"] = restarts
            cs["containerID"] = container_id(uid, cs["name"], restarts - 1)
            self.record(p, "Warning", "BackOff", f"Back-off restarting failed container {cs['name']} in pod "
                        f"{name}_{ns}({uid})", "kubelet", node, f"spec.containers{{{cs['name']}}}")
        p["status"]["conditions"] = _pod_conditions(now, ready=False, initialized=True,
                                                    unready=[c["name"] for c in p["status"]["containerStatuses"]],
                                                    previous=p["status"].get("conditions"))
        self.registry.put_internal(PODS, p, "kubelet", "status")

    async def _crashloop_ticker(self) -> None:
        """Restart crash-looping containers every ``crash_interval`` seconds (restartCount keeps climbing)."""
        while True:
            await asyncio.sleep(self.crash_interval)
            for _, st in list(self.store.iter(PODS)):
                p = st.obj
                if (p["metadata"].get("annotations") or {}).get(BEHAVIOR_ANNOTATION) != "crashloop":
                    continue
                if p["metadata"].get("deletionTimestamp") or p.get("status", {}).get("phase") != "Running":
                    continue
                node = p["spec"].get("nodeName", "")
                for c in p["spec"].get("containers", []):
                    fp = f"spec.containers{{{c['name']}}}"
                    self.record(p, "Normal", "Pulled", f'Container image "{c.get("image", "")}" already present on '
                                "machine", "kubelet", node, fp)
                    self.record(p, "Normal", "Created", f"Created container: {c['name']}", "kubelet", node, fp)
                    self.record(p, "Normal", "Started", f"Started container {c['name']}", "kubelet", node, fp)
                self.crash(p["metadata"]["namespace"], p["metadata"]["name"])

    def finish_pod(self, ns: str, name: str) -> None:
        """A terminating pod: kubelet stops its containers and confirms the deletion."""
        st = self.store.get(PODS, ns, name)
        if st is None or not st.obj["metadata"].get("deletionTimestamp"):
            return
        pod = st.obj
        killing = self._killing
        uid = pod["metadata"]["uid"]
        if uid in killing:
            return
        killing.add(uid)
        for c in pod["spec"].get("containers", []):
            self.record(pod, "Normal", "Killing", f"Stopping container {c['name']}", "kubelet",
                        pod["spec"].get("nodeName", ""), f"spec.containers{{{c['name']}}}")

        def done() -> None:
            killing.discard(uid)
            cur = self.store.get(PODS, ns, name)
            if cur is not None and cur.obj["metadata"]["uid"] == uid:
                if cur.obj["metadata"].get("finalizers"):
                    return
                self.registry.force_remove(PODS, ns, name)
        if self.loop is not None:
            self.loop.call_later(self.terminate_delay, done)
        else:
            done()

    # -- garbage collection --

    def collect(self, owner_uid: str) -> None:
        """Delete (or detach) the dependents of a deleted or foreground-deleting owner."""
        owner = self.store.get_by_uid(owner_uid)
        foreground = owner is not None and "foregroundDeletion" in (owner[1].obj["metadata"].get("finalizers") or [])
        if owner is not None and not foreground:
            return
        for gr, key in list(self.store.dependents.get(owner_uid, ())):
            st = self.store.tables.get(gr, {}).get(key)
            if st is None:
                continue
            obj = st.obj
            refs = obj["metadata"].get("ownerReferences") or []
            alive = [r for r in refs if r.get("uid") != owner_uid and self.store.get_by_uid(r.get("uid", ""))]
            if alive:
                o2 = copy.deepcopy(obj)
                o2["metadata"]["ownerReferences"] = alive
                self.store.put(gr, o2)
                continue
            if obj["metadata"].get("deletionTimestamp"):
                continue
            info = self.registry.discovery.preferred(*gr)
            if info is None:
                continue
            try:
                self.registry.delete(info, obj["metadata"].get("namespace"), obj["metadata"]["name"],
                                     {"propagationPolicy": "Foreground" if foreground else "Background"},
                                     Requester("generic-garbage-collector"))
            except Exception:
                continue
        if foreground:
            self.enqueue("foreground", "", owner_uid, delay=0.05)

    def check_foreground(self, owner_uid: str) -> None:
        """Finish a foreground deletion once no dependents remain."""
        owner = self.store.get_by_uid(owner_uid)
        if owner is None:
            return
        gr, st = owner
        fins = st.obj["metadata"].get("finalizers") or []
        if "foregroundDeletion" not in fins:
            return
        if self.store.dependents.get(owner_uid):
            self.enqueue("foreground", "", owner_uid, delay=0.1)
            return
        o2 = copy.deepcopy(st.obj)
        rest = [f for f in fins if f != "foregroundDeletion"]
        if rest:
            o2["metadata"]["finalizers"] = rest
            self.store.put(gr, o2)
            return
        self.registry.force_remove(gr, o2["metadata"].get("namespace"), o2["metadata"]["name"])

    def init_namespace(self, name: str) -> None:
        """What the serviceaccount and root-ca-cert-publisher controllers add to every new namespace."""
        ns = self.store.get(NAMESPACES, None, name)
        if ns is None or ns.obj["metadata"].get("deletionTimestamp"):
            return
        now = kjson.rfc3339()
        if self.store.get(("", "serviceaccounts"), name, "default") is None:
            self.registry.put_internal(("", "serviceaccounts"), {
                "kind": "ServiceAccount", "apiVersion": "v1",
                "metadata": {"name": "default", "namespace": name, "uid": str(uuid.uuid4()),
                             "creationTimestamp": now}}, "kube-controller-manager")
        if self.ca_pem and self.store.get(("", "configmaps"), name, "kube-root-ca.crt") is None:
            self.registry.put_internal(("", "configmaps"), {
                "kind": "ConfigMap", "apiVersion": "v1",
                "metadata": {"name": "kube-root-ca.crt", "namespace": name, "uid": str(uuid.uuid4()),
                             "creationTimestamp": now,
                             "annotations": {"kubernetes.io/description": ROOT_CA_DESCRIPTION}},
                "data": {"ca.crt": self.ca_pem.decode()}}, "kube-controller-manager")

    def finish_namespace(self, name: str) -> None:
        """Delete everything in a terminating namespace, then the namespace itself."""
        ns_obj = self.store.get(("", "namespaces"), None, name)
        if ns_obj is None:
            return
        for gr, table in list(self.store.tables.items()):
            if gr == ("", "namespaces"):
                continue
            for key in [k for k in table if k.startswith(name + "/")]:
                st = table.get(key)
                if st is None:
                    continue
                self.store.remove(gr, name, st.obj["metadata"]["name"])
        self.registry.force_remove(("", "namespaces"), None, name)


def _go_duration(seconds: int) -> str:
    m, s = divmod(seconds, 60)
    return f"{m}m{s}s" if m else f"{s}s"


def _surge(d: dict[str, Any]) -> int:
    ru = ((d.get("spec") or {}).get("strategy") or {}).get("rollingUpdate") or {}
    return _int_or_percent(ru.get("maxSurge", "25%"), int(d["spec"].get("replicas", 1)), up=True)


def _max_unavailable(d: dict[str, Any]) -> int:
    strategy = (d.get("spec") or {}).get("strategy") or {}
    if strategy.get("type") == "Recreate":
        return 0
    ru = strategy.get("rollingUpdate") or {}
    return _int_or_percent(ru.get("maxUnavailable", "25%"), int(d["spec"].get("replicas", 1)), up=False)


def _int_or_percent(v: Any, total: int, up: bool) -> int:
    if isinstance(v, int):
        return v
    if isinstance(v, str) and v.endswith("%"):
        pct = int(v[:-1])
        val = total * pct / 100
        return math.ceil(val) if up else math.floor(val)
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0


def _is_ready(pod: dict[str, Any]) -> bool:
    for c in (pod.get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready":
            return c.get("status") == "True"
    return False


def _pod_conditions(now: str, ready: bool, initialized: bool, unready: list[str],
                    previous: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    prev = {c["type"]: c for c in previous or []}

    def c(ctype: str, ok: bool, reason: str = "", message: str = "") -> dict[str, Any]:
        status = "True" if ok else "False"
        p = prev.get(ctype)
        out: dict[str, Any] = {"type": ctype, "status": status, "lastProbeTime": None,
                               "lastTransitionTime": p["lastTransitionTime"] if p and p["status"] == status else now}
        if not ok and reason:
            out["reason"] = reason
            out["message"] = message
        return out
    msg = f"containers with unready status: [{' '.join(unready)}]"
    return [c("PodReadyToStartContainers", True), c("Initialized", initialized),
            c("Ready", ready, "ContainersNotReady", msg), c("ContainersReady", ready, "ContainersNotReady", msg),
            c("PodScheduled", True)]
