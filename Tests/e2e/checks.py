"""Assertions on MCP results, shared by every client test (results are given in wire JSON form).

They are plain functions over dicts so that the v1 client scripts (another venv, another process) can dump
their results as JSON and have them checked here with exactly the same rules.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from e2e_util import TOOL_NAMES, V1_PYTHON, assert_no_secrets


def dump(model: Any) -> Any:
    """A pydantic model (mcp 1.x/2.x, fastmcp) as wire JSON (camelCase aliases, no None fields)."""
    if isinstance(model, list):
        return [dump(m) for m in model]
    if hasattr(model, "model_dump"):
        return model.model_dump(by_alias=True, mode="json", exclude_none=True)
    return model


def text_of(result: dict) -> str:
    return "\n".join(block.get("text", "") for block in result.get("content", []) if block.get("type") == "text")


def check_tools(tools: list[dict]) -> None:
    by_name = {t["name"]: t for t in tools}
    for name in TOOL_NAMES:
        assert name in by_name, f"tool {name} missing from tools/list: {sorted(by_name)}"
        tool = by_name[name]
        assert tool.get("annotations", {}).get("readOnlyHint") is True, f"{name} lacks readOnlyHint: true: {tool!r}"
        assert tool.get("inputSchema", {}).get("type") == "object", f"{name} inputSchema is not an object schema"
        assert tool.get("description"), f"{name} has no description"
    assert "outputSchema" in by_name["configuration_contexts_list"], "configuration_contexts_list lacks outputSchema"
    props = by_name["configuration_view"]["inputSchema"].get("properties", {})
    assert props.get("minified", {}).get("type") == "boolean", f"configuration_view minified arg: {props!r}"


def check_contexts_result(result: dict, expect_current: str = "kind-dev") -> None:
    assert not result.get("isError"), f"configuration_contexts_list failed: {result!r}"
    text = text_of(result)
    for word in ("kind-dev", "prod", "CURRENT", "NAME", "CLUSTER", "SERVER", "USER", "NAMESPACE"):
        assert word in text, f"{word!r} missing from the contexts table:\n{text}"
    assert "https://prod.example:6443" in text, text
    sc = result.get("structuredContent")
    assert isinstance(sc, dict), f"no structuredContent: {result!r}"
    assert sc.get("currentContext") == expect_current, sc
    contexts = {c["name"]: c for c in sc["contexts"]}
    assert set(contexts) == {"kind-dev", "prod"}, contexts
    for c in contexts.values():
        assert set(c) >= {"name", "cluster", "server", "user", "namespace", "current"}, c
    assert contexts["kind-dev"]["current"] is (expect_current == "kind-dev")
    assert contexts["prod"]["current"] is (expect_current == "prod")
    assert contexts["kind-dev"]["namespace"] == "dev"
    assert contexts["kind-dev"]["cluster"] == "kind-dev"
    assert contexts["kind-dev"]["user"] == "kind-dev-admin"
    assert contexts["prod"]["server"] == "https://prod.example:6443"
    assert contexts["prod"]["user"] == "prod-admin"
    assert_no_secrets(json.dumps(result), "configuration_contexts_list result")


CLUSTER_SERVERS = {"kind-dev": "https://127.0.0.1:6443", "prod": "https://prod.example:6443"}
CONTEXT_USERS = {"kind-dev": "kind-dev-admin", "prod": "prod-admin"}


def check_view_result(result: dict, minified: bool = True, context: str = "kind-dev") -> None:
    """configuration_view: valid kubeconfig YAML, minified to the context in use by default, credentials redacted."""
    import yaml

    assert not result.get("isError"), f"configuration_view failed: {result!r}"
    text = text_of(result)
    assert_no_secrets(json.dumps(result), "configuration_view result")
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise AssertionError(f"configuration_view is not valid YAML ({e}):\n{text}") from e
    assert isinstance(doc, dict), text
    contexts = {c["name"]: c["context"] for c in doc.get("contexts") or []}
    clusters = {c["name"]: c["cluster"] for c in doc.get("clusters") or []}
    users = {u["name"]: u.get("user") or {} for u in doc.get("users") or []}
    if minified:
        assert set(contexts) == {context}, f"minified view must hold only {context!r}:\n{text}"
        assert set(clusters) == {context}, text
        assert set(users) == {CONTEXT_USERS[context]}, text
        assert doc.get("current-context") == context, text
    else:
        assert set(contexts) == {"kind-dev", "prod"}, text
        assert set(clusters) == {"kind-dev", "prod"} and set(users) == set(CONTEXT_USERS.values()), text
        assert doc.get("current-context") == "kind-dev", text
    for name, cluster in clusters.items():
        assert cluster.get("server") == CLUSTER_SERVERS[name], text
    assert contexts.get("kind-dev", {}).get("namespace", "dev") == "dev", text
    # credentials keep their keys (so the shape is visible) but not their values
    if "prod-admin" in users:
        assert "token" in users["prod-admin"], text
    if "kind-dev-admin" in users:
        assert {"client-certificate-data", "client-key-data"} <= set(users["kind-dev-admin"]), text


# --- 1.x clients, run in .venv-v1 through v1_clients.py ----------------------------------------------------

SCRIPT = Path(__file__).resolve().parent / "v1_clients.py"


def run_v1(scenario: str, target: str, opts: dict | None = None, timeout: float = 60) -> dict:
    assert V1_PYTHON.exists(), f"{V1_PYTHON} missing: run `make deps`"
    cmd = [str(V1_PYTHON), str(SCRIPT), scenario, target] + ([json.dumps(opts)] if opts else [])
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    lines = [line for line in p.stdout.splitlines() if line.strip()]
    assert lines, f"{scenario}: no report (rc={p.returncode}); stderr:\n{p.stderr[-3000:]}"
    report = json.loads(lines[-1])
    assert report["ok"], f"{scenario} failed: {report['error']}\n{report.get('traceback', '')}\n" \
                         f"stderr:\n{p.stderr[-3000:]}"
    assert p.returncode == 0
    assert_no_secrets(p.stderr, f"{scenario} client/bridge/server stderr")
    return report


def check_report(report: dict, version: str = "2025-11-25") -> None:
    assert report["protocolVersion"] == version, report["protocolVersion"]
    assert report["serverName"] == "kube-mcp"
    check_tools(report["tools"])
    check_contexts_result(report["contexts"])
    check_view_result(report["view"], minified=True)
    check_view_result(report["view_full"], minified=False)
