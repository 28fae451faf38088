"""The commit journal: what a crashed commit leaves, what the next commit or start-up
does with it, and the journals it refuses to act on (from another directory or version,
unreadable, or naming what no commit of ours would)."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from patch_helpers import read_tree, wrap, write_tree

from codex_tui.patch import (
    CommitError,
    apply_patch,
    build_patch_plan,
    commit,
    recover_unfinished_commit,
)
from codex_tui.patch.checkpoints import KILL_AT_ENV

FILES = {"a.txt": "a\n", "b.txt": "b\n", "gone.txt": "g\n"}
PATCH = wrap(
    "*** Update File: a.txt",
    "-a",
    "+A",
    "*** Update File: b.txt",
    "-b",
    "+B",
    "*** Add File: new/c.txt",
    "+c",
    "*** Delete File: gone.txt",
)
RENAMING = ".codex-tui-commit.renaming"


def crash(ws: Path, patch: str | bytes, kill_at: str) -> None:
    """Run `codex-tui apply-patch` in a child that SIGKILLs itself at `kill_at`."""
    env = dict(os.environ, **{KILL_AT_ENV: kill_at})
    data = patch.encode() if isinstance(patch, str) else patch
    done = subprocess.run(
        [sys.executable, "-m", "codex_tui", "apply-patch", "-C", str(ws)],
        input=data,
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr


def test_nothing_to_recover(ws: Path) -> None:
    write_tree(ws, FILES)
    assert recover_unfinished_commit(ws) is None
    assert recover_unfinished_commit(ws / "no-such-dir") is None


def test_a_crash_mid_rename_is_rolled_back_by_the_next_commit(ws: Path) -> None:
    write_tree(ws, FILES)
    before = read_tree(ws)
    crash(ws, PATCH, "rename:2")  # a.txt and b.txt in place, the rest not
    mixed = read_tree(ws)
    assert mixed["a.txt"] == b"A\n" and mixed["gone.txt"] == b"g\n" and RENAMING in mixed
    # A plan made on the half-applied tree: the commit undoes the crash, then refuses it.
    plan = build_patch_plan(wrap("*** Update File: a.txt", "-A", "+AA"), ws)
    with pytest.raises(
        CommitError, match=r"changed on disk since the patch was checked \(an inter"
    ):
        commit(plan)
    assert read_tree(ws) == before
    apply_patch(PATCH, ws)  # and the patch applies as if the crash never was
    assert read_tree(ws)["a.txt"] == b"A\n"


def test_ctrl_c_mid_commit_is_undone_at_once(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(ws, FILES)
    before = read_tree(ws)

    def interrupt(point: str, index: int) -> None:
        if (point, index) == ("rename", 3):
            raise KeyboardInterrupt

    monkeypatch.setattr("codex_tui.patch.checkpoints.hook", interrupt)
    with pytest.raises(KeyboardInterrupt):
        apply_patch(PATCH, ws)
    assert read_tree(ws) == before


def test_a_journal_cut_short_while_being_written_is_removed(ws: Path) -> None:
    write_tree(ws, FILES)
    (ws / ".codex-tui-commit.writing").write_bytes(b'{"format": "codex-tui com')
    assert recover_unfinished_commit(ws) is None
    assert read_tree(ws) == {k: v.encode() for k, v in FILES.items()}


def test_a_journal_copied_with_the_workspace_is_not_acted_on(ws: Path, tmp_path: Path) -> None:
    """A copy (another directory, or another machine) may hold a journal whose files are
    not these: it is refused until a person looks, and the original still recovers."""
    write_tree(ws, FILES)
    before = read_tree(ws)
    crash(ws, PATCH, "rename:2")
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-a", str(ws), str(copy)], check=True)
    mixed = read_tree(copy)
    with pytest.raises(CommitError, match=r"written for another directory \(.*/ws on "):
        recover_unfinished_commit(copy)
    with pytest.raises(CommitError, match="written for another directory"):
        apply_patch(wrap("*** Add File: x.txt", "+x"), copy)
    assert read_tree(copy) == mixed
    recovered = recover_unfinished_commit(ws)
    assert recovered is not None and recovered.outcome == "rolled back"
    assert read_tree(ws) == before


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda j: j | {"version": 2}, r"journal version 2, from another codex-tui"),
        (lambda j: j | {"format": "something else"}, "not a codex-tui commit journal"),
        (lambda j: j | {"steps": [["..", "x", None, ".x.1.codex-tui.bak"]]}, "an unsafe name"),
        (
            lambda j: j | {"steps": [[".git/hooks", "pre-commit", None, ".p.codex-tui.bak"]]},
            "an unsafe name: '.git'",
        ),
        (lambda j: j | {"steps": [["", "a.txt", None, "b.txt"]]}, "not a name codex-tui makes"),
        (lambda j: j | {"steps": [["", "a/b", ".t.codex-tui.tmp", None]]}, "an unsafe name"),
        (lambda j: j | {"root_inode": "1"}, "root_inode: expected int"),
    ],
)
def test_a_journal_it_does_not_understand_is_not_acted_on(
    ws: Path, edit: Callable[[dict[str, object]], dict[str, object]], message: str
) -> None:
    write_tree(ws, FILES)
    crash(ws, PATCH, "rename:2")
    journal = json.loads((ws / RENAMING).read_bytes())
    (ws / RENAMING).write_text(json.dumps(edit(journal)))
    mixed = read_tree(ws)
    with pytest.raises(CommitError, match=r"journal cannot be read \(.*" + message):
        recover_unfinished_commit(ws)
    assert read_tree(ws) == mixed


def test_garbage_at_the_journal_name_is_not_acted_on(ws: Path) -> None:
    write_tree(ws, FILES)
    (ws / RENAMING).write_bytes(b"\x00garbage")
    with pytest.raises(CommitError, match=r"^.*/\.codex-tui-commit\.renaming: an unfinished"):
        apply_patch(wrap("*** Add File: x.txt", "+x"), ws)
    assert "x.txt" not in read_tree(ws)


def test_a_commit_in_progress_elsewhere_is_left_alone(ws: Path) -> None:
    write_tree(ws, FILES)
    crash(ws, PATCH, "rename:2")
    mixed = read_tree(ws)
    held = os.open(ws, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a committing process holds it
        assert recover_unfinished_commit(ws) is None
        assert read_tree(ws) == mixed
    finally:
        os.close(held)
    assert recover_unfinished_commit(ws) is not None


def test_long_and_undecodable_names_survive_the_journal(ws: Path) -> None:
    long_name = "\u00e9" * 120 + ".txt"  # 244 bytes: a side file named after it must be cut
    odd = b"caf\xe9.txt"  # not UTF-8
    write_tree(ws, {long_name: "l\n", odd.decode("utf-8", "surrogateescape"): "o\n"})
    before = read_tree(ws)
    patch = wrap(f"*** Update File: {long_name}", "-l", "+L").encode()
    patch = patch.replace(b"*** End Patch", b"*** Delete File: " + odd + b"\n*** End Patch")
    crash(ws, patch, "rename:1")
    recovered = recover_unfinished_commit(ws)
    assert recovered is not None and recovered.outcome == "rolled back"
    assert read_tree(ws) == before
    apply_patch(patch.decode("utf-8", "surrogateescape"), ws)
    assert read_tree(ws) == {long_name: b"L\n"}
