"""The import contracts in pyproject.toml cover the whole package: a new
top-level module or package must be placed in them (or be the UI or the entry
point), so a module cannot escape "only the UI imports Textual" by being new."""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path

import codex_tui

ROOT = Path(__file__).resolve().parent.parent
# The UI may import Textual; the entry point starts it; these are the exceptions.
NOT_LISTED = {"codex_tui.ui", "codex_tui.cli", "codex_tui.__main__"}


def test_every_top_level_module_is_in_the_textual_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    textual = next(c for c in contracts if c.get("forbidden_modules") == ["textual"])
    listed = set(textual["source_modules"])
    modules = {f"codex_tui.{m.name}" for m in pkgutil.iter_modules(codex_tui.__path__)}
    assert modules - NOT_LISTED == listed
