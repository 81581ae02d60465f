"""Shared helpers for the end-to-end suite: locating the binary, starting it, and talking raw HTTP/1.1.

Everything here talks to 127.0.0.1 only. The raw HTTP client is deliberately small and strict (it parses
status line, headers, Content-Length and chunked bodies itself) so that tests can send malformed requests,
pipeline several requests in one write, and watch a connection being closed by the server.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DATA = HERE / "data"
KUBECONFIG = DATA / "kubeconfig.yaml"
BINARY = Path(os.environ.get("KUBE_MCP_BIN", str(REPO / ".build" / "release" / "kube-mcp")))
V1_PYTHON = Path(os.environ.get("KUBE_MCP_V1_PYTHON", str(REPO / ".venv-v1" / "bin" / "python")))
V1_BIN = V1_PYTHON.parent

TOOL_NAMES = ("configuration_contexts_list", "configuration_view")
HANDSHAKE_VERSIONS = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")
MODERN_VERSION = "2026-07-28"
MCP_POST_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}

# Environment variables the server reads; stripped from the child's environment so that the developer's
# shell cannot change what a test sees. Tests that exercise them set them explicitly.
SERVER_ENV_VARS = (
    "MCP_HOST", "MCP_PORT", "MCP_DEBUG", "K8S_KUBECONFIG_PATH", "K8S_CONTEXT", "K8S_NAMESPACE", "KUBECONFIG",
    "MCP_AUTH_TOKEN_FILE", "MCP_READ_ONLY", "MCP_LOG_LEVEL", "MCP_ALLOWED_HOSTS", "MCP_ALLOWED_ORIGINS",
    "MCP_LIST_OUTPUT", "MCP_DISABLE_DESTRUCTIVE", "MCP_ENABLED_TOOLS", "MCP_DISABLED_TOOLS", "MCP_DENIED_RESOURCES",
    "MCP_ALLOWED_NAMESPACES", "MCP_CONFIRM_DESTRUCTIVE", "MCP_CONFIRM_FALLBACK", "MCP_TOOL_RATE_LIMIT",
    "MCP_TOOL_RATE_BURST",
)


# ---------------------------------------------------------------------------------------------------------------
# Secrets of the fixture kubeconfig


def kubeconfig_secrets(path: Path = KUBECONFIG) -> list[str]:
    """Every credential string in a kubeconfig, plus recognisable pieces of the decoded PEM blocks.

    A server that decodes the base64 data and prints the PEM would leak the inner base64 body, so long runs of
    that body are included too (the PEM header lines themselves are not secret and are skipped).
    """
    doc = yaml.safe_load(path.read_text())
    out: list[str] = []
    for user in doc.get("users") or []:
        u = user.get("user") or {}
        for key in ("token", "password", "client-key-data", "client-certificate-data"):
            value = u.get(key)
            if not value:
                continue
            out.append(str(value))
            if key.endswith("-data"):
                pem = base64.b64decode(value).decode()
                body = "".join(line for line in pem.splitlines() if line and not line.startswith("-----"))
                out.extend(body[i:i + 40] for i in range(0, len(body) - 40, 40))
    return out


SECRETS = kubeconfig_secrets()
FIXTURE_TOKEN = "e2e-secret-token-do-not-print"
assert FIXTURE_TOKEN in SECRETS


def assert_no_secrets(text: str, where: str, extra: tuple[str, ...] = ()) -> None:
    for secret in (*SECRETS, *extra):
        assert secret not in text, f"secret {secret[:12]}... leaked into {where}"


# ---------------------------------------------------------------------------------------------------------------
# Ports and processes


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SERVER_ENV_VARS}
    env.update(extra or {})
    return env


@dataclass
class Server:
    """One running kube-mcp process listening on 127.0.0.1:port, logs captured to files."""

    args: list[str] = field(default_factory=list)
    env: dict[str, str] | None = None
    kubeconfig: Path | None = KUBECONFIG
    port: int = 0
    health_headers: dict[str, str] = field(default_factory=dict)
    # When False the standard --host/--port/--kubeconfig flags are not added (tests of env configuration).
    standard_flags: bool = True

    def __post_init__(self) -> None:
        if not self.port:
            self.port = free_port()
        self._dir = tempfile.TemporaryDirectory(prefix="kube-mcp-e2e-")
        self.stderr_path = Path(self._dir.name) / "stderr.log"
        self.stdout_path = Path(self._dir.name) / "stdout.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.returncode: int | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def command(self) -> list[str]:
        cmd = [str(BINARY)]
        if self.standard_flags:
            cmd += ["--host", "127.0.0.1", "--port", str(self.port)]
            if self.kubeconfig is not None:
                cmd += ["--kubeconfig", str(self.kubeconfig)]
        return cmd + list(self.args)

    def start(self, wait: bool = True, timeout: float = 20.0) -> "Server":
        if not BINARY.exists():
            raise AssertionError(f"server binary {BINARY} not found: run `swift build -c release` (or make test)")
        self._stderr = open(self.stderr_path, "wb")
        self._stdout = open(self.stdout_path, "wb")
        self.proc = subprocess.Popen(
            self.command, stdin=subprocess.DEVNULL, stdout=self._stdout, stderr=self._stderr,
            env=child_env(self.env), cwd=str(REPO),
        )
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        last: object = None
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"server exited with {self.proc.returncode} before /health answered; stderr:\n{self.stderr()[-4000:]}")
            try:
                r = http(self.port, "GET", "/health", headers=self.health_headers, timeout=2)
                if r.status == 200:
                    return
                last = r.status
            except OSError as e:
                last = e
            time.sleep(0.05)
        raise AssertionError(f"server did not answer GET /health within {timeout}s (last: {last!r}); stderr:\n"
                             f"{self.stderr()[-4000:]}")

    def stderr(self) -> str:
        try:
            return self.stderr_path.read_bytes().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def stdout(self) -> str:
        try:
            return self.stdout_path.read_bytes().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def send_signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def wait(self, timeout: float) -> int:
        assert self.proc is not None
        self.returncode = self.proc.wait(timeout=timeout)
        return self.returncode

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        """Send `sig` and wait; kill after `timeout` and raise. Returns the exit code."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
                self._close_files()
                raise AssertionError(f"server did not exit within {timeout}s of signal {sig}; killed")
        self.returncode = self.proc.returncode
        self._close_files()
        return self.returncode

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self._close_files()

    def _close_files(self) -> None:
        for f in (getattr(self, "_stderr", None), getattr(self, "_stdout", None)):
            if f is not None and not f.closed:
                f.close()

    def check_clean_exit(self, extra_secrets: tuple[str, ...] = ()) -> None:
        """Stop with SIGTERM, require exit code 0 and a log free of secrets."""
        rc = self.stop()
        log = self.stderr()
        assert rc == 0, f"server exited with {rc} after SIGTERM; stderr tail:\n{log[-3000:]}"
        assert_no_secrets(log, "server stderr", extra_secrets)
        assert_no_secrets(self.stdout(), "server stdout", extra_secrets)


# ---------------------------------------------------------------------------------------------------------------
# Raw HTTP/1.1


@dataclass
class Response:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    def header_all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    def json(self) -> Any:
        return json.loads(self.body)

    def messages(self) -> list[dict]:
        """The JSON-RPC messages in a /mcp answer, whether it came as JSON (object or array) or as SSE."""
        if self.content_type == "text/event-stream":
            return [json.loads(e.data) for e in parse_sse(self.body.decode()) if e.event in ("", "message") and e.data]
        if not self.body:
            return []
        doc = json.loads(self.body)
        return doc if isinstance(doc, list) else [doc]

    def message(self) -> dict:
        msgs = [m for m in self.messages() if "id" in m and ("result" in m or "error" in m)]
        assert len(msgs) == 1, f"expected one JSON-RPC response, got {self.messages()!r}"
        return msgs[0]

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.headers!r} {self.body[:300]!r}>"


@dataclass
class SSEEvent:
    event: str
    data: str
    id: str | None = None


def parse_sse(text: str) -> list[SSEEvent]:
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        ev = _parse_sse_block(block)
        if ev is not None:
            events.append(ev)
    return events


def _parse_sse_block(block: str) -> SSEEvent | None:
    event, data, eid, seen = "", [], None, False
    for line in block.split("\n"):
        if not line or line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        seen = True
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
        elif name == "id":
            eid = value
    if not seen:
        return None
    return SSEEvent(event=event, data="\n".join(data), id=eid)


class Closed(Exception):
    """The peer closed the connection (orderly EOF)."""


class RawConn:
    """A plain TCP connection to the server with a tiny HTTP/1.1 response parser."""

    def __init__(self, port: int, timeout: float = 10.0, rcvbuf: int | None = None) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect(("127.0.0.1", port))
        self.port = port
        self.timeout = timeout
        self.buf = b""

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self) -> "RawConn":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("timed out waiting for data from the server")
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout as e:
            raise TimeoutError("timed out waiting for data from the server") from e
        if not chunk:
            raise Closed()
        self.buf += chunk

    def _deadline(self, timeout: float | None) -> float:
        return time.monotonic() + (self.timeout if timeout is None else timeout)

    def read_until(self, delim: bytes, timeout: float | None = None) -> bytes:
        deadline = self._deadline(timeout)
        while delim not in self.buf:
            self._fill(deadline)
        idx = self.buf.index(delim) + len(delim)
        out, self.buf = self.buf[:idx], self.buf[idx:]
        return out

    def read_exact(self, n: int, timeout: float | None = None) -> bytes:
        deadline = self._deadline(timeout)
        while len(self.buf) < n:
            self._fill(deadline)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_head(self, timeout: float | None = None) -> tuple[int, str, list[tuple[str, str]]]:
        head = self.read_until(b"\r\n\r\n", timeout).decode("latin-1")
        lines = head.split("\r\n")
        parts = lines[0].split(" ", 2)
        assert parts[0].startswith("HTTP/1."), f"bad status line {lines[0]!r}"
        status = int(parts[1])
        reason = parts[2] if len(parts) > 2 else ""
        headers = []
        for line in lines[1:]:
            if line:
                k, _, v = line.partition(":")
                headers.append((k.strip(), v.strip()))
        return status, reason, headers

    def read_chunk(self, timeout: float | None = None) -> bytes:
        """One chunk of a chunked body; b'' for the terminal chunk (its trailer is consumed)."""
        size_line = self.read_until(b"\r\n", timeout).decode("latin-1").strip()
        size = int(size_line.split(";")[0], 16)
        if size == 0:
            while self.read_until(b"\r\n", timeout) != b"\r\n":
                pass
            return b""
        data = self.read_exact(size, timeout)
        assert self.read_exact(2, timeout) == b"\r\n", "chunk not followed by CRLF"
        return data

    def read_response(self, timeout: float | None = None, method: str = "GET") -> Response:
        deadline = self._deadline(timeout)
        status, reason, headers = self.read_head(deadline - time.monotonic())
        r = Response(status, reason, headers, b"")
        te = (r.header("transfer-encoding") or "").lower()
        cl = r.header("content-length")
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return r
        if "chunked" in te:
            body = b""
            while True:
                chunk = self.read_chunk(deadline - time.monotonic())
                if not chunk:
                    break
                body += chunk
            r.body = body
        elif cl is not None:
            r.body = self.read_exact(int(cl), deadline - time.monotonic())
        else:
            try:
                while True:
                    self._fill(deadline)
            except Closed:
                pass
            r.body, self.buf = self.buf, b""
        return r

    def wait_closed(self, timeout: float) -> tuple[bool, bytes]:
        """Read until EOF. Returns (closed, bytes received meanwhile). A reset counts as closed."""
        deadline = time.monotonic() + timeout
        got = b""
        while True:
            try:
                self._fill(deadline)
            except Closed:
                got += self.buf
                self.buf = b""
                return True, got
            except TimeoutError:
                got += self.buf
                self.buf = b""
                return False, got
            except ConnectionResetError:
                return True, got + self.buf
            got += self.buf
            self.buf = b""


def build_request(method: str, path: str, port: int, headers: dict[str, str] | None = None,
                  body: bytes | str | None = None, host: str | None = None) -> bytes:
    if isinstance(body, str):
        body = body.encode()
    lines = [f"{method} {path} HTTP/1.1"]
    hdrs = dict(headers or {})
    if not any(k.lower() == "host" for k in hdrs):
        lines.append(f"Host: {host or f'127.0.0.1:{port}'}")
    for k, v in hdrs.items():
        lines.append(f"{k}: {v}")
    if body is not None and not any(k.lower() in ("content-length", "transfer-encoding") for k in hdrs):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


def http(port: int, method: str, path: str, headers: dict[str, str] | None = None,
         body: bytes | str | dict | list | None = None, timeout: float = 10.0) -> Response:
    """One request on a fresh connection; the connection is closed afterwards."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    with RawConn(port, timeout) as c:
        c.send(build_request(method, path, port, headers, body))
        return c.read_response(timeout, method)


# ---------------------------------------------------------------------------------------------------------------
# MCP over raw HTTP


def rpc(id_: int | str | None, method: str, params: dict | None = None) -> dict:
    msg: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
    if id_ is not None:
        msg["id"] = id_
    if params is not None:
        msg["params"] = params
    return msg


def init_params(version: str) -> dict:
    return {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "kube-mcp-e2e", "version": "0"}}


def modern_meta() -> dict:
    return {
        "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
        "io.modelcontextprotocol/clientInfo": {"name": "kube-mcp-e2e", "version": "0"},
        "io.modelcontextprotocol/clientCapabilities": {},
    }


def modern_headers(method: str, name: str | None = None, version: str = MODERN_VERSION) -> dict[str, str]:
    h = dict(MCP_POST_HEADERS)
    h["MCP-Protocol-Version"] = version
    h["Mcp-Method"] = method
    if name is not None:
        h["Mcp-Name"] = name
    return h


def mcp_post(port: int, msg: Any, session: str | None = None, version: str | None = None,
             headers: dict[str, str] | None = None, path: str = "/mcp", timeout: float = 10.0) -> Response:
    h = dict(MCP_POST_HEADERS)
    if session is not None:
        h["Mcp-Session-Id"] = session
    if version is not None:
        h["MCP-Protocol-Version"] = version
    h.update(headers or {})
    return http(port, "POST", path, h, msg, timeout)


def initialize(port: int, version: str = "2025-06-18", headers: dict[str, str] | None = None,
               path: str = "/mcp") -> tuple[str | None, dict]:
    """initialize + notifications/initialized. Returns (session id or None, InitializeResult)."""
    r = mcp_post(port, rpc(1, "initialize", init_params(version)), headers=headers, path=path)
    assert r.status == 200, r
    msg = r.message()
    assert "result" in msg, msg
    sid = r.header("mcp-session-id")
    negotiated = msg["result"]["protocolVersion"]
    n = mcp_post(port, rpc(None, "notifications/initialized"), session=sid,
                 version=negotiated if negotiated >= "2025-06-18" else None, headers=headers, path=path)
    assert n.status == 202, n
    return sid, msg["result"]


def assert_json_error(r: Response) -> Any:
    """An error answer must carry a short JSON body with an `error` key (plain or JSON-RPC)."""
    assert r.body, f"error response {r.status} has an empty body"
    assert len(r.body) <= 4096, f"error body is not short ({len(r.body)} bytes)"
    try:
        doc = json.loads(r.body)
    except ValueError as e:
        raise AssertionError(f"error response {r.status} body is not JSON: {r.body[:200]!r}") from e
    assert isinstance(doc, dict) and "error" in doc, f"error body lacks an 'error' key: {doc!r}"
    return doc


def assert_health(port: int, headers: dict[str, str] | None = None) -> None:
    r = http(port, "GET", "/health", headers=headers, timeout=5)
    assert r.status == 200, f"server stopped answering /health: {r!r}"
    assert r.json().get("status") == "ok", r


class SSEStream:
    """A long-lived SSE response read incrementally from a RawConn (chunked or close-delimited)."""

    def __init__(self, port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 10.0,
                 rcvbuf: int | None = None, method: str = "GET", body: bytes | None = None) -> None:
        self.conn = RawConn(port, timeout, rcvbuf)
        h = {"Accept": "text/event-stream"}
        h.update(headers or {})
        self.conn.send(build_request(method, path, port, h, body))
        self.status, self.reason, self.headers = self.conn.read_head(timeout)
        self.chunked = "chunked" in (self._header("transfer-encoding") or "").lower()
        self.text = ""
        self.comments: list[str] = []
        self.pending: list[SSEEvent] = []
        self._block: list[str] = []
        self.ended_cleanly = False  # terminal chunk seen (chunked) or EOF (close-delimited)
        self.eof = False

    def _header(self, name: str) -> str | None:
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    def close(self) -> None:
        self.conn.close()

    def _more(self, deadline: float) -> None:
        if self.eof:
            raise Closed()
        if self.chunked:
            try:
                data = self.conn.read_chunk(deadline - time.monotonic())
            except Closed:
                self.eof = True
                raise
            if data == b"":
                self.ended_cleanly = True
                self.eof = True
                raise Closed()
        else:
            if self.conn.buf:
                data, self.conn.buf = self.conn.buf, b""
            else:
                try:
                    self.conn._fill(deadline)
                except Closed:
                    self.eof = True
                    self.ended_cleanly = True
                    raise
                data, self.conn.buf = self.conn.buf, b""
        self.text += data.decode("utf-8")

    def _parse_pending(self) -> None:
        """Line-by-line SSE parsing: comment lines are recorded as they complete, a blank line ends an event."""
        self.text = self.text.replace("\r\n", "\n")
        while "\n" in self.text:
            line, self.text = self.text.split("\n", 1)
            if line.startswith(":"):
                self.comments.append(line)
            elif line == "":
                ev = _parse_sse_block("\n".join(self._block))
                self._block = []
                if ev is not None:
                    self.pending.append(ev)
            else:
                self._block.append(line)

    def next_event(self, timeout: float = 10.0) -> SSEEvent:
        """The next event with a field; comment lines seen on the way go to `self.comments`."""
        deadline = time.monotonic() + timeout
        while True:
            self._parse_pending()
            if self.pending:
                return self.pending.pop(0)
            self._more(deadline)

    def read_for(self, seconds: float) -> None:
        """Consume whatever arrives for `seconds` (events are parsed into comments/events lazily)."""
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                self._more(deadline)
        except (TimeoutError, Closed):
            pass
        self._parse_pending()

    def drain_until_end(self, timeout: float) -> bool:
        """Read until the stream ends; True if it ended within `timeout`."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                self._more(deadline)
                self._parse_pending()
        except Closed:
            self._parse_pending()
            return True
        except ConnectionResetError:
            self.eof = True
            return True
        except TimeoutError:
            return False


@contextlib.contextmanager
def cluster_server(cluster, *args: str, extra_secrets: tuple[str, ...] = ()):
    """A server with debug logging wired to a fake cluster; at the end it must exit cleanly, and its output must
    hold none of the cluster's credentials nor `extra_secrets`."""
    s = Server(args=["--log-level", "debug", *args], kubeconfig=cluster.kubeconfig).start()
    try:
        yield s
    finally:
        try:
            s.check_clean_exit(extra_secrets=tuple(cluster.secrets()) + tuple(extra_secrets))
        finally:
            s.kill()
