"""Login shells from a snapshot: `bash -lc` commands see what the profile sets
(variables, functions, aliases) while the profile runs once per session, under
every sandbox variant; a profile that cannot be captured leaves `bash -lc` as is."""

from __future__ import annotations

import os

import pytest

from codex_tui.sandbox import Mechanism
from codex_tui.sandbox.shell_snapshot import CAPTURE, login_script, parse_capture
from tests.sandbox.conftest import VARIANTS, Dirs, MakeSandbox

PROFILE = """\
echo "profile noise on stdout"
echo "profile noise on stderr" >&2
echo ran >> "{counter}"
export GREETING="hello from the profile"
greet() {{ echo "greet: $GREETING"; }}
alias ll='ls -l'
"""
SCRIPT = 'greet; alias ll; echo "line $LINENO"; no_such_command_zz'


def home_with(dirs: Dirs, profile: str) -> dict[str, str]:
    home = dirs.outside / "home"
    home.mkdir()
    (home / ".bash_profile").write_text(profile.format(counter=dirs.workspace / "src" / "runs"))
    return {**os.environ, "HOME": str(home)}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("snapshots", [True, False], ids=["snapshot", "login-each-time"])
async def test_login_commands_see_the_profile_which_runs_once(
    variant, snapshots: bool, dirs: Dirs, make_sandbox: MakeSandbox
) -> None:
    mechanism, namespaces = variant
    env = home_with(dirs, PROFILE)
    sandbox = make_sandbox(
        mechanism=mechanism, namespaces=namespaces, base_env=env, shell_snapshots=snapshots
    )
    outputs = [await sandbox.run(["bash", "-lc", SCRIPT]) for _ in range(3)]
    for result in outputs:
        assert "greet: hello from the profile" in result.output
        assert "alias ll='ls -l'" in result.output
        # The script's own line numbers, and an error naming its line 1.
        assert "line 1\n" in result.output
        assert "bash: line 1: no_such_command_zz: command not found" in result.output
        assert "CODEX_TUI_SHELL_SNAPSHOT" not in result.output
    runs_file = dirs.workspace / "src" / "runs"
    assert runs_file.exists(), outputs[0].output
    runs = runs_file.read_text().count("ran")
    if snapshots:
        assert runs == 1  # captured once; later commands did not re-read the profile
        assert all("profile noise" not in r.output for r in outputs)
    else:
        assert runs == 3
    env_seen = await sandbox.run(["bash", "-lc", "env"])
    assert "CODEX_TUI_SHELL_SNAPSHOT" not in env_seen.output  # unset before the script


async def test_a_profile_that_fails_leaves_login_shells_as_they_were(
    dirs: Dirs, make_sandbox: MakeSandbox
) -> None:
    env = home_with(dirs, "echo ran >> {counter}\nexport FROM_PROFILE=yes\nexit 3\n")
    sandbox = make_sandbox(mechanism=Mechanism.BWRAP, base_env=env)
    first = await sandbox.run(["bash", "-lc", "echo got-$FROM_PROFILE"])
    second = await sandbox.run(["bash", "-lc", "echo got-$FROM_PROFILE"])
    # `exit` in a profile ends the login shell before the script: as before, unchanged.
    assert first.exit_code == second.exit_code == 3
    assert (dirs.workspace / "src" / "runs").read_text().count("ran") == 3  # capture + 2 commands


def test_capture_parsing_and_which_commands_qualify() -> None:
    assert login_script(["bash", "-lc", "ls"]) == "ls"
    assert login_script(["/bin/bash", "-cl", "ls"]) == "ls"
    assert login_script(["bash", "-c", "ls"]) is None
    assert login_script(["bash", "-lc", "ls", "extra"]) is None
    assert login_script(["zsh", "-lc", "ls"]) is None
    begin, end = "__codex_tui_snapshot_begin__", "__codex_tui_snapshot_end__"
    assert begin in CAPTURE and end in CAPTURE
    out = (
        f'noise\n{begin}\ndeclare -x PWD="/x"\ndeclare -x KEEP="1"\ndeclare -x SHLVL="2"\n'
        f'declare -rx SHELLOPTS="braceexpand"\ndeclare -rx KEPT_RO="3"\n{end}\n'
    )
    parsed = parse_capture(out)
    assert parsed is not None and 'KEEP="1"' in parsed and 'KEPT_RO="3"' in parsed
    assert "PWD" not in parsed and "SHLVL" not in parsed and "noise" not in parsed
    assert "SHELLOPTS" not in parsed
    assert parse_capture("no markers at all") is None
    assert parse_capture(f"\n{begin}\n" + "x" * 200_000 + f"\n{end}\n") is None
    assert parse_capture(f"\n{begin}\ncut short") is None
