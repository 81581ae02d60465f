"""``metav1.Status`` failures shaped exactly like kube-apiserver's (see data/examples/status-*.json).

Field order follows the Go structs: Status = kind, apiVersion, metadata, status, message, reason, details,
code; StatusDetails = name, group, kind, uid, causes, retryAfterSeconds (empty fields omitted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Cause:
    """One ``StatusCause``."""

    reason: str
    message: str
    field: str = ""

    def to_json(self) -> dict[str, str]:
        out = {"reason": self.reason, "message": self.message}
        if self.field:
            out["field"] = self.field
        return out


@dataclass
class APIError(Exception):
    """An error the HTTP layer turns into a Status response with ``code``."""

    code: int
    reason: str
    message: str
    name: str = ""
    group: str = ""
    kind: str = ""
    causes: list[Cause] = field(default_factory=list)
    retry_after: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    include_details: bool = True
    empty_details: bool = False
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code} {self.reason}: {self.message}"

    def status(self) -> dict[str, Any]:
        """The Status object."""
        out: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": dict(self.metadata),
                               "status": "Failure", "message": self.message, "reason": self.reason}
        details: dict[str, Any] = {}
        if self.name:
            details["name"] = self.name
        if self.group:
            details["group"] = self.group
        if self.kind:
            details["kind"] = self.kind
        if self.causes:
            details["causes"] = [c.to_json() for c in self.causes]
        if self.retry_after is not None:
            details["retryAfterSeconds"] = self.retry_after
        if (details and self.include_details) or self.empty_details:
            out["details"] = details
        if not self.reason:
            del out["reason"]
        out["code"] = self.code
        return out


def qualified(resource: str, group: str) -> str:
    """``deployments.apps`` / ``pods`` (GroupResource.String())."""
    return f"{resource}.{group}" if group else resource


def not_found(resource: str, group: str, name: str) -> APIError:
    """404 like ``errors.NewNotFound``."""
    return APIError(404, "NotFound", f'{qualified(resource, group)} "{name}" not found',
                    name=name, group=group, kind=resource)


def already_exists(resource: str, group: str, name: str) -> APIError:
    """409 like ``errors.NewAlreadyExists``."""
    return APIError(409, "AlreadyExists", f'{qualified(resource, group)} "{name}" already exists',
                    name=name, group=group, kind=resource)


def conflict(resource: str, group: str, name: str, detail: str) -> APIError:
    """409 like ``errors.NewConflict``."""
    return APIError(409, "Conflict",
                    f'Operation cannot be fulfilled on {qualified(resource, group)} "{name}": {detail}',
                    name=name, group=group, kind=resource)


STALE_RV = "the object has been modified; please apply your changes to the latest version and try again"


def invalid(kind: str, group: str, name: str, causes: list[Cause]) -> APIError:
    """422 like ``errors.NewInvalid`` (message lists every cause)."""
    qual = f"{kind}.{group}" if group else kind
    parts = [f"{c.field}: {c.message}" if c.field else c.message for c in causes]
    if len(parts) == 1:
        msg = f'{qual} "{name}" is invalid: {parts[0]}'
    else:
        msg = f'{qual} "{name}" is invalid: [{", ".join(parts)}]'
    return APIError(422, "Invalid", msg, name=name, group=group, kind=kind, causes=causes)


def bad_request(message: str) -> APIError:
    """400 like ``errors.NewBadRequest`` (no details)."""
    return APIError(400, "BadRequest", message)


def method_not_supported(resource: str, group: str, action: str) -> APIError:
    """405 like ``errors.NewMethodNotSupported``."""
    return APIError(405, "MethodNotAllowed",
                    f'{action} is not supported on resources of kind "{qualified(resource, group)}"',
                    group=group, kind=resource)


def unauthorized() -> APIError:
    """401 as sent by the authentication filter."""
    return APIError(401, "Unauthorized", "Unauthorized")


def expired(message: str, metadata: dict[str, Any] | None = None) -> APIError:
    """410 Gone/Expired (``errors.NewResourceExpired``)."""
    return APIError(410, "Expired", message, metadata=metadata or {})


def too_many_requests(retry_after: int) -> APIError:
    """429 as sent by max-in-flight / priority-and-fairness."""
    return APIError(429, "TooManyRequests", "Too many requests, please try again later.",
                    retry_after=retry_after, headers={"Retry-After": str(retry_after)})


def internal_error(message: str) -> APIError:
    """500 like ``errors.NewInternalError``."""
    return APIError(500, "InternalError", f"Internal error occurred: {message}",
                    causes=[Cause("", message)])


def generic_not_found() -> APIError:
    """404 for an unknown path (``the server could not find the requested resource``)."""
    return APIError(404, "NotFound", "the server could not find the requested resource", empty_details=True)


def not_acceptable(types: str) -> APIError:
    """406 for an unsupported Accept header."""
    return APIError(406, "NotAcceptable", f"only the following media types are accepted: {types}")


def unsupported_media_type(ctype: str, supported: str) -> APIError:
    """415 for an unsupported patch / body Content-Type."""
    return APIError(415, "UnsupportedMediaType",
                    f"the body of the request was in an unknown format - accepted media types include: {supported}")
