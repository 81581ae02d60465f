#!/usr/bin/env python3
"""kube-mcp benchmarks: idle-session memory, tools/list throughput, time to the first initialize.

`make bench` runs this file with the project venv after building the release binary. It prints progress on
stderr, then a table (each figure next to its target) and, as the very last stdout line, one JSON object with
every figure and the raw runs. Everything it starts (servers, load clients, wrk) listens or connects on
127.0.0.1-9 only and is killed on the way out, also on errors and Ctrl-C.

Exit status: 0 = the harness ran (targets may still be missed: see the table), 1 = harness error (something
could not be measured), 2 = the server misbehaved (non-200 answers, refused or dropped sessions, a crash,
socket errors under load). See Benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import atexit
import ctypes
import datetime
import json
import math
import os
import re
import resource
import select
import signal
import socket
import statistics
import subprocess
import sys
import time
import traceback
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DEFAULT_BIN = ROOT / ".build" / "release" / "kube-mcp"
DEFAULT_KUBECONFIG = ROOT / "Tests" / "e2e" / "data" / "kubeconfig.yaml"
SOURCE_ADDRESSES = [f"127.0.0.{i}" for i in range(2, 10)]
CLK_TCK = os.sysconf("SC_CLK_TCK")

TARGETS = {
    "idle_kib_per_session_15000": 2.0,     # <= KiB per idle session at 15,000, either transport
    "tools_list_rps": 50_000.0,            # >= requests/s
    "tools_list_p99_ms": 5.0,              # < ms
    "first_initialize_ms": 50.0,           # <= ms
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
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise HarnessError("connection closed inside the response body")
        rest += chunk
    return status, headers, rest[:length]


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


def system_cpu() -> tuple[int, int, int]:
    """(busy, steal, total) ticks over all CPUs from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return user + nice + system + irq + softirq + steal, steal, sum(fields[:8])


class CpuMeter:
    """Where the machine's CPU went during a measurement: the server, our load client(s), everything else.

    The machine is shared and noisy; `other_cores` (CPU used by processes that are neither the server nor the
    load generator, averaged over the run, in cores) tells how much a run was disturbed."""

    def __init__(self, server_pid: int, client_pids: list[int] | None = None):
        self.server_pid = server_pid
        self.client_pids = client_pids

    def __enter__(self) -> "CpuMeter":
        self.t0 = time.monotonic()
        self.sys0 = system_cpu()
        self.server0 = cpu_ticks(self.server_pid)
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
        self.result = {
            "seconds": round(seconds, 3),
            "server_cpu_s": round(server / CLK_TCK, 2),
            "server_cores": round(server / CLK_TCK / seconds, 2),
            "client_cores": round(clients / CLK_TCK / seconds, 2),
            "other_cores": round(max(0.0, busy - server - clients) / CLK_TCK / seconds, 2),
            "steal_cores": round((steal1 - self.sys0[1]) / CLK_TCK / seconds, 2),
            "idle_cores": round(max(0, (total1 - self.sys0[2]) - busy) / CLK_TCK / seconds, 2),
        }
        return self.result


class Server:
    def __init__(self, args: argparse.Namespace, name: str, extra: list[str] | None = None):
        self.args = args
        self.name = name
        self.extra = extra or []
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.log_path = args.out_dir / f"server-{name}.log"

    def command(self) -> list[str]:
        return [str(self.args.bin), "--host", "127.0.0.1", "--port", str(self.port),
                "--kubeconfig", str(self.args.kubeconfig), "--log-level", "warning", *self.extra,
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
    m = re.search(r"BENCH_CHECK ok=(\d+) bad=(\d+) status=(\S*) first_bad=(.*)$", text, re.M)
    if m:
        out["checked_ok"], out["checked_bad"] = int(m.group(1)), int(m.group(2))
        out["bad_statuses"] = m.group(3)
        out["first_bad"] = m.group(4).strip()
    return out


def run_wrk(args: argparse.Namespace, server: Server, kind: str, session_id: str, duration: int, check: bool,
            label: str) -> dict:
    script = BENCH_DIR / ("tools_list.lua" if kind == "tools_list" else "health.lua")
    path = "/mcp" if kind == "tools_list" else "/health"
    env = dict(os.environ, MCP_SESSION_ID=session_id, BENCH_HOST=f"127.0.0.1:{server.port}",
               BENCH_CHECK="1" if check else "0")
    cmd = [args.wrk, f"-t{args.wrk_threads}", f"-c{args.wrk_connections}", f"-d{duration}s", "--latency",
           "-s", str(script), f"http://127.0.0.1:{server.port}{path}"]
    meter = CpuMeter(server.pid).__enter__()
    proc = spawn(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=BENCH_DIR)
    try:
        stdout, stderr = proc.communicate(timeout=duration + 30)
        cpu = meter.stop()
    except subprocess.TimeoutExpired:
        stop_process(proc)
        raise HarnessError(f"wrk {label} did not finish within {duration + 30} s") from None
    finally:
        if proc in _children:
            _children.remove(proc)
    text = stdout.decode(errors="replace")
    err = stderr.decode(errors="replace").strip()
    (args.out_dir / f"wrk-{label}.txt").write_text(" ".join(cmd) + "\n\n" + text + ("\nSTDERR:\n" + err if err else ""))
    if proc.returncode != 0 or err:
        raise HarnessError(f"wrk {label} failed (exit {proc.returncode}): {err[:500]}\n{text[:500]}")
    parsed = parse_wrk(text)
    if check and parsed.get("checked_ok", 0) + parsed.get("checked_bad", 0) == 0:
        raise HarnessError(f"wrk {label}: the Lua check saw no responses:\n{text}")
    parsed["checked"] = check
    parsed["cpu"] = cpu
    # Server CPU per answer: much less sensitive to other load on the machine than requests/s.
    if parsed.get("requests"):
        parsed["server_cpu_us_per_request"] = round(cpu["server_cpu_s"] * 1e6 / parsed["requests"], 2)
    return parsed


def judge_wrk(run: dict, label: str, anomalies: list[str]) -> None:
    if run["non_2xx_3xx"]:
        anomalies.append(f"{label}: {run['non_2xx_3xx']} responses with status >= 400 (wrk's count)")
    if run.get("checked_bad"):
        anomalies.append(f"{label}: {run['checked_bad']} of {run['checked_bad'] + run['checked_ok']} answers "
                         f"were not 200 with the expected body (statuses {run['bad_statuses']}); "
                         f"first: {run['first_bad'][:200]}")
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
    p.add_argument("--only", action="append", choices=("idle", "throughput", "startup"),
                   help="run only this part (repeatable); default: all three")
    p.add_argument("--levels", default="1000,5000,15000", help="idle sessions per run, comma-separated")
    p.add_argument("--transports", default="sse,streamable", help="idle transports: sse, streamable")
    p.add_argument("--bin", type=Path, default=Path(os.environ.get("KUBE_MCP_BIN", DEFAULT_BIN)))
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
    args = p.parse_args()
    args.parts = args.only or ["startup", "throughput", "idle"]
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
    try:
        if not os.access(args.bin, os.X_OK):
            raise HarnessError(f"no server binary at {args.bin}: run `make release` (or `make bench`)")
        if args.bin.stat().st_mtime < newest_source_mtime():
            log(f"WARNING: {args.bin} is older than Sources/: the numbers are for the old build")
            meta["binary_older_than_sources"] = True
        for tool in (args.wrk,):
            if "throughput" in args.parts and subprocess.run(["which", tool], capture_output=True).returncode:
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
