"""Patch types (JSON merge, JSON patch, strategic merge) and a simplified server-side apply with managedFields.

Strategic merge knows the merge keys of the built-in types that matter in practice (containers, env,
volumes, volumeMounts, ports, conditions, ...). Server-side apply tracks field ownership per manager at the
leaf level in the ``FieldsV1`` format, detects conflicts with other managers, and removes fields a manager
stopped applying when nobody else owns them.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Iterable

from apierrors import APIError, Cause, bad_request

# --- JSON merge patch (RFC 7386) ------------------------------------------------------------------------------


def merge_patch(target: Any, patch: Any) -> Any:
    """Apply an RFC 7386 merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


# --- JSON patch (RFC 6902) ------------------------------------------------------------------------------------


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise bad_request("the server rejected our request due to an error in our request")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _container(doc: Any, parts: list[str]) -> Any:
    cur = doc
    for p in parts:
        if isinstance(cur, dict):
            if p not in cur:
                raise KeyError(p)
            cur = cur[p]
        elif isinstance(cur, list):
            cur = cur[int(p)]
        else:
            raise KeyError(p)
    return cur


def json_patch(doc: Any, ops: list[dict[str, Any]]) -> Any:
    """Apply an RFC 6902 JSON patch; failures are 422/500-ish like the apiserver's messages."""
    doc = copy.deepcopy(doc)
    if not isinstance(ops, list):
        raise bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    for op in ops:
        kind = op.get("op")
        try:
            parts = _pointer(op.get("path", ""))
            if kind == "test":
                if _container(doc, parts) != op.get("value"):
                    raise APIError(422, "Invalid", "the server rejected our request due to an error in our request")
                continue
            if kind in ("move", "copy"):
                src = _pointer(op["from"])
                value = copy.deepcopy(_container(doc, src))
                if kind == "move":
                    doc = _remove(doc, src)
                doc = _add(doc, parts, value)
            elif kind == "add":
                doc = _add(doc, parts, copy.deepcopy(op.get("value")))
            elif kind == "remove":
                doc = _remove(doc, parts)
            elif kind == "replace":
                _container(doc, parts)
                doc = _remove(doc, parts)
                doc = _add(doc, parts, copy.deepcopy(op.get("value")))
            else:
                raise bad_request(f"Unexpected kind: {kind}")
        except (KeyError, IndexError, ValueError, TypeError):
            raise APIError(422, "Invalid", "the server rejected our request due to an error in our request")
    return doc


def _add(doc: Any, parts: list[str], value: Any) -> Any:
    if not parts:
        return value
    parent = _container(doc, parts[:-1])
    last = parts[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        if last == "-":
            parent.append(value)
        else:
            idx = int(last)
            if idx > len(parent):
                raise IndexError(idx)
            parent.insert(idx, value)
    else:
        raise KeyError(last)
    return doc


def _remove(doc: Any, parts: list[str]) -> Any:
    parent = _container(doc, parts[:-1])
    last = parts[-1]
    if isinstance(parent, dict):
        del parent[last]
    else:
        del parent[int(last)]
    return doc


# --- strategic merge patch ------------------------------------------------------------------------------------

MERGE_KEYS: dict[str, str] = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "env": "name",
    "volumes": "name", "volumeMounts": "mountPath", "volumeDevices": "devicePath", "imagePullSecrets": "name",
    "conditions": "type", "ownerReferences": "uid", "hostAliases": "ip", "resourceClaims": "name",
    "topologySpreadConstraints": "topologyKey", "readinessGates": "conditionType",
}
PRIMITIVE_MERGE_LISTS = {"finalizers"}


def merge_key_for(field: str, items: Iterable[Any]) -> str | None:
    """The strategic-merge key of a list field (None for atomic lists)."""
    if field == "ports":
        items = list(items)
        if any(isinstance(i, dict) and "containerPort" in i for i in items):
            return "containerPort"
        return "port"
    return MERGE_KEYS.get(field)


def strategic_merge(target: Any, patch: Any) -> Any:
    """Apply a strategic merge patch to a JSON object."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if patch.get("$patch") == "delete":
        return None
    out = dict(target) if isinstance(target, dict) else {}
    order_hints: dict[str, list[Any]] = {}
    for k, v in patch.items():
        if k.startswith("$setElementOrder/"):
            order_hints[k.split("/", 1)[1]] = v
            continue
        if k.startswith("$deleteFromPrimitiveList/"):
            field = k.split("/", 1)[1]
            if isinstance(out.get(field), list):
                out[field] = [x for x in out[field] if x not in (v or [])]
            continue
        if k.startswith("$retainKeys") or k == "$patch":
            continue
        if v is None:
            out.pop(k, None)
        elif isinstance(v, list):
            out[k] = _merge_list(k, out.get(k), v)
        elif isinstance(v, dict):
            merged = strategic_merge(out.get(k), v)
            if merged is None:
                out.pop(k, None)
            else:
                out[k] = merged
        else:
            out[k] = v
    for field, order in order_hints.items():
        key = merge_key_for(field, out.get(field) or [])
        if key and isinstance(out.get(field), list):
            want = [o.get(key) if isinstance(o, dict) else o for o in order]
            rank = {w: i for i, w in enumerate(want)}
            out[field] = sorted(out[field], key=lambda it: rank.get(it.get(key) if isinstance(it, dict) else it,
                                                                     len(rank)))
    return out


def _merge_list(field: str, current: Any, patch: list[Any]) -> list[Any]:
    current = current if isinstance(current, list) else []
    if field in PRIMITIVE_MERGE_LISTS:
        out = list(current)
        for v in patch:
            if v not in out:
                out.append(v)
        return out
    key = merge_key_for(field, list(current) + list(patch))
    if key is None or not all(isinstance(p, dict) for p in patch):
        return [copy.deepcopy(p) for p in patch]
    if any(isinstance(p, dict) and p.get("$patch") == "replace" for p in patch):
        return [copy.deepcopy(p) for p in patch if p.get("$patch") != "replace"]
    out = [copy.deepcopy(c) for c in current]
    for p in patch:
        kv = p.get(key)
        idx = next((i for i, c in enumerate(out) if isinstance(c, dict) and c.get(key) == kv), None)
        if p.get("$patch") == "delete":
            if idx is not None:
                out.pop(idx)
            continue
        if idx is None:
            out.append(strategic_merge({}, p))
        else:
            out[idx] = strategic_merge(out[idx], p)
    return out


# --- managed fields / server-side apply ----------------------------------------------------------------------

Path = tuple[str, ...]
_SYSTEM_META = {"name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
                "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "generateName"}


def _key_elem(item: dict[str, Any], field: str, key: str) -> str:
    kv: dict[str, Any] = {key: item.get(key)}
    if field == "ports":
        kv["protocol"] = item.get("protocol", "TCP")
    return "k:" + json.dumps(dict(sorted(kv.items())), separators=(",", ":"))


def leaf_paths(obj: Any, include_status: bool = False) -> set[Path]:
    """Leaf field paths of an object in FieldsV1 element syntax (``f:spec``, ``k:{"name":"x"}``, ``.``)."""
    out: set[Path] = set()

    def walk(value: Any, path: Path, field: str) -> None:
        if isinstance(value, dict) and value:
            for k, v in value.items():
                walk(v, path + (f"f:{k}",), k)
            return
        if isinstance(value, list) and value and all(isinstance(i, dict) for i in value):
            key = merge_key_for(field, value)
            if key and all(key in i for i in value):
                for item in value:
                    ipath = path + (_key_elem(item, field, key),)
                    out.add(ipath + (".",))
                    for k, v in item.items():
                        walk(v, ipath + (f"f:{k}",), k)
                return
        out.add(path)

    if not isinstance(obj, dict):
        return out
    for k, v in obj.items():
        if k in ("kind", "apiVersion"):
            continue
        if k == "status" and not include_status:
            continue
        if k == "metadata" and isinstance(v, dict):
            for mk, mv in v.items():
                if mk not in _SYSTEM_META:
                    walk(mv, ("f:metadata", f"f:{mk}"), mk)
            continue
        walk(v, (f"f:{k}",), k)
    return out


def to_fields_v1(paths: Iterable[Path]) -> dict[str, Any]:
    """Nested FieldsV1 map from leaf paths."""
    root: dict[str, Any] = {}
    for p in sorted(paths):
        cur = root
        for elem in p:
            cur = cur.setdefault(elem, {})
    return root


def from_fields_v1(tree: dict[str, Any], prefix: Path = ()) -> set[Path]:
    """Leaf paths from a FieldsV1 map."""
    out: set[Path] = set()
    for k, v in (tree or {}).items():
        p = prefix + (k,)
        if isinstance(v, dict) and v:
            out |= from_fields_v1(v, p)
        else:
            out.add(p)
    return out


def _key_match(item: dict[str, Any], kv: dict[str, Any]) -> bool:
    return all(item.get(a, "TCP" if a == "protocol" else None) == b for a, b in kv.items())


def _lookup(obj: Any, path: Path) -> tuple[bool, Any]:
    cur = obj
    for elem in path:
        if elem == ".":
            return True, None
        if elem.startswith("f:"):
            if not isinstance(cur, dict) or elem[2:] not in cur:
                return False, None
            cur = cur[elem[2:]]
        elif elem.startswith("k:"):
            kv = json.loads(elem[2:])
            if not isinstance(cur, list):
                return False, None
            cur = next((i for i in cur if isinstance(i, dict) and _key_match(i, kv)), None)
            if cur is None:
                return False, None
        else:
            return False, None
    return True, cur


def _delete_path(obj: Any, path: Path) -> None:
    if path and path[-1] == ".":
        path = path[:-1]
    parent_ok, parent = _lookup(obj, path[:-1])
    if not parent_ok:
        return
    elem = path[-1]
    if elem.startswith("f:") and isinstance(parent, dict):
        parent.pop(elem[2:], None)
    elif elem.startswith("k:") and isinstance(parent, list):
        kv = json.loads(elem[2:])
        parent[:] = [i for i in parent if not (isinstance(i, dict) and _key_match(i, kv))]


def apply_merge(current: Any, applied: Any, field: str = "") -> Any:
    """Merge an applied configuration into the live object (keyed lists merged, other lists replaced)."""
    if isinstance(applied, dict):
        out = dict(current) if isinstance(current, dict) else {}
        for k, v in applied.items():
            out[k] = apply_merge(out.get(k), v, k)
        return out
    if isinstance(applied, list) and applied and all(isinstance(i, dict) for i in applied):
        key = merge_key_for(field, applied)
        if key and isinstance(current, list) and all(key in i for i in applied):
            out = [copy.deepcopy(c) for c in current]
            for item in applied:
                idx = next((i for i, c in enumerate(out) if isinstance(c, dict) and c.get(key) == item.get(key)),
                           None)
                if idx is None:
                    out.append(copy.deepcopy(item))
                else:
                    out[idx] = apply_merge(out[idx], item, field)
            return out
    return copy.deepcopy(applied)


def _dotted(path: Path) -> str:
    """``.spec.template.spec.containers[name="web"].image`` from FieldsV1 path elements."""
    out = ""
    for e in path:
        if e.startswith("f:"):
            out += "." + e[2:]
        elif e.startswith("k:"):
            kv = json.loads(e[2:])
            out += "[" + ",".join(f"{k}={json.dumps(v)}" for k, v in kv.items()) + "]"
    return out


def _conflict_error(conflicts: dict[str, list[Path]], api_version: str, resource: str, group: str,
                    name: str) -> APIError:
    """409 as structured-merge-diff words it (one line for one conflict, a list otherwise)."""
    causes = [Cause("FieldManagerConflict", f'conflict with "{mgr}" using {api_version}', _dotted(p))
              for mgr, paths in conflicts.items() for p in sorted(paths)]
    if len(causes) == 1:
        msg = f"Apply failed with 1 conflict: {causes[0].message}: {causes[0].field}"
    else:
        msg = f"Apply failed with {len(causes)} conflicts: " + "\n".join(
            f'conflicts with "{mgr}" using {api_version}:\n' + "\n".join(f"- {_dotted(p)}" for p in sorted(paths))
            for mgr, paths in conflicts.items())
    return APIError(409, "Conflict", msg, name=name, group=group, kind=resource, causes=causes)


def _entry(manager: str, operation: str, api_version: str, time: str, paths: set[Path],
           subresource: str = "") -> dict[str, Any]:
    e: dict[str, Any] = {"manager": manager, "operation": operation, "apiVersion": api_version, "time": time,
                         "fieldsType": "FieldsV1", "fieldsV1": to_fields_v1(paths)}
    if subresource:
        e["subresource"] = subresource
    return e


def server_side_apply(live: dict[str, Any] | None, applied: dict[str, Any], manager: str, force: bool,
                      api_version: str, time: str, resource: str, group: str, name: str) -> dict[str, Any]:
    """Apply ``applied`` as ``manager``; returns the new object with updated managedFields.

    Raises a 409 Conflict (reason ``Conflict``, causes ``FieldManagerConflict``) when another manager owns a
    field with a different value and ``force`` is false.
    """
    live = copy.deepcopy(live) if live else {}
    managed = (live.get("metadata") or {}).get("managedFields") or []
    applied_paths = leaf_paths(applied)
    conflicts: dict[str, list[Path]] = {}
    others: list[tuple[dict[str, Any], set[Path]]] = []
    mine: set[Path] = set()
    for entry in managed:
        paths = from_fields_v1(entry.get("fieldsV1") or {})
        if entry.get("manager") == manager and entry.get("operation") == "Apply":
            mine = paths
            continue
        others.append((entry, paths))
        if entry.get("subresource"):
            continue
        for p in applied_paths & paths:
            ok_live, live_v = _lookup(live, p)
            ok_app, app_v = _lookup(applied, p)
            if ok_live and ok_app and live_v != app_v:
                conflicts.setdefault(entry.get("manager", ""), []).append(p)
    if conflicts and not force:
        raise _conflict_error(conflicts, api_version, resource, group, name)

    merged = apply_merge(live, {k: v for k, v in applied.items() if k not in ("status",)})
    owned_by_others: set[Path] = set()
    new_managed = []
    for entry, paths in others:
        if force and not entry.get("subresource"):
            lost = set(conflicts.get(entry.get("manager", ""), []))
            paths = paths - lost
        owned_by_others |= paths
        if paths:
            new_managed.append(dict(entry, fieldsV1=to_fields_v1(paths)))
    for p in sorted(mine - applied_paths - owned_by_others, key=len, reverse=True):
        _delete_path(merged, p)
    new_managed.insert(0, _entry(manager, "Apply", api_version, time, applied_paths))
    merged.setdefault("metadata", {})["managedFields"] = new_managed
    return merged


def record_update(old: dict[str, Any] | None, new: dict[str, Any], manager: str, api_version: str, time: str,
                  subresource: str = "") -> list[dict[str, Any]]:
    """managedFields after a non-apply write: changed leaves move to ``manager`` (operation Update)."""
    include_status = subresource == "status"
    new_paths = leaf_paths(new, include_status=include_status)
    if old is None:
        changed = new_paths
        managed: list[dict[str, Any]] = []
    else:
        old_paths = leaf_paths(old, include_status=include_status)
        changed = {p for p in new_paths if p not in old_paths or _lookup(old, p) != _lookup(new, p)}
        managed = (old.get("metadata") or {}).get("managedFields") or []
    all_new = leaf_paths(new, include_status=True)
    out = []
    mine: set[Path] = set()
    for entry in managed:
        paths = from_fields_v1(entry.get("fieldsV1") or {}) & all_new
        same = (entry.get("manager") == manager and entry.get("operation") == "Update"
                and entry.get("subresource", "") == subresource)
        if same:
            mine = paths
            continue
        paths -= changed
        if paths:
            out.append(dict(entry, fieldsV1=to_fields_v1(paths)))
    mine |= changed
    if mine:
        out.append(_entry(manager, "Update", api_version, time, mine, subresource))
    return out
