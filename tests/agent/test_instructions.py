"""Base instructions, AGENTS.md discovery and the environment context."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from codex_tui.agent.instructions import (
    BASE_INSTRUCTIONS,
    environment_context,
    project_docs,
    user_instructions,
)
from tests.tools.hostile import GiB, fifo, link, run_python, sparse


def test_agents_md_from_home_then_root_down_to_cwd(tmp_path: Path) -> None:
    home, repo = tmp_path / "home", tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "pkg" / "sub").mkdir(parents=True)
    home.mkdir()
    (home / "AGENTS.md").write_text("global rules")
    (repo / "AGENTS.md").write_text("repo rules")
    (repo / "pkg" / "sub" / "AGENTS.md").write_text("sub rules")
    docs = project_docs(home, repo / "pkg" / "sub", 32 * 1024)
    assert [d.text for d in docs] == ["global rules", "repo rules", "sub rules"]
    text = user_instructions(docs)
    assert text.startswith("<user_instructions>") and text.index("repo rules") < text.index(
        "sub rules"
    )
    # A directory above the repository is never read.
    (tmp_path / "AGENTS.md").write_text("not mine")
    assert "not mine" not in user_instructions(project_docs(home, repo, 32 * 1024))


def test_agents_md_total_is_capped(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "AGENTS.md").write_text("x" * 100)
    docs = project_docs(tmp_path / "nohome", tmp_path, 10)
    assert [d.text for d in docs] == ["x" * 10]
    assert user_instructions([]) is None


def test_environment_context() -> None:
    text = environment_context(
        Path("/w"), "on-request", "workspace-write", False, ["/data"], today=dt.date(2026, 11, 20)
    )
    assert "<cwd>/w</cwd>" in text
    assert "<approval_policy>on-request</approval_policy>" in text
    assert "<network_access>restricted</network_access>" in text
    assert "<current_date>2026-11-20</current_date>" in text


def test_environment_context_says_what_is_writable() -> None:
    """workspace-write: the workspace, the configured roots (relative ones from the
    workspace) and the session's private /tmp; not the host's /tmp or $TMPDIR."""
    text = environment_context(
        Path("/w"), "on-request", "workspace-write", True, ["/data", "build/out"]
    )
    assert "<writable_roots>/w, /data, /w/build/out, /tmp</writable_roots>" in text
    assert "<network_access>enabled</network_access>" in text
    assert (
        "<tmp>/tmp is private to this session: your commands share it, but the person and"
        " programs outside the sandbox do not see it, and it is removed when the session"
        " ends; put files meant for the person in the workspace</tmp>"
    ) in text


def test_environment_context_without_a_writable_tmp() -> None:
    text = environment_context(
        Path("/w"), "on-request", "workspace-write", False, [], private_tmp=False
    )
    assert "<writable_roots>/w</writable_roots>" in text
    assert "<tmp>/tmp is read-only</tmp>" in text


def test_environment_context_other_modes_list_no_roots() -> None:
    for mode in ("read-only", "danger-full-access"):
        text = environment_context(Path("/w"), "never", mode, False, ["/data"])
        assert "writable_roots" not in text and "<tmp>" not in text
    full = environment_context(Path("/w"), "never", "danger-full-access", False, [])
    assert "<network_access>enabled</network_access>" in full


def docs_in_child(home: Path, cwd: Path, max_bytes: int = 32 * 1024) -> dict[str, list[str]]:
    """project_docs() in a child process with a deadline and a memory cap."""
    result = run_python(
        f"""
        import json
        from pathlib import Path
        from codex_tui.agent.instructions import project_docs
        warnings = []
        try:
            docs = project_docs(Path({str(home)!r}), Path({str(cwd)!r}), {max_bytes},
                                warn=warnings.append)
        except TypeError:  # no `warn` yet
            docs = project_docs(Path({str(home)!r}), Path({str(cwd)!r}), {max_bytes})
        print(json.dumps({{"texts": [d.text for d in docs], "warnings": warnings}}))
        """,
        timeout=20,
        memory_bytes=2 * GiB,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def hostile_repo(tmp_path: Path) -> tuple[Path, Path]:
    home, repo = tmp_path / "home", tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    home.mkdir()
    (home / "AGENTS.md").write_text("global rules")
    return home, repo


def test_a_fifo_agents_md_is_skipped_with_a_warning(tmp_path: Path) -> None:
    home, repo = hostile_repo(tmp_path)
    fifo(repo / "AGENTS.md")
    (repo / "pkg").mkdir()
    (repo / "pkg" / "AGENTS.md").write_text("pkg rules")
    out = docs_in_child(home, repo / "pkg")
    assert out["texts"] == ["global rules", "pkg rules"]
    assert out["warnings"] == [
        f"cannot read {repo / 'AGENTS.md'}: is a named pipe (FIFO), not a regular file; skipped"
    ]


def test_an_agents_md_linked_to_dev_zero_is_skipped(tmp_path: Path) -> None:
    home, repo = hostile_repo(tmp_path)
    link(repo / "AGENTS.md", "/dev/zero")
    out = docs_in_child(home, repo)
    assert out["texts"] == ["global rules"]
    assert out["warnings"] == [
        f"cannot read {repo / 'AGENTS.md'}: is a symbolic link to /dev/zero, outside {repo};"
        " skipped"
    ]


def test_an_agents_md_linked_out_of_the_repository_is_skipped(tmp_path: Path) -> None:
    home, repo = hostile_repo(tmp_path)
    (tmp_path / "elsewhere.md").write_text("from outside")
    link(repo / "AGENTS.md", tmp_path / "elsewhere.md")
    warnings: list[str] = []
    docs = project_docs(home, repo, 32 * 1024, warn=warnings.append)
    assert [d.text for d in docs] == ["global rules"]
    assert warnings == [
        f"cannot read {repo / 'AGENTS.md'}: is a symbolic link to {tmp_path / 'elsewhere.md'},"
        f" outside {repo}; skipped"
    ]


def test_links_inside_the_repository_and_from_home_are_followed(tmp_path: Path) -> None:
    home, repo = hostile_repo(tmp_path)
    (repo / "docs").mkdir()
    (repo / "docs" / "agents.md").write_text("repo rules")
    link(repo / "AGENTS.md", "docs/agents.md")
    (tmp_path / "dotfiles.md").write_text("my global rules")
    (home / "AGENTS.md").unlink()
    link(home / "AGENTS.md", tmp_path / "dotfiles.md")
    warnings: list[str] = []
    docs = project_docs(home, repo, 32 * 1024, warn=warnings.append)
    assert [d.text for d in docs] == ["my global rules", "repo rules"]
    assert warnings == []


def test_a_giant_agents_md_is_read_only_up_to_the_cap(tmp_path: Path) -> None:
    home, repo = hostile_repo(tmp_path)
    sparse(repo / "AGENTS.md", 8 * GiB, b"giant rules\n")
    out = docs_in_child(home, repo, max_bytes=1024)
    glob, giant = out["texts"]
    assert glob == "global rules"
    assert giant.startswith("giant rules\n") and len(giant) == 1024 - len("global rules")
    assert out["warnings"] == []


def test_base_instructions_cover_the_essentials() -> None:
    for topic in ("update_plan", "apply_patch", "with_escalated_permissions", "justification",
                  "tests", "sandbox"):  # fmt: skip
        assert topic in BASE_INSTRUCTIONS
