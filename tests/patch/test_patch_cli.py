"""`codex-tui apply-patch` as a person runs it: stdin or a file, -C, --dry-run, errors."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from patch_helpers import read_tree, wrap, write_tree

from codex_tui.cli import main

EDIT = wrap("*** Update File: a.txt", "-a", "+A", "*** Add File: b.txt", "+b")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def feed_stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))


def test_patch_from_stdin(
    ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(ws, {"a.txt": "a\n"})
    feed_stdin(monkeypatch, EDIT)
    code, out, err = run(["apply-patch", "-C", str(ws)], capsys)
    assert (code, err) == (0, "")
    assert out == "Success. Updated the following files:\nA b.txt\nM a.txt\n"
    assert read_tree(ws) == {"a.txt": b"A\n", "b.txt": b"b\n"}


def test_dash_means_stdin_and_c_may_follow_the_command(
    ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(ws, {"a.txt": "a\n"})
    feed_stdin(monkeypatch, EDIT)
    code, _, _ = run(["apply-patch", "-", "-C", str(ws)], capsys)
    assert code == 0 and (ws / "b.txt").exists()


def test_patch_from_a_file_relative_to_the_current_directory(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(ws, {"a.txt": "a\n"})
    (tmp_path / "fix.patch").write_text(EDIT)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["-C", str(ws), "apply-patch", "fix.patch"], capsys)
    assert code == 0 and out.endswith("M a.txt\n")


def test_dry_run_prints_the_diff_and_changes_nothing(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(ws, {"a.txt": "a\n"})
    (tmp_path / "p").write_text(EDIT)
    code, out, err = run(["apply-patch", "--dry-run", "-C", str(ws), str(tmp_path / "p")], capsys)
    assert (code, err) == (0, "")
    assert out.startswith(
        "diff --git a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n@@ -1,1 +1,1 @@\n-a\n+A\n"
    )
    assert "+++ b/b.txt\n@@ -0,0 +1,1 @@\n+b\n" in out
    assert read_tree(ws) == {"a.txt": b"a\n"}


def test_dry_run_still_reports_errors(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "p").write_text(wrap("*** Delete File: missing.txt"))
    code, out, err = run(["apply-patch", "--dry-run", "-C", str(ws), str(tmp_path / "p")], capsys)
    assert (code, out, err) == (1, "", "error: missing.txt: cannot delete: no such file\n")


@pytest.mark.parametrize("name", ["does-not-exist.patch", "."])
def test_unreadable_patch_file_is_one_line(
    ws: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    code, out, err = run(["apply-patch", "-C", str(ws), name], capsys)
    assert code == 1 and out == ""
    assert err.startswith(f"error: cannot read patch file {name}: ") and err.count("\n") == 1


def test_failure_leaves_the_tree_byte_identical(
    ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(ws, {"a.txt": "a\n", "keep/x.txt": "x\n"})
    before = read_tree(ws)
    feed_stdin(
        monkeypatch,
        EDIT.replace("*** End Patch", "*** Update File: keep/x.txt\n-y\n+z\n*** End Patch"),
    )
    code, out, err = run(["apply-patch", "-C", str(ws)], capsys)
    assert (code, out) == (1, "")
    assert err == "error: keep/x.txt: chunk 1: context line not found: 'y' (patch line 8)\n"
    assert read_tree(ws) == before


def test_an_overwrite_is_noted(
    ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(ws, {"b.txt": "old\n"})
    feed_stdin(monkeypatch, wrap("*** Add File: b.txt", "+new"))
    code, out, err = run(["apply-patch", "-C", str(ws)], capsys)
    assert code == 0 and out.endswith("A b.txt\n")
    assert err == "note: b.txt: an existing file was replaced\n"


def test_the_installed_command_end_to_end(ws: Path) -> None:
    write_tree(ws, {"a.txt": "a\n"})
    ok = subprocess.run(
        [sys.executable, "-m", "codex_tui", "apply-patch", "-C", str(ws)],
        input=EDIT.encode(),
        capture_output=True,
        timeout=60,
    )
    assert (ok.returncode, ok.stderr) == (0, b"")
    assert ok.stdout == b"Success. Updated the following files:\nA b.txt\nM a.txt\n"
    bad = subprocess.run(
        [sys.executable, "-m", "codex_tui", "apply-patch", "-C", str(ws)],
        input=b"\xff\xfe not a patch",
        capture_output=True,
        timeout=60,
    )
    assert bad.returncode == 1 and bad.stdout == b""
    assert bad.stderr.startswith(b"error: patch line 1: expected '*** Begin Patch'")
    assert bad.stderr.count(b"\n") == 1
