"""Guard-rail matrix: each mode (--read-only, --disable-destructive, --enabled-tools, --disabled-tools,
--denied-resources v1/Secret, --allowed-namespaces) against the tools the server offers, at listing time and at
call time, through the official mcp 2.x client over /mcp, /mcp/sse and stdio. The fake cluster's request log
proves that a refused call made no API request.

The matrix iterates over what an unrestricted server's tools/list returns, so tools added later (writers,
exec, kubectl) are covered by their annotations without edits here."""

from __future__ import annotations

import asyncio
import subprocess

import pytest

from e2e_util import BINARY, Server, child_env
from fake_cluster import FakeCluster

ALLOWED = ["shop", "monitoring"]
SECRET_VALUES = ("s3cr3t-Passw0rd!", "czNjcjN0LVBhc3N3MHJkIQ==")

# Mode name -> (server flags, environment). disabled-tools is set through its environment variable, the rest by flag.
MODES: dict[str, tuple[list[str], dict[str, str]]] = {
    "read-only": (["--read-only"], {}),
    "disable-destructive": (["--disable-destructive"], {}),
    "enabled-tools": (["--enabled-tools", "pods_list,namespaces_list", "--enabled-tools", "resources_get"], {}),
    "disabled-tools": ([], {"MCP_DISABLED_TOOLS": "pods_log, events_list"}),
    "denied-resources": (["--denied-resources", "v1/Secret"], {}),
    "allowed-namespaces": (["--allowed-namespaces", ",".join(ALLOWED)], {}),
}

# The words every refusal of that mode must contain (the rule's flag).
RULE = {
    "read-only": "--read-only",
    "disable-destructive": "--disable-destructive",
    "enabled-tools": "--enabled-tools",
    "disabled-tools": "--disabled-tools",
    "denied-resources": "--denied-resources",
    "allowed-namespaces": "--allowed-namespaces",
}


def expected_visible(mode: str, tools: dict[str, dict]) -> set[str]:
    """What tools/list must show in `mode`, derived from the unrestricted list and its annotations."""
    def hints(name: str) -> dict:
        return tools[name].get("annotations") or {}

    names = set(tools)
    # kubectl stays offered in these two modes, rebuilt read-only (its read commands only); see test_kubectl_tool.py.
    if mode == "read-only":
        return {n for n in names if hints(n).get("readOnlyHint") is True} | ({"kubectl"} & names)
    if mode == "disable-destructive":
        return {n for n in names if not (hints(n).get("destructiveHint") is True and hints(n).get("readOnlyHint") is not True)} | ({"kubectl"} & names)
    if mode == "enabled-tools":
        return {"pods_list", "namespaces_list", "resources_get"}
    if mode == "disabled-tools":
        return names - {"pods_log", "events_list"}
    # The kubectl tool sends its own requests, which the request policy cannot check: withheld in these modes.
    return names - {"kubectl"}


# ---------------------------------------------------------------------------------------------------------------
# The fake cluster and its request log


class FakeAdmin:
    """The fake's request log, as 'METHOD path' lines."""

    def __init__(self, cluster: FakeCluster) -> None:
        self.cluster = cluster

    def clear_log(self) -> None:
        self.cluster.clear_requests()

    def log(self) -> list[str]:
        """The API requests since the last clear_log, as 'METHOD path'."""
        return [f"{item['method']} {item['path']}" for item in self.cluster.requests()]


def is_discovery(entry: str) -> bool:
    """Discovery requests the server may make while resolving a kind (allowed in every mode)."""
    path = entry.split(" ", 1)[1]
    parts = [p for p in path.split("/") if p]
    return (parts[:1] == ["api"] and len(parts) <= 2) or (parts[:1] == ["apis"] and len(parts) <= 3)


@pytest.fixture(scope="module")
def admin(cluster):
    return FakeAdmin(cluster)


@pytest.fixture(scope="module")
def servers(cluster):
    """One server per mode (and one unrestricted), started on first use and stopped at the end."""
    started: dict[str, Server] = {}

    def get(mode: str) -> Server:
        if mode not in started:
            flags, env = MODES.get(mode, ([], {}))
            started[mode] = Server(args=flags, env=env or None, kubeconfig=cluster.kubeconfig).start()
        return started[mode]

    yield get
    failures = []
    for mode, server in started.items():
        try:
            server.check_clean_exit(extra_secrets=tuple(cluster.secrets()) + SECRET_VALUES)
        except AssertionError as e:  # report every server, not only the first
            failures.append(f"{mode}: {e}")
        finally:
            server.kill()
    assert not failures, "\n".join(failures)


@pytest.fixture(scope="module")
def all_tools(servers) -> dict[str, dict]:
    """The unrestricted server's tools/list, by name (wire JSON)."""
    async def go():
        from mcp import Client
        async with Client(f"{servers('unrestricted').base}/mcp") as client:
            return {t.name: t.model_dump(by_alias=True, mode="json", exclude_none=True)
                    for t in (await client.list_tools()).tools}
    return run(go())


# ---------------------------------------------------------------------------------------------------------------
# Clients


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 90))


def client_for(server: Server, transport: str, cluster: FakeCluster | None = None, extra: list[str] | None = None):
    from mcp import Client, StdioServerParameters
    from mcp.client.sse import sse_client

    if transport == "streamable":
        return Client(f"{server.base}/mcp")
    if transport == "sse":
        return Client(sse_client(f"{server.base}/mcp/sse"), mode="legacy")
    assert cluster is not None
    return Client(StdioServerParameters(command=str(BINARY), args=["--stdio", "--kubeconfig", str(cluster.kubeconfig),
                                                                    *(extra or [])], env=child_env()))


def result_text(result) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


async def listed_and_calls(client, calls: list[tuple[str, dict]]) -> tuple[set[str], list[tuple[str, bool]]]:
    names = {t.name for t in (await client.list_tools()).tools}
    answers = []
    for name, arguments in calls:
        result = await client.call_tool(name, arguments)
        answers.append((result_text(result), bool(result.is_error)))
    return names, answers


# ---------------------------------------------------------------------------------------------------------------
# The matrix: listing and calling hidden tools


@pytest.mark.parametrize("transport", ["streamable", "sse"])
@pytest.mark.parametrize("mode", list(MODES))
def test_hidden_tools_are_not_listed_and_refused_without_api_requests(mode, transport, servers, all_tools, admin):
    server = servers(mode)
    visible = expected_visible(mode, all_tools)
    hidden = sorted(set(all_tools) - visible)

    async def go():
        async with client_for(server, transport) as client:
            admin.clear_log()
            result = await listed_and_calls(client, [(name, {}) for name in hidden])
            return result, admin.log()

    (listed, answers), log = run(go())
    assert listed == visible, f"{mode}: listed {sorted(listed)}, expected {sorted(visible)}"
    for name, (text, is_error) in zip(hidden, answers):
        assert is_error, f"{mode}: hidden tool {name} was not refused: {text}"
        assert f'tool "{name}" is disabled' in text and RULE[mode] in text, f"{mode}/{name}: {text}"
        assert "restart" in text, f"{mode}/{name}: the refusal does not say how to change the rule: {text}"
    assert log == [], f"{mode}: refused calls reached the API server: {log}"


def test_every_writer_is_hidden_in_read_only_mode(all_tools, servers):
    """Holds for whatever writers exist: every tool not annotated readOnly is absent."""
    async def go():
        async with client_for(servers("read-only"), "streamable") as client:
            return {t.name: t for t in (await client.list_tools()).tools}
    listed = run(go())
    for name, tool in all_tools.items():
        if (tool.get("annotations") or {}).get("readOnlyHint") is not True and name != "kubectl":
            assert name not in listed, f"{name} is listed in read-only mode"
    for tool in listed.values():
        assert tool.annotations is not None and tool.annotations.read_only_hint is True, tool


def test_read_only_over_stdio(cluster, admin, all_tools):
    visible = expected_visible("read-only", all_tools)
    hidden = sorted(set(all_tools) - visible)

    async def go():
        async with client_for(None, "stdio", cluster, ["--read-only"]) as client:
            admin.clear_log()
            listed, answers = await listed_and_calls(client, [(name, {}) for name in hidden])
            refused_log = admin.log()
            pods = await client.call_tool("pods_list_in_namespace", {"namespace": "shop"})
            return listed, answers, refused_log, pods

    listed, answers, refused_log, pods = run(go())
    assert listed == visible
    for name, (text, is_error) in zip(hidden, answers):
        assert is_error and "--read-only" in text, f"{name}: {text}"
    assert refused_log == []
    assert not pods.is_error and "frontend-" in result_text(pods), result_text(pods)


@pytest.mark.parametrize("transport", ["streamable", "sse"])
def test_read_tools_still_work_in_read_only_mode(transport, servers):
    async def go():
        async with client_for(servers("read-only"), transport) as client:
            return await client.call_tool("pods_list_in_namespace", {"namespace": "shop"})
    result = run(go())
    assert not result.is_error and "frontend-" in result_text(result)


# ---------------------------------------------------------------------------------------------------------------
# --denied-resources v1/Secret: every spelling is refused and no request for secrets reaches the cluster

SECRET_SPELLINGS = [
    ("v1", "Secret", True), ("v1", "secret", True), ("v1", "SECRET", True), ("v1", "secrets", True),
    ("v1", "v1/Secret", False), ("core/v1", "Secret", True), ("/v1", "Secret", False),
]


def denied_calls() -> list[tuple[str, dict, bool]]:
    calls = []
    for api_version, kind, resolves in SECRET_SPELLINGS:
        base = {"apiVersion": api_version, "kind": kind}
        calls.append(("resources_get", {**base, "name": "shop-db-credentials", "namespace": "shop"}, resolves))
        calls.append(("resources_list", {**base, "namespace": "shop"}, resolves))
        calls.append(("resources_list", base, resolves))
    return calls


def check_denied(answers: list[tuple[str, bool]], calls: list[tuple[str, dict, bool]], log: list[str]) -> None:
    for (name, arguments, resolves), (text, is_error) in zip(calls, answers):
        assert is_error, f"{name} {arguments} was not refused: {text[:300]}"
        if resolves:
            assert "refused by --denied-resources" in text and "v1/Secret" in text, f"{name} {arguments}: {text}"
        for value in SECRET_VALUES + ("shop-db-credentials\n",):
            assert value not in text, f"{name} {arguments} leaked {value!r}"
    assert not [e for e in log if "secret" in e.lower()], f"requests for secrets reached the cluster: {log}"
    assert all(is_discovery(e) for e in log), f"only discovery may reach the cluster: {log}"


@pytest.mark.parametrize("transport", ["streamable", "sse"])
def test_denied_secrets_are_refused_in_every_spelling(transport, servers, admin):
    calls = denied_calls()

    async def go():
        async with client_for(servers("denied-resources"), transport) as client:
            await client.call_tool("api_resources", {})  # discovery fetched before the log is cleared
            admin.clear_log()
            _, answers = await listed_and_calls(client, [(n, a) for n, a, _ in calls])
            log = admin.log()
            configmaps = await client.call_tool("resources_list", {"apiVersion": "v1", "kind": "ConfigMap",
                                                                   "namespace": "shop"})
            return answers, log, configmaps

    answers, log, configmaps = run(go())
    check_denied(answers, calls, log)
    assert not configmaps.is_error and "shop-config" in result_text(configmaps), result_text(configmaps)


def test_denied_secrets_over_stdio(cluster, admin):
    calls = denied_calls()

    async def go():
        async with client_for(None, "stdio", cluster, ["--denied-resources", "/v1/Secret"]) as client:
            listed = {t.name for t in (await client.list_tools()).tools}
            await client.call_tool("api_resources", {})
            admin.clear_log()
            _, answers = await listed_and_calls(client, [(n, a) for n, a, _ in calls])
            return listed, answers, admin.log()

    listed, answers, log = run(go())
    assert "resources_get" in listed and "kubectl" not in listed
    check_denied(answers, calls, log)


# ---------------------------------------------------------------------------------------------------------------
# --allowed-namespaces shop,monitoring: narrowing and refusals


def test_allowed_namespaces_narrow_lists_and_refuse_other_namespaces(servers, admin):
    async def go():
        async with client_for(servers("allowed-namespaces"), "streamable") as client:
            await client.call_tool("api_resources", {})
            admin.clear_log()
            out = {}
            for key, name, arguments in [
                ("pods", "pods_list", {}),
                ("namespaces", "namespaces_list", {}),
                ("events", "events_list", {}),
                ("resources", "resources_list", {"apiVersion": "apps/v1", "kind": "Deployment"}),
                ("paged", "pods_list", {"limit": 2}),
            ]:
                result = await client.call_tool(name, arguments)
                out[key] = (result_text(result), bool(result.is_error), result.structured_content)
            narrowed_log = admin.log()
            admin.clear_log()
            refused = []
            for name, arguments in [
                ("pods_get", {"name": "coredns", "namespace": "kube-system"}),
                ("pods_list_in_namespace", {"namespace": "default"}),
                ("pods_log", {"name": "coredns", "namespace": "kube-system"}),
                ("resources_get", {"apiVersion": "v1", "kind": "Namespace", "name": "kube-system"}),
                ("resources_list", {"apiVersion": "v1", "kind": "ConfigMap", "namespace": "kube-system"}),
                ("events_list", {"namespace": "default"}),
            ]:
                result = await client.call_tool(name, arguments)
                refused.append((name, result_text(result), bool(result.is_error)))
            return out, narrowed_log, refused, admin.log()

    out, narrowed_log, refused, refused_log = run(go())
    pods, error, _ = out["pods"]
    assert not error, pods
    assert "frontend-" in pods and "prometheus-" in pods, pods
    assert "coredns" not in pods and "kube-system" not in pods, pods
    namespaces, error, _ = out["namespaces"]
    assert not error and "shop" in namespaces and "monitoring" in namespaces, namespaces
    for other in ("default", "kube-system", "kube-public"):
        assert other not in namespaces, namespaces
    events, error, _ = out["events"]
    assert not error and "kube-system" not in events, events
    deployments, error, _ = out["resources"]
    assert not error and "frontend" in deployments and "coredns" not in deployments, deployments
    paged, error, structured = out["paged"]
    assert not error, paged
    assert "continue" in paged, f"a narrowed page must offer the next page: {paged}"
    # Only per-namespace requests in the allowed namespaces, and the namespace list.
    for entry in narrowed_log:
        path = entry.split(" ", 1)[1]
        assert entry.startswith("GET "), entry
        assert path == "/api/v1/namespaces" or any(f"/namespaces/{ns}/" in path for ns in ALLOWED), entry
    for name, text, is_error in refused:
        assert is_error and "refused by --allowed-namespaces" in text, f"{name}: {text}"
    assert refused_log == [], f"refused calls reached the API server: {refused_log}"


def test_narrowed_pages_cover_every_pod_once(servers):
    """Paging a narrowed cluster-wide list (limit + continue) walks every allowed namespace exactly once."""
    async def go():
        from mcp import Client
        async with Client(f"{servers('allowed-namespaces').base}/mcp") as client:
            everything = await client.call_tool("resources_list", {"apiVersion": "v1", "kind": "Pod"})
            pages, token = [], None
            for _ in range(30):
                arguments = {"apiVersion": "v1", "kind": "Pod", "limit": 2}
                if token:
                    arguments["continue"] = token
                result = await client.call_tool("resources_list", arguments)
                assert not result.is_error, result_text(result)
                pages.append(result.content[0].text)  # the table; notes follow in later blocks
                token = next((line.split("continue: ", 1)[1].strip() for line in result_text(result).splitlines()
                              if "continue: " in line), None)
                if not token:
                    break
            return everything.content[0].text, pages

    everything, pages = run(go())
    def pod_names(text: str) -> list[str]:
        """NAME cells of a table with or without its NAMESPACE column (shown only when namespaces differ)."""
        lines = [line.split() for line in text.splitlines() if line.strip()]
        if not lines or lines[0][0] not in ("NAME", "NAMESPACE"):
            return []
        column = 1 if lines[0][0] == "NAMESPACE" else 0
        return [cells[column] for cells in lines[1:] if len(cells) > column]
    all_names = pod_names(everything)
    paged_names = [name for page in pages for name in pod_names(page)]
    assert len(all_names) >= 4, everything
    assert sorted(paged_names) == sorted(all_names), (all_names, paged_names)


# ---------------------------------------------------------------------------------------------------------------
# Startup validation


@pytest.mark.parametrize("args,expected", [
    (["--enabled-tools", "pods_list,no_such_tool"], ['"no_such_tool"', "pods_list", "namespaces_list"]),
    (["--disabled-tools", "nope"], ['"nope"', "the tools are"]),
    (["--denied-resources", "apps/Deployment"], ["--denied-resources", "apps/v1/Deployment"]),
    (["--denied-resources", "Secret"], ["--denied-resources", "group/version/kind"]),
    (["--allowed-namespaces", "Bad_Name"], ["--allowed-namespaces", "namespace name"]),
])
def test_bad_guard_rail_values_stop_the_server_at_startup(args, expected):
    proc = subprocess.run([str(BINARY), "--stdio", *args], stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=30, env=child_env())
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    message = proc.stderr.decode()
    for word in expected:
        assert word in message, message


# ---------------------------------------------------------------------------------------------------------------
# The REST seed endpoints go through the same restrictions


@pytest.mark.parametrize("mode", ["enabled-tools", "disabled-tools", "read-only", "disable-destructive"])
def test_rest_endpoints_apply_the_same_restrictions(mode, servers, all_tools, admin):
    from e2e_util import http

    server = servers(mode)
    visible = expected_visible(mode, all_tools)
    listed = http(server.port, "POST", "/mcp/tools/list", {"Content-Type": "application/json"}, "{}").json()["tools"]
    assert {t["name"] for t in listed} == visible
    admin.clear_log()
    for name in sorted(set(all_tools) - visible):
        r = http(server.port, "POST", "/mcp/tools/call", {"Content-Type": "application/json"},
                 {"name": name, "arguments": {}})
        doc = r.json()
        assert r.status == 200 and doc.get("isError") is True, (name, r.status, doc)
        assert RULE[mode] in doc["content"][0]["text"], doc
    assert admin.log() == []
