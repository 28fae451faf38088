"""Which files `@` offers: git's view of a repository (honouring .gitignore), else a walk."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from codex_tui.ui.repofiles import list_files, list_git_files, walk_files


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def write(root: Path, rel: str, text: str = "x\n") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    write(root, ".gitignore", "build/\n*.log\n")
    write(root, "README.md")
    write(root, "src/app.py")
    write(root, "src/ui/composer.py")
    write(root, "src/gone.py")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    (root / "src/gone.py").unlink()  # tracked, deleted from the work tree
    write(root, "notes/todo.txt")  # untracked, not ignored
    write(root, "build/out.py")  # ignored directory
    write(root, "debug.log")  # ignored pattern
    write(root, "name with space.md")
    return root


def test_git_repo_lists_tracked_and_untracked_but_not_ignored(repo: Path) -> None:
    files = list_files(repo)
    assert sorted(files) == [
        ".gitignore",
        "README.md",
        "name with space.md",
        "notes/",
        "notes/todo.txt",
        "src/",
        "src/app.py",
        "src/ui/",
        "src/ui/composer.py",
    ]


def test_subdirectory_paths_are_relative_to_it(repo: Path) -> None:
    assert sorted(list_files(repo / "src")) == ["app.py", "ui/", "ui/composer.py"]


def test_git_listing_is_capped(repo: Path) -> None:
    files = list_git_files(repo, limit=2)
    assert files is not None and len(files) == 2


def test_not_a_repository_falls_back_to_a_walk(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    write(root, "main.py")
    write(root, "pkg/mod.py")
    write(root, ".hidden/secret.txt")
    write(root, ".env")
    write(root, "node_modules/left-pad/index.js")
    write(root, "pkg/__pycache__/mod.cpython-311.pyc")
    assert list_git_files(root) is None
    assert list_files(root) == ["main.py", "pkg/mod.py", "pkg/"]


def test_walk_is_capped(tmp_path: Path) -> None:
    for i in range(30):
        write(tmp_path, f"d{i % 3}/f{i}.txt")
    assert len(walk_files(tmp_path, limit=7)) == 7


def test_missing_root_gives_nothing(tmp_path: Path) -> None:
    assert list_files(tmp_path / "does-not-exist") == []


def test_a_file_late_in_a_big_listing_is_found_and_folders_complete(tmp_path: Path) -> None:
    """No cap on the listing: the 60,001st file of a repository is offered."""
    from codex_tui.ui.completion import FuzzyIndex

    root = tmp_path / "big"
    for n in range(600):
        folder = root / f"pkg{n:03d}"
        folder.mkdir(parents=True)
        for m in range(100):
            (folder / f"f{m:02d}.py").touch()
    write(root, "zzz/late/needle_late_target.py")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    files = list_files(root)
    assert len(files) == 60_001 + 600 + 2
    index = FuzzyIndex(files)
    assert index.search("needle", 1)[0].text == "zzz/late/needle_late_target.py"
    assert index.search("zzz/la", 1)[0].text == "zzz/late/"
