"""Running hooks: each matching command at once, with the event's JSON on stdin.

A hook runs with `/bin/sh -c` outside the sandbox, with the person's rights, in
the workspace, in a process group of its own and a minimal environment (PATH,
HOME, USER, LANG, SHELL, TERM, TMPDIR and `CODEX_TUI_PROJECT_DIR`: never the API
key or anything else the person's shell holds). Past its timeout the whole
group is killed and the run is reported as timed out; output past 256 KB per
stream is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codex_tui.hooks.sources import Hook

__all__ = ["HookRun", "hook_env", "matching", "run_hooks"]

KEPT_ENV = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "SHELL", "TERM", "TMPDIR")
OUTPUT_CAP = 256 * 1024


@dataclass(frozen=True, slots=True)
class HookRun:
    hook: Hook
    exit_code: int | None
    stdout: str
    stderr: str
    timed_out: bool = False
    error: str = ""  # it could not be started at all
    duration_s: float = 0.0

    @property
    def json(self) -> dict[str, Any] | None:
        """stdout as a JSON object, when a hook that exited 0 printed one."""
        text = self.stdout.strip()
        if self.exit_code != 0 or not text.startswith("{"):
            return None
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            return None
        return value if isinstance(value, dict) else None


def hook_env(project: Path) -> dict[str, str]:
    env = {k: os.environ[k] for k in KEPT_ENV if k in os.environ}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env["CODEX_TUI_PROJECT_DIR"] = str(project)
    return env


def matching(hooks: list[Hook], event: str, subject: str | None) -> list[Hook]:
    """The event's hooks whose matcher matches all of `subject` (as Claude Code's:
    `shell` is that tool only, `shell|apply_patch` either, `mcp__git__.*` a server's);
    an empty matcher or `*`, or an event without a subject, takes all."""
    chosen = []
    for hook in hooks:
        if hook.event != event:
            continue
        if hook.matcher and hook.matcher != "*" and subject is not None:
            try:
                if not re.fullmatch(hook.matcher, subject):
                    continue
            except re.error:
                continue
        chosen.append(hook)
    return chosen


async def _read(stream: asyncio.StreamReader | None) -> bytes:
    if stream is None:
        return b""
    kept = bytearray()
    while chunk := await stream.read(65536):
        if len(kept) < OUTPUT_CAP:
            kept += chunk[: OUTPUT_CAP - len(kept)]
    return bytes(kept)


async def run_one(hook: Hook, payload: dict[str, Any], cwd: Path) -> HookRun:
    started = time.monotonic()
    try:
        proc = await asyncio.create_subprocess_exec(
            "/bin/sh",
            "-c",
            hook.command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=cwd,
            env=hook_env(cwd),
            start_new_session=True,
        )
    except OSError as exc:
        return HookRun(hook, None, "", "", error=exc.strerror or str(exc))
    data = json.dumps(payload, ensure_ascii=False).encode()

    async def feed() -> None:
        assert proc.stdin is not None
        with contextlib.suppress(OSError):  # a hook that does not read its stdin
            proc.stdin.write(data)
            await proc.stdin.drain()
            proc.stdin.close()

    async def finish() -> tuple[bytes, bytes]:
        out, err, _ = await asyncio.gather(_read(proc.stdout), _read(proc.stderr), feed())
        await proc.wait()
        return out, err

    timed_out = False
    try:
        out, err = await asyncio.wait_for(finish(), hook.timeout)
    except TimeoutError:
        timed_out = True
        out, err = b"", b""
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(proc.wait(), 5)
    return HookRun(
        hook,
        None if timed_out else proc.returncode,
        out.decode("utf-8", "replace"),
        err.decode("utf-8", "replace"),
        timed_out=timed_out,
        duration_s=time.monotonic() - started,
    )


async def run_hooks(hooks: list[Hook], payload: dict[str, Any], cwd: Path) -> list[HookRun]:
    """Run `hooks` in parallel, each with `payload` on stdin; their runs in order."""
    if not hooks:
        return []
    return list(await asyncio.gather(*(run_one(h, payload, cwd) for h in hooks)))
