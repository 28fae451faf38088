"""Committing: all files or none, file modes and bytes kept, stale plans refused."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from patch_helpers import (
    COMMIT_CALLS,
    count_os_calls,
    failing_os_call,
    read_tree,
    wrap,
    write_tree,
)

from codex_tui.patch import (
    CommitError,
    CommittedFile,
    PathError,
    StaleFileError,
    apply_patch,
    build_patch_plan,
    commit,
    recover_unfinished_commit,
)

MIXED = wrap(
    "*** Add File: deep/new/dir/created.txt",
    "+created",
    "*** Update File: a.txt",
    "-a",
    "+A",
    "*** Update File: b.txt",
    "*** Move to: moved/b.txt",
    "-b",
    "+B",
    "*** Delete File: gone.txt",
    "*** Add File: c.txt",
    "+replaced",
)
FILES = {"a.txt": "a\n", "b.txt": "b\n", "c.txt": "c\n", "gone.txt": "g\n"}


def test_result_reports_each_file(ws: Path) -> None:
    write_tree(ws, FILES)
    result = apply_patch(MIXED, ws)
    assert result.files == (
        CommittedFile("A", "deep/new/dir/created.txt"),
        CommittedFile("M", "a.txt"),
        CommittedFile("M", "moved/b.txt", old_path="b.txt"),
        CommittedFile("D", "gone.txt"),
        CommittedFile("A", "c.txt", overwritten=True),
    )
    assert result.summary().splitlines() == [
        "Success. Updated the following files:",
        "A deep/new/dir/created.txt",
        "A c.txt",
        "M a.txt",
        "M moved/b.txt",
        "D gone.txt",
    ]
    tree = read_tree(ws)
    assert tree["c.txt"] == b"replaced\n" and tree["moved/b.txt"] == b"B\n"
    assert "gone.txt" not in tree and "b.txt" not in tree


def after_mixed(ws: Path) -> dict[str, bytes | str]:
    """The tree MIXED leaves (made once in a scratch copy)."""
    scratch = ws.parent / "scratch"
    write_tree(scratch, FILES)
    apply_patch(MIXED, scratch)
    return read_tree(scratch)


@pytest.mark.parametrize("call", COMMIT_CALLS)
def test_a_failure_at_any_file_system_call_restores_everything(ws: Path, call: str) -> None:
    """Each call of `os.<call>` the commit makes fails in turn: before the commit point
    the commit fails and the tree is exactly as before; after it, the commit stands and
    what is left over (backups, the journal) goes at the next recovery."""
    after = after_mixed(ws)
    write_tree(ws, FILES)
    before = read_tree(ws)
    with count_os_calls((call,)) as counts:
        commit(build_patch_plan(MIXED, ws))
    total = counts[call]
    for when in range(1, total + 1):
        shutil.rmtree(ws)
        write_tree(ws, FILES)
        plan = build_patch_plan(MIXED, ws)
        with failing_os_call(call, when):
            try:
                commit(plan)
            except CommitError as exc:
                assert "nothing was changed" in str(exc) or "nothing was written" in str(exc)
                assert read_tree(ws) == before, (call, when)
                assert recover_unfinished_commit(ws) is None
                continue
        recovered = recover_unfinished_commit(ws)
        assert recovered is None or recovered.outcome == "finished", (call, when)
        assert read_tree(ws) == after, (call, when)


def test_a_failing_delete_restores_everything(ws: Path) -> None:
    write_tree(ws, FILES)
    before = read_tree(ws)
    plan = build_patch_plan(MIXED, ws)
    # The source of the move is removed (renamed to its backup) first, then gone.txt.
    with failing_os_call("rename", "gone.txt"), pytest.raises(CommitError) as info:
        commit(plan)
    assert (
        str(info.value) == "gone.txt: cannot remove (No space left on device); nothing was changed"
    )
    assert read_tree(ws) == before


@pytest.mark.parametrize("when", [1, 3])
def test_a_failing_write_leaves_nothing_behind(ws: Path, when: int) -> None:
    write_tree(ws, FILES)
    before = read_tree(ws)
    plan = build_patch_plan(MIXED, ws)
    with failing_os_call("fsync", when), pytest.raises(CommitError):
        commit(plan)
    assert read_tree(ws) == before


def test_a_file_changed_after_planning_is_not_overwritten(ws: Path) -> None:
    write_tree(ws, FILES)
    plan = build_patch_plan(MIXED, ws)
    (ws / "b.txt").write_text("someone else's edit\n")
    with pytest.raises(
        StaleFileError, match=r"^b\.txt: changed on disk since the patch was checked"
    ):
        commit(plan)
    assert read_tree(ws)["a.txt"] == b"a\n"
    assert "deep" not in read_tree(ws)


def test_a_file_appearing_where_a_new_one_goes_is_not_overwritten(ws: Path) -> None:
    plan = build_patch_plan(wrap("*** Add File: new.txt", "+mine"), ws)
    (ws / "new.txt").write_text("theirs\n")
    with pytest.raises(StaleFileError):
        commit(plan)
    assert (ws / "new.txt").read_text() == "theirs\n"


def test_commit_checks_the_root(ws: Path, tmp_path: Path) -> None:
    write_tree(ws, FILES)
    plan = build_patch_plan(MIXED, ws)
    with pytest.raises(ValueError):
        commit(plan, tmp_path)
    assert commit(plan, ws).files


def test_modes_are_kept(ws: Path) -> None:
    write_tree(ws, {"script.sh": "echo a\n", "private.txt": "p\n", "moveme": "m\n", "over": "o\n"})
    os.chmod(ws / "script.sh", 0o755)
    os.chmod(ws / "private.txt", 0o640)
    os.chmod(ws / "moveme", 0o700)
    os.chmod(ws / "over", 0o600)
    apply_patch(
        wrap(
            "*** Update File: script.sh",
            "-echo a",
            "+echo b",
            "*** Update File: private.txt",
            "-p",
            "+q",
            "*** Update File: moveme",
            "*** Move to: bin/moved",
            "-m",
            "+n",
            "*** Add File: over",
            "+new",
            "*** Add File: fresh",
            "+f",
        ),
        ws,
    )

    def mode(rel: str) -> int:
        return stat.S_IMODE((ws / rel).stat().st_mode)

    assert (mode("script.sh"), mode("private.txt"), mode("bin/moved"), mode("over")) == (
        0o755,
        0o640,
        0o700,
        0o600,
    )
    umask = os.umask(0)
    os.umask(umask)
    assert mode("fresh") == 0o666 & ~umask


def test_bytes_outside_the_change_are_kept(ws: Path) -> None:
    latin1 = "caf\u00e9\n".encode("latin-1")
    write_tree(ws, {"bom.txt": b"\xef\xbb\xbfhead\nbody\n", "legacy.txt": latin1 + b"x\ny\n"})
    apply_patch(
        wrap(
            "*** Update File: bom.txt",
            " head",
            "-body",
            "+BODY",
            "*** Update File: legacy.txt",
            "-y",
            "+z",
        ),
        ws,
    )
    assert (ws / "bom.txt").read_bytes() == b"\xef\xbb\xbfhead\nBODY\n"
    assert (ws / "legacy.txt").read_bytes() == latin1 + b"x\nz\n"


def test_mixed_line_endings_keep_their_own(ws: Path) -> None:
    write_tree(ws, {"m.txt": b"one\r\ntwo\nthree\r\n"})
    apply_patch(wrap("*** Update File: m.txt", " one", " two", "-three", "+3"), ws)
    assert (ws / "m.txt").read_bytes() == b"one\r\ntwo\n3\r\n"


def test_symlinks_inside_the_workspace(ws: Path) -> None:
    write_tree(ws, {"target.txt": "t\n", "keep.txt": "k\n"})
    (ws / "link.txt").symlink_to("target.txt")
    (ws / "other-link").symlink_to("keep.txt")
    apply_patch(wrap("*** Update File: link.txt", "-t", "+T", "*** Delete File: other-link"), ws)
    tree = read_tree(ws)
    # Updating through a link edits its target; deleting a link removes only the link.
    assert tree == {"target.txt": b"T\n", "link.txt": "link->target.txt", "keep.txt": b"k\n"}


def test_editing_through_symlinks_inside_the_workspace_still_works(ws: Path) -> None:
    write_tree(ws, {"real/f.txt": "f\n", "real/target.txt": "t\n"})
    (ws / "alias").symlink_to("real")
    (ws / "real/link").symlink_to("target.txt")
    apply_patch(wrap("*** Update File: alias/f.txt", "-f", "+F", "*** Delete File: alias/link"), ws)
    assert read_tree(ws) == {
        "alias": "link->real",
        "real": "dir",
        "real/f.txt": b"F\n",
        "real/target.txt": b"t\n",
    }


def test_deleting_a_symlink_in_a_directory_outside_is_refused(ws: Path, tmp_path: Path) -> None:
    """`out/ln` resolves inside the workspace, but the link itself is outside: deleting it
    would remove an entry outside (the planner used to allow it)."""
    write_tree(ws, {"target.txt": "t\n"})
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "ln").symlink_to(ws / "target.txt")
    (ws / "out").symlink_to(outside)
    with pytest.raises(PathError, match="is in a directory outside the workspace"):
        build_patch_plan(wrap("*** Delete File: out/ln"), ws)
    assert (outside / "ln").is_symlink()


def test_deleting_a_symlink_is_rolled_back_too(ws: Path) -> None:
    write_tree(ws, {"target.txt": "t\n", "x.txt": "x\n"})
    (ws / "ln").symlink_to("target.txt")
    before = read_tree(ws)
    plan = build_patch_plan(wrap("*** Delete File: ln", "*** Delete File: x.txt"), ws)
    with failing_os_call("rename", "x.txt"), pytest.raises(CommitError):
        commit(plan)
    assert read_tree(ws) == before


def test_a_read_only_directory_fails_cleanly(ws: Path) -> None:
    """A real refusal by the file system (read-only mount: even root cannot write)."""
    write_tree(ws, {"ok.txt": "a\n", "locked/f.txt": "b\n"})
    before = read_tree(ws)
    locked = str(ws / "locked")
    patch = wrap(
        "*** Update File: ok.txt",
        "-a",
        "+A",
        "*** Add File: new/x.txt",
        "+x",
        "*** Update File: locked/f.txt",
        "-b",
        "+B",
    )
    command = ["bwrap", "--dev-bind", "/", "/", "--ro-bind", locked, locked]
    command += [sys.executable, "-m", "codex_tui", "apply-patch", "-C", str(ws)]
    done = subprocess.run(command, input=patch.encode(), capture_output=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr == (
        b"error: locked/f.txt: cannot write (Read-only file system); nothing was changed\n"
    )
    assert read_tree(ws) == before
