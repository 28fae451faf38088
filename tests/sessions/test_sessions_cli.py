"""`codex-tui sessions`, `resume` and `exec resume`: listings and one-line errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from codex_tui.cli import main
from codex_tui.sessions.cli import resolve_session
from tests.sessions.conftest import cli_argv, cli_env, run_cli, write_session
from tests.sessions.test_index import ours, touch_later


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    return root


def test_sessions_table_and_json(isolated_home: Path, repo: Path, tmp_path: Path, capsys) -> None:
    ours(
        isolated_home,
        "aaaa1111-0000-4000-8000-000000000001",
        "Add retries to the client",
        cwd=str(repo),
    )
    ours(
        isolated_home,
        "bbbb2222-0000-4000-8000-000000000002",
        "Unrelated",
        cwd=str(tmp_path / "else"),
    )

    assert main(["-C", str(repo), "sessions"]) == 0
    out, err = capsys.readouterr()
    header, row = out.splitlines()
    assert header.split() == ["ID", "UPDATED", "BRANCH", "TITLE"]
    assert row.split()[0] == "aaaa1111"
    assert row.endswith("Add retries to the client")
    assert err == ""

    assert main(["-C", str(repo), "sessions", "--all", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert {e["title"] for e in entries} == {"Add retries to the client", "Unrelated"}
    first = next(e for e in entries if e["id"].startswith("aaaa"))
    assert {"id", "created", "cwd", "title", "source"} <= set(first)
    assert (first["cwd"], first["source"], first["created"]) == (
        str(repo), "codex-tui", "2025-01-02T10:00:00+00:00"
    )  # fmt: skip


def test_sessions_with_nothing_recorded(isolated_home: Path, repo: Path, capsys) -> None:
    assert main(["-C", str(repo), "sessions"]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("no recorded sessions for ") and "--all" in err
    assert main(["-C", str(repo), "sessions", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_corrupt_file_is_skipped_with_a_warning(isolated_home: Path, repo: Path, capsys) -> None:
    ours(isolated_home, "aaaa1111-0000-4000-8000-000000000001", "fine", cwd=str(repo))
    write_session(isolated_home, "broken", ["{not json"])
    assert main(["-C", str(repo), "sessions", "--json"]) == 0
    out, err = capsys.readouterr()
    assert [e["title"] for e in json.loads(out)] == ["fine"]
    assert err == "codex-tui: skipped 1 unreadable session file\n"


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["resume", "zzzz"], 1, "codex-tui: resume: no session matches `zzzz` (codex-tui sessions --all lists them)\n"),
        (["resume"], 2, "codex-tui: resume needs a session ID or --last (`codex-tui sessions` lists them)\n"),
        (["resume", "--last", "abcd"], 2, "codex-tui: resume: give a session ID or --last, not both\n"),
        (["exec", "resume", "zzzz", "go"], 1, "codex-tui: exec resume: no session matches `zzzz` (codex-tui sessions --all lists them)\n"),
        (["exec", "resume"], 2, "codex-tui: exec resume needs a session ID or --last (`codex-tui sessions` lists them)\n"),
        (["exec", "resume", "abcd", "go", "extra"], 2, "codex-tui: exec resume: unexpected `extra` (quote the prompt)\n"),
        (["exec", "two", "words"], 2, "codex-tui: exec: unexpected `words` (quote the prompt as one argument)\n"),
        (["exec", "--last", "hi"], 2, "codex-tui: exec: --last goes with resume: codex-tui exec resume --last ...\n"),
        (["exec", "hi", "--bogus"], 2, "codex-tui: exec: unrecognized arguments: --bogus\n"),
    ],
)  # fmt: skip
def test_one_line_errors(
    isolated_home: Path, repo: Path, capsys, argv: list[str], code: int, message: str
) -> None:
    ours(isolated_home, "abcd1111-0000-4000-8000-000000000001", "one", cwd=str(repo))
    assert main(["-C", str(repo), *argv]) == code
    out, err = capsys.readouterr()
    assert (out, err) == ("", message)


def test_ambiguous_id_lists_the_candidates(isolated_home: Path, repo: Path, capsys) -> None:
    ours(isolated_home, "abcd1111-0000-4000-8000-000000000001", "one", cwd=str(repo))
    ours(isolated_home, "abcd2222-0000-4000-8000-000000000002", "two", cwd=str(repo))
    assert main(["-C", str(repo), "resume", "abc"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("codex-tui: resume: `abc` matches 2 sessions: ")
    assert "abcd1111-0000-4000-8000-000000000001" in err
    assert "abcd2222-0000-4000-8000-000000000002" in err


def test_last_means_the_latest_of_this_repository(
    isolated_home: Path, repo: Path, tmp_path: Path
) -> None:
    from codex_tui.cli_context import CliError

    older = ours(isolated_home, "aaaa1111-0000-4000-8000-000000000001", "older", cwd=str(repo))
    newer = ours(isolated_home, "bbbb2222-0000-4000-8000-000000000002", "newer", cwd=str(repo))
    elsewhere = ours(
        isolated_home, "cccc3333-0000-4000-8000-000000000003", "x", cwd=str(tmp_path / "y")
    )
    touch_later(newer, 10)
    touch_later(elsewhere, 20)
    assert resolve_session(repo, None, True, "resume") == newer
    assert resolve_session(repo, "aaaa", False, "resume") == older
    assert resolve_session(repo, str(older), False, "resume") == older, "a file path works too"
    with pytest.raises(CliError, match="no recorded session for"):
        resolve_session(tmp_path / "empty", None, True, "resume")


def test_a_whole_id_is_found_by_file_name_without_reading_the_index(
    isolated_home: Path, repo: Path
) -> None:
    from codex_tui.cli_context import CliError
    from codex_tui.config import paths

    whole = "aaaa1111-0000-4000-8000-00000000000a"
    path = ours(isolated_home, whole, "older", cwd=str(repo))
    ours(isolated_home, "aaaa1111-0000-4000-8000-00000000000b", "twin prefix", cwd=str(repo))
    assert resolve_session(repo, whole.upper(), False, "resume") == path
    # Neither the index nor the file was read: no index was even made.
    assert not (paths.home() / "index.sqlite").exists()
    # A file named for an id that does not open as that session is left to the
    # index, which does not list it: one line, not the app opening on an error.
    damaged = path.with_name(path.name.replace("0000000a", "0000000c"))
    damaged.write_text("garbage\n")
    with pytest.raises(CliError, match="no session"):
        resolve_session(repo, "aaaa1111-0000-4000-8000-00000000000c", False, "resume")
    # A prefix goes through the index, which knows it is ambiguous.

    with pytest.raises(CliError, match="aaaa1111-0000-4000-8000-00000000000b"):
        resolve_session(repo, "aaaa1111", False, "resume")


def test_two_processes_list_at_once_from_a_cold_index(isolated_home: Path, repo: Path) -> None:
    for n in range(300):
        ours(isolated_home, f"{n:08x}-0000-4000-8000-000000000000", f"request {n}", cwd=str(repo))
    argv = cli_argv(None, "sessions", "--json")
    procs = [
        subprocess.Popen(argv, cwd=repo, env=cli_env(isolated_home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]  # fmt: skip
    results = [p.communicate(timeout=60) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert err == ""
        assert len(json.loads(out)) == 300
    again = run_cli(isolated_home, repo, None, "sessions", "--json")
    assert len(json.loads(again.stdout)) == 300


def test_resume_keeps_collection_paused_until_the_app_draws(
    isolated_home: Path, repo: Path, monkeypatch
) -> None:
    """Like `codex-tui` itself, `resume` opens the app with the collector paused (the
    app resumes it after its first frame); it is running again once main returns."""
    import gc

    ours(isolated_home, "aaaa1111-0000-4000-8000-000000000001", "fine", cwd=str(repo))
    seen: list[bool] = []

    def launch(ctx, resume):
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr("codex_tui.ui.launch.run", launch)
    assert gc.isenabled()
    assert main(["-C", str(repo), "resume", "aaaa1111"]) == 0
    assert seen == [False]
    assert gc.isenabled()
