"""/diff in a big change: 20,000 modified tracked files plus 2,000 untracked ones
(1,800 in new folders, 200 scattered among tracked ones), made by the bench in a
temp dir. `working_tree_diff` is what /diff and /review run. The untracked part
used to cost seconds (`add -N` with one pathspec per file matches every path
against every pathspec); wholly new folders now go as one pathspec each.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from codex_tui.tools.git import working_tree_diff


def fig(name: str, value, unit: str = "", goal: str = "", note: str = "") -> dict:
    return {"name": name, "value": value, "unit": unit, "goal": goal, "note": note}


def make_repo(root: Path) -> None:
    for i in range(20_000):
        folder = root / f"d{i % 200}"
        folder.mkdir(exist_ok=True)
        (folder / f"f{i}.txt").write_text(f"line one {i}\nline two\n")
    git = ["git", "-c", "user.name=b", "-c", "user.email=b@b"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "init"], cwd=root, check=True)
    for i in range(20_000):
        with open(root / f"d{i % 200}" / f"f{i}.txt", "a") as f:
            f.write("changed\n")
    for i in range(1_800):
        folder = root / f"new{i % 9}"
        folder.mkdir(exist_ok=True)
        (folder / f"n{i}.txt").write_text(f"new {i}\n")
    for i in range(200):
        (root / f"d{i}" / f"loose{i}.txt").write_text(f"loose {i}\n")


def run() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_repo(root)
        times = []
        for _ in range(3):
            started = time.perf_counter()
            text = asyncio.run(working_tree_diff(root))
            times.append(time.perf_counter() - started)
        env = {**os.environ, "GIT_INDEX_FILE": str(root / ".git" / "scratch-index")}
        untracked = subprocess.run(
            ["git", "ls-files", "--others", "--exclude-standard", "-z"],
            cwd=root, capture_output=True, check=True,
        ).stdout  # fmt: skip
        subprocess.run(["cp", str(root / ".git" / "index"), env["GIT_INDEX_FILE"]], check=True)
        started = time.perf_counter()
        subprocess.run(
            ["git", "add", "-N", "--pathspec-from-file=-", "--pathspec-file-nul"],
            cwd=root, env=env, input=untracked, check=True,
        )  # fmt: skip
        per_file = time.perf_counter() - started
    return [
        fig("/diff: 20k modified + 2k untracked files", statistics.median(times), "s", "",
            f"median of 3; {len(text) // 1_000_000} MB of diff text"),
        fig("of which: add -N file by file (the old way), alone", per_file, "s", "",
            "now one pathspec per new folder"),
    ]  # fmt: skip
