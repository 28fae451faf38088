"""Which wrappers count as a shell: every `-c` runner when looking for danger,
only real shells when showing a command or routing a patch (`su -c` runs as
someone else: the person must see the `su`)."""

from __future__ import annotations

import pytest

from codex_tui.agent.checks.commands import command_text
from codex_tui.policy.unwrap import embedded_patch, shell_script
from codex_tui.ui.cells import command_line

PATCH = "apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: a.txt\n+a\n*** End Patch\nEOF\n"


@pytest.mark.parametrize("shell", ["bash", "sh", "zsh", "dash", "ksh", "mksh", "/bin/fish"])
def test_real_shells_are_seen_through_everywhere(shell: str) -> None:
    assert command_line([shell, "-c", "ls -la"]) == "ls -la"
    assert embedded_patch([shell, "-c", PATCH]) is not None
    assert shell_script([shell, "-lc", "ls"]) == "ls"


def test_su_is_shown_and_never_routed_as_a_patch() -> None:
    assert command_line(["su", "-c", "rm -rf ~"]) == "su -c 'rm -rf ~'"
    assert embedded_patch(["su", "-c", PATCH]) is None
    # The danger checks still read what su would run.
    assert shell_script(["su", "-c", "rm -rf ~"]) == "rm -rf ~"
    assert command_text(["su", "-c", "rm -rf ~"]) == "rm -rf ~"
