"""Scenario fixtures: copy `input/`, run `codex-tui apply-patch` on `patch`, compare trees.

Each directory under scenarios/ holds `input/` (absent: an empty tree), the
`patch` text, and either `expected/` (the tree afterwards) or `error` (a
fragment of the one-line error; the tree must then be unchanged). An optional
`stdout` file is the exact expected output. Git keeps no empty directories,
so an empty directory holds a `.empty-dir` marker, which is not part of the tree.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from codex_tui.cli import main

SCENARIOS = Path(__file__).parent / "scenarios"
MARKER = ".empty-dir"


def tree(root: Path) -> dict[str, object]:
    """Every directory, file and symlink under root: path -> bytes / 'dir' / ('link', target)."""
    out: dict[str, object] = {}
    if not root.exists():
        return out
    for dirpath, dirnames, filenames in os.walk(root):
        base = Path(dirpath)
        for name in dirnames + filenames:
            path = base / name
            rel = path.relative_to(root).as_posix()
            if name == MARKER:
                continue
            if path.is_symlink():
                out[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                out[rel] = "dir"
            else:
                out[rel] = path.read_bytes()
        dirnames[:] = [d for d in dirnames if not (base / d).is_symlink()]
    return out


def copy_input(scenario: Path, work: Path) -> None:
    source = scenario / "input"
    if source.exists():
        shutil.copytree(source, work, symlinks=True, ignore=shutil.ignore_patterns(MARKER))
    else:
        work.mkdir()


@pytest.mark.parametrize("name", sorted(p.name for p in SCENARIOS.iterdir() if p.is_dir()))
def test_scenario(name: str, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    scenario = SCENARIOS / name
    work = tmp_path / "work"
    copy_input(scenario, work)
    before = tree(work)

    code = main(["apply-patch", "-C", str(work), str(scenario / "patch")])
    out, err = capsysbinary.readouterr()

    error_file = scenario / "error"
    if error_file.exists():
        assert code == 1, out
        assert out == b""
        assert err.startswith(b"error: ") and err.count(b"\n") == 1, err
        assert error_file.read_text().strip().encode() in err
        assert tree(work) == before
    else:
        assert code == 0, err
        assert tree(work) == tree(scenario / "expected")
        assert out.startswith(b"Success. Updated the following files:\n")
    stdout_file = scenario / "stdout"
    if stdout_file.exists():
        assert out == stdout_file.read_bytes()


def test_every_scenario_is_complete() -> None:
    """A scenario without an outcome would pass vacuously."""
    for scenario in (p for p in SCENARIOS.iterdir() if p.is_dir()):
        assert (scenario / "patch").is_file(), scenario.name
        assert (scenario / "expected").is_dir() != (scenario / "error").is_file(), scenario.name
