"""Guards around every tool call, through the official mcp 2.x clients against the fake cluster:

- `--confirm-destructive`: a destructive tool (`pods_delete`) asks the user first — `elicitation/create` on the
  handshake revisions (Streamable HTTP `/mcp` with `mode="legacy"`, legacy SSE `/mcp/sse`, stdio), an
  `input_required` round trip (MRTR) on 2026-07-28 (the mcp 2.3 client drives it with the same
  `elicitation_callback`) — and `--confirm-fallback allow|deny` decides for clients that cannot be asked.
  The fake's request log proves that a refused call sent no DELETE.
- `--tool-rate-limit` / `--tool-rate-burst`: the third quick call is a tool error naming the flag.

The confirmation tests need the product's `pods_delete` tool and are skipped when `tools/list` lacks it.
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from e2e_util import BINARY, Server, http, mcp_post, modern_headers, modern_meta, rpc
from fake_cluster import FakeCluster

CONFIRM = ["--confirm-destructive"]
TRANSPORTS = ["streamable", "sse", "modern", "stdio", "stdio-modern"]


# ---------------------------------------------------------------------------------------------------------------
# Fixtures


def _start(cluster: FakeCluster, *args: str) -> Server:
    return Server(args=["--log-level", "debug", *args], kubeconfig=cluster.kubeconfig).start()


@pytest.fixture(scope="module")
def servers(cluster):
    """One server per guard setting, started on first use."""
    started: dict[str, Server] = {}
    flags = {
        "allow": CONFIRM,
        "deny": [*CONFIRM, "--confirm-fallback", "deny"],
        "stateless-deny": [*CONFIRM, "--confirm-fallback", "deny", "--stateless"],
        "rate": ["--tool-rate-limit", "1", "--tool-rate-burst", "2"],
    }

    def get(name: str) -> Server:
        if name not in started:
            started[name] = _start(cluster, *flags[name])
        return started[name]

    yield get
    for s in started.values():
        try:
            s.check_clean_exit(extra_secrets=tuple(cluster.secrets()))
        finally:
            s.kill()


# ---------------------------------------------------------------------------------------------------------------
# Clients


class Answers:
    """An elicitation callback that answers with `action` (and `confirm`), recording what it was asked."""

    def __init__(self, action: str, confirm: bool = True) -> None:
        self.action = action
        self.confirm = confirm
        self.asked: list[dict] = []

    async def __call__(self, context, params):
        from mcp import types

        self.asked.append(params.model_dump(by_alias=True, exclude_none=True))
        if self.action == "accept":
            return types.ElicitResult(action="accept", content={"confirm": self.confirm})
        return types.ElicitResult(action=self.action)


def _client(server: Server, transport: str, callback, cluster: FakeCluster | None = None, extra: tuple = ()):
    from mcp import Client, StdioServerParameters
    from mcp.client.sse import sse_client

    kwargs = {} if callback is None else {"elicitation_callback": callback}
    if transport == "streamable":
        return Client(f"{server.base}/mcp", mode="legacy", **kwargs)
    if transport == "sse":
        return Client(sse_client(f"{server.base}/mcp/sse"), mode="legacy", **kwargs)
    if transport == "modern":
        return Client(f"{server.base}/mcp", **kwargs)
    assert cluster is not None
    params = StdioServerParameters(command=str(BINARY),
                                   args=["--stdio", "--kubeconfig", str(cluster.kubeconfig), *extra])
    return Client(params, mode="legacy" if transport == "stdio" else "auto", **kwargs)


def call(server: Server, transport: str, name: str, arguments: dict, callback=None, cluster=None,
         extra: tuple = ()) -> tuple[str, bool, str]:
    """One tool call; returns (text, isError, negotiated protocol version)."""
    async def run():
        async with _client(server, transport, callback, cluster, extra) as client:
            result = await client.call_tool(name, arguments)
            text = "\n".join(getattr(block, "text", "") for block in result.content)
            return text, bool(result.is_error), client.protocol_version

    return asyncio.run(asyncio.wait_for(run(), 60))


def tool_names(server: Server) -> set[str]:
    async def run():
        async with _client(server, "streamable", None) as client:
            return {t.name for t in (await client.list_tools()).tools}

    return asyncio.run(asyncio.wait_for(run(), 30))


def need_pods_delete(server: Server) -> None:
    if "pods_delete" not in tool_names(server):
        raise AssertionError("pods_delete is not listed: the confirmation tests need this destructive tool")


# ---------------------------------------------------------------------------------------------------------------
# The fake cluster's request log (over its TLS endpoint, with the kubeconfig's client certificate)


class FakeAPI:
    """The fake cluster's request log and pods."""

    def __init__(self, cluster: FakeCluster) -> None:
        self.cluster = cluster

    def request(self, method: str, path: str) -> tuple[int, object]:
        status, body = self.cluster.request(method, path)
        return status, (json.loads(body) if body else None)

    def deletes(self) -> list[str]:
        """Paths of every DELETE the cluster received since the log was last cleared."""
        _, log = self.request("GET", "/_fake/requests")
        return [item["path"] for item in log["items"] if item["method"] == "DELETE"]

    def clear(self) -> None:
        self.request("DELETE", "/_fake/requests")

    def frontend_pods(self) -> list[str]:
        _, pods = self.request("GET", "/api/v1/namespaces/shop/pods?labelSelector=app%3Dfrontend")
        return sorted(p["metadata"]["name"] for p in pods["items"] if not p["metadata"].get("deletionTimestamp"))


@pytest.fixture(scope="module")
def api(cluster):
    return FakeAPI(cluster)


def a_pod(api: FakeAPI) -> str:
    """A frontend pod that exists now (the deployment controller replaces deleted ones)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        pods = api.frontend_pods()
        if pods:
            return pods[0]
        time.sleep(0.2)
    raise AssertionError("no frontend pod in namespace shop")


# ---------------------------------------------------------------------------------------------------------------
# Confirmation


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_accepted_confirmation_runs_the_delete(cluster, servers, api, transport):
    server = servers("allow")
    need_pods_delete(server)
    pod = a_pod(api)
    api.clear()
    answers = Answers("accept")
    text, error, version = call(server, transport, "pods_delete", {"name": pod, "namespace": "shop"}, answers,
                                cluster, extra=tuple(CONFIRM))
    assert not error, text
    assert version == ("2026-07-28" if "modern" in transport else "2025-11-25")
    assert len(answers.asked) == 1, answers.asked
    asked = answers.asked[0]
    assert asked["message"].startswith("kube-mcp wants to run pods_delete (destructive) with {")
    assert f"name: {pod}" in asked["message"] and "namespace: shop" in asked["message"]
    assert asked["requestedSchema"]["properties"]["confirm"]["type"] == "boolean"
    assert f"/api/v1/namespaces/shop/pods/{pod}" in api.deletes()


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("answer", [Answers("decline"), Answers("cancel"), Answers("accept", confirm=False)],
                         ids=["decline", "cancel", "confirm-false"])
def test_anything_but_yes_is_a_tool_error_without_api_request(cluster, servers, api, transport, answer):
    server = servers("allow")
    need_pods_delete(server)
    pod = a_pod(api)
    api.clear()
    answer.asked.clear()
    text, error, _ = call(server, transport, "pods_delete", {"name": pod, "namespace": "shop"}, answer, cluster,
                          extra=tuple(CONFIRM))
    assert error, text
    assert text.startswith("not confirmed:"), text
    assert "nothing was changed" in text
    assert len(answer.asked) == 1
    assert api.deletes() == []


@pytest.mark.parametrize("transport", ["streamable", "sse", "modern"])
def test_clients_without_elicitation_follow_the_fallback(cluster, servers, api, transport):
    allow, deny = servers("allow"), servers("deny")
    need_pods_delete(allow)
    # deny: refused with a message that names the rule and how to change it; no API request.
    pod = a_pod(api)
    api.clear()
    text, error, _ = call(deny, transport, "pods_delete", {"name": pod, "namespace": "shop"})
    assert error, text
    assert "--confirm-fallback deny" in text and "--confirm-fallback allow" in text, text
    assert api.deletes() == []
    # allow (the default): the call runs without asking.
    text, error, _ = call(allow, transport, "pods_delete", {"name": pod, "namespace": "shop"})
    assert not error, text
    assert f"/api/v1/namespaces/shop/pods/{pod}" in api.deletes()


def test_stateless_mode_cannot_ask_and_falls_back(cluster, servers, api):
    server = servers("stateless-deny")
    need_pods_delete(server)
    pod = a_pod(api)
    api.clear()
    answers = Answers("accept")
    text, error, _ = call(server, "streamable", "pods_delete", {"name": pod, "namespace": "shop"}, answers)
    assert error and "stateless mode" in text and "--confirm-fallback" in text, text
    assert answers.asked == [] and api.deletes() == []


def test_kubectl_asks_only_for_commands_that_write(servers, api):
    """kubectl is one tool for reads and writes: `get` runs without a question, `delete` is asked about."""
    server = servers("deny")
    if "kubectl" not in tool_names(server):
        pytest.skip("kubectl is not on PATH")
    answers = Answers("decline")
    text, error, _ = call(server, "streamable", "kubectl", {"args": ["get", "pods", "-n", "shop"]}, answers)
    assert not error and "frontend-" in text, text
    assert answers.asked == []
    pod = a_pod(api)
    api.clear()
    text, error, _ = call(server, "streamable", "kubectl", {"args": ["delete", "pod", pod, "-n", "shop"]}, answers)
    assert error and "not confirmed" in text, text
    assert len(answers.asked) == 1 and "kubectl" in answers.asked[0]["message"], answers.asked
    assert api.deletes() == []


@pytest.mark.parametrize("transport", ["streamable", "sse", "modern"])
def test_read_tools_are_never_confirmed(servers, transport):
    """Runs on every build: confirmation is wired in, but only destructive tools ask."""
    answers = Answers("decline")
    text, error, _ = call(servers("deny"), transport, "namespaces_list", {}, answers)
    assert not error, text
    assert "shop" in text
    assert answers.asked == []


def test_modern_round_trip_over_raw_http(cluster, servers, api):
    """The 2026-07-28 wire format itself: input_required, then retries with a tampered state, with other
    arguments, without the answer, and the real one — which works once only."""
    server = servers("allow")
    need_pods_delete(server)
    pod = a_pod(api)
    api.clear()
    meta = modern_meta()
    meta["io.modelcontextprotocol/clientCapabilities"] = {"elicitation": {"form": {}}}
    headers = modern_headers("tools/call", "pods_delete")

    def post(i: int, arguments: dict, **extra) -> dict:
        r = mcp_post(server.port, rpc(i, "tools/call", {"name": "pods_delete", "arguments": arguments,
                                                        "_meta": meta, **extra}), headers=headers)
        assert r.status == 200, r
        return r.message()["result"]

    args = {"name": pod, "namespace": "shop"}
    first = post(1, args)
    assert first["resultType"] == "input_required"
    request = first["inputRequests"]["confirm"]
    assert request["method"] == "elicitation/create"
    assert request["params"]["mode"] == "form"
    assert pod in request["params"]["message"]
    state = first["requestState"]
    yes = {"confirm": {"action": "accept", "content": {"confirm": True}}}

    tampered = state[:-2] + ("AA" if not state.endswith("AA") else "BB")
    r = post(2, args, inputResponses=yes, requestState=tampered)
    assert r["isError"] and "not one this server issued" in r["content"][0]["text"]
    r = post(3, {"name": "other-pod", "namespace": "shop"}, inputResponses=yes, requestState=state)
    assert r["isError"] and "other arguments" in r["content"][0]["text"]
    assert api.deletes() == []

    # Members in another order are the same arguments.
    r = post(4, {"namespace": "shop", "name": pod}, inputResponses=yes, requestState=state)
    assert r["resultType"] == "complete" and not r["isError"], r
    assert f"/api/v1/namespaces/shop/pods/{pod}" in api.deletes()
    r = post(5, args, inputResponses=yes, requestState=state)
    assert r["isError"] and "already answered" in r["content"][0]["text"]

    # Without elicitation in the request's capabilities the fallback applies (allow: runs, no question).
    meta["io.modelcontextprotocol/clientCapabilities"] = {}
    r = post(6, {"name": "no-such-pod", "namespace": "shop"})
    assert r["resultType"] == "complete"
    assert "not confirmed" not in r["content"][0]["text"]


def test_modern_state_is_bound_to_the_bearer_token(cluster, api, tmp_path):
    """A requestState issued to one bearer token cannot confirm a call made with another."""
    alice, bob = "alice-token-6f1d2c9a8b7e", "bob-token-0e9d8c7b6a5f"
    tokens = tmp_path / "tokens"
    tokens.write_text(f"{alice}\n{bob}\n")
    server = Server(args=["--log-level", "debug", *CONFIRM, "--auth-token-file", str(tokens)],
                    kubeconfig=cluster.kubeconfig).start()
    try:
        assert "pods_delete" in tool_names_with_token(server, alice)
        pod = a_pod(api)
        api.clear()
        meta = modern_meta()
        meta["io.modelcontextprotocol/clientCapabilities"] = {"elicitation": {"form": {}}}
        args = {"name": pod, "namespace": "shop"}

        def post(i: int, token: str, **extra) -> dict:
            headers = {**modern_headers("tools/call", "pods_delete"), "Authorization": f"Bearer {token}"}
            r = mcp_post(server.port, rpc(i, "tools/call", {"name": "pods_delete", "arguments": args, "_meta": meta,
                                                            **extra}), headers=headers)
            assert r.status == 200, r
            return r.message()["result"]

        state = post(1, alice)["requestState"]
        yes = {"confirm": {"action": "accept", "content": {"confirm": True}}}
        r = post(2, bob, inputResponses=yes, requestState=state)
        assert r["isError"] and "another caller" in r["content"][0]["text"], r
        assert api.deletes() == []
        r = post(3, alice, inputResponses=yes, requestState=state)
        assert not r["isError"], r
        assert f"/api/v1/namespaces/shop/pods/{pod}" in api.deletes()
        server.check_clean_exit(extra_secrets=(alice, bob))
    finally:
        server.kill()


def tool_names_with_token(server: Server, token: str) -> set[str]:
    r = http(server.port, "POST", "/mcp/tools/list",
             {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}, {})
    assert r.status == 200, r
    return {t["name"] for t in r.json()["tools"]}


# ---------------------------------------------------------------------------------------------------------------
# Rate limit


@pytest.mark.parametrize("transport", ["streamable", "sse", "stdio", "modern"])
def test_third_quick_call_is_refused_by_the_rate_limit(cluster, servers, transport):
    server = servers("rate")
    extra = ("--tool-rate-limit", "1", "--tool-rate-burst", "2")

    async def run():
        async with _client(server, transport, None, cluster, extra) as client:
            results = []
            for _ in range(3):
                r = await client.call_tool("namespaces_list", {})
                results.append((r.is_error, "\n".join(getattr(b, "text", "") for b in r.content)))
            return results

    if transport == "modern":
        time.sleep(2.1)  # sessionless requests share one bucket: let it fill up again
    results = asyncio.run(asyncio.wait_for(run(), 60))
    assert [e for e, _ in results[:2]] == [False, False], results
    error, text = results[2]
    assert error, text
    assert text.startswith("rate limit: at most 1 tool calls per second per session"), text
    assert "--tool-rate-limit" in text and "retry in" in text
    if transport == "modern":
        assert "sessionless requests share one server-wide budget" in text
