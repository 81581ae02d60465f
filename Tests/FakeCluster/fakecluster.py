#!/usr/bin/env python3
"""kube-mcp's fake Kubernetes API server.

    fakecluster.py --listen 127.0.0.1:PORT --kubeconfig-out FILE [--scenario demo|bench|empty] [--pods N]
                   [--tokens-file FILE] [--watch-window N] [--continue-window N] [--bookmark-interval S]
                   [--crashloop-interval S]

Runs in the foreground. It is READY exactly when FILE exists: the kubeconfig (inline CA, client certificate
and key; contexts ``fake`` (current, client certificate) and ``fake-token`` (bearer token)) is written
atomically after the listener is up and the scenario has settled. Port 0 picks a free port; the kubeconfig
holds the real one. SIGTERM/SIGINT stop it cleanly (exit 0) and remove FILE.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import secrets
import signal
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import yaml  # noqa: E402
from aiohttp import web  # noqa: E402

import scenarios  # noqa: E402
from certs import ClusterPKI, generate_pki, server_ssl_context  # noqa: E402
from controller import BEHAVIOR_ANNOTATION  # noqa: E402
from server import FakeAPIServer  # noqa: E402


def kubeconfig(pki: ClusterPKI, server_url: str, token: str) -> dict:
    """The kubeconfig document for this run."""
    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "fake", "cluster": {"server": server_url,
                                                  "certificate-authority-data": b64(pki.ca.cert_pem)}}],
        "users": [{"name": "fake-admin", "user": {"client-certificate-data": b64(pki.client.cert_pem),
                                                  "client-key-data": b64(pki.client.key_pem)}},
                  {"name": "fake-token", "user": {"token": token}}],
        "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "fake-admin", "namespace": "default"}},
                     {"name": "fake-token", "context": {"cluster": "fake", "user": "fake-token",
                                                        "namespace": "default"}}],
        "current-context": "fake",
        "preferences": {},
    }


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file in the same directory plus rename (mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=str(path.parent))
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description="Fake Kubernetes API server for kube-mcp tests.")
    p.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT (port 0 = pick a free port)")
    p.add_argument("--kubeconfig-out", required=True, help="kubeconfig to write once ready")
    p.add_argument("--scenario", choices=scenarios.SCENARIOS, default="demo")
    p.add_argument("--pods", type=int, default=1000, help="pods in the bench scenario")
    p.add_argument("--tokens-file", help="extra accepted bearer tokens, one per line (re-read on every request)")
    p.add_argument("--watch-window", type=int, default=20000,
                   help="events kept for watches; older resourceVersions get 410 Expired")
    p.add_argument("--continue-window", type=int, default=100000,
                   help="continue tokens older than this many resourceVersions get 410 Expired")
    p.add_argument("--bookmark-interval", type=float, default=1.0, help="seconds between watch BOOKMARKs")
    p.add_argument("--crashloop-interval", type=float, default=10.0, help="seconds between crash-loop restarts")
    return p.parse_args(argv)


async def main_async(args: argparse.Namespace) -> int:
    """Start, become READY, serve until signalled."""
    host, _, port_s = args.listen.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    pki = generate_pki()
    token = secrets.token_urlsafe(32)
    api = FakeAPIServer(pki, token, tokens_file=args.tokens_file, watch_window=args.watch_window,
                        continue_window=args.continue_window, bookmark_interval=args.bookmark_interval,
                        crash_interval=args.crashloop_interval)
    reg = api.registry
    if args.scenario == "demo":
        scenarios.demo(reg, pki.ca.cert_pem)
    elif args.scenario == "bench":
        scenarios.bench(reg, pki.ca.cert_pem, args.pods, api.control)
    else:
        scenarios.empty(reg, pki.ca.cert_pem)

    runner = web.AppRunner(api.app(), access_log=None, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, int(port_s or 0), ssl_context=server_ssl_context(pki, alpn=["http/1.1"]), backlog=256,
                       reuse_address=True)
    await site.start()
    sockets = site._server.sockets if site._server else []  # type: ignore[union-attr]
    real_port = sockets[0].getsockname()[1]
    url_host = f"[{host}]" if ":" in host else host
    api.set_address(f"{url_host}:{real_port}")

    control = api.control
    start_delay = control.start_delay
    control.start_delay = 0.0
    control.start()
    await control.settle(timeout=10.0)
    for _, st in list(api.store.iter(("", "pods"))):
        meta = st.obj["metadata"]
        if (meta.get("annotations") or {}).get(BEHAVIOR_ANNOTATION) == "crashloop":
            control.crash(meta["namespace"], meta["name"], restarts_at_least=4)
    await control.settle(timeout=5.0)
    control.start_delay = start_delay

    out = Path(args.kubeconfig_out)
    write_atomic(out, yaml.safe_dump(kubeconfig(pki, f"https://{url_host}:{real_port}", token), sort_keys=False))
    print(f"fake-cluster ready: https://{url_host}:{real_port} scenario={args.scenario} kubeconfig={out}",
          flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    try:
        out.unlink()
    except OSError:
        pass
    for w in list(api.store.watchers):
        w.close()
    await runner.cleanup()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    return asyncio.run(main_async(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
