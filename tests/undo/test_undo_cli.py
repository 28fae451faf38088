"""`codex-tui undo` end to end: a real `exec` turn against the scripted server
changes the workspace through a patch and a shell command in the sandbox, then
`codex-tui undo` (a real process) puts every byte, mode and folder back."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codex_tui.scripted import FunctionCall, Hang, Message, Reply, ScriptedModelServer
from tests.snapshots.test_snapshot_restore import repo_state, tree_state

PATCH = "*** Begin Patch\n*** Update File: a.txt\n@@\n-one\n+patched\n*** End Patch\n"
DAMAGE = (
    "rm bin.dat && echo more >> notes.txt && chmod +x a.txt && echo leaked > .env"
    " && rm build/out.o && mkdir -p new/deeper && echo deep > new/deeper/f && rm -r src"
)


def turn_calls() -> list[FunctionCall]:
    return [
        FunctionCall("apply_patch", {"input": PATCH}, call_id="p"),
        FunctionCall("shell", {"command": ["bash", "-c", DAMAGE]}, call_id="s"),
    ]


def codex(cwd: Path, home: Path, *args: str, server: ScriptedModelServer | None = None, **kw):
    argv = [sys.executable, "-m", "codex_tui", "-a", "never"]
    if server is not None:
        argv += ["-c", "model_provider=scripted"]
        argv += ["-c", f"model_providers.scripted.base_url={server.base_url}"]
    env = {**os.environ, "CODEX_TUI_HOME": str(home)}
    return subprocess.run(
        [*argv, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, **kw
    )


def make_tree(root: Path, *, in_git: bool) -> None:
    root.mkdir()
    (root / "a.txt").write_text("one\n")
    (root / "bin.dat").write_bytes(bytes(range(256)) * 4)
    (root / "notes.txt").write_text("untracked\n")
    (root / ".gitignore").write_text(".env\nbuild/\n")
    (root / "src").mkdir()
    (root / "src" / "m.py").write_text("x = 1\n")
    if in_git:
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
        subprocess.run(
            ["git", "add", "a.txt", "bin.dat", ".gitignore", "src"], cwd=root, check=True
        )
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "i"],
            cwd=root,
            check=True,
        )
    (root / ".env").write_text("TOKEN=1\n")
    (root / "build").mkdir()
    (root / "build" / "out.o").write_bytes(b"\x7fELF\0")


@pytest.mark.parametrize("in_git", [True, False], ids=["git", "plain"])
def test_exec_turn_then_undo_restores_everything(tmp_path: Path, in_git: bool) -> None:
    root, home = tmp_path / "w", tmp_path / "home"
    make_tree(root, in_git=in_git)
    before = tree_state(root)
    git_before = repo_state(root) if in_git else None
    script = [Reply(turn_calls()), Reply([Message("done")])]
    with ScriptedModelServer(script) as server:
        result = codex(root, home, "exec", "--json", "break things", server=server)
    assert result.returncode == 0, result.stderr
    items = [json.loads(line).get("item", {}) for line in result.stdout.splitlines()]
    snapshots = [i for i in items if i.get("type") == "snapshot"]
    assert [s["phase"] for s in snapshots] == ["start", "end"]
    assert (root / "a.txt").read_text() == "patched\n" and not (root / "bin.dat").exists()

    dry = codex(root, home, "undo", "--last", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "-patched\n+one\n" in dry.stdout and "Binary files" in dry.stdout
    assert (root / "a.txt").read_text() == "patched\n"  # a dry run writes nothing

    undone = codex(root, home, "undo", "--last", "--yes")
    assert undone.returncode == 0, undone.stderr
    assert "undid “break things”" in undone.stdout
    assert tree_state(root) == before
    if in_git:
        assert repo_state(root) == git_before

    again = codex(root, home, "undo", "--last", "--yes")
    assert again.returncode == 1
    assert again.stderr.startswith("codex-tui: undo: nothing to undo in session")
    assert len(again.stderr.splitlines()) == 1

    redone = codex(root, home, "undo", "--redo", "--yes")
    assert redone.returncode == 0, redone.stderr
    assert (root / "a.txt").read_text() == "patched\n" and not (root / "src").exists()


def test_a_file_changed_after_the_turn_stops_undo_until_forced(tmp_path: Path) -> None:
    root, home = tmp_path / "w", tmp_path / "home"
    make_tree(root, in_git=True)
    with ScriptedModelServer([Reply(turn_calls()), Reply([Message("done")])]) as server:
        assert codex(root, home, "exec", "go", server=server).returncode == 0
    (root / "a.txt").write_text("my own edit\n")
    stopped = codex(root, home, "undo", "--yes")
    assert stopped.returncode == 1
    assert "changed since “go”: a.txt (--force overwrites)" in stopped.stderr
    assert (root / "a.txt").read_text() == "my own edit\n"
    assert not (root / "bin.dat").exists()  # nothing written at all
    forced = codex(root, home, "undo", "--yes", "--force")
    assert forced.returncode == 0, forced.stderr
    assert (root / "a.txt").read_text() == "one\n" and (root / "bin.dat").exists()


def test_undo_after_the_process_was_killed_mid_turn(tmp_path: Path) -> None:
    root, home = tmp_path / "w", tmp_path / "home"
    make_tree(root, in_git=True)
    before = tree_state(root)
    script = [Reply(turn_calls()), Hang(timeout_s=60)]
    with ScriptedModelServer(script) as server:
        argv = [sys.executable, "-m", "codex_tui", "-a", "never", "-c", "model_provider=scripted"]
        argv += ["-c", f"model_providers.scripted.base_url={server.base_url}", "exec", "go"]
        env = {**os.environ, "CODEX_TUI_HOME": str(home)}
        proc = subprocess.Popen(
            argv, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 30
        while len(server.bodies) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(server.bodies) == 2, "the turn's tools never finished"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    assert not (root / "bin.dat").exists()
    undone = codex(root, home, "undo", "--last", "--yes")
    assert undone.returncode == 0, undone.stderr
    assert tree_state(root) == before


def test_nothing_to_undo_is_one_line_and_exit_1(tmp_path: Path) -> None:
    root, home = tmp_path / "w", tmp_path / "home"
    make_tree(root, in_git=True)
    with ScriptedModelServer([Reply([Message("just talk")])]) as server:
        assert codex(root, home, "exec", "hello", server=server).returncode == 0
    result = codex(root, home, "undo")
    assert result.returncode == 1
    assert result.stderr.startswith("codex-tui: undo: nothing to undo")
    no_session = codex(tmp_path, tmp_path / "empty-home", "undo", "--last")
    assert no_session.returncode == 1 and len(no_session.stderr.splitlines()) == 1


def test_deleting_the_session_drops_its_snapshot_refs(tmp_path: Path, monkeypatch) -> None:
    from codex_tui.sessions.index import SessionIndex

    root, home = tmp_path / "w", tmp_path / "home"
    make_tree(root, in_git=True)
    with ScriptedModelServer([Reply(turn_calls()), Reply([Message("done")])]) as server:
        assert codex(root, home, "exec", "go", server=server).returncode == 0
    refs = ["git", "for-each-ref", "--format=%(refname)", "refs/codex-tui/"]
    assert len(subprocess.run(refs, cwd=root, capture_output=True, text=True).stdout.split()) == 2
    monkeypatch.setenv("CODEX_TUI_HOME", str(home))
    index = SessionIndex.open()
    index.refresh()
    (session,) = index.list(None)
    index.delete(session.id)
    index.close()
    assert subprocess.run(refs, cwd=root, capture_output=True, text=True).stdout == ""


def test_a_failed_snapshot_is_one_warning_and_undo_names_the_turn(tmp_path: Path) -> None:
    root, home = tmp_path / "w", tmp_path / "home"
    make_tree(root, in_git=False)
    home.mkdir()
    (home / "snapshots").write_text("not a folder")  # the private store cannot be made
    with ScriptedModelServer([Reply(turn_calls()), Reply([Message("done")])]) as server:
        result = codex(root, home, "exec", "go anyway", server=server)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "no snapshot for undo" in line]
    assert len(warnings) == 1
    assert not (root / "bin.dat").exists()  # the turn went on
    undone = codex(root, home, "undo", "--yes")
    assert undone.returncode == 1
    assert "“go anyway” cannot be undone: no snapshot was taken before it" in undone.stderr
    assert len(undone.stderr.splitlines()) == 1
