"""Fixtures for the end-to-end suite: start the real release binary on a free 127.0.0.1 port.

`server` is one shared process per test module (default flags). `start_server(*args, ...)` starts an extra
process with its own flags for the test that asks for it. Every process is stopped with SIGTERM at the end,
and teardown asserts exit code 0 and a log without any fixture secret.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from e2e_util import Server  # noqa: E402


@pytest.fixture(scope="module")
def server():
    """A server with default flags plus debug logging (so debug logs are checked for secrets too)."""
    s = Server(args=["--log-level", "debug"]).start()
    try:
        yield s
    finally:
        try:
            s.check_clean_exit()
        finally:
            s.kill()


@pytest.fixture(scope="module")
def stateless_server():
    s = Server(args=["--stateless", "--log-level", "debug"]).start()
    try:
        yield s
    finally:
        try:
            s.check_clean_exit()
        finally:
            s.kill()


@pytest.fixture
def start_server():
    """Factory: start_server(*args, env=None, kubeconfig=..., wait=True, check_exit=True) -> Server."""
    started: list[tuple[Server, bool, tuple[str, ...]]] = []

    def start(*args: str, env: dict[str, str] | None = None, check_exit: bool = True, wait: bool = True,
              extra_secrets: tuple[str, ...] = (), **kw) -> Server:
        s = Server(args=list(args), env=env, **kw)
        started.append((s, check_exit, extra_secrets))
        return s.start(wait=wait)

    yield start
    errors = []
    for s, check_exit, extra in started:
        try:
            if check_exit and s.proc is not None and s.returncode is None:
                s.check_clean_exit(extra)
        except AssertionError as e:
            errors.append(str(e))
        finally:
            s.kill()
    if errors:
        pytest.fail("; ".join(errors))


@pytest.fixture(scope="module")
def cluster():
    """The fake cluster with the demo scenario, one per test module that asks for it."""
    from fake_cluster import FakeCluster

    c = FakeCluster("demo")
    try:
        yield c
    finally:
        c.stop()
