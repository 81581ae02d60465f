#!/usr/bin/env python3
"""kube-mcp benchmarks: idle-session memory, tools/list throughput, time to the first initialize, and the
Kubernetes tools against the fake API server (pods_list_in_namespace / pods_get throughput, event-loop stalls
while large lists are decoded).

`make bench` runs this file with the project venv after building the release binary. It prints progress on
stderr, then a table (each figure next to its target) and, as the very last stdout line, one JSON object with
every figure and the raw runs. Everything it starts (servers, fake clusters, load clients, wrk) listens or
connects on 127.0.0.1-9 only and is killed on the way out, also on errors and Ctrl-C.

Exit status: 0 = the harness ran (targets may still be missed: see the table), 1 = harness error (something
could not be measured), 2 = the server misbehaved (non-200 answers, tool calls answering "isError":true, refused
or dropped sessions, a crash, socket errors under load). See Benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import atexit
import bisect
import ctypes
import datetime
import hashlib
import json
import math
import os
import re
import resource
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DEFAULT_BIN = ROOT / ".build" / "release" / "kube-mcp"
DEFAULT_KUBECONFIG = ROOT / "Tests" / "e2e" / "data" / "kubeconfig.yaml"
FAKE_CLUSTER = ROOT / "Tests" / "FakeCluster" / "fakecluster.py"
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
# Pod names of the fake's `bench` scenario (Tests/FakeCluster/scenarios.py): bench-<rs hash>-<5 digits>.
BENCH_POD_NAME = re.compile(r"\bbench-[0-9a-z]+-\d{5}\b")
SOURCE_ADDRESSES = [f"127.0.0.{i}" for i in range(2, 10)]
CLK_TCK = os.sysconf("SC_CLK_TCK")

TARGETS = {
    "idle_kib_per_session_15000": 2.0,     # <= KiB per idle session at 15,000, either transport
    "tools_list_rps": 50_000.0,            # >= requests/s
    "tools_list_p99_ms": 5.0,              # < ms
    "first_initialize_ms": 50.0,           # <= ms
    "stall_health_p99_ms": 5.0,            # < ms: GET /health p99 while big lists are decoded and formatted
}

INIT_BODY = (b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",'
             b'"capabilities":{},"clientInfo":{"name":"kube-mcp-bench","version":"1"}}}')
INITIALIZED_BODY = b'{"jsonrpc":"2.0","method":"notifications/initialized"}'
TOOLS_LIST_BODY = b'{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
MCP_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


class HarnessError(Exception):
    """The benchmark itself could not measure something."""


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --- child processes ------------------------------------------------------------------------------------------

_children: list[subprocess.Popen] = []
_libc = ctypes.CDLL("libc.so.6", use_errno=True)
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # The kernel SIGKILLs the child if this process dies, even by SIGKILL: nothing outlives the harness.
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def spawn(cmd: list[str], **kwargs) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, preexec_fn=_die_with_parent, **kwargs)
    _children.append(proc)
    return proc


def stop_process(proc: subprocess.Popen, grace: float = 5.0) -> float:
    """SIGTERM, then SIGKILL after `grace` seconds; returns the seconds it took to exit."""
    started = time.perf_counter()
    if proc.poll() is None:
        try:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        except ProcessLookupError:
            pass
    if proc in _children:
        _children.remove(proc)
    return time.perf_counter() - started


def kill_all_children() -> None:
    for proc in list(_children):
        if proc.poll() is None:
            try:
                proc.kill()
                proc.wait(timeout=5)
            except Exception:  # noqa: BLE001 - best effort on the way out
                pass
        _children.remove(proc)


atexit.register(kill_all_children)

_temp_files: list[Path] = []  # the fake clusters' kubeconfigs (a throwaway client key each), removed on exit


def _remove_temp_files() -> None:
    for path in _temp_files:
        try:
            path.unlink()
        except OSError:
            pass


atexit.register(_remove_temp_files)


def _on_sigterm(signum, frame):  # noqa: ARG001
    raise SystemExit(128 + signum)


# --- tiny HTTP client (blocking, one request per connection) --------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise HarnessError(f"connection closed before the response head ({data[:80]!r})")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    length = int(headers.get("content-length", "0"))
    body = bytearray(rest)  # tool answers can be tens of MB: no quadratic bytes concatenation
    while len(body) < length:
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise HarnessError("connection closed inside the response body")
        body += chunk
    return status, headers, bytes(body[:length])


def build_request(method: str, path: str, port: int, headers: dict[str, str] | None = None,
                  body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def http(port: int, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"",
         timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(build_request(method, path, port, headers, body))
        return read_response(s)


# --- the server under test ------------------------------------------------------------------------------------

def proc_status(pid: int) -> dict[str, int]:
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "RssAnon:", "RssFile:", "VmHWM:", "Threads:")):
                k, v = line.split(":", 1)
                out[k] = int(v.split()[0])
    return out


def cpu_ticks(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15 of stat)


def thread_cpu_ticks(pid: int, tid: int) -> int:
    """utime + stime of one thread; the server's event loop runs on its main thread (tid == pid)."""
    with open(f"/proc/{pid}/task/{tid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def thread_runqueue_wait_ns(pid: int, tid: int) -> int:
    """Nanoseconds the thread has spent runnable but waiting for a CPU (/proc/.../schedstat, second field)."""
    with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
        return int(f.read().split()[1])


def system_cpu() -> tuple[int, int, int]:
    """(busy, steal, total) ticks over all CPUs from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return user + nice + system + irq + softirq + steal, steal, sum(fields[:8])


class CpuMeter:
    """Where the machine's CPU went during a measurement: the server, our load client(s), everything else.

    The machine is shared and noisy; `other_cores` (CPU used by processes that are neither the server nor the
    load generator, averaged over the run, in cores) tells how much a run was disturbed. `extra_pids` names more
    processes to account for separately (the fake cluster, a second load generator): `<name>_cores` each, not
    counted in `other_cores`. `server_loop_cores` is the server's main thread alone: its event loop;
    `server_loop_wait_ms_per_s` how long per second that thread was runnable but had no CPU (the kernel's
    run-queue wait: latency caused by CPU contention, not by work on the loop)."""

    def __init__(self, server_pid: int, client_pids: list[int] | None = None,
                 extra_pids: dict[str, int] | None = None):
        self.server_pid = server_pid
        self.client_pids = client_pids
        self.extra_pids = extra_pids or {}

    @staticmethod
    def _ticks(read, *pid) -> int:
        try:
            return read(*pid)
        except (OSError, IndexError, ValueError):
            return 0

    def __enter__(self) -> "CpuMeter":
        self.t0 = time.monotonic()
        self.sys0 = system_cpu()
        self.server0 = cpu_ticks(self.server_pid)
        self.loop0 = self._ticks(thread_cpu_ticks, self.server_pid, self.server_pid)
        self.loop_wait0 = self._ticks(thread_runqueue_wait_ns, self.server_pid, self.server_pid)
        self.extra0 = {name: self._ticks(cpu_ticks, pid) for name, pid in self.extra_pids.items()}
        self.clients0 = self._clients()
        return self

    def _clients(self) -> float:
        if self.client_pids is None:  # the load generator is a child we reap (wrk): its rusage
            ru = resource.getrusage(resource.RUSAGE_CHILDREN)
            return (ru.ru_utime + ru.ru_stime) * CLK_TCK
        total = 0
        for pid in self.client_pids:
            try:
                total += cpu_ticks(pid)
            except OSError:
                pass
        return total

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> dict:
        if hasattr(self, "result"):
            return self.result
        seconds = max(time.monotonic() - self.t0, 1e-6)
        busy1, steal1, total1 = system_cpu()
        busy = busy1 - self.sys0[0]
        try:
            server = cpu_ticks(self.server_pid) - self.server0
        except OSError:
            server = 0
        clients = self._clients() - self.clients0
        loop = self._ticks(thread_cpu_ticks, self.server_pid, self.server_pid) - self.loop0
        loop_wait = self._ticks(thread_runqueue_wait_ns, self.server_pid, self.server_pid) - self.loop_wait0
        extra = {name: max(0, self._ticks(cpu_ticks, pid) - self.extra0[name])
                 for name, pid in self.extra_pids.items()}
        self.result = {
            "seconds": round(seconds, 3),
            "server_cpu_s": round(server / CLK_TCK, 2),
            "server_cores": round(server / CLK_TCK / seconds, 2),
            "server_loop_cores": round(max(0, loop) / CLK_TCK / seconds, 2),
            "server_loop_wait_ms_per_s": round(max(0, loop_wait) / 1e6 / seconds, 1),
            "client_cores": round(clients / CLK_TCK / seconds, 2),
            **{f"{name}_cores": round(ticks / CLK_TCK / seconds, 2) for name, ticks in extra.items()},
            "other_cores": round(max(0.0, busy - server - clients - sum(extra.values())) / CLK_TCK / seconds, 2),
            "steal_cores": round((steal1 - self.sys0[1]) / CLK_TCK / seconds, 2),
            "idle_cores": round(max(0, (total1 - self.sys0[2]) - busy) / CLK_TCK / seconds, 2),
        }
        return self.result


class Server:
    def __init__(self, args: argparse.Namespace, name: str, extra: list[str] | None = None,
                 kubeconfig: Path | None = None):
        self.args = args
        self.name = name
        self.extra = extra or []
        self.kubeconfig = kubeconfig or args.kubeconfig
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.log_path = args.out_dir / f"server-{name}.log"

    def command(self) -> list[str]:
        return [str(self.args.bin), "--host", "127.0.0.1", "--port", str(self.port),
                "--kubeconfig", str(self.kubeconfig), "--log-level", "warning", *self.extra,
                *self.args.server_arg]

    def spawn(self) -> None:
        self.port = free_port()
        self.log_file = open(self.log_path, "ab")
        self.proc = spawn(self.command(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=self.log_file)

    def start(self) -> "Server":
        for attempt in range(3):
            self.spawn()
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    status, _, body = http(self.port, "GET", "/health", timeout=1)
                    if status == 200:
                        return self
                    raise HarnessError(f"GET /health -> {status} {body[:80]!r}")
                except (ConnectionRefusedError, socket.timeout):
                    time.sleep(0.005)
            code = self.proc.poll()
            self.stop()
            if code is None:
                raise HarnessError(f"server {self.name} did not answer /health within 15 s")
            log(f"server {self.name} exited with {code} on start (attempt {attempt + 1}); "
                f"log tail: {self.log_tail()!r}")
        raise HarnessError(f"server {self.name} failed to start 3 times; see {self.log_path}")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def status(self) -> dict[str, int]:
        return proc_status(self.pid)

    def log_tail(self, n: int = 5) -> list[str]:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return []
        return lines[-n:]

    def log_line_count(self) -> int:
        try:
            return len(self.log_path.read_text(errors="replace").splitlines())
        except OSError:
            return 0

    def stop(self) -> float:
        took = 0.0
        if self.proc is not None:
            took = stop_process(self.proc)
        if getattr(self, "log_file", None):
            self.log_file.close()
        return took


def settle(server: Server, min_s: float = 1.0, max_s: float = 10.0, window_s: float = 1.0,
           max_cpu_ticks: int = 3, max_rss_kb: int = 64) -> dict:
    """Waits until the server is quiescent: over the last `window_s`, at most `max_cpu_ticks` of CPU and an RSS
    range of at most `max_rss_kb`. Returns the last sample, the wait and whether it got quiet in time."""
    started = time.monotonic()
    samples: list[tuple[float, int, int]] = []
    while True:
        now = time.monotonic()
        samples.append((now, cpu_ticks(server.pid), server.status()["VmRSS"]))
        window = [s for s in samples if s[0] >= now - window_s - 1e-3]
        if now - started >= max(min_s, window_s) and window[0][0] <= now - window_s + 0.15:
            cpu = window[-1][1] - window[0][1]
            rss = [s[2] for s in window]
            if cpu <= max_cpu_ticks and max(rss) - min(rss) <= max_rss_kb:
                st = server.status()
                return {"quiescent": True, "waited_s": round(now - started, 2), **st}
        if now - started >= max_s:
            st = server.status()
            return {"quiescent": False, "waited_s": round(now - started, 2), **st}
        time.sleep(0.1)


# --- 1. idle sessions -----------------------------------------------------------------------------------------

class Worker:
    """One idle_client.py process, driven through its stdin/stdout line protocol."""

    def __init__(self, args: argparse.Namespace, transport: str, port: int, count: int, sources: list[str],
                 index: int, log_path: Path):
        self.index = index
        self.log_file = open(log_path, "ab")
        cmd = [sys.executable, str(BENCH_DIR / "idle_client.py"), "--transport", transport, "--port", str(port),
               "--count", str(count), "--sources", ",".join(sources), "--post-conns", str(args.post_conns),
               "--concurrency", str(args.concurrency), "--timeout", str(args.step_timeout)]
        self.proc = spawn(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log_file, bufsize=0)
        self.buf = b""

    def send(self, line: str) -> None:
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def expect(self, event: str, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in self.buf:
                line, _, self.buf = self.buf.partition(b"\n")
                try:
                    msg = json.loads(line)
                except ValueError:
                    log(f"load client {self.index}: unexpected output {line[:200]!r}")
                    continue
                if msg.get("event") == event:
                    return msg
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise HarnessError(f"load client {self.index}: no {event!r} within {timeout:.0f} s")
            ready, _, _ = select.select([self.proc.stdout], [], [], remaining)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    raise HarnessError(f"load client {self.index} exited ({self.proc.poll()}) "
                                       f"before {event!r}; see {self.log_file.name}")
                self.buf += chunk

    def quit(self) -> None:
        try:
            self.send("quit")
            self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        stop_process(self.proc, grace=2)
        self.log_file.close()


def run_idle(args: argparse.Namespace, transport: str, level: int, anomalies: list[str]) -> dict:
    tag = f"idle-{transport}-{level}"
    workers_n = max(args.min_workers, math.ceil(level / args.max_per_worker))
    counts = [level // workers_n + (1 if i < level % workers_n else 0) for i in range(workers_n)]
    server = Server(args, tag).start()
    workers: list[Worker] = []
    result: dict = {"transport": transport, "level": level, "workers": workers_n}
    try:
        before = settle(server, min_s=1.0, max_s=5.0)
        result["before"] = before
        for i, count in enumerate(counts):
            sources = [SOURCE_ADDRESSES[(2 * i) % len(SOURCE_ADDRESSES)],
                       SOURCE_ADDRESSES[(2 * i + 1) % len(SOURCE_ADDRESSES)]]
            workers.append(Worker(args, transport, server.port, count, sources, i,
                                  args.out_dir / f"client-{tag}-{i}.log"))
        for w in workers:
            w.expect("started", 30)
        meter = CpuMeter(server.pid, [w.proc.pid for w in workers]).__enter__()
        started = time.perf_counter()
        for w in workers:
            w.send("go")
        readies = [w.expect("ready", args.connect_timeout) for w in workers]
        connect_s = time.perf_counter() - started
        result["connect_cpu"] = meter.stop()
        opened = sum(r["opened"] for r in readies)
        failed = sum(r["failed"] for r in readies)
        errors: dict[str, int] = {}
        for r in readies:
            for k, v in r["errors"].items():
                errors[k] = errors.get(k, 0) + v
        result.update(connect_s=round(connect_s, 3), opened=opened, failed=failed, errors=errors,
                      clients=[{k: r[k] for k in ("opened", "failed", "elapsed_s", "setup_ms_p50", "setup_ms_p99",
                                                  "post_requests", "post_reconnects")} for r in readies])
        if not server.alive():
            raise HarnessError(f"server died during {tag}: exit {server.proc.poll()}, log {server.log_tail()}")
        after = settle(server, min_s=1.0, max_s=10.0)
        result["after"] = after
        if opened == 0:
            raise HarnessError(f"{tag}: no session could be opened: {errors}")
        growth_kb = after["VmRSS"] - before["VmRSS"]
        result["rss_growth_kib"] = growth_kb
        result["bytes_per_session"] = round(growth_kb * 1024 / opened, 1)
        result["kib_per_session"] = round(growth_kb / opened, 3)
        result["anon_bytes_per_session"] = round((after["RssAnon"] - before["RssAnon"]) * 1024 / opened, 1)
        # Are the sessions still there and working?
        for w in workers:
            w.send("check")
        checks = [w.expect("check", 30) for w in workers]
        still_open = sum(c["open"] for c in checks)
        result["still_open"] = still_open
        result["events_while_idle"] = sum(c["events_since_ready"] for c in checks)
        result["heartbeats_while_idle"] = sum(c["comments_since_ready"] for c in checks)
        for w in workers:
            w.send(f"probe {args.probes}")
        probes = [w.expect("probe", 60) for w in workers]
        result["probe_ok"] = sum(p["ok"] for p in probes)
        result["probe_failed"] = sum(p["failed"] for p in probes)
        if failed:
            anomalies.append(f"{tag}: {failed} of {level} sessions could not be opened: {errors}")
        if still_open != opened:
            reasons: dict[str, int] = {}
            for c in checks:
                for k, v in c["close_reasons"].items():
                    reasons[k] = reasons.get(k, 0) + v
            anomalies.append(f"{tag}: {opened - still_open} of {opened} streams closed while idle: {reasons}")
        if result["probe_failed"]:
            errs = [p["errors"] for p in probes if p["failed"]]
            anomalies.append(f"{tag}: {result['probe_failed']} ping probes on idle sessions failed: {errs}")
    finally:
        for w in workers:
            w.quit()
    try:
        if server.alive():
            result["after_close"] = settle(server, min_s=0.5, max_s=3.0)
        else:
            anomalies.append(f"{tag}: server exited ({server.proc.poll()}) during the run; log: {server.log_tail()}")
        logged = server.log_line_count()
        if logged:
            result["server_log_lines"] = logged
            anomalies.append(f"{tag}: server logged {logged} warning/error lines, last: {server.log_tail(3)}")
    finally:
        result["shutdown_s"] = round(server.stop(), 3)
    return result


# --- 2. tools/list throughput with wrk ------------------------------------------------------------------------

UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def parse_wrk(text: str) -> dict:
    out: dict = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if not m:
        raise HarnessError(f"no Requests/sec in wrk output:\n{text}")
    out["rps"] = float(m.group(1))
    for pct, value, unit in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", text, re.M):
        out[f"p{pct}_ms"] = round(float(value) * UNIT_MS[unit], 4)
    if "p99_ms" not in out or "p50_ms" not in out:
        raise HarnessError(f"no latency distribution in wrk output (was --latency given?):\n{text}")
    m = re.search(r"(\d+) requests in ([\d.]+)(\w+),", text)
    out["requests"] = int(m.group(1)) if m else None
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    out["socket_errors"] = dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups()))) if m else {}
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    out["non_2xx_3xx"] = int(m.group(1)) if m else 0
    m = re.search(r"BENCH_LATENCY_US p50=(\d+) p90=(\d+) p99=(\d+) max=(\d+)", text)
    if not m:
        raise HarnessError(f"the wrk script's done() did not run (script error?):\n{text}")
    out["lua_latency_us"] = dict(zip(("p50", "p90", "p99", "max"), map(int, m.groups())))
    m = re.search(r"BENCH_BYTES total=(\d+) min=(\d+) max=(\d+)", text)
    if m:
        out["answer_bytes"] = dict(zip(("total", "min", "max"), map(int, m.groups())))
    m = re.search(r"BENCH_CHECK ok=(\d+) bad=(\d+) status=(\S*) first_bad=(.*)$", text, re.M)
    if m:
        out["checked_ok"], out["checked_bad"] = int(m.group(1)), int(m.group(2))
        out["bad_statuses"] = m.group(3)
        out["first_bad"] = m.group(4).strip()
    return out


class Wrk:
    """One wrk process: `start()` it, then `finish()` waits for it, keeps its raw output in the results
    directory and parses it (see parse_wrk). `extra_env` goes to the Lua script."""

    def __init__(self, args: argparse.Namespace, label: str, port: int, path: str, script: str,
                 extra_env: dict[str, str], threads: int, connections: int, duration: int, check: bool,
                 timeout_s: float | None = None):
        self.args, self.label, self.duration, self.check = args, label, duration, check
        self.env = dict(os.environ, BENCH_HOST=f"127.0.0.1:{port}", BENCH_CHECK="1" if check else "0",
                        **extra_env)
        self.cmd = [args.wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
        if timeout_s:
            self.cmd += ["--timeout", f"{timeout_s:g}s"]
        self.cmd += ["-s", str(BENCH_DIR / script), f"http://127.0.0.1:{port}{path}"]
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Wrk":
        self.proc = spawn(self.cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env, cwd=BENCH_DIR)
        self.started = time.monotonic()
        return self

    @property
    def pid(self) -> int:
        return self.proc.pid

    def interrupt(self) -> None:
        """SIGINT: wrk stops early and still prints its summary and the script's done() lines."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)

    def finish(self, meter: CpuMeter | None = None, grace: float = 30.0, require_answers: bool = True) -> dict:
        proc = self.proc
        limit = max(1.0, self.duration + grace - (time.monotonic() - self.started))
        try:
            stdout, stderr = proc.communicate(timeout=limit)
            cpu = meter.stop() if meter else None
        except subprocess.TimeoutExpired:
            stop_process(proc)
            raise HarnessError(f"wrk {self.label} did not finish within {self.duration + grace:g} s") from None
        except BaseException:  # SIGTERM/Ctrl-C while waiting: do not leave wrk running
            stop_process(proc, grace=1)
            raise
        finally:
            if proc in _children:
                _children.remove(proc)
        text = stdout.decode(errors="replace")
        err = stderr.decode(errors="replace").strip()
        (self.args.out_dir / f"wrk-{self.label}.txt").write_text(
            " ".join(self.cmd) + "\n\n" + text + ("\nSTDERR:\n" + err if err else ""))
        if proc.returncode != 0 or err:
            raise HarnessError(f"wrk {self.label} failed (exit {proc.returncode}): {err[:500]}\n{text[:500]}")
        parsed = parse_wrk(text)
        if (require_answers and self.check
                and parsed.get("checked_ok", 0) + parsed.get("checked_bad", 0) == 0):
            raise HarnessError(f"wrk {self.label}: the Lua check saw no responses:\n{text}")
        parsed["checked"] = self.check
        if cpu is not None:
            parsed["cpu"] = cpu
            # Server CPU per answer: much less sensitive to other load on the machine than requests/s.
            if parsed.get("requests"):
                parsed["server_cpu_us_per_request"] = round(cpu["server_cpu_s"] * 1e6 / parsed["requests"], 2)
        return parsed


def run_wrk(args: argparse.Namespace, server: Server, kind: str, session_id: str, duration: int, check: bool,
            label: str) -> dict:
    if kind == "tools_list":
        # The generic tools_call.lua, with a tools/list body and "tools" as the proof of a good answer.
        script, path = "tools_call.lua", "/mcp"
        env = {"MCP_SESSION_ID": session_id, "BENCH_BODY": '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
               "BENCH_EXPECT": '"tools"'}
    else:
        script, path, env = "health.lua", "/health", {"MCP_SESSION_ID": session_id}
    wrk = Wrk(args, label, server.port, path, script, env, args.wrk_threads, args.wrk_connections, duration, check)
    meter = CpuMeter(server.pid).__enter__()
    wrk.start()
    return wrk.finish(meter)


def judge_wrk(run: dict, label: str, anomalies: list[str], snippet: int = 200) -> None:
    if run["non_2xx_3xx"]:
        anomalies.append(f"{label}: {run['non_2xx_3xx']} responses with status >= 400 (wrk's count)")
    if run.get("checked_bad"):
        anomalies.append(f"{label}: {run['checked_bad']} of {run['checked_bad'] + run['checked_ok']} answers "
                         f"were not 200 with the expected body (statuses {run['bad_statuses']}); "
                         f"first: {run['first_bad'][:snippet]}")
    errs = {k: v for k, v in run["socket_errors"].items() if v}
    if errs:
        anomalies.append(f"{label}: wrk socket errors {errs}")


def open_streamable_session(port: int) -> str:
    status, headers, body = http(port, "POST", "/mcp", MCP_HEADERS, INIT_BODY)
    sid = headers.get("mcp-session-id", "")
    if status != 200 or not sid or b'"protocolVersion"' not in body:
        raise HarnessError(f"initialize -> {status}, session id {sid!r}, body {body[:120]!r}")
    status, _, body = http(port, "POST", "/mcp", {**MCP_HEADERS, "Mcp-Session-Id": sid}, INITIALIZED_BODY)
    if status != 202:
        raise HarnessError(f"notifications/initialized -> {status} {body[:120]!r}")
    return sid


def check_tools_list(port: int, sid: str) -> dict:
    status, headers, body = http(port, "POST", "/mcp", {**MCP_HEADERS, "Mcp-Session-Id": sid}, TOOLS_LIST_BODY)
    if status != 200 or b'"tools"' not in body:
        raise HarnessError(f"tools/list pre/post-check -> {status} {body[:200]!r}")
    tools = json.loads(body)["result"]["tools"]
    return {"status": status, "bytes": len(body), "tools": len(tools)}


def run_throughput(args: argparse.Namespace, anomalies: list[str]) -> dict:
    server = Server(args, "throughput").start()
    out: dict = {"tools_list_runs": [], "health_runs": []}
    try:
        sid = open_streamable_session(server.port)
        out["precheck"] = check_tools_list(server.port, sid)
        log(f"tools/list answer: {out['precheck']['tools']} tools, {out['precheck']['bytes']} bytes")
        for i in range(args.wrk_runs):
            for kind in ("tools_list", "health"):
                run = run_wrk(args, server, kind, sid, args.wrk_duration, not args.wrk_light, f"{kind}-{i + 1}")
                judge_wrk(run, f"{kind} run {i + 1}", anomalies)
                out[f"{kind}_runs"].append(run)
                checked = (f", answers checked: {run['checked_ok']} ok / {run['checked_bad']} bad"
                           if run["checked"] else "")
                log(f"{kind} run {i + 1}: {run['rps']:.0f} req/s, p50 {run['p50_ms']} ms, p99 {run['p99_ms']} ms "
                    f"(CPU cores: server {run['cpu']['server_cores']}, wrk {run['cpu']['client_cores']}, "
                    f"others {run['cpu']['other_cores']}){checked}")
        out["postcheck"] = check_tools_list(server.port, sid)
        if not server.alive():
            anomalies.append(f"throughput: server exited ({server.proc.poll()}); log {server.log_tail()}")
        logged = server.log_line_count()
        if logged:
            anomalies.append(f"throughput: server logged {logged} warning/error lines, last: {server.log_tail(3)}")
        out["rss_after_kib"] = server.status()["VmRSS"]
    finally:
        server.stop()
    for kind in ("tools_list", "health"):
        runs = out[f"{kind}_runs"]
        out[f"{kind}_rps_median"] = round(statistics.median(r["rps"] for r in runs), 1)
        out[f"{kind}_p50_ms_median"] = round(statistics.median(r["p50_ms"] for r in runs), 3)
        out[f"{kind}_p99_ms_median"] = round(statistics.median(r["p99_ms"] for r in runs), 3)
    out["tools_list_to_health_ratio"] = round(out["tools_list_rps_median"] / out["health_rps_median"], 3)
    out["tools_list_to_health_ratio_runs"] = [round(t["rps"] / h["rps"], 3)
                                              for t, h in zip(out["tools_list_runs"], out["health_runs"])]
    for kind in ("tools_list", "health"):
        per = [r["server_cpu_us_per_request"] for r in out[f"{kind}_runs"] if r.get("server_cpu_us_per_request")]
        out[f"{kind}_server_cpu_us_per_request_median"] = round(statistics.median(per), 2) if per else None
    out["other_cores_median"] = round(statistics.median(
        r["cpu"]["other_cores"] for r in out["tools_list_runs"] + out["health_runs"]), 2)
    return out


# --- 3. process start to the first answered initialize --------------------------------------------------------

def run_startup(args: argparse.Namespace, anomalies: list[str]) -> dict:
    runs = []
    request = None
    for i in range(args.starts):
        server = Server(args, f"startup-{i + 1}")
        server.port = free_port()
        request = build_request("POST", "/mcp", server.port, MCP_HEADERS, INIT_BODY)
        log_file = open(server.log_path, "ab")
        try:
            t0 = time.perf_counter()
            server.proc = spawn(server.command(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=log_file)
            attempts = 0
            deadline = t0 + 10
            while True:
                attempts += 1
                s = socket.socket()
                if s.connect_ex(("127.0.0.1", server.port)) == 0:
                    break
                s.close()
                if server.proc.poll() is not None or time.perf_counter() > deadline:
                    raise HarnessError(f"startup run {i + 1}: server never accepted (exit {server.proc.poll()}, "
                                       f"log {server.log_tail()})")
                time.sleep(0.001)
            t_connect = time.perf_counter()
            with s:
                s.settimeout(10)
                s.sendall(request)
                status, headers, body = read_response(s)
            t_answer = time.perf_counter()
            if status != 200 or "mcp-session-id" not in headers or b'"protocolVersion"' not in body:
                anomalies.append(f"startup run {i + 1}: initialize -> {status} {body[:120]!r}")
            runs.append({"first_initialize_ms": round((t_answer - t0) * 1000, 2),
                         "accept_ms": round((t_connect - t0) * 1000, 2),
                         "initialize_after_accept_ms": round((t_answer - t_connect) * 1000, 2),
                         "connect_attempts": attempts, "status": status})
            log(f"startup run {i + 1}: first initialize after {runs[-1]['first_initialize_ms']} ms "
                f"(port open after {runs[-1]['accept_ms']} ms, {attempts} connect attempts)")
        finally:
            server.log_file = log_file
            server.stop()
    return {"runs": runs,
            "first_initialize_ms_median": round(statistics.median(r["first_initialize_ms"] for r in runs), 2),
            "accept_ms_median": round(statistics.median(r["accept_ms"] for r in runs), 2)}


# --- 4. Kubernetes tools against the fake API server ----------------------------------------------------------

class FakeCluster:
    """Tests/FakeCluster/fakecluster.py with the `bench` scenario: `pods` Running pods in namespace `bench`.

    It listens on 127.0.0.1 with a port of its own choosing and is ready exactly when its kubeconfig file
    exists (written atomically once the listener is up and the pods are in the store)."""

    def __init__(self, args: argparse.Namespace, name: str, pods: int):
        self.args, self.name, self.pods = args, name, pods
        self.kubeconfig = args.out_dir / f"fake-{name}.kubeconfig"
        _temp_files.append(self.kubeconfig)
        self.log_path = args.out_dir / f"fake-{name}.log"
        self.proc: subprocess.Popen | None = None
        self.exit_code: int | None = None

    def start(self) -> "FakeCluster":
        python = str(VENV_PYTHON) if os.access(VENV_PYTHON, os.X_OK) else sys.executable
        cmd = [python, str(FAKE_CLUSTER), "--listen", "127.0.0.1:0", "--kubeconfig-out", str(self.kubeconfig),
               "--scenario", "bench", "--pods", str(self.pods)]
        if self.kubeconfig.exists():
            self.kubeconfig.unlink()
        self.log_file = open(self.log_path, "ab")
        t0 = time.monotonic()
        self.proc = spawn(cmd, stdin=subprocess.DEVNULL, stdout=self.log_file, stderr=self.log_file)
        deadline = t0 + self.args.fake_start_timeout
        while not self.kubeconfig.exists():
            if self.proc.poll() is not None:
                code = self.proc.poll()
                self.stop()
                raise HarnessError(f"fake cluster {self.name} exited ({code}) before it was ready; "
                                   f"log tail: {self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise HarnessError(f"fake cluster {self.name} not ready within {self.args.fake_start_timeout:g} s")
            time.sleep(0.02)
        self.start_s = round(time.monotonic() - t0, 2)
        m = re.search(r"server:\s*(https://\S+)", self.kubeconfig.read_text())
        self.url = m.group(1) if m else "?"
        return self

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n: int = 5) -> list[str]:
        try:
            return self.log_path.read_text(errors="replace").splitlines()[-n:]
        except OSError:
            return []

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.exit_code = self.proc.returncode
        if getattr(self, "log_file", None):
            self.log_file.close()
        try:
            self.kubeconfig.unlink()  # it holds the run's (throwaway) client key; SIGTERM removes it already
        except OSError:
            pass


def call_tool(port: int, sid: str, name: str, arguments: dict, timeout: float = 120.0) -> dict:
    """One tools/call on the session; returns status, size, time, isError and the first content text."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                       "params": {"name": name, "arguments": arguments}}, separators=(",", ":")).encode()
    t0 = time.perf_counter()
    status, _, answer = http(port, "POST", "/mcp", {**MCP_HEADERS, "Mcp-Session-Id": sid}, body, timeout=timeout)
    out = {"tool": name, "arguments": arguments, "status": status, "bytes": len(answer),
           "ms": round((time.perf_counter() - t0) * 1000, 1), "is_error": None, "text": "", "rpc_error": None}
    try:
        doc = json.loads(answer)
    except ValueError:
        out["rpc_error"] = f"not JSON: {answer[:300]!r}"
        return out
    if "error" in doc:
        out["rpc_error"] = doc["error"]
        return out
    result = doc.get("result") or {}
    out["is_error"] = result.get("isError")
    texts = [c.get("text", "") for c in result.get("content", []) if c.get("type") == "text"]
    out["text"] = texts[0] if texts else ""
    return out


def tool_call_failure(call: dict) -> str | None:
    """None when the call answered 200 with isError false; otherwise the exact problem, error text included."""
    if call["status"] != 200:
        return f"HTTP {call['status']}"
    if call["rpc_error"] is not None:
        return f"JSON-RPC error {call['rpc_error']}"
    if call["is_error"] is not False:
        return f"isError {json.dumps(call['is_error'])}: {call['text'][:2000]!r}"
    return None


def wait_quiet(pids: list[int], max_s: float = 10.0, window_s: float = 0.5, max_cores: float = 0.1) -> float:
    """Waits until the processes together use less than `max_cores` over `window_s` (e.g. the fake cluster
    and the server finishing requests wrk abandoned at the end of a run). Returns the seconds waited."""
    t0 = time.monotonic()

    def total() -> int:
        n = 0
        for pid in pids:
            try:
                n += cpu_ticks(pid)
            except OSError:
                pass
        return n

    while time.monotonic() - t0 < max_s:
        before = total()
        time.sleep(window_s)
        if (total() - before) / CLK_TCK / window_s < max_cores:
            break
    return round(time.monotonic() - t0, 2)


def limited_by(cpu: dict) -> str:
    """What a closed-loop run was limited by, from its CPU split: the fake cluster (one Python thread), the
    server's event loop (one thread), or the machine (no idle CPU left). Thresholds: 0.8 core, 0.2 idle."""
    parts = []
    if cpu.get("fake_cores", 0) >= 0.8:
        parts.append(f"fake cluster (Python, 1 thread: {cpu['fake_cores']:.2f} cores)")
    if cpu.get("server_loop_cores", 0) >= 0.8:
        parts.append(f"kube-mcp event loop ({cpu['server_loop_cores']:.2f} cores)")
    if cpu.get("idle_cores", 1) < 0.2:
        parts.append(f"machine CPU (idle {cpu['idle_cores']:.2f} of {os.cpu_count()} cores)")
    return " + ".join(parts) or "no CPU saturated (latency-bound)"


def kube_server_flags(args: argparse.Namespace) -> list[str]:
    # The server's client-side rate limiter (--kube-qps 50, --kube-burst 100 by default) would otherwise be
    # what the closed-loop runs measure; --kube-qps 0 keeps the server's defaults.
    if args.kube_qps <= 0:
        return []
    return [f"--kube-qps={args.kube_qps:g}", f"--kube-burst={int(args.kube_qps)}"]


def tool_body(name: str, arguments: dict) -> str:
    return json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                       "params": {"name": name, "arguments": arguments}}, separators=(",", ":"))


def median_of(runs: list[dict], key) -> float:
    values = [key(r) for r in runs]
    return round(statistics.median(values), 3) if values else 0.0


def find_pod_name(args: argparse.Namespace, server: Server, sid: str, fake: FakeCluster,
                  anomalies: list[str]) -> tuple[str, str]:
    """One existing pod of namespace bench: from pods_list_in_namespace (limit 1), else from kubectl."""
    call = call_tool(server.port, sid, "pods_list_in_namespace", {"namespace": "bench", "limit": 1})
    problem = tool_call_failure(call)
    if problem:
        anomalies.append(f"kube: pods_list_in_namespace {{namespace: bench, limit: 1}} -> {problem}")
    else:
        m = BENCH_POD_NAME.search(call["text"])
        if m:
            return m.group(0), "pods_list_in_namespace limit=1"
    try:
        done = subprocess.run(["kubectl", "--kubeconfig", str(fake.kubeconfig), "get", "pods", "-n", "bench",
                               "-o", "jsonpath={.items[0].metadata.name}"], capture_output=True, text=True,
                              timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise HarnessError(f"no pod name from the tool and kubectl failed: {exc}") from None
    if done.returncode or not done.stdout.strip():
        raise HarnessError(f"no pod name from the tool nor from kubectl: {done.stderr.strip()[:300]}")
    return done.stdout.strip(), "kubectl"


def run_kube_wrk(args: argparse.Namespace, server: Server, fake: FakeCluster, sid: str, label: str, body: str,
                 anomalies: list[str]) -> dict:
    wrk = Wrk(args, label, server.port, "/mcp", "tools_call.lua", {"MCP_SESSION_ID": sid, "BENCH_BODY": body},
              args.kube_threads, args.kube_connections, args.kube_duration, not args.wrk_light,
              timeout_s=args.kube_wrk_timeout)
    meter = CpuMeter(server.pid, extra_pids={"fake": fake.pid}).__enter__()
    wrk.start()
    run = wrk.finish(meter, grace=args.kube_wrk_timeout + 30, require_answers=False)
    run["limited_by"] = limited_by(run["cpu"])
    if run.get("requests"):
        fake_s = run["cpu"]["fake_cores"] * run["cpu"]["seconds"]
        run["fake_cpu_us_per_request"] = round(fake_s * 1e6 / run["requests"], 1)
    else:
        anomalies.append(f"{label}: no answer at all in {args.kube_duration} s ({args.kube_connections} "
                         f"connections; CPU {run['cpu']})")
    judge_wrk(run, label, anomalies, snippet=600)
    # Requests still in flight when wrk stopped are finished by the server and the fake: wait for them.
    run["quiet_wait_s"] = wait_quiet([server.pid, fake.pid])
    return run


def run_kube(args: argparse.Namespace, anomalies: list[str]) -> dict:
    """pods_list_in_namespace on a namespace of `--kube-pods` pods and pods_get, with wrk, interleaved."""
    out: dict = {"pods": args.kube_pods, "server_flags": kube_server_flags(args), "list_runs": [], "get_runs": []}
    fake = FakeCluster(args, f"{args.kube_pods}", args.kube_pods).start()
    out["fake_start_s"] = fake.start_s
    log(f"fake cluster with {args.kube_pods:,} pods ready in {fake.start_s} s at {fake.url}")
    server = None
    try:
        server = Server(args, f"kube-{args.kube_pods}", extra=kube_server_flags(args),
                        kubeconfig=fake.kubeconfig).start()
        sid = open_streamable_session(server.port)
        list_args = {"namespace": "bench"}
        pre = call_tool(server.port, sid, "pods_list_in_namespace", list_args)
        problem = tool_call_failure(pre)
        names = len(set(BENCH_POD_NAME.findall(pre["text"])))
        out["list_precheck"] = {k: pre[k] for k in ("status", "bytes", "ms", "is_error")} | {"pod_names": names}
        if problem:
            anomalies.append(f"kube: pods_list_in_namespace {list_args} -> {problem}")
        log(f"pods_list_in_namespace bench: {pre['status']}, {pre['bytes']:,} bytes, {names:,} distinct pod "
            f"names in the text, {pre['ms']} ms")
        pod, source = find_pod_name(args, server, sid, fake, anomalies)
        get_args = {"namespace": "bench", "name": pod}
        out["pod"], out["pod_from"] = pod, source
        pre_get = call_tool(server.port, sid, "pods_get", get_args)
        out["get_precheck"] = {k: pre_get[k] for k in ("status", "bytes", "ms", "is_error")}
        problem = tool_call_failure(pre_get)
        if problem:
            anomalies.append(f"kube: pods_get {get_args} -> {problem}")
        log(f"pods_get {pod} (from {source}): {pre_get['status']}, {pre_get['bytes']:,} bytes")
        wait_quiet([server.pid, fake.pid], max_s=3)
        bodies = (("list", tool_body("pods_list_in_namespace", list_args)), ("get", tool_body("pods_get", get_args)))
        for i in range(args.kube_runs):
            for kind, body in bodies:
                label = f"pods_{kind}-{i + 1}" if kind == "get" else f"pods_list_{args.kube_pods}-{i + 1}"
                run = run_kube_wrk(args, server, fake, sid, label, body, anomalies)
                out[f"{kind}_runs"].append(run)
                c = run["cpu"]
                checked = (f", answers checked: {run['checked_ok']} ok / {run['checked_bad']} bad"
                           if run["checked"] else "")
                log(f"{label}: {run['rps']:.1f} req/s, p50 {run['p50_ms']} ms, p99 {run['p99_ms']} ms (CPU cores: "
                    f"fake {c['fake_cores']}, kube-mcp {c['server_cores']} (loop {c['server_loop_cores']}), wrk "
                    f"{c['client_cores']}, others {c['other_cores']}, idle {c['idle_cores']}){checked}; "
                    f"limited by {run['limited_by']}")
                if not server.alive() or not fake.alive():
                    break
        post = call_tool(server.port, sid, "pods_get", get_args)
        problem = tool_call_failure(post)
        if problem:
            anomalies.append(f"kube: pods_get after the runs -> {problem}")
        if not server.alive():
            anomalies.append(f"kube: server exited ({server.proc.poll()}); log {server.log_tail()}")
        if not fake.alive():
            raise HarnessError(f"the fake cluster exited ({fake.proc.poll()}) during the runs: {fake.log_tail()}")
        logged = server.log_line_count()
        if logged:
            anomalies.append(f"kube: server logged {logged} warning/error lines, last: {server.log_tail(3)}")
        out["rss_after_kib"] = server.status()["VmRSS"]
    finally:
        if server is not None:
            server.stop()
        fake.stop()
    for kind in ("list", "get"):
        runs = out[f"{kind}_runs"]
        if not runs:
            continue
        out[f"{kind}_summary"] = {
            "rps_median": median_of(runs, lambda r: r["rps"]),
            "p50_ms_median": median_of(runs, lambda r: r["p50_ms"]),
            "p99_ms_median": median_of(runs, lambda r: r["p99_ms"]),
            **{f"{who}_cores_median": median_of(runs, lambda r, w=who: r["cpu"][f"{w}_cores"])
               for who in ("fake", "server", "server_loop", "client", "other", "idle")},
            "server_cpu_us_per_request_median": median_of(
                [r for r in runs if r.get("server_cpu_us_per_request")], lambda r: r["server_cpu_us_per_request"]),
            "fake_cpu_us_per_request_median": median_of(
                [r for r in runs if r.get("fake_cpu_us_per_request")], lambda r: r["fake_cpu_us_per_request"]),
            "answer_bytes": max((r.get("answer_bytes", {}).get("max", 0) for r in runs), default=0),
            "checked_ok": sum(r.get("checked_ok", 0) for r in runs),
            "checked_bad": sum(r.get("checked_bad", 0) for r in runs),
        }
        # The median run by requests/s tells what limited it.
        middle = sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]
        out[f"{kind}_summary"]["limited_by"] = middle["limited_by"]
    return out


def run_stall(args: argparse.Namespace, anomalies: list[str]) -> dict:
    """GET /health latency while clients keep listing `--stall-pods` pods, per --list-output mode."""
    out: dict = {"pods": args.stall_pods, "clients": args.stall_clients, "modes": {}}
    fake = FakeCluster(args, f"stall-{args.stall_pods}", args.stall_pods).start()
    out["fake_start_s"] = fake.start_s
    log(f"fake cluster with {args.stall_pods:,} pods ready in {fake.start_s} s at {fake.url}")
    list_body = tool_body("pods_list_in_namespace", {"namespace": "bench"})
    alt_body = tool_body("pods_list", {})
    try:
        for i, mode in enumerate(args.stall_output_list):
            server = Server(args, f"stall-{mode}", extra=kube_server_flags(args) + [f"--list-output={mode}"],
                            kubeconfig=fake.kubeconfig).start()
            res: dict = {"output": mode}
            out["modes"][mode] = res
            load = None
            try:
                sid = open_streamable_session(server.port)
                for name, arguments in (("pods_list_in_namespace", {"namespace": "bench"}), ("pods_list", {})):
                    pre = call_tool(server.port, sid, name, arguments)
                    res[f"precheck_{name}"] = {k: pre[k] for k in ("status", "bytes", "ms", "is_error")}
                    problem = tool_call_failure(pre)
                    if problem:
                        anomalies.append(f"stall ({mode}): {name} {arguments} -> {problem}")
                    log(f"stall ({mode}): {name}: {pre['status']}, {pre['bytes']:,} bytes in {pre['ms']} ms")
                wait_quiet([server.pid, fake.pid], max_s=3)
                if i == 0:
                    res["idle"] = out["idle"] = run_health_probe(args, server, fake, None, "stall-health-idle")
                    log(f"stall: GET /health without load: p50 {out['idle']['p50_ms']} ms, p99 "
                        f"{out['idle']['p99_ms']} ms, max {out['idle']['lua_latency_us']['max'] / 1000:.1f} ms")
                    judge_wrk(out["idle"], "stall /health idle", anomalies)
                    if args.stall_probe_duration > 0:
                        res["probe_idle"] = out["probe_idle"] = paced_health_probe(args, server, fake, None)
                        log(f"stall: /health probe every {args.stall_probe_interval:g} ms without load: "
                            f"{probe_summary(out['probe_idle'])}")
                        if out["probe_idle"]["errors"]:
                            anomalies.append(f"stall /health probe idle: {out['probe_idle']['errors']} failed: "
                                             f"{out['probe_idle']['first_errors']}")
                # The list load runs until the /health measurements are done, then gets SIGINT; -d only caps it.
                load_cap_s = math.ceil(args.stall_warmup + args.stall_duration + args.stall_probe_duration + 60)
                load = Wrk(args, f"stall-lists-{mode}", server.port, "/mcp", "tools_call.lua",
                           {"MCP_SESSION_ID": sid, "BENCH_BODY": list_body, "BENCH_BODY_ALT": alt_body}, 1,
                           args.stall_clients, load_cap_s, not args.wrk_light, timeout_s=args.kube_wrk_timeout)
                load.start()
                time.sleep(args.stall_warmup)
                if load.proc.poll() is not None:
                    early = load.finish(None, require_answers=False)  # raises with wrk's message if it failed
                    load = None
                    raise HarnessError(f"the list load (wrk) exited early: {early}")
                res["loaded"] = run_health_probe(args, server, fake, load, f"stall-health-{mode}")
                judge_wrk(res["loaded"], f"stall ({mode}) /health under load", anomalies)
                if args.stall_probe_duration > 0:
                    res["probe"] = paced_health_probe(args, server, fake, load)
                    if res["probe"]["errors"]:
                        anomalies.append(f"stall ({mode}) /health probe under load: {res['probe']['errors']} "
                                         f"failed: {res['probe']['first_errors']}")
                if load.proc.poll() is not None:
                    raise HarnessError(f"the list load (wrk) ended before the /health measurements did "
                                       f"(exit {load.proc.returncode})")
                load.interrupt()
                res["load_s"] = round(time.monotonic() - load.started, 1)
                res["lists"] = load.finish(None, grace=30, require_answers=False)
                load = None
                lists = res["lists"]
                judge_wrk(lists, f"stall ({mode}) big lists", anomalies, snippet=600)
                if not lists.get("requests"):
                    anomalies.append(f"stall ({mode}): no big list completed in {res['load_s']} s")
                h = res["loaded"]
                log(f"stall ({mode}): GET /health under load: p50 {h['p50_ms']} ms, p99 {h['p99_ms']} ms, max "
                    f"{h['lua_latency_us']['max'] / 1000:.1f} ms, {h['rps']:,.0f} req/s (CPU cores: fake "
                    f"{h['cpu']['fake_cores']}, kube-mcp {h['cpu']['server_cores']} (loop "
                    f"{h['cpu']['server_loop_cores']}), list wrk {h['cpu']['load_wrk_cores']}, /health wrk "
                    f"{h['cpu']['client_cores']}, others {h['cpu']['other_cores']}; loop waited for a CPU "
                    f"{h['cpu']['server_loop_wait_ms_per_s']} ms/s); big lists: "
                    f"{lists['requests']} in {res['load_s']} s, p50 {lists['p50_ms']} ms, "
                    f"{lists.get('answer_bytes', {}).get('max', 0):,} bytes each")
                if "probe" in res:
                    log(f"stall ({mode}): /health probe every {args.stall_probe_interval:g} ms under load: "
                        f"{probe_summary(res['probe'])}")
                res["quiet_wait_s"] = wait_quiet([server.pid, fake.pid])
                post = call_tool(server.port, sid, "pods_list_in_namespace", {"namespace": "bench", "limit": 1})
                problem = tool_call_failure(post)
                if problem:
                    anomalies.append(f"stall ({mode}): pods_list_in_namespace limit 1 after the load -> {problem}")
                if not server.alive():
                    anomalies.append(f"stall ({mode}): server exited ({server.proc.poll()}); log {server.log_tail()}")
                if not fake.alive():
                    raise HarnessError(f"the fake cluster exited ({fake.proc.poll()}): {fake.log_tail()}")
                logged = server.log_line_count()
                if logged:
                    anomalies.append(f"stall ({mode}): server logged {logged} warning/error lines, last: "
                                     f"{server.log_tail(3)}")
                res["rss_after_kib"] = server.status()["VmRSS"]
                res["rss_peak_kib"] = server.status()["VmHWM"]
            finally:
                if load is not None:
                    stop_process(load.proc)
                server.stop()
    finally:
        fake.stop()
    return out


def probe_summary(p: dict) -> str:
    limit = TARGETS["stall_health_p99_ms"]
    loop = p["loop"]
    return (f"{p['probes']} probes, p50 {p['p50_ms']} ms, p99 {p['p99_ms']} ms, max {p['max_ms']} ms, "
            f"{p[f'over_{limit:g}ms']} over {limit:g} ms (loop: {p['cpu']['server_loop_cores']} cores, waited for "
            f"a CPU {p['cpu']['server_loop_wait_ms_per_s']} ms/s; longest busy stretch {loop.get('busy_max_ms')} ms, "
            f"{loop.get(f'busy_over_{limit:g}ms')} over {limit:g} ms; longest wait for a CPU "
            f"{loop.get('wait_max_ms')} ms)" + (
                f"; during the slow probes ({loop['slow_ms']} ms) the loop was on a CPU {loop['slow_loop_run_pct']}%, "
                f"waiting for one {loop['slow_loop_wait_pct']}%, neither {loop['slow_loop_other_pct']}%"
                if "slow_ms" in loop else ""))


def run_health_probe(args: argparse.Namespace, server: Server, fake: FakeCluster, load: Wrk | None,
                     label: str) -> dict:
    """`wrk -t1 -c8 -d8s --latency` on GET /health, with the CPU split (fake, server, its loop, the list load)."""
    extra = {"fake": fake.pid}
    if load is not None:
        extra["load_wrk"] = load.pid
    wrk = Wrk(args, label, server.port, "/health", "health.lua", {}, 1, args.stall_health_connections,
              args.stall_duration, not args.wrk_light)
    meter = CpuMeter(server.pid, extra_pids=extra).__enter__()
    wrk.start()
    return wrk.finish(meter)


class LoopSampler(threading.Thread):
    """Samples the server's event-loop thread's /proc schedstat (nanoseconds on a CPU, nanoseconds runnable
    but waiting for one) about every 0.5 ms while the paced probe runs. A *busy stretch* is a run of sampling
    intervals in each of which the thread was on a CPU for >= 80 % of the time: the loop working without a
    break (nothing else on it, /health included, can run meanwhile). A *wait stretch* is the same for the run
    queue: the loop was ready but had no CPU (contention with the fake, the server's own worker threads, wrk
    and other work on the two cores). Telling the two apart says whether slow /health answers are the
    server's doing (work on the loop) or the machine's.

    `stop(slow)` also attributes the probes slower than the target: over their intervals together, how much
    of the time the loop thread was on a CPU, how much it was runnable without one, and the rest (blocked or
    sleeping: waiting for a lock, or idle because the request had not reached it)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.path = f"/proc/{pid}/task/{pid}/schedstat"
        self.samples: list[tuple[int, int, int]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                with open(self.path) as f:
                    run_ns, wait_ns, _ = f.read().split()
            except (OSError, ValueError):
                return
            self.samples.append((time.perf_counter_ns(), int(run_ns), int(wait_ns)))
            time.sleep(0.0005)

    def attribute(self, slow: list[tuple[int, int]]) -> dict:
        """Loop run / run-queue wait during the given (start_ns, end_ns) intervals (the samples just outside each
        interval bound it, so short intervals are slightly overestimated)."""
        times = [x[0] for x in self.samples]
        total = run = wait = 0
        for a, b in slow:
            i = max(0, bisect.bisect_right(times, a) - 1)
            j = min(len(times) - 1, bisect.bisect_left(times, b))
            if j <= i:
                continue
            span = times[j] - times[i]
            total += span
            run += self.samples[j][1] - self.samples[i][1]
            wait += self.samples[j][2] - self.samples[i][2]
        if not total:
            return {}
        return {"slow_ms": round(total / 1e6, 1), "slow_loop_run_pct": round(100 * run / total, 1),
                "slow_loop_wait_pct": round(100 * wait / total, 1),
                "slow_loop_other_pct": round(max(0.0, 100 * (total - run - wait) / total), 1)}

    def stop(self, slow: list[tuple[int, int]] | None = None) -> dict:
        self.stopping.set()
        self.join(timeout=2)
        out: dict = {"samples": len(self.samples)}
        if len(self.samples) < 2:
            return out
        out.update(self.attribute(slow or []))
        span_s = (self.samples[-1][0] - self.samples[0][0]) / 1e9
        for index, name in ((1, "busy"), (2, "wait")):
            stretches: list[int] = []
            current = 0
            for (t0, *v0), (t1, *v1) in zip(self.samples, self.samples[1:]):
                dt, dv = t1 - t0, v1[index - 1] - v0[index - 1]
                if dt > 0 and dv >= 0.8 * dt:
                    current += dt
                elif current:
                    stretches.append(current)
                    current = 0
            if current:
                stretches.append(current)
            limit_ns = TARGETS["stall_health_p99_ms"] * 1e6
            long = [x for x in stretches if x > limit_ns]
            out[f"{name}_max_ms"] = round(max(stretches, default=0) / 1e6, 1)
            out[f"{name}_over_{TARGETS['stall_health_p99_ms']:g}ms"] = len(long)
            out[f"{name}_ms_per_s_in_long"] = round(sum(long) / 1e6 / span_s, 1)
        return out


def paced_health_probe(args: argparse.Namespace, server: Server, fake: FakeCluster, load: Wrk | None) -> dict:
    """Open-loop probe: one GET /health every `--stall-probe-interval` ms on one keep-alive connection, from
    this process. Unlike wrk's closed loop (where a stall delays only the 8 requests in flight, so a 30-ms stall
    hardly moves p99), every probe that falls into a stall sees it: the share of slow probes is about the share
    of time the event loop did not answer. No catch-up burst after a slow answer."""
    extra = {"fake": fake.pid}
    if load is not None:
        extra["load_wrk"] = load.pid
    interval = args.stall_probe_interval / 1000
    request = build_request("GET", "/health", server.port)
    latencies: list[float] = []
    slow: list[tuple[int, int]] = []
    errors: list[str] = []
    sock = None
    meter = CpuMeter(server.pid, client_pids=[], extra_pids=extra).__enter__()
    sampler = LoopSampler(server.pid)
    sampler.start()
    t_next = time.perf_counter()
    end = t_next + args.stall_probe_duration
    try:
        while time.perf_counter() < end:
            try:
                if sock is None:
                    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                t0 = time.perf_counter_ns()
                sock.sendall(request)
                status, headers, body = read_response(sock)
                t1 = time.perf_counter_ns()
                latencies.append((t1 - t0) / 1e6)
                if t1 - t0 > TARGETS["stall_health_p99_ms"] * 1e6:
                    slow.append((t0, t1))
                if status != 200 or b'"ok"' not in body:
                    errors.append(f"{status} {body[:100]!r}")
                if headers.get("connection", "").lower() == "close":
                    sock.close()
                    sock = None
            except (OSError, HarnessError) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                if sock is not None:
                    sock.close()
                sock = None
                if len(errors) > 100:
                    break
            t_next += interval
            delay = t_next - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            else:
                t_next = time.perf_counter()
    finally:
        if sock is not None:
            sock.close()
        loop = sampler.stop(slow)
    cpu = meter.stop()
    if not latencies:
        raise HarnessError(f"the /health probe got no answer: {errors[:3]}")
    latencies.sort()

    def pct(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 3)

    limit = TARGETS["stall_health_p99_ms"]
    return {"probes": len(latencies), "interval_ms": args.stall_probe_interval, "p50_ms": pct(0.5),
            "p90_ms": pct(0.9), "p99_ms": pct(0.99), "p999_ms": pct(0.999), "max_ms": round(latencies[-1], 3),
            f"over_{limit:g}ms": sum(1 for x in latencies if x > limit), "errors": len(errors),
            "first_errors": errors[:3], "cpu": cpu, "loop": loop}


# --- report ---------------------------------------------------------------------------------------------------

def verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("PASS" if ok else "FAIL")


def build_report(results: dict) -> tuple[list[tuple[str, str, str, str]], dict]:
    rows: list[tuple[str, str, str, str]] = []
    flat: dict = {}
    target = TARGETS["idle_kib_per_session_15000"]
    for run in results.get("idle", []):
        if "kib_per_session" not in run:
            continue
        t, n = run["transport"], run["level"]
        flat[f"idle_{t}_bytes_per_session_{n}"] = run["bytes_per_session"]
        flat[f"idle_{t}_kib_per_session_{n}"] = run["kib_per_session"]
        flat[f"idle_{t}_anon_bytes_per_session_{n}"] = run["anon_bytes_per_session"]
        flat[f"idle_{t}_connect_s_{n}"] = run["connect_s"]
        flat[f"idle_{t}_opened_{n}"] = run["opened"]
        judged = n == 15000
        ok = run["kib_per_session"] <= target if judged else None
        if judged:
            flat[f"idle_{t}_pass_15000"] = ok
        name = "legacy SSE" if t == "sse" else "Streamable HTTP"
        quiet = "" if run["before"]["quiescent"] and run["after"]["quiescent"] else " (server not quiescent!)"
        flat[f"idle_{t}_quiescent_{n}"] = not quiet
        rows.append((f"idle {name} @ {n:,}: RSS per session",
                     f"{run['bytes_per_session']:,.0f} B = {run['kib_per_session']:.2f} KiB{quiet}",
                     f"<= {target:g} KiB" if judged else "(info)", verdict(ok)))
        rows.append((f"idle {name} @ {n:,}: connect all / opened",
                     f"{run['connect_s']:.2f} s / {run['opened']:,}", "(info)", "-"))
    tp = results.get("throughput")
    if tp and "tools_list_rps_median" in tp:
        for key in ("tools_list_rps_median", "tools_list_p50_ms_median", "tools_list_p99_ms_median",
                    "health_rps_median", "health_p50_ms_median", "health_p99_ms_median",
                    "tools_list_to_health_ratio"):
            flat[key] = tp[key]
        flat["tools_list_runs"] = [{**{k: r[k] for k in ("rps", "p50_ms", "p99_ms", "requests")},
                                    "other_cores": r["cpu"]["other_cores"]} for r in tp["tools_list_runs"]]
        flat["health_runs"] = [{**{k: r[k] for k in ("rps", "p50_ms", "p99_ms", "requests")},
                                "other_cores": r["cpu"]["other_cores"]} for r in tp["health_runs"]]
        flat["tools_list_answers_checked"] = sum(r.get("checked_ok", 0) + r.get("checked_bad", 0)
                                                 for r in tp["tools_list_runs"])
        flat["tools_list_answers_bad"] = sum(r.get("checked_bad", 0) for r in tp["tools_list_runs"])
        rps_ok = tp["tools_list_rps_median"] >= TARGETS["tools_list_rps"]
        p99_ok = tp["tools_list_p99_ms_median"] < TARGETS["tools_list_p99_ms"]
        flat["tools_list_rps_pass"], flat["tools_list_p99_pass"] = rps_ok, p99_ok
        flat["tools_list_to_health_ratio_runs"] = tp["tools_list_to_health_ratio_runs"]
        runs = ", ".join(f"{r['rps']:,.0f}" for r in tp["tools_list_runs"])
        runs += " (others " + "/".join(f"{r['cpu']['other_cores']:.2f}" for r in tp["tools_list_runs"]) + " cores)"
        rows.append(("tools/list req/s (median)", f"{tp['tools_list_rps_median']:,.0f}",
                     f">= {TARGETS['tools_list_rps']:,.0f}", verdict(rps_ok)))
        rows.append(("  runs", runs, "", ""))
        rows.append(("tools/list p50 latency (median)", f"{tp['tools_list_p50_ms_median']:.3f} ms", "(info)", "-"))
        rows.append(("tools/list p99 latency (median)", f"{tp['tools_list_p99_ms_median']:.3f} ms",
                     f"< {TARGETS['tools_list_p99_ms']:g} ms", verdict(p99_ok)))
        if all(r["checked"] for r in tp["tools_list_runs"]):
            rows.append(("tools/list answers checked in Lua: bad / all",
                         f"{flat['tools_list_answers_bad']:,} / {flat['tools_list_answers_checked']:,}", "0 bad",
                         verdict(flat["tools_list_answers_bad"] == 0)))
        rows.append(("GET /health req/s (median, ceiling)", f"{tp['health_rps_median']:,.0f}", "(info)", "-"))
        rows.append(("GET /health p50 / p99 (median)",
                     f"{tp['health_p50_ms_median']:.3f} / {tp['health_p99_ms_median']:.3f} ms", "(info)", "-"))
        rows.append(("tools/list / health throughput (medians; per run)",
                     f"{tp['tools_list_to_health_ratio']:.2f}; "
                     + ", ".join(f"{x:.2f}" for x in tp["tools_list_to_health_ratio_runs"]), "(info)", "-"))
        flat["wrk_other_cores_median"] = tp["other_cores_median"]
        for kind, label in (("tools_list", "tools/list"), ("health", "GET /health")):
            value = tp.get(f"{kind}_server_cpu_us_per_request_median")
            flat[f"{kind}_server_cpu_us_per_request_median"] = value
            if value:
                rows.append((f"{label}: server CPU per request (median)",
                             f"{value:.1f} us (= {1e6 / value:,.0f}/s per core)", "(info)", "-"))
        rows.append(("CPU used by other processes during wrk (median)",
                     f"{tp['other_cores_median']:.2f} of {os.cpu_count()} cores", "(noise)", "-"))
    st = results.get("startup")
    if st and "first_initialize_ms_median" in st:
        flat["first_initialize_ms_median"] = st["first_initialize_ms_median"]
        flat["first_initialize_runs_ms"] = [r["first_initialize_ms"] for r in st["runs"]]
        flat["first_accept_ms_median"] = st["accept_ms_median"]
        ok = st["first_initialize_ms_median"] <= TARGETS["first_initialize_ms"]
        flat["first_initialize_pass"] = ok
        rows.append(("process start -> first initialize (median)", f"{st['first_initialize_ms_median']:.1f} ms",
                     f"<= {TARGETS['first_initialize_ms']:g} ms", verdict(ok)))
        rows.append(("  runs", ", ".join(f"{r['first_initialize_ms']:.1f}" for r in st["runs"]) + " ms", "", ""))
        rows.append(("  port accepting (median)", f"{st['accept_ms_median']:.1f} ms", "(info)", "-"))
    kube = results.get("kube")
    if kube:
        n = kube["pods"]
        flat["kube_server_flags"] = kube["server_flags"]
        flat["kube_fake_start_s"] = kube.get("fake_start_s")
        if "list_precheck" in kube:
            flat[f"pods_list_{n}_answer_bytes"] = kube["list_precheck"]["bytes"]
            flat[f"pods_list_{n}_pod_names_in_answer"] = kube["list_precheck"]["pod_names"]
        if "get_precheck" in kube:
            flat["pods_get_answer_bytes"] = kube["get_precheck"]["bytes"]
        for kind, key, label in (("list", f"pods_list_{n}", f"pods_list_in_namespace ({n:,} pods)"),
                                 ("get", "pods_get", "pods_get (one pod)")):
            sm = kube.get(f"{kind}_summary")
            if not sm:
                continue
            runs = kube[f"{kind}_runs"]
            flat[f"{key}_rps_median"] = sm["rps_median"]
            flat[f"{key}_p50_ms_median"] = sm["p50_ms_median"]
            flat[f"{key}_p99_ms_median"] = sm["p99_ms_median"]
            for who, name in (("fake", "fake"), ("server", "server"), ("server_loop", "server_loop"),
                              ("client", "wrk"), ("other", "other"), ("idle", "idle")):
                flat[f"{name}_cpu_cores_{key}_median"] = sm[f"{who}_cores_median"]
            flat[f"{key}_server_cpu_us_per_request_median"] = sm["server_cpu_us_per_request_median"]
            flat[f"{key}_fake_cpu_us_per_request_median"] = sm["fake_cpu_us_per_request_median"]
            flat[f"{key}_limited_by"] = sm["limited_by"]
            flat[f"{key}_answers_checked"] = sm["checked_ok"] + sm["checked_bad"]
            flat[f"{key}_answers_bad"] = sm["checked_bad"]
            flat[f"{key}_runs"] = [{"rps": r["rps"], "p50_ms": r["p50_ms"], "p99_ms": r["p99_ms"],
                                    "requests": r["requests"], "fake_cores": r["cpu"]["fake_cores"],
                                    "server_cores": r["cpu"]["server_cores"],
                                    "server_loop_cores": r["cpu"]["server_loop_cores"],
                                    "wrk_cores": r["cpu"]["client_cores"], "other_cores": r["cpu"]["other_cores"],
                                    "idle_cores": r["cpu"]["idle_cores"]} for r in runs]
            failed = f" (answers incl. {sm['checked_bad']:,} failed calls!)" if sm["checked_bad"] else ""
            rows.append((f"{label} req/s (median)", f"{sm['rps_median']:,.1f}{failed}", "(info)", "-"))
            rows.append(("  runs", ", ".join(f"{r['rps']:,.1f}" for r in runs), "", ""))
            rows.append((f"{label} p50 / p99 (median)",
                         f"{sm['p50_ms_median']:,.2f} / {sm['p99_ms_median']:,.2f} ms", "(info)", "-"))
            rows.append(("  CPU cores: fake / kube-mcp (its loop) / wrk / others (median)",
                         f"{sm['fake_cores_median']:.2f} / {sm['server_cores_median']:.2f} "
                         f"({sm['server_loop_cores_median']:.2f}) / {sm['client_cores_median']:.2f} / "
                         f"{sm['other_cores_median']:.2f}", "(info)", "-"))
            rows.append(("  CPU per request: kube-mcp / fake (median)",
                         f"{sm['server_cpu_us_per_request_median']:,.0f} / "
                         f"{sm['fake_cpu_us_per_request_median']:,.0f} us", "(info)", "-"))
            rows.append(("  limited by", sm["limited_by"], "(info)", "-"))
            if all(r["checked"] for r in runs):
                rows.append(("  answers checked in Lua (200, \"isError\":false): bad / all",
                             f"{sm['checked_bad']:,} / {sm['checked_ok'] + sm['checked_bad']:,} "
                             f"({sm['answer_bytes']:,} B each)", "0 bad", verdict(sm["checked_bad"] == 0)))
        if "list_precheck" in kube:
            pre = kube["list_precheck"]
            rows.append((f"  pods_list_in_namespace ({n:,} pods): one answer",
                         f"{pre['bytes']:,} B, {pre['pod_names']:,} distinct pod names", "(info)", "-"))
        if kube["server_flags"]:
            rows.append(("  kube-mcp flags for these runs", " ".join(kube["server_flags"]), "", ""))
    stall = results.get("stall")
    if stall:
        target = TARGETS["stall_health_p99_ms"]
        n, clients = stall["pods"], stall["clients"]
        idle = stall.get("idle")
        if idle:
            flat["stall_health_p50_ms_idle"] = idle["p50_ms"]
            flat["stall_health_p99_ms_idle"] = idle["p99_ms"]
            flat["stall_health_max_ms_idle"] = round(idle["lua_latency_us"]["max"] / 1000, 3)
            flat["stall_health_rps_idle"] = idle["rps"]
        worst = None
        for mode, res in stall["modes"].items():
            h, lists = res.get("loaded"), res.get("lists")
            if not h or not lists:
                continue
            ok = h["p99_ms"] < target
            flat[f"stall_health_p50_ms_{mode}"] = h["p50_ms"]
            flat[f"stall_health_p99_ms_{mode}"] = h["p99_ms"]
            flat[f"stall_health_max_ms_{mode}"] = round(h["lua_latency_us"]["max"] / 1000, 3)
            flat[f"stall_health_rps_{mode}"] = h["rps"]
            flat[f"stall_pass_{mode}"] = ok
            # Completed = answered 200 with "isError":false when the answers are checked (wrk counts every answer).
            completed = lists.get("checked_ok", 0) if lists["checked"] else lists["requests"]
            res["completed"] = completed
            flat[f"stall_big_lists_completed_{mode}"] = completed
            flat[f"stall_big_lists_failed_{mode}"] = lists.get("checked_bad", 0)
            flat[f"stall_big_list_p50_ms_{mode}"] = lists["p50_ms"] if completed else None
            flat[f"stall_big_list_bytes_{mode}"] = lists.get("answer_bytes", {}).get("max")
            for who, name in (("fake", "fake"), ("server", "server"), ("server_loop", "server_loop"),
                              ("load_wrk", "lists_wrk"), ("client", "health_wrk"), ("other", "other"),
                              ("idle", "idle")):
                flat[f"{name}_cpu_cores_stall_{mode}"] = h["cpu"][f"{who}_cores"]
            if worst is None or h["p99_ms"] > stall["modes"][worst]["loaded"]["p99_ms"]:
                worst = mode
            c = h["cpu"]
            rows.append((f"stall ({mode} output): GET /health p99 while {clients} clients list {n:,} pods",
                         f"{h['p99_ms']:.3f} ms", f"< {target:g} ms", verdict(ok)))
            rows.append(("  /health p50 / max; req/s",
                         f"{h['p50_ms']:.3f} / {h['lua_latency_us']['max'] / 1000:.1f} ms; {h['rps']:,.0f}",
                         "(info)", "-"))
            rows.append(("  big lists completed; p50 latency; size",
                         f"{completed:,} in {res.get('load_s', 0)} s; "
                         + (f" ({lists['checked_bad']:,} failed!) " if lists.get("checked_bad") else "")
                         + (f"{lists['p50_ms']:,.0f} ms" if completed else "-")
                         + f"; {lists.get('answer_bytes', {}).get('max', 0):,} B", "(info)", "-"))
            rows.append(("  CPU cores: fake / kube-mcp (its loop) / list wrk / health wrk / others",
                         f"{c['fake_cores']:.2f} / {c['server_cores']:.2f} ({c['server_loop_cores']:.2f}) / "
                         f"{c['load_wrk_cores']:.2f} / {c['client_cores']:.2f} / {c['other_cores']:.2f}",
                         "(info)", "-"))
            rows.append(("  kube-mcp loop thread: waited for a CPU (run queue)",
                         f"{c['server_loop_wait_ms_per_s']:.0f} ms per s", "(info)", "-"))
            flat[f"server_loop_wait_ms_per_s_stall_{mode}"] = c["server_loop_wait_ms_per_s"]
            pr = res.get("probe")
            if pr:
                over = pr[f"over_{target:g}ms"]
                flat[f"stall_probe_p50_ms_{mode}"] = pr["p50_ms"]
                flat[f"stall_probe_p99_ms_{mode}"] = pr["p99_ms"]
                flat[f"stall_probe_max_ms_{mode}"] = pr["max_ms"]
                flat[f"stall_probe_over_{target:g}ms_{mode}"] = over
                flat[f"stall_probe_count_{mode}"] = pr["probes"]
                rows.append((f"  paced /health probe (1 per {pr['interval_ms']:g} ms): p50 / p99 / max; "
                             f"> {target:g} ms",
                             f"{pr['p50_ms']:.3f} / {pr['p99_ms']:.3f} / {pr['max_ms']:.1f} ms; "
                             f"{over} of {pr['probes']}", "(info)", "-"))
                lp = pr["loop"]
                if "busy_max_ms" in lp:
                    flat[f"stall_loop_busy_max_ms_{mode}"] = lp["busy_max_ms"]
                    flat[f"stall_loop_busy_over_{target:g}ms_{mode}"] = lp[f"busy_over_{target:g}ms"]
                    flat[f"stall_loop_wait_max_ms_{mode}"] = lp["wait_max_ms"]
                    rows.append((f"  loop during the probe: longest busy stretch (> {target:g} ms); longest CPU wait",
                                 f"{lp['busy_max_ms']:.1f} ms ({lp[f'busy_over_{target:g}ms']}); "
                                 f"{lp['wait_max_ms']:.1f} ms", "(info)", "-"))
                if "slow_ms" in lp:
                    for key in ("slow_loop_run_pct", "slow_loop_wait_pct", "slow_loop_other_pct"):
                        flat[f"stall_probe_{key}_{mode}"] = lp[key]
                    rows.append(("  loop during the slow probes: on a CPU / waiting for a CPU / neither",
                                 f"{lp['slow_loop_run_pct']:.0f}% / {lp['slow_loop_wait_pct']:.0f}% / "
                                 f"{lp['slow_loop_other_pct']:.0f}% of {lp['slow_ms']:,.0f} ms", "(info)", "-"))
        if worst is not None:
            w = stall["modes"][worst]
            flat["stall_output_worst"] = worst
            flat["stall_health_p50_ms"] = w["loaded"]["p50_ms"]
            flat["stall_health_p99_ms"] = w["loaded"]["p99_ms"]
            flat["stall_big_lists_completed"] = sum(r.get("completed", 0) for r in stall["modes"].values())
            flat["stall_big_list_p50_ms"] = w["lists"]["p50_ms"] if w.get("completed") else None
            flat["fake_cpu_cores_stall"] = w["loaded"]["cpu"]["fake_cores"]
            flat["stall_pass"] = all(flat.get(f"stall_pass_{m}") for m in stall["modes"]
                                     if f"stall_pass_{m}" in flat)
        pi = stall.get("probe_idle")
        if pi:
            flat["stall_probe_p50_ms_idle"] = pi["p50_ms"]
            flat["stall_probe_p99_ms_idle"] = pi["p99_ms"]
            flat["stall_probe_max_ms_idle"] = pi["max_ms"]
            flat[f"stall_probe_over_{target:g}ms_idle"] = pi[f"over_{target:g}ms"]
            if "busy_max_ms" in pi["loop"]:
                flat["stall_loop_busy_max_ms_idle"] = pi["loop"]["busy_max_ms"]
                flat["stall_loop_wait_max_ms_idle"] = pi["loop"]["wait_max_ms"]
        if idle:
            flat["server_loop_wait_ms_per_s_stall_idle"] = idle["cpu"]["server_loop_wait_ms_per_s"]
            rows.append(("stall: GET /health p50 / p99 / max without load",
                         f"{idle['p50_ms']:.3f} / {idle['p99_ms']:.3f} / {idle['lua_latency_us']['max'] / 1000:.1f}"
                         f" ms; {idle['rps']:,.0f} req/s", "(info)", "-"))
        if pi:
            rows.append((f"  paced /health probe without load: p50 / p99 / max; > {target:g} ms",
                         f"{pi['p50_ms']:.3f} / {pi['p99_ms']:.3f} / {pi['max_ms']:.1f} ms; "
                         f"{pi[f'over_{target:g}ms']} of {pi['probes']}", "(info)", "-"))
    return rows, flat


def print_table(rows: list[tuple[str, str, str, str]]) -> None:
    widths = [max(len(r[i]) for r in rows + [("Measurement", "Value", "Target", "Result")]) for i in range(4)]
    line = "  ".join("-" * w for w in widths)
    print(line)
    print("  ".join(h.ljust(w) for h, w in zip(("Measurement", "Value", "Target", "Result"), widths)))
    print(line)
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    print(line)


def git_commit() -> str:
    try:
        return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=5).stdout.strip()
    except Exception:  # noqa: BLE001
        return ""


def newest_source_mtime() -> float:
    newest = 0.0
    for path in list((ROOT / "Sources").rglob("*")) + [ROOT / "Package.swift"]:
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
    return newest


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description="kube-mcp benchmarks (see Benchmarks/README.md)")
    p.add_argument("--only", action="append", choices=("idle", "throughput", "startup", "kube"),
                   help="run only this part (repeatable); default: all four")
    p.add_argument("--levels", default="1000,5000,15000", help="idle sessions per run, comma-separated")
    p.add_argument("--transports", default="sse,streamable", help="idle transports: sse, streamable")
    p.add_argument("--bin", type=Path, default=Path(os.environ.get("KUBE_MCP_BIN", DEFAULT_BIN)))
    p.add_argument("--no-bin-copy", action="store_true",
                   help="run --bin in place instead of a copy taken at the start (a rebuild during the run then "
                        "mixes two builds)")
    p.add_argument("--kubeconfig", type=Path, default=DEFAULT_KUBECONFIG)
    p.add_argument("--out-dir", type=Path, default=None,
                   help="logs, raw wrk output and result.json (default bench-results/<timestamp>)")
    p.add_argument("--server-arg", action="append", default=[], metavar="ARG",
                   help="extra server argument, repeatable (e.g. --server-arg=--max-connections=500)")
    p.add_argument("--wrk", default="wrk")
    p.add_argument("--wrk-runs", type=int, default=3)
    p.add_argument("--wrk-duration", type=int, default=10, help="seconds per measured wrk run")
    p.add_argument("--wrk-threads", type=int, default=2)
    p.add_argument("--wrk-connections", type=int, default=64)
    p.add_argument("--wrk-light", action="store_true",
                   help="no per-answer Lua check in the wrk runs (wrk still counts statuses >= 400)")
    p.add_argument("--starts", type=int, default=5, help="server starts for the first-initialize measurement")
    p.add_argument("--max-per-worker", type=int, default=4000, help="most sessions per load-client process")
    p.add_argument("--min-workers", type=int, default=4, help="fewest load-client processes")
    p.add_argument("--post-conns", type=int, default=4, help="shared POST connections per load client")
    p.add_argument("--concurrency", type=int, default=64, help="sessions set up at once per load client")
    p.add_argument("--step-timeout", type=float, default=20.0, help="seconds for each step of a session set-up")
    p.add_argument("--connect-timeout", type=float, default=120.0, help="seconds to open all sessions of a level")
    p.add_argument("--probes", type=int, default=20, help="ping probes per load client after measuring")
    k = p.add_argument_group("kube: Kubernetes tools against Tests/FakeCluster (--only kube)")
    k.add_argument("--kube-pods", type=int, default=1000, help="pods in the namespace pods_list_in_namespace lists")
    k.add_argument("--kube-runs", type=int, default=3, help="wrk runs per tool (pods_list_in_namespace, pods_get)")
    k.add_argument("--kube-duration", type=int, default=8, help="seconds per wrk run")
    k.add_argument("--kube-threads", type=int, default=2, help="wrk threads")
    k.add_argument("--kube-connections", type=int, default=64, help="wrk connections")
    k.add_argument("--kube-wrk-timeout", type=float, default=60.0,
                   help="wrk --timeout for tool calls (a slower answer is a socket timeout error)")
    k.add_argument("--kube-qps", type=float, default=100000,
                   help="the server's --kube-qps (and --kube-burst) for these runs, so that its client-side rate "
                        "limiter (default 50/s) is not what is measured; 0 = the server's defaults")
    k.add_argument("--stall-pods", type=int, default=5000, help="pods the stall test lists")
    k.add_argument("--stall-clients", type=int, default=4, help="concurrent big-list clients (wrk connections)")
    k.add_argument("--stall-duration", type=int, default=8, help="seconds of each GET /health measurement")
    k.add_argument("--stall-warmup", type=float, default=3.0, help="seconds of list load before measuring /health")
    k.add_argument("--stall-health-connections", type=int, default=8, help="wrk connections on GET /health")
    k.add_argument("--stall-probe-duration", type=float, default=4.0,
                   help="seconds of the paced (open-loop) GET /health probe after the wrk one; 0 = none")
    k.add_argument("--stall-probe-interval", type=float, default=2.0, help="ms between paced /health probes")
    k.add_argument("--stall-outputs", default="table,json",
                   help="--list-output modes to run the stall test with, one fresh server each (table: the "
                        "default; json: the full objects, ~15 MB for 5,000 pods)")
    k.add_argument("--fake-start-timeout", type=float, default=120.0, help="seconds for a fake cluster to be ready")
    args = p.parse_args()
    args.parts = args.only or ["startup", "throughput", "idle", "kube"]
    args.stall_output_list = [m.strip() for m in args.stall_outputs.split(",") if m.strip()]
    for m in args.stall_output_list:
        if m not in ("table", "yaml", "json"):
            p.error(f"unknown --list-output mode {m!r}")
    args.level_list = [int(x) for x in args.levels.split(",") if x.strip()]
    args.transport_list = [t.strip() for t in args.transports.split(",") if t.strip()]
    for t in args.transport_list:
        if t not in ("sse", "streamable"):
            p.error(f"unknown transport {t!r}")
    if args.max_per_worker > 5000:
        p.error("--max-per-worker above 5000 gets close to the 20,000 descriptor cap per process")
    if args.out_dir is None:
        args.out_dir = ROOT / "bench-results" / datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return args


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGHUP, _on_sigterm)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    anomalies: list[str] = []
    harness_errors: list[str] = []
    results: dict = {}
    meta = {"commit": git_commit(), "bin": str(args.bin), "cpus": os.cpu_count(),
            "loadavg_start": os.getloadavg()[0], "out_dir": str(args.out_dir),
            "nofile": resource.getrlimit(resource.RLIMIT_NOFILE)[0],
            "started": datetime.datetime.now().isoformat(timespec="seconds")}
    source_bin, bin_stat = args.bin, None
    try:
        if not os.access(args.bin, os.X_OK):
            raise HarnessError(f"no server binary at {args.bin}: run `make release` (or `make bench`)")
        if args.bin.stat().st_mtime < newest_source_mtime():
            log(f"WARNING: {args.bin} is older than Sources/: the numbers are for the old build")
            meta["binary_older_than_sources"] = True
        bin_stat = source_bin.stat()
        meta["bin_mtime"] = datetime.datetime.fromtimestamp(bin_stat.st_mtime).isoformat(timespec="seconds")
        if not args.no_bin_copy:
            # Others rebuild .build/release while we run: every server of this run starts from one snapshot.
            copy = args.out_dir / "kube-mcp"
            _temp_files.append(copy)  # 14 MB: removed on exit, result.json keeps its sha256
            shutil.copy2(source_bin, copy)
            if source_bin.stat().st_mtime_ns != bin_stat.st_mtime_ns:
                raise HarnessError(f"{source_bin} changed while it was copied (a build is writing it): retry")
            args.bin = copy
            meta["bin_copy"] = str(copy)
        with open(args.bin, "rb") as f:
            meta["bin_sha256"] = hashlib.sha256(f.read()).hexdigest()[:16]
        for tool in (args.wrk,):
            if ({"throughput", "kube"} & set(args.parts)
                    and subprocess.run(["which", tool], capture_output=True).returncode):
                raise HarnessError(f"{tool} not found (apt-get install wrk)")
        log(f"results and logs in {args.out_dir}")
        if "startup" in args.parts:
            log(f"3. time to the first initialize, {args.starts} starts")
            try:
                results["startup"] = run_startup(args, anomalies)
            except HarnessError as exc:
                harness_errors.append(f"startup: {exc}")
                log(f"HARNESS ERROR in startup: {exc}")
        if "throughput" in args.parts:
            log(f"2. tools/list throughput: wrk -t{args.wrk_threads} -c{args.wrk_connections} "
                f"-d{args.wrk_duration}s x {args.wrk_runs}, interleaved with GET /health")
            try:
                results["throughput"] = run_throughput(args, anomalies)
            except HarnessError as exc:
                harness_errors.append(f"throughput: {exc}")
                log(f"HARNESS ERROR in throughput: {exc}")
        if "idle" in args.parts:
            results["idle"] = []
            for transport in args.transport_list:
                for level in args.level_list:
                    log(f"1. idle {transport} sessions: {level:,}")
                    try:
                        run = run_idle(args, transport, level, anomalies)
                        results["idle"].append(run)
                        log(f"   opened {run['opened']:,} in {run['connect_s']:.2f} s; RSS "
                            f"{run['before']['VmRSS']:,} -> {run['after']['VmRSS']:,} KiB "
                            f"(quiescent: {run['after']['quiescent']}, waited {run['after']['waited_s']} s): "
                            f"{run['bytes_per_session']:,.0f} B/session; still open {run['still_open']:,}, "
                            f"probes {run['probe_ok']}/{run['probe_ok'] + run['probe_failed']} ok")
                    except HarnessError as exc:
                        harness_errors.append(f"idle {transport} {level}: {exc}")
                        log(f"HARNESS ERROR in idle {transport} {level}: {exc}")
        if "kube" in args.parts:
            if not FAKE_CLUSTER.exists():
                raise HarnessError(f"no fake cluster at {FAKE_CLUSTER}")
            log(f"4a. Kubernetes tools: pods_list_in_namespace ({args.kube_pods:,} pods) and pods_get, wrk "
                f"-t{args.kube_threads} -c{args.kube_connections} -d{args.kube_duration}s x {args.kube_runs}")
            try:
                results["kube"] = run_kube(args, anomalies)
            except HarnessError as exc:
                harness_errors.append(f"kube: {exc}")
                log(f"HARNESS ERROR in kube: {exc}")
            log(f"4b. stall: GET /health while {args.stall_clients} clients list {args.stall_pods:,} pods "
                f"(outputs: {', '.join(args.stall_output_list)})")
            try:
                results["stall"] = run_stall(args, anomalies)
            except HarnessError as exc:
                harness_errors.append(f"stall: {exc}")
                log(f"HARNESS ERROR in stall: {exc}")
    except HarnessError as exc:
        harness_errors.append(str(exc))
        log(f"HARNESS ERROR: {exc}")
    except KeyboardInterrupt:
        harness_errors.append("interrupted")
        log("interrupted")
    except Exception as exc:  # noqa: BLE001 - report, then exit 1
        harness_errors.append(f"{type(exc).__name__}: {exc}")
        traceback.print_exc()
    finally:
        kill_all_children()

    rows, flat = build_report(results)
    try:
        if bin_stat is not None and source_bin.stat().st_mtime_ns != bin_stat.st_mtime_ns:
            meta["bin_rebuilt_during_run"] = True
            log(f"note: {source_bin} was rebuilt during the run"
                + ("; this run used the copy taken at the start" if not args.no_bin_copy else
                   " and --no-bin-copy was given: later parts may have run the new build"))
    except OSError:
        pass
    meta["duration_s"] = round(time.perf_counter() - started, 1)
    meta["loadavg_end"] = os.getloadavg()[0]
    summary = {**flat, "targets": TARGETS, "anomalies": anomalies, "harness_errors": harness_errors,
               "meta": meta}
    # result.json keeps everything (per-client figures, CPU split, full wrk parse); the stdout line carries
    # every figure and each run in compact form.
    (args.out_dir / "result.json").write_text(json.dumps({**summary, "raw": results}, indent=2))
    summary["idle_runs"] = [
        {"transport": r["transport"], "level": r["level"], "opened": r.get("opened"), "failed": r.get("failed"),
         "rss_before_kib": r.get("before", {}).get("VmRSS"), "rss_after_kib": r.get("after", {}).get("VmRSS"),
         "rss_after_close_kib": r.get("after_close", {}).get("VmRSS"),
         "bytes_per_session": r.get("bytes_per_session"), "connect_s": r.get("connect_s"),
         "still_open": r.get("still_open"), "probe_ok": r.get("probe_ok"), "probe_failed": r.get("probe_failed"),
         "heartbeats_while_idle": r.get("heartbeats_while_idle"), "events_while_idle": r.get("events_while_idle")}
        for r in results.get("idle", [])]
    if "startup" in results:
        summary["startup_runs"] = results["startup"]["runs"]
    print()
    if rows:
        print_table(rows)
    for a in anomalies:
        print(f"!!! SERVER MISBEHAVED: {a}")
    for e in harness_errors:
        print(f"!!! HARNESS ERROR: {e}")
    print(f"({meta['duration_s']} s; load average {meta['loadavg_start']:.2f} -> {meta['loadavg_end']:.2f}; "
          f"details in {args.out_dir})")
    print(json.dumps(summary, separators=(",", ":")), flush=True)
    if harness_errors:
        return 1
    return 2 if anomalies else 0


if __name__ == "__main__":
    sys.exit(main())
