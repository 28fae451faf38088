"""A repository's .git/config cannot make our git calls run its programs (they
run outside the sandbox): no fsmonitor hook, no external diff, no textconv."""

from __future__ import annotations

import subprocess
from pathlib import Path

from codex_tui.tools import git


def hostile_repo(root: Path, marker: Path) -> None:
    run = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "a.txt").write_text("one\n")
    (root / ".gitattributes").write_text("*.txt diff=evil\n")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run([*run, "commit", "-qm", "init"], cwd=root, check=True)
    evil = f"sh -c 'touch {marker}' #"
    for key, value in (
        ("core.fsmonitor", evil),
        ("diff.external", evil),
        ("diff.evil.textconv", evil),
        ("diff.evil.command", evil),
    ):
        subprocess.run(["git", "config", key, value], cwd=root, check=True)
    (root / "a.txt").write_text("two\n")


async def test_status_and_diff_run_no_program_of_the_repository(tmp_path: Path) -> None:
    root, marker = tmp_path / "repo", tmp_path / "ran"
    hostile_repo(root, marker)
    assert "a.txt" in await git.git_status(root)
    assert "+two" in await git.git_diff(root, None, None)
    assert "+two" in await git.working_tree_diff(root)
    assert not marker.exists()
