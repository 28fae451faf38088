from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from codex_tui.agent.model_client import ModelClient
from codex_tui.config import Config
from codex_tui.config.schema import ModelProvider
from codex_tui.scripted import ScriptedModelServer


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A git repository with one committed file."""
    root = tmp_path / "work"
    root.mkdir()
    (root / "notes.txt").write_text("alpha\nbeta\n")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init"],
        cwd=root,
        check=True,
    )
    return root


def scripted_config(server: ScriptedModelServer, wire: str = "responses", **overrides) -> Config:
    config = Config(model="gpt-5-codex", model_provider="scripted")
    config.model_providers["scripted"] = ModelProvider(
        name="scripted",
        base_url=server.base_url,
        wire_api=wire,
        env_key=None,
        request_max_retries=2,
        stream_max_retries=2,
        stream_idle_timeout_ms=5000,
    )
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


def fast_client(config: Config) -> ModelClient:
    return ModelClient(config.model_provider, config.provider, backoff_base_s=0.01)
