"""Cost estimates: the built-in price table, config overrides, and what `exec`
prints at the end of a scripted turn."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from codex_tui.agent.events import TokenUsage
from codex_tui.agent.pricing import cost_usd, describe_usage, price_for
from codex_tui.config.schema import ModelPrice
from codex_tui.scripted import Message, Reply, ScriptedModelServer, Usage

USAGE = TokenUsage(
    input_tokens=100_000, cached_input_tokens=40_000, output_tokens=2_000, reasoning_tokens=500
)


def test_prices_by_longest_prefix_and_overrides() -> None:
    # gpt-5-codex is priced as gpt-5: 60k fresh × 1.25 + 40k cached × 0.125 + 2k × 10 (per 1M).
    assert cost_usd(USAGE, "gpt-5-codex") == pytest.approx(0.075 + 0.005 + 0.02)
    assert price_for("gpt-5-mini-2025") == ModelPrice(input=0.25, cached_input=0.025, output=2.0)
    assert cost_usd(USAGE, "llama3.1:8b") is None  # a local model: no price known
    mine = {"llama3": ModelPrice(input=1.0, cached_input=0.0, output=1.0)}
    assert cost_usd(USAGE, "llama3.1:8b", mine) == pytest.approx(0.06 + 0.002)
    assert (
        describe_usage(USAGE, 0.1)
        == "100,000 in (40,000 cached) · 2,000 out (500 reasoning) · ~$0.1000"
    )
    assert describe_usage(TokenUsage(input_tokens=5), None) == "5 in · 0 out"


def test_exec_prints_tokens_and_cost(tmp_path: Path, isolated_home: Path) -> None:
    usage = Usage(input_tokens=200_000, cached_input_tokens=0, output_tokens=10_000)
    with ScriptedModelServer([Reply([Message("done")], usage=usage)]) as server:
        argv = [
            sys.executable, "-m", "codex_tui", "-m", "gpt-4.1",
            "-c", "model_provider=scripted",
            "-c", f"model_providers.scripted.base_url={server.base_url}",
            "exec", "hi",
        ]  # fmt: skip
        env = {**os.environ, "CODEX_TUI_HOME": str(isolated_home)}
        # An entry replaces the table's (whose output price is 8).
        prices = "model_prices:\n  gpt-4.1: {input: 2, cached_input: 0.5, output: 10}\n"
        (isolated_home / "config.yaml").write_text(prices)
        result = subprocess.run(
            argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 0, result.stderr
    # 200k × $2 + 10k × $10 per million = $0.40 + $0.10
    assert "tokens: 200,000 in · 10,000 out · ~$0.5000 ·" in result.stderr
