"""Configuration: the typed schema, loading with precedence, and home paths.

The names below load on first use: a command that needs only `config.paths`
(`codex-tui sessions`) must not import the loader, YAML and the policy with it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from codex_tui.lazy_names import lazy_getattr

if TYPE_CHECKING:
    from codex_tui.config.errors import ConfigError
    from codex_tui.config.loader import LoadedConfig, load_config
    from codex_tui.config.schema import Config, ModelProvider

_WHERE = {
    "ConfigError": "errors",
    "LoadedConfig": "loader",
    "load_config": "loader",
    "Config": "schema",
    "ModelProvider": "schema",
}

__all__ = ["Config", "ConfigError", "LoadedConfig", "ModelProvider", "load_config"]


__getattr__ = lazy_getattr(__name__, _WHERE, globals())
