"""Object semantics on top of the store: create/get/list/update/delete the way the generic registry does.

Handles uid/creationTimestamp/generation/generateName, resourceVersion preconditions, namespaces that must
exist, defaulting of the common built-in kinds, validation with 422 causes, status subresources, graceful
pod deletion, finalizers and deletion propagation (the garbage collector runs in :mod:`controller`), and the
two views of events (core/v1 and events.k8s.io/v1 share one storage).
"""

from __future__ import annotations

import base64
import copy
import datetime as _dt
import random
import re
import uuid
from dataclasses import dataclass
from typing import Any, Callable

import kjson
import patch as patchlib
from apierrors import (STALE_RV, APIError, Cause, already_exists, bad_request, conflict, expired, invalid,
                       not_found)
from discovery import Discovery, ResourceInfo
from k8s_selectors import FieldSelector, LabelSelector
from store import GroupResource, Store, Stored, decode_continue, encode_continue, normalize, strip_type

DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                 "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                 "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
             "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
             "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
DNS1035_MSG = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
               "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
               "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
EVENTS_V1 = ("events.k8s.io", "events")
CORE_EVENTS = ("", "events")
# Resources whose DELETE returns the object rather than a Status (genericregistry ReturnDeletedObject).
RETURNS_OBJECT = {("", "pods"), ("", "services"), ("", "namespaces"), ("apiextensions.k8s.io",
                                                                       "customresourcedefinitions")}
NAME_LABEL_RESOURCES = {("", "namespaces"), ("", "services")}
CRDS = ("apiextensions.k8s.io", "customresourcedefinitions")


def establish_crd(obj: dict[str, Any]) -> None:
    """What the apiextensions controllers do at once in the fake: names accepted, the CRD established."""
    spec = obj.get("spec", {})
    now = kjson.rfc3339()
    storage = [v["name"] for v in spec.get("versions", []) if v.get("storage")]
    obj["status"] = {
        "acceptedNames": spec.get("names", {}),
        "conditions": [
            {"type": "NamesAccepted", "status": "True", "lastTransitionTime": now, "reason": "NoConflicts",
             "message": "no conflicts found"},
            {"type": "Established", "status": "True", "lastTransitionTime": now, "reason": "InitialNamesAccepted",
             "message": "the initial names have been accepted"},
        ],
        "storedVersions": storage,
    }


def random_suffix(n: int = 5, rng: random.Random | None = None) -> str:
    """generateName suffix from the apiserver's alphabet."""
    r = rng or random
    return "".join(r.choice(SUFFIX_ALPHABET) for _ in range(n))


@dataclass
class ListResult:
    """One page of a list."""

    items: list[Stored]
    resource_version: int
    continue_token: str = ""
    remaining: int | None = None


@dataclass
class Requester:
    """Who is writing: the field manager name and whether this is a dry run."""

    manager: str = "unknown"
    dry_run: bool = False


class Registry:
    """CRUD with Kubernetes semantics for every resource in :class:`Discovery`."""

    def __init__(self, store: Store, discovery: Discovery, continue_window: int = 100000) -> None:
        self.store = store
        self.discovery = discovery
        self.continue_window = continue_window
        self.expire_next_continue = False
        self.on_delete: list[Callable[[GroupResource, dict[str, Any], str], None]] = []
        self.pod_ips: set[str] = set()
        self.cluster_ips: set[str] = set()
        self.rng = random.Random()

    # -- helpers --

    @staticmethod
    def storage_gr(info: ResourceInfo) -> GroupResource:
        """Where a resource is stored (events.k8s.io events live with core events)."""
        if info.group_resource == EVENTS_V1:
            return CORE_EVENTS
        return info.group_resource

    def view(self, info: ResourceInfo, stored: Stored) -> Stored:
        """The stored object as seen through ``info`` (converts events for events.k8s.io)."""
        if info.group_resource == EVENTS_V1:
            obj = core_event_to_v1(stored.obj)
            return Stored(obj, kjson.encode(strip_type(obj)))
        return stored

    def from_view(self, info: ResourceInfo, obj: dict[str, Any]) -> dict[str, Any]:
        """Convert an incoming object to its storage form."""
        if info.group_resource == EVENTS_V1:
            return v1_event_to_core(obj)
        return obj

    def storage_kind(self, info: ResourceInfo) -> tuple[str, str]:
        """(kind, apiVersion) the stored objects carry."""
        if info.group_resource == EVENTS_V1:
            return ("Event", "v1")
        return (info.kind, info.api_version)

    def namespace_exists(self, ns: str) -> bool:
        """Whether the namespace object exists."""
        return self.store.get(("", "namespaces"), None, ns) is not None

    def require_namespace(self, ns: str) -> None:
        """404 ``namespaces "x" not found`` when missing."""
        if not self.namespace_exists(ns):
            raise not_found("namespaces", "", ns)

    # -- reads --

    def get(self, info: ResourceInfo, ns: str | None, name: str) -> Stored:
        """The object or 404."""
        st = self.store.get(self.storage_gr(info), ns if info.namespaced else None, name)
        if st is None:
            raise not_found(info.plural, info.group, name)
        return self.view(info, st)

    def list(self, info: ResourceInfo, ns: str | None, label: LabelSelector, field: FieldSelector,
             limit: int = 0, cont: str = "") -> ListResult:
        """A (possibly paged) list; continue tokens follow the etcd3 format and expire after
        ``continue_window`` resourceVersions (410 with a fresh token, like the real server)."""
        gr = self.storage_gr(info)
        namespace = ns if info.namespaced else None
        rv = self.store.rv
        start = ""
        if cont:
            token_rv, start_key = decode_continue(cont)
            if self.expire_next_continue or (token_rv >= 0 and rv - token_rv > self.continue_window):
                self.expire_next_continue = False
                raise expired(
                    "The provided continue parameter is too old to display a consistent list result. You can start a "
                    "new list without the continue parameter, or use the continue token in this response to retrieve "
                    "the remainder of the results. Continuing with the provided token results in an inconsistent list "
                    "- objects that were created, modified, or deleted between the time the first chunk was returned "
                    "and now may show up in the list.",
                    metadata={"continue": encode_continue(-1, start_key)})
            if token_rv >= 0:
                rv = token_rv
            start = (f"{namespace}/" if namespace else "") + start_key
        name_pin = field.exact_name() if field else None
        items: list[Stored] = []
        token = ""
        remaining: int | None = None
        it = self.store.iter(gr, namespace, start)
        for key, st in it:
            obj = st.obj
            if name_pin is not None and obj["metadata"]["name"] != name_pin:
                continue
            if label and not label.matches(obj["metadata"].get("labels")):
                continue
            if field:
                if info.group_resource == EVENTS_V1:
                    if not field.matches(core_event_to_v1(obj)):
                        continue
                elif not field.matches(obj):
                    continue
            if limit and len(items) >= limit:
                token = encode_continue(rv, self._rel_key(items[-1], namespace) + "\x00")
                if not label and not field:
                    remaining = sum(1 for _ in it) + 1
                break
            items.append(st)
        if info.group_resource == EVENTS_V1:
            items = [self.view(info, s) for s in items]
        return ListResult(items, rv, token, remaining)

    @staticmethod
    def _rel_key(st: Stored, namespace: str | None) -> str:
        meta = st.obj["metadata"]
        if namespace or not meta.get("namespace"):
            return meta["name"]
        return f"{meta['namespace']}/{meta['name']}"

    # -- validation and defaults --

    def _validate_name(self, info: ResourceInfo, obj: dict[str, Any]) -> list[Cause]:
        meta = obj.get("metadata") or {}
        name = meta.get("name", "")
        causes: list[Cause] = []
        if not name:
            if not meta.get("generateName"):
                causes.append(Cause("FieldValueRequired", "Required value: name or generateName is required",
                                    "metadata.name"))
            return causes
        if info.group_resource == ("", "services"):
            ok, msg = bool(DNS1035_LABEL.match(name)) and len(name) <= 63, DNS1035_MSG
        elif info.group_resource == ("", "namespaces"):
            ok, msg = bool(DNS1123_LABEL.match(name)) and len(name) <= 63, LABEL_MSG
        elif info.group_resource in (("rbac.authorization.k8s.io", "roles"),
                                     ("rbac.authorization.k8s.io", "clusterroles"),
                                     ("rbac.authorization.k8s.io", "rolebindings"),
                                     ("rbac.authorization.k8s.io", "clusterrolebindings")):
            ok, msg = "/" not in name and "%" not in name and name not in (".", ".."), \
                "may not contain '/' or '%'"
        else:
            ok, msg = bool(DNS1123_SUBDOMAIN.match(name)) and len(name) <= 253, SUBDOMAIN_MSG
        if not ok:
            causes.append(Cause("FieldValueInvalid", f'Invalid value: "{name}": {msg}', "metadata.name"))
        return causes

    def _validate_spec(self, info: ResourceInfo, obj: dict[str, Any]) -> list[Cause]:
        causes: list[Cause] = []
        spec = obj.get("spec") or {}
        if info.group_resource in (("apps", "deployments"), ("apps", "replicasets"), ("apps", "statefulsets")):
            reps = spec.get("replicas")
            if isinstance(reps, int) and reps < 0:
                causes.append(Cause("FieldValueInvalid", f"Invalid value: {reps}: must be greater than or equal to 0",
                                    "spec.replicas"))
            if not spec.get("selector"):
                causes.append(Cause("FieldValueRequired", "Required value", "spec.selector"))
            tmpl_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
            sel = (spec.get("selector") or {}).get("matchLabels") or {}
            if sel and any(tmpl_labels.get(k) != v for k, v in sel.items()):
                causes.append(Cause("FieldValueInvalid",
                                    f"Invalid value: {kjson.dumps(tmpl_labels)}: `selector` does not match template "
                                    "`labels`", "spec.template.metadata.labels"))
        if info.group_resource == ("", "pods") or info.group_resource in (("apps", "deployments"),):
            containers = spec.get("containers") if info.group_resource == ("", "pods") else \
                ((spec.get("template") or {}).get("spec") or {}).get("containers")
            base = "spec.containers" if info.group_resource == ("", "pods") else "spec.template.spec.containers"
            if not containers:
                causes.append(Cause("FieldValueRequired", "Required value", base))
            else:
                for i, c in enumerate(containers):
                    if not c.get("name"):
                        causes.append(Cause("FieldValueRequired", "Required value", f"{base}[{i}].name"))
                    if not c.get("image"):
                        causes.append(Cause("FieldValueRequired", "Required value", f"{base}[{i}].image"))
        if info.group_resource == ("", "services"):
            for i, p in enumerate(spec.get("ports") or []):
                if not isinstance(p.get("port"), int) or not 0 < p["port"] < 65536:
                    causes.append(Cause("FieldValueInvalid", f"Invalid value: {p.get('port')}: must be between 1 "
                                        "and 65535, inclusive", f"spec.ports[{i}].port"))
        return causes

    def validate(self, info: ResourceInfo, obj: dict[str, Any]) -> None:
        """Raise 422 Invalid with causes when the object is not acceptable."""
        causes = self._validate_name(info, obj) + self._validate_spec(info, obj)
        labels = (obj.get("metadata") or {}).get("labels") or {}
        for k, v in labels.items():
            if not isinstance(v, str) or len(v) > 63 or (v and not re.fullmatch(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?", v)):
                causes.append(Cause("FieldValueInvalid", f'Invalid value: "{v}": a valid label must be an empty '
                                    "string or consist of alphanumeric characters, '-', '_' or '.', and must start "
                                    "and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
                                    "'12345', regex used for validation is "
                                    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')", "metadata.labels"))
        if causes:
            name = (obj.get("metadata") or {}).get("name", "")
            kind, _ = self.storage_kind(info)
            raise invalid(info.kind if info.group_resource != EVENTS_V1 else kind, info.group, name, causes)

    def default(self, info: ResourceInfo, obj: dict[str, Any]) -> None:
        """Fill in the server-side defaults of common kinds (in place)."""
        gr = info.group_resource
        spec = obj.get("spec")
        if gr == ("", "pods"):
            obj.setdefault("spec", {})
            default_pod_spec(obj["spec"])
            st = obj.setdefault("status", {})
            st.setdefault("phase", "Pending")
            st.setdefault("qosClass", qos_class(obj["spec"]))
        elif gr in (("apps", "deployments"), ("apps", "replicasets"), ("apps", "statefulsets"),
                    ("apps", "daemonsets"), ("batch", "jobs")) and isinstance(spec, dict):
            if gr != ("apps", "daemonsets") and gr != ("batch", "jobs"):
                spec.setdefault("replicas", 1)
            tmpl = spec.setdefault("template", {})
            tmpl.setdefault("metadata", {})
            default_pod_spec(tmpl.setdefault("spec", {}))
            if gr == ("apps", "deployments"):
                spec.setdefault("strategy", {"type": "RollingUpdate",
                                             "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}})
                spec.setdefault("revisionHistoryLimit", 10)
                spec.setdefault("progressDeadlineSeconds", 600)
            if gr == ("batch", "jobs"):
                tmpl["spec"]["restartPolicy"] = tmpl["spec"].get("restartPolicy") or "Never"
            obj.setdefault("status", {})
        elif gr == ("", "services") and isinstance(spec, dict):
            spec.setdefault("type", "ClusterIP")
            if spec.get("clusterIP") != "None":
                spec.setdefault("clusterIP", self._alloc_cluster_ip())
                spec.setdefault("clusterIPs", [spec["clusterIP"]])
            for p in spec.get("ports") or []:
                p.setdefault("protocol", "TCP")
                p.setdefault("targetPort", p.get("port"))
            spec.setdefault("sessionAffinity", "None")
            spec.setdefault("ipFamilies", ["IPv4"])
            spec.setdefault("ipFamilyPolicy", "SingleStack")
            spec.setdefault("internalTrafficPolicy", "Cluster")
            obj.setdefault("status", {"loadBalancer": {}})
        elif gr == ("", "namespaces"):
            meta = obj["metadata"]
            meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = meta["name"]
            obj.setdefault("spec", {"finalizers": ["kubernetes"]})
            obj.setdefault("status", {"phase": "Active"})
        elif gr == ("", "secrets"):
            obj.setdefault("type", "Opaque")
            # stringData is write-only: merged into data (base64) on every write, as the API server does.
            string_data = obj.pop("stringData", None)
            if isinstance(string_data, dict) and string_data:
                data = obj.get("data") if isinstance(obj.get("data"), dict) else {}
                for key, value in string_data.items():
                    data[key] = base64.b64encode(str(value).encode()).decode()
                obj["data"] = data
        elif gr == ("", "events"):
            obj.setdefault("type", "Normal")

    def _alloc_cluster_ip(self) -> str:
        while True:
            ip = f"10.96.{self.rng.randint(0, 255)}.{self.rng.randint(1, 254)}"
            if ip not in self.cluster_ips:
                self.cluster_ips.add(ip)
                return ip

    # -- writes --

    def create(self, info: ResourceInfo, ns: str | None, obj: dict[str, Any], who: Requester,
               validate: bool = True) -> Stored:
        """POST: validate, default, stamp metadata, store."""
        obj = self.from_view(info, copy.deepcopy(obj))
        kind, api_version = self.storage_kind(info)
        obj["kind"], obj["apiVersion"] = kind, api_version
        meta = obj.setdefault("metadata", {})
        if info.namespaced:
            body_ns = meta.get("namespace")
            if body_ns and ns and body_ns != ns:
                raise bad_request("the namespace of the provided object does not match the namespace sent on the "
                                  "request")
            meta["namespace"] = ns or body_ns or "default"
        else:
            meta.pop("namespace", None)
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + random_suffix(5, self.rng)
        if validate:
            self.validate(info, obj)
        if info.namespaced:
            self.require_namespace(meta["namespace"])
            ns_obj = self.store.get(("", "namespaces"), None, meta["namespace"])
            if ns_obj and ns_obj.obj["metadata"].get("deletionTimestamp") and info.group_resource != CORE_EVENTS:
                raise APIError(403, "Forbidden", f'{info.plural} "{meta["name"]}" is forbidden: unable to create new '
                               f'content in namespace {meta["namespace"]} because it is being terminated',
                               name=meta["name"], group=info.group, kind=info.plural)
        gr = self.storage_gr(info)
        if self.store.get(gr, meta.get("namespace"), meta["name"]) is not None:
            raise already_exists(info.plural, info.group, meta["name"])
        for k in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"):
            meta.pop(k, None)
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = kjson.rfc3339()
        if isinstance(obj.get("spec"), dict) and gr not in (("", "namespaces"), ("", "services"), ("", "nodes"),
                                                            ("", "persistentvolumeclaims"),
                                                            ("", "persistentvolumes")):
            meta["generation"] = 1
        self.default(info, obj)
        if info.subresources.get("status") is not None and gr not in (("", "pods"), ("", "namespaces"),
                                                                        ("", "services")):
            obj["status"] = {}
        meta["managedFields"] = patchlib.record_update(None, obj, who.manager, api_version, meta["creationTimestamp"])
        if gr == CRDS:
            establish_crd(obj)
        if who.dry_run:
            meta["resourceVersion"] = ""
            o = normalize(obj)
            return Stored(o, kjson.encode(strip_type(o)))
        stored = self.store.put(gr, obj)
        if gr == CRDS:
            self.discovery.add_crd(obj)
        return self.view(info, stored)

    def update(self, info: ResourceInfo, ns: str | None, name: str, obj: dict[str, Any], who: Requester,
               subresource: str = "", allow_create: bool = False, managed_override: list | None = None) -> Stored:
        """PUT (also the tail of every PATCH): preconditions, immutables, generation, status handling."""
        obj = self.from_view(info, copy.deepcopy(obj))
        gr = self.storage_gr(info)
        namespace = ns if info.namespaced else None
        current = self.store.get(gr, namespace, name)
        meta = obj.setdefault("metadata", {})
        if meta.get("name") and meta["name"] != name:
            raise bad_request(f"the name of the object ({meta['name']}) does not match the name on the URL ({name})")
        if current is None:
            if allow_create:
                meta["name"] = name
                return self.create(info, ns, obj, who)
            raise not_found(info.plural, info.group, name)
        cur = current.obj
        rv = meta.get("resourceVersion")
        if rv and rv != cur["metadata"]["resourceVersion"]:
            raise conflict(info.plural, info.group, name, STALE_RV)
        kind, api_version = self.storage_kind(info)
        obj["kind"], obj["apiVersion"] = kind, api_version
        old_meta = cur["metadata"]
        for k in ("uid", "creationTimestamp", "namespace", "deletionTimestamp", "deletionGracePeriodSeconds",
                  "generation", "name"):
            if k in old_meta:
                meta[k] = old_meta[k]
            else:
                meta.pop(k, None)
        has_status_sub = "status" in info.subresources
        if subresource == "status":
            new = copy.deepcopy(cur)
            new["status"] = obj.get("status", {})
            new_meta = new["metadata"]
            obj = new
            meta = new_meta
        elif subresource == "" and has_status_sub:
            if "status" in cur:
                obj["status"] = copy.deepcopy(cur["status"])
            else:
                obj.pop("status", None)
        if subresource == "":
            self.validate(info, obj)
            self.default(info, obj)
            if gr == ("", "pods"):
                obj["spec"] = _pod_spec_update(cur.get("spec", {}), obj.get("spec", {}))
        if "generation" in old_meta and subresource == "" and obj.get("spec") != cur.get("spec"):
            meta["generation"] = old_meta["generation"] + 1
        now = kjson.rfc3339()
        if managed_override is not None:
            meta["managedFields"] = managed_override
        else:
            meta["managedFields"] = patchlib.record_update(cur, obj, who.manager, api_version, now, subresource)
        if (meta.get("deletionTimestamp") and not meta.get("finalizers") and gr != ("", "pods")):
            if who.dry_run:
                return current
            removed = self.store.remove(gr, namespace, name)
            assert removed is not None
            self._after_delete(gr, removed.obj, "Background")
            return self.view(info, removed)
        if who.dry_run:
            return self.view(info, Stored(obj, kjson.encode(strip_type(obj))))
        if _same_content(cur, obj):
            return self.view(info, current)
        if gr == CRDS:
            establish_crd(obj)
        stored = self.store.put(gr, obj)
        if gr == CRDS:
            self.discovery.add_crd(obj)
        return self.view(info, stored)

    def delete(self, info: ResourceInfo, ns: str | None, name: str, options: dict[str, Any],
               who: Requester) -> tuple[Stored, bool]:
        """DELETE; returns (last state, finished) where finished=False means deletion is pending
        (graceful pod deletion, finalizers, foreground propagation)."""
        gr = self.storage_gr(info)
        namespace = ns if info.namespaced else None
        current = self.store.get(gr, namespace, name)
        if current is None:
            raise not_found(info.plural, info.group, name)
        pre = options.get("preconditions") or {}
        meta = current.obj["metadata"]
        if pre.get("uid") and pre["uid"] != meta.get("uid"):
            raise conflict(info.plural, info.group, name,
                           f"Precondition failed: UID in precondition: {pre['uid']}, UID in object meta: {meta.get('uid')}")
        if pre.get("resourceVersion") and pre["resourceVersion"] != meta.get("resourceVersion"):
            raise conflict(info.plural, info.group, name,
                           f"Precondition failed: ResourceVersion in precondition: {pre['resourceVersion']}, "
                           f"ResourceVersion in object meta: {meta.get('resourceVersion')}")
        policy = options.get("propagationPolicy")
        if policy is None and options.get("orphanDependents") is True:
            policy = "Orphan"
        if policy is None:
            policy = "Orphan" if gr in (("", "replicationcontrollers"),) else "Background"
        if who.dry_run:
            return self.view(info, current), True
        obj = copy.deepcopy(current.obj)
        m = obj["metadata"]
        finalizers = list(m.get("finalizers") or [])
        if gr == ("", "namespaces"):
            if not m.get("deletionTimestamp"):
                m["deletionTimestamp"] = kjson.rfc3339()
                m["deletionGracePeriodSeconds"] = 0
                obj.setdefault("status", {})["phase"] = "Terminating"
                st = self.store.put(gr, obj)
                self._after_delete(gr, st.obj, "Namespace")
                return self.view(info, st), False
            return self.view(info, current), False
        if policy == "Foreground" and self.store.dependents.get(m.get("uid", "")):
            if "foregroundDeletion" not in finalizers:
                finalizers.append("foregroundDeletion")
            m["finalizers"] = finalizers
        if policy == "Orphan":
            self._orphan(m.get("uid", ""))
        if gr == ("", "pods") and obj["spec"].get("nodeName") and not m.get("deletionTimestamp"):
            grace = options.get("gracePeriodSeconds")
            if grace is None:
                grace = obj["spec"].get("terminationGracePeriodSeconds", 30)
            if grace > 0:
                now = kjson.utcnow()
                m["deletionTimestamp"] = kjson.rfc3339(now + _dt.timedelta(seconds=grace))
                m["deletionGracePeriodSeconds"] = grace
                st = self.store.put(gr, obj)
                self._after_delete(gr, st.obj, "Graceful")
                return self.view(info, st), False
        if m.get("finalizers"):
            if not m.get("deletionTimestamp"):
                m["deletionTimestamp"] = kjson.rfc3339()
                m["deletionGracePeriodSeconds"] = 0
                st = self.store.put(gr, obj)
                self._after_delete(gr, st.obj, "Foreground" if "foregroundDeletion" in m["finalizers"] else "Pending")
                return self.view(info, st), False
            return self.view(info, current), False
        removed = self.store.remove(gr, namespace, name)
        assert removed is not None
        self._after_delete(gr, removed.obj, policy)
        return self.view(info, removed), True

    def force_remove(self, gr: GroupResource, ns: str | None, name: str, policy: str = "Background") -> None:
        """Remove an object now (kubelet confirming a pod's termination, GC finishing a deletion)."""
        removed = self.store.remove(gr, ns, name)
        if removed is not None:
            self._after_delete(gr, removed.obj, policy)

    def _orphan(self, uid: str) -> None:
        for gr, key in list(self.store.dependents.get(uid, ())):
            st = self.store.tables.get(gr, {}).get(key)
            if st is None:
                continue
            obj = copy.deepcopy(st.obj)
            refs = [r for r in obj["metadata"].get("ownerReferences", []) if r.get("uid") != uid]
            if refs:
                obj["metadata"]["ownerReferences"] = refs
            else:
                obj["metadata"].pop("ownerReferences", None)
            self.store.put(gr, obj)

    def _after_delete(self, gr: GroupResource, obj: dict[str, Any], policy: str) -> None:
        for hook in self.on_delete:
            hook(gr, obj, policy)

    # -- internal writes (controllers) --

    def put_internal(self, gr: GroupResource, obj: dict[str, Any], manager: str, subresource: str = "") -> Stored:
        """A controller write: keeps managedFields plausible without re-validating."""
        info = self.discovery.preferred(*gr)
        cur = self.store.get(gr, obj["metadata"].get("namespace") or None, obj["metadata"]["name"])
        api_version = info.api_version if info else "v1"
        obj["metadata"]["managedFields"] = patchlib.record_update(cur.obj if cur else None, obj, manager,
                                                                  api_version, kjson.rfc3339(), subresource)
        if cur is not None and _same_content(cur.obj, obj):
            return cur
        return self.store.put(gr, obj)


def _same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    def strip(o: dict[str, Any]) -> dict[str, Any]:
        m = dict(o.get("metadata") or {})
        m.pop("resourceVersion", None)
        m.pop("managedFields", None)
        return dict(o, metadata=m)
    return strip(a) == strip(b)


def _pod_spec_update(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Pods are mostly immutable: keep the old spec except the mutable fields (images, tolerations...)."""
    out = copy.deepcopy(old)
    for i, c in enumerate(new.get("containers") or []):
        if i < len(out.get("containers", [])) and c.get("image"):
            out["containers"][i]["image"] = c["image"]
    if "activeDeadlineSeconds" in new:
        out["activeDeadlineSeconds"] = new["activeDeadlineSeconds"]
    if "tolerations" in new:
        out["tolerations"] = new["tolerations"]
    return out


def default_container(c: dict[str, Any]) -> None:
    """Container defaults (terminationMessage*, imagePullPolicy, port protocol)."""
    c.setdefault("resources", {})
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    image = c.get("image", "")
    tag = image.rsplit("/", 1)[-1]
    c.setdefault("imagePullPolicy", "Always" if (":" not in tag or tag.endswith(":latest")) and "@" not in image
                 else "IfNotPresent")
    for p in c.get("ports") or []:
        p.setdefault("protocol", "TCP")


def default_pod_spec(spec: dict[str, Any]) -> None:
    """PodSpec defaults as the apiserver applies them."""
    for c in spec.get("containers") or []:
        default_container(c)
    for c in spec.get("initContainers") or []:
        default_container(c)
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")


def qos_class(spec: dict[str, Any]) -> str:
    """Guaranteed / Burstable / BestEffort from the container resources."""
    containers = spec.get("containers") or []
    any_set = False
    guaranteed = bool(containers)
    for c in containers:
        r = c.get("resources") or {}
        lim, req = r.get("limits") or {}, r.get("requests") or {}
        if lim or req:
            any_set = True
        if not (lim.get("cpu") and lim.get("memory")) or any(req.get(k, lim.get(k)) != lim.get(k)
                                                             for k in ("cpu", "memory")):
            guaranteed = False
    if guaranteed:
        return "Guaranteed"
    return "Burstable" if any_set else "BestEffort"


# --- events: core/v1 <-> events.k8s.io/v1 ---------------------------------------------------------------------


def core_event_to_v1(e: dict[str, Any]) -> dict[str, Any]:
    """core/v1 Event as an events.k8s.io/v1 Event."""
    out: dict[str, Any] = {"kind": "Event", "apiVersion": "events.k8s.io/v1", "metadata": e.get("metadata", {})}
    out["eventTime"] = e.get("eventTime")
    if e.get("series"):
        out["series"] = e["series"]
    out["reportingController"] = e.get("reportingComponent") or (e.get("source") or {}).get("component", "")
    out["reportingInstance"] = e.get("reportingInstance") or (e.get("source") or {}).get("host", "")
    if e.get("action"):
        out["action"] = e["action"]
    out["reason"] = e.get("reason", "")
    out["regarding"] = e.get("involvedObject", {})
    if e.get("related"):
        out["related"] = e["related"]
    out["note"] = e.get("message", "")
    out["type"] = e.get("type", "")
    if e.get("source"):
        out["deprecatedSource"] = e["source"]
    if e.get("firstTimestamp"):
        out["deprecatedFirstTimestamp"] = e["firstTimestamp"]
    if e.get("lastTimestamp"):
        out["deprecatedLastTimestamp"] = e["lastTimestamp"]
    if e.get("count"):
        out["deprecatedCount"] = e["count"]
    return out


def v1_event_to_core(e: dict[str, Any]) -> dict[str, Any]:
    """events.k8s.io/v1 Event as a core/v1 Event."""
    out: dict[str, Any] = {"kind": "Event", "apiVersion": "v1", "metadata": e.get("metadata", {})}
    out["involvedObject"] = e.get("regarding", {})
    out["reason"] = e.get("reason", "")
    out["message"] = e.get("note", "")
    out["source"] = e.get("deprecatedSource", {})
    if e.get("deprecatedFirstTimestamp"):
        out["firstTimestamp"] = e["deprecatedFirstTimestamp"]
    if e.get("deprecatedLastTimestamp"):
        out["lastTimestamp"] = e["deprecatedLastTimestamp"]
    if e.get("deprecatedCount"):
        out["count"] = e["deprecatedCount"]
    out["type"] = e.get("type", "Normal")
    out["eventTime"] = e.get("eventTime")
    if e.get("series"):
        out["series"] = e["series"]
    if e.get("action"):
        out["action"] = e["action"]
    if e.get("related"):
        out["related"] = e["related"]
    out["reportingComponent"] = e.get("reportingController", "")
    out["reportingInstance"] = e.get("reportingInstance", "")
    return out
