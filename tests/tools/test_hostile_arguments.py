"""Tool arguments that crashed or hung: FIFOs, `~nosuchuser`, link loops, names
too long, patterns too large. Each is now an error message for the model
(ToolArgumentError); the calls that could hang run in a child process with a
deadline here, so a regression fails instead of hanging the suite."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from codex_tui.tools import files, git
from codex_tui.tools.registry import ToolArgumentError
from tests.tools.hostile import fifo, link, release_fifo, run_python


@pytest.fixture(autouse=True)
def release_fifos(repo: Path) -> Iterator[None]:
    """A git or rg from a failed run may still wait on a FIFO: let it go."""
    yield
    for path in repo.rglob("*"):
        if path.is_fifo():
            release_fifo(path)


def call_in_child(root: Path, call: str, setup: str = "", timeout: float = 20) -> dict[str, str]:
    """`call` (an expression awaited in a child with `root`, files and git in
    scope, after the statement `setup`): {"output": ...} or {"error": message}."""
    result = run_python(
        f"""
        import asyncio, json
        from pathlib import Path
        from codex_tui.tools import files, git
        from codex_tui.tools.registry import ToolArgumentError
        root = Path({str(root)!r})
        {setup}

        async def main():
            return await {call}

        try:
            print(json.dumps({{"output": asyncio.run(main())}}))
        except ToolArgumentError as exc:
            print(json.dumps({{"error": str(exc)}}))
        """,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


READ = "asyncio.to_thread(files.read_file, root, {path!r}, None, None)"


def test_read_file_refuses_a_fifo_at_once(repo: Path) -> None:
    fifo(repo / "pipe")
    out = call_in_child(repo, READ.format(path="pipe"))
    assert out == {"error": "pipe: is a named pipe (FIFO), not a regular file"}


def test_search_files_refuses_a_fifo_it_is_pointed_at(repo: Path) -> None:
    fifo(repo / "pipe")
    out = call_in_child(repo, "files.search_files(root, 'x', 'pipe', None)")
    assert out == {"error": "pipe: is a named pipe (FIFO), not a regular file or directory"}


@pytest.mark.parametrize("use_rg", [True, False])
def test_search_walks_past_fifos_and_links_out(repo: Path, tmp_path: Path, use_rg: bool) -> None:
    fifo(repo / "src" / "pipe.py")
    (tmp_path / "secret.py").write_text("hello leaked\n")
    link(repo / "src" / "leak.py", tmp_path / "secret.py")
    setup = "" if use_rg else "files.shutil.which = lambda name: None"
    out = call_in_child(repo, "files.search_files(root, 'hello', None, None)", setup)
    assert out == {"output": "README.md:1:hello world"}


def test_git_diff_refuses_a_fifo_path(repo: Path) -> None:
    fifo(repo / "pipe")
    out = call_in_child(repo, "git.git_diff(root, 'pipe', None)")
    assert out == {"error": "pipe: is a named pipe (FIFO), not a regular file or directory"}


@pytest.mark.parametrize("name", [".gitattributes", ".gitignore", "src/.gitattributes"])
def test_git_tools_refuse_a_fifo_git_would_read(repo: Path, name: str) -> None:
    """git opens these with a blocking read: it hung before, waiting for a writer."""
    fifo(repo / name)
    call = "git.git_diff(root, 'src/app.py', None)"
    if name == ".gitignore":
        call = "git.git_status(root)"
    out = call_in_child(repo, call)
    assert out == {
        "error": f"{name} is a named pipe (FIFO), not a regular file: git would wait on it"
        " forever; remove or replace it for git to work here"
    }


def test_git_status_stuck_elsewhere_is_stopped_by_the_deadline(repo: Path) -> None:
    fifo(repo / "src" / "deep" / ".gitignore")
    setup = "import codex_tui.tools.process as process; process.TIMEOUT_S = 1.0"
    out = call_in_child(repo, "git.git_status(root)", setup)
    assert out == {"error": "git status did not finish within 1 s and was stopped"}


async def test_cancelling_git_kills_it(repo: Path) -> None:
    """Ctrl-C cancels the tool call: the git it started must not live on."""
    pipe = fifo(repo / "src" / "deep" / ".gitignore")
    task = asyncio.create_task(git.git_status(repo))
    await asyncio.sleep(1.0)  # git is now blocked opening the FIFO
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 10)
    # Nobody reads the FIFO any more: git is gone.
    with pytest.raises(OSError, match="No such device or address"):
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))


async def test_cancelling_a_search_kills_ripgrep(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pidfile = tmp_path / "rg.pid"
    fake = tmp_path / "bin" / "rg"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\necho $$ > {pidfile}\nexec sleep 300\n")
    fake.chmod(0o755)
    monkeypatch.setattr(files.shutil, "which", lambda name: str(fake))
    task = asyncio.create_task(files.search_files(repo, "x", None, None))
    for _ in range(100):
        await asyncio.sleep(0.05)
        if pidfile.exists() and pidfile.read_text().strip():
            break
    pid = int(pidfile.read_text())
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 10)
    try:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)


LONG_NAME = "a" * 300


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("~nosuchuser/x", "~nosuchuser/x: no such user for `~`"),
        ("loop", "loop: symbolic link loop"),
        (LONG_NAME, f"{LONG_NAME}: a file name in it is longer than 255 bytes"),
        (f"src/{LONG_NAME}/x", f"src/{LONG_NAME}/x: a file name in it is longer than 255 bytes"),
        ("x/" * 2100, "`path` is longer than 4096 characters"),
        ("bad\ud800name", "`path` is not valid Unicode text"),
    ],
    ids=["nosuchuser", "loop", "long-name", "long-inner-name", "long-path", "surrogate"],
)
async def test_hostile_paths_are_argument_errors(repo: Path, path: str, message: str) -> None:
    link(repo / "loop", "loop2")
    link(repo / "loop2", "loop")
    calls = [
        lambda: asyncio.to_thread(files.read_file, repo, path, None, None),
        lambda: files.search_files(repo, "x", path, None),
        lambda: git.git_diff(repo, path, None),
    ]
    for call in calls:
        with pytest.raises(ToolArgumentError) as info:
            await asyncio.wait_for(call(), 20)
        assert str(info.value) == message


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("x" * 200_000, "`pattern` is 200000 characters long; the limit is 4096"),
        ("a\x00b", "`pattern` must not contain a NUL character"),
        ("bad\ud800", "`pattern` is not valid Unicode text"),
        ("(" * 1500 + ")" * 1500, "invalid pattern: "),
        ("a{99999999999}", "invalid pattern: "),
    ],
    ids=["200-KB", "nul", "surrogate", "nested-groups", "huge-repeat"],
)
@pytest.mark.parametrize("use_rg", [True, False])
async def test_hostile_patterns_are_argument_errors(
    repo: Path, pattern: str, message: str, use_rg: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not use_rg:
        monkeypatch.setattr(files.shutil, "which", lambda name: None)
    with pytest.raises(ToolArgumentError) as info:
        await asyncio.wait_for(files.search_files(repo, pattern, None, None), 20)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


async def test_search_output_is_capped_as_before(repo: Path) -> None:
    """Read as it comes, but the same text as capping rg's whole output."""
    (repo / "many.txt").write_text("".join(f"match {i} " + "y" * 250 + "\r\n" for i in range(250)))
    for i in range(3):
        (repo / f"more{i}.txt").write_text("match\x0cx\n" * 150)
    out = await files.search_files(repo, "match", None, None)
    argv = ["rg", "--line-number", "--no-heading", "--color", "never", "--max-columns", "300"]
    argv += ["--max-count", str(files.MAX_SEARCH_MATCHES), "--regexp", "match"]
    whole = subprocess.run(argv, cwd=repo, capture_output=True, check=True).stdout
    every = whole.decode().splitlines()  # rg's file order varies from run to run
    *shown, last = out.splitlines()
    assert set(shown) <= set(every)
    assert sum(len(line) + 1 for line in shown) <= files.MAX_OUTPUT_CHARS
    assert last == f"… {len(every) - len(shown)} more lines not shown; narrow the search"
