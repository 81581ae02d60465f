#!/usr/bin/env python3
"""Idle-session load client for bench.py: opens and holds many MCP sessions with raw asyncio sockets.

One process holds up to a few thousand sessions (the per-process descriptor cap is 20,000); bench.py runs
several and spreads their source addresses over 127.0.0.2-127.0.0.9 so that no single source address runs
out of ephemeral ports. No HTTP library: a minimal HTTP/1.1 client (Content-Length and chunked bodies,
keep-alive) and an incremental SSE parser, because 15,000 httpx streams would cost more CPU and memory than
the server under test.

Transports (what one session is):
  sse         GET /mcp/sse -> read `event: endpoint` (`data: /mcp/messages?sessionId=<id>`);
              POST initialize to that endpoint (expect 202) -> the initialize answer must arrive as
              `event: message` on this session's stream; POST notifications/initialized (expect 202).
  streamable  POST /mcp initialize (expect 200 JSON with a result, and an Mcp-Session-Id header);
              POST notifications/initialized (expect 202); GET /mcp with Accept: text/event-stream and the
              session id (expect 200 text/event-stream) -> the stream is held open.
POSTs go over a few shared keep-alive connections per process (--post-conns); every stream is its own
connection, held by an asyncio.Protocol (no task per idle stream).

Control protocol with the parent (one JSON object per stdout line; commands are stdin lines):
  -> {"event": "started", ...}          after start-up; then waits for the "go" command
  <- go                                 open --count sessions (at most --concurrency in flight)
  -> {"event": "ready", "opened": n, "failed": n, "errors": {...}, "elapsed_s": ...}
  <- check                              count streams still open, events seen since ready
  -> {"event": "check", "open": n, "closed": n, ...}
  <- probe <k>                          send `ping` on k sessions, answers checked as during set-up
  -> {"event": "probe", "ok": n, "failed": n, "errors": {...}}
  <- quit (or EOF on stdin)             close everything and exit 0

Run alone (against a server on port 8080), e.g.:
  .venv/bin/python Benchmarks/idle_client.py --transport sse --port 8080 --count 100 --auto
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import random
import resource
import sys
import time
import urllib.parse

PROTOCOL_VERSION_SSE = "2024-11-05"
PROTOCOL_VERSION_STREAMABLE = "2025-06-18"


def initialize_body(version: str, request_id: int = 1) -> bytes:
    return json.dumps({
        "jsonrpc": "2.0", "id": request_id, "method": "initialize",
        "params": {"protocolVersion": version, "capabilities": {},
                   "clientInfo": {"name": "kube-mcp-bench", "version": "1"}},
    }, separators=(",", ":")).encode()


INITIALIZED_BODY = b'{"jsonrpc":"2.0","method":"notifications/initialized"}'


def ping_body(request_id: int) -> bytes:
    return b'{"jsonrpc":"2.0","id":%d,"method":"ping"}' % request_id


class SessionError(Exception):
    """A session could not be set up or checked; the message is the category counted in the report."""


def emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def short(exc: BaseException) -> str:
    if isinstance(exc, SessionError):
        return str(exc)[:160]
    if isinstance(exc, asyncio.TimeoutError):
        return "timeout"
    text = str(exc)
    return f"{type(exc).__name__}: {text}"[:160] if text else type(exc).__name__


def parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise SessionError(f"bad status line {lines[0][:60]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return int(parts[1]), headers


# --- one keep-alive connection for POSTs ----------------------------------------------------------------------

class PostConnection:
    """Sequential HTTP/1.1 requests over one keep-alive connection (reconnects when the server closed it)."""

    def __init__(self, host: str, port: int, source: str | None, host_header: str, timeout: float):
        self.host, self.port, self.source = host, port, source
        self.host_header = host_header
        self.timeout = timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.lock = asyncio.Lock()
        self.requests = 0
        self.reconnects = 0

    async def _connect(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reconnects += 1
        local = (self.source, 0) if self.source else None
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, local_addr=local)

    async def request(self, method: str, path: str, body: bytes = b"",
                      headers: tuple[tuple[str, str], ...] = ()) -> tuple[int, dict[str, str], bytes]:
        async with self.lock:
            if self.writer is None or self.writer.is_closing() or self.reader.at_eof():
                await self._connect()
            lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host_header}"]
            lines += [f"{k}: {v}" for k, v in headers]
            if body or method == "POST":
                lines.append(f"Content-Length: {len(body)}")
            data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
            self.requests += 1
            try:
                return await asyncio.wait_for(self._exchange(data), self.timeout)
            except BaseException:
                # The connection is in an unknown state: drop it; the next request reconnects.
                self.writer.close()
                raise

    async def _exchange(self, data: bytes) -> tuple[int, dict[str, str], bytes]:
        self.writer.write(data)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status, headers = parse_head(head[:-4])
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = bytearray()
            while True:
                size_line = await self.reader.readuntil(b"\r\n")
                size = int(size_line.split(b";")[0].strip(), 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")  # no trailers expected: the final CRLF
                    break
                body += await self.reader.readexactly(size + 2)
                del body[-2:]
            payload = bytes(body)
        else:
            payload = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.writer.close()
        return status, headers, payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


class PostPool:
    def __init__(self, conns: list[PostConnection]):
        self.conns = conns
        self.next = 0

    def pick(self) -> PostConnection:
        conn = self.conns[self.next % len(self.conns)]
        self.next += 1
        return conn

    async def post(self, path: str, body: bytes, headers: tuple[tuple[str, str], ...] = ()):
        return await self.pick().request("POST", path, body, (("Content-Type", "application/json"),) + headers)


def _consume(fut: asyncio.Future) -> None:
    """Marks a future's exception as retrieved (it is reported elsewhere), so asyncio logs nothing."""
    if not fut.cancelled():
        fut.exception()


# --- one event stream -----------------------------------------------------------------------------------------

class EventStream(asyncio.Protocol):
    """A GET whose response is a server-sent event stream (chunked or not), parsed incrementally.

    While `collect` is true, complete events are queued for `next_event()`; afterwards they are only counted,
    so an idle stream holds no Python objects beyond this protocol and its transport."""

    __slots__ = ("transport", "buf", "sse", "head_done", "chunked", "chunk_left", "need_crlf", "status",
                 "headers", "head_waiter", "events", "event_waiter", "collect", "closed", "close_reason",
                 "events_seen", "comments_seen", "stream_ended")

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.sse = bytearray()
        self.head_done = False
        self.chunked = False
        self.chunk_left = 0
        self.need_crlf = False
        self.status = 0
        self.headers: dict[str, str] = {}
        loop = asyncio.get_running_loop()
        self.head_waiter: asyncio.Future = loop.create_future()
        self.head_waiter.add_done_callback(_consume)
        self.events: collections.deque = collections.deque()
        self.event_waiter: asyncio.Future | None = None
        self.collect = True
        self.closed = False
        self.close_reason = ""
        self.events_seen = 0
        self.comments_seen = 0
        self.stream_ended = False

    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, exc) -> None:
        self.closed = True
        self.close_reason = short(exc) if exc else "closed by server"
        err = SessionError(f"stream closed ({self.close_reason})")
        if not self.head_waiter.done():
            self.head_waiter.set_exception(err)
        if self.event_waiter is not None and not self.event_waiter.done():
            self.event_waiter.set_exception(err)

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        if not self.head_done:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > 65536:
                    self.transport.abort()
                return
            try:
                self.status, self.headers = parse_head(bytes(buf[:end]))
            except Exception as exc:  # noqa: BLE001 - reported through the waiter
                self.head_waiter.set_exception(SessionError(short(exc)))
                self.transport.abort()
                return
            del buf[:end + 4]
            self.head_done = True
            self.chunked = self.headers.get("transfer-encoding", "").lower() == "chunked"
            self.head_waiter.set_result(self.status)
        if not buf:
            return
        if not self.chunked:
            self.sse += buf
            buf.clear()
        else:
            while buf:
                if self.need_crlf:
                    if len(buf) < 2:
                        break
                    del buf[:2]
                    self.need_crlf = False
                elif self.chunk_left == 0:
                    eol = buf.find(b"\r\n")
                    if eol < 0:
                        break
                    size = int(bytes(buf[:eol]).split(b";")[0].strip() or b"0", 16)
                    del buf[:eol + 2]
                    if size == 0:
                        self.stream_ended = True
                        buf.clear()
                        break
                    self.chunk_left = size
                else:
                    take = min(self.chunk_left, len(buf))
                    self.sse += buf[:take]
                    del buf[:take]
                    self.chunk_left -= take
                    if self.chunk_left == 0:
                        self.need_crlf = True
        self._parse_events()

    def _parse_events(self) -> None:
        sse = self.sse
        while True:
            end = sse.find(b"\n\n")
            end_crlf = sse.find(b"\r\n\r\n")
            if end_crlf >= 0 and (end < 0 or end_crlf < end):
                block, skip = bytes(sse[:end_crlf]), 4
                end = end_crlf
            elif end >= 0:
                block, skip = bytes(sse[:end]), 2
            else:
                return
            del sse[:end + skip]
            name, data, comment_only = "message", [], True
            for line in block.replace(b"\r\n", b"\n").split(b"\n"):
                if not line:
                    continue
                if line.startswith(b":"):
                    continue
                comment_only = False
                field, _, value = line.partition(b":")
                if value.startswith(b" "):
                    value = value[1:]
                if field == b"event":
                    name = value.decode()
                elif field == b"data":
                    data.append(value.decode())
            if comment_only:
                self.comments_seen += 1
                continue
            self.events_seen += 1
            if self.collect:
                self.events.append((name, "\n".join(data)))
                if self.event_waiter is not None and not self.event_waiter.done():
                    self.event_waiter.set_result(None)

    async def next_event(self, timeout: float) -> tuple[str, str]:
        deadline = time.monotonic() + timeout
        while not self.events:
            if self.closed:
                raise SessionError(f"stream closed ({self.close_reason})")
            self.event_waiter = asyncio.get_running_loop().create_future()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SessionError("timeout waiting for an event on the stream")
            try:
                await asyncio.wait_for(self.event_waiter, remaining)
            except asyncio.TimeoutError:
                raise SessionError("timeout waiting for an event on the stream") from None
            finally:
                self.event_waiter = None
        return self.events.popleft()

    def hold(self) -> None:
        """Stop collecting events (they are still counted) and drop the parse buffers."""
        self.collect = False
        self.events.clear()
        self.buf = bytearray(self.buf)
        self.sse = bytearray(self.sse)


# --- sessions -------------------------------------------------------------------------------------------------

class Session:
    __slots__ = ("index", "stream", "session_id", "post_path", "events_at_ready", "comments_at_ready")

    def __init__(self, index: int):
        self.index = index
        self.stream: EventStream | None = None
        self.session_id = ""
        self.post_path = ""
        self.events_at_ready = 0
        self.comments_at_ready = 0


class Client:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.host_header = args.host_header or f"{args.host}:{args.port}"
        self.sources = [s for s in args.sources.split(",") if s] or [None]
        conns = [PostConnection(args.host, args.port, self.sources[i % len(self.sources)], self.host_header,
                                args.timeout) for i in range(args.post_conns)]
        self.pool = PostPool(conns)
        self.sessions: list[Session] = []
        self.next_request_id = 100

    async def open_stream(self, index: int, path: str, headers: tuple[tuple[str, str], ...]) -> EventStream:
        loop = asyncio.get_running_loop()
        source = self.sources[index % len(self.sources)]
        local = (source, 0) if source else None
        _, stream = await loop.create_connection(EventStream, self.args.host, self.args.port, local_addr=local)
        lines = [f"GET {path} HTTP/1.1", f"Host: {self.host_header}", "Accept: text/event-stream",
                 "Cache-Control: no-store"] + [f"{k}: {v}" for k, v in headers]
        stream.transport.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        try:
            status = await asyncio.wait_for(asyncio.shield(stream.head_waiter), self.args.timeout)
        except asyncio.TimeoutError:
            stream.transport.abort()
            raise SessionError(f"timeout waiting for the GET {path.split('?')[0]} response head") from None
        except BaseException:
            stream.transport.abort()
            raise
        ctype = stream.headers.get("content-type", "")
        if status != 200 or not ctype.startswith("text/event-stream"):
            stream.transport.abort()
            raise SessionError(f"GET {path.split('?')[0]} -> {status} {ctype}")
        return stream

    async def open_sse(self, session: Session) -> None:
        stream = await self.open_stream(session.index, "/mcp/sse", ())
        session.stream = stream
        try:
            name, data = await stream.next_event(self.args.timeout)
            if name != "endpoint" or "sessionId=" not in data:
                raise SessionError(f"first event {name!r} {data[:60]!r}, expected endpoint")
            # The endpoint may be absolute, root-relative or relative to the /mcp/sse URL.
            url = urllib.parse.urlsplit(urllib.parse.urljoin("/mcp/sse", data.strip()))
            session.post_path = url.path + ("?" + url.query if url.query else "")
            session.session_id = urllib.parse.parse_qs(url.query).get("sessionId", [""])[0]
            status, _, body = await self.pool.post(session.post_path, initialize_body(PROTOCOL_VERSION_SSE))
            if status != 202:
                raise SessionError(f"POST initialize -> {status} {body[:80]!r}")
            name, data = await stream.next_event(self.args.timeout)
            if name != "message":
                raise SessionError(f"initialize answer arrived as event {name!r}")
            answer = json.loads(data)
            if answer.get("id") != 1 or "protocolVersion" not in answer.get("result", {}):
                raise SessionError(f"unexpected initialize answer {data[:80]!r}")
            status, _, body = await self.pool.post(session.post_path, INITIALIZED_BODY)
            if status != 202:
                raise SessionError(f"POST notifications/initialized -> {status} {body[:80]!r}")
        except BaseException:
            stream.transport.abort()
            raise

    async def open_streamable(self, session: Session) -> None:
        headers = (("Accept", "application/json, text/event-stream"),)
        status, resp_headers, body = await self.pool.post("/mcp", initialize_body(PROTOCOL_VERSION_STREAMABLE),
                                                          headers)
        if status != 200:
            raise SessionError(f"POST initialize -> {status} {body[:80]!r}")
        session_id = resp_headers.get("mcp-session-id", "")
        if not session_id:
            raise SessionError("initialize answer without Mcp-Session-Id")
        if resp_headers.get("content-type", "").startswith("text/event-stream"):
            raise SessionError("initialize answered as an event stream (expected JSON)")
        answer = json.loads(body)
        if answer.get("id") != 1 or "protocolVersion" not in answer.get("result", {}):
            raise SessionError(f"unexpected initialize answer {body[:80]!r}")
        session.session_id = session_id
        sid = (("Mcp-Session-Id", session_id), ("MCP-Protocol-Version", PROTOCOL_VERSION_STREAMABLE))
        status, _, body = await self.pool.post("/mcp", INITIALIZED_BODY, headers + sid)
        if status != 202:
            raise SessionError(f"POST notifications/initialized -> {status} {body[:80]!r}")
        session.stream = await self.open_stream(session.index, "/mcp", sid)

    async def open_one(self, index: int, sem: asyncio.Semaphore, errors: collections.Counter,
                       latencies: list[float]) -> None:
        session = Session(index)
        async with sem:
            started = time.perf_counter()
            try:
                opener = self.open_sse if self.args.transport == "sse" else self.open_streamable
                await asyncio.wait_for(opener(session), self.args.timeout * 3)
            except Exception as exc:  # noqa: BLE001 - every failure is counted by category
                errors[short(exc)] += 1
                if session.stream is not None and session.stream.transport is not None:
                    session.stream.transport.abort()
                return
            latencies.append(time.perf_counter() - started)
        session.stream.hold()
        session.events_at_ready = session.stream.events_seen
        session.comments_at_ready = session.stream.comments_seen
        self.sessions.append(session)

    async def open_all(self) -> dict:
        errors: collections.Counter = collections.Counter()
        latencies: list[float] = []
        sem = asyncio.Semaphore(self.args.concurrency)
        started = time.perf_counter()
        await asyncio.gather(*(self.open_one(i, sem, errors, latencies) for i in range(self.args.count)))
        elapsed = time.perf_counter() - started
        latencies.sort()

        def pct(p: float) -> float | None:
            return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 2) if latencies else None

        return {"event": "ready", "opened": len(self.sessions), "failed": sum(errors.values()),
                "errors": dict(errors.most_common(8)), "elapsed_s": round(elapsed, 3),
                "setup_ms_p50": pct(0.50), "setup_ms_p99": pct(0.99),
                "post_requests": sum(c.requests for c in self.pool.conns),
                "post_reconnects": sum(c.reconnects for c in self.pool.conns)}

    def check(self) -> dict:
        open_ = sum(1 for s in self.sessions if not s.stream.closed and not s.stream.stream_ended)
        reasons = collections.Counter(s.stream.close_reason or "stream ended" for s in self.sessions
                                      if s.stream.closed or s.stream.stream_ended)
        return {"event": "check", "open": open_, "closed": len(self.sessions) - open_,
                "close_reasons": dict(reasons.most_common(5)),
                "events_since_ready": sum(s.stream.events_seen - s.events_at_ready for s in self.sessions),
                "comments_since_ready": sum(s.stream.comments_seen - s.comments_at_ready for s in self.sessions)}

    async def probe_one(self, session: Session) -> None:
        self.next_request_id += 1
        rid = self.next_request_id
        if self.args.transport == "sse":
            stream = session.stream
            stream.collect = True
            try:
                status, _, body = await self.pool.post(session.post_path, ping_body(rid))
                if status != 202:
                    raise SessionError(f"POST ping -> {status} {body[:80]!r}")
                while True:
                    name, data = await stream.next_event(self.args.timeout)
                    if name == "message" and json.loads(data).get("id") == rid:
                        break
            finally:
                stream.hold()
        else:
            headers = (("Accept", "application/json, text/event-stream"), ("Mcp-Session-Id", session.session_id),
                       ("MCP-Protocol-Version", PROTOCOL_VERSION_STREAMABLE))
            status, _, body = await self.pool.post("/mcp", ping_body(rid), headers)
            if status != 200 or json.loads(body).get("id") != rid:
                raise SessionError(f"POST ping -> {status} {body[:80]!r}")

    async def probe(self, count: int) -> dict:
        errors: collections.Counter = collections.Counter()
        chosen = random.sample(self.sessions, min(count, len(self.sessions)))

        async def one(session: Session) -> None:
            try:
                await asyncio.wait_for(self.probe_one(session), self.args.timeout)
            except Exception as exc:  # noqa: BLE001
                errors[short(exc)] += 1

        await asyncio.gather(*(one(s) for s in chosen))
        return {"event": "probe", "probed": len(chosen), "ok": len(chosen) - sum(errors.values()),
                "failed": sum(errors.values()), "errors": dict(errors.most_common(5))}

    def close(self) -> None:
        for s in self.sessions:
            if s.stream is not None and s.stream.transport is not None:
                s.stream.transport.abort()
        for c in self.pool.conns:
            c.close()


async def stdin_lines():
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = await reader.readline()
        if not line:
            return
        yield line.decode().strip()


async def amain(args: argparse.Namespace) -> int:
    client = Client(args)
    emit({"event": "started", "pid": os.getpid(), "count": args.count, "sources": client.sources,
          "nofile": resource.getrlimit(resource.RLIMIT_NOFILE)[0]})
    commands = stdin_lines() if not args.auto else None
    try:
        if commands is not None:
            async for line in commands:
                if line == "go":
                    break
                if line == "quit":
                    return 0
            else:
                return 0
        emit(await client.open_all())
        if args.auto:
            emit(client.check())
            emit(await client.probe(min(10, args.count)))
            return 0
        async for line in commands:
            cmd, _, arg = line.partition(" ")
            if cmd == "check":
                emit(client.check())
            elif cmd == "probe":
                emit(await client.probe(int(arg or "20")))
            elif cmd == "quit":
                break
        return 0
    finally:
        client.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transport", choices=("sse", "streamable"), required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host-header", default="", help="Host header (default HOST:PORT)")
    parser.add_argument("--count", type=int, required=True, help="sessions to open and hold")
    parser.add_argument("--sources", default="", help="comma-separated source addresses to bind, round-robin")
    parser.add_argument("--post-conns", type=int, default=4, help="shared keep-alive POST connections")
    parser.add_argument("--concurrency", type=int, default=64, help="sessions being set up at once")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds for each step")
    parser.add_argument("--auto", action="store_true", help="no control protocol: open, check, probe, exit")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        return asyncio.run(amain(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
