"""Policy figures on the turn's path (#22 item 10): the secret redactor, the shell
reader and the command decision on hostile input, and on ordinary input.

"before" in the notes is the code before the linear rewrite (c6ecc9d), measured
once on this machine with the same inputs; the tests in
tests/policy/test_linear_time.py hold each call to a generous second.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from codex_tui.policy import PolicyRules, audit_flags, decide_command, redact
from codex_tui.policy.shell import parse_script

REPEAT = 5
ROOT = Path(__file__).resolve().parent.parent

# Inputs that made a pattern of the old redactor quadratic, 40 KB each.
HOSTILE = {
    "`a-a-…`": "a-" * 20_000,
    "`a.a.…`": "a." * 20_000,
    "`a+a+…` (URL scheme)": "a+" * 20_000,
    "`pwd=pwd=…(`": "pwd=" * 10_000 + "(",
    "base64 lines, no END": ("A" * 16 + "\n") * 2_353,
    '`password="…`': 'password="' * 4_000,
    "`machine x login …`": "machine x login machine login login " * 1_111,
}


def _median_ms(work: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _fresh(work: Callable[[], object]) -> Callable[[], None]:
    """`work` with the shell reader's cache emptied first: every tool call brings
    a new script (within one call, the later readings of it are cached)."""

    def run() -> None:
        parse_script.cache_clear()
        work()

    return run


def _tool_call(argv: list[str], rules: PolicyRules) -> Callable[[], None]:
    """What agent/tool_calls.py asks the policy before running a command."""
    return _fresh(lambda: (audit_flags(workspace="/w", argv=argv), decide_command(rules, argv)))


def _reply() -> str:
    """A 1.5 KB model reply: prose, a command, a code block."""
    return (
        "I looked at `src/app/config.py`; the database password is read from the "
        "environment (`DB_PASSWORD`), so nothing secret is in the repository.\n\n"
        "```python\ndef connect(url: str, password: str | None = None) -> Connection:\n"
        "    password = password or os.environ['DB_PASSWORD']\n"
        "    return Connection(url, user='app', password=password)\n```\n\n"
        "Run `pytest -q tests/test_config.py` to check, then `git diff` to review. "
    ) * 3


def _source_corpus(size: int) -> str:
    """The project's own source files, up to `size` characters: ordinary output."""
    parts, total = [], 0
    for path in sorted((ROOT / "codex_tui").rglob("*.py")):
        text = path.read_text()
        parts.append(text)
        total += len(text)
        if total >= size:
            break
    return "".join(parts)[:size]


def run() -> list[dict[str, object]]:
    figures: list[dict[str, object]] = []
    hostile = {name: _median_ms(partial(redact, text)) for name, text in HOSTILE.items()}
    figures.append(
        {
            "name": "redact 40 KB of `a-a-…` (the issue's case)",
            "value": hostile["`a-a-…`"],
            "unit": "ms",
            "goal": "linear",
            "note": "before: 80 s (`\\b[\\w.\\-]*password` tried from every word boundary)",
        }
    )
    worst = max(hostile, key=hostile.__getitem__)
    figures.append(
        {
            "name": f"redact, slowest of {len(HOSTILE)} hostile 40 KB inputs",
            "value": hostile[worst],
            "unit": "ms",
            "goal": "linear",
            "note": f"{worst}; before: `a-a-…` 80 s, `a.a.…` 79 s, `a+a+…` 4.7 s, "
            "`pwd=…(` 0.8 s, base64 lines 0.27 s (170 KB of them: 3.7 s), the rest ~13 ms",
        }
    )
    small = _median_ms(partial(redact, "a-" * 80_000))
    big = _median_ms(partial(redact, "a-" * 320_000))
    figures.append(
        {
            "name": "redact growth, `a-a-…` 160 KB → 640 KB",
            "value": big / small,
            "unit": "×",
            "goal": "≤ 5 (4 is linear)",
            "note": f"{small:.0f} ms, then {big:.0f} ms; the square would be 16×",
        }
    )
    reply = _reply()
    figures.append(
        {
            "name": "redact a 1.5 KB model reply",
            "value": _median_ms(lambda: [redact(reply) for _ in range(100)]) * 10,
            "unit": "µs",
            "note": f"{len(reply)} characters, median of 100 calls; the code before took "
            "1.04–1.06× as long, run interleaved with this in one process",
        }
    )
    corpus = _source_corpus(1_000_000)
    figures.append(
        {
            "name": "redact 1 MB of source code",
            "value": _median_ms(lambda: redact(corpus)),
            "unit": "ms",
            "note": "codex_tui's own .py files, as a command's output; the code before took "
            "1.05× as long (interleaved)",
        }
    )
    word = "a" * 120_000
    figures.append(
        {
            "name": "shell reader: a 120 KB one-word script",
            "value": _median_ms(lambda: parse_script.__wrapped__(word)),
            "unit": "ms",
            "goal": "linear",
            "note": "before: 8.5–15 s (the word grew by copying itself, a character at a time)",
        }
    )
    rules = PolicyRules.build(forbidden_commands=["rm -rf"])
    figures.append(
        {
            "name": "tool call's policy path: `bash -lc` + 120 KB one-word script",
            "value": _median_ms(_tool_call(["bash", "-lc", word], rules)),
            "unit": "ms",
            "goal": "linear",
            "note": "audit flags + decision, as agent/tool_calls.py asks; before: 64 s "
            "(the script was read 5 times; now once, then cached)",
        }
    )
    wrappers = ["bash", "-lc", "A=1 " * 30_000 + "ls"]
    figures.append(
        {
            "name": "tool call's policy path: 30,000 `A=1` wrappers",
            "value": _median_ms(_tool_call(wrappers, rules)),
            "unit": "ms",
            "goal": "linear",
            "note": "before: 30 s and a square of memory (a copy of the line per wrapper)",
        }
    )
    trusted = PolicyRules.build(trusted_commands=["git status"])
    long_echo = ["bash", "-lc", "echo " + "a " * 120_000]
    figures.append(
        {
            "name": "decision with trusted_commands, `echo` + 120,000 words",
            "value": _median_ms(_fresh(lambda: decide_command(trusted, long_echo))),
            "unit": "ms",
            "goal": "linear",
            "note": "before: 9.1 s (every leading slice of the command was looked up)",
        }
    )
    ordinary = ["bash", "-lc", "rg -n 'def main' src | head -20 && git status --short"]
    figures.append(
        {
            "name": "tool call's policy path: an ordinary command",
            "value": _median_ms(lambda: [_tool_call(ordinary, rules)() for _ in range(100)]) * 10,
            "unit": "µs",
            "note": "`bash -lc` running rg piped to head, then git status; median of 100 "
            "calls; the code before took 1.9× as long (interleaved: the script is now read "
            "once a call)",
        }
    )
    return figures


if __name__ == "__main__":
    for figure in run():
        print(figure)
