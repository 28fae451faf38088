"""Property: whatever a turn does to a tree of files, undo puts back the tree as it was."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codex_tui.snapshots import Snapshotter, apply_plan, plan_restore
from tests.snapshots.test_snapshot_restore import tree_state

NAMES = ["a", "b", "c.txt"]
paths = st.lists(st.sampled_from(NAMES), min_size=1, max_size=3).map("/".join)
data = st.binary(max_size=64)
ops = st.one_of(
    st.tuples(st.just("write"), paths, data),
    st.tuples(st.just("delete"), paths, st.just(b"")),
    st.tuples(st.just("mkdir"), paths, st.just(b"")),
    st.tuples(st.just("chmod"), paths, st.sampled_from([b"600", b"755", b"644", b"700"])),
    st.tuples(st.just("symlink"), paths, st.sampled_from([b"a", b"../outside", b"/etc"])),
)


def run(root: Path, op: tuple[str, str, bytes]) -> None:
    kind, rel, arg = op
    path = root / rel
    with contextlib.suppress(OSError):
        if kind == "write":
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.is_symlink():
                path.unlink()
            path.write_bytes(arg)
        elif kind == "delete":
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        elif kind == "mkdir":
            path.mkdir(parents=True)
        elif kind == "chmod" and path.is_file() and not path.is_symlink():
            path.chmod(int(arg, 8))
        elif kind == "symlink":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.symlink_to(arg.decode())


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    setup=st.lists(ops, max_size=8),
    turn=st.lists(ops, min_size=1, max_size=10),
    in_git=st.booleans(),
)
def test_undo_restores_the_tree_whatever_the_turn_did(setup, turn, in_git) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "w"
        root.mkdir()
        if in_git:
            subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        for op in setup:
            run(root, op)
        before = tree_state(root)
        snap = Snapshotter.open(root, Path(tmp) / "home")
        start = snap.take()
        for op in turn:
            run(root, op)
        end = snap.take()
        plan = plan_restore(
            root, target=start.manifest, left=end.manifest, other=end.manifest, now=snap.current()
        )
        assert plan.conflicts == ()
        assert apply_plan(snap.store, plan) == []
        assert tree_state(root) == before
        assert not (Path(tmp) / "outside").exists()
        assert set(os.listdir(Path(tmp))) <= {"w", "home"}  # nothing written beside
