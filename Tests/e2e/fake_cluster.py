"""Start the project's fake Kubernetes API server (Tests/FakeCluster) for end-to-end tests."""

from __future__ import annotations

import base64
import http.client
import json
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
FAKE = ROOT / "Tests" / "FakeCluster" / "fakecluster.py"


class FakeCluster:
    """A running fake cluster: its kubeconfig (inline certificates) and port."""

    def __init__(self, scenario: str = "demo", extra: list[str] | None = None) -> None:
        self.dir = tempfile.TemporaryDirectory(prefix="kube-mcp-fake-")
        self.kubeconfig = Path(self.dir.name) / "kubeconfig"
        self.log_path = Path(self.dir.name) / "fake.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, str(FAKE), "--listen", "127.0.0.1:0", "--kubeconfig-out", str(self.kubeconfig),
             "--scenario", scenario, *(extra or [])],
            stdout=self._log, stderr=subprocess.STDOUT, cwd=str(ROOT))
        deadline = time.monotonic() + 30
        while not self.kubeconfig.exists():
            if self.proc.poll() is not None:
                raise AssertionError(f"fake cluster exited: {self.log_path.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError("fake cluster did not write its kubeconfig within 30 s")
            time.sleep(0.05)
        config = yaml.safe_load(self.kubeconfig.read_text())
        self.config = config
        self.server = config["clusters"][0]["cluster"]["server"]
        self.port = int(self.server.rsplit(":", 1)[1])

    def secrets(self) -> list[str]:
        """Credential values of the generated kubeconfig (must never appear in output or logs)."""
        out: list[str] = []
        for user in self.config.get("users", []):
            for key in ("client-key-data", "token"):
                value = user.get("user", {}).get(key)
                if value:
                    out.append(value[:40])
        return out

    # Direct HTTPS calls to the fake (setup, faults, the request log), as the kubeconfig's token user.

    def request(self, method: str, path: str, body: object | None = None) -> tuple[int, bytes]:
        """One request; returns (status, body)."""
        cfg = self.config
        ca = base64.b64decode(cfg["clusters"][0]["cluster"]["certificate-authority-data"]).decode()
        token = next(u["user"]["token"] for u in cfg["users"] if u["user"].get("token"))
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=ssl.create_default_context(cadata=ca),
                                           timeout=10)
        try:
            conn.request(method, path, body=json.dumps(body).encode() if body is not None else None,
                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                                  "Accept": "application/json"})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def call(self, method: str, path: str, body: object | None = None):
        """A request that must succeed (2xx); returns its JSON body (None when empty)."""
        status, data = self.request(method, path, body)
        assert 200 <= status < 300, f"{method} {path}: {status} {data[:300]!r}"
        return json.loads(data) if data else None

    def clear_requests(self) -> None:
        """Empties the fake's log of API requests."""
        self.call("DELETE", "/_fake/requests")

    def requests(self) -> list[dict]:
        """The API requests the fake saw since the last clear_requests (method, path, ...)."""
        return self.call("GET", "/_fake/requests")["items"]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._log.close()
        self.dir.cleanup()
