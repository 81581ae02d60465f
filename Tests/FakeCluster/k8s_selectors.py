"""Label and field selectors with the apiserver's syntax and its supported field labels."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from apierrors import APIError, bad_request

_KEY_RE = re.compile(r"^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$")


@dataclass(frozen=True)
class Requirement:
    """One label requirement: ``op`` is one of = != in notin exists !exists gt lt."""

    key: str
    op: str
    values: tuple[str, ...] = ()

    def matches(self, labels: dict[str, str]) -> bool:
        """Whether a label map satisfies this requirement."""
        has = self.key in labels
        if self.op == "exists":
            return has
        if self.op == "!exists":
            return not has
        if self.op in ("=", "in"):
            return has and labels[self.key] in self.values
        if self.op in ("!=", "notin"):
            return not has or labels[self.key] not in self.values
        if self.op in ("gt", "lt"):
            if not has:
                return False
            try:
                v, ref = int(labels[self.key]), int(self.values[0])
            except ValueError:
                return False
            return v > ref if self.op == "gt" else v < ref
        return False


class LabelSelector:
    """A parsed label selector (requirements ANDed together)."""

    def __init__(self, reqs: list[Requirement]) -> None:
        self.requirements = reqs

    def __bool__(self) -> bool:
        return bool(self.requirements)

    def matches(self, labels: dict[str, str] | None) -> bool:
        """Whether the labels satisfy every requirement."""
        labels = labels or {}
        return all(r.matches(labels) for r in self.requirements)

    @classmethod
    def parse(cls, text: str | None) -> "LabelSelector":
        """Parse ``app=x,tier!=db,env in (a,b),!legacy,release``; raises a 400 APIError when malformed."""
        if not text or not text.strip():
            return cls([])
        parts, depth, cur = [], 0, []
        for ch in text:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            if ch == "," and depth == 0:
                parts.append("".join(cur))
                cur = []
            else:
                cur.append(ch)
        parts.append("".join(cur))
        reqs = [cls._requirement(p.strip(), text) for p in parts]
        return cls(reqs)

    @staticmethod
    def _requirement(part: str, whole: str) -> Requirement:
        def fail(msg: str) -> APIError:
            return bad_request(f"unable to parse requirement: {msg}")
        if not part:
            raise fail("found '', expected: !, identifier, or 'end of string'")
        m = re.match(r"^(\S+?)\s+(in|notin)\s*\((.*)\)$", part)
        if m:
            key, op, vals = m.group(1), m.group(2), m.group(3)
            values = tuple(v.strip() for v in vals.split(",")) if vals.strip() else ()
            _check_key(key, fail)
            if not values:
                raise fail("for 'in', 'notin' operators, values set can't be empty")
            return Requirement(key, op, values)
        if part.startswith("!"):
            key = part[1:].strip()
            _check_key(key, fail)
            return Requirement(key, "!exists")
        for token, op in (("!=", "!="), ("==", "="), ("=", "="), (">", "gt"), ("<", "lt")):
            if token in part:
                key, value = part.split(token, 1)
                key, value = key.strip(), value.strip()
                _check_key(key, fail)
                if op in ("gt", "lt") and not re.fullmatch(r"-?\d+", value):
                    raise fail("for 'Gt', 'Lt' operators, the value must be an integer")
                if value and not re.fullmatch(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?", value):
                    raise fail(f"invalid label value: \"{value}\": a valid label must be an empty string or "
                               "consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
                               "an alphanumeric character")
                return Requirement(key, op, (value,))
        _check_key(part, fail)
        return Requirement(part, "exists")


def _check_key(key: str, fail: Callable[[str], APIError]) -> None:
    if not key or not _KEY_RE.match(key) or len(key.split("/")[-1]) > 63:
        raise fail(f"invalid label key \"{key}\": name part must consist of alphanumeric characters, '-', '_' "
                   "or '.', and must start and end with an alphanumeric character")


# --- field selectors -------------------------------------------------------------------------------------------

def _get(obj: dict[str, Any], path: str) -> str:
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(part)
        if cur is None:
            return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


_COMMON = {"metadata.name": "metadata.name", "metadata.namespace": "metadata.namespace"}
_EVENT_FIELDS = {f"involvedObject.{k}": f"involvedObject.{k}"
                 for k in ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")}
_EVENT_FIELDS.update({"reason": "reason", "reportingComponent": "reportingComponent", "source": "source.component",
                      "type": "type"})
_FIELDS: dict[tuple[str, str], dict[str, str]] = {
    ("", "pods"): {k: k for k in ("spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                                   "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP",
                                   "status.nominatedNodeName")},
    ("", "events"): _EVENT_FIELDS,
    ("events.k8s.io", "events"): {**{f"regarding.{k}": f"regarding.{k}"
                                     for k in ("kind", "namespace", "name", "uid", "apiVersion",
                                               "resourceVersion", "fieldPath")},
                                  "reason": "reason", "reportingController": "reportingController",
                                  "type": "type"},
    ("", "secrets"): {"type": "type"},
    ("", "nodes"): {"spec.unschedulable": "spec.unschedulable"},
    ("", "namespaces"): {"status.phase": "status.phase"},
    ("", "replicationcontrollers"): {"status.replicas": "status.replicas"},
    ("apps", "replicasets"): {"status.replicas": "status.replicas"},
    ("batch", "jobs"): {"status.successful": "status.successful"},
    ("certificates.k8s.io", "certificatesigningrequests"): {"spec.signerName": "spec.signerName"},
}


class FieldSelector:
    """A parsed field selector: (path, op, value) terms ANDed together."""

    def __init__(self, terms: list[tuple[str, str, str]]) -> None:
        self.terms = terms

    def __bool__(self) -> bool:
        return bool(self.terms)

    def matches(self, obj: dict[str, Any]) -> bool:
        """Whether the object satisfies every term."""
        for path, op, value in self.terms:
            actual = _get(obj, path)
            if (actual == value) != (op == "="):
                return False
        return True

    def exact_name(self) -> str | None:
        """The name when the selector pins ``metadata.name=X`` (kubectl's single-object watch)."""
        for path, op, value in self.terms:
            if path == "metadata.name" and op == "=":
                return value
        return None

    @classmethod
    def parse(cls, text: str | None, group: str, resource: str) -> "FieldSelector":
        """Parse ``a=b,c!=d`` for one resource; unsupported labels give the apiserver's 400."""
        if not text or not text.strip():
            return cls([])
        allowed = dict(_COMMON)
        allowed.update(_FIELDS.get((group, resource), {}))
        terms = []
        for part in text.split(","):
            part = part.strip()
            if not part:
                continue
            if "!=" in part:
                key, value = part.split("!=", 1)
                op = "!="
            elif "==" in part:
                key, value = part.split("==", 1)
                op = "="
            elif "=" in part:
                key, value = part.split("=", 1)
                op = "="
            else:
                raise bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
            key = key.strip()
            if key not in allowed:
                raise bad_request(f'field label not supported: {key}')
            terms.append((allowed[key], op, value.strip()))
        return cls(terms)
