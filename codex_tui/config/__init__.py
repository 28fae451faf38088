"""Configuration: the typed schema, loading with precedence, and home paths."""

from codex_tui.config.errors import ConfigError
from codex_tui.config.loader import LoadedConfig, load_config
from codex_tui.config.schema import Config, ModelProvider

__all__ = ["Config", "ConfigError", "LoadedConfig", "ModelProvider", "load_config"]
