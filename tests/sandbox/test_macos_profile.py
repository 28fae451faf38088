"""The sandbox-exec profile (macOS). It cannot run here; its shape is checked."""

from __future__ import annotations

from pathlib import Path

from codex_tui.sandbox.macos import SANDBOX_EXEC, seatbelt_argv, seatbelt_profile


def balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def test_profile_denies_by_default_and_opens_only_the_roots() -> None:
    profile = seatbelt_profile(2, protected=(0,), network=False)
    assert balanced(profile)
    assert profile.startswith("(version 1)\n(deny default)")
    assert "(allow file-read*)" in profile
    assert '(require-not (subpath (param "PROTECTED_0")))' in profile
    assert '(allow file-write* (subpath (param "WRITABLE_ROOT_1")))' in profile
    assert "network-outbound" not in profile


def test_network_only_when_allowed() -> None:
    assert "(allow network-outbound)" in seatbelt_profile(0, network=True)


def test_argv_passes_roots_as_parameters() -> None:
    ws = Path("/Users/me/repo")
    argv = seatbelt_argv(
        ["ls", "-l"],
        writable=(Path("/private/tmp"), ws),
        protected=(ws / ".git",),
        network=False,
    )
    assert argv[:2] == [SANDBOX_EXEC, "-p"]
    assert argv[-3:] == ["--", "ls", "-l"]
    params = argv[3:-3]
    assert params == [
        "-D", "WRITABLE_ROOT_0=/private/tmp",
        "-D", f"WRITABLE_ROOT_1={ws}",
        "-D", f"PROTECTED_1={ws / '.git'}",
    ]  # fmt: skip
    assert 'PROTECTED_1")' in argv[2] and 'PROTECTED_0")' not in argv[2]
