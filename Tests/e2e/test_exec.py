"""pods_exec through the official MCP clients over /mcp, /mcp/sse and stdio, against the fake cluster's WebSocket
exec (v5, and v4 when the fake offers only v4) over real TLS with a client certificate."""

from __future__ import annotations

import asyncio
import time

import pytest
from mcp import Client, StdioServerParameters

from e2e_util import BINARY, Server, cluster_server
from fake_cluster import FakeCluster

TRANSPORTS = ["streamable", "sse", "stdio"]


@pytest.fixture(scope="module")
def server(cluster):
    # A small output limit so that the cap is reached with a modest command.
    with cluster_server(cluster, "--output-limit-bytes", "4096") as s:
        yield s


def target(server: Server, cluster: FakeCluster, transport: str):
    if transport == "streamable":
        return f"{server.base}/mcp", {}
    if transport == "sse":
        from mcp.client.sse import sse_client
        return sse_client(f"{server.base}/mcp/sse"), {"mode": "legacy"}
    return StdioServerParameters(command=str(BINARY), args=["--stdio", "--kubeconfig", str(cluster.kubeconfig),
                                                            "--output-limit-bytes", "4096"]), {}


def calls(server: Server, cluster: FakeCluster, transport: str, batch: list[tuple[str, dict]]) -> list:
    """Runs several tool calls in one client session; returns the results."""
    async def run():
        where, kwargs = target(server, cluster, transport)
        async with Client(where, **kwargs) as client:
            return [await client.call_tool(name, arguments) for name, arguments in batch]

    return asyncio.run(asyncio.wait_for(run(), 90))


def text_of(result) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


@pytest.fixture(scope="module")
def pod(server, cluster) -> str:
    [result] = calls(server, cluster, "streamable", [("pods_list_in_namespace", {"namespace": "shop",
                                                                                 "labelSelector": "app=frontend"})])
    return text_of(result).splitlines()[1].split()[0]


def test_tools_list_declares_exec_as_destructive(server, cluster):
    async def run():
        async with Client(f"{server.base}/mcp") as client:
            return {t.name: t for t in (await client.list_tools()).tools}

    tools = asyncio.run(asyncio.wait_for(run(), 30))
    tool = tools["pods_exec"]
    assert tool.annotations.read_only_hint is False
    assert tool.annotations.destructive_hint is True
    assert tool.annotations.idempotent_hint is False
    assert tool.input_schema["required"] == ["name", "command"]
    assert tool.input_schema["properties"]["command"]["type"] == "array"
    assert tool.input_schema["properties"]["command"]["minItems"] == 1
    assert set(tool.output_schema["required"]) == {"exitCode", "stdout", "stderr", "stdoutTruncated", "stderrTruncated"}
    names = list(tools)
    assert names.index("pods_exec") == names.index("pods_log") + 1


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_exec_results(server, cluster, pod, transport):
    base = {"name": pod, "namespace": "shop"}
    echo, code, stderr, one_arg, capped, no_pod, no_container, empty = calls(server, cluster, transport, [
        ("pods_exec", {**base, "command": ["echo", "hello", "world"]}),
        ("pods_exec", {**base, "command": ["sh", "-c", "echo before; exit 3"]}),
        ("pods_exec", {**base, "command": ["cat", "/etc/hostname", "/nope"]}),
        ("pods_exec", {**base, "command": ["echo hello"]}),
        ("pods_exec", {**base, "command": ["seq", "20000"]}),
        ("pods_exec", {"name": "no-such-pod", "namespace": "shop", "command": ["true"]}),
        ("pods_exec", {**base, "container": "sidecar", "command": ["true"]}),
        ("pods_exec", {**base, "command": []}),
    ])
    assert not echo.is_error, text_of(echo)
    assert text_of(echo).startswith("exit code: 0\n--- stdout ---\nhello world\n")
    assert echo.structured_content == {"exitCode": 0, "stdout": "hello world\n", "stderr": "",
                                       "stdoutTruncated": False, "stderrTruncated": False}

    assert not code.is_error and code.structured_content["exitCode"] == 3
    assert code.structured_content["stdout"] == "before\n"

    assert stderr.structured_content["exitCode"] == 1
    assert stderr.structured_content["stdout"] == pod + "\n"
    assert stderr.structured_content["stderr"] == "cat: /nope: No such file or directory\n"
    assert "--- stderr ---\ncat: /nope: No such file or directory" in text_of(stderr)

    # One element with a space is one argv element: the fake has no program called "echo hello".
    assert one_arg.structured_content["exitCode"] == 127
    assert "echo hello: command not found" in one_arg.structured_content["stderr"]

    assert not capped.is_error
    assert capped.structured_content["stdoutTruncated"] is True
    assert len(capped.structured_content["stdout"]) == 4096
    assert capped.structured_content["stdout"].startswith("1\n2\n3\n")
    assert "[stdout cut at 4096 bytes:" in text_of(capped)

    assert no_pod.is_error and 'pods "no-such-pod" not found' in text_of(no_pod)
    assert no_container.is_error and "container sidecar is not valid" in text_of(no_container)
    assert empty.is_error and "at least one element" in text_of(empty)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_exec_timeout(server, cluster, pod, transport):
    started = time.monotonic()
    [slow] = calls(server, cluster, transport, [
        ("pods_exec", {"name": pod, "namespace": "shop", "command": ["sh", "-c", "echo started; sleep 60"],
                       "timeoutSeconds": 1}),
    ])
    assert time.monotonic() - started < 10
    assert slow.is_error
    assert "did not finish within 1 s" in text_of(slow) and "started" in text_of(slow)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_exec_falls_back_to_v4(server, cluster, pod, transport):
    cluster.call("POST", "/_fake/config", {"execProtocols": ["v4.channel.k8s.io"]})
    try:
        [result] = calls(server, cluster, transport, [
            ("pods_exec", {"name": pod, "namespace": "shop", "command": ["sh", "-c", "echo v4 only; exit 5"]}),
        ])
    finally:
        cluster.call("POST", "/_fake/config", {"execProtocols": []})
    assert not result.is_error, text_of(result)
    assert result.structured_content["exitCode"] == 5
    assert result.structured_content["stdout"] == "v4 only\n"


def test_exec_sessions_leave_no_connections_open(server, cluster, pod):
    """Every exec session closes its connection (CONNECT_ONLY handles are removed and freed)."""
    import os
    pid = server.proc.pid

    def sockets() -> int:
        return sum(1 for fd in os.listdir(f"/proc/{pid}/fd") if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"))

    calls(server, cluster, "streamable", [("pods_exec", {"name": pod, "namespace": "shop", "command": ["true"]})])
    before = sockets()
    calls(server, cluster, "streamable",
          [("pods_exec", {"name": pod, "namespace": "shop", "command": ["exit", str(i)]}) for i in range(20)])
    time.sleep(0.5)
    assert sockets() <= before + 1, f"{sockets() - before} sockets more after 20 exec sessions"


class ConnectProxy:
    """A minimal HTTP CONNECT proxy on 127.0.0.1 that records the tunnels it opened."""

    def __init__(self) -> None:
        import socket
        import threading
        self.tunnels: list[str] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket
        import threading
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client, socket), daemon=True).start()

    def _serve(self, client, socket) -> None:
        import threading
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk:
                client.close()
                return
            head += chunk
        method, authority = head.split(b" ")[:2]
        if method != b"CONNECT":
            client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            client.close()
            return
        self.tunnels.append(authority.decode())
        host, port = authority.decode().rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)))
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")

        def pipe(a, b):
            try:
                while data := a.recv(65536):
                    b.sendall(data)
            except OSError:
                pass
            finally:
                for s in (a, b):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
        pipe(client, upstream)

    def close(self) -> None:
        self.listener.close()


@pytest.mark.parametrize("server_name", [None, "localhost", "wrong.example"])
def test_exec_through_an_http_proxy(cluster, pod, tmp_path, server_name):
    """The kubeconfig's proxy-url: the exec connection is a CONNECT tunnel through it; with tls-server-name the
    certificate is checked for that name (the fake's has DNS:localhost) while connecting to 127.0.0.1."""
    import yaml
    proxy = ConnectProxy()
    config = dict(cluster.config)
    extra = {"tls-server-name": server_name} if server_name else {}
    config["clusters"] = [{**c, "cluster": {**c["cluster"], "proxy-url": f"http://127.0.0.1:{proxy.port}", **extra}}
                          for c in cluster.config["clusters"]]
    kubeconfig = tmp_path / "kubeconfig-proxy"
    kubeconfig.write_text(yaml.safe_dump(config))
    s = Server(kubeconfig=kubeconfig).start()
    try:
        async def run():
            async with Client(f"{s.base}/mcp") as client:
                return await client.call_tool("pods_exec", {"name": pod, "namespace": "shop", "command": ["hostname"]})

        result = asyncio.run(asyncio.wait_for(run(), 60))
        if server_name == "wrong.example":
            assert result.is_error and "certificate" in text_of(result), text_of(result)
            return
        assert not result.is_error, text_of(result)
        assert result.structured_content["stdout"] == pod + "\n"
        assert proxy.tunnels and proxy.tunnels[-1].endswith(f":{cluster.port}"), proxy.tunnels
    finally:
        s.kill()
        proxy.close()
