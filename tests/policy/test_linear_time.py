"""Hostile input on the turn's path stays linear: the redactor, the shell reader,
the classifier and the decision (#22 item 10).

Each test gives a call a generous second (what the old code took is noted
beside it; the real timings are in `bench/bench_policy.py`) and stops it at two,
so a regression fails fast instead of hanging. The hypothesis tests steer
towards slow inputs with `target()` and check the output too.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, example, given, settings, target
from hypothesis import strategies as st

from codex_tui.policy import (
    CommandKind,
    PolicyRules,
    SessionApprovals,
    approval_prefix,
    audit_flags,
    classify,
    decide_command,
    looks_sandbox_caused,
    redact,
)
from codex_tui.policy.prefixes import forbidden_match
from codex_tui.policy.shell import parse_script
from codex_tui.policy.unwrap import plain_commands

LIMIT = 1.0  # seconds a call may take
T = TypeVar("T")
SLOW = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


class TooSlow(AssertionError):
    pass


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Raise TooSlow in the running code after `seconds` (the regex engine and
    Python loops both check for signals); only in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise TooSlow(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def within(limit: float, call: Callable[[], T], label: str = "") -> T:
    """`call()`, which must end within `limit` seconds; in a hypothesis test its
    time (under `label`) steers the search towards slower inputs."""
    parse_script.cache_clear()  # time the first reading, as a new tool call makes it
    started = time.perf_counter()
    with _alarm(limit * 2):
        out = call()
    elapsed = time.perf_counter() - started
    if label:
        target(elapsed, label=label)
    assert elapsed < limit, f"took {elapsed:.2f} s"
    return out


def _repeat(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


# --- the two cases, and each construct found after them ------------------


def test_redacting_40kb_of_dashed_words() -> None:
    text = "a-" * 20_000  # 80 s before: `\b[\w.\-]*password` tried at every word boundary
    assert within(LIMIT, lambda: redact(text)) == text


def test_a_120kb_one_word_script_through_the_tool_path() -> None:
    script = "a" * 120_000  # before: 8.5 s a parse (a word grew by copying), 64 s
    argv = ["bash", "-lc", script]
    rules = PolicyRules.build(forbidden_commands=["rm -rf"])

    def tool_call() -> None:
        assert parse_script(script).commands[0].words == (script,)
        assert audit_flags(workspace="/w", argv=argv) == ()
        assert decide_command(rules, argv).rule == "policy"

    within(LIMIT, tool_call)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("a+" * 20_000, "URL scheme tried at every word boundary: 4.7 s"),
        ("pwd=" * 40_000 + "(", "a value failing on `(` scanned again from each start: 11 s"),
        (("A" * 16 + "\n") * 14_000, "PEM tail: base64 lines scanned from every line: 7 s"),
    ],
    ids=["url-scheme", "call-after-value", "pem-tail"],
)
def test_redactor_constructs(text: str, why: str) -> None:
    assert within(LIMIT, lambda: redact(text)) == text, why


def test_tens_of_thousands_of_wrappers() -> None:
    words = ["A=1", "env", "B=2", "nice", "-n", "5"] * 10_000 + ["rm", "-rf", "x"]
    rules = PolicyRules.build(forbidden_commands=["rm -rf"])  # a copy of the line a wrapper: 30 s
    decision = within(LIMIT, lambda: decide_command(rules, ["bash", "-lc", " ".join(words)]))
    assert decision.rule == "forbidden"


def test_long_sudo_chains_do_not_recurse() -> None:
    words = ("sudo",) * 5_000 + ("git", "commit")  # RecursionError before
    assert within(LIMIT, lambda: approval_prefix(words)) == words


def test_trusted_prefixes_on_a_long_command() -> None:
    rules = PolicyRules.build(trusted_commands=["git status"])
    argv = ["bash", "-lc", "echo " + "a " * 120_000]  # every leading slice looked up: 9 s
    assert within(LIMIT, lambda: decide_command(rules, argv)).rule == "known-safe"


# --- searching for slow inputs ---------------------------------------------------

# Pieces the redactor's patterns care about; a unit of a few, repeated, is the
# shape that made a quadratic pattern slow.
_PIECES = st.sampled_from(
    ["a", "Z", "1", "_", "-", ".", "+", "/", "\\", ":", "=", " ", "\n", '"', "'", "(", "@",
     "$", "password", "pwd", "PASSWORD", "_KEY", "_TOKEN", "secret", "://", "http", "sk-",
     "ghp_", "xoxb-", "AIza", "bearer ", "Authorization: ", "-u ", "machine ", "login ",
     "password ", "-----BEGIN ", "-----END ", "PRIVATE KEY-----", "AAAAAAAAAAAAAAAA",
     "aws_secret_access_key="]
)  # fmt: skip
_UNITS = st.lists(_PIECES, min_size=1, max_size=6).map("".join)
# Secrets planted in the filler, and what must be gone from the output.
_PLANTED = [
    ("sk-abcdefghijklmnopqrstuvwxyz012345", "klmnopqrst"),
    ("password=hunter2", "hunter2"),
    ("https://alice:Pa55w0rd@git.example.com/r.git", "Pa55w0rd"),
    ("machine example.com login alice password hunter3", "hunter3"),
    ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.sig123", "eyJhbGci"),
    ("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----", "MIIEvQIBADAN"),
]
_SEP = " ;\n"  # ends any value or name the filler leaves open


@SLOW
@given(
    unit=_UNITS,
    size=st.sampled_from([20_000, 40_000]),
    planted=st.sampled_from(_PLANTED),
)
@example(unit="a-", size=40_000, planted=_PLANTED[0])
@example(unit="pwd=", size=40_000, planted=_PLANTED[1])
@example(unit="a+", size=40_000, planted=_PLANTED[2])
def test_redactor_is_linear_and_still_redacts(
    unit: str, size: int, planted: tuple[str, str]
) -> None:
    filler = _repeat(unit, size // 2)
    text = filler + _SEP + planted[0] + _SEP + filler
    out = within(LIMIT, lambda: redact(text), "redact")
    assert planted[1] not in out
    # The failed-command check reads the same kind of output.
    assert within(LIMIT, lambda: looks_sandbox_caused(1, text), "failure") in (
        None, "a write was refused", "access was denied", "an operation was not permitted",
        "the network is unreachable",
    )  # fmt: skip


# Words with a known value: a bare run, quoted pieces, an escaped operator.
_BARE = st.text("abcXYZ019_./=:,+@%^~-", min_size=1, max_size=8)
_WORD_PIECE = st.one_of(
    _BARE.map(lambda s: (s, s)),
    st.text('ab $|;&()<>#"', max_size=6).map(lambda s: (f"'{s}'", s)),
    st.text("ab |;&()<>#'", max_size=6).map(lambda s: (f'"{s}"', s)),
    st.sampled_from(" ;&|()<>$`'\"\\").map(lambda c: ("\\" + c, c)),
)
_WORD = st.lists(_WORD_PIECE, min_size=1, max_size=4)
_JOINERS = st.sampled_from(["&&", "||", ";", "|", "\n"])


@SLOW
@given(
    commands=st.lists(st.lists(_WORD, min_size=1, max_size=3), min_size=1, max_size=3),
    joiners=st.lists(_JOINERS, min_size=3, max_size=3),
    reps=st.sampled_from([2_000, 10_000]),
)
@example(commands=[[[("a", "a")]]], joiners=[";"] * 3, reps=60_000)
def test_shell_reader_is_linear_and_exact(
    commands: list[list[list[tuple[str, str]]]], joiners: list[str], reps: int
) -> None:
    """A script built from words of known value reads back exactly; one word of
    each command is its pieces many times over (a long word)."""
    script, expected = "", []
    for n, command in enumerate(commands):
        written, values = [], []
        for k, pieces in enumerate(command):
            times = reps if k == 0 else 1
            written.append("".join(p for p, _ in pieces) * times)
            values.append("".join(v for _, v in pieces) * times)
        joiner = joiners[n - 1] if n else ""
        script += (f" {joiner} " if n else "") + " ".join(written)
        expected.append((tuple(values), joiner))
    parsed = within(LIMIT, lambda: parse_script(script), "parse")
    assert [(c.words, c.joiner) for c in parsed.commands] == expected
    assert parsed.plain
    argv = ["bash", "-lc", script]
    assert within(LIMIT, lambda: plain_commands(argv), "plain") == [w for w, _ in expected]
    within(LIMIT, lambda: audit_flags(workspace="/w", argv=argv), "flags")


_WRAPPERS = st.sampled_from(
    [("sudo",), ("env", "A=1"), ("nice", "-n", "5"), ("A=1",), ("timeout", "10"), ("time",),
     ("xargs",), ("sudo", "-u", "bob"), ("command",), ("stdbuf", "-o", "0")]
)  # fmt: skip


@SLOW
@given(
    unit=st.lists(_WRAPPERS, min_size=1, max_size=4),
    words=st.sampled_from([3_000, 15_000]),
    shell=st.booleans(),
)
@example(unit=[("A=1",)], words=30_000, shell=True)
def test_wrappers_are_seen_through_in_linear_time(
    unit: list[tuple[str, ...]], words: int, shell: bool
) -> None:
    flat = [w for wrapper in unit for w in wrapper]
    line = flat * (words // len(flat)) + ["rm", "-rf", "x"]
    argv = ["bash", "-lc", " ".join(line)] if shell else line
    rules = PolicyRules.build(forbidden_commands=["git push"])
    approvals = SessionApprovals()
    approvals.approve_command(["make", "x"])

    def tool_call() -> None:
        assert classify(argv).kind is CommandKind.DANGEROUS
        assert forbidden_match(argv, [("rm", "-rf")]) == ("rm", "-rf")
        assert "destructive_command" in audit_flags(workspace="/w", argv=argv)
        assert decide_command(rules, argv, approvals=approvals).rule == "dangerous"

    within(LIMIT, tool_call, "tool call")
