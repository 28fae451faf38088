"""Fixtures for session tests: an empty Codex CLI home, and helpers to write
session files in the documented envelope."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.agent.conftest import workspace  # noqa: F401

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def codex_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Codex CLI's home for this test: never the real ~/.codex."""
    home = tmp_path_factory.mktemp("codex-home")
    monkeypatch.setenv("CODEX_HOME", str(home))
    return home


def line(kind: str, payload: dict[str, Any], when: str = "2025-01-02T10:00:00.000Z") -> str:
    return json.dumps({"timestamp": when, "type": kind, "payload": payload})


def write_session(
    root: Path,
    session_id: str,
    lines: list[str],
    *,
    day: str = "2025/01/02",
    stamp: str = "2025-01-02T10-00-00",
) -> Path:
    path = root / "sessions" / day / f"rollout-{stamp}-{session_id}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{text}\n" for text in lines))
    return path


def cli_env(home: Path) -> dict[str, str]:
    """The environment for a real `codex-tui` process (this checkout importable)."""
    env = {**os.environ, "CODEX_TUI_HOME": str(home)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def cli_argv(base_url: str | None, *args: str) -> list[str]:
    argv = [sys.executable, "-m", "codex_tui"]
    if base_url:
        argv += [
            "-c", "model_provider=scripted",
            "-c", f"model_providers.scripted.base_url={base_url}",
            "-c", "model_providers.scripted.request_max_retries=1",
        ]  # fmt: skip
    return [*argv, *args]


def run_cli(home: Path, cwd: Path, base_url: str | None, *args: str, timeout: float = 60):
    return subprocess.run(
        cli_argv(base_url, *args),
        cwd=cwd,
        env=cli_env(home),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
