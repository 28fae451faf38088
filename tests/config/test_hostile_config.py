"""A config.yaml that is not what it seems (a FIFO, a link to /dev/zero, a
billion laughs, YAML nested a thousand deep, numbers Python will not build) is
one ConfigError line, at once: never a hang, a traceback or minutes of work."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from codex_tui.config import ConfigError, load_config
from tests.tools.hostile import GiB, fifo, link, run_python, sparse

LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)


def load_in_child(home: Path, timeout: float = 30) -> dict[str, object]:
    """load_config() in a child process with a deadline: what it raised, if anything."""
    result = run_python(
        f"""
        import json, os
        os.environ["CODEX_TUI_HOME"] = {str(home)!r}
        from codex_tui.config import ConfigError, load_config
        try:
            load_config()
            print(json.dumps({{"error": None}}))
        except ConfigError as exc:
            print(json.dumps({{"error": str(exc)}}))
        """,
        timeout=timeout,
        memory_bytes=2 * GiB,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_fifo_config_is_refused_without_waiting(home: Path) -> None:
    fifo(home / "config.yaml")
    outcome = load_in_child(home, timeout=20)
    assert outcome["error"] == (
        f"cannot read {home / 'config.yaml'}: is a named pipe (FIFO), not a regular file"
    )


def test_a_config_linked_to_dev_zero_is_refused(home: Path) -> None:
    link(home / "config.yaml", "/dev/zero")
    outcome = load_in_child(home, timeout=20)
    assert outcome["error"] == (
        f"cannot read {home / 'config.yaml'}: is a character device, not a regular file"
    )


def test_a_giant_config_is_refused_before_parsing(home: Path) -> None:
    sparse(home / "config.yaml", 4 * GiB, b"model: x\n")
    outcome = load_in_child(home, timeout=20)
    assert outcome["error"] == f"cannot read {home / 'config.yaml'}: is larger than 256 KiB"


def test_a_config_linked_elsewhere_is_still_read(home: Path, tmp_path: Path) -> None:
    """The person's own config may live in a dotfiles repository."""
    (tmp_path / "dotfiles").mkdir()
    (tmp_path / "dotfiles" / "codex.yaml").write_text("model: linked\n")
    link(home / "config.yaml", tmp_path / "dotfiles" / "codex.yaml")
    assert load_config().config.model == "linked"


def test_billion_laughs_is_refused_at_once(home: Path) -> None:
    (home / "config.yaml").write_text(LAUGHS)
    started = time.monotonic()
    outcome = load_in_child(home, timeout=60)
    assert time.monotonic() - started < 30  # a generous bound; it took over 90 s before
    assert outcome["error"] == (
        f"{home / 'config.yaml'} line 1, column 1: YAML too complex:"
        " aliases expand to more than 10,000 values"
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("model: " + "[" * 2000 + "]" * 2000 + "\n", "YAML too complex: nested more than 32 levels deep"),
        ("".join("  " * i + f"k{i}:\n" for i in range(300)), "YAML too complex: nested more than 32 levels deep"),
        ("a: &a [*a]\n", "YAML too complex: an alias refers to a value that contains it"),
        ("a: &a 1\nb: [" + ", ".join(["*a"] * 101) + "]\n", "YAML too complex: more than 100 aliases"),
        ("command_timeout_ms: " + "1" * 5000 + "\n", "Exceeds the limit (4300 digits)"),
        ("model: 2026-02-30\n", "day is out of range for month"),
    ],
    ids=["flow", "block", "self-alias", "alias-count", "5000-digit-int", "30-february"],
)  # fmt: skip
def test_hostile_yaml_is_one_line(home: Path, text: str, problem: str) -> None:
    """Nesting and aliases are bounded; values Python will not build are refused."""
    (home / "config.yaml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config()  # RecursionError, ValueError before
    message = str(info.value)
    assert message.startswith(f"{home / 'config.yaml'} line ")
    assert problem in message and "\n" not in message


def test_hostile_override_values_stay_text(home: Path) -> None:
    """`-c` values are YAML too; past the limits they are taken as plain text."""
    deep = "[" * 2000 + "]" * 2000
    with pytest.raises(ConfigError, match=r"for config key `command_timeout_ms` .* an integer"):
        load_config(overrides=[f"command_timeout_ms={deep}"])
    loaded = load_config(overrides=["model=" + "1" * 5000])
    assert loaded.config.model == "1" * 5000


def test_anchors_and_merges_within_limits_still_work(home: Path) -> None:
    (home / "config.yaml").write_text(
        "model_providers:\n"
        "  a: &base\n"
        "    base_url: http://a/v1\n"
        "    wire_api: chat\n"
        "    request_max_retries: 1\n"
        "  b:\n"
        "    <<: *base\n"
        "    base_url: http://b/v1\n"
    )
    providers = load_config().config.model_providers
    assert providers["a"].wire_api == providers["b"].wire_api == "chat"
    assert providers["b"].request_max_retries == 1
    assert providers["b"].base_url == "http://b/v1"
