"""`subscriptions/listen` (2026-07-28): raw HTTP and stdio against the server and the fake cluster, and the mcp 2.x
Client's `listen()` over /mcp and stdio.

The acknowledgement comes first and every message carries the listen id in `_meta`; a change made with kubectl
becomes `notifications/resources/updated`; SIGHUP reaches only the streams that asked for list changes; closing
the stream (HTTP) or `notifications/cancelled` (stdio) stops every watch — the fake's `/_fake/info` open-watch
count proves it — and shutdown ends a stream with the graceful final result. Messages are validated against the
official 2026-07-28 schema."""

from __future__ import annotations

import asyncio
import json
import select
import shutil
import signal
import subprocess
import time

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.subscriptions import ResourceUpdated, ToolsListChanged

from e2e_util import BINARY, SSEStream, child_env, cluster_server, http, modern_headers, modern_meta, rpc
from fake_cluster import FakeCluster
from test_schema import validate

KUBECTL = shutil.which("kubectl")
SUB_ID = "io.modelcontextprotocol/subscriptionId"
REFUSED = "kube-mcp/refusedResourceSubscriptions"
CONFIGMAP = "k8s://fake/shop/configmaps/shop-config"

pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")


@pytest.fixture(scope="module")
def server(cluster):
    with cluster_server(cluster) as s:
        yield s


def kubectl(cluster: FakeCluster, *args: str) -> str:
    out = subprocess.run([KUBECTL, "--kubeconfig", str(cluster.kubeconfig), *args], capture_output=True, text=True,
                         timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout


def open_watches(cluster: FakeCluster) -> int:
    return cluster.call("GET", "/_fake/info")["openWatches"]


def wait_for_watches(cluster: FakeCluster, expected: int, timeout: float = 10) -> int:
    deadline = time.monotonic() + timeout
    count = open_watches(cluster)
    while count != expected and time.monotonic() < deadline:
        time.sleep(0.1)
        count = open_watches(cluster)
    return count


def annotate(cluster: FakeCluster, value: str) -> None:
    kubectl(cluster, "-n", "shop", "annotate", "configmap", "shop-config", f"e2e/listen={value}", "--overwrite")


def listen_body(id_, notifications: dict) -> bytes:
    params = {"notifications": notifications, "_meta": modern_meta()}
    return json.dumps(rpc(id_, "subscriptions/listen", params)).encode()


def open_listen(port: int, id_, notifications: dict) -> SSEStream:
    headers = modern_headers("subscriptions/listen")
    headers["Content-Type"] = "application/json"
    return SSEStream(port, "/mcp", headers, method="POST", body=listen_body(id_, notifications))


def next_message(stream: SSEStream, timeout: float = 10) -> dict:
    ev = stream.next_event(timeout)
    assert ev.event == "message", ev
    return json.loads(ev.data)


# --- HTTP ----------------------------------------------------------------------------------------------------------


def test_discover_advertises_subscribe(server):
    body = rpc(1, "server/discover", {"_meta": modern_meta()})
    r = http(server.port, "POST", "/mcp", modern_headers("server/discover"), body)
    assert r.status == 200, r
    assert r.message()["result"]["capabilities"]["resources"] == {"subscribe": True, "listChanged": True}


def test_ack_first_then_updates_and_closing_stops_every_watch(server, cluster):
    baseline = open_watches(cluster)
    stream = open_listen(server.port, 12, {
        "toolsListChanged": True,
        "resourceSubscriptions": [CONFIGMAP, "k8s://fake/shop/configmaps/no-such-map", "file:///etc/passwd",
                                  "k8s://fake/shop/pods/x/log", CONFIGMAP, "k8s://fake/_cluster/namespaces/shop"],
    })
    try:
        assert stream.status == 200
        assert (stream._header("content-type") or "").startswith("text/event-stream")
        ack = next_message(stream)
        validate("2026-07-28", "SubscriptionsAcknowledgedNotification", ack)
        assert ack["method"] == "notifications/subscriptions/acknowledged"
        assert ack["params"]["_meta"][SUB_ID] == 12
        # Only what is honoured: the list kind asked for and the URIs whose watch runs (duplicates once).
        assert ack["params"]["notifications"] == {
            "toolsListChanged": True,
            "resourceSubscriptions": [CONFIGMAP, "k8s://fake/_cluster/namespaces/shop"],
        }
        refused = {r["uri"]: r["reason"] for r in ack["params"]["_meta"][REFUSED]}
        assert set(refused) == {"k8s://fake/shop/configmaps/no-such-map", "file:///etc/passwd",
                                "k8s://fake/shop/pods/x/log"}
        assert "not found" in refused["k8s://fake/shop/configmaps/no-such-map"]
        assert "only object URIs" in refused["k8s://fake/shop/pods/x/log"]
        assert wait_for_watches(cluster, baseline + 2) == baseline + 2

        annotate(cluster, "1")
        note = next_message(stream)
        validate("2026-07-28", "ResourceUpdatedNotification", note)
        assert note == {"jsonrpc": "2.0", "method": "notifications/resources/updated",
                        "params": {"uri": CONFIGMAP, "_meta": {SUB_ID: 12}}}
    finally:
        stream.close()
    # The client closed the stream: both watches stop.
    assert wait_for_watches(cluster, baseline) == baseline


def test_sighup_reaches_only_streams_that_asked(server, cluster):
    tools = open_listen(server.port, "tools-and-resources", {"toolsListChanged": True, "resourcesListChanged": True})
    prompts = open_listen(server.port, 7, {"promptsListChanged": True})
    try:
        assert next_message(tools)["params"]["notifications"] == {"toolsListChanged": True,
                                                                  "resourcesListChanged": True}
        assert next_message(prompts)["params"] == {"notifications": {"promptsListChanged": True},
                                                   "_meta": {SUB_ID: 7}}
        server.send_signal(signal.SIGHUP)
        got = [next_message(tools), next_message(tools)]
        validate("2026-07-28", "ToolListChangedNotification", got[0])
        validate("2026-07-28", "ResourceListChangedNotification", got[1])
        assert got == [
            {"jsonrpc": "2.0", "method": "notifications/tools/list_changed",
             "params": {"_meta": {SUB_ID: "tools-and-resources"}}},
            {"jsonrpc": "2.0", "method": "notifications/resources/list_changed",
             "params": {"_meta": {SUB_ID: "tools-and-resources"}}},
        ]
        # The prompts never depend on the kubeconfig: that stream hears nothing, only keep-alives.
        prompts.read_for(1.0)
        assert prompts.pending == [] and not prompts.eof
    finally:
        tools.close()
        prompts.close()


def test_refusals(server, cluster):
    def post(body: dict, headers: dict | None = None):
        return http(server.port, "POST", "/mcp", headers or modern_headers("subscriptions/listen"), body)

    meta = modern_meta()
    cases = [
        ({}, "notifications"),
        ({"notifications": []}, "must be an object"),
        ({"notifications": {"toolsListChanged": "yes"}}, "boolean"),
        ({"notifications": {"resourceSubscriptions": "k8s://fake"}}, "array"),
        ({"notifications": {"resourceSubscriptions": [1]}}, "array of URI strings"),
        ({"notifications": {"resourceSubscriptions": [f"k8s://fake/shop/configmaps/c{i}" for i in range(101)]}},
         "at most 100"),
    ]
    for params, words in cases:
        r = post(rpc(3, "subscriptions/listen", {**params, "_meta": meta}))
        assert r.status == 400, (params, r)
        error = r.message()["error"]
        assert error["code"] == -32602 and words in error["message"], (params, error)
    # Missing _meta, as for every 2026-07-28 request.
    r = post(rpc(3, "subscriptions/listen", {"notifications": {}}))
    assert r.status == 400 and r.message()["error"]["code"] == -32602
    # The answer is a stream: a client that accepts only JSON cannot have it.
    headers = modern_headers("subscriptions/listen")
    headers["Accept"] = "application/json"
    r = post(rpc(3, "subscriptions/listen", {"notifications": {}, "_meta": meta}), headers)
    assert r.status == 406, r
    # Handshake revisions have no subscriptions/listen (they use resources/subscribe).
    r = http(server.port, "POST", "/mcp", {"Content-Type": "application/json",
                                          "Accept": "application/json, text/event-stream"},
             rpc(1, "initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                                   "clientInfo": {"name": "t", "version": "0"}}))
    sid = r.header("mcp-session-id")
    r = http(server.port, "POST", "/mcp", {"Content-Type": "application/json", "Mcp-Session-Id": sid,
                                          "Accept": "application/json, text/event-stream",
                                          "MCP-Protocol-Version": "2025-11-25"},
             rpc(2, "subscriptions/listen", {"notifications": {}}))
    assert r.message()["error"]["code"] == -32601


def test_shutdown_ends_the_stream_with_the_final_result(start_server, cluster):
    extra = start_server("--log-level", "debug", kubeconfig=cluster.kubeconfig, check_exit=False)
    baseline = open_watches(cluster)
    stream = open_listen(extra.port, 99, {"resourceSubscriptions": [CONFIGMAP]})
    try:
        assert next_message(stream)["params"]["notifications"] == {"resourceSubscriptions": [CONFIGMAP]}
        assert wait_for_watches(cluster, baseline + 1) == baseline + 1
        extra.send_signal(signal.SIGTERM)
        final = next_message(stream)
        validate("2026-07-28", "SubscriptionsListenResultResponse", final)
        assert final == {"jsonrpc": "2.0", "id": 99, "result": {"resultType": "complete", "_meta": {SUB_ID: 99}}}
        assert stream.drain_until_end(5) and stream.ended_cleanly
        assert extra.wait(15) == 0
    finally:
        stream.close()
    assert wait_for_watches(cluster, baseline) == baseline


def test_stateless_mode_serves_listen_too(start_server, cluster):
    extra = start_server("--stateless", kubeconfig=cluster.kubeconfig)
    body = rpc(1, "server/discover", {"_meta": modern_meta()})
    r = http(extra.port, "POST", "/mcp", modern_headers("server/discover"), body)
    assert r.message()["result"]["capabilities"]["resources"]["subscribe"] is True
    stream = open_listen(extra.port, 5, {"toolsListChanged": True})
    try:
        assert next_message(stream)["params"]["notifications"] == {"toolsListChanged": True}
        extra.send_signal(signal.SIGHUP)
        assert next_message(stream)["method"] == "notifications/tools/list_changed"
    finally:
        stream.close()


# --- stdio ---------------------------------------------------------------------------------------------------------


class StdioServer:
    """kube-mcp --stdio with line-wise JSON-RPC on its pipes."""

    def __init__(self, cluster: FakeCluster) -> None:
        self.proc = subprocess.Popen([str(BINARY), "--stdio", "--kubeconfig", str(cluster.kubeconfig)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     env=child_env())
        self.buf = b""

    def send(self, msg: dict) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(msg).encode() + b"\n")
        self.proc.stdin.flush()

    def read(self, timeout: float = 10) -> dict:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                raise TimeoutError("no message from the stdio server")
            chunk = self.proc.stdout.read1(65536)
            if not chunk:
                raise EOFError("stdout closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def close(self) -> int:
        if self.proc.stdin and not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            return self.proc.wait(timeout=15)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


def test_stdio_listen_cancel_and_shutdown(cluster):
    baseline = open_watches(cluster)
    s = StdioServer(cluster)
    try:
        s.send(rpc("L1", "subscriptions/listen", {"notifications": {"resourceSubscriptions": [CONFIGMAP]},
                                                  "_meta": modern_meta()}))
        ack = s.read()
        assert ack["method"] == "notifications/subscriptions/acknowledged"
        assert ack["params"] == {"notifications": {"resourceSubscriptions": [CONFIGMAP]}, "_meta": {SUB_ID: "L1"}}
        assert wait_for_watches(cluster, baseline + 1) == baseline + 1
        annotate(cluster, "stdio")
        assert s.read() == {"jsonrpc": "2.0", "method": "notifications/resources/updated",
                            "params": {"uri": CONFIGMAP, "_meta": {SUB_ID: "L1"}}}
        # notifications/cancelled for the listen id ends it: the watch stops, and no result is sent.
        s.send(rpc(None, "notifications/cancelled", {"requestId": "L1"}))
        assert wait_for_watches(cluster, baseline) == baseline
        # The same when the notification carries the 2026-07-28 _meta.
        s.send(rpc("L2", "subscriptions/listen", {"notifications": {"resourceSubscriptions": [CONFIGMAP]},
                                                  "_meta": modern_meta()}))
        assert s.read()["params"]["_meta"] == {SUB_ID: "L2"}
        assert wait_for_watches(cluster, baseline + 1) == baseline + 1
        s.send(rpc(None, "notifications/cancelled", {"requestId": "L2", "_meta": modern_meta()}))
        assert wait_for_watches(cluster, baseline) == baseline
        # Other requests are still served on the same pipe, in between.
        s.send(rpc(2, "server/discover", {"_meta": modern_meta()}))
        assert s.read()["id"] == 2

        # A second listen, ended by SIGTERM: the final result goes to stdout, then the server exits.
        s.send(rpc(3, "subscriptions/listen", {"notifications": {"resourceSubscriptions": [CONFIGMAP]},
                                               "_meta": modern_meta()}))
        assert s.read()["params"]["_meta"] == {SUB_ID: 3}
        assert wait_for_watches(cluster, baseline + 1) == baseline + 1
        s.proc.send_signal(signal.SIGTERM)
        assert s.read() == {"jsonrpc": "2.0", "id": 3, "result": {"resultType": "complete", "_meta": {SUB_ID: 3}}}
        assert s.proc.wait(timeout=15) == 0
    finally:
        s.close()
    assert wait_for_watches(cluster, baseline) == baseline


def test_stdio_end_of_input_stops_the_watch(cluster):
    baseline = open_watches(cluster)
    s = StdioServer(cluster)
    try:
        s.send(rpc(1, "subscriptions/listen", {"notifications": {"resourceSubscriptions": [CONFIGMAP]},
                                               "_meta": modern_meta()}))
        assert s.read()["method"] == "notifications/subscriptions/acknowledged"
        assert wait_for_watches(cluster, baseline + 1) == baseline + 1
    finally:
        assert s.close() == 0
    assert wait_for_watches(cluster, baseline) == baseline


# --- the official client ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("transport", ["streamable", "stdio"])
def test_mcp_client_listen(server, cluster, transport):
    """mcp 2.x `Client.listen()` (2026-07-28 auto mode): the acknowledged subset, typed events, and no watch left
    once the `async with` ends."""
    baseline = open_watches(cluster)
    target = (f"{server.base}/mcp" if transport == "streamable"
              else StdioServerParameters(command=str(BINARY), args=["--stdio", "--kubeconfig", str(cluster.kubeconfig)]))

    async def go():
        async with Client(target) as client:
            async with client.listen(tools_list_changed=True,
                                     resource_subscriptions=[CONFIGMAP, "k8s://fake/shop/configmaps/nope"]) as sub:
                assert sub.honored.tools_list_changed is True
                assert sub.honored.resource_subscriptions == [CONFIGMAP]
                assert await asyncio.to_thread(wait_for_watches, cluster, baseline + 1) == baseline + 1
                await asyncio.to_thread(annotate, cluster, f"client-{transport}")
                event = await asyncio.wait_for(sub.__anext__(), 10)
                assert event == ResourceUpdated(uri=CONFIGMAP)
                if transport == "streamable":
                    server.send_signal(signal.SIGHUP)
                    assert await asyncio.wait_for(sub.__anext__(), 10) == ToolsListChanged()
            # Leaving the block ends the listen (HTTP: the POST is aborted; stdio: notifications/cancelled).
            assert await asyncio.to_thread(wait_for_watches, cluster, baseline) == baseline
            assert (await client.list_tools()).tools  # the connection still serves

    asyncio.run(asyncio.wait_for(go(), 60))
