"""JSON encoding the way kube-apiserver does it, plus small time helpers.

Go's ``encoding/json`` writes compact output, keeps non-ASCII characters as UTF-8 and escapes ``<``, ``>``,
``&``, U+2028 and U+2029. Those characters can only occur inside JSON strings, so a plain text replacement
after :func:`json.dumps` is exact.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def dumps(obj: Any) -> str:
    """Compact Go-style JSON text."""
    text = _ENCODER.encode(obj)
    for ch, esc in _ESCAPES:
        if ch in text:
            text = text.replace(ch, esc)
    return text


def encode(obj: Any) -> bytes:
    """Compact Go-style JSON as UTF-8 bytes."""
    return dumps(obj).encode("utf-8")


def pretty(obj: Any) -> bytes:
    """Indented output, as the server sends for ``?pretty=true``."""
    text = json.dumps(obj, ensure_ascii=False, indent=2)
    for ch, esc in _ESCAPES:
        text = text.replace(ch, esc)
    return (text + "\n").encode("utf-8")


def utcnow() -> _dt.datetime:
    """Current UTC time."""
    return _dt.datetime.now(_dt.timezone.utc)


def rfc3339(t: _dt.datetime | None = None) -> str:
    """``2006-01-02T15:04:05Z`` (seconds precision, like metav1.Time)."""
    t = t or utcnow()
    return t.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc3339_micro(t: _dt.datetime | None = None) -> str:
    """``2006-01-02T15:04:05.000000Z`` (metav1.MicroTime)."""
    t = t or utcnow()
    return t.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def rfc3339_nano(t: _dt.datetime) -> str:
    """RFC3339Nano as used by kubelet log timestamps (nanoseconds, trailing zeros kept at 9 digits)."""
    return t.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"


def parse_time(s: str) -> _dt.datetime:
    """Parse an RFC3339 timestamp as written by this server or by clients."""
    s = s.strip()
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    if "." in s:
        head, rest = s.split(".", 1)
        frac, tz = rest, ""
        for sep in ("+", "-"):
            if sep in rest:
                frac, tz = rest.split(sep, 1)
                tz = sep + tz
                break
        s = f"{head}.{frac[:6].ljust(6, '0')}{tz}"
    return _dt.datetime.fromisoformat(s)


def human_duration(seconds: float) -> str:
    """``kubectl``-style short duration (``duration.HumanDuration``): 5s, 3m20s, 4h, 2d3h, 400d."""
    s = int(seconds)
    if s < 0:
        s = 0
    if s < 60 * 2:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        rem = s % 60
        return f"{minutes}m{rem}s" if rem else f"{minutes}m"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        rem = (s % 3600) // 60
        return f"{hours}h{rem}m" if rem else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rem = hours % 24
        return f"{hours // 24}d{rem}h" if rem else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = hours // 24
        rem = days % 365
        return f"{days // 365}y{rem}d" if rem else f"{days // 365}y"
    return f"{hours // 24 // 365}y"


def age(timestamp: str | None, now: _dt.datetime | None = None) -> str:
    """Age column text for a creationTimestamp (``<unknown>`` when missing)."""
    if not timestamp:
        return "<unknown>"
    now = now or utcnow()
    return human_duration((now - parse_time(timestamp)).total_seconds())
