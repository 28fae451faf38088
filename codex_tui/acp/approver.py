"""Approvals through `session/request_permission`: the agent's policy and sandbox
decide what asks, exactly as in the app; the client shows the call (a patch as
its diff) with allow once / allow always / reject, and the answer comes back as
the agent's ApprovalDecision."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from acp.schema import AllowedOutcome, PermissionOption

from codex_tui.agent import events as ev

if TYPE_CHECKING:
    from acp.interfaces import Client

    from codex_tui.acp.updates import Translator, Update

log = logging.getLogger(__name__)

ALLOW_ONCE = "allow-once"
ALLOW_ALWAYS = "allow-always"
REJECT = "reject"

DECISIONS = {
    ALLOW_ONCE: ev.ReviewDecision.APPROVE,
    ALLOW_ALWAYS: ev.ReviewDecision.APPROVE_SESSION,
    REJECT: ev.ReviewDecision.DENY,
}


def options(request: ev.ApprovalRequest) -> list[PermissionOption]:
    """Allow once, allow for the session (when our policy can remember it), reject."""
    once = PermissionOption(option_id=ALLOW_ONCE, name="Allow once", kind="allow_once")
    reject = PermissionOption(option_id=REJECT, name="Reject", kind="reject_once")
    match request:
        case ev.CommandApprovalRequest(session_prefix=prefix) if prefix:
            always = f"Always allow `{' '.join(prefix)} …` in this session"
        case ev.CommandApprovalRequest():
            return [once, reject]
        case ev.PatchApprovalRequest():
            always = "Always allow changes to these files in this session"
        case ev.McpToolApprovalRequest(server=server, tool=tool):
            always = f"Always allow {server}: {tool} in this session"
    return [
        once,
        PermissionOption(option_id=ALLOW_ALWAYS, name=always, kind="allow_always"),
        reject,
    ]


class AcpApprover:
    """The agent's Approver for one ACP session."""

    def __init__(
        self,
        client: Client,
        session_id: str,
        translator: Translator,
        send: Callable[[list[Update]], Awaitable[None]],
    ) -> None:
        self.client = client
        self.session_id = session_id
        self.translator = translator
        # Sends updates and waits until they (and all before them) are out.
        self.send = send

    async def request_approval(self, request: ev.ApprovalRequest) -> ev.ApprovalDecision:
        updates, tool_call = self.translator.permission(request)
        # The client learns of the call (with its diff) before it is asked about it.
        await self.send(updates)
        try:
            answer = await self.client.request_permission(
                session_id=self.session_id, tool_call=tool_call, options=options(request)
            )
        except (ConnectionError, OSError) as exc:
            log.warning("permission request failed: %s", exc)
            return ev.ApprovalDecision(decision=ev.ReviewDecision.ABORT)
        except Exception:  # the client answered with an error: nobody said yes
            log.exception("permission request answered with an error")
            return ev.ApprovalDecision(decision=ev.ReviewDecision.DENY)
        outcome = answer.outcome
        if not isinstance(outcome, AllowedOutcome):
            # "cancelled": the client is cancelling the turn (session/cancel).
            return ev.ApprovalDecision(decision=ev.ReviewDecision.ABORT)
        # An option we did not offer is a no.
        decision = DECISIONS.get(outcome.option_id, ev.ReviewDecision.DENY)
        return ev.ApprovalDecision(decision=decision)
