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
    if getattr(args, "search", None):
        flags["tools"] = {"web_search": True}
    return flags


def global_flags(prefix: str = "") -> argparse.ArgumentParser:
    """Flags accepted before or after the subcommand name. `prefix` names their
    destinations apart (argparse lets a subcommand's values replace the main
    parser's, so `-c a=1 exec -c b=2` would lose a=1; see `merge_flags`)."""
    p = argparse.ArgumentParser(add_help=False)
    sup = argparse.SUPPRESS
    p.add_argument("-C", "--cd", metavar="DIR", default=sup, dest=f"{prefix}cd", help="work in DIR")
    p.add_argument("-m", "--model", default=sup, dest=f"{prefix}model", help="model to use")
    p.add_argument(
        "-p",
        "--profile",
        metavar="NAME",
        default=sup,
        dest=f"{prefix}profile",
        help="config profile",
    )
    p.add_argument(
        "-c",
        "--config",
        dest=f"{prefix}config",
        metavar="KEY=VALUE",
        action="append",
        default=sup,
        help="override a config key (dotted; value parsed as YAML); repeatable",
    )
    p.add_argument(
        "-a",
        "--ask-for-approval",
        dest=f"{prefix}ask_for_approval",
        metavar="POLICY",
        default=sup,
        help="untrusted | on-failure | on-request | never",
    )
    p.add_argument(
        "--search",
        action="store_true",
        default=sup,
        dest=f"{prefix}search",
        help="offer the model the server's web search (tools.web_search; Responses wire)",
    )
    p.add_argument(
        "-i",
        "--image",
        dest=f"{prefix}image",
        metavar="FILE[,FILE…]",
        action="append",
        default=sup,
        help="attach images to the first request; repeatable",
    )
    p.add_argument(
        "-s",
        "--sandbox",
        dest=f"{prefix}sandbox",
        metavar="MODE",
        default=sup,
        help="read-only | workspace-write | danger-full-access",
    )
    return p


SUB_PREFIX = "after_command_"


def merge_flags(args: argparse.Namespace) -> None:
    """Fold the global flags given after the subcommand into the ones before it:
    `-c` values add up (later ones win, as in the config), others are replaced."""
    for key, value in list(vars(args).items()):
        if not key.startswith(SUB_PREFIX):
            continue
        delattr(args, key)
        name = key.removeprefix(SUB_PREFIX)
        if name in ("config", "image"):
            value = [*(getattr(args, name, None) or []), *value]
        setattr(args, name, value)


def decode_arg(text: str) -> str:
    """A command-line argument as clean text: Python keeps invalid UTF-8 in argv
    as lone surrogates; they become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def resolve_cwd(cd: str | None) -> Path:
    if cd is None:
        return Path.cwd()
    path = Path(cd).expanduser()
    if not path.is_dir():
        raise CliError(f"-C {cd}: no such directory", code=2)
    return path.resolve()


def image_files(args: argparse.Namespace, cwd: Path) -> list[Path]:
    """The files of every `-i`, commas splitting a value (`-i a.png,b.png`)."""
    out = []
    for value in getattr(args, "image", None) or []:
        for name in decode_arg(value).split(","):
            if name.strip():
                try:
                    out.append(cwd / Path(name.strip()).expanduser())
                except RuntimeError:
                    raise CliError(f"-i {name.strip()}: no such user's home", 2) from None
    return out
