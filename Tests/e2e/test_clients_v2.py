"""The official `mcp` 2.x SDK and `fastmcp` 4.x clients against the real server, over every HTTP transport.

Runs in the main venv (.venv). Each case lists the tools, calls both configuration tools and checks the
results with the rules in checks.py (secrets absent, structured content shaped as declared).
"""

from __future__ import annotations

from contextlib import AsyncExitStack

import anyio
import pytest
from fastmcp import Client as FastMCPClient
from fastmcp.client.transports import SSETransport, StreamableHttpTransport
from mcp import Client, ClientSession
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

from checks import check_contexts_result, check_tools, check_view_result, dump

TIMEOUT = 30


async def exercise(client) -> None:
    """Works for mcp.Client, mcp.ClientSession (both 2.x)."""
    listed = await client.list_tools()
    check_tools(dump(listed.tools))
    check_contexts_result(dump(await client.call_tool("configuration_contexts_list", {})))
    check_view_result(dump(await client.call_tool("configuration_view", {})), minified=True)
    check_view_result(dump(await client.call_tool("configuration_view", {"minified": False})), minified=False)


async def exercise_fastmcp(client: FastMCPClient) -> None:
    tools = await client.list_tools()
    check_tools(dump(tools))
    # call_tool validates structuredContent against the declared outputSchema and raises on isError.
    res = await client.call_tool("configuration_contexts_list", {})
    assert res.structured_content is not None
    check_contexts_result({"content": dump(res.content), "structuredContent": res.structured_content,
                           "isError": res.is_error})
    check_contexts_result(dump(await client.call_tool_mcp("configuration_contexts_list", {})))
    check_view_result(dump(await client.call_tool_mcp("configuration_view", {})), minified=True)
    check_view_result(dump(await client.call_tool_mcp("configuration_view", {"minified": False})), minified=False)


def run(coro_fn, *args) -> None:
    async def main():
        with anyio.fail_after(TIMEOUT):
            await coro_fn(*args)
    anyio.run(main)


# --- mcp 2.x Client ------------------------------------------------------------------------------------------


def test_client_auto_negotiates_modern(server):
    async def go():
        async with Client(f"{server.base}/mcp") as c:
            assert c.protocol_version == "2026-07-28"
            assert c.server_info is None or c.server_info.name == "kube-mcp"
            await exercise(c)
    run(go)


def test_client_legacy_mode_streamable_http(server):
    async def go():
        async with Client(f"{server.base}/mcp", mode="legacy") as c:
            assert c.protocol_version == "2025-11-25"
            assert c.server_info is not None and c.server_info.name == "kube-mcp"
            await exercise(c)
    run(go)


def test_client_legacy_mode_trailing_slash(server):
    async def go():
        async with Client(f"{server.base}/mcp/", mode="legacy") as c:
            assert c.protocol_version == "2025-11-25"
            await exercise(c)
    run(go)


@pytest.mark.parametrize("path", ["/mcp/sse", "/sse"])
def test_client_over_sse_client(server, path):
    async def go():
        async with Client(sse_client(f"{server.base}{path}", timeout=10), mode="legacy") as c:
            assert c.protocol_version == "2025-11-25"
            await exercise(c)
    run(go)


@pytest.mark.parametrize("path", ["/mcp/sse", "/sse"])
def test_sse_client_with_client_session(server, path):
    async def go():
        async with AsyncExitStack() as stack:
            read, write = await stack.enter_async_context(sse_client(f"{server.base}{path}", timeout=10))
            session = await stack.enter_async_context(ClientSession(read, write))
            init = await session.initialize()
            assert init.protocol_version == "2025-11-25"
            assert init.server_info.name == "kube-mcp"
            assert init.capabilities.tools is not None
            await exercise(session)
    run(go)


def test_streamable_http_client_with_client_session(server):
    async def go():
        async with AsyncExitStack() as stack:
            read, write = await stack.enter_async_context(streamable_http_client(f"{server.base}/mcp"))
            session = await stack.enter_async_context(ClientSession(read, write))
            init = await session.initialize()
            assert init.protocol_version == "2025-11-25"
            assert init.server_info.name == "kube-mcp"
            assert init.capabilities.tools is not None
            await exercise(session)
    run(go)


# --- fastmcp 4.x ---------------------------------------------------------------------------------------------


def test_fastmcp_streamable_http(server):
    async def go():
        async with FastMCPClient(StreamableHttpTransport(f"{server.base}/mcp"), timeout=20) as c:
            assert c.protocol_version == "2026-07-28"
            await exercise_fastmcp(c)
    run(go)


def test_fastmcp_url_inference(server):
    async def go():
        async with FastMCPClient(f"{server.base}/mcp", timeout=20) as c:
            assert c.protocol_version == "2026-07-28"
            await exercise_fastmcp(c)
    run(go)


@pytest.mark.parametrize("path", ["/mcp/sse", "/sse"])
def test_fastmcp_sse_transport(server, path):
    async def go():
        async with FastMCPClient(SSETransport(f"{server.base}{path}"), timeout=20) as c:
            assert c.protocol_version == "2025-11-25"
            await exercise_fastmcp(c)
    run(go)


# --- stateless mode ------------------------------------------------------------------------------------------


def test_stateless_client_auto(stateless_server):
    async def go():
        async with Client(f"{stateless_server.base}/mcp") as c:
            assert c.protocol_version == "2026-07-28"
            await exercise(c)
    run(go)


def test_stateless_client_legacy(stateless_server):
    async def go():
        async with Client(f"{stateless_server.base}/mcp", mode="legacy") as c:
            assert c.protocol_version == "2025-11-25"
            await exercise(c)
    run(go)


def test_stateless_streamable_http_client_session(stateless_server):
    async def go():
        async with AsyncExitStack() as stack:
            read, write = await stack.enter_async_context(streamable_http_client(f"{stateless_server.base}/mcp"))
            session = await stack.enter_async_context(ClientSession(read, write))
            init = await session.initialize()
            assert init.protocol_version == "2025-11-25"
            await exercise(session)
    run(go)


def test_stateless_fastmcp(stateless_server):
    async def go():
        async with FastMCPClient(f"{stateless_server.base}/mcp", timeout=20) as c:
            await exercise_fastmcp(c)
    run(go)
