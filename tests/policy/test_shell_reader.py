"""The shell reader: commands found, features noted, nothing executed."""

from __future__ import annotations

import pytest

from codex_tui.policy.shell import parse_script
from codex_tui.policy.unwrap import command_units, plain_commands


def words(script: str) -> list[tuple[str, ...]]:
    return [c.words for c in parse_script(script).commands]


def test_plain_script_splits_on_operators() -> None:
    parsed = parse_script("ls -la && grep -n x f | wc -l; pwd || true")
    assert parsed.plain
    assert [c.words for c in parsed.commands] == [
        ("ls", "-la"), ("grep", "-n", "x", "f"), ("wc", "-l"), ("pwd",), ("true",)
    ]  # fmt: skip
    assert [c.joiner for c in parsed.commands] == ["", "&&", "|", ";", "||"]


def test_quotes_are_removed_and_keep_operators_as_text() -> None:
    assert words("echo 'a && b' \"c | d\" e\\ f") == [("echo", "a && b", "c | d", "e f")]
    assert parse_script("echo 'a && b'").plain


@pytest.mark.parametrize(
    ("script", "feature"),
    [
        ("echo > f", "redirection"),
        ("cat < f", "redirection"),
        ("ls 2>&1", "redirection"),
        ("ls &> f", "redirection"),
        ("cat $(whoami)", "substitution"),
        ("cat `whoami`", "substitution"),
        ('echo "$(id)"', "substitution"),
        ("diff <(ls a) <(ls b)", "substitution"),
        ("echo $HOME", "variable"),
        ("echo ${HOME}", "variable"),
        ('echo "$1"', "variable"),
        ("(cd x && ls)", "subshell"),
        ("sleep 1 &", "background"),
        ("ls # hidden", "comment"),
        ("echo 'unterminated", "unbalanced"),
        ("echo $(ls", "unbalanced"),
    ],
)
def test_features(script: str, feature: str) -> None:
    parsed = parse_script(script)
    assert feature in parsed.features
    assert not parsed.plain


def test_commands_inside_substitutions_are_found() -> None:
    found = words('echo "$(rm -rf /)" `id` $(cat $(ls))')
    assert ("rm", "-rf", "/") in found
    assert ("id",) in found
    assert ("ls",) in found


def test_plain_commands_unwraps_nested_shells() -> None:
    assert plain_commands(["bash", "-lc", "sh -c 'ls && pwd'"]) == [("ls",), ("pwd",)]
    assert plain_commands(["bash", "-lc", "ls > f"]) is None
    assert plain_commands(["ls", "$(x)"]) == [("ls", "$(x)")]  # an argv is literal


def test_units_strip_wrappers_and_keep_views() -> None:
    units = command_units(["sudo", "-u", "bob", "env", "A=1", "nice", "-n", "5", "rm", "x"])
    assert units[0].words == ("rm", "x")
    assert units[0].views[0][0] == "sudo"
    assert [u.words for u in command_units(["watch", "-n", "1", "rm -rf x"])][-1] == (
        "rm", "-rf", "x"
    )  # fmt: skip


def test_deep_nesting_is_bounded() -> None:
    parsed = parse_script("$(" * 50 + "ls" + ")" * 50)
    assert "too-deep" in parsed.features
