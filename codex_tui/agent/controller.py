"""The turn loop: send the conversation, stream the reply, run the tool calls it
asks for, send their results back, and repeat until the model answers in words.

Front ends give it an `emit` callback for events and an `Approver`; it never
imports Textual. They drive it through a few methods: `enqueue` (send now or
after the running turn), `interrupt`, `override` (settings for the next
request), `compact` and `aclose`; `busy` says whether it is working.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import time
import uuid
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from codex_tui.agent import events as ev
from codex_tui.agent.checks import TurnChecks, grounding_text
from codex_tui.agent.context import Conversation
from codex_tui.agent.hook_calls import prompt_verdict, stop_verdict
from codex_tui.agent.items import (
    HistoryItem,
    call_output,
    is_call,
    is_output,
    message_text,
    user_message,
)
from codex_tui.agent.model_client import ModelClient
from codex_tui.agent.model_stream import (
    ModelError,
)
from codex_tui.agent.requests import ModelRequests
from codex_tui.agent.tool_calls import ToolRunner, TurnAbort
from codex_tui.config.schema import ResponseChecks
from codex_tui.policy import redact
from codex_tui.tools.registry import parse_call

if TYPE_CHECKING:
    from codex_tui.config import Config
    from codex_tui.config.schema import ApprovalPolicy, ReasoningEffort, SandboxMode
    from codex_tui.images.store import Attachment
    from codex_tui.sessions import SessionRecorder

ABORTED_OUTPUT = "aborted by the user"
# History items carrying a command the person ran themselves (`!command`).
OWN_COMMAND = "<user_shell_command>"


def _image_urls(images: Sequence[Attachment]) -> list[str]:
    """Data URLs of attachments (a missing stored file is skipped, not fatal)."""
    urls = []
    for image in images:
        with contextlib.suppress(OSError):
            urls.append(image.url())
    return urls


# Model output items (they carry the server's id); what follows the last one was
# added after the last stored response.
MODEL_ITEM_TYPES = frozenset({"message", "function_call", "reasoning"})


def log_crash(exc: BaseException) -> str:
    """Append the traceback to `$CODEX_TUI_HOME/log/errors.log` (the screen is
    no place for it); says where it went, for the person's one-line message."""
    import traceback

    from codex_tui.config import paths

    path = paths.log_dir() / "errors.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
            log.write("".join(traceback.format_exception(exc)))
    except OSError:
        return "the details could not be written to the log"
    return f"details in {path}"


def stored_prefix(items: Sequence[HistoryItem]) -> int | None:
    """How many history items the latest stored response covers: up to its last
    output item. None when no item came from the model with an id."""
    for index in range(len(items) - 1, -1, -1):
        item = items[index]
        from_model = item["type"] != "message" or item["role"] == "assistant"
        if item.get("id") and item["type"] in MODEL_ITEM_TYPES and from_model:
            return index + 1
    return None


@dataclass(frozen=True, kw_only=True, slots=True)
class TurnOutcome:
    status: Literal["completed", "aborted", "failed"]
    last_message: str | None
    error: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class AgentStatus:
    """What `/status` shows of a running agent: a snapshot, read-only."""

    session_id: str
    sandbox: str  # the sandbox's one-line status
    total_tokens: int
    last_input_tokens: int
    cached_input_tokens: int  # of all requests: what the server's prompt cache served
    estimated: bool  # the server reports no usage; the counts are our estimate
    context_window: int | None
    context_left_percent: int | None
    docs: tuple[str, ...]  # the AGENTS.md files in use
    usage: ev.TokenUsage | None = None  # the session's whole usage
    cost_usd: float | None = None  # its estimate in dollars (None: unknown price)


class _Unset:
    """`override`'s "leave this setting alone" (None is a real reasoning effort)."""


UNSET = _Unset()


class Agent(ModelRequests):
    """One session's conversation with the model and the work it does."""

    def __init__(
        self,
        client: ModelClient,
        conversation: Conversation,
        tools: ToolRunner,
        emit: Callable[[ev.Event], None],
        *,
        instructions: str,
        context_items: list[HistoryItem],
        reasoning_effort: ReasoningEffort | None = None,
        max_output_tokens: int | None = None,
        session_id: str = "",
        docs: Sequence[Any] = (),
        conversation_state: str = "client",
        previous_response_id: str | None = None,
        checks: ResponseChecks | None = None,
        config: Config | None = None,
        recorder: SessionRecorder | None = None,
    ) -> None:
        self.client = client
        self.conversation = conversation
        self.tools = tools
        self.emit = emit
        self.instructions = instructions
        # AGENTS.md and environment messages: at the head of history, kept on compaction.
        self.context_items = context_items
        self.reasoning_effort = reasoning_effort
        self.max_output_tokens = max_output_tokens
        self.session_id = session_id
        # The AGENTS.md files in use (for /status).
        self.docs = list(docs)
        # The settings in effect (what `override` changes); None for a bare agent.
        self.config = config
        # Records the session (None: not recorded); its file appears with the first request.
        self.recorder = recorder
        # Messages waiting for the running turn to end, and the images they carry.
        self._queue: list[str] = []
        self._queued_images: list[Attachment] = []
        # "server": the server keeps the conversation; requests continue from
        # previous_response_id and carry only the items added since (the first
        # `_chain_len` items of history are already on the server).
        self.conversation_state = conversation_state
        self.previous_response_id: str | None = None
        self._chain_len = 0
        if previous_response_id and self.server_state:
            covered = stored_prefix(conversation.items)
            if covered is not None:  # else: the history cannot say what is stored
                self.previous_response_id, self._chain_len = previous_response_id, covered
        self._warned_chat_state = False
        # None: no response checks (front ends pass the config's response_checks).
        self.checks = checks
        # Set by interrupt(): a cancellation swallowed by a library still ends the turn.
        self._interrupted = False
        # The answer text streamed in the current response and not yet complete, by
        # item id: what the person saw if the stream stops (AgentMessageCutOff).
        self._streamed: dict[str, list[str]] = {}
        # The task working through turns (and compactions) while the agent is busy,
        # and the one step of it that interrupt() cancels.
        self._driver: asyncio.Task[TurnOutcome | None] | None = None
        self._step: asyncio.Task[TurnOutcome | None] | None = None
        self._closed = False
        self._settings_lock = asyncio.Lock()
        # Reads the hooks again (after the person trusts the repository); warnings.
        self.reload_hooks: Callable[[], list[str]] | None = None
        if not conversation.items:
            conversation.add(*context_items)

    @property
    def session_path(self) -> Path | None:
        """The session's JSONL file (on disk from the first request on)."""
        return self.recorder.path if self.recorder is not None else None

    @property
    def busy(self) -> bool:
        """A turn or a compaction is running, or a message is about to start one."""
        return self._driver is not None and not self._driver.done()

    @property
    def queued(self) -> tuple[str, ...]:
        return tuple(self._queue)

    def status(self) -> AgentStatus:
        conv = self.conversation
        usage = ev.TokenCount(total=conv.total, last=conv.last, context_window=conv.window)
        return AgentStatus(
            session_id=self.session_id,
            sandbox=self.tools.env.sandbox.status_line(),
            total_tokens=conv.total.total_tokens,
            last_input_tokens=conv.last.input_tokens,
            cached_input_tokens=conv.total.cached_input_tokens,
            estimated=conv.estimated,
            context_window=conv.window,
            context_left_percent=usage.percent_left,
            docs=tuple(str(getattr(d, "path", d)) for d in self.docs),
            usage=conv.total,
            cost_usd=self.cost(conv.total),
        )

    # --- driving the agent ---------------------------------------------------------

    def enqueue(self, text: str, images: Sequence[Attachment] = ()) -> bool:
        """Send `text` (with `images`): at once when idle, else when the running
        turn ends (what is queued goes as one message). True when it has to wait."""
        if self._closed:
            raise RuntimeError("the agent is closed")
        if self.busy:
            self._queue.append(text)
            self._queued_images.extend(images)
            self.emit(ev.QueueChanged(queued=self.queued))
            return True
        if self._queue:  # left by a failed turn: nothing typed is dropped
            text = "\n\n".join([*self._queue, text])
            images = [*self._queued_images, *images]
            self._queue.clear()
            self._queued_images.clear()
            self.emit(ev.QueueChanged(queued=()))
        self._driver = asyncio.create_task(self._drive(self._turn(text, tuple(images))))
        return False

    async def submit(self, text: str, images: Sequence[Attachment] = ()) -> TurnOutcome | None:
        """Run a turn for `text` (and what gets queued meanwhile) and return how
        the last one ended; while the agent is busy, queue it and return None."""
        if self.enqueue(text, images):
            return None
        assert self._driver is not None
        return await self._wait(self._driver)

    async def _wait(self, driver: asyncio.Task[TurnOutcome | None]) -> TurnOutcome | None:
        try:
            return await asyncio.shield(driver)
        except asyncio.CancelledError:
            # Our caller was cancelled: stop the work too, and let it end cleanly.
            self._queue.clear()
            self._queued_images.clear()
            self.interrupt()
            await asyncio.wait([driver])
            raise

    async def _drive(self, first: Coroutine[Any, Any, TurnOutcome | None]) -> TurnOutcome | None:
        """`first` (a turn or a compaction), then a turn for what was queued
        meanwhile, until the queue is empty. After a failed turn the queue waits
        for the next message, which it goes with."""
        outcome: TurnOutcome | None = None
        try:
            outcome = await self._run_step(first)
            while self._queue and (outcome is None or outcome.status != "failed"):
                text = "\n\n".join(self._queue)
                images = tuple(self._queued_images)
                self._queue.clear()
                self._queued_images.clear()
                self.emit(ev.QueueChanged(queued=()))
                outcome = await self._run_step(self._turn(text, images))
        finally:
            self.emit(ev.Idle())
        return outcome

    async def _run_step(self, work: Coroutine[Any, Any, TurnOutcome | None]) -> TurnOutcome | None:
        self._step = asyncio.create_task(work)
        try:
            return await asyncio.shield(self._step)
        except asyncio.CancelledError:
            # The driver itself was cancelled (not an interrupt): end the step too.
            self._step.cancel()
            return await self._step
        finally:
            self._interrupted = False

    def interrupt(self) -> None:
        """Stop the stream and any running command; the turn ends as aborted.
        Asked before the work has started, it ends as soon as it starts."""
        if not self.busy:
            return
        self._interrupted = True
        if self._step is not None and not self._step.done():
            self._cancel(self._step)

    def _cancel(self, task: asyncio.Task[Any]) -> None:
        # On Python 3.11, asyncio.wait_for (used inside libraries) drops a
        # cancellation that lands as its inner future completes; keep cancelling
        # until the turn has really stopped.
        if not task.done():
            task.cancel()
            asyncio.get_running_loop().call_later(0.2, self._cancel, task)

    def compact(self) -> bool:
        """Summarise the conversation now (`/compact`); False when busy. The
        outcome arrives as Compacted or CompactionFailed, then Idle (after the
        turns for messages sent meanwhile)."""
        if self.busy or self._closed:
            return False
        self._driver = asyncio.create_task(self._drive(self._compaction()))
        return True

    async def _compaction(self) -> None:
        self.emit(ev.CompactionStarted())
        try:
            if self._interrupted:
                raise asyncio.CancelledError
            await self.summarise()
        except ModelError as exc:
            self.emit(ev.CompactionFailed(message=str(exc)))
        except asyncio.CancelledError:
            self.emit(ev.CompactionFailed(message="interrupted", interrupted=True))

    async def override(
        self,
        *,
        model: str | None = None,
        approval_policy: ApprovalPolicy | None = None,
        sandbox_mode: SandboxMode | None = None,
        reasoning_effort: ReasoningEffort | _Unset | None = UNSET,
    ) -> None:
        """Change settings; they hold from the next model request and the next
        tool call on, so this is safe in the middle of a turn. Emits
        SettingsChanged. Raises ValueError for a policy that cannot be built."""
        if self.config is None:
            raise ValueError("this agent was built without a config to override")
        async with self._settings_lock:  # two overrides at once: the second sees the first
            await self._override(model, approval_policy, sandbox_mode, reasoning_effort)

    async def _override(
        self,
        model: str | None,
        approval_policy: ApprovalPolicy | None,
        sandbox_mode: SandboxMode | None,
        reasoning_effort: ReasoningEffort | _Unset | None,
    ) -> None:
        from codex_tui.agent.context import context_window
        from codex_tui.policy import PolicyRules
        from codex_tui.sandbox import Sandbox

        assert self.config is not None
        changes: dict[str, Any] = {}
        if model is not None:
            changes["model"] = model
        if approval_policy is not None:
            changes["approval_policy"] = approval_policy
        if sandbox_mode is not None:
            changes["sandbox_mode"] = sandbox_mode
        if not isinstance(reasoning_effort, _Unset):
            changes["model_reasoning_effort"] = reasoning_effort
        config = dataclasses.replace(self.config, **changes)
        env = self.tools.env
        sandbox = env.sandbox
        if sandbox_mode is not None:
            # Probing the sandbox runs a tiny process: keep it off the event loop.
            # The new sandbox takes over the session's private /tmp.
            build = functools.partial(
                Sandbox.from_config, config, workspace=env.root, previous=env.sandbox
            )
            sandbox = await asyncio.to_thread(build)
        rules = PolicyRules.from_config(config, sandbox_enforced=sandbox.enforced)
        # Everything is built: switch at once, between two awaits of the turn.
        self.config = config
        env.sandbox, env.rules = sandbox, rules
        self.reasoning_effort = config.model_reasoning_effort
        if model is not None:
            self.conversation.model = model
            self.conversation.window = context_window(model, config.model_context_window)
        self.emit(
            ev.SettingsChanged(
                model=config.model,
                approval_policy=config.approval_policy,
                sandbox_mode=config.sandbox_mode,
                sandbox_enforced=sandbox.enforced,
                reasoning_effort=config.model_reasoning_effort,
            )
        )

    async def run_own_command(self, command: str) -> int | None:
        """`!command`: the person's own command, run in the sandbox without asking
        (it is theirs) and shown as a command cell; the command and its output join
        the history, so the model sees them with the next request. Between turns
        only (None when busy); its exit code otherwise."""
        if self.busy:
            return None
        runner = self.tools
        call_id = f"own-{uuid.uuid4().hex[:8]}"
        argv = ("bash", "-lc", command)
        # In the sandbox where one is enforced; it is the person's command either way.
        sandboxed = runner.env.sandbox.enforced and not runner.env.rules.full_access
        root = runner.env.root
        runner.emit(ev.ExecBegin(call_id=call_id, command=argv, cwd=root, sandboxed=sandboxed))

        def on_output(chunk: bytes) -> None:
            runner.emit(ev.ExecOutput(call_id=call_id, chunk=chunk.decode("utf-8", "replace")))

        from codex_tui.sandbox.detect import SandboxUnavailable

        try:
            result = await runner.env.sandbox.run(
                argv, cwd=root, sandboxed=sandboxed, on_output=on_output
            )
        except SandboxUnavailable as exc:
            runner.end_exec(call_id, argv, 1, str(exc), 0.0, "failed")
            return 1
        status: ev.ExecStatus = "completed" if result.exit_code == 0 else "failed"
        runner.end_exec(
            call_id, argv, result.exit_code, result.output, result.duration_ms / 1000, status
        )
        record = (
            f"{OWN_COMMAND}\n$ {command}\nExit code: {result.exit_code}\n"
            f"Output:\n{redact(result.output)}\n</user_shell_command>"
        )
        self.conversation.add(user_message(record))
        return result.exit_code

    def rewind(self, turns: int) -> bool:
        """Cut the conversation back to before its last `turns` requests (between
        turns only); recorded, so a resumed session is cut the same way."""
        if self.busy or not self.conversation.rewind(turns):
            return False
        self._restart_chain()
        self.emit(ev.ThreadRolledBack(num_turns=turns))
        return True

    async def aclose(self) -> None:
        """End the session: stop any work (a turn ends as interrupted), drop the
        queue, close the session file and the model client. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._queue.clear()
        self._queued_images.clear()
        driver = self._driver
        if driver is not None and not driver.done():
            self.interrupt()
            await asyncio.wait([driver])
        if self.recorder is not None:
            await asyncio.to_thread(self.recorder.close)
        hooks = self.tools.env.hooks
        if hooks is not None:
            await hooks.fire("SessionEnd", reason="exit")
            await hooks.drain()
        if self.tools.env.terminals is not None:
            await self.tools.env.terminals.close()
        if self.tools.env.mcp is not None:
            await self.tools.env.mcp.aclose()
        # The session's private /tmp goes with it.
        await asyncio.to_thread(self.tools.env.sandbox.close)
        await self.client.close()

    # --- one turn ------------------------------------------------------------------

    async def _turn(self, text: str, images: tuple[Attachment, ...] = ()) -> TurnOutcome:
        turn_id = uuid.uuid4().hex[:12]
        started = time.monotonic()
        # A prompt a hook blocks never starts a turn: not sent, not recorded (the
        # hook's line says why), so history and the session file count alike.
        blocked, context = await prompt_verdict(self.tools.env.hooks, text)
        if blocked is not None:
            return TurnOutcome(status="aborted", last_message=None)
        urls = await asyncio.to_thread(_image_urls, images)
        self.emit(ev.TurnStarted(turn_id=turn_id, user_input=text, images=images))
        if len(urls) < len(images):
            missing = len(images) - len(urls)
            self.emit(ev.WarningEvent(message=f"{missing} attached image(s) could not be read"))
        if self.tools.env.snapshots is not None:
            self.tools.env.snapshots.begin_turn(turn_id)
        self._warn_chat_state()
        terminals = self.tools.env.terminals
        if terminals is not None and (running := terminals.still_running()):
            context.append(f"<terminals>{running}</terminals>")
        self.conversation.add(user_message(text, urls), *(user_message(c) for c in context))
        continued = 0
        turn_usage = ev.TokenUsage()
        last_message: str | None = None
        checks = self._turn_checks()
        try:
            if self._interrupted:  # interrupted before it started
                raise asyncio.CancelledError
            while True:
                if self.conversation.needs_compaction():
                    await self.summarise(automatic=True)
                items, usage = await self._sample()
                extra = self._mcp_specs()
                calls = [
                    parse_call(i["call_id"], i["name"], i["arguments"], extra)
                    for i in items
                    if is_call(i)
                ]
                if checks is not None:
                    for flagged in checks.response(items, calls):
                        self.emit(flagged)
                turn_usage = turn_usage + usage
                texts = [message_text(i) for i in items if i["type"] == "message"]
                last_message = texts[-1] if texts else last_message
                if not calls:
                    go_on = await stop_verdict(self.tools.env.hooks, continued)
                    if go_on is None:
                        break
                    continued += 1
                    self.conversation.add(user_message(go_on))
                    continue
                outputs = await self.tools.run_calls(calls)
                self.conversation.add(*outputs)
                if self._interrupted:
                    raise asyncio.CancelledError
            if checks is not None:
                for flagged in await self._finish_checks(checks):
                    self.emit(flagged)
        except (asyncio.CancelledError, TurnAbort) as exc:
            self._close_pending_calls()
            self._cut_off("interrupted")
            reason = "interrupted" if isinstance(exc, asyncio.CancelledError) else str(exc)
            await self._end_snapshots()
            took = time.monotonic() - started
            self.emit(ev.TurnAborted(turn_id=turn_id, reason=reason, duration_s=took))
            return TurnOutcome(status="aborted", last_message=last_message)
        except ModelError as exc:
            self._close_pending_calls()
            self._cut_off("failed")
            await self._end_snapshots()
            took = time.monotonic() - started
            self.emit(ev.TurnFailed(turn_id=turn_id, message=str(exc), duration_s=took))
            return TurnOutcome(status="failed", last_message=last_message, error=str(exc))
        except Exception as exc:  # a bug of ours: the turn fails, the session goes on
            message = f"internal error ({type(exc).__name__}: {exc}); {log_crash(exc)}"
            self._close_pending_calls()
            self._cut_off("failed")
            await self._end_snapshots()
            took = time.monotonic() - started
            self.emit(ev.TurnFailed(turn_id=turn_id, message=message, duration_s=took))
            return TurnOutcome(status="failed", last_message=last_message, error=message)
        await self._end_snapshots()
        self.emit(
            ev.TurnComplete(
                turn_id=turn_id,
                last_message=last_message,
                usage=turn_usage,
                duration_s=time.monotonic() - started,
                cost_usd=self.cost(turn_usage),
            )
        )
        return TurnOutcome(status="completed", last_message=last_message)

    def cost(self, usage: ev.TokenUsage) -> float | None:
        """`usage` in dollars at the current model's price (None: unknown price,
        or counts the server did not report)."""
        from codex_tui.agent.pricing import cost_usd

        if self.conversation.estimated:
            return None
        overrides = self.config.model_prices if self.config is not None else None
        return cost_usd(usage, self.conversation.model, overrides)

    async def _end_snapshots(self) -> None:
        """The snapshot of what the turn left (an interrupted turn's too)."""
        if self.tools.env.snapshots is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self.tools.env.snapshots.end_turn()

    def _warn_chat_state(self) -> None:
        if self.conversation_state != "server" or self.server_state or self._warned_chat_state:
            return
        self._warned_chat_state = True
        self.emit(
            ev.WarningEvent(
                message="conversation_state: server needs the Responses API; this provider"
                " speaks chat, so each request carries the full history"
            )
        )

    def _turn_checks(self) -> TurnChecks | None:
        if self.checks is None:
            return None
        checks = TurnChecks(self.checks, self.tools.env.root)
        return checks if checks.enabled else None

    async def _finish_checks(self, checks: TurnChecks) -> list[ev.ResponseFlagged]:
        """Path flags for the turn's messages, now that its patches are known; the
        file system is read in a thread."""
        history = list(self.conversation.items)
        return await asyncio.to_thread(lambda: checks.finish(grounding_text(history)))

    def _close_pending_calls(self) -> None:
        """Give every call in history an output, so the next request is valid."""
        items = self.conversation.items
        answered = {i["call_id"] for i in items if is_output(i)}
        pending = [i["call_id"] for i in items if is_call(i) and i["call_id"] not in answered]
        self.conversation.add(*(call_output(call_id, ABORTED_OUTPUT) for call_id in pending))
