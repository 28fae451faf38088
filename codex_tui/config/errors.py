"""The one exception every configuration problem becomes."""

from __future__ import annotations


class ConfigError(Exception):
    """Bad configuration: the message is one line naming the key, where and why."""
