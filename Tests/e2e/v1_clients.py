"""Drive kube-mcp with the 1.x-era clients; run with the .venv-v1 interpreter (mcp 1.30, fastmcp 3.x, mcp-proxy).

These clients cannot share a venv with mcp 2.x, so test_clients_v1.py runs this script as a subprocess:

    .venv-v1/bin/python v1_clients.py SCENARIO TARGET [OPTIONS-JSON]

SCENARIO is one of: sse, streamablehttp, streamable_http, fastmcp, fastmcp_sse, proxy_sse, proxy_streamablehttp,
stdio. TARGET is a URL, or for `stdio` the server binary. OPTIONS-JSON may carry "headers" (dict) for the HTTP
clients and mcp-proxy, and "args" (list) for `stdio`.

Prints exactly one JSON line on stdout: {"ok": true, "protocolVersion", "serverName", "tools", "contexts",
"view", "view_full"} with every result in wire form, or {"ok": false, "error", "traceback"} and exit code 1.
"""

from __future__ import annotations

import json
import sys
import traceback
from contextlib import AsyncExitStack
from pathlib import Path

import anyio

TIMEOUT = 40


def dump(model):
    if isinstance(model, list):
        return [dump(m) for m in model]
    return model.model_dump(by_alias=True, mode="json", exclude_none=True)


def attr(obj, camel: str, snake: str):
    """mcp 1.x models moved from camelCase to snake_case attributes over time; accept either."""
    return getattr(obj, snake) if hasattr(obj, snake) else getattr(obj, camel)


async def with_session(stack: AsyncExitStack, read, write) -> dict:
    from mcp import ClientSession

    session = await stack.enter_async_context(ClientSession(read, write))
    init = await session.initialize()
    return {
        "protocolVersion": attr(init, "protocolVersion", "protocol_version"),
        "serverName": attr(init, "serverInfo", "server_info").name,
        **await exercise(session),
    }


async def exercise(session) -> dict:
    tools = await session.list_tools()
    return {
        "tools": dump(tools.tools),
        "contexts": dump(await session.call_tool("configuration_contexts_list", {})),
        "view": dump(await session.call_tool("configuration_view", {})),
        "view_full": dump(await session.call_tool("configuration_view", {"minified": False})),
    }


async def run(scenario: str, target: str, opts: dict) -> dict:
    headers = opts.get("headers") or None
    async with AsyncExitStack() as stack:
        if scenario == "sse":
            from mcp.client.sse import sse_client

            read, write = await stack.enter_async_context(sse_client(target, headers=headers, timeout=10))
            return await with_session(stack, read, write)
        if scenario == "streamablehttp":
            from mcp.client.streamable_http import streamablehttp_client

            read, write, get_sid = await stack.enter_async_context(streamablehttp_client(target, headers=headers))
            out = await with_session(stack, read, write)
            out["sessionId"] = get_sid()
            return out
        if scenario == "streamable_http":
            import httpx
            from mcp.client.streamable_http import streamable_http_client

            client = await stack.enter_async_context(httpx.AsyncClient(headers=headers, timeout=httpx.Timeout(30)))
            read, write, get_sid = await stack.enter_async_context(streamable_http_client(target, http_client=client))
            out = await with_session(stack, read, write)
            out["sessionId"] = get_sid()
            return out
        if scenario in ("fastmcp", "fastmcp_sse"):
            from fastmcp import Client
            from fastmcp.client.transports import SSETransport, StreamableHttpTransport

            transport = (SSETransport if scenario == "fastmcp_sse" else StreamableHttpTransport)(target, headers=headers)
            client = await stack.enter_async_context(Client(transport, timeout=20))
            init = client.initialize_result
            # call_tool validates structuredContent against the tool's outputSchema and raises on isError.
            checked = await client.call_tool("configuration_contexts_list", {})
            out = {
                "protocolVersion": attr(init, "protocolVersion", "protocol_version"),
                "serverName": attr(init, "serverInfo", "server_info").name,
                "tools": dump(await client.list_tools()),
                "contexts": dump(await client.call_tool_mcp("configuration_contexts_list", {})),
                "contexts_structured": checked.structured_content,
                "view": dump(await client.call_tool_mcp("configuration_view", {})),
                "view_full": dump(await client.call_tool_mcp("configuration_view", {"minified": False})),
            }
            return out
        if scenario in ("proxy_sse", "proxy_streamablehttp", "stdio"):
            from mcp import StdioServerParameters
            from mcp.client.stdio import stdio_client

            if scenario == "stdio":
                params = StdioServerParameters(command=target, args=list(opts.get("args", [])))
            else:
                proxy = str(Path(sys.executable).parent / "mcp-proxy")
                args = []
                if scenario == "proxy_streamablehttp":
                    args += ["--transport", "streamablehttp"]
                for k, v in (headers or {}).items():
                    args += ["-H", k, v]
                params = StdioServerParameters(command=proxy, args=args + [target])
            read, write = await stack.enter_async_context(stdio_client(params))
            return await with_session(stack, read, write)
        raise SystemExit(f"unknown scenario {scenario!r}")


def main() -> int:
    scenario, target = sys.argv[1], sys.argv[2]
    opts = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}

    async def bounded():
        with anyio.fail_after(TIMEOUT):
            return await run(scenario, target, opts)

    try:
        out = anyio.run(bounded)
    except BaseException as e:  # noqa: BLE001 - report everything to the parent test
        print(json.dumps({"ok": False, "error": repr(e), "traceback": traceback.format_exc()}), flush=True)
        return 1
    print(json.dumps({"ok": True, **out}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
