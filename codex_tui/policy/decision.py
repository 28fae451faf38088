"""The approval decision: run in the sandbox, run without it, ask, or refuse.

Pure functions of the rules (approval policy, sandbox mode, trusted and
forbidden prefixes, whether a sandbox can be enforced here), the request and
the session's approvals. No I/O, so the whole table is tested exhaustively.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePath
from typing import Any, Literal, get_args

from codex_tui.policy.approvals import SessionApprovals
from codex_tui.policy.commands import CommandKind, classify
from codex_tui.policy.failure import looks_sandbox_caused
from codex_tui.policy.prefixes import Prefix, covered_by, forbidden_match, parse_prefixes

__all__ = [
    "Action",
    "ApprovalPolicy",
    "Decision",
    "PolicyRules",
    "SandboxMode",
    "decide_after_failure",
    "decide_command",
    "decide_patch",
]

ApprovalPolicy = Literal["untrusted", "on-failure", "on-request", "never"]
SandboxMode = Literal["read-only", "workspace-write", "danger-full-access"]
Subject = Literal["command", "patch", "tool"]


class Action(StrEnum):
    RUN_SANDBOXED = "run-sandboxed"
    RUN_UNSANDBOXED = "run-unsandboxed"
    APPLY = "apply"  # a patch goes ahead
    ASK = "ask"
    REFUSE = "refuse"


@dataclass(frozen=True)
class Decision:
    """What to do with one command or patch, and why.

    `rule` names the rule that decided (for tests and the audit log); `reason`
    is one line for the person; `model_message` is what the model is told when
    refused. For ASK, `sandbox_if_approved` says whether an approved command
    runs inside the sandbox, and `session_approvable` whether "approve for the
    session" may be offered.
    """

    action: Action
    rule: str
    reason: str
    model_message: str = ""
    sandbox_if_approved: bool = True
    session_approvable: bool = True
    subject: Subject = "command"

    def approved(self) -> Decision:
        """The decision once the person said yes to an ASK."""
        if self.action is not Action.ASK:
            return self
        if self.subject == "patch":
            action = Action.APPLY
        elif self.subject == "tool":
            action = Action.RUN_UNSANDBOXED
        else:
            action = Action.RUN_SANDBOXED if self.sandbox_if_approved else Action.RUN_UNSANDBOXED
        return Decision(action, self.rule, self.reason, subject=self.subject)


@dataclass(frozen=True)
class PolicyRules:
    """The person's rules; `sandbox_enforced` is False when no sandbox works here."""

    approval_policy: ApprovalPolicy = "on-request"
    sandbox_mode: SandboxMode = "workspace-write"
    trusted: tuple[Prefix, ...] = field(default=())
    forbidden: tuple[Prefix, ...] = field(default=())
    sandbox_enforced: bool = True

    def __post_init__(self) -> None:
        if self.approval_policy not in get_args(ApprovalPolicy):
            raise ValueError(f"approval_policy: unknown value {self.approval_policy!r}")
        if self.sandbox_mode not in get_args(SandboxMode):
            raise ValueError(f"sandbox_mode: unknown value {self.sandbox_mode!r}")

    @classmethod
    def build(
        cls,
        approval_policy: ApprovalPolicy = "on-request",
        sandbox_mode: SandboxMode = "workspace-write",
        *,
        trusted_commands: Iterable[str] = (),
        forbidden_commands: Iterable[str] = (),
        sandbox_enforced: bool = True,
    ) -> PolicyRules:
        """From config-style values (prefixes written like shell commands)."""
        return cls(
            approval_policy,
            sandbox_mode,
            parse_prefixes(trusted_commands, key="trusted_commands"),
            parse_prefixes(forbidden_commands, key="forbidden_commands"),
            sandbox_enforced,
        )

    @classmethod
    def from_config(cls, config: Any, *, sandbox_enforced: bool) -> PolicyRules:
        """From an object with the config's attribute names (duck-typed)."""
        return cls.build(
            config.approval_policy,
            config.sandbox_mode,
            trusted_commands=config.trusted_commands,
            forbidden_commands=config.forbidden_commands,
            sandbox_enforced=sandbox_enforced,
        )

    @property
    def full_access(self) -> bool:
        return self.sandbox_mode == "danger-full-access"


def _show(argv: Iterable[str]) -> str:
    return shlex.join(argv)


def _run(rules: PolicyRules, rule: str, reason: str) -> Decision:
    action = Action.RUN_UNSANDBOXED if rules.full_access else Action.RUN_SANDBOXED
    return Decision(action, rule, reason)


def _refuse(rule: str, reason: str, model_message: str, subject: Subject = "command") -> Decision:
    return Decision(Action.REFUSE, rule, reason, model_message, subject=subject)


def decide_command(
    rules: PolicyRules,
    argv: list[str] | tuple[str, ...],
    *,
    escalated: bool = False,
    justification: str | None = None,
    approvals: SessionApprovals | None = None,
) -> Decision:
    """Decide one shell command (`escalated`: the model asked to skip the sandbox)."""
    approvals = approvals or SessionApprovals()
    policy = rules.approval_policy
    forbidden = forbidden_match(argv, rules.forbidden)
    if forbidden is not None:
        shown = _show(forbidden)
        return _refuse(
            "forbidden",
            f"`{shown}` is in forbidden_commands",
            f"Refused: the user's configuration forbids `{shown}` (forbidden_commands). "
            "Do not run it or work around it; ask the user if it is really needed.",
        )
    kind = classify(argv)
    dangerous = kind.kind is CommandKind.DANGEROUS

    if not rules.full_access and not rules.sandbox_enforced:
        if not dangerous and approvals.command_approved(argv, without_sandbox=True):
            return Decision(Action.RUN_UNSANDBOXED, "session", "approved for this session")
        why = "no sandbox can be enforced on this machine, so it would run unconfined"
        if dangerous:
            why += f"; and it is destructive: {kind.reason}"
        if policy == "never":
            return _refuse(
                "no-sandbox",
                why,
                "Refused: no sandbox can be enforced on this machine and the approval "
                "policy is `never`, so commands cannot be approved. Tell the user.",
            )
        return Decision(Action.ASK, "no-sandbox", why, sandbox_if_approved=False,
                        session_approvable=not dangerous)  # fmt: skip

    if dangerous:
        if policy == "never":
            if rules.full_access:
                return _run(rules, "dangerous", kind.reason)
            return _refuse(
                "dangerous",
                f"destructive command: {kind.reason}",
                f"Refused: this command is destructive ({kind.reason}) and the approval "
                "policy is `never`. Find a non-destructive way or tell the user.",
            )
        return Decision(
            Action.ASK,
            "dangerous",
            f"destructive command: {kind.reason}",
            sandbox_if_approved=not (escalated or rules.full_access),
            session_approvable=False,
        )

    if escalated and not rules.full_access:
        if approvals.command_approved(argv, without_sandbox=True):
            return Decision(Action.RUN_UNSANDBOXED, "session", "approved for this session")
        said = (justification or "").strip() or "no reason given"
        if policy == "never":
            return _refuse(
                "escalation",
                f"asks to run outside the sandbox ({said})",
                "Refused: the approval policy is `never`, so commands cannot run outside "
                f"the sandbox ({rules.sandbox_mode}). Do the work inside it.",
            )
        return Decision(Action.ASK, "escalation", f"asks to run outside the sandbox: {said}",
                        sandbox_if_approved=False)  # fmt: skip

    if covered_by(argv, rules.trusted):
        return _run(rules, "trusted", "matches trusted_commands")
    if approvals.command_approved(argv):
        return _run(rules, "session", "approved for this session")
    if kind.kind is CommandKind.SAFE:
        return _run(rules, "known-safe", kind.reason)
    if policy == "untrusted":
        return Decision(
            Action.ASK,
            "untrusted",
            f"`{_show(argv)}` is not a known-safe read-only command",
            sandbox_if_approved=not rules.full_access,
        )
    return _run(rules, "policy", f"approval policy {policy}")


def _writable(path: PurePath, roots: Iterable[PurePath]) -> bool:
    for root in roots:
        if path.is_relative_to(root):
            # `.git` stays read-only inside a writable root (as in the sandbox).
            return ".git" not in path.relative_to(root).parts
    return False


def decide_patch(
    rules: PolicyRules,
    paths: Iterable[PurePath],
    writable_roots: Iterable[PurePath],
    *,
    approvals: SessionApprovals | None = None,
) -> Decision:
    """Decide a patch touching `paths` (absolute, resolved)."""
    approvals = approvals or SessionApprovals()
    paths = [PurePath(p) for p in paths]
    for p in paths:
        if not p.is_absolute():
            raise ValueError(f"patch paths must be absolute and resolved: {p}")
    if approvals.files_approved(paths):
        return Decision(Action.APPLY, "session", "these files were approved for this session",
                        subject="patch")  # fmt: skip
    policy = rules.approval_policy
    if rules.full_access:
        if policy == "untrusted":
            return Decision(Action.ASK, "untrusted", "approval policy untrusted: every patch asks",
                            subject="patch")  # fmt: skip
        return Decision(Action.APPLY, "full-access", "sandbox is danger-full-access",
                        subject="patch")  # fmt: skip
    roots = [] if rules.sandbox_mode == "read-only" else [PurePath(r) for r in writable_roots]
    outside = [p for p in paths if not _writable(p, roots)]
    if rules.sandbox_mode == "read-only":
        where = "the sandbox is read-only"
    else:
        shown = ", ".join(str(p) for p in outside[:3]) + (" …" if len(outside) > 3 else "")
        where = f"outside the writable roots: {shown}"
    if outside and policy == "never":
        return _refuse(
            "outside-writable-roots",
            f"patch writes {where}",
            f"Refused: the patch writes {where}, and the approval policy is `never`. "
            "Change only files inside the workspace.",
            subject="patch",
        )
    if policy == "untrusted":
        reason = "approval policy untrusted: every patch asks"
        if outside:
            reason += f"; and it writes {where}"
        return Decision(Action.ASK, "untrusted", reason, subject="patch")
    if outside:
        return Decision(Action.ASK, "outside-writable-roots", f"patch writes {where}",
                        subject="patch")  # fmt: skip
    return Decision(Action.APPLY, "writable", "all files are inside the writable roots",
                    subject="patch")  # fmt: skip


def decide_after_failure(
    rules: PolicyRules,
    argv: list[str] | tuple[str, ...],
    *,
    exit_code: int,
    output: str,
    approvals: SessionApprovals | None = None,
) -> Decision | None:
    """After a sandboxed run failed: offer a run without the sandbox, or None.

    Only under `on-failure`, and only when the output looks like the sandbox
    stopped the command (a write denied, the network unreachable).
    """
    if rules.approval_policy != "on-failure" or rules.full_access:
        return None
    cause = looks_sandbox_caused(exit_code, output)
    if cause is None:
        return None
    approvals = approvals or SessionApprovals()
    dangerous = classify(argv).kind is CommandKind.DANGEROUS
    if not dangerous and approvals.command_approved(argv, without_sandbox=True):
        return Decision(Action.RUN_UNSANDBOXED, "session", "approved for this session")
    return Decision(
        Action.ASK,
        "sandbox-failure",
        f"failed in the sandbox ({cause}); run it again without the sandbox?",
        sandbox_if_approved=False,
        session_approvable=not dangerous,
    )
