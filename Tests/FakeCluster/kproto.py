"""Just enough Kubernetes protobuf to read the request bodies kubectl's typed clients send.

kubectl posts a few objects as ``application/vnd.kubernetes.protobuf`` (``auth can-i``, ``auth whoami``,
``drain``'s evictions, ``create token``, ``create namespace|configmap|secret|serviceaccount``). The body is the ``k8s\\0`` magic plus a ``runtime.Unknown``
envelope; the inner message is decoded here for those kinds into the JSON shape the handlers expect.
Responses are always JSON (client-go decodes by the response Content-Type).
"""

from __future__ import annotations

import base64
from typing import Any, Callable

from apierrors import APIError

MAGIC = b"k8s\x00"
Fields = dict[int, list[Any]]


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def fields(buf: bytes) -> Fields:
    """Parse one message into {field number: [raw values]} (varints as int, length-delimited as bytes)."""
    out: Fields = {}
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(buf, i)
        elif wt == 2:
            n, i = _varint(buf, i)
            v, i = buf[i:i + n], i + n
        elif wt == 1:
            v, i = buf[i:i + 8], i + 8
        elif wt == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"wire type {wt}")
        out.setdefault(num, []).append(v)
    return out


def _s(f: Fields, n: int) -> str | None:
    return f[n][-1].decode() if n in f else None


def _strings(f: Fields, n: int) -> list[str]:
    return [v.decode() for v in f.get(n, [])]


def _map(f: Fields, n: int) -> dict[str, str]:
    out = {}
    for entry in f.get(n, []):
        e = fields(entry)
        out[_s(e, 1) or ""] = _s(e, 2) or ""
    return out


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v not in (None, {}, [])}


def object_meta(buf: bytes) -> dict[str, Any]:
    """metav1.ObjectMeta (the fields a request can carry)."""
    f = fields(buf)
    return _drop_none({"name": _s(f, 1), "generateName": _s(f, 2), "namespace": _s(f, 3), "uid": _s(f, 5),
                       "resourceVersion": _s(f, 6), "labels": _map(f, 11), "annotations": _map(f, 12)})


def _resource_attributes(buf: bytes) -> dict[str, Any]:
    f = fields(buf)
    return _drop_none({"namespace": _s(f, 1), "verb": _s(f, 2), "group": _s(f, 3), "version": _s(f, 4),
                       "resource": _s(f, 5), "subresource": _s(f, 6), "name": _s(f, 7)})


def _ssar(f: Fields) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if 2 in f:
        s = fields(f[2][-1])
        if 1 in s:
            spec["resourceAttributes"] = _resource_attributes(s[1][-1])
        if 2 in s:
            n = fields(s[2][-1])
            spec["nonResourceAttributes"] = _drop_none({"path": _s(n, 1), "verb": _s(n, 2)})
    return {"metadata": object_meta(f[1][-1]) if 1 in f else {}, "spec": spec}


def _ssrr(f: Fields) -> dict[str, Any]:
    spec = fields(f[2][-1]) if 2 in f else {}
    return {"metadata": object_meta(f[1][-1]) if 1 in f else {}, "spec": _drop_none({"namespace": _s(spec, 1)})}


def _eviction(f: Fields) -> dict[str, Any]:
    out: dict[str, Any] = {"metadata": object_meta(f[1][-1]) if 1 in f else {}}
    if 2 in f:
        d = fields(f[2][-1])
        opts: dict[str, Any] = {}
        if 1 in d:
            v = d[1][-1]
            opts["gracePeriodSeconds"] = v - (1 << 64) if v >= 1 << 63 else v
        if 4 in d:
            opts["propagationPolicy"] = _s(d, 4)
        if 5 in d:
            opts["dryRun"] = _strings(d, 5)
        out["deleteOptions"] = opts
    return out


def _token_request(f: Fields) -> dict[str, Any]:
    spec = fields(f[2][-1]) if 2 in f else {}
    out: dict[str, Any] = {"audiences": _strings(spec, 1)}
    if 4 in spec:
        out["expirationSeconds"] = spec[4][-1]
    return {"metadata": object_meta(f[1][-1]) if 1 in f else {}, "spec": out}


def _bytes_map(f: Fields, n: int) -> dict[str, str]:
    out = {}
    for entry in f.get(n, []):
        e = fields(entry)
        out[_s(e, 1) or ""] = base64.b64encode(e[2][-1] if 2 in e else b"").decode()
    return out


def _meta_only(f: Fields) -> dict[str, Any]:
    return {"metadata": object_meta(f[1][-1]) if 1 in f else {}}


def _namespace(f: Fields) -> dict[str, Any]:
    out = _meta_only(f)
    if 2 in f:
        fins = _strings(fields(f[2][-1]), 1)
        if fins:
            out["spec"] = {"finalizers": fins}
    return out


def _configmap(f: Fields) -> dict[str, Any]:
    out = _meta_only(f)
    out.update(_drop_none({"data": _map(f, 2), "binaryData": _bytes_map(f, 3)}))
    if 4 in f:
        out["immutable"] = bool(f[4][-1])
    return out


def _secret(f: Fields) -> dict[str, Any]:
    out = _meta_only(f)
    out.update(_drop_none({"data": _bytes_map(f, 2), "type": _s(f, 3), "stringData": _map(f, 4)}))
    if 5 in f:
        out["immutable"] = bool(f[5][-1])
    return out


DECODERS: dict[str, Callable[[Fields], dict[str, Any]]] = {
    "Namespace": _namespace, "ConfigMap": _configmap, "Secret": _secret, "ServiceAccount": _meta_only,
    "SelfSubjectAccessReview": _ssar, "SubjectAccessReview": _ssar, "LocalSubjectAccessReview": _ssar,
    "SelfSubjectRulesReview": _ssrr, "SelfSubjectReview": lambda f: {"metadata": object_meta(f[1][-1]) if 1 in f else {}},
    "Eviction": _eviction, "TokenRequest": _token_request,
}


def decode(body: bytes) -> dict[str, Any]:
    """A protobuf request body as a JSON-style object; 415 for kinds this fake cannot read."""
    if not body.startswith(MAGIC):
        raise APIError(400, "BadRequest", "provided data does not appear to be a protobuf message, expected prefix "
                       "[107 56 115 0]")
    env = fields(body[len(MAGIC):])
    tm = fields(env[1][-1]) if 1 in env else {}
    api_version, kind = _s(tm, 1) or "", _s(tm, 2) or ""
    dec = DECODERS.get(kind)
    if dec is None:
        raise APIError(415, "UnsupportedMediaType", f"the fake cluster cannot decode protobuf {kind or 'objects'}; "
                       "send application/json")
    obj = dec(fields(env[2][-1]) if 2 in env else {})
    return {"kind": kind, "apiVersion": api_version, **obj}
