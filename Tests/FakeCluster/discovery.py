"""API discovery: the real documents in data/discovery/, reconciled, plus the resource registry built from them.

Sources of truth:

* ``aggregated_v2.json`` (``/apis`` aggregated discovery) is the newest and widest document. The per-group
  ``APIResourceList`` files agree with it except for two known gaps (``storage.k8s.io/v1`` lacks
  ``csinodes/status``, ``certificates.k8s.io/v1`` lacks ``clustertrustbundles``); both are filled in from the
  aggregated document, so legacy and aggregated discovery advertise the same resources. Group versions listed
  in the aggregated document without a per-group file are synthesised from it.
* ``api__v1.json`` is the core group; its aggregated form is derived from it.
* ``metrics.k8s.io/v1beta1`` is added the way metrics-server registers it (an APIService).

Everything is re-serialised in Go struct field order (the files are key-sorted by the generator).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import kjson

DATA_DIR = Path(__file__).resolve().parent / "data"
AGGREGATED_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
AGGREGATED_V2BETA1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"

# --- Go struct field orders ------------------------------------------------------------------------------------

_ORDERS: dict[str, list[str]] = {
    "APIResource": ["name", "singularName", "namespaced", "group", "version", "kind", "verbs", "shortNames",
                    "categories", "storageVersionHash"],
    "APIResourceList": ["kind", "apiVersion", "groupVersion", "resources"],
    "APIGroupList": ["kind", "apiVersion", "groups"],
    "APIGroup": ["kind", "apiVersion", "name", "versions", "preferredVersion", "serverAddressByClientCIDRs"],
    "APIVersions": ["kind", "versions", "serverAddressByClientCIDRs"],
    "GroupVersion": ["groupVersion", "version"],
    "DiscoveryList": ["kind", "apiVersion", "metadata", "items"],
    "GroupDiscovery": ["metadata", "versions"],
    "VersionDiscovery": ["version", "resources", "freshness"],
    "ResourceDiscovery": ["resource", "responseKind", "scope", "singularResource", "verbs", "shortNames",
                          "categories", "subresources"],
    "SubresourceDiscovery": ["subresource", "responseKind", "acceptedTypes", "verbs"],
    "GVK": ["group", "version", "kind"],
}


def _order(obj: dict[str, Any], kind: str) -> dict[str, Any]:
    keys = _ORDERS[kind]
    out = {k: obj[k] for k in keys if k in obj}
    for k, v in obj.items():
        if k not in out:
            out[k] = v
    return out


def storage_version_hash(group: str, version: str, kind: str) -> str:
    """kube-apiserver's ``StorageVersionHash``: base64(sha256("group/version/kind")[:8])."""
    return base64.b64encode(hashlib.sha256(f"{group}/{version}/{kind}".encode()).digest()[:8]).decode()


# --- the registry ----------------------------------------------------------------------------------------------

@dataclass
class ResourceInfo:
    """One served resource of one group version."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    singular: str
    verbs: list[str]
    short_names: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    subresources: dict[str, str] = field(default_factory=dict)  # name -> response kind

    @property
    def api_version(self) -> str:
        """``apps/v1`` or ``v1``."""
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_resource(self) -> tuple[str, str]:
        """(group, plural) — the storage identity shared by every version of the resource."""
        return (self.group, self.plural)


class Discovery:
    """Loads, reconciles and serves the discovery documents; knows every resource."""

    def __init__(self, server_address: str, data_dir: Path = DATA_DIR) -> None:
        ddir = data_dir / "discovery"
        self._load = lambda name: json.loads((ddir / name).read_text())
        self.server_address = server_address
        self.aggregated: dict[str, Any] = self._load("aggregated_v2.json")
        self.apis: dict[str, Any] = self._load("apis.json")
        self.api: dict[str, Any] = self._load("api.json")
        self.core: dict[str, Any] = self._load("api__v1.json")
        self.group_docs: dict[str, dict[str, Any]] = {}
        for path in sorted(ddir.glob("apis__*.json")):
            doc = json.loads(path.read_text())
            self.group_docs[doc["groupVersion"]] = doc
        self._add_metrics_group()
        self._reconcile()
        self.resources: dict[tuple[str, str, str], ResourceInfo] = {}
        self._build_registry()
        self._cache: dict[str, bytes] = {}

    # -- construction --

    def _known_hashes(self) -> dict[tuple[str, str], str]:
        out: dict[tuple[str, str], str] = {}
        for doc in self.group_docs.values():
            group = doc["groupVersion"].split("/")[0]
            for r in doc["resources"]:
                if "storageVersionHash" in r:
                    out[(group, r["kind"])] = r["storageVersionHash"]
        return out

    def _agg_to_resource_list(self, group: str, vdoc: dict[str, Any],
                              hashes: dict[tuple[str, str], str]) -> dict[str, Any]:
        """Build an APIResourceList (legacy discovery) from one aggregated version entry."""
        version = vdoc["version"]
        resources = []
        for r in vdoc["resources"]:
            kind = r["responseKind"]["kind"]
            res: dict[str, Any] = {"kind": kind, "name": r["resource"], "namespaced": r["scope"] == "Namespaced",
                                   "singularName": r.get("singularResource", ""), "verbs": list(r["verbs"])}
            if r.get("shortNames"):
                res["shortNames"] = list(r["shortNames"])
            if r.get("categories"):
                res["categories"] = list(r["categories"])
            if "get" in r["verbs"] or "list" in r["verbs"]:
                res["storageVersionHash"] = hashes.get((group, kind), storage_version_hash(group, version, kind))
            resources.append(res)
            for sub in r.get("subresources", []):
                rk = sub["responseKind"]
                sres: dict[str, Any] = {"kind": rk["kind"], "name": f"{r['resource']}/{sub['subresource']}",
                                        "namespaced": r["scope"] == "Namespaced", "singularName": "",
                                        "verbs": list(sub["verbs"])}
                if rk.get("group"):
                    sres["group"] = rk["group"]
                if rk.get("version"):
                    sres["version"] = rk["version"]
                resources.append(sres)
        return {"apiVersion": "v1", "groupVersion": f"{group}/{version}", "kind": "APIResourceList",
                "resources": resources}

    def _reconcile(self) -> None:
        """Make the per-group documents agree with the aggregated one (the two known gaps, and missing files)."""
        hashes = self._known_hashes()
        for gdoc in self.aggregated["items"]:
            group = gdoc["metadata"]["name"]
            for vdoc in gdoc["versions"]:
                gv = f"{group}/{vdoc['version']}"
                synth = self._agg_to_resource_list(group, vdoc, hashes)
                if gv not in self.group_docs:
                    self.group_docs[gv] = synth
                    continue
                have = {r["name"] for r in self.group_docs[gv]["resources"]}
                added = [r for r in synth["resources"] if r["name"] not in have]
                if added:
                    merged = self.group_docs[gv]["resources"] + added
                    merged.sort(key=lambda r: r["name"])
                    self.group_docs[gv]["resources"] = merged

    def _add_metrics_group(self) -> None:
        """metrics.k8s.io/v1beta1 as served by metrics-server through an APIService."""
        gv = "metrics.k8s.io/v1beta1"
        self.group_docs[gv] = {
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
            "resources": [
                {"name": "nodes", "singularName": "", "namespaced": False, "kind": "NodeMetrics", "verbs": ["get", "list"]},
                {"name": "pods", "singularName": "", "namespaced": True, "kind": "PodMetrics", "verbs": ["get", "list"]},
            ],
        }
        self.apis["groups"].append({"name": "metrics.k8s.io",
                                    "versions": [{"groupVersion": gv, "version": "v1beta1"}],
                                    "preferredVersion": {"groupVersion": gv, "version": "v1beta1"}})

        def rk(kind: str) -> dict[str, str]:
            return {"group": "", "kind": kind, "version": ""}
        self.aggregated["items"].append({"metadata": {"name": "metrics.k8s.io"}, "versions": [{
            "freshness": "Current", "version": "v1beta1", "resources": [
                {"resource": "nodes", "responseKind": rk("NodeMetrics"), "scope": "Cluster", "singularResource": "",
                 "verbs": ["get", "list"]},
                {"resource": "pods", "responseKind": rk("PodMetrics"), "scope": "Namespaced", "singularResource": "",
                 "verbs": ["get", "list"]},
            ]}]})

    def _register_list(self, group: str, version: str, resources: list[dict[str, Any]]) -> None:
        for r in resources:
            if "/" in r["name"]:
                continue
            self.resources[(group, version, r["name"])] = ResourceInfo(
                group=group, version=version, plural=r["name"], kind=r["kind"], namespaced=r["namespaced"],
                singular=r.get("singularName") or r["kind"].lower(), verbs=list(r["verbs"]),
                short_names=list(r.get("shortNames", [])), categories=list(r.get("categories", [])))
        for r in resources:
            if "/" in r["name"]:
                parent, sub = r["name"].split("/", 1)
                info = self.resources.get((group, version, parent))
                if info is not None:
                    info.subresources[sub] = r["kind"]

    def _build_registry(self) -> None:
        self._register_list("", "v1", self.core["resources"])
        for gv, doc in self.group_docs.items():
            group, version = gv.split("/")
            self._register_list(group, version, doc["resources"])

    def add_crd(self, crd: dict[str, Any]) -> None:
        """Serve a CustomResourceDefinition's resource in every discovery document, as the API server does
        once the CRD is established (idempotent: re-applying a CRD refreshes its entry)."""
        spec = crd.get("spec", {})
        group, names = spec.get("group", ""), spec.get("names", {})
        plural, kind = names.get("plural", ""), names.get("kind", "")
        if not group or not plural or not kind:
            return
        scope = spec.get("scope", "Namespaced")
        verbs = ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"]
        served = [v for v in spec.get("versions", []) if v.get("served", True)]
        if not served:
            return
        subresources = []
        for v in served:
            if "status" in (v.get("subresources") or {}):
                subresources.append("status")
                break
        agg_group = next((g for g in self.aggregated["items"] if g["metadata"]["name"] == group), None)
        if agg_group is None:
            agg_group = {"metadata": {"name": group}, "versions": []}
            self.aggregated["items"].append(agg_group)
        api_group = next((g for g in self.apis["groups"] if g["name"] == group), None)
        if api_group is None:
            api_group = {"name": group, "versions": [],
                         "preferredVersion": {"groupVersion": f"{group}/{served[0]['name']}",
                                              "version": served[0]["name"]}}
            self.apis["groups"].append(api_group)
        for v in served:
            version = v["name"]
            gv = f"{group}/{version}"
            entry = {"resource": plural, "responseKind": {"group": group, "kind": kind, "version": version},
                     "scope": scope, "singularResource": names.get("singular", kind.lower()), "verbs": verbs}
            if names.get("shortNames"):
                entry["shortNames"] = list(names["shortNames"])
            if names.get("categories"):
                entry["categories"] = list(names["categories"])
            if subresources:
                entry["subresources"] = [{"subresource": "status", "verbs": ["get", "patch", "update"],
                                          "responseKind": {"group": group, "kind": kind, "version": version}}]
            agg_version = next((x for x in agg_group["versions"] if x["version"] == version), None)
            if agg_version is None:
                agg_version = {"version": version, "resources": [], "freshness": "Current"}
                agg_group["versions"].append(agg_version)
            agg_version["resources"] = [r for r in agg_version["resources"] if r["resource"] != plural] + [entry]
            if not any(x["version"] == version for x in api_group["versions"]):
                api_group["versions"].append({"groupVersion": gv, "version": version})
            doc = self._agg_to_resource_list(group, agg_version, self._known_hashes())
            self.group_docs[gv] = doc
            self._register_list(group, version, doc["resources"])
        self._cache.clear()

    # -- look-ups --

    def lookup(self, group: str, version: str, plural: str) -> ResourceInfo | None:
        """The resource served at /api(s)/group/version/plural, if any."""
        return self.resources.get((group, version, plural))

    def preferred(self, group: str, plural: str) -> ResourceInfo | None:
        """The preferred-version ResourceInfo of a group resource."""
        if group == "":
            return self.resources.get(("", "v1", plural))
        for g in self.apis["groups"]:
            if g["name"] == group:
                info = self.resources.get((group, g["preferredVersion"]["version"], plural))
                if info:
                    return info
                for v in g["versions"]:
                    info = self.resources.get((group, v["version"], plural))
                    if info:
                        return info
        return None

    def by_kind(self, api_version: str, kind: str) -> ResourceInfo | None:
        """The ResourceInfo for an apiVersion/kind pair."""
        group, _, version = api_version.rpartition("/")
        for info in self.resources.values():
            if info.group == group and info.version == version and info.kind == kind:
                return info
        return None

    def group_versions(self) -> Iterable[tuple[str, str]]:
        """Every served (group, version), core first."""
        yield ("", "v1")
        for g in self.apis["groups"]:
            for v in g["versions"]:
                yield (g["name"], v["version"])

    # -- documents --

    def _cached(self, key: str, build) -> bytes:
        if key not in self._cache:
            self._cache[key] = kjson.encode(build())
        return self._cache[key]

    def api_versions(self) -> bytes:
        """``/api``: APIVersions with the listener's real address."""
        def build():
            doc = copy.deepcopy(self.api)
            doc["serverAddressByClientCIDRs"] = [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": self.server_address}]
            return _order(doc, "APIVersions")
        return self._cached("api", build)

    def _resource_list(self, doc: dict[str, Any]) -> dict[str, Any]:
        out = _order(copy.deepcopy(doc), "APIResourceList")
        out["resources"] = [_order(r, "APIResource") for r in out["resources"]]
        return out

    def core_resource_list(self) -> bytes:
        """``/api/v1``."""
        return self._cached("api/v1", lambda: self._resource_list(self.core))

    def group_resource_list(self, group: str, version: str) -> bytes | None:
        """``/apis/<group>/<version>``."""
        doc = self.group_docs.get(f"{group}/{version}")
        if doc is None:
            return None
        return self._cached(f"apis/{group}/{version}", lambda: self._resource_list(doc))

    def _group(self, g: dict[str, Any]) -> dict[str, Any]:
        out = _order(copy.deepcopy(g), "APIGroup")
        out["versions"] = [_order(v, "GroupVersion") for v in out["versions"]]
        out["preferredVersion"] = _order(out["preferredVersion"], "GroupVersion")
        return out

    def group_list(self) -> bytes:
        """``/apis``: APIGroupList."""
        def build():
            return _order({"kind": "APIGroupList", "apiVersion": "v1",
                           "groups": [self._group(g) for g in self.apis["groups"]]}, "APIGroupList")
        return self._cached("apis", build)

    def group(self, name: str) -> bytes | None:
        """``/apis/<group>``: APIGroup."""
        for g in self.apis["groups"]:
            if g["name"] == name:
                return self._cached(f"apis/{name}", lambda: {"kind": "APIGroup", "apiVersion": "v1",
                                                              **self._group(g)})
        return None

    @staticmethod
    def _agg_resource(r: dict[str, Any]) -> dict[str, Any]:
        out = _order(r, "ResourceDiscovery")
        out["responseKind"] = _order(out["responseKind"], "GVK")
        if "subresources" in out:
            out["subresources"] = [_order(dict(s, responseKind=_order(s["responseKind"], "GVK")),
                                          "SubresourceDiscovery") for s in out["subresources"]]
        return out

    def _aggregated_doc(self, items: list[dict[str, Any]], api_version: str) -> dict[str, Any]:
        out_items = []
        for g in items:
            versions = []
            for v in g["versions"]:
                versions.append(_order({"version": v["version"],
                                        "resources": [self._agg_resource(r) for r in v["resources"]],
                                        "freshness": v.get("freshness", "Current")}, "VersionDiscovery"))
            out_items.append(_order({"metadata": g["metadata"], "versions": versions}, "GroupDiscovery"))
        return {"kind": "APIGroupDiscoveryList", "apiVersion": api_version, "metadata": {}, "items": out_items}

    def aggregated_apis(self, api_version: str = "apidiscovery.k8s.io/v2") -> bytes:
        """``/apis`` as APIGroupDiscoveryList."""
        return self._cached(f"agg-apis-{api_version}",
                            lambda: self._aggregated_doc(self.aggregated["items"], api_version))

    def aggregated_core(self, api_version: str = "apidiscovery.k8s.io/v2") -> bytes:
        """``/api`` as APIGroupDiscoveryList, derived from ``api__v1.json``."""
        def build():
            resources: list[dict[str, Any]] = []
            by_name: dict[str, dict[str, Any]] = {}
            for r in self.core["resources"]:
                if "/" in r["name"]:
                    parent, sub = r["name"].split("/", 1)
                    p = by_name.get(parent)
                    if p is None:
                        continue
                    p.setdefault("subresources", []).append({
                        "subresource": sub,
                        "responseKind": {"group": r.get("group", ""), "version": r.get("version", ""),
                                         "kind": r["kind"]},
                        "verbs": list(r["verbs"])})
                    continue
                entry: dict[str, Any] = {
                    "resource": r["name"], "responseKind": {"group": "", "version": "", "kind": r["kind"]},
                    "scope": "Namespaced" if r["namespaced"] else "Cluster",
                    "singularResource": r.get("singularName", ""), "verbs": list(r["verbs"])}
                if r.get("shortNames"):
                    entry["shortNames"] = list(r["shortNames"])
                if r.get("categories"):
                    entry["categories"] = list(r["categories"])
                by_name[r["name"]] = entry
                resources.append(entry)
            items = [{"metadata": {}, "versions": [{"version": "v1", "resources": resources,
                                                    "freshness": "Current"}]}]
            return self._aggregated_doc(items, api_version)
        return self._cached(f"agg-api-{api_version}", build)

    # -- OpenAPI v3 (minimal, enough for kubectl's fieldValidation probe and `kubectl explain`) --

    def _gv_path(self, group: str, version: str) -> str:
        return f"api/{version}" if group == "" else f"apis/{group}/{version}"

    def openapi_v3_doc(self, group: str, version: str) -> bytes | None:
        """A small but valid OpenAPI 3 document for one group version."""
        key = f"openapi/{group}/{version}"
        if key in self._cache:
            return self._cache[key]
        infos = [i for i in self.resources.values() if i.group == group and i.version == version]
        if not infos:
            return None
        prefix = "/" + self._gv_path(group, version)
        params = [
            {"name": "dryRun", "in": "query", "description": "dry run", "schema": {"type": "string", "uniqueItems": True}},
            {"name": "fieldManager", "in": "query", "description": "field manager",
             "schema": {"type": "string", "uniqueItems": True}},
            {"name": "fieldValidation", "in": "query",
             "description": "fieldValidation instructs the server on how to handle objects in the request "
                            "containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.",
             "schema": {"type": "string", "uniqueItems": True}},
            {"name": "force", "in": "query", "description": "force", "schema": {"type": "boolean", "uniqueItems": True}},
        ]
        paths: dict[str, Any] = {}
        schemas: dict[str, Any] = {}
        gname = group.split(".")[0] if group else "core"
        for info in infos:
            gvk = {"group": group, "kind": info.kind, "version": version}
            ref = f"io.k8s.api.{gname}.{version}.{info.kind}"
            scoped = f"{prefix}/namespaces/{{namespace}}/{info.plural}/{{name}}" if info.namespaced \
                else f"{prefix}/{info.plural}/{{name}}"
            if "patch" in info.verbs:
                paths[scoped] = {"patch": {
                    "description": f"partially update the specified {info.kind}",
                    "operationId": f"patch{info.kind}", "tags": [f"{gname}_{version}"],
                    "parameters": params,
                    "requestBody": {"content": {"application/apply-patch+yaml": {"schema": {"type": "object"}},
                                                "application/merge-patch+json": {"schema": {"type": "object"}}},
                                    "required": True},
                    "responses": {"200": {"description": "OK", "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}},
                    "x-kubernetes-action": "patch", "x-kubernetes-group-version-kind": gvk}}
            elif "get" in info.verbs:
                paths[scoped] = {"get": {
                    "operationId": f"read{info.kind}", "responses": {"200": {"description": "OK"}},
                    "x-kubernetes-action": "get", "x-kubernetes-group-version-kind": gvk}}
            schemas[ref] = {
                "description": f"{info.kind} is served by the kube-mcp fake cluster (minimal schema).",
                "type": "object",
                "properties": {
                    "apiVersion": {"description": "APIVersion defines the versioned schema of this representation of an object.",
                                   "type": "string"},
                    "kind": {"description": "Kind is a string value representing the REST resource this object represents.",
                             "type": "string"},
                    "metadata": {"description": "Standard object's metadata.", "type": "object"},
                    "spec": {"description": f"Spec of the {info.kind}.", "type": "object"},
                    "status": {"description": f"Most recently observed status of the {info.kind}.", "type": "object"},
                },
                "x-kubernetes-group-version-kind": [gvk],
            }
        doc = {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.37.0"}, "paths": paths,
               "components": {"schemas": schemas}}
        self._cache[key] = kjson.encode(doc)
        return self._cache[key]

    def openapi_v3_root(self) -> bytes:
        """``/openapi/v3``: the path index with content hashes."""
        def build():
            paths = {}
            for group, version in self.group_versions():
                body = self.openapi_v3_doc(group, version)
                if body is None:
                    continue
                h = hashlib.sha512(body).hexdigest()[:128].upper()
                p = self._gv_path(group, version)
                paths[p] = {"serverRelativeURL": f"/openapi/v3/{p}?hash={h}"}
            return {"paths": paths}
        return self._cached("openapi-root", build)
