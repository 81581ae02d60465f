"""The README's tool table is the binary's own `--print-tool-table` output; the README's commands exist."""
import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("KUBE_MCP_BIN", str(ROOT / ".build/release/kube-mcp"))


def test_readme_tool_table_matches_binary():
    out = subprocess.run([BIN, "--print-tool-table"], capture_output=True, text=True, timeout=20, check=True).stdout
    readme = (ROOT / "README.md").read_text()
    m = re.search(r"<!-- tools:begin -->\n(.*?)<!-- tools:end -->", readme, re.S)
    assert m, "README.md lacks the <!-- tools:begin --> ... <!-- tools:end --> markers"
    assert m.group(1) == out, "README tool table is stale: paste the output of `kube-mcp --print-tool-table`"
    assert "configuration_contexts_list" in out and "configuration_view" in out


def test_help_lists_every_documented_flag():
    help_text = subprocess.run([BIN, "--help"], capture_output=True, text=True, timeout=20).stdout
    readme = (ROOT / "README.md").read_text()
    # The kubectl section names kubectl's own flags (the ones the tool refuses), not the server's.
    readme = re.sub(r"\n### kubectl\n.*?\n(?=#)", "\n", readme, flags=re.S)
    documented = set(re.findall(r"`(--[a-z][a-z-]+)", readme))
    missing = sorted(f for f in documented if f not in help_text and f not in ("--print-tool-table", "--help"))
    assert not missing, f"README documents flags that --help does not show: {missing}"
    for env in ("K8S_KUBECONFIG_PATH", "K8S_CONTEXT", "K8S_NAMESPACE", "MCP_HOST", "MCP_PORT", "MCP_DEBUG"):
        assert env in help_text, f"--help does not mention {env}"


def test_readme_tool_table_matches_tools_list(server):
    """The table's rows are exactly what a default server lists (kubectl is on PATH here), in the same order,
    with the same read-only and destructive columns as the annotations."""
    import shutil

    from e2e_util import http

    readme = (ROOT / "README.md").read_text()
    table = re.search(r"<!-- tools:begin -->\n(.*?)<!-- tools:end -->", readme, re.S).group(1)
    rows = [line.split("|") for line in table.splitlines()[2:]]
    documented = [(cells[1].strip().strip("`"), cells[3].strip(), cells[4].strip()) for cells in rows]
    r = http(server.port, "POST", "/mcp/tools/list", {"Content-Type": "application/json"}, {})
    assert r.status == 200, r
    listed = []
    for tool in r.json()["tools"]:
        hints = tool["annotations"]
        destructive = hints["destructiveHint"] and not hints["readOnlyHint"]
        listed.append((tool["name"], "yes" if hints["readOnlyHint"] else "no", "yes" if destructive else "no"))
    if shutil.which("kubectl") is None:
        documented = [row for row in documented if row[0] != "kubectl"]
    assert listed == documented
