#!/usr/bin/env bash
# make demo: a simulated cluster (Tests/FakeCluster, scenario "demo") and kube-mcp wired to it.
#   scripts/demo.sh [PORT]        (PORT defaults to 8080; extra kube-mcp flags via DEMO_ARGS)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PORT="${1:-${PORT:-8080}}"
PY="${PY:-.venv/bin/python}"
BIN="${BIN:-.build/release/kube-mcp}"
DEMO_DIR="$(mktemp -d "${TMPDIR:-/tmp}/kube-mcp-demo.XXXXXX")"
KUBECONFIG_OUT="$DEMO_DIR/kubeconfig"

SERVER_PID=""
FAKE_PID=""
cleanup() {
    [[ -n "$SERVER_PID" ]] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    [[ -n "$FAKE_PID" ]] && kill -TERM "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
    rm -rf "$DEMO_DIR"
    return 0
}
trap cleanup EXIT
trap 'exit 0' INT TERM

"$PY" Tests/FakeCluster/fakecluster.py --listen 127.0.0.1:0 --kubeconfig-out "$KUBECONFIG_OUT" --scenario demo \
    > "$DEMO_DIR/fake-cluster.log" 2>&1 &
FAKE_PID=$!
for _ in $(seq 1 200); do
    [[ -f "$KUBECONFIG_OUT" ]] && break
    kill -0 "$FAKE_PID" 2>/dev/null || { cat "$DEMO_DIR/fake-cluster.log" >&2; exit 1; }
    sleep 0.05
done
[[ -f "$KUBECONFIG_OUT" ]] || { echo "demo: the fake cluster did not start" >&2; exit 1; }

cat <<TEXT

kube-mcp demo: a simulated cluster (namespaces default, shop, monitoring; a crash-looping pod in shop)
  Streamable HTTP  http://127.0.0.1:$PORT/mcp
  Legacy SSE       http://127.0.0.1:$PORT/mcp/sse
  Health           http://127.0.0.1:$PORT/health
  kubectl          kubectl --kubeconfig $KUBECONFIG_OUT get pods -A

Cursor (~/.cursor/mcp.json):
{
  "mcpServers": {
    "kube-mcp-demo": { "url": "http://127.0.0.1:$PORT/mcp" }
  }
}

Press Ctrl-C to stop both.
TEXT

"$BIN" --host 127.0.0.1 --port "$PORT" --kubeconfig "$KUBECONFIG_OUT" ${DEMO_ARGS:-} &
SERVER_PID=$!
wait "$SERVER_PID"
