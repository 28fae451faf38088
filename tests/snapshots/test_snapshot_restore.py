"""Snapshots and restores against real git and real files, in and outside a repository."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from codex_tui.snapshots import Limits, Snapshotter, apply_plan, diff_text, plan_restore


def git(root: Path, *args: str) -> str:
    # No optional locks: `status` would otherwise refresh the index file itself.
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True, env=env
    ).stdout


def tree_state(root: Path) -> dict[str, tuple[str, bytes, int]]:
    """Every path under root but .git: kind, bytes (or link target) and mode."""
    out: dict[str, tuple[str, bytes, int]] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        rel = os.path.relpath(folder, root)
        for name in dirs + files:
            path = Path(folder) / name
            key = name if rel == "." else f"{rel}/{name}"
            st = path.lstat()
            if stat.S_ISLNK(st.st_mode):
                out[key] = ("link", os.readlink(path).encode(), 0)
            elif stat.S_ISDIR(st.st_mode):
                out[key] = ("dir", b"", 0)
                if path.is_symlink():
                    continue
            else:
                out[key] = ("file", path.read_bytes(), stat.S_IMODE(st.st_mode))
    return out


def repo_state(root: Path) -> tuple[str, ...]:
    """What undo must leave exactly as it was in the person's repository."""
    return (
        git(root, "status", "--porcelain", "--ignored"),
        git(root, "rev-parse", "HEAD"),
        git(root, "for-each-ref", "refs/heads", "refs/tags", "refs/stash"),
        (root / ".git" / "index").read_bytes().hex(),
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "a.txt").write_text("one\n")
    (root / "bin.dat").write_bytes(bytes(range(256)))
    (root / "run.sh").write_text("echo hi\n")
    (root / "run.sh").chmod(0o755)
    (root / ".gitignore").write_text(".env\nbuild/\n")
    (root / "src").mkdir()
    (root / "src" / "m.py").write_text("x = 1\n")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start")
    (root / ".env").write_text("TOKEN=1\n")
    (root / "build").mkdir()
    (root / "build" / "out.o").write_bytes(b"\x7fELF")
    (root / "notes.txt").write_text("untracked\n")
    (root / "empty").mkdir()
    git(root, "add", "notes.txt")  # staged, not committed: the index must survive
    return root


def a_turn(root: Path) -> None:
    """Everything a shell command can do to a workspace."""
    (root / "bin.dat").unlink()
    (root / "a.txt").write_text("two\n")
    (root / "notes.txt").write_text("edited\n")
    (root / "run.sh").chmod(0o600)
    (root / ".env").write_text("TOKEN=overwritten\n")
    (root / "build" / "out.o").unlink()
    (root / "empty").rmdir()
    (root / "new" / "deeper").mkdir(parents=True)
    (root / "new" / "deeper" / "f.txt").write_text("new\n")
    (root / "src" / "m.py").unlink()
    (root / "src").rmdir()
    (root / "src").symlink_to("/etc")  # a folder replaced by a way out


def undo(snap: Snapshotter, start, end) -> list[str]:
    now = snap.current()
    plan = plan_restore(
        snap.root, target=start.manifest, left=end.manifest, other=end.manifest, now=now
    )
    assert not plan.conflicts
    return apply_plan(snap.store, plan)


def test_undo_in_a_repository_restores_every_byte_and_leaves_git_alone(
    repo: Path, tmp_path: Path
) -> None:
    before, git_before = tree_state(repo), repo_state(repo)
    snap = Snapshotter.open(repo, tmp_path / "home")
    start = snap.take("refs/codex-tui/snapshots/s/000001-start")
    a_turn(repo)
    end = snap.take("refs/codex-tui/snapshots/s/000001-end")
    assert undo(snap, start, end) == []
    assert tree_state(repo) == before
    assert repo_state(repo) == git_before
    assert git(repo, "for-each-ref", "--format=%(refname)", "refs/codex-tui").split() == [
        "refs/codex-tui/snapshots/s/000001-end",
        "refs/codex-tui/snapshots/s/000001-start",
    ]
    assert not Path("/etc/m.py").exists()


def test_undo_outside_git_uses_a_private_store(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    (root / "a.txt").write_text("one\n")
    (root / "bin.dat").write_bytes(b"\0\1\2")
    (root / "run.sh").write_text("x")
    (root / "run.sh").chmod(0o755)
    (root / "notes.txt").write_text("n\n")
    (root / ".env").write_text("e\n")
    (root / "build").mkdir()
    (root / "build" / "out.o").write_bytes(b"o")
    (root / "empty").mkdir()
    (root / "src").mkdir()
    (root / "src" / "m.py").write_text("m\n")
    before = tree_state(root)
    home = tmp_path / "home"
    snap = Snapshotter.open(root, home)
    assert snap.store.private and snap.store.git_dir.is_relative_to(home / "snapshots")
    start = snap.take()
    a_turn(root)
    end = snap.take()
    assert undo(snap, start, end) == []
    assert tree_state(root) == before
    assert not (root / ".git").exists()


def test_nothing_changed_reuses_the_snapshot_without_reading_files(
    repo: Path, tmp_path: Path
) -> None:
    snap = Snapshotter.open(repo, tmp_path / "home")
    first = snap.take()
    again = snap.take()
    assert again.commit == first.commit


def test_heavy_ignored_folders_and_big_files_are_listed_not_covered(
    repo: Path, tmp_path: Path
) -> None:
    deps = repo / "build" / "deps"
    deps.mkdir()
    for i in range(30):
        (deps / f"m{i}.js").write_text("x")
    (repo / "huge.bin").write_bytes(b"x" * 5000)
    snap = Snapshotter.open(
        repo, tmp_path / "home", Limits(max_file_bytes=4096, max_ignored_files=20)
    )
    taken = snap.take()
    assert taken.manifest.not_covered == ("build/", "huge.bin")
    assert ".env" in taken.manifest.items  # small ignored files are covered
    assert not any(p.startswith("build/") for p in taken.manifest.items)


def test_a_change_made_by_the_person_after_the_turn_is_a_conflict_and_others_survive(
    repo: Path, tmp_path: Path
) -> None:
    snap = Snapshotter.open(repo, tmp_path / "home")
    start = snap.take()
    (repo / "a.txt").write_text("by the turn\n")
    (repo / "notes.txt").write_text("by the turn\n")
    end = snap.take()
    (repo / "a.txt").write_text("by the person\n")  # touched by both
    (repo / "src" / "m.py").write_text("only the person\n")  # touched only by the person
    now = snap.current()
    plan = plan_restore(repo, target=start.manifest, left=end.manifest, other=end.manifest, now=now)
    assert plan.conflicts == ("a.txt",)
    assert "src/m.py" not in {c.path for c in plan.changes}
    assert "-by the person\n+one\n" in diff_text(snap.store, plan)
    assert apply_plan(snap.store, plan) == []
    assert (repo / "notes.txt").read_text() == "untracked\n"
    assert (repo / "src" / "m.py").read_text() == "only the person\n"


def test_a_hostile_repository_config_runs_nothing_and_changes_no_bytes(
    repo: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    git(repo, "config", "core.fsmonitor", f"touch {marker}; false")
    git(repo, "config", "filter.evil.clean", f"touch {marker}; tr a-z A-Z")
    git(repo, "config", "core.autocrlf", "true")
    (repo / ".gitattributes").write_text("*.txt filter=evil text eol=crlf\n")
    (repo / "a.txt").write_text("lower\r\ncase\n")
    snap = Snapshotter.open(repo, tmp_path / "home")
    start = snap.take()
    (repo / "a.txt").write_text("gone")
    end = snap.take()
    assert undo(snap, start, end) == []
    assert (repo / "a.txt").read_bytes() == b"lower\r\ncase\n"
    assert not marker.exists()


def test_fifos_sockets_and_unreadable_names_do_not_stop_a_snapshot(
    repo: Path, tmp_path: Path
) -> None:
    os.mkfifo(repo / "pipe")
    (repo / "odd\nname").write_text("x")
    snap = Snapshotter.open(repo, tmp_path / "home")
    taken = snap.take()  # would hang if the FIFO were opened
    assert "pipe" not in taken.manifest.items
    assert "'odd\\nname'" in taken.manifest.not_covered


def test_a_pruned_snapshot_object_is_a_clear_error(repo: Path, tmp_path: Path) -> None:
    from codex_tui.snapshots import SnapshotError

    snap = Snapshotter.open(repo, tmp_path / "home")
    with pytest.raises(SnapshotError, match="no longer in"):
        snap.load("0" * 40)


def test_old_turns_are_pruned_ten_at_a_time_and_a_session_drops_its_refs(
    repo: Path, tmp_path: Path
) -> None:
    from codex_tui.snapshots import drop_session, prune_refs, ref_name

    snap = Snapshotter.open(repo, tmp_path / "home")
    for turn in range(1, 15):
        (repo / "a.txt").write_text(f"turn {turn}\n")
        snap.take(ref_name("s1", turn, "start"))
        snap.take(ref_name("s1", turn, "end"))
        assert prune_refs(snap.store, "s1", keep_turns=3) == (22 if turn == 14 else 0)
    refs = git(repo, "for-each-ref", "--format=%(refname)", "refs/codex-tui/").split()
    assert refs == [ref_name("s1", t, p) for t in (12, 13, 14) for p in ("end", "start")]
    drop_session(snap.store, "s1")
    assert git(repo, "for-each-ref", "refs/codex-tui/") == ""


def test_a_root_with_too_many_files_is_refused_with_one_line(repo: Path, tmp_path: Path) -> None:
    from codex_tui.snapshots import SnapshotError

    snap = Snapshotter.open(repo, tmp_path / "home", Limits(max_files=3))
    with pytest.raises(SnapshotError, match="more than 3 files: too many to snapshot"):
        snap.take()


def test_a_file_not_covered_on_one_side_is_left_alone(repo: Path, tmp_path: Path) -> None:
    (repo / "data.csv").write_bytes(b"x" * 5000)
    snap = Snapshotter.open(repo, tmp_path / "home", Limits(max_file_bytes=1000))
    start = snap.take()
    assert "data.csv" in start.manifest.not_covered
    (repo / "data.csv").write_text("small now\n")  # the turn shrank it: covered at the end
    end = snap.take()
    plan = plan_restore(
        repo, target=start.manifest, left=end.manifest, other=end.manifest, now=snap.current()
    )
    assert "data.csv" not in {c.path for c in plan.changes}
    assert apply_plan(snap.store, plan) == []
    assert (repo / "data.csv").read_text() == "small now\n"
