#!/usr/bin/env bash
# Build kube-mcp if needed and start it. Configuration comes from the environment (the server reads the same
# variables itself; this script only fills in defaults and passes extra arguments through):
#
#   MCP_HOST (127.0.0.1)  MCP_PORT (8080)  MCP_DEBUG=1  MCP_AUTH_TOKEN_FILE  K8S_KUBECONFIG_PATH  K8S_CONTEXT
#   K8S_NAMESPACE  MCP_READ_ONLY  KUBE_MCP_BUILD=always|never|auto (auto: build when the binary is missing or
#   older than a source file)
#
#   ./start_server.sh                      # 127.0.0.1:8080, current kubeconfig
#   MCP_PORT=9090 ./start_server.sh --read-only
#   ./start_server.sh --stdio              # for a Cursor/Claude "command" entry
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

command -v swift >/dev/null 2>&1 || export PATH="/opt/swift/usr/bin:$PATH"
BIN=".build/release/kube-mcp"
BUILD="${KUBE_MCP_BUILD:-auto}"

needs_build() {
    [[ ! -x "$BIN" ]] && return 0
    [[ -n "$(find Sources Package.swift -newer "$BIN" -type f -print -quit 2>/dev/null)" ]]
}

if [[ "$BUILD" == "always" ]] || { [[ "$BUILD" == "auto" ]] && needs_build; }; then
    echo "start_server.sh: building release binary..." >&2
    swift build -c release >&2
fi
[[ -x "$BIN" ]] || { echo "start_server.sh: $BIN missing (KUBE_MCP_BUILD=never?)" >&2; exit 1; }

export MCP_HOST="${MCP_HOST:-127.0.0.1}"
export MCP_PORT="${MCP_PORT:-8080}"
exec "$BIN" "$@"
