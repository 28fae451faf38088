"""What every subcommand shares: the `Context` it runs with, the one-line
`CliError`, and the global flags. A leaf module (it imports nothing of ours at
import time), so `exec/`, `sessions/` and the UI's launcher can import it at the
top instead of reaching back into `codex_tui.cli`.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codex_tui.config import Config, LoadedConfig


class CliError(Exception):
    """A user-facing failure: printed as one line, exits with `code`."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Context:
    """What a subcommand gets: parsed arguments and the effective config."""

    args: argparse.Namespace
    cwd: Path
    _loaded: LoadedConfig | None = field(default=None, repr=False)

    @property
    def loaded(self) -> LoadedConfig:
        """The effective config with where each value came from (loaded once)."""
        if self._loaded is None:
            from codex_tui.config import load_config

            self._loaded = load_config(
                overrides=self.args.config or [],
                profile=self.args.profile,
                flags=flag_overrides(self.args),
            )
        return self._loaded

    @property
    def config(self) -> Config:
        return self.loaded.config


def flag_overrides(args: argparse.Namespace) -> dict[str, object]:
    """Config keys set by dedicated flags (they win over everything else)."""
    flags: dict[str, object] = {}
    if args.model:
        flags["model"] = args.model
    if args.ask_for_approval:
        flags["approval_policy"] = args.ask_for_approval
    if args.sandbox:
        flags["sandbox_mode"] = args.sandbox
    return flags


def global_flags() -> argparse.ArgumentParser:
    """Flags accepted before or after the subcommand name."""
    p = argparse.ArgumentParser(add_help=False)
    sup = argparse.SUPPRESS
    p.add_argument("-C", "--cd", metavar="DIR", default=sup, help="work in DIR")
    p.add_argument("-m", "--model", default=sup, help="model to use")
    p.add_argument("-p", "--profile", metavar="NAME", default=sup, help="config profile")
    p.add_argument(
        "-c",
        "--config",
        metavar="KEY=VALUE",
        action="append",
        default=sup,
        help="override a config key (dotted; value parsed as YAML); repeatable",
    )
    p.add_argument(
        "-a",
        "--ask-for-approval",
        metavar="POLICY",
        default=sup,
        help="untrusted | on-failure | on-request | never",
    )
    p.add_argument(
        "-s",
        "--sandbox",
        metavar="MODE",
        default=sup,
        help="read-only | workspace-write | danger-full-access",
    )
    return p


def resolve_cwd(cd: str | None) -> Path:
    if cd is None:
        return Path.cwd()
    path = Path(cd).expanduser()
    if not path.is_dir():
        raise CliError(f"-C {cd}: no such directory", code=2)
    return path.resolve()
