"""read_file, search_files, git_status, git_diff, update_plan and argument checking."""

from __future__ import annotations

from pathlib import Path

import pytest

from codex_tui.tools import files, git, plan
from codex_tui.tools.registry import TOOLS, ToolArgumentError, parse_arguments


def test_read_file_numbers_and_pages(repo: Path) -> None:
    out = files.read_file(repo, "src/app.py", None, None)
    lines = out.splitlines()
    assert lines[0] == "src/app.py (lines 1-400 of 1000)"
    assert lines[1] == "  1\tline 1"
    assert lines[400] == "400\tline 400"
    assert lines[-1] == "… 600 more lines; read on with start_line=401"
    out = files.read_file(repo, "src/app.py", 998, 2000)
    assert out.splitlines() == ["src/app.py (lines 998-1000 of 1000)", " 998\tline 998",
                                " 999\tline 999", "1000\tline 1000"]  # fmt: skip


def test_read_file_caps_one_call(repo: Path) -> None:
    (repo / "big.txt").write_text("x\n" * (files.MAX_LINES + 500))
    out = files.read_file(repo, "big.txt", 1, 100_000).splitlines()
    assert out[0] == f"big.txt (lines 1-{files.MAX_LINES} of {files.MAX_LINES + 500})"
    assert out[-1] == f"… 500 more lines; read on with start_line={files.MAX_LINES + 1}"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("../outside.txt", "../outside.txt: outside the workspace"),
        ("/etc/passwd", "/etc/passwd: outside the workspace"),
        ("missing.py", "missing.py: no such file"),
        ("src", "src: is a directory"),
    ],
)
def test_read_file_refusals(repo: Path, path: str, message: str) -> None:
    with pytest.raises(ToolArgumentError, match=f"^{message}"):
        files.read_file(repo, path, None, None)


def test_read_file_through_symlink_out_is_refused(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("s3cret")
    (repo / "link.txt").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(ToolArgumentError, match="outside the workspace"):
        files.read_file(repo, "link.txt", None, None)


def test_read_file_binary_and_past_end(repo: Path) -> None:
    assert (
        files.read_file(repo, "blob.bin", None, None) == "blob.bin: binary file, 3 bytes; not shown"
    )
    with pytest.raises(ToolArgumentError, match="past the end"):
        files.read_file(repo, "README.md", 50, None)


@pytest.mark.parametrize("use_rg", [True, False])
async def test_search_files(repo: Path, use_rg: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not use_rg:
        monkeypatch.setattr(files.shutil, "which", lambda name: None)
    out = await files.search_files(repo, r"line 99\d", "src", None)
    assert out.splitlines() == [f"src/app.py:{n}:line {n}" for n in range(990, 1000)]
    out = await files.search_files(repo, "hello", None, 1)
    assert "README.md:1:hello world" in out.splitlines()
    assert "README.md-2-second line" in out.splitlines()
    assert await files.search_files(repo, "no-such-text-anywhere", None, None) == "no matches"


async def test_search_files_bad_pattern_and_escape(repo: Path) -> None:
    with pytest.raises(ToolArgumentError, match="invalid pattern"):
        await files.search_files(repo, "(", None, None)
    with pytest.raises(ToolArgumentError, match="outside the workspace"):
        await files.search_files(repo, "x", "..", None)


async def test_git_status_and_diff(repo: Path) -> None:
    assert (await git.git_status(repo)).splitlines() == ["## main"]
    (repo / "README.md").write_text("hello there\nsecond line\n")
    (repo / "new.txt").write_text("new\n")
    status = (await git.git_status(repo)).splitlines()
    assert status == ["## main", " M README.md", "?? new.txt"]
    diff = await git.git_diff(repo, "README.md", None)
    assert "-hello world" in diff and "+hello there" in diff
    assert await git.git_diff(repo, None, True) == "no changes"


async def test_git_outside_a_repository(tmp_path: Path) -> None:
    with pytest.raises(ToolArgumentError, match="not a git repository"):
        await git.git_status(tmp_path)


def test_plan_validation() -> None:
    explanation, steps = plan.parse_plan(
        {
            "explanation": "why",
            "plan": [{"step": "a", "status": "completed"}, {"step": "b", "status": "in_progress"}],
        }
    )
    assert explanation == "why"
    assert [s.status for s in steps] == ["completed", "in_progress"]
    with pytest.raises(ToolArgumentError, match="at most one step may be in_progress"):
        plan.parse_plan({"plan": [{"step": "a", "status": "in_progress"}] * 2})


@pytest.mark.parametrize(
    ("tool", "raw", "message"),
    [
        ("read_file", "{", "arguments are not valid JSON"),
        ("read_file", "[]", "arguments must be a JSON object"),
        ("read_file", "{}", "`path` is required"),
        ("read_file", '{"path": 3}', "`path` must be a string"),
        ("read_file", '{"path": "a", "start_line": true}', "`start_line` must be an integer"),
        ("read_file", '{"path": "a", "colour": 1}', "unknown argument `colour`"),
        ("shell", '{"command": "ls -la"}', "`command` must be an array"),
        ("shell", '{"command": ["ls", 1]}', "`command[1]` must be a string"),
        ("update_plan", '{"plan": [{"step": "a", "status": "done"}]}',
         "`plan[0].status` must be one of pending, in_progress, completed"),
        pytest.param("read_file", '{"path": ' + "[" * 100_000 + "]" * 100_000 + "}",
                     "arguments are nested too deeply to read", id="nested-too-deep"),
    ],
)  # fmt: skip
def test_argument_errors(tool: str, raw: str, message: str) -> None:
    with pytest.raises(ToolArgumentError) as info:
        parse_arguments(TOOLS[tool], raw)
    assert str(info.value).startswith(message)


def test_optional_null_arguments_are_accepted() -> None:
    args = parse_arguments(TOOLS["read_file"], '{"path": "a", "start_line": null}')
    assert args == {"path": "a", "start_line": None}
