"""The approval table for MCP tools: every mode × policy × annotation, and the
session's approval of a server's tool."""

from __future__ import annotations

import pytest

from codex_tui.policy import Action, PolicyRules, SessionApprovals, decide_tool

RUN, ASK, REFUSE = Action.RUN_UNSANDBOXED, Action.ASK, Action.REFUSE
POLICIES = ("untrusted", "on-failure", "on-request", "never")
TABLE = {
    # (mode, read_only): actions under POLICIES, in order
    ("approve", False): (RUN, RUN, RUN, RUN),
    ("approve", True): (RUN, RUN, RUN, RUN),
    ("prompt", True): (ASK, ASK, ASK, REFUSE),
    ("prompt", False): (ASK, ASK, ASK, REFUSE),
    ("auto", True): (RUN, RUN, RUN, RUN),
    ("auto", False): (ASK, ASK, ASK, REFUSE),
}


@pytest.mark.parametrize(("mode", "read_only"), list(TABLE))
@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("sandbox", ["read-only", "workspace-write", "danger-full-access"])
def test_the_table(mode, read_only, policy, sandbox) -> None:
    rules = PolicyRules.build(policy, sandbox)
    decision = decide_tool(rules, server="s", tool="t", mode=mode, read_only=read_only)
    assert decision.action is TABLE[(mode, read_only)][POLICIES.index(policy)]
    assert decision.subject == "tool"
    if decision.action is REFUSE:
        assert "`never`" in decision.model_message and "`t` of MCP server `s`" in decision.reason
    if decision.action is ASK:
        assert decision.approved().action is RUN


@pytest.mark.parametrize("mode", ["prompt", "auto"])
def test_a_tool_approved_for_the_session_runs_and_only_that_tool(mode) -> None:
    approvals = SessionApprovals()
    approvals.approve_tool("git", "git_commit")
    rules = PolicyRules.build("untrusted")

    def decide(server: str, tool: str) -> Action:
        return decide_tool(
            rules, server=server, tool=tool, mode=mode, read_only=False, approvals=approvals
        ).action

    assert decide("git", "git_commit") is RUN
    assert decide("git", "git_reset") is ASK
    assert decide("other", "git_commit") is ASK
