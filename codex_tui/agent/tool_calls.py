"""Running the model's tool calls: arguments checked, policy decided, approval
asked when needed, the tool run, its output redacted and audited, and exactly
one `function_call_output` per call."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from codex_tui.agent import events as ev
from codex_tui.agent.items import HistoryItem, call_output, user_message
from codex_tui.policy import (
    Action,
    AuditLog,
    AuditRecord,
    Decision,
    PolicyRules,
    SessionApprovals,
    approval_prefix,
    audit_flags,
    decide_after_failure,
    decide_command,
    decide_patch,
    is_known_safe,
    patch_in_mode,
    redact,
)
from codex_tui.policy.modes import PLAN_REFUSAL
from codex_tui.policy.unwrap import embedded_patch
from codex_tui.tools import files, git, plan
from codex_tui.tools.arguments import (
    ApplyPatchArgs,
    GitDiffArgs,
    ReadFileArgs,
    SearchFilesArgs,
    ShellArgs,
    UpdatePlanArgs,
    ViewImageArgs,
)
from codex_tui.tools.images import view_image
from codex_tui.tools.registry import ToolArgumentError, ToolCall
from codex_tui.tools.workspace import resolve_inside

if TYPE_CHECKING:
    from codex_tui.agent.hook_calls import AgentHooks
    from codex_tui.agent.turn_snapshots import TurnSnapshots
    from codex_tui.config.schema import ApprovalPolicy, SandboxMode
    from codex_tui.images.store import Attachment
    from codex_tui.mcp.manager import McpManager
    from codex_tui.patch import PatchPlan
    from codex_tui.policy import Mode
    from codex_tui.sandbox import ExecResult, Sandbox
    from codex_tui.terminals.registry import Terminals
    from codex_tui.tools.access import CommandRunner, EditorFiles


class Approver(Protocol):
    async def request_approval(self, request: ev.ApprovalRequest) -> ev.ApprovalDecision: ...


class TurnAbort(Exception):
    """The person chose to abort the turn from an approval."""


@dataclass
class ToolEnv:
    """What the tools need to know about the session."""

    root: Path
    rules: PolicyRules
    sandbox: Sandbox
    approvals: SessionApprovals = field(default_factory=SessionApprovals)
    audit: AuditLog | None = None
    session_id: str = ""
    # A command's timeout_ms from the model is capped at this (config key
    # command_max_timeout_ms): a number like 1e30 must not mean "forever".
    max_timeout_ms: int = 600_000
    # Taken before a turn's first write, for undo (None: undo is off).
    snapshots: TurnSnapshots | None = None
    # The session's MCP servers (None: none configured).
    mcp: McpManager | None = None
    # The person's hooks (None: none configured).
    hooks: AgentHooks | None = None
    # Background terminals (exec_command / write_stdin), made on first use.
    terminals: Terminals | None = None
    max_terminals: int = 8
    # The working mode (shift+tab); plan mode's saved policy and sandbox.
    mode: Mode = "default"
    saved_settings: tuple[ApprovalPolicy, SandboxMode] | None = None
    # An editor's buffers (ACP fs/*) for read_file and patches (None: the disk);
    # `editor_writes`: patches are written through them too.
    editor_files: EditorFiles | None = None
    editor_writes: bool = False
    # Where approved commands start (None: the sandbox's own processes).
    commands: CommandRunner | None = None


@dataclass
class CallResult:
    output: str
    decision: str
    exit_code: int | None = None
    duration_ms: int | None = None
    flags: tuple[str, ...] = ()
    # Images for the model to see (view_image, an MCP result): sent after the outputs.
    images: tuple[Attachment, ...] = ()


def _readable_urls(images: list[Attachment]) -> list[str]:
    """Data URLs of stored images; one deleted meanwhile is left out, not fatal."""
    urls = []
    for image in images:
        try:
            urls.append(image.url())
        except OSError:
            continue
    return urls


class ToolRunner:
    """Runs one response's calls: read-only ones concurrently, the rest in order."""

    def __init__(self, env: ToolEnv, approver: Approver, emit: Callable[[ev.Event], None]):
        self.env = env
        self.approver = approver
        self.emit = emit
        self._permissions: dict[str, str] = {}  # call id -> a PreToolUse hook's answer

    async def run_calls(self, calls: list[ToolCall]) -> list[HistoryItem]:
        """One output per call, in the calls' order, whatever happens; then, when
        calls gave images, one message carrying them (outputs hold only text on
        every wire, so the pictures follow as the person's message would)."""
        results: dict[str, str] = {}
        images: dict[str, tuple[str, tuple[Attachment, ...]]] = {}

        async def run(call: ToolCall) -> None:
            results[call.call_id], pictures = await self.run_call(call)
            if pictures:
                images[call.call_id] = (call.name, pictures)

        async def serial() -> None:
            for call in calls:
                if not call.read_only:
                    await run(call)

        await asyncio.gather(serial(), *(run(c) for c in calls if c.read_only))
        outputs: list[HistoryItem] = [call_output(c.call_id, results[c.call_id]) for c in calls]
        shown = [(c.call_id, *images[c.call_id]) for c in calls if c.call_id in images]
        if shown:
            lines = [
                f"{name} ({call_id}): {image.name} {image.width}x{image.height}"
                for call_id, name, pictures in shown
                for image in pictures
            ]
            pictures = [image for _, _, found in shown for image in found]
            urls = await asyncio.to_thread(_readable_urls, pictures)
            note = "<tool_images>\n" + "\n".join(lines) + "\n</tool_images>"
            outputs.append(user_message(note, urls))
        return outputs

    async def run_call(self, call: ToolCall) -> tuple[str, tuple[Attachment, ...]]:
        started = time.monotonic()
        try:
            if call.error is not None:
                raise ToolArgumentError(call.error)
            from codex_tui.agent.modes import plan_refusal

            if plan_refusal(self.env, call):
                self.emit(
                    ev.ToolCallEnd(
                        call_id=call.call_id, name=call.name, arguments=call.args,
                        output=PLAN_REFUSAL, success=False,
                    )
                )  # fmt: skip
                return PLAN_REFUSAL, ()
            blocked = await self._pre_hooks(call)
            if blocked is not None:
                result = blocked
            else:
                result = await self.dispatch(call.call_id, call.name, call.args)
                result.output = await self._post_hooks(call, result.output)
        except ToolArgumentError as exc:
            result = CallResult(f"error: {exc}", "invalid")
        output = redact(result.output)
        if result.images:
            self.emit(ev.ToolImages(call_id=call.call_id, tool=call.name, images=result.images))
        if self.env.audit is not None:
            # The file tools' paths are flagged too, refused ones most of all.
            flags = result.flags or self._path_flags(call)
            record = AuditRecord(
                self.env.session_id,
                call.name,
                call.args,
                result.decision,
                result.exit_code,
                result.duration_ms or int((time.monotonic() - started) * 1000),
                flags,
            )
            stopped = await asyncio.to_thread(self.env.audit.append, record)
            if stopped is not None:  # said once; the session goes on without the log
                self.emit(ev.WarningEvent(message=f"audit log stopped: {stopped}"))
        return output, result.images

    async def _pre_hooks(self, call: ToolCall) -> CallResult | None:
        """PreToolUse: a block is the call's result; allow / ask steer its approval."""
        hooks = self.env.hooks
        if hooks is None:
            return None
        seen = await hooks.fire(
            "PreToolUse", call.name, call_id=call.call_id, tool_name=call.name, tool_input=call.args
        )
        if seen.stop:
            raise TurnAbort(seen.stop_reason)
        if seen.block:
            return CallResult(f"Blocked by the person's hook: {seen.reason}", "blocked-by-hook")
        if seen.permission is not None:
            self._permissions[call.call_id] = seen.permission
        return None

    async def _post_hooks(self, call: ToolCall, output: str) -> str:
        """PostToolUse: a block's reason and any context reach the model with the output."""
        hooks = self.env.hooks
        if hooks is None:
            return output
        seen = await hooks.fire(
            "PostToolUse",
            call.name,
            call_id=call.call_id,
            tool_name=call.name,
            tool_input=call.args,
            tool_response={"output": output},
        )
        if seen.block:
            output += f"\n\nThe person's hook says: {seen.reason}"
        for context in seen.context:
            output += f"\n\n{context}"
        if seen.stop:
            raise TurnAbort(seen.stop_reason)
        return output

    def hook_permission(self, call_id: str, decision: Decision) -> Decision:
        """A PreToolUse hook's `allow` skips the dialog (never the sandbox, never a
        refusal); its `ask` brings the dialog up for a call that would just run."""
        permission = self._permissions.pop(call_id, None)
        # Never past the sandbox: a command asking to leave it, or a patch writing
        # outside the writable roots, still asks the person.
        leaves_sandbox = (decision.subject == "command" and not decision.sandbox_if_approved) or (
            decision.subject == "patch" and decision.rule == "outside-writable-roots"
        )
        if permission == "allow" and decision.action is Action.ASK and not leaves_sandbox:
            return decision.approved()
        runs = (Action.RUN_SANDBOXED, Action.RUN_UNSANDBOXED, Action.APPLY)
        if permission == "ask" and decision.action in runs:
            return Decision(
                Action.ASK,
                "hook",
                "the person's hook asks for approval",
                sandbox_if_approved=decision.action is not Action.RUN_UNSANDBOXED,
                subject=decision.subject,
            )
        return decision

    def _path_flags(self, call: ToolCall) -> tuple[str, ...]:
        """Traversal and system-path flags for a file tool's `path` argument."""
        if call.name not in ("read_file", "search_files", "git_diff"):
            return ()
        path = call.args.get("path")
        return audit_flags(workspace=self.env.root, paths=[path if isinstance(path, str) else None])

    async def dispatch(self, call_id: str, name: str, args: dict[str, Any]) -> CallResult:
        """Run one checked call (`args` fit the tool's schema, hence the casts)."""
        root = self.env.root
        match name:
            case "shell":
                shell_args = cast(ShellArgs, args)
                patch = embedded_patch(shell_args["command"])
                if patch is not None:
                    return await self.apply_patch(call_id, patch)
                return await self.shell(call_id, shell_args)
            case "apply_patch":
                return await self.apply_patch(call_id, cast(ApplyPatchArgs, args)["input"])
            case "update_plan":
                explanation, steps = plan.parse_plan(cast(UpdatePlanArgs, args))
                self.emit(ev.PlanUpdated(explanation=explanation, plan=steps))
                return CallResult("Plan updated", "run")
            case "read_file":
                read = cast(ReadFileArgs, args)
                start, end = read.get("start_line"), read.get("end_line")
                if self.env.editor_files is not None:
                    from codex_tui.agent import editor_files

                    editor = self.env.editor_files
                    out = await editor_files.read_file(editor, root, read["path"], start, end)
                else:
                    out = await asyncio.to_thread(files.read_file, root, read["path"], start, end)
            case "search_files":
                search = cast(SearchFilesArgs, args)
                where, context = search.get("path"), search.get("context")
                out = await files.search_files(root, search["pattern"], where, context)
            case "view_image":
                where = cast(ViewImageArgs, args)["path"]
                name, image = await asyncio.to_thread(view_image, root, where)
                out = f"{name}: {image.width}x{image.height} {image.mime}, attached below"
                self.emit(
                    ev.ToolCallEnd(
                        call_id=call_id, name="view_image", arguments=args, output=out, success=True
                    )
                )
                return CallResult(out, "run", images=(image,))
            case "git_status":
                out = await git.git_status(root)
            case "git_diff":
                diff = cast(GitDiffArgs, args)
                out = await git.git_diff(root, diff.get("path"), diff.get("staged"))
            case "exec_command" | "write_stdin":
                from codex_tui.agent.terminal_calls import exec_command, write_stdin

                run = exec_command if name == "exec_command" else write_stdin
                return await run(self, call_id, args)
            case _ if name.startswith("mcp__"):
                from codex_tui.agent.mcp_calls import run_mcp_call

                return await run_mcp_call(self, call_id, name, args)
            case _:
                raise ToolArgumentError(f"unknown tool `{name}`")
        self.emit(
            ev.ToolCallEnd(call_id=call_id, name=name, arguments=args, output=out, success=True)
        )
        return CallResult(out, "run")

    # --- shell ---------------------------------------------------------------------

    async def shell(self, call_id: str, args: ShellArgs) -> CallResult:
        argv = tuple(args["command"])
        if not argv or not argv[0]:
            raise ToolArgumentError("`command` must not be empty")
        cwd, flags, decision, refused = await self.approve_command(call_id, argv, args)
        if refused is not None:
            return refused
        asked = args.get("timeout_ms")
        timeout = None if asked is None else max(1, min(asked, self.env.max_timeout_ms))
        result = await self.execute(call_id, argv, cwd, decision, timeout)
        retry = None
        if result.sandboxed and result.exit_code != 0:
            retry = decide_after_failure(
                self.env.rules,
                argv,
                exit_code=result.exit_code,
                output=result.output,
                approvals=self.env.approvals,
            )
        if retry is not None and retry.action is Action.ASK:
            request = ev.CommandApprovalRequest(
                call_id=call_id,
                command=argv,
                cwd=cwd,
                reason=retry.reason,
                justification=args.get("justification"),
                session_prefix=tuple(approval_prefix(argv)),
                retry_without_sandbox=True,
            )
            answer = await self.ask(request)
            if answer.decision is ev.ReviewDecision.APPROVE_SESSION:
                self.env.approvals.approve_command(argv, without_sandbox=True)
            if answer.decision in (ev.ReviewDecision.APPROVE, ev.ReviewDecision.APPROVE_SESSION):
                result = await self.execute(call_id, argv, cwd, retry.approved(), timeout)
        return CallResult(
            shell_output(result), decision.action.value, result.exit_code, result.duration_ms, flags
        )

    async def approve_command(
        self, call_id: str, argv: tuple[str, ...], args: Mapping[str, Any]
    ) -> tuple[Path, tuple[str, ...], Decision, CallResult | None]:
        """A command's working folder, audit flags and the policy's decision, asked
        of the person when it says so; the last is the result to give the model
        instead of running it (refused or declined), else None. `args` are shell's
        or exec_command's (workdir, with_escalated_permissions, justification)."""
        workdir = args.get("workdir")
        cwd = resolve_inside(self.env.root, workdir) if workdir else self.env.root
        flags = audit_flags(workspace=self.env.root, argv=argv, cwd=cwd)
        escalated = bool(args.get("with_escalated_permissions"))
        justification = args.get("justification")
        decision = decide_command(
            self.env.rules,
            argv,
            escalated=escalated,
            justification=justification,
            approvals=self.env.approvals,
        )
        decision = self.hook_permission(call_id, decision)
        if decision.action is Action.REFUSE:
            self.end_exec(call_id, argv, None, decision.reason, 0.0, "refused")
            return cwd, flags, decision, CallResult(decision.model_message, "refused", flags=flags)
        if decision.action is Action.ASK:
            request = ev.CommandApprovalRequest(
                call_id=call_id,
                command=argv,
                cwd=cwd,
                reason=decision.reason,
                justification=justification,
                session_prefix=tuple(approval_prefix(argv)) if decision.session_approvable else (),
                retry_without_sandbox=not decision.sandbox_if_approved,
            )
            answer = await self.ask(request)
            if answer.decision in (ev.ReviewDecision.DENY,):
                feedback = answer.feedback.strip()
                self.end_exec(call_id, argv, None, "declined", 0.0, "declined", feedback)
                refused = CallResult(declined("command", answer.feedback), "declined", flags=flags)
                return cwd, flags, decision, refused
            if answer.decision is ev.ReviewDecision.APPROVE_SESSION:
                self.env.approvals.approve_command(
                    argv, without_sandbox=not decision.sandbox_if_approved
                )
            decision = decision.approved()
        return cwd, flags, decision, None

    async def execute(
        self,
        call_id: str,
        argv: tuple[str, ...],
        cwd: Path,
        decision: Decision,
        timeout: int | None,
    ) -> ExecResult:
        sandboxed = decision.action is Action.RUN_SANDBOXED
        if self.env.snapshots is not None and not is_known_safe(argv):
            await self.env.snapshots.before_write()
        self.emit(ev.ExecBegin(call_id=call_id, command=argv, cwd=cwd, sandboxed=sandboxed))

        def on_output(chunk: bytes) -> None:
            self.emit(ev.ExecOutput(call_id=call_id, chunk=chunk.decode("utf-8", errors="replace")))

        started = time.monotonic()
        try:
            if self.env.commands is None:
                result = await self.env.sandbox.run(
                    argv, cwd=cwd, timeout_ms=timeout, sandboxed=sandboxed, on_output=on_output
                )
            else:
                result = await self.env.commands.run(
                    self.env.sandbox, argv, call_id=call_id, cwd=cwd, timeout_ms=timeout,
                    sandboxed=sandboxed, on_output=on_output,
                )  # fmt: skip
        except asyncio.CancelledError:
            self.end_exec(call_id, argv, None, "", time.monotonic() - started, "aborted")
            raise
        status: ev.ExecStatus = "timed_out" if result.timed_out else "completed"
        self.end_exec(
            call_id, argv, result.exit_code, result.output, result.duration_ms / 1000, status
        )
        return result

    def end_exec(
        self,
        call_id: str,
        argv: tuple[str, ...],
        code: int | None,
        output: str,
        duration: float,
        status: ev.ExecStatus,
        feedback: str = "",
        terminal: int | None = None,
    ) -> None:
        self.emit(
            ev.ExecEnd(
                call_id=call_id,
                command=argv,
                exit_code=code,
                output=output,
                duration_s=duration,
                status=status,
                feedback=feedback,
                terminal=terminal,
            )
        )

    async def ask(self, request: ev.ApprovalRequest) -> ev.ApprovalDecision:
        if self.env.hooks is not None:
            what = "a patch" if isinstance(request, ev.PatchApprovalRequest) else "a call"
            message = f"codex-tui needs your approval for {what}"
            self.env.hooks.fire_and_forget("Notification", message=message)
        answer = await self.approver.request_approval(request)
        if answer.decision is ev.ReviewDecision.ABORT:
            raise TurnAbort("aborted from the approval dialog")
        return answer

    # --- apply_patch ---------------------------------------------------------------

    async def apply_patch(self, call_id: str, text: str) -> CallResult:
        from codex_tui.agent import editor_files
        from codex_tui.patch import PatchError, build_patch_plan, commit

        root = self.env.root
        # An editor that writes our patches also gives their files' unsaved text.
        editor = self.env.editor_files if self.env.editor_writes else None
        try:
            buffers = {} if editor is None else await editor_files.buffers_for(editor, text, root)
            patch = await asyncio.to_thread(build_patch_plan, text, root, buffers)
        except PatchError as exc:
            self.end_patch(call_id, (), "failed", str(exc))
            return CallResult(f"error: the patch was not applied: {exc}", "invalid")
        changes = file_changes(patch)
        paths = list(patch.paths)
        flags = audit_flags(workspace=root, paths=paths)
        decision = decide_patch(
            self.env.rules, paths, self.env.sandbox.writable_roots(), approvals=self.env.approvals
        )
        decision = patch_in_mode(decision, self.env.mode, paths, root.resolve())
        decision = self.hook_permission(call_id, decision)
        if decision.action is Action.REFUSE:
            self.end_patch(call_id, changes, "refused", decision.reason)
            return CallResult(decision.model_message, "refused", flags=flags)
        self.emit(ev.PatchBegin(call_id=call_id, changes=changes, diff=patch.diff))
        if decision.action is Action.ASK:
            request = ev.PatchApprovalRequest(
                call_id=call_id, changes=changes, reason=decision.reason, patch=patch
            )
            answer = await self.ask(request)
            if answer.decision is ev.ReviewDecision.DENY:
                feedback = answer.feedback.strip()
                self.end_patch(call_id, changes, "declined", "declined", feedback)
                return CallResult(declined("patch", answer.feedback), "declined", flags=flags)
            if answer.decision is ev.ReviewDecision.APPROVE_SESSION:
                self.env.approvals.approve_files(paths)
            if answer.hunks is not None:
                patch = patch.select(list(answer.hunks))
                changes = file_changes(patch)
        if self.env.snapshots is not None:
            await self.env.snapshots.before_write()
        try:
            if editor is None:
                result = await asyncio.to_thread(commit, patch)
            else:
                result = await editor_files.commit_via_editor(editor, patch)
        except PatchError as exc:
            self.end_patch(call_id, changes, "failed", str(exc))
            return CallResult(f"error: the patch was not applied: {exc}", "failed", flags=flags)
        summary = result.summary()
        self.end_patch(call_id, changes, "completed", summary)
        return CallResult(summary, decision.action.value, flags=flags)

    def end_patch(
        self,
        call_id: str,
        changes: tuple[ev.ChangedFile, ...],
        status: ev.PatchStatus,
        output: str,
        feedback: str = "",
    ) -> None:
        success = status == "completed"
        end = ev.PatchEnd(
            call_id=call_id,
            changes=changes,
            success=success,
            output=output,
            status=status,
            feedback=feedback,
        )
        self.emit(end)


def declined(what: str, feedback: str) -> str:
    text = f"The user declined this {what}; it was not run."
    if feedback.strip():
        text += f" Their instructions: {feedback.strip()}"
    else:
        text += " Do not retry it in another form; continue or ask the user."
    return text


def shell_output(result: ExecResult) -> str:
    lines = [f"Exit code: {result.exit_code}", f"Wall time: {result.duration_ms / 1000:.1f} s"]
    if result.timed_out:
        lines.append("The command timed out and was killed.")
    if result.truncated:
        lines.append(f"Total output lines: {result.total_lines}")
    lines.append("Output:")
    return "\n".join(lines) + "\n" + result.output


def file_changes(patch: PatchPlan) -> tuple[ev.ChangedFile, ...]:
    return tuple(
        ev.ChangedFile(
            path=f.old_path or f.new_path or "",
            kind=f.kind.value,
            added=f.added,
            removed=f.removed,
            move_path=f.new_path if f.kind.value == "move" else None,
        )
        for f in patch.files
    )
