"""Validate real server answers against the official MCP JSON schemas (copied into Tests/e2e/schema/).

For every handshake revision: InitializeResult, ListToolsResult, CallToolResult (both tools) and the JSON-RPC
envelopes, plus a JSON-RPC error. For 2026-07-28: DiscoverResult, ListToolsResult, CallToolResult and the
error envelope on the modern path. Also: each tool's outputSchema is a valid schema and its structuredContent
conforms to it.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

import jsonschema
import pytest
from jsonschema.validators import validator_for

from e2e_util import HANDSHAKE_VERSIONS, MODERN_VERSION, http, initialize, mcp_post, modern_headers, modern_meta, rpc

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
ALL_REVISIONS = (*HANDSHAKE_VERSIONS, MODERN_VERSION)


@lru_cache(maxsize=None)
def schema_doc(rev: str) -> dict:
    return json.loads((SCHEMA_DIR / rev / "schema.json").read_text())


def defs_key(doc: dict) -> str:
    return "$defs" if "$defs" in doc else "definitions"


def validate(rev: str, definition: str, instance) -> None:
    """Validate `instance` against `#/<defs>/<definition>` of revision `rev`, refs resolved in-document."""
    doc = schema_doc(rev)
    key = defs_key(doc)
    assert definition in doc[key], f"{definition} not in the {rev} schema"
    schema = {**doc, "$ref": f"#/{key}/{definition}"}
    cls = validator_for(doc)
    errors = sorted(cls(schema).iter_errors(instance), key=lambda e: list(e.absolute_path))
    if errors:
        msgs = "\n".join(f"- at {'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:300]}"
                         for e in errors[:10])
        raise AssertionError(f"{rev} {definition} validation failed:\n{msgs}\ninstance: {json.dumps(instance)[:1500]}")


def result_envelope(rev: str) -> str:
    return "JSONRPCResultResponse" if rev >= "2025-11-25" else "JSONRPCResponse"


def error_envelope(rev: str) -> str:
    return "JSONRPCErrorResponse" if rev >= "2025-11-25" else "JSONRPCError"


def test_schema_copies_match_readme_checksums():
    readme = (SCHEMA_DIR / "README.md").read_text()
    listed = dict((path, digest) for digest, path in re.findall(r"^([0-9a-f]{64})  (\S+)$", readme, re.M))
    assert set(listed) == {f"{rev}/schema.json" for rev in ALL_REVISIONS}, listed
    for path, digest in listed.items():
        assert hashlib.sha256((SCHEMA_DIR / path).read_bytes()).hexdigest() == digest, f"{path} was modified"


@pytest.mark.parametrize("rev", ALL_REVISIONS)
def test_schema_files_are_valid_schemas(rev):
    doc = schema_doc(rev)
    validator_for(doc).check_schema(doc)


@pytest.mark.parametrize("rev", HANDSHAKE_VERSIONS)
def test_handshake_revision_responses_match_schema(server, rev):
    r = mcp_post(server.port, rpc(1, "initialize", {"protocolVersion": rev, "capabilities": {},
                                                   "clientInfo": {"name": "schema-test", "version": "0"}}))
    assert r.status == 200, r
    msg = r.message()
    validate(rev, result_envelope(rev), msg)
    validate(rev, "InitializeResult", msg["result"])
    assert msg["result"]["protocolVersion"] == rev
    sid = r.header("mcp-session-id")
    version = rev if rev >= "2025-06-18" else None
    assert mcp_post(server.port, rpc(None, "notifications/initialized"), session=sid, version=version).status == 202

    def call(id_, method, params):
        resp = mcp_post(server.port, rpc(id_, method, params), session=sid, version=version)
        assert resp.status == 200, resp
        return resp.message()

    listed = call(2, "tools/list", {})
    validate(rev, result_envelope(rev), listed)
    validate(rev, "ListToolsResult", listed["result"])
    for i, (name, args) in enumerate([("configuration_contexts_list", {}), ("configuration_view", {}),
                                      ("configuration_view", {"minified": False})], start=3):
        res = call(i, "tools/call", {"name": name, "arguments": args})
        validate(rev, result_envelope(rev), res)
        validate(rev, "CallToolResult", res["result"])
        assert res["result"].get("isError") in (None, False), res
    err = call(9, "nope/unknown", {})
    validate(rev, error_envelope(rev), err)
    assert err["error"]["code"] == -32601


def test_structured_content_matches_output_schema(server):
    sid, _ = initialize(server.port, "2025-11-25")
    r = mcp_post(server.port, rpc(2, "tools/list", {}), session=sid, version="2025-11-25")
    tools = {t["name"]: t for t in r.message()["result"]["tools"]}
    for name, tool in tools.items():
        out_schema = tool.get("outputSchema")
        if out_schema is None:
            continue
        assert out_schema.get("type") == "object", f"{name}: legacy outputSchema must be an object schema"
        cls = validator_for(out_schema, default=jsonschema.Draft202012Validator)
        cls.check_schema(out_schema)
        if name in ("configuration_contexts_list", "configuration_view"):
            res = mcp_post(server.port, rpc(3, "tools/call", {"name": name, "arguments": {}}), session=sid,
                           version="2025-11-25").message()["result"]
            assert "structuredContent" in res, f"{name} declares outputSchema but returned no structuredContent"
            cls(out_schema).validate(res["structuredContent"])


def test_modern_responses_match_schema(server):
    rev = MODERN_VERSION

    def post(id_, method, params, name=None):
        r = http(server.port, "POST", "/mcp", modern_headers(method, name),
                 json.dumps(rpc(id_, method, {**params, "_meta": modern_meta()})))
        return r, r.message()

    r, disc = post(1, "server/discover", {})
    assert r.status == 200, r
    validate(rev, "DiscoverResultResponse", disc)
    validate(rev, "DiscoverResult", disc["result"])
    r, listed = post(2, "tools/list", {})
    assert r.status == 200, r
    validate(rev, result_envelope(rev), listed)
    validate(rev, "ListToolsResult", listed["result"])
    for i, (name, args) in enumerate([("configuration_contexts_list", {}), ("configuration_view", {})], start=3):
        r, res = post(i, "tools/call", {"name": name, "arguments": args}, name=name)
        assert r.status == 200, r
        validate(rev, result_envelope(rev), res)
        validate(rev, "CallToolResult", res["result"])
    r, err = post(9, "nope/unknown", {})
    assert r.status == 404, r
    validate(rev, error_envelope(rev), err)
