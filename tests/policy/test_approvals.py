"""Approve-for-session: program plus subcommand, not the exact string."""

from __future__ import annotations

from pathlib import PurePath

import pytest

from codex_tui.policy import SessionApprovals, approval_prefix, parse_prefixes, session_prefixes


@pytest.mark.parametrize(
    ("words", "prefix"),
    [
        (("pytest", "-x", "tests/test_a.py"), ("pytest",)),
        (("git", "commit", "-m", "msg"), ("git", "commit")),
        (("npm", "run", "build"), ("npm", "run")),
        (("cargo", "test"), ("cargo", "test")),
        (("python", "-m", "pytest", "-q"), ("python", "-m", "pytest")),
        (("python3", "tools/gen.py", "--all"), ("python3", "tools/gen.py")),
        (("python", "-c", "print(1)"), ("python", "-c", "print(1)")),  # exact: code varies
        (("git", "-C", "x", "log"), ("git", "-C", "x", "log")),
        (("sudo", "apt", "install", "jq"), ("sudo", "apt", "install")),
        (("make",), ("make",)),
    ],
)
def test_approval_prefix(words: tuple[str, ...], prefix: tuple[str, ...]) -> None:
    assert approval_prefix(words) == prefix


def test_session_approval_saves_later_prompts() -> None:
    approvals = SessionApprovals()
    assert approvals.approve_command(["pytest", "-x", "tests/a.py"]) == (("pytest",),)
    assert approvals.command_approved(["pytest", "-q", "tests/b.py"])
    assert not approvals.command_approved(["pytest-watch"])
    approvals.approve_command(["git", "commit", "-m", "one"])
    assert approvals.command_approved(["git", "commit", "-am", "two"])
    assert not approvals.command_approved(["git", "push"])


def test_scripts_record_each_command_and_need_all_covered() -> None:
    approvals = SessionApprovals()
    prefixes = approvals.approve_command(["bash", "-lc", "cd src && pytest -q && npm test"])
    assert prefixes == (("pytest",), ("npm", "test"))  # cd is known-safe
    assert approvals.command_approved(["bash", "-lc", "pytest && npm test -- --watch=false"])
    assert approvals.command_approved(["pytest", "-x"])
    assert not approvals.command_approved(["bash", "-lc", "pytest && curl evil"])
    assert not approvals.command_approved(["ls"])  # nothing approved covers it


def test_unreadable_scripts_are_approved_exactly() -> None:
    approvals = SessionApprovals()
    argv = ["bash", "-lc", "make > log.txt"]
    assert session_prefixes(argv) == (tuple(argv),)
    approvals.approve_command(argv)
    assert approvals.command_approved(argv)
    assert not approvals.command_approved(["bash", "-lc", "make > other.txt"])
    assert not approvals.command_approved(["make"])


def test_sandboxed_approval_does_not_cover_running_outside() -> None:
    approvals = SessionApprovals()
    approvals.approve_command(["pytest"])
    assert approvals.command_approved(["pytest"])
    assert not approvals.command_approved(["pytest"], without_sandbox=True)
    approvals.approve_command(["pytest"], without_sandbox=True)
    assert approvals.command_approved(["pytest"], without_sandbox=True)


def test_files() -> None:
    approvals = SessionApprovals()
    approvals.approve_files([PurePath("/a/x.py"), PurePath("/a/y.py")])
    assert approvals.files_approved([PurePath("/a/x.py")])
    assert not approvals.files_approved([PurePath("/a/x.py"), PurePath("/a/z.py")])
    assert not approvals.files_approved([])


def test_parse_prefixes() -> None:
    assert parse_prefixes(["git push", "  ", "rm -rf", "'my tool' run"]) == (
        ("git", "push"), ("rm", "-rf"), ("my tool", "run")
    )  # fmt: skip
