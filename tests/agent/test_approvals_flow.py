"""Approval flows through the real policy and sandbox: session approvals,
on-failure retries without the sandbox, per-hunk patch approval, refusals."""

from __future__ import annotations

from pathlib import Path

from codex_tui.agent import events as ev
from codex_tui.agent.session import build_agent
from codex_tui.config.schema import SandboxWorkspaceWrite
from codex_tui.scripted import FunctionCall, Message, Reply, ScriptedModelServer
from tests.agent.conftest import fast_client, scripted_config
from tests.agent.fakes import EventLog, FakeApprover


def outputs(body: dict) -> dict[str, str]:
    return {
        i["call_id"]: i["output"] for i in body["input"] if i.get("type") == "function_call_output"
    }


async def run(workspace: Path, script: list, approver: FakeApprover, **overrides):
    log = EventLog()
    with ScriptedModelServer(script) as server:
        config = scripted_config(server, **overrides)
        agent = await build_agent(config, workspace, approver, log, client=fast_client(config))
        outcome = await agent.submit("go")
        return outcome, log, server.bodies


async def test_approve_for_session_covers_the_program_and_subcommand(workspace: Path) -> None:
    calls = [
        FunctionCall(
            "shell", {"command": ["git", "commit", "--allow-empty", "-qm", "one"]}, call_id="a"
        ),
        FunctionCall(
            "shell", {"command": ["git", "commit", "--allow-empty", "-qm", "two"]}, call_id="b"
        ),
        FunctionCall("shell", {"command": ["git", "tag", "v1"]}, call_id="c"),
    ]
    approver = FakeApprover(
        [
            ev.ApprovalDecision(decision=ev.ReviewDecision.APPROVE_SESSION),
            ev.ApprovalDecision(decision=ev.ReviewDecision.DENY),
        ]
    )
    _outcome, _log, bodies = await run(
        workspace,
        [Reply(calls), Reply([Message("ok")])],
        approver,
        approval_policy="untrusted",
        sandbox_mode="danger-full-access",
    )
    # `git commit` asked once, then ran again without asking; `git tag` asked anew.
    assert [r.command[:2] for r in approver.requests] == [("git", "commit"), ("git", "tag")]
    assert approver.requests[0].session_prefix == ("git", "commit")
    out = outputs(bodies[1])
    assert out["a"].startswith("Exit code: 0") and out["b"].startswith("Exit code: 0")
    assert "declined" in out["c"]


async def test_on_failure_asks_to_rerun_without_the_sandbox(
    workspace: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.txt"
    call = FunctionCall("shell", {"command": ["touch", str(outside)]}, call_id="t")
    approver = FakeApprover([ev.ApprovalDecision(decision=ev.ReviewDecision.APPROVE)])
    no_tmp = SandboxWorkspaceWrite(exclude_slash_tmp=True, exclude_tmpdir_env_var=True)
    _outcome, log, bodies = await run(
        workspace,
        [Reply([call]), Reply([Message("ok")])],
        approver,
        approval_policy="on-failure",
        sandbox_workspace_write=no_tmp,
    )
    (request,) = approver.requests
    assert request.retry_without_sandbox
    ends = log.of(ev.ExecEnd)
    assert ends[0].exit_code != 0  # the sandbox stopped the first run
    assert ends[1].exit_code == 0
    assert [b.sandboxed for b in log.of(ev.ExecBegin)] == [True, False]
    assert outside.exists()
    assert outputs(bodies[1])["t"].startswith("Exit code: 0")


async def test_never_refuses_escalation_and_tells_the_model(workspace: Path) -> None:
    call = FunctionCall(
        "shell",
        {"command": ["ls"], "with_escalated_permissions": True, "justification": "see more"},
        call_id="e",
    )
    _outcome, log, bodies = await run(
        workspace, [Reply([call]), Reply([Message("ok")])], FakeApprover(), approval_policy="never"
    )
    assert outputs(bodies[1])["e"].startswith("Refused")
    assert log.of(ev.ExecEnd)[0].status == "refused"


async def test_per_hunk_approval_applies_only_kept_hunks(workspace: Path) -> None:
    (workspace / "big.txt").write_text("".join(f"line {i}\n" for i in range(1, 41)))
    patch = (
        "*** Begin Patch\n*** Update File: big.txt\n@@\n-line 2\n+LINE TWO\n"
        "@@\n-line 35\n+LINE THIRTY-FIVE\n*** End Patch\n"
    )
    call = FunctionCall("apply_patch", {"input": patch}, call_id="p")
    approver = FakeApprover(
        [ev.ApprovalDecision(decision=ev.ReviewDecision.APPROVE, hunks=((0, 1),))]
    )
    _outcome, _log, bodies = await run(
        workspace, [Reply([call]), Reply([Message("ok")])], approver, approval_policy="untrusted"
    )
    (request,) = approver.requests
    assert isinstance(request, ev.PatchApprovalRequest)
    assert len(request.patch.files[0].hunks) == 2
    text = (workspace / "big.txt").read_text()
    assert "line 2\n" in text and "LINE TWO" not in text
    assert "LINE THIRTY-FIVE\n" in text
    assert outputs(bodies[1])["p"].startswith("Success. Updated the following files:")


async def test_shell_apply_patch_heredoc_is_routed_to_the_engine(workspace: Path) -> None:
    script = "apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: via_shell.txt\n+hi\n*** End Patch\nEOF\n"
    call = FunctionCall("shell", {"command": ["bash", "-lc", script]}, call_id="h")
    _outcome, log, _bodies = await run(
        workspace, [Reply([call]), Reply([Message("ok")])], FakeApprover()
    )
    assert (workspace / "via_shell.txt").read_text() == "hi\n"
    assert log.of(ev.PatchEnd)[0].success
    assert not log.of(ev.ExecBegin)


async def test_bad_patch_leaves_tree_and_tells_the_model(workspace: Path) -> None:
    patch = (
        "*** Begin Patch\n*** Update File: notes.txt\n@@\n-nothing like this\n+x\n*** End Patch\n"
    )
    call = FunctionCall("apply_patch", {"input": patch}, call_id="p")
    _outcome, _log, bodies = await run(
        workspace, [Reply([call]), Reply([Message("ok")])], FakeApprover()
    )
    assert (workspace / "notes.txt").read_text() == "alpha\nbeta\n"
    out = outputs(bodies[1])["p"]
    assert out.startswith("error: the patch was not applied:") and "nothing like this" in out


async def test_secrets_in_command_output_are_redacted(workspace: Path) -> None:
    key = "sk-proj-" + "A1b2C3d4E5f6G7h8I9j0" * 2
    call = FunctionCall("shell", {"command": ["echo", f"OPENAI_API_KEY={key}"]}, call_id="k")
    _outcome, _log, bodies = await run(
        workspace, [Reply([call]), Reply([Message("ok")])], FakeApprover()
    )
    assert key not in outputs(bodies[1])["k"]
