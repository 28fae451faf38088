"""The conversation pane: a scrolling column of cells fed by agent events.

Deltas are coalesced and applied at most once per STREAM_INTERVAL_S, and a
keystroke's frame goes before them (typing stays quick while a long answer
streams); it follows the bottom while output streams unless the person scrolled
up; only the newest cells stay mounted, older ones come back (rebuilt) when
scrolled to."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from textual.containers import VerticalScroll
from textual.message import Message

from codex_tui.hooks.display import hook_line
from codex_tui.ui.cell_window import (
    CellWindow,
    EarlierCells,
    EarlierEvents,
    release_styles_caches,
)
from codex_tui.ui.cells import (
    AnswerCell,
    Cell,
    CommandCell,
    Factory,
    FlagCell,
    ImagesCell,
    MarkdownCell,
    PatchCell,
    ReasoningCell,
    UserCell,
    format_duration,
)
from codex_tui.ui.fold import Fold
from codex_tui.ui.markdown import DEFAULT_CODE_THEME
from codex_tui.ui.mcp_cell import McpCell
from codex_tui.ui.note_cells import (
    CutOffNote,
    NoticeCell,
    PlanCell,
    SeparatorCell,
    compacted_line,
)
from codex_tui.ui.one_layout import OneLayout
from codex_tui.ui.timers import run_after

if TYPE_CHECKING:
    from codex_tui.agent import events as ev
    from codex_tui.tools.plan import PlanStep

CellT = TypeVar("CellT", bound=Cell)

FRAME_S = 1 / 60
# Streamed text is shown at most this often: each update re-lays out and redraws
# the conversation, and the time between updates is what keeps typing quick.
STREAM_INTERVAL_S = 1 / 25
# After a keystroke, streamed text waits this long so the key's own frame is cheap,
# but never more than INPUT_HOLD_MAX_S in all.
INPUT_GRACE_S = 0.025
INPUT_HOLD_MAX_S = 0.06


class ConversationView(CellWindow, OneLayout, VerticalScroll):
    """Cells for every event of the session, newest at the bottom."""

    can_focus = True

    class NewOutput(Message):
        """Output arrived while the person was scrolled up (show the hint)."""

    class ReachedBottom(Message):
        """The view is at the bottom again (hide the hint)."""

    def __init__(self, code_theme: str = DEFAULT_CODE_THEME, **kwargs) -> None:
        super().__init__(**kwargs)
        self.code_theme = code_theme
        # Unmounted cells (and recorded turns not drawn yet), oldest first.
        self.hidden: list[Factory | EarlierEvents] = []
        # Set while recorded events are turned into cells off screen: cells are
        # collected here instead of mounted.
        self._detached: list[Cell] | None = None
        self.earlier = EarlierCells(id="earlier")
        self.earlier.display = False
        self._fold = Fold()  # settled cells far above a followed stream
        self._answers: dict[str, AnswerCell] = {}
        self._reasoning: dict[str, ReasoningCell] = {}
        self._commands: dict[str, CommandCell] = {}
        # Commands going on in a background terminal, by terminal session id.
        self._background: dict[int, CommandCell] = {}
        self._patches: dict[str, PatchCell] = {}
        self._pending: dict[object, str] = {}  # cell -> text not yet shown
        self._flush_timer: asyncio.TimerHandle | None = None  # (see ui/timers.py)
        self._last_flush = 0.0  # time.monotonic() of the last flush
        self._first_pending = 0.0  # when the oldest unshown text arrived
        self._input_at = -1.0  # when the last keystroke arrived
        # Messages waiting for the running turn: they stay at the bottom, below what
        # the turn still shows, so they come after its divider once delivered.
        self._queued: list[UserCell] = []
        self._removing: set[Cell] = set()  # trimmed, their removal still pending
        # Lines that report progress until its outcome replaces or removes them.
        self._retry: NoticeCell | None = None
        self._interrupting: NoticeCell | None = None
        self._compacting: NoticeCell | None = None
        self._plan: tuple[PlanStep, ...] | None = None  # the last plan of the session
        self.last_answer: str = ""
        self.last_flag: FlagCell | None = None
        self.behind = False

    def compose(self):
        yield self.earlier
        yield self._fold.spacer

    def on_mount(self) -> None:
        self.anchor()
        self.set_interval(0.1, self._tick)

    # -- adding cells ---------------------------------------------------------

    @property
    def at_bottom(self) -> bool:
        return self.scroll_y >= self.max_scroll_y - 1

    @property
    def following(self) -> bool:
        """The view sticks to the bottom: Textual's anchor holds unless the person
        scrolled away (Textual 8 keeps that state in `_anchor_released`)."""
        return not getattr(self, "_anchor_released", False)

    def add(self, cell: CellT) -> CellT:
        if self._detached is not None:
            self._detached.append(cell)
            return cell
        following = self.following
        waiting = next((c for c in self._queued if c.parent is self), None)
        if waiting is not None and not isinstance(cell, UserCell):
            self.mount(cell, before=waiting)
        else:
            self.mount(cell)
        if following:
            self._trim()
            self._fold_above()
        else:
            self._behind()
        return cell

    def note(self, kind: str, message: str) -> NoticeCell:
        return self.add(NoticeCell(kind, message))

    def markdown(self, source: str) -> Cell:
        return self.add(MarkdownCell(source, self.code_theme))

    def interrupting(self) -> None:
        """The person asked to stop the turn: a line until the turn's end replaces it."""
        if self._interrupting is None:
            self._interrupting = self.note("info", "Interrupting…")

    def _stopped(self) -> None:
        """The turn or compaction ended: "Interrupting…" has said its piece."""
        self._discard(self._interrupting)
        self._interrupting = None

    def _discard(self, cell: Cell | None) -> None:
        if cell is None:
            return
        if self._detached is not None:
            self._detached[:] = [c for c in self._detached if c is not cell]
            return
        if cell in self._fold:
            self.unfold()
        self._removing.add(cell)
        cell.remove()

    def _holds(self, cell: Cell) -> bool:
        if self._detached is not None:
            return any(c is cell for c in self._detached)
        return cell.parent is self

    def _after(self, anchor: Cell, cell: CellT) -> CellT:
        """Mount `cell` right after `anchor` (at the end when `anchor` is gone)."""
        if self._detached is not None:
            at = next((n for n, c in enumerate(self._detached) if c is anchor), None)
            if at is not None:
                self._detached.insert(at + 1, cell)
                return cell
        elif anchor.parent is self:
            if anchor in self._fold:
                self.unfold()
            self.mount(cell, after=anchor)
            return cell
        return self.add(cell)

    def add_user(self, text: str, queued: bool = False, images: Sequence[Any] = ()) -> UserCell:
        cell = UserCell(text, queued, images)
        self.add(cell)
        if queued:
            self._queued.append(cell)
        return cell

    def _behind(self) -> None:
        if not self.behind:
            self.behind = True
            self.post_message(self.NewOutput())

    def watch_scroll_y(self, old: float, new: float) -> None:
        if not self.following:
            self.unfold()  # the person scrolls: show what is there before it is drawn
        super().watch_scroll_y(old, new)
        if self.behind and self.at_bottom:
            self.behind = False
            self.post_message(self.ReachedBottom())
        if new <= 0 and self.hidden and old > 0:
            self.call_after_refresh(self.show_earlier)

    def jump_to_bottom(self) -> None:
        self.anchor()
        self.scroll_end(animate=False, immediate=True)
        if self.behind:
            self.behind = False
            self.post_message(self.ReachedBottom())

    def cells(self) -> list[Cell]:
        """Mounted cells, oldest first (not those already being removed)."""
        if self._detached is not None:
            return list(self._detached)
        removing = self._removing
        if removing:
            removing.intersection_update(self.children)
        return [c for c in self.children if isinstance(c, Cell) and c not in removing]

    def _forget(self, cell: Cell) -> None:
        """Drop the lookups that would keep an unmounted cell alive."""
        tables: tuple[dict[Any, Any], ...] = (
            self._answers, self._reasoning, self._commands, self._patches, self._background
        )  # fmt: skip
        for table in tables:
            for key, value in list(table.items()):
                if value is cell:
                    del table[key]

    def clear_cells(self) -> None:
        self.unfold()
        for cell in self.cells():
            cell.remove()
        release_styles_caches()
        self.hidden.clear()
        self._answers.clear()
        self._reasoning.clear()
        self._commands.clear()
        self._background.clear()
        self._patches.clear()
        self._pending.clear()
        self._queued.clear()
        self._retry = self._interrupting = self._compacting = None
        self._plan = None
        self.last_answer = ""
        self._update_earlier()

    def _draw_recorded(self, earlier: EarlierEvents) -> list[Cell]:
        """The cells of recorded turns, built off screen by a scratch view (its
        state, like the plan so far, is theirs, not the live session's)."""
        from codex_tui.agent import events as ev

        scratch = ConversationView(self.code_theme)
        scratch._detached = []
        scratch._plan = earlier.plan
        for event in earlier.events:
            if isinstance(event, ev.UserMessage):
                scratch.add_user(event.text, images=event.images)
            else:
                scratch.handle(event)
        scratch.end_background("ended")  # (when, a later chunk of the file says)
        scratch.flush()
        cells = scratch._detached
        for cell in cells:
            if isinstance(cell, FlagCell):
                cell.set_newest(False)  # the key acts on the live session's newest note
        return cells

    def end_background(self, label: str = "ended with its session") -> None:
        """A recorded session's background terminals did not outlive it: the
        ones its file leaves running are shown as ended (after a replay)."""
        for cell in self._background.values():
            cell.finish(None, cell.output, label, cell.duration or 0.0)
        self._background.clear()

    def _live_cells(self) -> set[object]:
        """Cells that may still change: they stay unfolded."""
        live: set[object] = {*self._pending, *self._queued, self.last_flag}
        live.update(self._answers.values(), self._commands.values())
        live.update(thought for thought in self._reasoning.values() if not thought.done)
        live.update(self._background.values(), self._patches.values())
        live.update((self._retry, self._interrupting, self._compacting))
        return live

    # -- agent events ---------------------------------------------------------

    def handle(self, event: ev.Event) -> None:
        # Imported here: the agent's modules load after the first frame.
        from codex_tui.agent import events as ev

        if self._retry is not None and not isinstance(
            event, ev.StreamRetry | ev.QueueChanged | ev.SettingsChanged
        ):
            # The next attempt is under way (or the turn ended): the line has done its job.
            self._discard(self._retry)
            self._retry = None
        match event:
            case ev.TurnStarted(user_input=user_input):
                for queued in list(self._queued):
                    if queued.text in user_input:
                        queued.mark_sent()
                        self._queued.remove(queued)
            case ev.AgentMessageDelta(item_id=item_id, delta=delta):
                self._defer(self._answer(item_id), delta)
            case ev.AgentMessage(item_id=item_id, text=text):
                answer = self._answer(item_id)
                self._pending.pop(answer, None)
                answer.finish(text)
                self.last_answer = text
                del self._answers[item_id]
            case ev.ReasoningDelta(item_id=item_id, delta=delta):
                thought = self._reasoning.get(item_id)
                if thought is None:
                    thought = self._reasoning[item_id] = self.add(ReasoningCell(item_id))
                self._defer(thought, delta)
            case ev.Reasoning(item_id=item_id, text=text):
                thought = self._reasoning.get(item_id)
                if thought is None:
                    self._reasoning[item_id] = self.add(ReasoningCell(item_id, text, done=True))
                else:
                    self._pending.pop(thought, None)
                    thought.finish(text)
            case ev.AgentMessageCutOff(item_id=item_id, text=text, reason=reason):
                self._cut_off(item_id, text, reason)
            case ev.StreamRetry(attempt=attempt, max_attempts=limit, delay_s=delay, reason=reason):
                self._drop_partial()
                line = f"Reconnecting {attempt}/{limit} in {delay:.1f}s — {reason}"
                if self._retry is None:
                    self._retry = self.note("retry", line)
                else:
                    self._retry.set_message("retry", line)
            case ev.ExecBegin(call_id=call_id, command=command):
                self._commands[call_id] = self.add(CommandCell(call_id, command))
            case ev.ExecOutput(call_id=call_id, chunk=chunk):
                running = self._commands.get(call_id)
                if running is not None:
                    self._defer(running, chunk)
            case ev.ExecEnd() as end:
                cell = self._commands.pop(end.call_id, None)
                ended = cell or self.add(CommandCell(end.call_id, end.command))
                self._pending.pop(ended, None)
                ended.finish(end.exit_code, end.output, end.status, end.duration_s, end.feedback)
                if end.status == "background" and end.terminal is not None:
                    self._background[end.terminal] = ended
            case ev.TerminalChanged(session_id=session, state=state) if state != "running":
                cell = self._background.pop(session, None)
                if cell is not None:
                    output = cell.output.rstrip("\n")
                    if event.last_line and not output.endswith(event.last_line):
                        output += f"\n… {event.last_line}"
                    status = "completed" if state == "exited" else "killed"
                    cell.finish(event.exit_code, output, status, cell.duration or 0.0)
            case ev.McpToolCallBegin() as begin:
                self._commands[begin.call_id] = self.add(
                    McpCell(begin.call_id, begin.server, begin.tool, begin.arguments)
                )
            case ev.McpToolCallEnd() as end:
                cell = self._commands.pop(end.call_id, None) or self.add(
                    McpCell(end.call_id, end.server, end.tool, end.arguments)
                )
                cell.finish(None, end.result, end.status, end.duration_s)
            case ev.PatchBegin(call_id=call_id, changes=changes, diff=diff):
                self._patches[call_id] = self.add(
                    PatchCell(call_id, changes, diff, code_theme=self.code_theme)
                )
            case ev.PatchEnd(call_id=call_id, changes=changes, output=output, status=status):
                patch = self._patches.pop(call_id, None) or self.add(
                    PatchCell(call_id, changes, "", status, self.code_theme)
                )
                patch.finish(status, changes, event.feedback)
                if status == "failed":
                    self.note("error", output.strip().splitlines()[0] if output.strip() else "")
            case ev.WebSearchEnd(query=query, sources=sources, status=status):
                from codex_tui.ui.note_cells import WebSearchCell

                self.add(WebSearchCell(query, sources, status))
            case ev.ToolImages(tool=tool, images=images):
                self.add(ImagesCell(tool, images))
            case ev.ToolCallEnd(name=name, arguments=arguments, success=success) if (
                name != "update_plan" and not (name == "view_image" and success)
            ):
                self.note("tool", tool_line(name, arguments, success))
            case ev.ResponseFlagged(item_id=item_id, flags=flags):
                self._flag(item_id, flags, event.correction)
            case ev.PlanUpdated(explanation=explanation, plan=plan):
                update = PlanCell.update(explanation, plan, self._plan)
                self._plan = plan
                if update is not None:
                    self.add(update)
            case ev.ModeChanged(mode=mode):
                from codex_tui.ui.modes_ui import MODE_NOTES

                self.note("info", MODE_NOTES[mode])
            case ev.WarningEvent(message=message):
                self.note("warning", message)
            case ev.HookNoted() as noted:
                self.note(*hook_line(noted.kind, noted.event, noted.label, noted.text))
            case ev.SnapshotFailed(message=message):
                self.note("warning", f"no snapshot for undo, this turn cannot be undone: {message}")
            case ev.UndoApplied() as undone:
                self._undone(undone)
            case ev.Error(message=message):
                self.note("error", message)
            case ev.CompactionStarted():
                self._compacting = self.note("info", "Compacting the conversation…")
            case ev.CompactionFailed(interrupted=True):
                self._compaction_ended(
                    "info", "Compaction interrupted; the conversation is unchanged."
                )
            case ev.CompactionFailed(message=message):
                self._compaction_ended("error", f"compaction failed: {message}")
            case ev.Compacted() as compacted:
                self._compaction_ended("info", compacted_line(compacted))
            case ev.TurnComplete(duration_s=duration, usage=usage, cost_usd=cost):
                label = f"worked for {format_duration(duration)}"
                if usage.input_tokens or usage.output_tokens:
                    from codex_tui.agent.pricing import describe_usage

                    label += f" · {describe_usage(usage, cost)}"
                self._end_turn(label)
            case ev.TurnAborted(reason=reason, duration_s=duration):
                # One line: the divider says it, and why when it was not esc or ctrl+c.
                self._drop_partial(keep=True)
                why = "" if reason == "interrupted" else f" ({reason})"
                self._end_turn(f"interrupted after {format_duration(duration)}{why}")
            case ev.TurnFailed(message=message, duration_s=duration):
                self._drop_partial(keep=True)
                self.note("error", message)
                self._end_turn(f"failed after {format_duration(duration)}")
            case ev.Idle():
                self._stopped()  # asked as the turn ended anyway

    def _undone(self, undone: ev.UndoApplied) -> None:
        verb = "Undid" if undone.direction == "undo" else "Redid"
        count = len(undone.restored)
        paths = f"{count} path{'s' if count != 1 else ''}"
        self.note("info", f"{verb} a turn's changes: {paths} restored.")
        for failed in undone.failed:
            self.note("error", f"not restored: {failed}")

    def _answer(self, item_id: str) -> AnswerCell:
        """The answer being written under `item_id` (a new cell after a finished one)."""
        answer = self._answers.get(item_id)
        if answer is None or answer.done:
            answer = self._answers[item_id] = self.add(AnswerCell(item_id, self.code_theme))
        return answer

    def _flag(self, item_id: str, flags: tuple[ev.Flag, ...], correction: str) -> None:
        """A checker note, placed right after the message or call it is about."""
        if self.last_flag is not None:
            self.last_flag.set_newest(False)  # the key acts on this one now
        cell = FlagCell(flags, correction)
        self.last_flag = cell
        anchor = (
            self._answers.get(item_id)
            or self._commands.get(item_id)
            or self._patches.get(item_id)
            or next(
                (
                    c
                    for c in reversed(self.cells())
                    if item_id in (getattr(c, "call_id", None), getattr(c, "item_id", None))
                ),
                None,
            )
        )
        if anchor is None:
            self.add(cell)
        else:
            self._after(anchor, cell)

    def _cut_off(self, item_id: str, text: str, reason: ev.CutOffReason) -> None:
        """An answer that stopped while it streamed: what had arrived stays (in a
        replay it is new), marked as cut off. A retry streams the answer again in
        a new cell below, so the person sees what they read and why it stopped."""
        self.flush()
        answer = self._answers.pop(item_id, None)
        if answer is None or answer.done:
            answer = self.add(AnswerCell(item_id, self.code_theme))
        self._pending.pop(answer, None)
        answer.finish(text)
        self._after(answer, CutOffNote(reason))

    def _compaction_ended(self, kind: str, message: str) -> None:
        """ "Compacting…" becomes the outcome (an automatic compaction, inside a
        turn, has no such line and ends no interrupt)."""
        compacting, self._compacting = self._compacting, None
        if compacting is None:
            self.note(kind, message)
            return
        self._stopped()
        if self._holds(compacting):
            compacting.set_message(kind, message)
        else:
            self.note(kind, message)

    def _end_turn(self, label: str) -> None:
        self.flush()
        for cell in self._commands.values():
            cell.finish(None, cell.output, "aborted", 0.0)
        self._commands.clear()
        self._stopped()
        self.add(SeparatorCell(label))

    def _drop_partial(self, keep: bool = False) -> None:
        """A retry restarts the response: its partial text would be shown twice.
        With `keep` (the turn ended), partial text stays, marked finished."""
        self.flush()
        partial: list[tuple[dict[str, Any], str, AnswerCell | ReasoningCell]] = [
            *((self._answers, item_id, cell) for item_id, cell in self._answers.items()),
            *((self._reasoning, item_id, cell) for item_id, cell in self._reasoning.items()),
        ]
        for table, item_id, cell in partial:
            if cell.done:
                continue
            if keep:
                cell.finish(cell.text)
            else:
                self._discard(cell)
                del table[item_id]

    # -- per-frame coalescing -------------------------------------------------

    def _defer(self, cell: object, text: str) -> None:
        if cell in self._fold:
            self.unfold()  # (a finished thought streamed again)
        self._pending[cell] = self._pending.get(cell, "") + text
        if self._detached is not None:
            self.flush()  # off screen: no frames to pace
            return
        if self._flush_timer is None:
            now = time.monotonic()
            self._first_pending = now
            wait = max(FRAME_S, STREAM_INTERVAL_S - (now - self._last_flush))
            self._flush_timer = run_after(self, wait, self._paced_flush)

    def input_arrived(self) -> None:
        """A key was pressed: let its frame be drawn before more streamed text."""
        self._input_at = time.monotonic()

    def _paced_flush(self) -> None:
        self._flush_timer = None
        now = time.monotonic()
        since_input = now - self._input_at
        if since_input < INPUT_GRACE_S and now - self._first_pending < INPUT_HOLD_MAX_S:
            self._flush_timer = run_after(self, INPUT_GRACE_S - since_input, self._paced_flush)
            return
        self.flush()

    def flush(self) -> None:
        """Show all text that arrived since the last flush, now."""
        if self._flush_timer is not None:
            self._flush_timer.cancel()
            self._flush_timer = None
        self._last_flush = time.monotonic()
        pending, self._pending = self._pending, {}
        for cell, text in pending.items():
            if isinstance(cell, CommandCell):
                cell.add_output(text)
            elif isinstance(cell, AnswerCell | ReasoningCell):
                cell.append(text)
        if not pending:
            return
        if self.following:
            self._fold_above()
        else:
            self._behind()

    def _tick(self) -> None:
        for cell in self._commands.values():
            cell.tick()

    def set_code_theme(self, theme: str) -> None:
        self.code_theme = theme
        self.unfold()
        for cell in self.cells():
            if isinstance(cell, AnswerCell | MarkdownCell):
                cell.set_code_theme(theme)


def tool_line(name: str, arguments: dict, success: bool) -> str:
    """A one-line record of a read-only tool call."""
    detail = ""
    if name in ("read_file", "view_image"):
        detail = str(arguments.get("path", ""))
    elif name == "search_files":
        detail = repr(arguments.get("pattern", ""))
        if arguments.get("path"):
            detail += f" in {arguments['path']}"
    elif name == "git_diff" and arguments.get("path"):
        detail = str(arguments["path"])
    mark = "•" if success else "✗"
    return f"{mark} {name} {detail}".rstrip()
