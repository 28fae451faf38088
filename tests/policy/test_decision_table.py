"""The decision table: every policy × command case × sandbox mode, and every patch case.

Codes: S run in the sandbox · U run without it · A ask (approval runs it in the
sandbox) · AU ask (approval runs it without the sandbox) · R refuse · P apply.
"""

from __future__ import annotations

from pathlib import PurePath

import pytest

from codex_tui.policy import (
    Action,
    Decision,
    PolicyRules,
    SessionApprovals,
    decide_after_failure,
    decide_command,
    decide_patch,
)

POLICIES = ("untrusted", "on-failure", "on-request", "never")
MODES = ("read-only", "workspace-write", "danger-full-access")
CASES = ("safe", "ordinary", "dangerous", "escalation", "session", "trusted", "forbidden")

# policy -> codes for CASES, per kind of sandbox mode.
SANDBOXED = {  # read-only and workspace-write decide commands alike
    "untrusted":  "S A  A  AU S S R",
    "on-failure": "S S  A  AU S S R",
    "on-request": "S S  A  AU S S R",
    "never":      "S S  R  R  S S R",
}  # fmt: skip
FULL_ACCESS = {
    "untrusted":  "U AU AU AU U U R",
    "on-failure": "U U  AU U  U U R",
    "on-request": "U U  AU U  U U R",
    "never":      "U U  U  U  U U R",
}  # fmt: skip
NO_SANDBOX = {  # read-only / workspace-write on a machine where nothing can be enforced
    "untrusted":  "AU AU AU AU AU AU R",
    "on-failure": "AU AU AU AU AU AU R",
    "on-request": "AU AU AU AU AU AU R",
    "never":      "R  R  R  R  R  R  R",
}  # fmt: skip


def code(d: Decision) -> str:
    match d.action:
        case Action.RUN_SANDBOXED:
            return "S"
        case Action.RUN_UNSANDBOXED:
            return "U"
        case Action.ASK:
            return "A" if d.sandbox_if_approved else "AU"
        case Action.REFUSE:
            return "R"
        case Action.APPLY:
            return "P"
    raise AssertionError(d)


def decide(policy: str, mode: str, case: str, *, enforced: bool = True) -> Decision:
    rules = PolicyRules.build(
        policy,  # type: ignore[arg-type]
        mode,  # type: ignore[arg-type]
        trusted_commands=["make test"],
        forbidden_commands=["git push"],
        sandbox_enforced=enforced,
    )
    approvals = SessionApprovals()
    approvals.approve_command(["cargo", "build", "--release"])
    argv, escalated = {
        "safe": (["ls", "-la"], False),
        "ordinary": (["pytest", "-q"], False),
        "dangerous": (["rm", "-rf", "build"], False),
        "escalation": (["pytest", "-q"], True),
        "session": (["cargo", "build"], False),
        "trusted": (["make", "test", "-j4"], False),
        "forbidden": (["git", "push", "origin", "main"], False),
    }[case]
    return decide_command(
        rules, argv, escalated=escalated, justification="needs the network", approvals=approvals
    )


def table_rows() -> list[tuple[str, str, str, str, bool]]:
    rows = []
    for policy in POLICIES:
        for mode in MODES:
            table = FULL_ACCESS if mode == "danger-full-access" else SANDBOXED
            for case, expected in zip(CASES, table[policy].split(), strict=True):
                rows.append((policy, mode, case, expected, True))
            if mode != "danger-full-access":
                for case, expected in zip(CASES, NO_SANDBOX[policy].split(), strict=True):
                    rows.append((policy, mode, case, expected, False))
    return rows


@pytest.mark.parametrize(("policy", "mode", "case", "expected", "enforced"), table_rows())
def test_command_table(policy: str, mode: str, case: str, expected: str, enforced: bool) -> None:
    decision = decide(policy, mode, case, enforced=enforced)
    assert code(decision) == expected, decision
    if decision.action in (Action.ASK, Action.REFUSE):
        assert decision.reason
    if decision.action is Action.REFUSE:
        assert decision.model_message.startswith("Refused:")


def test_table_covers_everything() -> None:
    assert len(table_rows()) == 4 * 3 * 7 + 4 * 2 * 7


def test_refusal_reasons_name_the_cause() -> None:
    assert "git push" in decide("on-request", "workspace-write", "forbidden").model_message
    assert "destructive" in decide("never", "workspace-write", "dangerous").model_message
    assert "never" in decide("never", "read-only", "escalation").model_message
    no_sandbox = decide("never", "workspace-write", "safe", enforced=False)
    assert "no sandbox" in no_sandbox.model_message


def test_escalation_reason_carries_the_justification() -> None:
    assert "needs the network" in decide("on-request", "workspace-write", "escalation").reason


def test_dangerous_is_never_approved_for_the_session() -> None:
    d = decide("on-request", "workspace-write", "dangerous")
    assert not d.session_approvable
    rules = PolicyRules.build("on-request", "workspace-write")
    approvals = SessionApprovals()
    approvals.approve_command(["rm", "old.txt"])
    assert code(decide_command(rules, ["rm", "-rf", "x"], approvals=approvals)) == "A"


def test_approval_without_sandbox_covers_escalation_and_no_sandbox_machines() -> None:
    approvals = SessionApprovals()
    approvals.approve_command(["pytest", "-x"], without_sandbox=True)
    esc = PolicyRules.build("on-request", "workspace-write")
    d = decide_command(esc, ["pytest", "-q"], escalated=True, approvals=approvals)
    assert code(d) == "U"
    off = PolicyRules.build("untrusted", "workspace-write", sandbox_enforced=False)
    assert code(decide_command(off, ["pytest"], approvals=approvals)) == "U"


def test_approved_decision_follows_the_ask() -> None:
    assert decide("untrusted", "workspace-write", "ordinary").approved().action is (
        Action.RUN_SANDBOXED
    )
    assert decide("on-request", "workspace-write", "escalation").approved().action is (
        Action.RUN_UNSANDBOXED
    )


def test_forbidden_prefix_is_found_behind_wrappers() -> None:
    rules = PolicyRules.build("never", "danger-full-access", forbidden_commands=["git push"])
    for argv in (
        ["/usr/bin/git", "push"],
        ["sudo", "git", "push", "-f"],
        ["bash", "-lc", "git add . && git push"],
        ["bash", "-lc", "echo $(git push)"],
    ):
        assert code(decide_command(rules, argv)) == "R", argv


def test_trusted_prefix_must_cover_every_command_of_a_script() -> None:
    rules = PolicyRules.build("untrusted", "workspace-write", trusted_commands=["make test"])
    assert code(decide_command(rules, ["bash", "-lc", "cd x && make test"])) == "S"
    assert code(decide_command(rules, ["bash", "-lc", "make test && curl x"])) == "A"
    assert code(decide_command(rules, ["bash", "-lc", "make test > out"])) == "A"


def test_bad_values_are_rejected() -> None:
    with pytest.raises(ValueError, match="approval_policy"):
        PolicyRules.build("sometimes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="forbidden_commands"):
        PolicyRules.build(forbidden_commands=["git 'push"])


# --- patches -----------------------------------------------------------------------

WS = PurePath("/work/repo")
PATCH_CASES = ("inside", "outside", "git", "mixed", "session")
PATCH_TABLE = {
    "workspace-write": {
        "untrusted":  "A A A A P",
        "on-failure": "P A A A P",
        "on-request": "P A A A P",
        "never":      "P R R R P",
    },
    "read-only": {
        "untrusted":  "A A A A P",
        "on-failure": "A A A A P",
        "on-request": "A A A A P",
        "never":      "R R R R P",
    },
    "danger-full-access": {
        "untrusted":  "A A A A P",
        "on-failure": "P P P P P",
        "on-request": "P P P P P",
        "never":      "P P P P P",
    },
}  # fmt: skip


def patch_rows() -> list[tuple[str, str, str, str]]:
    return [
        (policy, mode, case, expected)
        for mode, by_policy in PATCH_TABLE.items()
        for policy, codes in by_policy.items()
        for case, expected in zip(PATCH_CASES, codes.split(), strict=True)
    ]


@pytest.mark.parametrize(("policy", "mode", "case", "expected"), patch_rows())
def test_patch_table(policy: str, mode: str, case: str, expected: str) -> None:
    rules = PolicyRules.build(policy, mode)  # type: ignore[arg-type]
    paths = {
        "inside": [WS / "src/app.py", WS / "README.md"],
        "outside": [PurePath("/etc/hosts")],
        "git": [WS / ".git/hooks/pre-commit"],
        "mixed": [WS / "src/app.py", PurePath("/home/me/.bashrc")],
        "session": [PurePath("/srv/shared/notes.md")],
    }[case]
    approvals = SessionApprovals()
    approvals.approve_files([PurePath("/srv/shared/notes.md")])
    roots = [WS, PurePath("/tmp")]
    decision = decide_patch(rules, paths, roots, approvals=approvals)
    assert code(decision) == expected, decision
    assert decision.subject == "patch"
    if decision.action is Action.ASK:
        assert decision.approved().action is Action.APPLY


def test_patch_reason_lists_outside_files() -> None:
    rules = PolicyRules.build("never", "workspace-write")
    d = decide_patch(rules, [PurePath("/etc/hosts")], [WS])
    assert "/etc/hosts" in d.reason and "/etc/hosts" in d.model_message


def test_patch_paths_must_be_absolute() -> None:
    with pytest.raises(ValueError, match="absolute"):
        decide_patch(PolicyRules(), [PurePath("src/x.py")], [WS])


# --- the on-failure flow ------------------------------------------------------------


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("touch: cannot touch '/etc/x': Read-only file system", "AU"),
        ("sh: 1: cannot create /opt/x: Permission denied", "AU"),
        ("curl: (6) Could not resolve host: example.com", "AU"),
        ("OSError: [Errno 101] Network is unreachable", "AU"),
        ("PermissionError: [Errno 1] Operation not permitted", "AU"),
        ("FAILED tests/test_x.py::test_y - assert 1 == 2", None),
    ],
)
def test_after_failure_asks_only_when_the_sandbox_looks_responsible(
    output: str, expected: str | None
) -> None:
    rules = PolicyRules.build("on-failure", "workspace-write")
    d = decide_after_failure(rules, ["make"], exit_code=1, output=output)
    assert (None if d is None else code(d)) == expected


def test_after_failure_only_under_on_failure_and_only_for_failures() -> None:
    out = "Read-only file system"
    for policy in ("untrusted", "on-request", "never"):
        rules = PolicyRules.build(policy)  # type: ignore[arg-type]
        assert decide_after_failure(rules, ["make"], exit_code=1, output=out) is None
    rules = PolicyRules.build("on-failure")
    assert decide_after_failure(rules, ["make"], exit_code=0, output=out) is None
    approvals = SessionApprovals()
    approvals.approve_command(["make"], without_sandbox=True)
    d = decide_after_failure(rules, ["make", "all"], exit_code=2, output=out, approvals=approvals)
    assert d is not None and code(d) == "U"
