"""`codex-tui config`: print the effective configuration, each value annotated."""

from __future__ import annotations

import argparse
import dataclasses
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from codex_tui.cli_context import Context
    from codex_tui.config.loader import LoadedConfig


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-sources", action="store_true", help="plain YAML without the source comments"
    )


def run(ctx: Context) -> int:
    print(render(ctx.loaded, annotate=not ctx.args.no_sources), end="")
    return 0


def render(loaded: LoadedConfig, annotate: bool = True) -> str:
    """The effective config as YAML; each leaf followed by `# <source>`."""
    lines: list[str] = []
    if annotate:
        where = str(loaded.file) if loaded.file else "none (defaults)"
        lines.append(f"# effective configuration; config file: {where}")
    emit(dataclasses.asdict(loaded.config), (), 0, loaded, annotate, lines)
    return "\n".join(lines) + "\n"


def emit(
    data: dict[str, Any],
    path: tuple[str, ...],
    indent: int,
    loaded: LoadedConfig,
    annotate: bool,
    out: list[str],
) -> None:
    pad = "  " * indent
    for key, value in data.items():
        sub = (*path, key)
        if isinstance(value, dict) and value and key != "set":
            out.append(f"{pad}{key}:")
            emit(value, sub, indent + 1, loaded, annotate, out)
            continue
        line = f"{pad}{key}: {scalar(value)}"
        if annotate:
            line += f"  # {loaded.source_of('.'.join(sub))}"
        out.append(line)


def scalar(value: Any) -> str:
    """One-line YAML for a leaf value (lists and small mappings in flow style)."""
    text: str = yaml.safe_dump(value, default_flow_style=True, width=10_000, allow_unicode=True)
    return text.removesuffix("\n...\n").strip()
