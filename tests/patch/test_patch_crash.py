"""kill -9 in the middle of a 3,000-file commit: after recovery the tree is exactly the
old one (bytes, modes, symlinks, deletions) or, when the journal had reached its commit
point, exactly the new one; never a mix, and no side file is left.

A real `codex-tui apply-patch` process is killed: at named points by the engine itself
(CODEX_TUI_TEST_PATCH_KILL_AT), and at moments chosen by a clock.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from patch_helpers import wrap

from codex_tui.patch import apply_patch, recover_unfinished_commit
from codex_tui.patch.checkpoints import KILL_AT_ENV

FILES = 3_000
State = dict[str, tuple[str, int, bytes]]


def tree_state(root: Path) -> State:
    """Every entry: kind, permission bits and bytes (a symlink's target); side files too."""
    out: State = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            st = path.lstat()
            rel = path.relative_to(root).as_posix()
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", 0, os.readlink(path).encode())
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", 0, b"")
            else:
                out[rel] = ("file", stat.S_IMODE(st.st_mode), path.read_bytes())
    return out


def _lines(i: int) -> str:
    return "".join(f"line {j} of {i}\n" for j in range(20))


def _edit(i: int, word: str) -> list[str]:
    return [
        "@@",
        f" line 9 of {i}",
        f"-line 10 of {i}",
        f"+line 10 of {i} {word}",
        f" line 11 of {i}",
    ]


def build_case(root: Path) -> str:
    """The old tree under `root` and a patch for it: 3,000 operations of every kind
    (updates, some of executables; additions into new directories; deletions of files
    and symlinks; moves; files overwritten)."""
    ops: list[str] = []
    for i in range(FILES):
        path = root / f"pkg{i % 40}" / f"m{i}.txt"
        name = path.relative_to(root).as_posix()
        kind = i % 6
        if kind != 2:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_lines(i))
            os.chmod(path, 0o755 if i % 12 == 0 else 0o640 if kind == 5 else 0o644)
        if kind in (0, 1):
            ops += [f"*** Update File: {name}", *_edit(i, "changed")]
        elif kind == 2:
            ops += [f"*** Add File: new{i % 25}/sub/a{i}.txt", f"+added {i}"]
        elif kind == 3 and i % 12 == 3:
            link = root / "links" / f"l{i}"
            link.parent.mkdir(exist_ok=True)
            link.symlink_to(f"../{name}")
            ops += [f"*** Delete File: links/l{i}"]
        elif kind == 3:
            ops += [f"*** Delete File: {name}"]
        elif kind == 4:
            ops += [f"*** Update File: {name}", f"*** Move to: moved{i % 10}/m{i}.txt"]
            ops += _edit(i, "moved")
        else:
            ops += [f"*** Add File: {name}", f"+overwritten {i}"]
    return wrap(*ops)


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, State, State]:
    """A pristine old tree (copied for each run), the patch file, the old and new states."""
    base = tmp_path_factory.mktemp("crash")
    old, new = base / "old", base / "new"
    old.mkdir()
    patch = base / "big.patch"
    patch.write_text(build_case(old))
    shutil.copytree(old, new, symlinks=True)
    apply_patch(patch.read_text(), new)
    return old, patch, tree_state(old), tree_state(new)


def start_apply(ws: Path, patch: Path, kill_at: str | None = None) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != KILL_AT_ENV}
    if kill_at is not None:
        env[KILL_AT_ENV] = kill_at
    command = [sys.executable, "-m", "codex_tui", "apply-patch", "-C", str(ws), str(patch)]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def fresh_workspace(case: tuple[Path, Path, State, State], tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    shutil.copytree(case[0], ws, symlinks=True)
    return ws


def side_files(ws: Path) -> list[str]:
    return [rel for rel in tree_state(ws) if "codex-tui" in rel]


@pytest.mark.parametrize(
    ("kill_at", "outcome"),
    [
        ("journal:0", "rolled back"),  # the journal exists, nothing else yet
        ("stage:0", "rolled back"),
        ("stage:1500", "rolled back"),  # half the temporary files written
        ("rename:0", "rolled back"),
        ("rename:1", "rolled back"),
        ("rename:1750", "rolled back"),  # half of the entries in place
        ("rename:3499", "rolled back"),  # all but the last
        ("committed:0", "finished"),  # past the commit point, backups not yet removed
    ],
)
def test_a_commit_killed_at_a_point_recovers_whole(
    case: tuple[Path, Path, State, State], tmp_path: Path, kill_at: str, outcome: str
) -> None:
    _, patch, old, new = case
    ws = fresh_workspace(case, tmp_path)
    done = start_apply(ws, patch, kill_at)
    done.communicate(timeout=120)
    assert done.returncode == -signal.SIGKILL
    if kill_at.startswith("rename:1750"):
        now = tree_state(ws)
        assert now != old and now != new  # half-applied: what the journal is for
    recovered = recover_unfinished_commit(ws)
    assert recovered is not None and recovered.outcome == outcome
    assert recovered.files == 3_500  # 3,000 operations, 500 of them moves (two entries)
    assert tree_state(ws) == (new if outcome == "finished" else old)
    assert side_files(ws) == []
    assert recover_unfinished_commit(ws) is None


def test_the_next_apply_patch_rolls_back_first(
    case: tuple[Path, Path, State, State], tmp_path: Path
) -> None:
    _, patch, old, _ = case
    ws = fresh_workspace(case, tmp_path)
    killed = start_apply(ws, patch, "rename:900")
    killed.communicate(timeout=120)
    assert killed.returncode == -signal.SIGKILL
    small = tmp_path / "small.patch"
    small.write_text(wrap("*** Add File: after.txt", "+after the crash"))
    again = start_apply(ws, small)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert err.startswith(b"note: an interrupted patch commit (started ")
    assert err.endswith(b"3500 files) was rolled back\n")
    assert out.endswith(b"A after.txt\n")
    expected = dict(
        old, **{"after.txt": ("file", tree_state(ws)["after.txt"][1], b"after the crash\n")}
    )
    assert tree_state(ws) == expected


RECOVER = "import sys; from codex_tui.patch import recover_unfinished_commit as r; r(sys.argv[1])"


@pytest.mark.parametrize(
    ("kill_at", "recovery_kills", "outcome"),
    [
        ("rename:1750", ["undo:0", "undo:1200", "undo:1201", "undo:3000"], "rolled back"),
        ("committed:0", ["finish:0", "finish:2000"], "finished"),
    ],
)
def test_a_recovery_killed_in_turn_is_recovered_too(
    case: tuple[Path, Path, State, State],
    tmp_path: Path,
    kill_at: str,
    recovery_kills: list[str],
    outcome: str,
) -> None:
    _, patch, old, new = case
    ws = fresh_workspace(case, tmp_path)
    start_apply(ws, patch, kill_at).communicate(timeout=120)
    for point in recovery_kills:
        env = dict(os.environ, **{KILL_AT_ENV: point})
        done = subprocess.run([sys.executable, "-c", RECOVER, str(ws)], env=env, timeout=120)
        assert done.returncode == -signal.SIGKILL
    recovered = recover_unfinished_commit(ws)
    assert recovered is not None and recovered.outcome == outcome
    assert tree_state(ws) == (new if outcome == "finished" else old)
    assert side_files(ws) == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_commit_killed_at_a_random_moment_is_old_or_new(
    case: tuple[Path, Path, State, State], tmp_path: Path, seed: int
) -> None:
    """Killed by the clock: once the rename phase has begun (seen from outside, by its
    journal's name) after a random delay; with seed 3 at a random moment from start."""
    _, patch, old, new = case
    ws = fresh_workspace(case, tmp_path)
    rng = random.Random(seed)
    proc = start_apply(ws, patch)
    if seed == 3:
        time.sleep(rng.uniform(0.2, 2.0))
    else:
        deadline = time.monotonic() + 60
        while not (ws / ".codex-tui-commit.renaming").exists() and proc.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.0005)
        time.sleep(rng.uniform(0, 0.05))
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=120)
    recovered = recover_unfinished_commit(ws)
    state = tree_state(ws)
    if recovered is None:  # it was not cut short: done before the kill, or before starting
        assert state in (old, new)
    else:
        assert state == (new if recovered.outcome == "finished" else old)
    assert side_files(ws) == []
