"""``pods/exec`` over WebSocket (``v5.channel.k8s.io`` / ``v4.channel.k8s.io``) with a tiny command interpreter.

Frames are binary; the first byte is the channel: 0 stdin, 1 stdout, 2 stderr, 3 error (the v4 JSON Status
that ends every session), 4 resize, and in v5 255 = "close this channel" from the client.
"""

from __future__ import annotations

import asyncio
import json
import shlex
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

import kjson

PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
# The protocols offered now (``POST /_fake/config {"execProtocols": [...]}``), e.g. only v4 to test a fallback.
offered: tuple[str, ...] = PROTOCOLS


def set_protocols(names: list[str]) -> None:
    """Offer only ``names`` (a subset of PROTOCOLS, in preference order); empty restores both."""
    global offered
    unknown = [n for n in names if n not in PROTOCOLS]
    if unknown:
        raise ValueError(f"unknown exec protocols {unknown}; known: {list(PROTOCOLS)}")
    offered = tuple(names) or PROTOCOLS
STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255


@dataclass
class Result:
    """Output of an interpreted command."""

    stdout: str = ""
    stderr: str = ""
    code: int = 0
    wants_stdin: bool = False
    extra: list[str] = field(default_factory=list)
    # ``sleep``: seconds to wait after sending the output and before the status (ends early if the client leaves).
    sleep: float = 0.0


def environment(pod: dict[str, Any], container: dict[str, Any]) -> list[tuple[str, str]]:
    """The container's environment as ``env`` would print it."""
    env = [("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
           ("HOSTNAME", pod["metadata"]["name"])]
    for e in container.get("env") or []:
        if "value" in e:
            env.append((e["name"], str(e["value"])))
        elif "valueFrom" in e:
            vf = e["valueFrom"]
            if "fieldRef" in vf:
                path = vf["fieldRef"].get("fieldPath", "")
                val = {"metadata.name": pod["metadata"]["name"],
                       "metadata.namespace": pod["metadata"].get("namespace", ""),
                       "status.podIP": (pod.get("status") or {}).get("podIP", ""),
                       "spec.nodeName": (pod.get("spec") or {}).get("nodeName", "")}.get(path, "")
                env.append((e["name"], val))
            else:
                env.append((e["name"], ""))
    env += [("KUBERNETES_SERVICE_HOST", "10.96.0.1"), ("KUBERNETES_SERVICE_PORT", "443"),
            ("KUBERNETES_SERVICE_PORT_HTTPS", "443"), ("KUBERNETES_PORT", "tcp://10.96.0.1:443"),
            ("HOME", "/root")]
    return env


def run(argv: list[str], pod: dict[str, Any], container: dict[str, Any], stdin: bool) -> Result:
    """Interpret a command line the way a small container image would."""
    if not argv:
        return Result(stderr="", code=0)
    cmd, args = argv[0], argv[1:]
    base = cmd.rsplit("/", 1)[-1]
    if base == "echo":
        if args[:1] == ["-n"]:
            return Result(stdout=" ".join(args[1:]))
        return Result(stdout=" ".join(args) + "\n")
    if base == "true":
        return Result()
    if base == "false":
        return Result(code=1)
    if base == "hostname":
        return Result(stdout=pod["metadata"]["name"] + "\n")
    if base == "date":
        return Result(stdout=kjson.utcnow().strftime("%a %b %d %H:%M:%S UTC %Y") + "\n")
    if base == "env" or base == "printenv":
        env = environment(pod, container)
        if base == "printenv" and args:
            vals = dict(env)
            out = "".join(vals[a] + "\n" for a in args if a in vals)
            return Result(stdout=out, code=0 if all(a in vals for a in args) else 1)
        return Result(stdout="".join(f"{k}={v}\n" for k, v in env))
    if base == "ls":
        target = [a for a in args if not a.startswith("-")]
        if not target or target == ["/"]:
            return Result(stdout="bin\nboot\ndev\netc\nhome\nlib\nmedia\nmnt\nopt\nproc\nroot\nrun\nsbin\nsrv\nsys\ntmp\n"
                                 "usr\nvar\n")
        return Result(stderr=f"ls: cannot access '{target[0]}': No such file or directory\n", code=2)
    if base == "cat":
        if not args:
            return Result(wants_stdin=stdin)
        out, err, code = "", "", 0
        for a in args:
            if a == "/etc/hostname":
                out += pod["metadata"]["name"] + "\n"
            elif a == "/etc/os-release":
                out += 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\n'
            else:
                err += f"cat: {a}: No such file or directory\n"
                code = 1
        return Result(stdout=out, stderr=err, code=code)
    if base in ("sh", "bash", "ash") and len(args) >= 2 and args[0] == "-c":
        return run_script(args[1], pod, container, stdin)
    if base == "sleep":
        try:
            return Result(sleep=float(args[0]) if args else 0.0)
        except ValueError:
            return Result(stderr=f"sleep: invalid time interval '{args[0]}'\n", code=1)
    if base == "seq":
        try:
            nums = [int(a) for a in args]
        except ValueError:
            return Result(stderr=f"seq: invalid argument: {' '.join(args)}\n", code=1)
        first, last = (1, nums[0]) if len(nums) == 1 else (nums[0], nums[1]) if len(nums) == 2 else (1, 0)
        return Result(stdout="".join(f"{i}\n" for i in range(first, min(last, first + 2_000_000) + 1)))
    if base == "exit":
        try:
            return Result(code=int(args[0]) if args else 0)
        except ValueError:
            return Result(stderr=f"sh: exit: Illegal number: {args[0]}\n", code=2)
    return Result(stderr=f"{cmd}: command not found\n", code=127)


def run_script(script: str, pod: dict[str, Any], container: dict[str, Any], stdin: bool) -> Result:
    """``sh -c``: commands separated by ``;``/``&&``/``||``; ``exit N`` stops."""
    total = Result()
    tokens: list[tuple[str, str]] = []
    buf, i = "", 0
    while i < len(script):
        two = script[i:i + 2]
        if two in ("&&", "||"):
            tokens.append((buf, two))
            buf, i = "", i + 2
            continue
        if script[i] in ";\n":
            tokens.append((buf, ";"))
            buf, i = "", i + 1
            continue
        buf += script[i]
        i += 1
    tokens.append((buf, ";"))
    skip = False
    for part, sep in tokens:
        part = part.strip()
        if part and not skip:
            try:
                argv = shlex.split(part)
            except ValueError:
                return Result(stderr=f"sh: syntax error: {part}\n", code=2)
            if argv and argv[0] == "exit":
                r = run(argv, pod, container, stdin)
                total.stdout += r.stdout
                total.stderr += r.stderr
                total.code = r.code
                return total
            r = run(argv, pod, container, stdin)
            if r.code == 127:
                r.stderr = f"sh: 1: {argv[0]}: not found\n"
            total.stdout += r.stdout
            total.stderr += r.stderr
            total.code = r.code
            total.sleep += r.sleep
        skip = (sep == "&&" and total.code != 0) or (sep == "||" and total.code == 0)
    return total


def status_frame(code: int, argv: list[str]) -> bytes:
    """The v4 error-channel Status."""
    if code == 0:
        body: dict[str, Any] = {"metadata": {}, "status": "Success"}
    else:
        body = {"metadata": {}, "status": "Failure",
                "message": f"command terminated with non-zero exit code: error executing command "
                           f"[{' '.join(argv)}], exit code {code}",
                "reason": "NonZeroExitCode",
                "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}
    return bytes([ERROR]) + json.dumps(body, separators=(",", ":")).encode()


async def serve(request: web.Request, pod: dict[str, Any], container: dict[str, Any], argv: list[str],
                stdin: bool, tty: bool) -> web.WebSocketResponse:
    """Run one exec session on an upgraded WebSocket."""
    ws = web.WebSocketResponse(protocols=offered, autoping=True, heartbeat=None)
    await ws.prepare(request)
    result = run(argv, pod, container, stdin)
    out_ch = STDOUT
    err_ch = STDOUT if tty else STDERR
    try:
        if result.stdout:
            await ws.send_bytes(bytes([out_ch]) + result.stdout.encode())
        if result.stderr:
            await ws.send_bytes(bytes([err_ch]) + result.stderr.encode())
        if result.wants_stdin:
            await _pipe_stdin(ws, out_ch)
        if result.sleep > 0 and not await _sleep(ws, result.sleep):
            return ws
        await ws.send_bytes(status_frame(result.code, argv))
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        if not ws.closed:
            await ws.close()
    return ws


async def _pipe_stdin(ws: web.WebSocketResponse, out_ch: int) -> None:
    """``cat`` without arguments: echo stdin until the client closes it (v5 close frame or EOF)."""
    while True:
        try:
            msg = await asyncio.wait_for(ws.receive(), timeout=300)
        except asyncio.TimeoutError:
            return
        if msg.type != WSMsgType.BINARY:
            if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING, WSMsgType.ERROR):
                return
            continue
        data: bytes = msg.data
        if not data:
            continue
        if data[0] == CLOSE:
            return
        if data[0] == STDIN and len(data) > 1:
            await ws.send_bytes(bytes([out_ch]) + data[1:])


async def _sleep(ws: web.WebSocketResponse, seconds: float) -> bool:
    """``sleep``: wait, but stop at once when the client closes; True when the full time passed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (left := deadline - loop.time()) > 0:
        try:
            msg = await asyncio.wait_for(ws.receive(), timeout=left)
        except asyncio.TimeoutError:
            return True
        if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING, WSMsgType.ERROR):
            return False
    return True
