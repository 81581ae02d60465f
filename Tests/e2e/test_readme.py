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
    documented = set(re.findall(r"`(--[a-z][a-z-]+)", readme))
    missing = sorted(f for f in documented if f not in help_text and f not in ("--print-tool-table", "--help"))
    assert not missing, f"README documents flags that --help does not show: {missing}"
    for env in ("K8S_KUBECONFIG_PATH", "K8S_CONTEXT", "K8S_NAMESPACE", "MCP_HOST", "MCP_PORT", "MCP_DEBUG"):
        assert env in help_text, f"--help does not mention {env}"
