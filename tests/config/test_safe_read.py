"""safe_read: regular files only, opened without blocking, and beneath a
directory never through a link that leads out of it (even one swapped in
between the check and the open)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from codex_tui.config import safe_read
from codex_tui.config.safe_read import UnreadableFile, open_regular, read_regular, size_text
from tests.tools.hostile import fifo, link


def test_reads_regular_files_up_to_a_cap(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"0123456789")
    assert read_regular(tmp_path / "f", 10) == b"0123456789"
    assert read_regular(tmp_path / "f", 4, truncate=True) == b"0123"
    with pytest.raises(UnreadableFile, match=r"^is larger than 4 bytes$"):
        read_regular(tmp_path / "f", 4)
    with pytest.raises(FileNotFoundError):
        read_regular(tmp_path / "missing", 4)


@pytest.mark.parametrize("beneath", [False, True])
def test_special_files_are_refused_by_kind(tmp_path: Path, beneath: bool) -> None:
    under = tmp_path if beneath else None
    fifo(tmp_path / "pipe")
    with pytest.raises(UnreadableFile, match=r"^is a named pipe \(FIFO\), not a regular file$"):
        read_regular(tmp_path / "pipe", 10, beneath=under)
    with pytest.raises(UnreadableFile) as info:
        read_regular(tmp_path, 10, beneath=under)
    assert info.value.kind == "directory"


def test_a_device_is_refused_without_being_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    real_open = os.open
    monkeypatch.setattr(
        safe_read.os, "open", lambda *a, **k: opened.append(a[0]) or real_open(*a, **k)
    )
    with pytest.raises(UnreadableFile, match=r"^is a character device, not a regular file$"):
        read_regular(Path("/dev/zero"), 10)
    assert opened == []


def test_beneath_follows_links_that_stay_inside(tmp_path: Path) -> None:
    (tmp_path / "repo" / "docs").mkdir(parents=True)
    (tmp_path / "repo" / "docs" / "a.md").write_text("inside")
    (tmp_path / "out.md").write_text("outside")
    link(tmp_path / "repo" / "in.md", "docs/a.md")
    link(tmp_path / "repo" / "out.md", tmp_path / "out.md")
    link(tmp_path / "repo" / "loop", "loop")
    repo = tmp_path / "repo"
    assert read_regular(repo / "in.md", 100, beneath=repo) == b"inside"
    with pytest.raises(
        UnreadableFile,
        match=re.escape(f"is a symbolic link to {tmp_path / 'out.md'}, outside {repo}"),
    ):
        read_regular(repo / "out.md", 100, beneath=repo)
    with pytest.raises(UnreadableFile, match=r"^is a symbolic link loop$"):
        read_regular(repo / "loop", 100, beneath=repo)
    assert read_regular(repo / "out.md", 100) == b"outside"  # not beneath: followed


def test_a_directory_swapped_for_a_link_after_the_check_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race: the path resolved inside, then `sub` became a link out."""
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    (repo / "sub").mkdir(parents=True)
    (repo / "sub" / "f").write_text("inside")
    outside.mkdir()
    (outside / "f").write_text("secret")
    real_realpath = os.path.realpath

    def realpath_then_swap(path, strict=False):
        resolved = real_realpath(path, strict=strict)
        if str(path).endswith("/f"):
            (repo / "sub" / "f").unlink()
            (repo / "sub").rmdir()
            (repo / "sub").symlink_to(outside)
        return resolved

    monkeypatch.setattr(safe_read.os.path, "realpath", realpath_then_swap)
    with pytest.raises(UnreadableFile, match="changed while it was opened"):
        open_regular(repo / "sub" / "f", beneath=repo)


def test_size_text() -> None:
    assert [size_text(n) for n in (1 << 20, 256 << 10, 3 << 30, 1000)] == [
        "1 MiB", "256 KiB", "3 GiB", "1000 bytes"
    ]  # fmt: skip
