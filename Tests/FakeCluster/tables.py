"""Server-side printing: ``Accept: application/json;as=Table;v=v1;g=meta.k8s.io``.

Column sets follow kubernetes/kubernetes ``pkg/printers/internalversion/printers.go``; the pod column
definitions are loaded verbatim from data/examples/table-pods.json. Resources without a printer get a
Name/Age table.
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import Any, Callable

import kjson
from store import Stored

_DATA = Path(__file__).resolve().parent / "data" / "examples"
NAME_DESC = ("Name must be unique within a namespace. Is required when creating resources, although some resources "
             "may allow a client to request the generation of an appropriate name automatically. Name is primarily "
             "intended for creation idempotence and configuration definition. Cannot be updated. More info: "
             "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names")
AGE_DESC = ("CreationTimestamp is a timestamp representing the server time when this object was created. It is not "
            "guaranteed to be set in happens-before order across separate operations. Clients may not set this "
            "value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for "
            "lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata")


def col(name: str, description: str, type_: str = "string", priority: int = 0, fmt: str = "") -> dict[str, Any]:
    """One TableColumnDefinition."""
    return {"name": name, "type": type_, "format": fmt, "description": description, "priority": priority}


NAME_COL = col("Name", NAME_DESC, fmt="name")
AGE_COL = col("Age", AGE_DESC)
POD_COLUMNS: list[dict[str, Any]] = json.loads((_DATA / "table-pods.json").read_text())["columnDefinitions"]


def _join(items: list[str]) -> str:
    return ",".join(items) if items else "<none>"


def _selector(sel: dict[str, Any] | None) -> str:
    if not sel:
        return "<none>"
    parts = [f"{k}={v}" for k, v in sorted((sel.get("matchLabels") or {}).items())]
    for e in sel.get("matchExpressions") or []:
        op = e.get("operator", "")
        if op == "In":
            parts.append(f"{e['key']} in ({','.join(e.get('values') or [])})")
        elif op == "NotIn":
            parts.append(f"{e['key']} notin ({','.join(e.get('values') or [])})")
        elif op == "Exists":
            parts.append(e["key"])
        elif op == "DoesNotExist":
            parts.append(f"!{e['key']}")
    return ",".join(parts) if parts else "<none>"


def pod_status_reason(pod: dict[str, Any]) -> str:
    """The STATUS column of ``kubectl get pods`` (printPod)."""
    status = pod.get("status") or {}
    reason = status.get("reason") or status.get("phase") or ""
    init_statuses = status.get("initContainerStatuses") or []
    initializing = False
    for i, c in enumerate(init_statuses):
        state = c.get("state") or {}
        term = state.get("terminated")
        if term and term.get("exitCode") == 0:
            continue
        if term:
            reason = "Init:" + (term.get("reason") or (f"Signal:{term['signal']}" if term.get("signal")
                                                      else f"ExitCode:{term.get('exitCode')}"))
        elif (state.get("waiting") or {}).get("reason") and state["waiting"]["reason"] != "PodInitializing":
            reason = "Init:" + state["waiting"]["reason"]
        else:
            reason = f"Init:{i}/{len((pod.get('spec') or {}).get('initContainers') or [])}"
        initializing = True
        break
    if not initializing:
        has_running = False
        for c in reversed(status.get("containerStatuses") or []):
            state = c.get("state") or {}
            if (state.get("waiting") or {}).get("reason"):
                reason = state["waiting"]["reason"]
            elif state.get("terminated"):
                t = state["terminated"]
                reason = t.get("reason") or (f"Signal:{t['signal']}" if t.get("signal") else f"ExitCode:{t.get('exitCode')}")
            elif state.get("running") and c.get("ready"):
                has_running = True
        if reason == "Completed" and has_running:
            reason = "Running"
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        reason = "Unknown" if status.get("reason") == "NodeLost" else "Terminating"
    return reason


def _pod_row(pod: dict[str, Any], now: _dt.datetime) -> list[Any]:
    status = pod.get("status") or {}
    spec = pod.get("spec") or {}
    statuses = status.get("containerStatuses") or []
    total = len(spec.get("containers") or [])
    ready = sum(1 for c in statuses if c.get("ready"))
    restarts = sum(int(c.get("restartCount") or 0) for c in statuses)
    last: _dt.datetime | None = None
    for c in statuses:
        fin = ((c.get("lastState") or {}).get("terminated") or {}).get("finishedAt")
        if fin:
            t = kjson.parse_time(fin)
            last = t if last is None or t > last else last
    restarts_s = str(restarts)
    if restarts and last is not None:
        restarts_s = f"{restarts} ({kjson.human_duration((now - last).total_seconds())} ago)"
    gates = spec.get("readinessGates") or []
    gates_s = "<none>"
    if gates:
        conds = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
        ok = sum(1 for g in gates if conds.get(g.get("conditionType")) == "True")
        gates_s = f"{ok}/{len(gates)}"
    return [pod["metadata"]["name"], f"{ready}/{total}", pod_status_reason(pod), restarts_s,
            kjson.age(pod["metadata"].get("creationTimestamp"), now), status.get("podIP") or "<none>",
            spec.get("nodeName") or "<none>", status.get("nominatedNodeName") or "<none>", gates_s]


def _template_containers(obj: dict[str, Any]) -> tuple[str, str]:
    cs = (((obj.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers") or []
    return _join([c.get("name", "") for c in cs]), _join([c.get("image", "") for c in cs])


def _deploy_row(d: dict[str, Any], now: _dt.datetime) -> list[Any]:
    spec, st = d.get("spec") or {}, d.get("status") or {}
    names, images = _template_containers(d)
    return [d["metadata"]["name"], f"{st.get('readyReplicas', 0)}/{spec.get('replicas', 0)}",
            st.get("updatedReplicas", 0), st.get("availableReplicas", 0),
            kjson.age(d["metadata"].get("creationTimestamp"), now), names, images, _selector(spec.get("selector"))]


def _rs_row(r: dict[str, Any], now: _dt.datetime) -> list[Any]:
    spec, st = r.get("spec") or {}, r.get("status") or {}
    names, images = _template_containers(r)
    return [r["metadata"]["name"], spec.get("replicas", 0), st.get("replicas", 0), st.get("readyReplicas", 0),
            kjson.age(r["metadata"].get("creationTimestamp"), now), names, images, _selector(spec.get("selector"))]


def _ports(ports: list[dict[str, Any]]) -> str:
    out = []
    for p in ports or []:
        s = f"{p.get('port')}"
        if p.get("nodePort"):
            s += f":{p['nodePort']}"
        out.append(f"{s}/{p.get('protocol', 'TCP')}")
    return ",".join(out) if out else "<none>"


def _svc_row(s: dict[str, Any], now: _dt.datetime) -> list[Any]:
    spec = s.get("spec") or {}
    ext = [i.get("ip") or i.get("hostname") for i in ((s.get("status") or {}).get("loadBalancer") or {})
           .get("ingress") or []]
    ext += spec.get("externalIPs") or []
    typ = spec.get("type", "ClusterIP")
    external = ",".join(ext) if ext else ("<pending>" if typ == "LoadBalancer" else
                                          spec.get("externalName", "<none>") if typ == "ExternalName" else "<none>")
    sel = spec.get("selector") or {}
    return [s["metadata"]["name"], typ, spec.get("clusterIP") or "<none>", external, _ports(spec.get("ports")),
            kjson.age(s["metadata"].get("creationTimestamp"), now),
            ",".join(f"{k}={v}" for k, v in sorted(sel.items())) or "<none>"]


def _node_row(n: dict[str, Any], now: _dt.datetime) -> list[Any]:
    st = n.get("status") or {}
    conds = {c.get("type"): c.get("status") for c in st.get("conditions") or []}
    status = "Ready" if conds.get("Ready") == "True" else "NotReady" if "Ready" in conds else "Unknown"
    if (n.get("spec") or {}).get("unschedulable"):
        status += ",SchedulingDisabled"
    labels = n["metadata"].get("labels") or {}
    roles = sorted(k.split("/", 1)[1] for k in labels if k.startswith("node-role.kubernetes.io/") and "/" in k)
    addrs = {a.get("type"): a.get("address") for a in st.get("addresses") or []}
    info = st.get("nodeInfo") or {}
    return [n["metadata"]["name"], status, ",".join(roles) or "<none>",
            kjson.age(n["metadata"].get("creationTimestamp"), now), info.get("kubeletVersion", ""),
            addrs.get("InternalIP", "<none>"), addrs.get("ExternalIP", "<none>"), info.get("osImage", "<unknown>"),
            info.get("kernelVersion", "<unknown>"), info.get("containerRuntimeVersion", "<unknown>")]


def _ns_row(n: dict[str, Any], now: _dt.datetime) -> list[Any]:
    return [n["metadata"]["name"], (n.get("status") or {}).get("phase", ""),
            kjson.age(n["metadata"].get("creationTimestamp"), now)]


def _event_row(e: dict[str, Any], now: _dt.datetime) -> list[Any]:
    inv = e.get("involvedObject") or {}
    last = e.get("lastTimestamp") or e.get("eventTime") or e["metadata"].get("creationTimestamp")
    first = e.get("firstTimestamp") or e.get("eventTime") or e["metadata"].get("creationTimestamp")
    src = e.get("source") or {}
    source = src.get("component", "") + (f", {src['host']}" if src.get("host") else "") or e.get("reportingComponent", "")
    obj = f"{(inv.get('kind') or '').lower()}/{inv.get('name', '')}"
    return [kjson.age(last, now), e.get("type", ""), e.get("reason", ""), obj, inv.get("fieldPath", ""), source,
            (e.get("message") or "").strip(), kjson.age(first, now), e.get("count", 1), e["metadata"]["name"]]


def _cm_row(c: dict[str, Any], now: _dt.datetime) -> list[Any]:
    return [c["metadata"]["name"], len(c.get("data") or {}) + len(c.get("binaryData") or {}),
            kjson.age(c["metadata"].get("creationTimestamp"), now)]


def _secret_row(s: dict[str, Any], now: _dt.datetime) -> list[Any]:
    return [s["metadata"]["name"], s.get("type", "Opaque"), len(s.get("data") or {}),
            kjson.age(s["metadata"].get("creationTimestamp"), now)]


def _generic_row(o: dict[str, Any], now: _dt.datetime) -> list[Any]:
    return [o["metadata"]["name"], kjson.age(o["metadata"].get("creationTimestamp"), now)]


Printer = tuple[list[dict[str, Any]], Callable[[dict[str, Any], _dt.datetime], list[Any]]]
_CONTAINERS = col("Containers", "Names of each container in the template.", priority=1)
_IMAGES = col("Images", "Images referenced by each container in the template.", priority=1)
PRINTERS: dict[tuple[str, str], Printer] = {
    ("", "pods"): (POD_COLUMNS, _pod_row),
    ("apps", "deployments"): ([
        NAME_COL, col("Ready", "Number of the pod with ready state"),
        col("Up-to-date", "Total number of non-terminating pods targeted by this deployment that have the desired "
            "template spec.", "integer"),
        col("Available", "Total number of available non-terminating pods (ready for at least minReadySeconds) "
            "targeted by this deployment.", "integer"),
        AGE_COL, _CONTAINERS, _IMAGES,
        col("Selector", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the "
            "ones affected by this deployment. It must match the pod template's labels.", priority=1)], _deploy_row),
    ("apps", "replicasets"): ([
        NAME_COL, col("Desired", "Replicas is the number of desired pods.", "integer"),
        col("Current", "Replicas is the most recently observed number of non-terminating pods.", "integer"),
        col("Ready", "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.",
            "integer"),
        AGE_COL, _CONTAINERS, _IMAGES,
        col("Selector", "Selector is a label query over pods that should match the replica count.", priority=1)],
        _rs_row),
    ("", "services"): ([
        NAME_COL, col("Type", "type determines how the Service is exposed."),
        col("Cluster-IP", "clusterIP is the IP address of the service and is usually assigned randomly."),
        col("External-IP", "List of IP addresses for which nodes in the cluster will also accept traffic for this "
            "service."),
        col("Port(s)", "The list of ports that are exposed by this service."), AGE_COL,
        col("Selector", "Route service traffic to pods with label keys and values matching this selector.",
            priority=1)], _svc_row),
    ("", "nodes"): ([
        NAME_COL, col("Status", "The status of the node"), col("Roles", "The roles of the node"), AGE_COL,
        col("Version", "Kubelet Version reported by the node."),
        col("Internal-IP", "List of addresses reachable to the node. Queried from cloud provider, if available.",
            priority=1),
        col("External-IP", "List of addresses reachable to the node. Queried from cloud provider, if available.",
            priority=1),
        col("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
            priority=1),
        col("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
            priority=1),
        col("Container-Runtime", "ContainerRuntime Version reported by the node through runtime remote API "
            "(e.g. containerd://1.4.2).", priority=1)], _node_row),
    ("", "namespaces"): ([NAME_COL, col("Status", "The status of the namespace"), AGE_COL], _ns_row),
    ("", "events"): ([
        col("Last Seen", "The last time this event occurred."), col("Type", "Type of this event (Normal, Warning), "
                                                                     "new types could be added in the future."),
        col("Reason", "This should be a short, machine understandable string that gives the reason for the "
            "transition into the object's current status."),
        col("Object", "The object that this event is about."),
        col("Subobject", "The subobject that this event is about.", priority=1),
        col("Source", "The component reporting this event.", priority=1),
        col("Message", "A human-readable description of the status of this operation."),
        col("First Seen", "The first time this event occurred.", priority=1),
        col("Count", "The number of times this event has occurred.", "integer", priority=1),
        col("Name", NAME_DESC, fmt="name", priority=1)], _event_row),
    ("", "configmaps"): ([NAME_COL, col("Data", "Data contains the configuration data.", "string"), AGE_COL],
                         _cm_row),
    ("", "secrets"): ([NAME_COL, col("Type", "Used to facilitate programmatic handling of secret data."),
                       col("Data", "Data contains the secret data.", "string"), AGE_COL], _secret_row),
}
GENERIC: Printer = ([NAME_COL, AGE_COL], _generic_row)


def printer_for(group: str, resource: str) -> Printer:
    """Columns and row function of a resource."""
    return PRINTERS.get((group, resource), GENERIC)


def row(obj: dict[str, Any], include: str, printer: Printer, now: _dt.datetime,
        full: Callable[[], bytes] | None = None) -> bytes:
    """One encoded TableRow; ``include`` is None, Metadata (default) or Object."""
    cells = kjson.encode(printer[1](obj, now))
    if include == "None":
        return b'{"cells":' + cells + b"}"
    if include == "Object" and full is not None:
        return b'{"cells":' + cells + b',"object":' + full() + b"}"
    meta = {k: v for k, v in obj["metadata"].items() if k != "managedFields"}
    partial = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta}
    return b'{"cells":' + cells + b',"object":' + kjson.encode(partial) + b"}"


def table(items: list[Stored], group: str, resource: str, include: str, list_meta: dict[str, Any],
          full: Callable[[Stored], bytes], columns: bool = True) -> bytes:
    """A complete Table for a list (or a single object when ``items`` has one entry)."""
    printer = printer_for(group, resource)
    now = kjson.utcnow()
    rows = b",".join(row(s.obj, include, printer, now, (lambda s=s: full(s))) for s in items)
    head = (b'{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":' + kjson.encode(list_meta) +
            b',"columnDefinitions":' + (kjson.encode(printer[0]) if columns else b"null"))
    return head + b',"rows":[' + rows + b"]}"
