"""The ACP SDK is loaded by `codex-tui acp` alone: other commands' start-up and
the app's never import it."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT

CHECK = """
import sys
from codex_tui import cli
for command in [None, *cli.SUBCOMMANDS]:
    cli.build_parser(command)
import codex_tui.acp.cli
print("acp" in sys.modules)
"""


def test_acp_sdk_stays_off_other_start_up_paths() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_acp_help_lists_the_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "codex_tui", "acp", "--help"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "Agent Client Protocol" in result.stdout and "agent_servers" in result.stdout
