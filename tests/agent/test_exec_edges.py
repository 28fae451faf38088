"""`codex-tui exec` at its edges: invalid UTF-8 in the prompt (argument or stdin)
and a bad `-o` path, as a real process against the scripted server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from codex_tui.scripted import Message, Reply, ScriptedModelServer


def exec_bytes(
    server: ScriptedModelServer, cwd: Path, home: Path, *args: bytes, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    argv = [
        sys.executable.encode(), b"-m", b"codex_tui",
        b"-c", b"model_provider=scripted",
        b"-c", f"model_providers.scripted.base_url={server.base_url}".encode(),
        b"exec", *args,
    ]  # fmt: skip
    env = {**os.environ, "CODEX_TUI_HOME": str(home)}
    return subprocess.run(argv, cwd=cwd, env=env, input=stdin, capture_output=True, timeout=60)


def test_invalid_utf8_prompts_run_and_leave_readable_sessions(
    workspace: Path, isolated_home: Path
) -> None:
    with ScriptedModelServer([Reply([Message("one")]), Reply([Message("two")])]) as server:
        by_arg = exec_bytes(server, workspace, isolated_home, b"fix \xff\xfe this")
        by_stdin = exec_bytes(server, workspace, isolated_home, stdin=b"and \xff that")
        sent = [body["input"][-1]["content"][0]["text"] for body in server.bodies]
    assert by_arg.returncode == 0, by_arg.stderr
    assert by_stdin.returncode == 0, by_stdin.stderr
    assert sent == ["fix \ufffd\ufffd this", "and \ufffd that"]
    listing = subprocess.run(
        [sys.executable, "-m", "codex_tui", "sessions"],
        cwd=workspace,
        env={**os.environ, "CODEX_TUI_HOME": str(isolated_home)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listing.returncode == 0, listing.stderr
    assert "fix \ufffd\ufffd this" in listing.stdout and "and \ufffd that" in listing.stdout


def test_output_path_is_checked_before_the_turn(workspace: Path, isolated_home: Path) -> None:
    with ScriptedModelServer([Reply([Message("unused")])]) as server:
        into_dir = exec_bytes(server, workspace, isolated_home, b"-o", b"/tmp", b"hi")
        no_parent = exec_bytes(server, workspace, isolated_home, b"-o", b"/no/such/dir/f", b"hi")
        requests = len(server.bodies)
    assert into_dir.returncode == no_parent.returncode == 2
    assert b"-o /tmp: is a directory" in into_dir.stderr
    assert b"no such directory /no/such/dir" in no_parent.stderr
    assert b"Traceback" not in into_dir.stderr + no_parent.stderr
    assert requests == 0


def start_exec(server: ScriptedModelServer, cwd: Path, home: Path) -> subprocess.Popen[bytes]:
    argv = [
        sys.executable, "-m", "codex_tui",
        "-c", "model_provider=scripted",
        "-c", f"model_providers.scripted.base_url={server.base_url}",
        "exec", "wait for me",
    ]  # fmt: skip
    env = {**os.environ, "CODEX_TUI_HOME": str(home)}
    return subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for_request(server: ScriptedModelServer) -> None:
    import time

    deadline = time.monotonic() + 30
    while not server.bodies:
        assert time.monotonic() < deadline, "exec never asked the model"
        time.sleep(0.05)


def test_ctrl_c_ends_the_turn_and_a_second_one_ends_exec_at_once(
    workspace: Path, isolated_home: Path
) -> None:
    import signal
    import time

    from codex_tui.scripted import Hang

    with ScriptedModelServer([Hang(timeout_s=30)] * 2) as server:
        once = start_exec(server, workspace, isolated_home)
        wait_for_request(server)
        once.send_signal(signal.SIGINT)
        _, once_err = once.communicate(timeout=15)
    with ScriptedModelServer([Hang(timeout_s=30)] * 2) as server:
        twice = start_exec(server, workspace, isolated_home)
        wait_for_request(server)
        twice.send_signal(signal.SIGINT)
        time.sleep(0.05)  # two signals sent at once may arrive as one
        twice.send_signal(signal.SIGINT)
        _, twice_err = twice.communicate(timeout=15)
    assert once.returncode == 1 and b"interrupting" in once_err
    # Ended either way: at once by the second signal (130), or by the first
    # if the turn had already stopped when the second came (killed by it).
    assert twice.returncode in (130, 1, -signal.SIGINT)
    assert b"Traceback" not in once_err + twice_err


def test_the_second_signal_exits_at_once(monkeypatch) -> None:
    from codex_tui.exec import cli

    exits: list[int] = []
    interrupts: list[None] = []
    said: list[str] = []
    monkeypatch.setattr(cli.os, "_exit", exits.append)
    stop = cli.StopOnSignal(lambda: interrupts.append(None), said.append)
    stop()
    assert (len(interrupts), exits) == (1, [])
    stop()
    assert (len(interrupts), exits) == (1, [130])
    assert "again to stop at once" in said[0] and said[1] == "codex-tui: interrupted\n"


def test_exec_starts_by_rolling_back_a_patch_a_crash_cut_short(
    workspace: Path, isolated_home: Path
) -> None:
    from codex_tui.patch.checkpoints import KILL_AT_ENV

    patch = workspace.parent / "two.patch"
    patch.write_text(
        "*** Begin Patch\n*** Update File: notes.txt\n@@\n alpha\n-beta\n+gamma\n"
        "*** Add File: new.txt\n+new\n*** End Patch\n"
    )
    before = (workspace / "notes.txt").read_text()
    env = {**os.environ, "CODEX_TUI_HOME": str(isolated_home), KILL_AT_ENV: "rename:1"}
    killed = subprocess.run(
        [sys.executable, "-m", "codex_tui", "apply-patch", "-C", str(workspace), str(patch)],
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert killed.returncode != 0  # cut short between its renames
    with ScriptedModelServer([Reply([Message("hello")])]) as server:
        result = exec_bytes(server, workspace, isolated_home, b"hi")
    assert result.returncode == 0, result.stderr
    assert b"was rolled back" in result.stderr
    assert (workspace / "notes.txt").read_text() == before
    assert not (workspace / "new.txt").exists()
    assert not [p for p in workspace.iterdir() if "codex-tui" in p.name]
