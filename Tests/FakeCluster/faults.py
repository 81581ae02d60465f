"""Fault injection and the request log behind ``/_fake/faults`` and ``/_fake/requests``."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from apierrors import APIError

KINDS = ("429", "500", "503", "slow", "drop-watches", "expire-next-watch", "expire-next-continue", "expire-tokens",
         "compact")


@dataclass
class Fault:
    """A pending fault; ``count`` requests will be affected (None = until cleared)."""

    kind: str
    count: int | None = 1
    retry_after: int = 1
    seconds: float = 1.0
    path: str = ""
    method: str = ""
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        """Whether a request is targeted by this fault."""
        if self.method and self.method.upper() != method.upper():
            return False
        return not self.path or self.path in path

    def to_json(self) -> dict[str, Any]:
        """JSON form for ``GET /_fake/faults``."""
        return {"kind": self.kind, "count": self.count, "retryAfter": self.retry_after, "seconds": self.seconds,
                "path": self.path, "method": self.method, "hits": self.hits}


@dataclass
class Faults:
    """Pending request faults plus one-shot watch faults."""

    pending: list[Fault] = field(default_factory=list)
    expire_next_watch: int = 0

    def add(self, spec: dict[str, Any]) -> Fault:
        """Register a fault from its JSON description (400 on unknown kinds)."""
        kind = str(spec.get("kind", ""))
        if kind not in KINDS:
            raise APIError(400, "BadRequest", f"unknown fault kind {kind!r}; known: {', '.join(KINDS)}")
        count = spec.get("count", 1)
        fault = Fault(kind=kind, count=None if count in (None, -1) else int(count),
                      retry_after=int(spec.get("retryAfter", 1)), seconds=float(spec.get("seconds", 1.0)),
                      path=str(spec.get("path", "")), method=str(spec.get("method", "")))
        if kind == "expire-next-watch":
            self.expire_next_watch += fault.count or 1
        elif kind in ("429", "500", "503", "slow"):
            self.pending.append(fault)
        return fault

    def take(self, method: str, path: str) -> list[Fault]:
        """Faults that apply to this request (consuming one count of each)."""
        hit = []
        for f in list(self.pending):
            if not f.matches(method, path):
                continue
            hit.append(f)
            f.hits += 1
            if f.count is not None:
                f.count -= 1
                if f.count <= 0:
                    self.pending.remove(f)
            if f.kind in ("429", "500", "503"):
                break
        return hit

    def take_watch_expiry(self) -> bool:
        """Consume one ``expire-next-watch``."""
        if self.expire_next_watch > 0:
            self.expire_next_watch -= 1
            return True
        return False

    def clear(self) -> None:
        """Forget every pending fault."""
        self.pending.clear()
        self.expire_next_watch = 0


class RequestLog:
    """Bounded log of API requests (not including ``/_fake``)."""

    def __init__(self, limit: int = 20000) -> None:
        self.entries: deque[dict[str, Any]] = deque(maxlen=limit)

    def add(self, method: str, path: str, query: str, user: str | None, verb: str = "") -> dict[str, Any]:
        """Append an entry; the returned dict gets ``code`` once the response status is known."""
        entry = {"time": time.time(), "method": method, "path": path, "query": query, "user": user, "verb": verb,
                 "code": None}
        self.entries.append(entry)
        return entry

    def to_json(self) -> dict[str, Any]:
        """``GET /_fake/requests`` body."""
        return {"kind": "RequestLog", "items": list(self.entries)}

    def clear(self) -> None:
        """``DELETE /_fake/requests``."""
        self.entries.clear()
