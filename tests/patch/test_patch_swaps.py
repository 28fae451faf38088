"""Symlinks swapped in at chosen moments of a commit (after planning; between the check
and the writes): the commit fails with a PatchError, or lands inside the workspace;
nothing outside it is ever written, replaced or removed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from patch_helpers import read_tree, wrap, write_tree

from codex_tui.patch import CommitError, StaleFileError, build_patch_plan, commit

PATCH = wrap(
    "*** Update File: d/e/f.txt",
    "-f",
    "+F",
    "*** Add File: d/e/new.txt",
    "+new",
    "*** Add File: d/e/sub/deep.txt",
    "+deep",
    "*** Delete File: d/e/gone.txt",
)
INSIDE = {"d/e/f.txt": "f\n", "d/e/gone.txt": "g\n", "top.txt": "t\n"}
HOOK = "codex_tui.patch.checkpoints.hook"
OUTSIDE = {"f.txt": "outside f\n", "gone.txt": "outside g\n", "e/f.txt": "outside e/f\n"}


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    root = tmp_path / "outside"
    write_tree(root, OUTSIDE)
    return root


def swap_for_link(path: Path, target: Path) -> None:
    """Move `path` aside (to `.real-<name>`) and put a symlink to `target` in its place."""
    path.rename(path.with_name(f".real-{path.name}"))
    path.symlink_to(target)


def at(point: str, index: int, action: Callable[[], None]) -> Callable[[str, int], None]:
    """A checkpoint hook running `action` once, when the commit reaches `point`."""

    def hook(reached: str, i: int) -> None:
        if (reached, i) == (point, index):
            action()

    return hook


@pytest.mark.parametrize("swapped", ["d", "d/e"])
def test_a_directory_swapped_for_a_symlink_after_planning(
    ws: Path, outside: Path, swapped: str
) -> None:
    write_tree(ws, INSIDE)
    plan = build_patch_plan(PATCH, ws)
    swap_for_link(ws / swapped, outside if swapped == "d" else outside / "e")
    with pytest.raises(StaleFileError, match=f"{swapped} is a symbolic link now"):
        commit(plan)
    assert read_tree(outside) == read_tree_of(OUTSIDE)
    real = ws / swapped
    assert read_tree(real.with_name(f".real-{real.name}")) == read_tree_of(
        {k.removeprefix(swapped + "/"): v for k, v in INSIDE.items() if k.startswith(swapped)}
    )


def test_a_file_swapped_for_a_symlink_after_planning(ws: Path, outside: Path) -> None:
    write_tree(ws, INSIDE)
    plan = build_patch_plan(PATCH, ws)
    (ws / "d/e/f.txt").unlink()
    (ws / "d/e/f.txt").symlink_to(outside / "f.txt")
    with pytest.raises(StaleFileError, match=r"^d/e/f\.txt: changed on disk"):
        commit(plan)
    assert read_tree(outside) == read_tree_of(OUTSIDE)


@pytest.mark.parametrize(
    ("point", "index", "path", "kind"),
    [
        # the file to update, between the check and its replacement
        ("rename", 0, "d/e/f.txt", "file"),
        # where a new file goes, just before it is put there
        ("rename", 1, "d/e/new.txt", "file"),
        # a directory to be created, just before it is
        ("journal", 0, "d/e/sub", "dir"),
        # the file to delete, just before it is
        ("rename", 3, "d/e/gone.txt", "file"),
    ],
)
def test_a_symlink_planted_after_the_check_fails_the_commit(
    ws: Path,
    outside: Path,
    monkeypatch: pytest.MonkeyPatch,
    point: str,
    index: int,
    path: str,
    kind: str,
) -> None:
    write_tree(ws, INSIDE)
    before = read_tree(ws)
    plan = build_patch_plan(PATCH, ws)
    target = outside / Path(path).name if kind == "file" else outside / "e"

    def plant() -> None:
        if (ws / path).exists():
            (ws / path).unlink()
        (ws / path).symlink_to(target)

    monkeypatch.setattr(HOOK, at(point, index, plant))
    with pytest.raises(CommitError, match=r"nothing was changed$"):
        commit(plan)
    assert read_tree(outside) == read_tree_of(OUTSIDE)
    # Everything is as before but the planted link, which stays as it was put there.
    after = read_tree(ws)
    assert after.pop(path) == f"link->{target}"
    before.pop(path, None)
    assert after == before


def test_a_directory_moved_away_after_the_check_is_followed_not_the_symlink(
    ws: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the commit holds a directory open, it acts on that directory wherever it is
    moved to (inside the workspace), never on what now stands at its name: as if the
    swap came just after the commit."""
    write_tree(ws, INSIDE)
    plan = build_patch_plan(PATCH, ws)
    hook = at("stage", 0, lambda: swap_for_link(ws / "d", outside))
    monkeypatch.setattr(HOOK, hook)
    commit(plan)
    assert read_tree(outside) == read_tree_of(OUTSIDE)
    moved = read_tree(ws / ".real-d")
    assert moved["e/f.txt"] == b"F\n" and moved["e/sub/deep.txt"] == b"deep\n"
    assert "e/gone.txt" not in moved


def read_tree_of(files: dict[str, str]) -> dict[str, bytes | str]:
    """What read_tree gives for a tree written from `files`."""
    out: dict[str, bytes | str] = {}
    for rel, text in files.items():
        parts = rel.split("/")
        for depth in range(1, len(parts)):
            out["/".join(parts[:depth])] = "dir"
        out[rel] = text.encode()
    return out
