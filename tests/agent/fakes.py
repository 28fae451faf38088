"""Test doubles for the agent: a scripted approver and an event recorder."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from codex_tui.agent import events as ev


@dataclass
class FakeApprover:
    """Answers approval requests from a list, recording what was asked."""

    answers: list[ev.ApprovalDecision] = field(default_factory=list)
    requests: list[ev.ApprovalRequest] = field(default_factory=list)
    # Called with each request before answering (e.g. to interrupt the agent).
    on_request: Callable[[ev.ApprovalRequest], None] | None = None

    async def request_approval(self, request: ev.ApprovalRequest) -> ev.ApprovalDecision:
        self.requests.append(request)
        if self.on_request:
            self.on_request(request)
        await asyncio.sleep(0)
        if not self.answers:
            raise AssertionError(f"unexpected approval request: {request}")
        return self.answers.pop(0)


@dataclass
class EventLog:
    """Collects emitted events; callable, so it can be the agent's `emit`."""

    events: list[ev.Event] = field(default_factory=list)

    def __call__(self, event: ev.Event) -> None:
        self.events.append(event)

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]

    def kinds(self) -> list[str]:
        return [
            type(e).__name__
            for e in self.events
            if not isinstance(e, ev.AgentMessageDelta | ev.ReasoningDelta | ev.ExecOutput)
        ]
