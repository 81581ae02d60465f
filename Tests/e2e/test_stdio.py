"""The server's own `--stdio` mode: newline-delimited JSON-RPC on stdin/stdout, logs on stderr only."""

from __future__ import annotations

import json
import os
import select
import subprocess
import time
from contextlib import AsyncExitStack

import anyio
import pytest
from mcp import Client, ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from checks import check_contexts_result, check_report, check_tools, check_view_result, dump, run_v1
from e2e_util import BINARY, KUBECONFIG, assert_no_secrets, child_env, init_params, rpc

STDIO_ARGS = ["--stdio", "--kubeconfig", str(KUBECONFIG)]


def params(*extra: str) -> StdioServerParameters:
    return StdioServerParameters(command=str(BINARY), args=STDIO_ARGS + list(extra))


def run(fn) -> None:
    async def main():
        with anyio.fail_after(30):
            await fn()
    anyio.run(main)


def test_v2_stdio_client_session(tmp_path):
    errlog = open(tmp_path / "stderr.log", "w+")

    async def go():
        async with AsyncExitStack() as stack:
            read, write = await stack.enter_async_context(stdio_client(params("--log-level", "debug"), errlog=errlog))
            session = await stack.enter_async_context(ClientSession(read, write))
            init = await session.initialize()
            assert init.protocol_version == "2025-11-25"
            assert init.server_info.name == "kube-mcp"
            check_tools(dump((await session.list_tools()).tools))
            check_contexts_result(dump(await session.call_tool("configuration_contexts_list", {})))
            check_view_result(dump(await session.call_tool("configuration_view", {})), minified=True)
            check_view_result(dump(await session.call_tool("configuration_view", {"minified": False})), minified=False)
    run(go)
    errlog.seek(0)
    assert_no_secrets(errlog.read(), "stdio server stderr (debug)")


def test_v2_client_auto_mode_over_stdio():
    """mcp 2.x Client probes server/discover first; the server must answer (not stay silent) so the
    connection is established quickly, in whichever era the server picks."""
    async def go():
        t0 = time.monotonic()
        async with Client(params()) as c:
            assert time.monotonic() - t0 < 5, "connecting took too long (probe not answered promptly?)"
            assert c.protocol_version in ("2026-07-28", "2025-11-25")
            check_tools(dump((await c.list_tools()).tools))
            check_contexts_result(dump(await c.call_tool("configuration_contexts_list", {})))
            check_view_result(dump(await c.call_tool("configuration_view", {})), minified=True)
    run(go)


def test_v2_client_legacy_mode_over_stdio():
    async def go():
        async with Client(params(), mode="legacy") as c:
            assert c.protocol_version == "2025-11-25"
            check_contexts_result(dump(await c.call_tool("configuration_contexts_list", {})))
    run(go)


def test_v1_stdio_client():
    check_report(run_v1("stdio", str(BINARY), {"args": STDIO_ARGS}))


# --- raw pipes -----------------------------------------------------------------------------------------------


class StdioProc:
    def __init__(self, *extra: str) -> None:
        self.p = subprocess.Popen([str(BINARY), *STDIO_ARGS, *extra], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=child_env(), bufsize=0)
        self.lines: list[bytes] = []
        self.buf = b""

    def send(self, msg) -> None:
        data = msg if isinstance(msg, bytes) else json.dumps(msg).encode() + b"\n"
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def recv(self, timeout: float = 5.0) -> dict:
        """Next stdout line as JSON; fails if none arrives within `timeout`. Reads the raw fd (no hidden buffer)."""
        fd = self.p.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no complete line on stdout within {timeout}s (have {self.buf[:200]!r})"
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                chunk = os.read(fd, 65536)
                assert chunk, f"stdout closed; stderr:\n{self.p.stderr.read().decode()[-2000:]}"
                self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        self.lines.append(line + b"\n")
        return json.loads(line)

    def recv_response(self, id_, timeout: float = 5.0) -> dict:
        while True:
            msg = self.recv(timeout)
            if msg.get("id") == id_ and ("result" in msg or "error" in msg):
                return msg

    def close_stdin_and_wait(self, timeout: float = 5.0) -> tuple[int, bytes, bytes]:
        self.p.stdin.close()
        try:
            self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"server did not exit within {timeout}s of EOF on stdin")
        return self.p.returncode, self.buf + self.p.stdout.read(), self.p.stderr.read()

    def kill(self) -> None:
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait(timeout=5)
        for f in (self.p.stdin, self.p.stdout, self.p.stderr):
            try:
                f.close()
            except (OSError, ValueError):
                pass


@pytest.fixture
def proc():
    procs = []

    def make(*extra):
        p = StdioProc(*extra)
        procs.append(p)
        return p

    yield make
    for p in procs:
        p.kill()


def test_unknown_method_before_initialize_gets_method_not_found_quickly(proc):
    p = proc()
    t0 = time.monotonic()
    p.send(rpc(1, "nope/unknown", {}))
    msg = p.recv(timeout=2)
    assert time.monotonic() - t0 < 2
    assert msg["jsonrpc"] == "2.0" and msg["id"] == 1, msg
    assert msg["error"]["code"] == -32601, msg


def test_ping_before_initialize(proc):
    p = proc()
    p.send(rpc("p1", "ping"))
    msg = p.recv_response("p1", timeout=2)
    assert msg == {"jsonrpc": "2.0", "id": "p1", "result": {}}


def test_parse_error_then_keeps_serving(proc):
    p = proc()
    p.send(b"{this is not json\n")
    msg = p.recv(timeout=2)
    assert msg["error"]["code"] == -32700, msg
    assert msg.get("id") is None, msg
    p.send(rpc(2, "ping"))
    assert p.recv_response(2)["result"] == {}


def test_full_session_then_eof_exits_zero_with_json_only_stdout(proc):
    p = proc("--log-level", "debug")
    p.send(rpc(1, "initialize", init_params("2025-06-18")))
    init = p.recv_response(1)
    assert init["result"]["protocolVersion"] == "2025-06-18"
    assert init["result"]["serverInfo"]["name"] == "kube-mcp"
    p.send(rpc(None, "notifications/initialized"))
    p.send(rpc(2, "tools/list", {}))
    check_tools(p.recv_response(2)["result"]["tools"])
    p.send(rpc(3, "tools/call", {"name": "configuration_contexts_list", "arguments": {}}))
    check_contexts_result(p.recv_response(3)["result"])
    p.send(rpc(4, "tools/call", {"name": "configuration_view", "arguments": {"minified": False}}))
    check_view_result(p.recv_response(4)["result"], minified=False)
    t0 = time.monotonic()
    rc, out, err = p.close_stdin_and_wait(timeout=5)
    assert rc == 0, f"exit code {rc} after EOF; stderr:\n{err.decode()[-2000:]}"
    assert time.monotonic() - t0 < 5
    for line in p.lines + out.splitlines():
        if line.strip():
            doc = json.loads(line)  # stdout carries only JSON-RPC lines
            assert doc.get("jsonrpc") == "2.0", line
    assert_no_secrets(b"".join(p.lines).decode() + out.decode(), "stdio stdout")
    assert_no_secrets(err.decode(), "stdio stderr")


def test_immediate_eof_exits_zero(proc):
    p = proc()
    rc, out, err = p.close_stdin_and_wait(timeout=5)
    assert rc == 0, err.decode()[-2000:]
    assert out.strip() == b"", f"stdout must stay empty without requests: {out[:300]!r}"
