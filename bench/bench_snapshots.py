"""Undo snapshots: what a snapshot costs as the workspace grows (1k, 10k, 50k files).

A git repository of small source files (all committed) with a few ignored
files, page cache warm. Figures, each the median of 3:

- cold: the first snapshot of the session, no stat cache (every file is read
  and stored; in a repository the blobs mostly exist already);
- unchanged: the next one when nothing changed (the walk and the stat cache:
  no file read, no git call) — what a turn that only reads pays at its end;
- 10 files changed: a typical turn's end snapshot;
- undo of that turn: preparing (snapshot of now, two manifests read back) and
  restoring the 10 files.

Codex CLI has no undo of shell side effects to compare with (its /undo was removed).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from codex_tui.snapshots import Snapshotter, apply_plan, plan_restore

SIZES = (1_000, 10_000, 50_000)
PER_DIR = 100
RUNS = 3


def fig(name: str, value, unit: str = "", goal: str = "", note: str = "") -> dict:
    return {"name": name, "value": value, "unit": unit, "goal": goal, "note": note}


def make_repo(root: Path, files: int) -> None:
    root.mkdir()
    for n in range(files):
        folder = root / f"pkg{n // PER_DIR // 50}" / f"mod{n // PER_DIR}"
        if n % PER_DIR == 0:
            folder.mkdir(parents=True)
        (folder / f"f{n}.py").write_text(f"VALUE_{n} = {n}\n" * 20)
    (root / ".gitignore").write_text("*.log\n")
    (root / "run.log").write_text("log\n")
    env = {"GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@b", "GIT_COMMITTER_NAME": "b"}
    env["GIT_COMMITTER_EMAIL"] = "b@b"
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(["git", *args], cwd=root, check=True, env={**env, "PATH": "/usr/bin:/bin"})


def change(root: Path, round_: int) -> list[Path]:
    paths = [root / "pkg0" / "mod0" / f"f{n}.py" for n in range(10)]
    for path in paths:
        path.write_text(f"changed in round {round_}\n")
    return paths


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def measure(files: int) -> dict[str, float]:
    cold, unchanged, changed, undo = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="bench-snap-") as tmp:
        root = Path(tmp) / "w"
        make_repo(root, files)
        for run in range(RUNS):
            home = Path(tmp) / f"home{run}"
            snap = Snapshotter.open(root, home)
            cold.append(timed(lambda s=snap: s.take()))
            # Files written just now are re-read until they are 2 s old (racy
            # stat data); in a real session the tree is older than that.
            time.sleep(2.1) if run == 0 else None
            snap = Snapshotter.open(root, home)
            snap.take()
            unchanged.append(timed(lambda s=snap: s.take()))
            start = snap.take()
            change(root, run)
            started = time.perf_counter()
            end = snap.take()
            changed.append((time.perf_counter() - started) * 1000)

            def restore(s=snap, a=start, b=end) -> None:
                plan = plan_restore(
                    s.root, target=a.manifest, left=b.manifest, other=b.manifest, now=s.current()
                )
                assert not apply_plan(s.store, plan)

            undo.append(timed(restore))
            shutil.rmtree(home)
    return {
        "cold": statistics.median(cold),
        "unchanged": statistics.median(unchanged),
        "changed": statistics.median(changed),
        "undo": statistics.median(undo),
    }


def run() -> list[dict]:
    figures = []
    for files in SIZES:
        got = measure(files)
        label = f"{files:,} files"
        figures += [
            fig(
                f"snapshot, cold, {label}",
                got["cold"],
                "ms",
                "≤ 2 s at 50,000",
                "first of a session: every file read (hash-object --no-filters), tree and commit",
            ),
            fig(
                f"snapshot, nothing changed, {label}",
                got["unchanged"],
                "ms",
                "≤ 300 ms at 50,000",
                "walk + stat cache; the previous commit is reused",
            ),
            fig(f"snapshot, 10 files changed, {label}", got["changed"], "ms"),
            fig(f"undo of that turn (prepare + restore), {label}", got["undo"], "ms"),
        ]
    return figures


if __name__ == "__main__":
    for f in run():
        print(f)
