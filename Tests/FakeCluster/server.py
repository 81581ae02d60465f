"""The HTTP(S) front end: authentication, routing, content negotiation and every handler.

One catch-all aiohttp route dispatches by path the way kube-apiserver's mux does: health and version
endpoints, discovery (legacy and aggregated), OpenAPI v3, the resource API (``/api/v1/...``,
``/apis/<group>/<version>/...``) with its subresources, metrics.k8s.io, and the ``/_fake`` admin API.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as _dt
import hashlib
import json
import os
import secrets
import traceback
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web

import exec_ws
import kjson
import kproto
import logs as logslib
import patch as patchlib
import tables
from apierrors import (STALE_RV, APIError, Cause, bad_request, conflict, invalid, generic_not_found, internal_error, not_found, too_many_requests,
                       unauthorized, unsupported_media_type)
from certs import ClusterPKI, peer_identity
from controller import NODE_NAMES, ControlPlane
from discovery import AGGREGATED_V2, AGGREGATED_V2BETA1, DATA_DIR, Discovery, ResourceInfo
from faults import Faults, RequestLog
from registry import RETURNS_OBJECT, Registry, Requester
from k8s_selectors import FieldSelector, LabelSelector
from store import Store, Stored, validate_rv

TABLE_CT = "application/json;as=Table;v=v1;g=meta.k8s.io"
JSON_CT = "application/json"
PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json",
               "application/apply-patch+yaml", "application/apply-patch+cbor")
VIRTUAL_CREATE = {("authorization.k8s.io", "selfsubjectaccessreviews"), ("authorization.k8s.io", "subjectaccessreviews"),
                  ("authorization.k8s.io", "localsubjectaccessreviews"),
                  ("authorization.k8s.io", "selfsubjectrulesreviews"), ("authentication.k8s.io", "selfsubjectreviews"),
                  ("authentication.k8s.io", "tokenreviews")}


@dataclass
class User:
    """An authenticated identity."""

    name: str
    groups: list[str]
    via: str


class FakeAPIServer:
    """State and handlers of one fake cluster."""

    def __init__(self, pki: ClusterPKI, token: str, tokens_file: str | None = None, watch_window: int = 20000,
                 continue_window: int = 100000, bookmark_interval: float = 1.0, crash_interval: float = 10.0) -> None:
        self.pki = pki
        self.token = token
        self.tokens_file = tokens_file
        self.revoked: set[str] = set()
        self.discovery = Discovery("127.0.0.1:0")
        self.store = Store(watch_window=watch_window)
        self.registry = Registry(self.store, self.discovery, continue_window=continue_window)
        self.control = ControlPlane(self.registry, crash_interval=crash_interval, ca_pem=pki.ca.cert_pem)
        self.faults = Faults()
        self.requests = RequestLog()
        self.bookmark_interval = bookmark_interval
        self.version = (DATA_DIR / "examples" / "version.json").read_bytes()
        self.version = kjson.encode(json.loads(self.version))
        self.streams: set[web.StreamResponse] = set()

    def set_address(self, address: str) -> None:
        """Record the real listening address (for ``/api`` serverAddressByClientCIDRs)."""
        self.discovery.server_address = address
        self.discovery._cache.clear()

    def app(self) -> web.Application:
        """The aiohttp application."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app

    # -- authentication --

    def _file_tokens(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if not self.tokens_file:
            return out
        try:
            text = Path(self.tokens_file).read_text()
        except OSError:
            return out
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = [p.strip() for p in line.split(",")]
            out[parts[0]] = parts[1] if len(parts) > 1 and parts[1] else "kube-mcp-token-file"
        return out

    def authenticate(self, request: web.Request) -> User | None:
        """Client certificate (verified by TLS) or bearer token; None when neither is valid."""
        auth = request.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            tok = auth[7:].strip()
            if tok and tok not in self.revoked:
                if secrets.compare_digest(tok, self.token):
                    return User("kube-mcp-token", ["system:masters", "system:authenticated"], "token")
                user = self._file_tokens().get(tok)
                if user:
                    return User(user, ["system:masters", "system:authenticated"], "token-file")
            return None
        transport = request.transport
        ident = peer_identity(transport.get_extra_info("peercert") if transport else None)
        if ident:
            return User(ident[0], ident[1] + ["system:authenticated"], "x509")
        return None

    def revoke_tokens(self) -> int:
        """Revoke the static token and every token currently in the tokens file."""
        toks = {self.token} | set(self._file_tokens())
        self.revoked |= toks
        return len(toks)

    # -- responses --

    @staticmethod
    def _headers(extra: dict[str, str] | None = None) -> dict[str, str]:
        h = {"Audit-Id": str(uuid.uuid4()), "Cache-Control": "no-cache, private",
             "X-Kubernetes-Pf-Flowschema-Uid": "6d9c5d2c-4a26-4b54-9a4e-fake00000001",
             "X-Kubernetes-Pf-Prioritylevel-Uid": "1a2b3c4d-5e6f-4711-8a9b-fake00000002"}
        if extra:
            h.update(extra)
        return h

    def respond(self, request: web.Request, body: bytes, status: int = 200, ctype: str = JSON_CT,
                headers: dict[str, str] | None = None) -> web.Response:
        """A complete response (pretty-printed on ``?pretty=true`` or for curl/wget)."""
        if ctype.startswith("application/json") and self._pretty(request):
            body = kjson.pretty(json.loads(body))
        resp = web.Response(body=body, status=status, headers=self._headers(headers))
        resp.content_type = ctype.split(";")[0]
        if ";" in ctype:
            resp.headers["Content-Type"] = ctype
        return resp

    @staticmethod
    def _pretty(request: web.Request) -> bool:
        p = request.query.get("pretty")
        if p is not None:
            return p.lower() in ("1", "true")
        ua = request.headers.get("User-Agent", "").lower()
        return ua.startswith("curl/") or ua.startswith("wget/")

    def error(self, request: web.Request, err: APIError) -> web.Response:
        """A Status failure response."""
        return self.respond(request, kjson.encode(err.status()), err.code, headers=err.headers)

    # -- entry point --

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Authenticate, log, inject faults, dispatch."""
        path = request.path
        if path.startswith("/_fake/") or path == "/_fake":
            user = self.authenticate(request)
            if user is None:
                return self.error(request, unauthorized())
            try:
                return await self.admin(request)
            except APIError as e:
                return self.error(request, e)
        user = self.authenticate(request)
        entry = self.requests.add(request.method, path, request.query_string, user.name if user else None)
        try:
            if user is None:
                raise unauthorized()
            for fault in self.faults.take(request.method, path):
                if fault.kind == "slow":
                    await asyncio.sleep(fault.seconds)
                elif fault.kind == "429":
                    raise too_many_requests(fault.retry_after)
                elif fault.kind == "500":
                    raise internal_error("fake fault injected")
                elif fault.kind == "503":
                    raise APIError(503, "ServiceUnavailable", "the server is currently unable to handle the request",
                                   headers={"Retry-After": str(fault.retry_after)}, retry_after=fault.retry_after)
            resp = await self.dispatch(request, user)
        except APIError as e:
            resp = self.error(request, e)
        except (ConnectionResetError, asyncio.CancelledError):
            raise
        except Exception as e:  # a bug in the fake must be visible but must not kill the connection handling
            traceback.print_exc()
            resp = self.error(request, internal_error(f"fake cluster bug: {type(e).__name__}: {e}"))
        entry["code"] = resp.status
        return resp

    async def dispatch(self, request: web.Request, user: User) -> web.StreamResponse:
        """Route a request by path."""
        path = request.path
        segs = [s for s in path.split("/") if s]
        if not segs:
            return self.respond(request, kjson.encode({"paths": sorted(self._root_paths())}))
        head = segs[0]
        if head in ("healthz", "livez", "readyz"):
            return self.health(request, head, segs[1:])
        if path == "/version" or path == "/version/":
            return self.respond(request, self.version)
        if head == "openapi":
            return self.openapi(request, segs[1:])
        if head == "api":
            if len(segs) == 1:
                agg = self._aggregated_accept(request)
                if agg:
                    return self.respond(request, self.discovery.aggregated_core(agg[1]), ctype=agg[0],
                                        headers=self._etag(self.discovery.aggregated_core(agg[1])))
                return self.respond(request, self.discovery.api_versions())
            if segs[1] != "v1":
                raise generic_not_found()
            if len(segs) == 2:
                return self.respond(request, self.discovery.core_resource_list())
            return await self.resource(request, user, "", "v1", segs[2:])
        if head == "apis":
            if len(segs) == 1:
                agg = self._aggregated_accept(request)
                if agg:
                    body = self.discovery.aggregated_apis(agg[1])
                    return self.respond(request, body, ctype=agg[0], headers=self._etag(body))
                return self.respond(request, self.discovery.group_list())
            if len(segs) == 2:
                body = self.discovery.group(segs[1])
                if body is None:
                    raise generic_not_found()
                return self.respond(request, body)
            group, version = segs[1], segs[2]
            if len(segs) == 3:
                body = self.discovery.group_resource_list(group, version)
                if body is None:
                    raise generic_not_found()
                return self.respond(request, body)
            if group == "metrics.k8s.io" and version == "v1beta1":
                return self.metrics(request, segs[3:])
            return await self.resource(request, user, group, version, segs[3:])
        raise generic_not_found()

    def _root_paths(self) -> list[str]:
        paths = ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/readyz", "/openapi/v2", "/openapi/v3",
                 "/version"]
        for g in self.discovery.apis["groups"]:
            paths.append(f"/apis/{g['name']}")
            for v in g["versions"]:
                paths.append(f"/apis/{v['groupVersion']}")
        return paths

    @staticmethod
    def _etag(body: bytes) -> dict[str, str]:
        return {"ETag": '"' + hashlib.sha512(body).hexdigest()[:128].upper() + '"', "Vary": "Accept"}

    @staticmethod
    def _aggregated_accept(request: web.Request) -> tuple[str, str] | None:
        """(content type, apiVersion) when the client prefers aggregated discovery."""
        for part in request.headers.get("Accept", "").split(","):
            p = part.replace(" ", "")
            if "as=APIGroupDiscoveryList" in p and "g=apidiscovery.k8s.io" in p:
                if "v=v2beta1" in p:
                    return AGGREGATED_V2BETA1, "apidiscovery.k8s.io/v2beta1"
                if "v=v2" in p:
                    return AGGREGATED_V2, "apidiscovery.k8s.io/v2"
            elif p.startswith("application/json") or p.startswith("*/*"):
                return None
        return None

    def health(self, request: web.Request, which: str, rest: list[str]) -> web.Response:
        """healthz/livez/readyz (with ``?verbose`` check listing)."""
        checks = ["ping", "log", "etcd", "poststarthook/start-apiserver-admission-initializer",
                  "poststarthook/generic-apiserver-start-informers", "poststarthook/bootstrap-controller"]
        if which == "readyz":
            checks.insert(3, "informer-sync")
        if rest:
            if "/".join(rest) in checks:
                return self.respond(request, b"ok", ctype="text/plain")
            raise generic_not_found()
        if "verbose" in request.query:
            text = "".join(f"[+]{c} ok\n" for c in checks) + f"{which} check passed\n"
            return self.respond(request, text.encode(), ctype="text/plain")
        return self.respond(request, b"ok", ctype="text/plain")

    def openapi(self, request: web.Request, rest: list[str]) -> web.Response:
        """OpenAPI v3 (minimal documents); v2 answers 404 (kubectl then uses v3)."""
        if rest == ["v3"]:
            return self.respond(request, self.discovery.openapi_v3_root())
        if len(rest) >= 3 and rest[0] == "v3":
            if rest[1] == "api" and len(rest) == 3:
                body = self.discovery.openapi_v3_doc("", rest[2])
            elif rest[1] == "apis" and len(rest) == 4:
                body = self.discovery.openapi_v3_doc(rest[2], rest[3])
            else:
                body = None
            if body is not None:
                return self.respond(request, body, headers={"Cache-Control": "public, immutable",
                                                            "Etag": '"' + hashlib.sha256(body).hexdigest() + '"'})
        raise generic_not_found()

    # -- resource API --

    def _parse(self, group: str, version: str, rest: list[str]) -> tuple[ResourceInfo, str | None, str | None, str]:
        ns: str | None = None
        if len(rest) >= 3 and rest[0] == "namespaces":
            cand = self.discovery.lookup(group, version, rest[2])
            if cand is not None and cand.namespaced:
                ns = rest[1]
                rest = rest[2:]
        if not rest or len(rest) > 3:
            raise generic_not_found()
        info = self.discovery.lookup(group, version, rest[0])
        if info is None:
            raise generic_not_found()
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else ""
        if sub and sub not in info.subresources:
            raise generic_not_found()
        if info.namespaced and ns is None and name is not None:
            raise generic_not_found()
        if not info.namespaced and ns is not None:
            raise generic_not_found()
        return info, ns, name, sub

    async def resource(self, request: web.Request, user: User, group: str, version: str,
                       rest: list[str]) -> web.StreamResponse:
        """Everything under a group version."""
        info, ns, name, sub = self._parse(group, version, rest)
        method = request.method
        q = request.query
        if method == "GET":
            if name is None:
                if q.get("watch") in ("1", "true"):
                    self._need(info, "watch")
                    return await self.watch(request, info, ns)
                self._need(info, "list")
                return self.list(request, info, ns)
            if sub == "log":
                return await self.pod_log(request, ns, name)
            if sub == "exec":
                return await self.pod_exec(request, ns, name)
            if sub == "scale":
                return self.respond(request, kjson.encode(self._scale(info, self.registry.get(info, ns, name).obj)))
            if sub in ("", "status"):
                self._need(info, "get")
                st = self.registry.get(info, ns, name)
                return self.object_response(request, info, st)
            raise APIError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        if method == "POST":
            if name is None:
                self._need(info, "create")
                return await self.create(request, user, info, ns)
            if sub == "eviction":
                return await self.evict(request, info, ns, name)
            if sub == "exec":
                return await self.pod_exec(request, ns, name)
            if sub == "token" and info.group_resource == ("", "serviceaccounts"):
                return await self.sa_token(request, info, ns, name)
            if sub == "binding" and info.group_resource == ("", "pods"):
                return await self.bind(request, info, ns, name)
            raise APIError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        if method == "PUT" and name is not None:
            self._need(info, "update")
            return await self.update(request, info, ns, name, sub)
        if method == "PATCH" and name is not None:
            self._need(info, "patch")
            return await self.patch(request, info, ns, name, sub)
        if method == "DELETE":
            if name is None:
                self._need(info, "deletecollection")
                return await self.delete_collection(request, info, ns)
            self._need(info, "delete")
            return await self.delete(request, info, ns, name)
        raise APIError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")

    @staticmethod
    def _need(info: ResourceInfo, verb: str) -> None:
        if verb not in info.verbs:
            raise APIError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")

    def _full(self, info: ResourceInfo, st: Stored) -> bytes:
        return st.full(info.kind, info.api_version)

    @staticmethod
    def _table_accept(request: web.Request) -> bool:
        for part in request.headers.get("Accept", "").split(","):
            p = part.replace(" ", "")
            if "as=Table" in p and "g=meta.k8s.io" in p:
                return True
            if p.startswith("application/json") or p.startswith("*/*"):
                return False
        return False

    def _check_accept(self, request: web.Request) -> None:
        acc = request.headers.get("Accept", "")
        if not acc:
            return
        for part in acc.split(","):
            p = part.strip().split(";")[0]
            if p in ("application/json", "*/*", "application/*", "application/yaml") or "as=Table" in part:
                return
        raise APIError(406, "NotAcceptable", "only the following media types are accepted: application/json, "
                       "application/yaml, application/vnd.kubernetes.protobuf")

    def object_response(self, request: web.Request, info: ResourceInfo, st: Stored, status: int = 200) -> web.Response:
        """A single object, as JSON or as a one-row Table."""
        self._check_accept(request)
        if self._table_accept(request):
            include = request.query.get("includeObject", "Metadata")
            meta = {"resourceVersion": st.obj["metadata"].get("resourceVersion", "")}
            body = tables.table([st], info.group, info.plural, include, meta, lambda s: self._full(info, s))
            return self.respond(request, body, status, ctype=TABLE_CT)
        return self.respond(request, self._full(info, st), status)

    def _selectors(self, request: web.Request, info: ResourceInfo) -> tuple[LabelSelector, FieldSelector]:
        q = request.query
        return (LabelSelector.parse(q.get("labelSelector")),
                FieldSelector.parse(q.get("fieldSelector"), info.group, info.plural))

    def list(self, request: web.Request, info: ResourceInfo, ns: str | None) -> web.Response:
        """LIST with selectors, paging and Table output."""
        self._check_accept(request)
        q = request.query
        label, field = self._selectors(request, info)
        try:
            limit = int(q.get("limit") or 0)
        except ValueError:
            raise bad_request(f"limit: Invalid value: {q.get('limit')!r}")
        validate_rv(q.get("resourceVersion"))
        res = self.registry.list(info, ns, label, field, max(limit, 0), q.get("continue", ""))
        meta: dict[str, Any] = {"resourceVersion": str(res.resource_version)}
        if res.continue_token:
            meta["continue"] = res.continue_token
            if res.remaining is not None:
                meta["remainingItemCount"] = res.remaining
        if self._table_accept(request):
            include = q.get("includeObject", "Metadata")
            body = tables.table(res.items, info.group, info.plural, include, meta, lambda s: self._full(info, s))
            return self.respond(request, body, ctype=TABLE_CT)
        body = (b'{"kind":' + kjson.encode(info.kind + "List") + b',"apiVersion":' + kjson.encode(info.api_version) +
                b',"metadata":' + kjson.encode(meta) + b',"items":[' + b",".join(s.item for s in res.items) + b"]}")
        return self.respond(request, body)

    # -- watch --

    async def watch(self, request: web.Request, info: ResourceInfo, ns: str | None) -> web.StreamResponse:
        """A watch stream: JSON lines of ADDED/MODIFIED/DELETED/BOOKMARK/ERROR."""
        self._check_accept(request)
        q = request.query
        label, field = self._selectors(request, info)
        rv = validate_rv(q.get("resourceVersion"))
        bookmarks = q.get("allowWatchBookmarks") in ("1", "true")
        send_initial = q.get("sendInitialEvents") in ("1", "true")
        try:
            timeout = float(q.get("timeoutSeconds") or 1800)
        except ValueError:
            raise bad_request("timeoutSeconds: invalid value")
        as_table = self._table_accept(request)
        include = q.get("includeObject", "Metadata")
        gr = self.registry.storage_gr(info)
        namespace = ns if info.namespaced else None
        initial: list[tuple[str, Stored, dict[str, Any] | None]] = []
        error: APIError | None = None
        if self.faults.take_watch_expiry():
            error = APIError(410, "Expired", f"too old resource version: {rv or 0} ({self.store.rv})")
        elif rv is None or rv == 0 or send_initial:
            for _, st in self.store.iter(gr, namespace):
                initial.append(("ADDED", st, None))
        else:
            try:
                for ev in self.store.events_since(gr, namespace, rv):
                    initial.append((ev.type, ev.stored, ev.old))
            except APIError as e:
                error = e
        watcher = None if error else self.store.subscribe(gr, namespace)
        resp = web.StreamResponse(status=200, headers=self._headers())
        resp.content_type = "application/json"
        if as_table:
            resp.headers["Content-Type"] = TABLE_CT
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        first = [True]

        def encode_event(etype: str, st: Stored) -> bytes | None:
            view = self.registry.view(info, st)
            if as_table:
                obj = tables.table([view], info.group, info.plural, include,
                                   {"resourceVersion": view.obj["metadata"].get("resourceVersion", "")},
                                   lambda s: self._full(info, s), columns=first[0])
                first[0] = False
            else:
                obj = self._full(info, view)
            return b'{"type":"' + etype.encode() + b'","object":' + obj + b"}\n"

        def filtered(etype: str, st: Stored, old: dict[str, Any] | None) -> str | None:
            if not label and not field:
                return etype
            check = self.registry.view(info, st).obj if info.group_resource != gr else st.obj

            def ok(o: dict[str, Any] | None) -> bool:
                if o is None:
                    return False
                if info.group_resource != gr:
                    o = self.registry.view(info, Stored(o, b"{}")).obj
                return label.matches(o["metadata"].get("labels")) and (not field or field.matches(o))
            now_ok = ok(check)
            if etype == "ADDED":
                return etype if now_ok else None
            was_ok = ok(old)
            if etype == "DELETED":
                return etype if was_ok or now_ok else None
            if now_ok and was_ok:
                return "MODIFIED"
            if now_ok:
                return "ADDED"
            if was_ok:
                return "DELETED"
            return None

        def bookmark(initial_end: bool = False) -> bytes:
            meta: dict[str, Any] = {"resourceVersion": str(self.store.rv)}
            if initial_end:
                meta["annotations"] = {"k8s.io/initial-events-end": "true"}
            kind, api_version = info.kind, info.api_version
            return kjson.encode({"type": "BOOKMARK", "object": {"kind": kind, "apiVersion": api_version,
                                                                "metadata": meta}}) + b"\n"
        self.streams.add(resp)
        try:
            if error is not None:
                await resp.write(kjson.encode({"type": "ERROR", "object": error.status()}) + b"\n")
                await resp.write_eof()
                return resp
            buf = []
            for etype, st, old in initial:
                t = filtered(etype, st, old)
                if t:
                    line = encode_event(t, st)
                    if line:
                        buf.append(line)
            if buf:
                await resp.write(b"".join(buf))
            if send_initial and bookmarks:
                await resp.write(bookmark(initial_end=True))
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            next_bookmark = loop.time() + self.bookmark_interval
            assert watcher is not None
            while True:
                now = loop.time()
                if now >= deadline:
                    if bookmarks:
                        await resp.write(bookmark())
                    break
                wait = min(deadline, next_bookmark) - now if bookmarks else deadline - now
                try:
                    ev = await asyncio.wait_for(watcher.queue.get(), timeout=max(wait, 0.001))
                except asyncio.TimeoutError:
                    if bookmarks and loop.time() >= next_bookmark:
                        await resp.write(bookmark())
                        next_bookmark = loop.time() + self.bookmark_interval
                    continue
                if ev is None:  # dropped by fault injection: cut the connection like a network failure
                    if request.transport is not None:
                        request.transport.close()
                    return resp
                chunk = []
                while ev is not None:
                    t = filtered(ev.type, ev.stored, ev.old)
                    if t:
                        line = encode_event(t, ev.stored)
                        if line:
                            chunk.append(line)
                    try:
                        ev = watcher.queue.get_nowait()
                    except asyncio.QueueEmpty:
                        ev = None
                if chunk:
                    await resp.write(b"".join(chunk))
            await resp.write_eof()
        except (ConnectionResetError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self.streams.discard(resp)
            if watcher is not None:
                self.store.unsubscribe(watcher)
        return resp

    # -- writes --

    async def _body(self, request: web.Request) -> Any:
        raw = await request.read()
        if not raw:
            raise bad_request("the server rejected our request due to an error in our request")
        ctype = request.content_type
        if ctype == "application/vnd.kubernetes.protobuf":
            try:
                return kproto.decode(raw)
            except (ValueError, IndexError, UnicodeDecodeError) as e:
                raise bad_request(f"unable to decode protobuf body: {e}")
        try:
            if "yaml" in ctype:
                return yaml.safe_load(raw)
            return json.loads(raw)
        except (ValueError, yaml.YAMLError) as e:
            raise bad_request(f"the server rejected our request due to an error in our request: {e}")

    @staticmethod
    def _requester(request: web.Request, default: str = "") -> Requester:
        q = request.query
        manager = q.get("fieldManager") or ""
        if not manager:
            ua = request.headers.get("User-Agent", "")
            manager = ua.split("/")[0] if ua else (default or "unknown")
        dry = "All" in q.getall("dryRun", [])
        return Requester(manager=manager, dry_run=dry)

    async def create(self, request: web.Request, user: User, info: ResourceInfo, ns: str | None) -> web.Response:
        """POST a new object (or evaluate a review object)."""
        body = await self._body(request)
        if not isinstance(body, dict):
            raise bad_request("the server rejected our request due to an error in our request")
        if info.group_resource in VIRTUAL_CREATE:
            return self.respond(request, kjson.encode(self._review(info, body, user)), 201)
        want = info.api_version
        if body.get("apiVersion") and body.get("kind") and (body["apiVersion"] != want or body["kind"] != info.kind):
            if info.group_resource not in (("events.k8s.io", "events"),):
                raise bad_request(f"the API version in the data ({body['apiVersion']}) does not match the expected "
                                  f"API version ({want})" if body["apiVersion"] != want else
                                  f"the kind in the data ({body['kind']}) does not match the expected kind "
                                  f"({info.kind})")
        st = self.registry.create(info, ns, body, self._requester(request))
        return self.object_response(request, info, st, 201)

    async def update(self, request: web.Request, info: ResourceInfo, ns: str | None, name: str,
                     sub: str) -> web.Response:
        """PUT."""
        body = await self._body(request)
        if not isinstance(body, dict):
            raise bad_request("the server rejected our request due to an error in our request")
        who = self._requester(request)
        if sub == "scale":
            return self._write_scale(request, info, ns, name, body, who)
        allow_create = info.group_resource in (("", "events"), ("coordination.k8s.io", "leases"))
        st = self.registry.update(info, ns, name, body, who, subresource=sub, allow_create=allow_create)
        return self.object_response(request, info, st)

    async def patch(self, request: web.Request, info: ResourceInfo, ns: str | None, name: str,
                    sub: str) -> web.Response:
        """PATCH with any of the four patch types."""
        ctype = request.content_type
        if ctype not in PATCH_TYPES:
            raise unsupported_media_type(ctype, ", ".join(PATCH_TYPES[:4]))
        raw = await request.read()
        who = self._requester(request)
        q = request.query
        if ctype == "application/apply-patch+yaml":
            if not q.get("fieldManager"):
                raise APIError(422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: '
                               "is required for apply patch", kind="PatchOptions", group="meta.k8s.io",
                               causes=[])
            try:
                applied = yaml.safe_load(raw)
            except yaml.YAMLError as e:
                raise bad_request(f"error decoding YAML: {e}")
            if not isinstance(applied, dict):
                raise bad_request("the server rejected our request due to an error in our request")
            if sub == "scale":
                return self._write_scale(request, info, ns, name, applied, who, apply=True)
            try:
                live = self.registry.get(info, ns, name).obj
            except APIError:
                live = None
            force = q.get("force") in ("1", "true")
            merged = patchlib.server_side_apply(live, applied, who.manager, force, info.api_version, kjson.rfc3339(),
                                                info.plural, info.group, name)
            merged.setdefault("metadata", {})["name"] = name
            if live is None:
                managed = merged["metadata"].pop("managedFields")
                st = self.registry.create(info, ns, merged, who)
                if not who.dry_run:
                    obj = copy.deepcopy(st.obj)
                    obj["metadata"]["managedFields"] = managed
                    st = self.store.put(self.registry.storage_gr(info), obj)
                return self.object_response(request, info, self.registry.view(info, st), 201)
            merged["metadata"]["resourceVersion"] = live["metadata"]["resourceVersion"]
            st = self.registry.update(info, ns, name, merged, who, subresource=sub,
                                      managed_override=merged["metadata"]["managedFields"])
            return self.object_response(request, info, st)
        try:
            patch_doc = json.loads(raw)
        except ValueError as e:
            raise bad_request(f"error decoding patch: {e}")
        if sub == "scale":
            return self._write_scale(request, info, ns, name, patch_doc, who, ptype=ctype)
        current = self.registry.get(info, ns, name).obj
        new = self._apply_patch(ctype, current, patch_doc)
        if not isinstance(new, dict):
            raise bad_request("the server rejected our request due to an error in our request")
        st = self.registry.update(info, ns, name, new, who, subresource=sub)
        return self.object_response(request, info, st)

    @staticmethod
    def _apply_patch(ctype: str, current: dict[str, Any], patch_doc: Any) -> Any:
        if ctype == "application/merge-patch+json":
            return patchlib.merge_patch(current, patch_doc)
        if ctype == "application/json-patch+json":
            return patchlib.json_patch(current, patch_doc)
        return patchlib.strategic_merge(current, patch_doc)

    async def delete(self, request: web.Request, info: ResourceInfo, ns: str | None, name: str) -> web.Response:
        """DELETE one object (DeleteOptions from the body or the query)."""
        opts = await self._delete_options(request)
        st, finished = self.registry.delete(info, ns, name, opts, self._requester(request))
        if finished and self.registry.storage_gr(info) not in RETURNS_OBJECT:
            meta = st.obj["metadata"]
            details: dict[str, Any] = {"name": meta["name"]}
            if info.group:
                details["group"] = info.group
            details["kind"] = info.plural
            details["uid"] = meta.get("uid", "")
            return self.respond(request, kjson.encode({"kind": "Status", "apiVersion": "v1", "metadata": {},
                                                       "status": "Success", "details": details}))
        return self.object_response(request, info, st)

    async def _delete_options(self, request: web.Request) -> dict[str, Any]:
        opts: dict[str, Any] = {}
        if request.can_read_body:
            raw = await request.read()
            if raw.strip():
                try:
                    opts = json.loads(raw)
                except ValueError:
                    raise bad_request("the server rejected our request due to an error in our request")
        q = request.query
        if q.get("propagationPolicy"):
            opts["propagationPolicy"] = q["propagationPolicy"]
        if q.get("gracePeriodSeconds"):
            opts["gracePeriodSeconds"] = int(q["gracePeriodSeconds"])
        if q.get("orphanDependents"):
            opts["orphanDependents"] = q["orphanDependents"] == "true"
        if opts.get("propagationPolicy") not in (None, "Foreground", "Background", "Orphan"):
            raise APIError(422, "Invalid", f'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported '
                           f'value: "{opts["propagationPolicy"]}": supported values: "Foreground", "Background", '
                           '"Orphan", "nil"', kind="DeleteOptions", group="meta.k8s.io")
        return opts

    async def delete_collection(self, request: web.Request, info: ResourceInfo, ns: str | None) -> web.Response:
        """DELETE on a collection (with selectors); returns the list of deleted objects."""
        label, field = self._selectors(request, info)
        opts = await self._delete_options(request)
        res = self.registry.list(info, ns, label, field)
        who = self._requester(request)
        done = []
        for st in res.items:
            meta = st.obj["metadata"]
            try:
                out, _ = self.registry.delete(info, meta.get("namespace"), meta["name"], opts, who)
                done.append(out)
            except APIError:
                continue
        body = (b'{"kind":' + kjson.encode(info.kind + "List") + b',"apiVersion":' + kjson.encode(info.api_version) +
                b',"metadata":{"resourceVersion":"' + str(self.store.rv).encode() + b'"},"items":[' +
                b",".join(s.item for s in done) + b"]}")
        return self.respond(request, body)

    # -- subresources --

    def _scale(self, info: ResourceInfo, obj: dict[str, Any]) -> dict[str, Any]:
        if "scale" not in info.subresources:
            raise generic_not_found()
        meta = obj["metadata"]
        sel = ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
        return {"kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": {"name": meta["name"], "namespace": meta.get("namespace", ""), "uid": meta["uid"],
                             "resourceVersion": meta["resourceVersion"],
                             "creationTimestamp": meta["creationTimestamp"]},
                "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 0)},
                "status": {"replicas": (obj.get("status") or {}).get("replicas", 0),
                           "selector": ",".join(f"{k}={v}" for k, v in sorted(sel.items()))}}

    def _write_scale(self, request: web.Request, info: ResourceInfo, ns: str | None, name: str, body: Any,
                     who: Requester, apply: bool = False, ptype: str = "") -> web.Response:
        current = self.registry.get(info, ns, name).obj
        scale = self._scale(info, current)
        if ptype:
            new_scale = self._apply_patch(ptype, scale, body)
        elif apply:
            new_scale = patchlib.merge_patch(scale, {"spec": (body or {}).get("spec", {})})
        else:
            new_scale = body
            rv = (body.get("metadata") or {}).get("resourceVersion")
            if rv and rv != current["metadata"]["resourceVersion"]:
                raise conflict(info.plural, info.group, name, STALE_RV)
        replicas = ((new_scale or {}).get("spec") or {}).get("replicas")
        if not isinstance(replicas, int) or replicas < 0:
            raise invalid("Scale", "autoscaling", name, [Cause("FieldValueInvalid", f"Invalid value: {replicas}: must "
                                                               "be greater than or equal to 0", "spec.replicas")])
        obj = copy.deepcopy(current)
        obj["spec"]["replicas"] = replicas
        st = self.registry.update(info, ns, name, obj, who)
        return self.respond(request, kjson.encode(self._scale(info, st.obj)))

    async def pod_log(self, request: web.Request, ns: str | None, name: str) -> web.StreamResponse:
        """pods/log with the kubelet's options (follow streams until the client goes away)."""
        info = self.discovery.lookup("", "v1", "pods")
        assert info is not None
        pod = self.registry.get(info, ns, name).obj
        q = request.query

        def num(key: str) -> int | None:
            v = q.get(key)
            if v in (None, ""):
                return None
            try:
                return int(v)
            except ValueError:
                raise bad_request(f'{key}: Invalid value: "{v}"')
        opts = logslib.LogOptions(container=q.get("container", ""), follow=q.get("follow") in ("1", "true"),
                                  previous=q.get("previous") in ("1", "true"),
                                  timestamps=q.get("timestamps") in ("1", "true"), tail_lines=num("tailLines"),
                                  since_seconds=num("sinceSeconds"), since_time=q.get("sinceTime"),
                                  limit_bytes=num("limitBytes"))
        if not (pod.get("spec") or {}).get("nodeName"):
            raise bad_request(f"pod {name} does not have a host assigned")
        lines, container, running = logslib.read(pod, opts)
        data = logslib.render(lines, opts.timestamps)
        limit = opts.limit_bytes
        if limit is not None and len(data) >= limit:
            return self.respond(request, data[:limit], ctype="text/plain")
        if not (opts.follow and running and not opts.previous):
            return self.respond(request, data, ctype="text/plain")
        resp = web.StreamResponse(status=200, headers=self._headers())
        resp.content_type = "text/plain"
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        sent = len(data)
        uid = pod["metadata"]["uid"]
        try:
            if data:
                await resp.write(data)
            seq = 0
            while True:
                await asyncio.sleep(logslib.FOLLOW_PERIOD)
                cur = self.store.get(("", "pods"), ns, name)
                if cur is None or cur.obj["metadata"]["uid"] != uid or cur.obj["metadata"].get("deletionTimestamp"):
                    break
                seq += 1
                chunk = logslib.render([logslib.live_line(cur.obj, container, seq)], opts.timestamps)
                if limit is not None and sent + len(chunk) >= limit:
                    await resp.write(chunk[: limit - sent])
                    break
                sent += len(chunk)
                await resp.write(chunk)
            await resp.write_eof()
        except (ConnectionResetError, ConnectionError, asyncio.CancelledError):
            pass
        return resp

    async def pod_exec(self, request: web.Request, ns: str | None, name: str) -> web.StreamResponse:
        """pods/exec: WebSocket (v5/v4 channel protocols) only."""
        info = self.discovery.lookup("", "v1", "pods")
        assert info is not None
        pod = self.registry.get(info, ns, name).obj
        q = request.query
        argv = q.getall("command", [])
        if not argv:
            raise bad_request("you must specify at least 1 command")
        container = logslib.select_container(pod, q.get("container", ""))
        if request.headers.get("Upgrade", "").lower() != "websocket":
            raise bad_request("Upgrade request required")
        cs = next((c for c in (pod.get("status") or {}).get("containerStatuses") or []
                   if c.get("name") == container["name"]), {})
        if "running" not in (cs.get("state") or {}):
            raise bad_request(f'unable to upgrade connection: container not found ("{container["name"]}")')
        return await exec_ws.serve(request, pod, container, argv, stdin=q.get("stdin") in ("1", "true"),
                                   tty=q.get("tty") in ("1", "true"))

    async def evict(self, request: web.Request, info: ResourceInfo, ns: str | None, name: str) -> web.Response:
        """pods/eviction: honours PodDisruptionBudgets roughly, then deletes gracefully."""
        body = await self._body(request)
        pod = self.registry.get(info, ns, name).obj
        for _, st in self.store.iter(("policy", "poddisruptionbudgets"), ns):
            pdb = st.obj
            sel = LabelSelector.parse(",".join(f"{k}={v}" for k, v in
                                               ((pdb.get("spec") or {}).get("selector") or {})
                                               .get("matchLabels", {}).items()))
            if not sel or not sel.matches(pod["metadata"].get("labels")):
                continue
            healthy = sum(1 for _, p in self.store.iter(("", "pods"), ns)
                          if sel.matches(p.obj["metadata"].get("labels"))
                          and any(c.get("type") == "Ready" and c.get("status") == "True"
                                  for c in (p.obj.get("status") or {}).get("conditions") or []))
            spec = pdb.get("spec") or {}
            min_avail = spec.get("minAvailable")
            max_unavail = spec.get("maxUnavailable")
            allowed = 1
            if isinstance(min_avail, int):
                allowed = healthy - min_avail
            elif isinstance(max_unavail, int):
                allowed = max_unavail
            if allowed <= 0:
                raise APIError(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption "
                               "budget.", causes=[Cause(
                                   "DisruptionBudget", f"The disruption budget {pdb['metadata']['name']} needs "
                                   f"{min_avail if isinstance(min_avail, int) else healthy} healthy pods and has "
                                   f"{healthy} currently")])
        opts = (body or {}).get("deleteOptions") or {}
        self.registry.delete(info, ns, name, opts, self._requester(request))
        return self.respond(request, kjson.encode({"kind": "Status", "apiVersion": "v1", "metadata": {},
                                                   "status": "Success", "code": 201}), 201)

    async def bind(self, request: web.Request, info: ResourceInfo, ns: str | None, name: str) -> web.Response:
        """pods/binding: assign a node."""
        body = await self._body(request)
        pod = copy.deepcopy(self.registry.get(info, ns, name).obj)
        pod["spec"]["nodeName"] = ((body or {}).get("target") or {}).get("name", NODE_NAMES[0])
        self.registry.put_internal(("", "pods"), pod, "kube-scheduler")
        return self.respond(request, kjson.encode({"kind": "Status", "apiVersion": "v1", "metadata": {},
                                                   "status": "Success", "code": 201}), 201)

    async def sa_token(self, request: web.Request, info: ResourceInfo, ns: str | None, name: str) -> web.Response:
        """serviceaccounts/token: a TokenRequest answered with an opaque token."""
        body = await self._body(request)
        self.registry.get(info, ns, name)
        exp = int(((body or {}).get("spec") or {}).get("expirationSeconds") or 3600)
        out = {"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
               "metadata": {"name": name, "namespace": ns, "creationTimestamp": None},
               "spec": {"audiences": (body.get("spec") or {}).get("audiences") or ["https://kubernetes.default.svc"],
                        "expirationSeconds": exp, "boundObjectRef": None},
               "status": {"token": "fake." + secrets.token_urlsafe(24),
                          "expirationTimestamp": kjson.rfc3339(kjson.utcnow() + _dt.timedelta(seconds=exp))}}
        return self.respond(request, kjson.encode(out), 201)

    def _review(self, info: ResourceInfo, body: dict[str, Any], user: User) -> dict[str, Any]:
        out = copy.deepcopy(body)
        out["kind"], out["apiVersion"] = info.kind, info.api_version
        out.setdefault("metadata", {})["creationTimestamp"] = None
        masters = "system:masters" in user.groups
        if info.plural == "selfsubjectreviews":
            out["status"] = {"userInfo": {"username": user.name, "groups": user.groups}}
        elif info.plural == "tokenreviews":
            tok = (body.get("spec") or {}).get("token", "")
            ok = tok == self.token and tok not in self.revoked or tok in self._file_tokens()
            out["status"] = {"authenticated": ok, "user": {"username": "kube-mcp-token",
                                                           "groups": ["system:masters"]} if ok else {}}
        elif info.plural == "selfsubjectrulesreviews":
            out["status"] = {"resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
                             "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}], "incomplete": False}
        else:
            out["status"] = {"allowed": masters} if masters else {"allowed": False, "reason": "no RBAC policy matched"}
        return out

    # -- metrics.k8s.io --

    def metrics(self, request: web.Request, rest: list[str]) -> web.Response:
        """PodMetrics and NodeMetrics computed deterministically from the pods."""
        if request.method != "GET":
            raise APIError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        ns = None
        if len(rest) >= 3 and rest[0] == "namespaces":
            ns, rest = rest[1], rest[2:]
        if not rest or rest[0] not in ("pods", "nodes") or len(rest) > 2 or (rest[0] == "nodes" and ns):
            raise generic_not_found()
        label = LabelSelector.parse(request.query.get("labelSelector"))
        now = kjson.rfc3339()
        if rest[0] == "pods":
            def pm(p: dict[str, Any]) -> dict[str, Any]:
                meta = p["metadata"]
                return {"metadata": {"name": meta["name"], "namespace": meta["namespace"], "creationTimestamp": now,
                                     "labels": meta.get("labels", {})},
                        "timestamp": now, "window": "15.012s",
                        "containers": [{"name": c["name"], "usage": _usage(meta["uid"], c["name"])}
                                       for c in p["spec"].get("containers", [])]}
            running = [st.obj for _, st in self.store.iter(("", "pods"), ns)
                       if (st.obj.get("status") or {}).get("phase") == "Running"]
            if len(rest) == 2:
                pod = next((p for p in running if p["metadata"]["name"] == rest[1]), None)
                if pod is None:
                    raise not_found("pods", "metrics.k8s.io", rest[1])
                return self.respond(request, kjson.encode({"kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
                                                           **pm(pod)}))
            items = [pm(p) for p in running if label.matches(p["metadata"].get("labels"))]
            return self.respond(request, kjson.encode({"kind": "PodMetricsList", "apiVersion": "metrics.k8s.io/v1beta1",
                                                       "metadata": {}, "items": items}))

        def nm(n: dict[str, Any]) -> dict[str, Any]:
            name = n["metadata"]["name"]
            pods = [st.obj for _, st in self.store.iter(("", "pods")) if st.obj["spec"].get("nodeName") == name]
            cpu = 180_000_000 + sum(_usage_raw(p["metadata"]["uid"], c["name"])[0] for p in pods
                                    for c in p["spec"].get("containers", []))
            mem = 1_500_000 + sum(_usage_raw(p["metadata"]["uid"], c["name"])[1] for p in pods
                                  for c in p["spec"].get("containers", []))
            return {"metadata": {"name": name, "creationTimestamp": now, "labels": n["metadata"].get("labels", {})},
                    "timestamp": now, "window": "20.027s", "usage": {"cpu": f"{cpu}n", "memory": f"{mem}Ki"}}
        nodes = [st.obj for _, st in self.store.iter(("", "nodes"))]
        if len(rest) == 2:
            node = next((n for n in nodes if n["metadata"]["name"] == rest[1]), None)
            if node is None:
                raise not_found("nodes", "metrics.k8s.io", rest[1])
            return self.respond(request, kjson.encode({"kind": "NodeMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
                                                       **nm(node)}))
        items = [nm(n) for n in nodes if label.matches(n["metadata"].get("labels"))]
        return self.respond(request, kjson.encode({"kind": "NodeMetricsList", "apiVersion": "metrics.k8s.io/v1beta1",
                                                   "metadata": {}, "items": items}))

    # -- admin --

    async def admin(self, request: web.Request) -> web.Response:
        """``/_fake/faults``, ``/_fake/requests``, ``/_fake/config``, ``/_fake/info``."""
        path = request.path.rstrip("/")
        method = request.method
        if path == "/_fake/requests":
            if method == "GET":
                return self.respond(request, kjson.encode(self.requests.to_json()))
            if method == "DELETE":
                self.requests.clear()
                return self.respond(request, b'{"status":"Success"}')
        elif path == "/_fake/faults":
            if method == "GET":
                return self.respond(request, kjson.encode({"items": [f.to_json() for f in self.faults.pending],
                                                           "expireNextWatch": self.faults.expire_next_watch}))
            if method == "DELETE":
                self.faults.clear()
                return self.respond(request, b'{"status":"Success"}')
            if method == "POST":
                spec = await self._body(request)
                specs = spec if isinstance(spec, list) else [spec]
                out = []
                for s in specs:
                    if not isinstance(s, dict):
                        raise bad_request("fault must be an object")
                    fault = self.faults.add(s)
                    result: dict[str, Any] = fault.to_json()
                    if fault.kind == "drop-watches":
                        result["dropped"] = self.store.drop_watches()
                    elif fault.kind == "expire-tokens":
                        result["revoked"] = self.revoke_tokens()
                    elif fault.kind == "expire-next-continue":
                        self.registry.expire_next_continue = True
                    elif fault.kind == "compact":
                        self.store.compact()
                        result["compactedTo"] = self.store.log_start_rv
                    out.append(result)
                return self.respond(request, kjson.encode({"items": out}), 201)
        elif path == "/_fake/config":
            if method == "GET":
                return self.respond(request, kjson.encode(self._config()))
            if method in ("POST", "PATCH", "PUT"):
                body = await self._body(request)
                if "continueWindow" in body:
                    self.registry.continue_window = int(body["continueWindow"])
                if "watchWindow" in body:
                    self.store.watch_window = int(body["watchWindow"])
                if "bookmarkInterval" in body:
                    self.bookmark_interval = float(body["bookmarkInterval"])
                if "crashInterval" in body:
                    self.control.crash_interval = float(body["crashInterval"])
                if "execProtocols" in body:
                    try:
                        exec_ws.set_protocols(list(body["execProtocols"] or []))
                    except (TypeError, ValueError) as e:
                        raise bad_request(str(e)) from e
                return self.respond(request, kjson.encode(self._config()))
        elif path == "/_fake/info" and method == "GET":
            return self.respond(request, kjson.encode({"resourceVersion": str(self.store.rv),
                                                       "objects": {f"{g}/{r}" if g else r: len(t)
                                                                   for (g, r), t in self.store.tables.items()},
                                                       "openWatches": len(self.store.watchers),
                                                       "pid": os.getpid()}))
        raise generic_not_found()

    def _config(self) -> dict[str, Any]:
        return {"continueWindow": self.registry.continue_window, "watchWindow": self.store.watch_window,
                "bookmarkInterval": self.bookmark_interval, "crashInterval": self.control.crash_interval,
                "execProtocols": list(exec_ws.offered)}


def _usage_raw(uid: str, container: str) -> tuple[int, int]:
    h = int.from_bytes(hashlib.blake2b(f"{uid}/{container}".encode(), digest_size=8).digest(), "big")
    return 1_000_000 + (h % 60) * 1_000_000, 8_192 + (h >> 8) % 120_000


def _usage(uid: str, container: str) -> dict[str, str]:
    cpu, mem = _usage_raw(uid, container)
    return {"cpu": f"{cpu}n", "memory": f"{mem}Ki"}
