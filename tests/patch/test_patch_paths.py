"""Workspace path rules: what a patch may name, and how names are normalised."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from codex_tui.patch import PathError
from codex_tui.patch.paths import resolve_path


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("/etc/passwd", "absolute paths are not allowed"),
        ("C:\\Windows\\x", "absolute paths are not allowed"),
        ("\\\\server\\share", "absolute paths are not allowed"),
        ("~/x", "home-relative"),
        ("../x", "leaves the workspace"),
        ("a/../../x", "leaves the workspace"),
        (".", "names the workspace root"),
        ("a/..", "names the workspace root"),
        (".git/config", "inside .git/"),
        ("sub/.GIT/HEAD", "inside .git/"),
        ("bad\0name", "NUL"),
    ],
)
def test_rejected(tmp_path: Path, raw: str, reason: str) -> None:
    with pytest.raises(PathError, match=re.escape(reason)):
        resolve_path(tmp_path.resolve(), raw)


def test_normalised_inside_the_workspace(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    wp = resolve_path(root, "./a//b/../c.txt")
    assert (wp.display, wp.lexical, wp.resolved) == ("a/c.txt", root / "a/c.txt", root / "a/c.txt")


def test_symlinks_out_of_the_workspace_or_into_git_are_rejected(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    outside = tmp_path / "outside"
    (root / ".git").mkdir(parents=True)
    outside.mkdir()
    (root / "out").symlink_to(outside)
    (root / "sneaky").symlink_to(".git")
    (root / "file-link").symlink_to(outside / "f.txt")
    root = root.resolve()
    for raw in ("out/x.txt", "file-link"):
        with pytest.raises(PathError, match="resolves outside the workspace"):
            resolve_path(root, raw)
    with pytest.raises(PathError, match=r"resolves into \.git/"):
        resolve_path(root, "sneaky/config")


def test_symlink_inside_the_workspace_resolves_to_its_target(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    (root / "real").mkdir()
    (root / "alias").symlink_to("real")
    wp = resolve_path(root, "alias/f.txt")
    assert wp.lexical == root / "alias/f.txt"
    assert wp.resolved == root / "real/f.txt"


@pytest.mark.parametrize("name", [".codex-tui-commit.renaming", ".codex-tui-commit.writing"])
def test_a_patch_may_not_name_the_commit_journal(tmp_path: Path, name: str) -> None:
    with pytest.raises(PathError, match="is the name of codex-tui's commit journal"):
        resolve_path(tmp_path.resolve(), f"./{name}")
