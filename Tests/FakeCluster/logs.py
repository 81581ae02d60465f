"""Deterministic container logs, shaped by the container image, with the kubelet's query options.

A container's log is a few start-up lines at its start time followed by one line every ``INTERVAL`` seconds
up to now (at most ``MAX_LINES`` kept, like a rotated log). The crash-looping demo container logs a failed
database connection and exits. Follow mode adds a live line every ~200 ms.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from dataclasses import dataclass
from typing import Any

import kjson
from apierrors import bad_request

INTERVAL = 5.0
MAX_LINES = 2000
FOLLOW_PERIOD = 0.2


@dataclass
class LogOptions:
    """``PodLogOptions`` query parameters."""

    container: str = ""
    follow: bool = False
    previous: bool = False
    timestamps: bool = False
    tail_lines: int | None = None
    since_seconds: int | None = None
    since_time: str | None = None
    limit_bytes: int | None = None


def select_container(pod: dict[str, Any], container: str) -> dict[str, Any]:
    """The container to read, with the apiserver's 400 messages when it is missing or ambiguous."""
    spec = pod.get("spec") or {}
    containers = spec.get("containers") or []
    inits = spec.get("initContainers") or []
    name = pod["metadata"]["name"]
    if not container:
        if len(containers) == 1 and not inits:
            return containers[0]
        default = (pod["metadata"].get("annotations") or {}).get("kubectl.kubernetes.io/default-container")
        if default:
            for c in containers:
                if c["name"] == default:
                    return c
        msg = f"a container name must be specified for pod {name}, choose one of: [{' '.join(c['name'] for c in containers)}]"
        if inits:
            msg += f" or one of the init containers: [{' '.join(c['name'] for c in inits)}]"
        raise bad_request(msg)
    for c in containers + inits:
        if c["name"] == container:
            return c
    raise bad_request(f"container {container} is not valid for pod {name}")


def _status(pod: dict[str, Any], container: str) -> dict[str, Any]:
    for cs in ((pod.get("status") or {}).get("containerStatuses") or []) + \
            ((pod.get("status") or {}).get("initContainerStatuses") or []):
        if cs.get("name") == container:
            return cs
    return {}


def _h(*parts: Any) -> int:
    return int.from_bytes(hashlib.blake2b("/".join(map(str, parts)).encode(), digest_size=8).digest(), "big")


def _line(kind: str, pod: str, container: str, i: int, t: _dt.datetime) -> str:
    h = _h(pod, container, i)
    if kind == "nginx":
        paths = ["/", "/index.html", "/api/products", "/static/app.js", "/healthz", "/cart", "/favicon.ico"]
        codes = [200, 200, 200, 200, 304, 404, 200]
        ip = f"10.244.{h % 4}.{h % 250 + 2}"
        return (f'{ip} - - [{t.strftime("%d/%b/%Y:%H:%M:%S +0000")}] "GET {paths[h % len(paths)]} HTTP/1.1" '
                f'{codes[(h >> 8) % len(codes)]} {615 + h % 4000} "-" "Mozilla/5.0 (X11; Linux x86_64)" "-"')
    if kind == "prometheus":
        msgs = ["Completed loading of configuration file", "Compaction completed", "Head GC completed",
                "Scrape pool reloaded", "WAL checkpoint complete"]
        return (f'ts={kjson.rfc3339_micro(t)[:-4]}Z caller=main.go:{1000 + h % 400} level=info '
                f'component=tsdb msg="{msgs[h % len(msgs)]}" duration={h % 900}.{h % 1000:03d}ms')
    if kind == "coredns":
        return f'[INFO] 10.244.0.{h % 250 + 2}:{30000 + h % 30000} - {h % 65536} "A IN api.shop.svc.cluster.local. udp 48 false 512" NOERROR qr,aa,rd 102 0.000{h % 900:03d}s'
    methods = ["GET /v1/orders", "GET /v1/products", "POST /v1/cart", "GET /healthz", "GET /v1/users/me"]
    return (f"{kjson.rfc3339(t)} INFO  {container}: {methods[h % len(methods)]} status=200 "
            f"latency={h % 90 + 3}ms request_id={h % 0xFFFFFF:06x}")


def _startup(kind: str, container: str, image: str) -> list[str]:
    if kind == "nginx":
        return ["/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
                "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
                "/docker-entrypoint.sh: Configuration complete; ready for start up",
                "nginx: [notice] start worker processes"]
    if kind == "prometheus":
        return ['level=info msg="Starting Prometheus Server" mode=server version="(version=2.53.0)"',
                'level=info msg="Server is ready to receive web requests."']
    if kind == "crash":
        return [f"Starting {container} service ({image})",
                "Loading configuration from /etc/payments/config.yaml",
                "Connecting to database postgres://payments@payments-db.shop.svc.cluster.local:5432/payments",
                "ERROR: failed to connect to database: dial tcp 10.96.112.40:5432: connect: connection refused",
                "ERROR: retry 1/3: failed to connect to database: dial tcp 10.96.112.40:5432: connect: connection refused",
                "ERROR: retry 2/3: failed to connect to database: dial tcp 10.96.112.40:5432: connect: connection refused",
                "FATAL: could not initialize payment store: database unavailable after 3 attempts, exiting with code 1"]
    if kind == "coredns":
        return [".:53", "[INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df5",
                "CoreDNS-1.11.3", "linux/amd64, go1.21.11, a6338e9"]
    return [f"Starting {container} ({image})", f"{container}: listening on :8080"]


def _kind(pod: dict[str, Any], container: dict[str, Any]) -> str:
    from controller import BEHAVIOR_ANNOTATION
    if (pod["metadata"].get("annotations") or {}).get(BEHAVIOR_ANNOTATION) == "crashloop":
        return "crash"
    image = container.get("image", "")
    for k in ("nginx", "prometheus", "coredns"):
        if k in image:
            return k
    return "app"


def generate(pod: dict[str, Any], container: dict[str, Any], start: _dt.datetime, end: _dt.datetime,
             instance: int) -> list[tuple[_dt.datetime, str]]:
    """All lines of one container instance between its start and ``end``."""
    kind = _kind(pod, container)
    name = pod["metadata"]["name"]
    lines: list[tuple[_dt.datetime, str]] = []
    for j, text in enumerate(_startup(kind, container["name"], container.get("image", ""))):
        lines.append((start + _dt.timedelta(milliseconds=15 * j + 3), text))
    if kind == "crash":
        return lines
    total = int(max((end - start).total_seconds(), 0) // INTERVAL)
    first = max(0, total - MAX_LINES)
    for i in range(first, total):
        t = start + _dt.timedelta(seconds=(i + 1) * INTERVAL)
        lines.append((t, _line(kind, name, container["name"], i + instance * 100000, t)))
    return lines


def read(pod: dict[str, Any], opts: LogOptions) -> tuple[list[tuple[_dt.datetime, str]], dict[str, Any], bool]:
    """Lines to return (already filtered by since/tail), the container, and whether it is running."""
    container = select_container(pod, opts.container)
    cname = container["name"]
    cs = _status(pod, cname)
    name = pod["metadata"]["name"]
    now = kjson.utcnow()
    state = cs.get("state") or {}
    restarts = int(cs.get("restartCount") or 0)
    if opts.previous:
        term = (cs.get("lastState") or {}).get("terminated")
        if not term:
            raise bad_request(f'previous terminated container "{cname}" in pod "{name}" not found')
        start = kjson.parse_time(term["startedAt"])
        lines = generate(pod, container, start, kjson.parse_time(term["finishedAt"]), max(restarts - 1, 0))
        running = False
    elif "running" in state:
        start = kjson.parse_time(state["running"]["startedAt"])
        lines = generate(pod, container, start, now, restarts)
        running = True
    elif "terminated" in state:
        t = state["terminated"]
        lines = generate(pod, container, kjson.parse_time(t["startedAt"]), kjson.parse_time(t["finishedAt"]), restarts)
        running = False
    else:
        term = (cs.get("lastState") or {}).get("terminated")
        waiting = (state.get("waiting") or {}).get("reason", "ContainerCreating")
        if not term:
            raise bad_request(f'container "{cname}" in pod "{name}" is waiting to start: {waiting}')
        lines = generate(pod, container, kjson.parse_time(term["startedAt"]), kjson.parse_time(term["finishedAt"]),
                         restarts)
        running = False
    if opts.since_seconds is not None:
        cutoff = now - _dt.timedelta(seconds=opts.since_seconds)
        lines = [ln for ln in lines if ln[0] >= cutoff]
    elif opts.since_time:
        cutoff = kjson.parse_time(opts.since_time)
        lines = [ln for ln in lines if ln[0] >= cutoff]
    if opts.tail_lines is not None:
        lines = lines[-opts.tail_lines:] if opts.tail_lines > 0 else []
    return lines, container, running


def render(lines: list[tuple[_dt.datetime, str]], timestamps: bool) -> bytes:
    """Log text (one line each, with RFC3339Nano timestamps when asked)."""
    if timestamps:
        return "".join(f"{kjson.rfc3339_nano(t)} {text}\n" for t, text in lines).encode()
    return "".join(f"{text}\n" for _, text in lines).encode()


def live_line(pod: dict[str, Any], container: dict[str, Any], seq: int) -> tuple[_dt.datetime, str]:
    """A new line for follow mode."""
    t = kjson.utcnow()
    return t, _line(_kind(pod, container), pod["metadata"]["name"], container["name"], 900000 + seq, t)
