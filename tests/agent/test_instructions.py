"""Base instructions, AGENTS.md discovery and the environment context."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from codex_tui.agent.instructions import (
    BASE_INSTRUCTIONS,
    environment_context,
    project_docs,
    user_instructions,
)


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
    assert "<writable_roots>/w, /data</writable_roots>" in text
    assert "<current_date>2026-11-20</current_date>" in text


def test_base_instructions_cover_the_essentials() -> None:
    for topic in ("update_plan", "apply_patch", "with_escalated_permissions", "justification",
                  "tests", "sandbox"):  # fmt: skip
        assert topic in BASE_INSTRUCTIONS
