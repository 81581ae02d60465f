"""The object store: one global resourceVersion counter, encoded-object cache, event log and watchers.

The store is deliberately dumb: it keeps objects per group-resource under etcd-like keys (``ns/name`` or
``name``), stamps ``metadata.resourceVersion``, records every change in a bounded event log (the "watch
cache") and fans changes out to watchers. Object semantics (uids, generation, validation, owners) live in
:mod:`registry`.

Objects handed to :meth:`Store.put` become owned by the store and must never be mutated afterwards; readers
that want to change an object copy it first. That keeps event-log snapshots and cached encodings valid.
"""

from __future__ import annotations

import asyncio
import base64
import bisect
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Iterator

import kjson
from apierrors import APIError, bad_request, expired

GroupResource = tuple[str, str]


@dataclass(slots=True)
class Stored:
    """An object plus its compact encoding without ``kind``/``apiVersion`` (the list-item form)."""

    obj: dict[str, Any]
    item: bytes

    def full(self, kind: str, api_version: str) -> bytes:
        """The object's encoding with ``kind`` and ``apiVersion`` first, as a GET returns it."""
        head = b'{"kind":' + kjson.encode(kind) + b',"apiVersion":' + kjson.encode(api_version)
        if self.item == b"{}":
            return head + b"}"
        return head + b"," + self.item[1:]


@dataclass(slots=True)
class Event:
    """One change: ADDED, MODIFIED or DELETED of ``obj`` (``old`` is the previous state, if any)."""

    rv: int
    type: str
    gr: GroupResource
    namespace: str
    stored: Stored
    old: dict[str, Any] | None


@dataclass(eq=False)
class Watcher:
    """A registered watch: receives every event of its group-resource (and namespace) through ``queue``."""

    gr: GroupResource
    namespace: str | None
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)
    closed: bool = False

    def close(self) -> None:
        """Ask the streaming coroutine to end the watch."""
        self.closed = True
        self.queue.put_nowait(None)


def strip_type(obj: dict[str, Any]) -> dict[str, Any]:
    """The object without ``kind`` and ``apiVersion`` (shallow)."""
    return {k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}


_TOP_ORDER = ("kind", "apiVersion", "metadata", "spec", "status")
_META_ORDER = ("name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
               "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
               "ownerReferences", "finalizers", "managedFields")


def normalize(obj: dict[str, Any]) -> dict[str, Any]:
    """Reorder top-level and metadata keys into the Go struct order a real server serialises."""
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        m = {k: meta[k] for k in _META_ORDER if k in meta}
        for k, v in meta.items():
            if k not in m:
                m[k] = v
        obj = dict(obj, metadata=m)
    out = {k: obj[k] for k in _TOP_ORDER if k in obj}
    for k, v in obj.items():
        if k not in out:
            out[k] = v
    return out


def encode_continue(rv: int, start: str) -> str:
    """The etcd3 store's continue token: base64url (no padding) of {"v","rv","start"}."""
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": start}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_continue(token: str) -> tuple[int, str]:
    """(rv, start key) from a continue token; 400 like the real server when malformed."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        if data.get("v") != "meta.k8s.io/v1":
            raise ValueError
        return int(data["rv"]), str(data["start"])
    except (ValueError, KeyError, TypeError, json.JSONDecodeError):
        raise bad_request("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")


class Store:
    """All objects of the fake cluster."""

    def __init__(self, watch_window: int = 20000) -> None:
        self.rv = 0
        self.tables: dict[GroupResource, dict[str, Stored]] = {}
        self._sorted: dict[GroupResource, list[str] | None] = {}
        self.log: deque[Event] = deque()
        self.watch_window = watch_window
        self.log_start_rv = 0
        self.watchers: set[Watcher] = set()
        self.by_uid: dict[str, tuple[GroupResource, str]] = {}
        self.dependents: dict[str, set[tuple[GroupResource, str]]] = {}
        self.listeners: list = []

    # -- keys --

    @staticmethod
    def key(namespace: str | None, name: str) -> str:
        """etcd-style key relative to the resource prefix."""
        return f"{namespace}/{name}" if namespace else name

    def next_rv(self) -> int:
        """Advance and return the global resourceVersion."""
        self.rv += 1
        return self.rv

    # -- reads --

    def get(self, gr: GroupResource, namespace: str | None, name: str) -> Stored | None:
        """The stored object or None."""
        return self.tables.get(gr, {}).get(self.key(namespace, name))

    def get_by_uid(self, uid: str) -> tuple[GroupResource, Stored] | None:
        """Look an object up by ``metadata.uid``."""
        ref = self.by_uid.get(uid)
        if ref is None:
            return None
        st = self.tables.get(ref[0], {}).get(ref[1])
        return (ref[0], st) if st else None

    def sorted_keys(self, gr: GroupResource) -> list[str]:
        """Keys of a group-resource in etcd (byte) order; cached until the key set changes."""
        keys = self._sorted.get(gr)
        if keys is None:
            keys = sorted(self.tables.get(gr, {}))
            self._sorted[gr] = keys
        return keys

    def iter(self, gr: GroupResource, namespace: str | None = None, start: str = "") -> Iterator[tuple[str, Stored]]:
        """(key, object) pairs in key order, restricted to a namespace, beginning at ``start`` (inclusive)."""
        table = self.tables.get(gr, {})
        keys = self.sorted_keys(gr)
        prefix = f"{namespace}/" if namespace else ""
        lo = bisect.bisect_left(keys, max(prefix, start) if start else prefix)
        for i in range(lo, len(keys)):
            k = keys[i]
            if prefix and not k.startswith(prefix):
                break
            st = table.get(k)
            if st is not None:
                yield k, st

    def count(self, gr: GroupResource) -> int:
        """Number of objects of a group-resource."""
        return len(self.tables.get(gr, {}))

    # -- writes --

    def put(self, gr: GroupResource, obj: dict[str, Any], event_type: str | None = None) -> Stored:
        """Store ``obj`` (which the store now owns) with a new resourceVersion and emit a watch event."""
        meta = obj["metadata"]
        ns = meta.get("namespace") or None
        key = self.key(ns, meta["name"])
        table = self.tables.setdefault(gr, {})
        old = table.get(key)
        rv = self.next_rv()
        meta["resourceVersion"] = str(rv)
        obj = normalize(obj)
        stored = Stored(obj, kjson.encode(strip_type(obj)))
        if old is None:
            self._sorted[gr] = None
        else:
            self._unindex(gr, key, old.obj)
        table[key] = stored
        self._index(gr, key, obj)
        self._emit(Event(rv, event_type or ("MODIFIED" if old else "ADDED"), gr, ns or "", stored,
                         old.obj if old else None))
        return stored

    def remove(self, gr: GroupResource, namespace: str | None, name: str) -> Stored | None:
        """Delete an object; the DELETED event carries its last state with a fresh resourceVersion."""
        key = self.key(namespace, name)
        table = self.tables.get(gr, {})
        old = table.pop(key, None)
        if old is None:
            return None
        self._sorted[gr] = None
        self._unindex(gr, key, old.obj)
        rv = self.next_rv()
        obj = dict(old.obj)
        obj["metadata"] = dict(obj["metadata"], resourceVersion=str(rv))
        stored = Stored(obj, kjson.encode(strip_type(obj)))
        self._emit(Event(rv, "DELETED", gr, namespace or "", stored, old.obj))
        return stored

    def _index(self, gr: GroupResource, key: str, obj: dict[str, Any]) -> None:
        meta = obj["metadata"]
        if meta.get("uid"):
            self.by_uid[meta["uid"]] = (gr, key)
        for ref in meta.get("ownerReferences") or ():
            self.dependents.setdefault(ref.get("uid", ""), set()).add((gr, key))

    def _unindex(self, gr: GroupResource, key: str, obj: dict[str, Any]) -> None:
        meta = obj["metadata"]
        uid = meta.get("uid")
        if uid and self.by_uid.get(uid) == (gr, key):
            del self.by_uid[uid]
        for ref in meta.get("ownerReferences") or ():
            deps = self.dependents.get(ref.get("uid", ""))
            if deps:
                deps.discard((gr, key))
                if not deps:
                    del self.dependents[ref.get("uid", "")]

    def _emit(self, ev: Event) -> None:
        self.log.append(ev)
        while len(self.log) > self.watch_window:
            self.log_start_rv = self.log.popleft().rv
        for w in list(self.watchers):
            if w.gr == ev.gr and (w.namespace is None or w.namespace == ev.namespace):
                w.queue.put_nowait(ev)
        for listener in self.listeners:
            listener(ev)

    # -- watch support --

    def events_since(self, gr: GroupResource, namespace: str | None, rv: int) -> list[Event]:
        """Logged events newer than ``rv``; 410 Expired (watch-cache wording) when ``rv`` was compacted."""
        if rv < self.log_start_rv:
            raise expired(f"too old resource version: {rv} ({self.log_start_rv + 1})")
        out = []
        for ev in reversed(self.log):
            if ev.rv <= rv:
                break
            if ev.gr == gr and (namespace is None or ev.namespace == namespace):
                out.append(ev)
        out.reverse()
        return out

    def subscribe(self, gr: GroupResource, namespace: str | None) -> Watcher:
        """Register a watcher (call in the same event-loop step as reading the backlog)."""
        w = Watcher(gr, namespace)
        self.watchers.add(w)
        return w

    def unsubscribe(self, w: Watcher) -> None:
        """Forget a watcher."""
        self.watchers.discard(w)

    def drop_watches(self) -> int:
        """Close every open watch (fault injection); returns how many were closed."""
        n = len(self.watchers)
        for w in list(self.watchers):
            w.close()
        self.watchers.clear()
        return n

    def compact(self) -> None:
        """Forget the whole event log, as an etcd compaction would."""
        if self.log:
            self.log_start_rv = self.log[-1].rv
        self.log.clear()


def validate_rv(value: str | None) -> int | None:
    """Parse a resourceVersion query value (None/"" → None)."""
    if value in (None, ""):
        return None
    try:
        n = int(value)
        if n < 0:
            raise ValueError
        return n
    except ValueError:
        raise APIError(400, "BadRequest", f'resourceVersion: Invalid value: "{value}": strconv.ParseUint: '
                                          f'parsing "{value}": invalid syntax')
