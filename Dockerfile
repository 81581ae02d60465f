# syntax=docker/dockerfile:1
# kube-mcp container image.
#
#   docker build -t kube-mcp .
#   docker run --rm -p 8080:8080 \
#     -v ~/.kube/config:/home/kubemcp/.kube/config:ro \
#     -v "$PWD/tokens.txt:/run/secrets/kube-mcp-tokens:ro" \
#     kube-mcp
#
# Inside a container the server must listen on 0.0.0.0, which is not loopback, so it refuses to start
# without bearer tokens. The image therefore REQUIRES a token file: mount one (one token per line) at
# $MCP_AUTH_TOKEN_FILE (default /run/secrets/kube-mcp-tokens). Clients send `Authorization: Bearer <token>`.
# To run without tokens (only behind a cluster NetworkPolicy or a sidecar proxy that authenticates), override
# the token variable and the command explicitly (an empty MCP_AUTH_TOKEN_FILE counts as unset):
#   docker run -e MCP_AUTH_TOKEN_FILE= ... kube-mcp --host 0.0.0.0 --port 8080 --allow-unauthenticated

# ---- build stage ---------------------------------------------------------------------------------------------
FROM swift:6.3-bookworm AS builder
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libuv1-dev libcurl4-openssl-dev libhttp-parser-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Tests/ is copied because Package.swift declares the test target (SwiftPM checks every target's folder).
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/kube-mcp" /out/kube-mcp

# ---- runtime stage -------------------------------------------------------------------------------------------
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libuv1 libcurl4 libhttp-parser2.9 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 kubemcp \
 && useradd --system --uid 10001 --gid kubemcp --home-dir /home/kubemcp --create-home --shell /usr/sbin/nologin kubemcp \
 && mkdir -p /home/kubemcp/.kube && chown -R kubemcp:kubemcp /home/kubemcp
COPY --from=builder /out/kube-mcp /usr/local/bin/kube-mcp
USER 10001:10001
WORKDIR /home/kubemcp
ENV MCP_HOST=0.0.0.0 \
    MCP_PORT=8080 \
    MCP_AUTH_TOKEN_FILE=/run/secrets/kube-mcp-tokens \
    K8S_KUBECONFIG_PATH=/home/kubemcp/.kube/config
EXPOSE 8080
# /health needs no token; curl is installed in this stage for exactly this probe.
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${MCP_PORT}/health" >/dev/null || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["kube-mcp"]
CMD ["--host", "0.0.0.0", "--port", "8080"]
