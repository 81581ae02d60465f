"""Graceful shutdown: SIGTERM/SIGINT stop accepting, end open streams cleanly, and exit 0 within the grace."""

from __future__ import annotations

import json
import signal
import socket
import time

import pytest

from e2e_util import RawConn, SSEStream, build_request, http, initialize, rpc


def open_streams(port: int) -> tuple[SSEStream, SSEStream]:
    legacy = SSEStream(port, "/mcp/sse", timeout=5)
    assert legacy.status == 200
    ev = legacy.next_event(5)
    assert ev.event == "endpoint"
    # a request in flight on the legacy session proves it is live before we signal
    r = http(port, "POST", ev.data, {"Content-Type": "application/json"}, json.dumps(rpc(1, "ping")))
    assert r.status == 202
    assert json.loads(legacy.next_event(5).data)["id"] == 1
    sid, _ = initialize(port, "2025-06-18")
    modern = SSEStream(port, "/mcp", {"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-06-18"}, timeout=5)
    assert modern.status == 200
    return legacy, modern


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_ends_open_streams_and_exits_zero(start_server, sig):
    s = start_server(check_exit=False)
    legacy, modern = open_streams(s.port)
    idle = RawConn(s.port)
    idle.send(build_request("GET", "/health", s.port))
    assert idle.read_response(5).status == 200
    try:
        t0 = time.monotonic()
        s.send_signal(sig)
        for name, stream in (("legacy /mcp/sse", legacy), ("GET /mcp", modern)):
            assert stream.drain_until_end(5), f"{name} stream still open 5 s after {sig.name}"
            assert stream.ended_cleanly, f"{name} stream was cut without the terminating chunk"
        closed, _ = idle.wait_closed(5)
        assert closed, "idle keep-alive connection still open after shutdown"
        rc = s.wait(timeout=max(0.5, 8 - (time.monotonic() - t0)))
        assert rc == 0, f"exit code {rc} after {sig.name}; stderr:\n{s.stderr()[-2000:]}"
        assert time.monotonic() - t0 < 8
    finally:
        legacy.close()
        modern.close()
        idle.close()
        s.kill()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", s.port), timeout=1).close()


def test_sigterm_without_connections_exits_quickly(start_server):
    s = start_server(check_exit=False)
    t0 = time.monotonic()
    rc = s.stop(signal.SIGTERM, timeout=5)
    assert rc == 0
    assert time.monotonic() - t0 < 2, "an idle server should stop almost at once"


def test_stuck_connection_does_not_delay_exit_past_grace(start_server):
    """A client that never finishes its headers cannot hold the process beyond --shutdown-grace."""
    s = start_server("--shutdown-grace", "2", "--header-timeout", "30", check_exit=False)
    stuck = RawConn(s.port)
    stuck.send(f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{s.port}\r\nContent-Length: 100\r\n\r\n{{".encode())
    try:
        time.sleep(0.2)
        t0 = time.monotonic()
        rc = s.stop(signal.SIGTERM, timeout=6)
        elapsed = time.monotonic() - t0
        assert rc == 0, s.stderr()[-2000:]
        assert elapsed < 4, f"exit took {elapsed:.1f}s with --shutdown-grace 2"
    finally:
        stuck.close()
