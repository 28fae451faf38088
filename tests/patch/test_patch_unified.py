"""Unified diffs in, and our own diffs out: `git apply` and our engine agree on them."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from patch_helpers import read_tree, wrap, write_tree

from codex_tui.patch import (
    FileStateError,
    PatchSyntaxError,
    apply_patch,
    build_patch_plan,
)
from codex_tui.patch.unified import unquote_git_path

GIT = shutil.which("git")
BASE = {
    "src/app.py": "".join(f"line {i}\n" for i in range(1, 60)),
    "docs/old.md": "# Old\ntext\n",
    "remove.txt": "remove me\n",
    "crlf.txt": b"a\r\nb\r\nc\r\n",
    "tail.txt": b"no newline at the end",
    "docs/caf\u00e9 notes.txt": "quoted by git\n",
}
PATCH = wrap(
    "*** Update File: src/app.py",
    "@@",
    " line 4",
    "-line 5",
    "+line five",
    "@@",
    " line 40",
    "+line 40.5",
    "*** Update File: docs/old.md",
    "*** Move to: docs/new/renamed.md",
    "-text",
    "+new text",
    "*** Delete File: remove.txt",
    "*** Add File: added/file.txt",
    "+fresh",
    "*** Update File: crlf.txt",
    "-b",
    "+B",
    "*** Update File: tail.txt",
    "+appended",
)


def git(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(cwd)}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_dry_run_diff_reapplies_to_the_same_tree(tmp_path: Path) -> None:
    applied, replayed = tmp_path / "applied", tmp_path / "replayed"
    for root in (applied, replayed):
        root.mkdir()
        write_tree(root, BASE)
    diff = build_patch_plan(PATCH, applied).diff
    apply_patch(PATCH, applied)
    apply_patch(diff, replayed)
    assert read_tree(replayed) == read_tree(applied)


def test_git_apply_accepts_our_diff(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    for root in (ours, theirs):
        root.mkdir()
        write_tree(root, BASE)
    diff = build_patch_plan(PATCH, ours).diff
    apply_patch(PATCH, ours)
    (tmp_path / "d.patch").write_text(diff)
    result = git("apply", "--whitespace=nowarn", str(tmp_path / "d.patch"), cwd=theirs)
    assert result.returncode == 0, result.stderr
    assert read_tree(theirs) == read_tree(ours)


def test_real_git_diff_applies(tmp_path: Path) -> None:
    repo, target = tmp_path / "repo", tmp_path / "target"
    repo.mkdir()
    write_tree(repo, BASE)
    os.chmod(repo / "src/app.py", 0o644)
    assert git("init", "-q", cwd=repo).returncode == 0
    git("add", "-A", cwd=repo)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base", cwd=repo)
    shutil.copytree(repo, target, ignore=shutil.ignore_patterns(".git"))
    app = (repo / "src/app.py").read_text().replace("line 30\n", "line thirty\n")
    (repo / "src/app.py").write_text(app.replace("line 2\n", ""))
    os.chmod(repo / "src/app.py", 0o755)
    git("mv", "docs/old.md", "docs/moved.md", cwd=repo)
    (repo / "remove.txt").unlink()
    (repo / "tail.txt").write_bytes(b"no newline at the end\nnow one\n")
    (repo / "docs/caf\u00e9 notes.txt").write_text("quoted by git, and edited\n")
    (repo / "brand").mkdir()
    (repo / "brand/new.sh").write_text("#!/bin/sh\n")
    os.chmod(repo / "brand/new.sh", 0o755)
    git("add", "-A", cwd=repo)
    diff = git("diff", "--cached", "-M", cwd=repo).stdout

    apply_patch(diff, target)
    expected = {k: v for k, v in read_tree(repo).items() if not k.startswith(".git")}
    assert read_tree(target) == expected
    assert (target / "src/app.py").stat().st_mode & stat.S_IXUSR
    assert (target / "brand/new.sh").stat().st_mode & stat.S_IXUSR


def test_hunks_without_context_use_their_line_numbers(ws: Path) -> None:
    write_tree(ws, {"z.txt": "a\nb\nc\nd\n"})
    # diff -U0: insert after line 2, replace line 4.
    apply_patch("--- a/z.txt\n+++ b/z.txt\n@@ -2,0 +3 @@\n+inserted\n@@ -4 +5 @@\n-d\n+D\n", ws)
    assert (ws / "z.txt").read_text() == "a\nb\ninserted\nc\nD\n"


def test_nearest_match_to_the_line_number_wins(ws: Path) -> None:
    write_tree(ws, {"r.txt": "x\nsame\nx\nx\nx\nx\nx\nsame\nx\n"})
    apply_patch("--- a/r.txt\n+++ b/r.txt\n@@ -7,3 +7,3 @@\n x\n-same\n+changed\n x\n", ws)
    assert (ws / "r.txt").read_text() == "x\nsame\nx\nx\nx\nx\nx\nchanged\nx\n"


def test_plain_diff_names_either_file(ws: Path) -> None:
    write_tree(ws, {"conf": "v=1\n"})
    apply_patch("--- conf.orig\n+++ conf\n@@ -1 +1 @@\n-v=1\n+v=2\n", ws)
    apply_patch("--- conf\n+++ conf.new\n@@ -1 +1 @@\n-v=2\n+v=3\n", ws)
    assert read_tree(ws) == {"conf": b"v=3\n"}


def test_deleting_a_file_that_differs_from_the_diff_is_refused(ws: Path) -> None:
    write_tree(ws, {"d.txt": "edited since\n"})
    with pytest.raises(FileStateError, match="differs from the diff"):
        apply_patch("--- a/d.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-original\n", ws)
    assert (ws / "d.txt").exists()


@pytest.mark.parametrize(
    ("diff", "fragment"),
    [
        (
            "diff --git a/i.png b/i.png\nindex 1..2 100644\nBinary files a/i.png and b/i.png differ\n",
            "binary diffs are not supported",
        ),
        (
            "diff --git a/a b/c\nsimilarity index 100%\ncopy from a\ncopy to c\n",
            "copies are not supported",
        ),
        (
            "--- a/x\n+++ b/x\n+++ b/y\n@@ -1 +1 @@\n-a\n+b\n",
            "patch line 3: not a valid unified diff",
        ),
    ],
)
def test_unsupported_or_broken_diffs_are_one_line_errors(
    ws: Path, diff: str, fragment: str
) -> None:
    write_tree(ws, {"x": "a\n", "a": "a\n"})
    with pytest.raises(PatchSyntaxError) as info:
        build_patch_plan(diff, ws)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("quoted", "name"),
    [
        ('"docs/caf\\303\\251 notes.txt"', "docs/caf\u00e9 notes.txt"),
        ('"tab\\there \\"quoted\\" back\\\\slash"', 'tab\there "quoted" back\\slash'),
        ("plain name.txt", "plain name.txt"),
        ('"not utf-8 \\377"', "not utf-8 \\377"),  # left as written, not an error
        ('"', '"'),
    ],
)
def test_git_quoted_names_are_unquoted(quoted: str, name: str) -> None:
    assert unquote_git_path(quoted) == name
