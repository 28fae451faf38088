"""The cells of the conversation: one widget per message, reasoning, command,
patch or checker note (the one-line notes around a turn are in `note_cells`).
Every cell can describe itself as a `rebuild()` factory, so the conversation can
unmount old cells and bring them back when scrolled to."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from codex_tui.ui.markdown import DEFAULT_CODE_THEME, MarkdownView, to_text
from codex_tui.ui.one_layout import GrowingStatic, OneLayout

if TYPE_CHECKING:  # the agent's modules load after the first frame
    from codex_tui.agent.events import ChangedFile, Flag
    from codex_tui.images.store import Attachment
    from codex_tui.tools.plan import PlanStep

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
HEAD_LINES = 5
TAIL_LINES = 5
EXPANDED_LINE_CAP = 2_000

Factory = Callable[[], Widget]

# Elapsed times on screen are measured with this (snapshot tests pin it).
clock: Callable[[], float] = time.monotonic


def format_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s" if seconds < 10 else f"{seconds:.0f}s"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m {secs:02d}s"


def command_line(argv: Sequence[str]) -> str:
    """A command as the person reads it: a shell wrapper's script as is."""
    import shlex

    from codex_tui.policy.unwrap import SHELLS, shell_script  # ~25 ms: after the first frame

    script = shell_script(list(argv), runners=SHELLS)
    return shlex.join(argv) if script is None else script


class Cell(OneLayout, Widget):
    """Base: a block of the conversation."""

    DEFAULT_CSS = "Cell { height: auto; }"

    def rebuild(self) -> Factory:
        """A factory for an equivalent cell in its current (final) state."""
        raise NotImplementedError


class UserCell(Cell):
    def __init__(self, text: str, queued: bool = False, images: Sequence[Attachment] = ()) -> None:
        super().__init__(classes="user-cell")
        self.text = text
        self.queued = queued
        self.images = tuple(images)

    def compose(self):
        yield Static(Text(self.text), classes="user-text")
        if self.images:
            from codex_tui.ui.image_view import ImageRow

            yield ImageRow(self.images)
        if self.queued:
            yield Static("queued — sent when the current turn ends", classes="queued-note")

    def mark_sent(self) -> None:
        self.queued = False
        for note in self.query(".queued-note"):
            note.remove()

    def rebuild(self) -> Factory:
        return partial(UserCell, self.text, self.queued, self.images)


class AnswerCell(Cell, MarkdownView):
    """The assistant's answer, streamed as markdown (one widget, drawn by lines)."""

    def __init__(self, item_id: str, code_theme: str = DEFAULT_CODE_THEME, text: str = "") -> None:
        super().__init__(text, code_theme=code_theme, classes="answer-cell")
        self.item_id = item_id
        self.done = bool(text)

    def finish(self, text: str | None = None) -> None:
        super().finish(text)
        self.done = True

    def rebuild(self) -> Factory:
        return partial(AnswerCell, self.item_id, self.code_theme, self.text)


class Expandable(Cell):
    """A cell with a short and a long form; a click toggles (it takes no focus:
    what is typed after the click goes on to the composer)."""

    expanded = False

    def on_click(self) -> None:
        self.toggle()

    def toggle(self) -> None:
        self.expanded = not self.expanded
        self.set_class(self.expanded, "-expanded")
        self.refresh_body()

    def refresh_body(self) -> None:
        raise NotImplementedError


class ReasoningCell(Expandable):
    """The model's reasoning summary: dimmed, collapsed to its first line once done."""

    def __init__(self, item_id: str, text: str = "", done: bool = False) -> None:
        super().__init__(classes="reasoning-cell")
        self.item_id = item_id
        self.text = text
        self.done = done
        self.expanded = not done
        self.body = GrowingStatic(classes="reasoning-text")

    def compose(self):
        yield self.body

    def on_mount(self) -> None:
        self.refresh_body()

    def append(self, fragment: str) -> None:
        self.text += fragment
        self.refresh_body()

    def finish(self, text: str) -> None:
        self.text = text or self.text
        self.done = True
        self.expanded = False
        self.refresh_body()

    def refresh_body(self) -> None:
        text = self.text.strip()
        if self.expanded or not self.done:
            marker = "▾ " if self.done else "… "
            self.body.update(Text(marker) + inline_markdown(text))
        else:
            first = text.splitlines()[0] if text else ""
            more = " (click to expand)" if "\n" in text else ""
            self.body.update(Text("▸ ") + inline_markdown(first) + Text(more))

    def rebuild(self) -> Factory:
        return partial(ReasoningCell, self.item_id, self.text, True)


# **bold** / __bold__, *italic* / _italic_ (not inside words), `code`.
_INLINE = re.compile(
    r"(?P<code>`[^`\n]+`)"
    r"|(?P<bold>\*\*[^*\n]+\*\*|__[^_\n]+__)"
    r"|(?P<italic>(?<![\w*])\*[^*\s][^*\n]*\*(?![\w*])|(?<![\w_])_[^_\s][^_\n]*_(?![\w_]))"
)


def inline_markdown(text: str) -> Text:
    """A line or two of prose with its inline markdown drawn as styles (the
    model's reasoning titles, messages that name a command in backticks), not
    shown as asterisks and backticks. Linear: one regex pass."""
    out = Text()
    at = 0
    for match in _INLINE.finditer(text):
        out.append(text[at : match.start()])
        kind = match.lastgroup
        body = match.group()
        if kind == "code":
            out.append(body[1:-1], "bold")
        elif kind == "bold":
            out.append(body[2:-2], "bold")
        else:
            out.append(body[1:-1], "italic")
        at = match.end()
    out.append(text[at:])
    return out


def head_and_tail(output: str) -> tuple[list[str], int, list[str]]:
    """The first and last lines of `output` and how many lie between them."""
    lines = output.rstrip("\n").splitlines()
    if len(lines) <= HEAD_LINES + TAIL_LINES + 1:
        return lines, 0, []
    hidden = len(lines) - HEAD_LINES - TAIL_LINES
    return lines[:HEAD_LINES], hidden, lines[-TAIL_LINES:]


class CommandCell(Expandable):
    """A command: its line, a spinner and elapsed time while it runs, then the exit
    code and the head and tail of its output (click for all of it)."""

    def __init__(
        self,
        call_id: str,
        command: Sequence[str],
        started: float | None = None,
        *,
        finished: dict | None = None,
    ) -> None:
        super().__init__(classes="command-cell")
        self.call_id = call_id
        self.command = tuple(command)
        self.started = started if started is not None else clock()
        self.output = ""
        self.exit_code: int | None = None
        self.status = "running"
        self.duration: float | None = None
        self.feedback = ""  # declined: what the person told the model
        self.header = GrowingStatic(classes="command-header")
        self.body = GrowingStatic(classes="command-output")
        if finished:
            self.output = finished["output"]
            self.exit_code = finished["exit_code"]
            self.status = finished["status"]
            self.duration = finished["duration"]
            self.feedback = finished.get("feedback", "")

    def compose(self):
        yield self.header
        yield self.body

    def on_mount(self) -> None:
        self.refresh_header()
        self.refresh_body()

    @property
    def running(self) -> bool:
        return self.status == "running"

    def add_output(self, chunk: str) -> None:
        self.output += chunk
        self.refresh_body()

    def finish(
        self, exit_code: int | None, output: str, status: str, duration: float, feedback: str = ""
    ) -> None:
        self.exit_code = exit_code
        self.output = output or self.output
        self.status = status
        self.duration = duration
        self.feedback = feedback
        self.refresh_header()
        self.refresh_body()

    def tick(self) -> None:
        if self.running:
            self.refresh_header()

    def title(self) -> str:
        """What ran, as the header names it."""
        return "$ " + command_line(self.command)

    def refresh_header(self) -> None:
        line = Text()
        if self.running:
            elapsed = clock() - self.started
            frame = SPINNER[int(elapsed * 10) % len(SPINNER)]
            line.append(f"{frame} ", "bold")
            line.append(self.title(), "bold")
            line.append(f"  {format_duration(elapsed)}", "dim")
        else:
            ok = self.status == "completed" and self.exit_code in (0, None)
            mark, style = ("✓", "bold green") if ok else ("✗", "bold red")
            if self.status in ("declined", "refused", "aborted"):
                mark, style = ("⊘", "bold yellow")
            elif self.status == "background":
                mark, style = ("⧗", "bold cyan")
            line.append(f"{mark} ", style)
            line.append(self.title(), "bold")
            if self.status == "completed" and self.exit_code is not None:
                line.append(f"  exit {self.exit_code}", style)
            elif self.status == "completed":
                pass
            elif self.status == "timed_out":
                line.append("  timed out", style)
            elif self.status == "background":
                line.append("  running in the background (/ps)", style)
            else:
                line.append(f"  {self.status}", style)
            if self.duration is not None:
                line.append(f"  {format_duration(self.duration)}", "dim")
        self.header.update(line)

    def refresh_body(self) -> None:
        if self.status == "declined":  # no output: the person's reason, if they gave one
            self.body.display = bool(self.feedback)
            self.body.update(feedback_line(self.feedback))
            return
        output = self.output.rstrip("\n")
        if not output:
            self.body.display = False
            return
        self.body.display = True
        if self.expanded:
            lines = output.splitlines()
            cut = len(lines) - EXPANDED_LINE_CAP
            shown = lines[-EXPANDED_LINE_CAP:]
            text = Text("\n".join(shown))
            if cut > 0:
                text = Text(f"… {cut} earlier lines not shown\n", "dim") + text
            self.body.update(text)
            return
        head, hidden, tail = head_and_tail(output)
        text = Text("\n".join(head))
        if hidden:
            text.append(f"\n… +{hidden} lines (click to expand)\n", "dim italic")
            text.append("\n".join(tail))
        self.body.update(text)

    def rebuild(self) -> Factory:
        finished = {
            "output": self.output,
            "exit_code": self.exit_code,
            "status": "aborted" if self.running else self.status,
            "duration": self.duration,
            "feedback": self.feedback,
        }
        return partial(CommandCell, self.call_id, self.command, self.started, finished=finished)


def feedback_line(feedback: str) -> Text:
    """What the person told the model when declining a command or a patch."""
    return Text.assemble(("↳ you said: ", "dim"), (f"“{feedback}”", "italic"))


def change_summary(changes: Sequence[ChangedFile]) -> Text:
    text = Text()
    for index, change in enumerate(changes):
        if index:
            text.append("\n")
        kind = {"add": "A", "delete": "D", "update": "M", "move": "R"}.get(change.kind, "M")
        text.append(f"  {kind} ", "bold")
        path = change.path
        if change.move_path:
            path = f"{change.path} → {change.move_path}"
        text.append(path)
        text.append(f"  +{change.added}", "green")
        text.append(f" -{change.removed}", "red")
    return text


class PatchCell(Expandable):
    """A patch: its files with +/- counts; click to see the diff."""

    def __init__(
        self,
        call_id: str,
        changes: Sequence[ChangedFile],
        diff: str,
        status: str = "pending",
        code_theme: str = DEFAULT_CODE_THEME,
        feedback: str = "",
    ) -> None:
        super().__init__(classes="patch-cell")
        self.call_id = call_id
        self.changes = tuple(changes)
        self.diff = diff
        self.status = status
        self.code_theme = code_theme
        self.feedback = feedback  # declined: what the person told the model
        self.header = Static(classes="patch-header")
        self.files = Static(classes="patch-files")
        self.body = Static(classes="patch-diff")

    def compose(self):
        yield self.header
        yield self.files
        yield self.body

    def on_mount(self) -> None:
        self.refresh_header()
        self.refresh_files()
        self.refresh_body()

    def finish(
        self, status: str, changes: Sequence[ChangedFile] | None = None, feedback: str = ""
    ) -> None:
        self.status = status
        self.feedback = feedback
        if changes:
            self.changes = tuple(changes)
        self.refresh_files()
        self.refresh_header()

    def refresh_files(self) -> None:
        text = change_summary(self.changes)
        if self.feedback:
            text.append("\n")
            text.append_text(feedback_line(self.feedback))
        self.files.update(text)

    def refresh_header(self) -> None:
        added = sum(c.added for c in self.changes)
        removed = sum(c.removed for c in self.changes)
        count = len(self.changes)
        verb = {
            "pending": ("✎ Proposed", "bold"),
            "completed": ("✓ Applied", "bold green"),
            "failed": ("✗ Failed to apply", "bold red"),
            "declined": ("⊘ Declined", "bold yellow"),
            "refused": ("⊘ Refused", "bold yellow"),
            "aborted": ("⊘ Aborted", "bold yellow"),
        }.get(self.status, (self.status, "bold"))
        line = Text()
        line.append(verb[0], verb[1])
        line.append(f" patch: {count} file{'s' if count != 1 else ''} ")
        line.append(f"+{added}", "green")
        line.append(f" -{removed}", "red")
        if self.diff and not self.expanded:
            line.append("  (click for the diff)", "dim")
        self.header.update(line)

    def refresh_body(self) -> None:
        self.body.display = self.expanded and bool(self.diff)
        if self.body.display:
            from rich.syntax import Syntax

            syntax = Syntax(self.diff, "diff", theme=self.code_theme, background_color="default")
            self.body.update(to_text(syntax, self.app.console, max(self.size.width - 4, 20)))
        self.refresh_header()

    def rebuild(self) -> Factory:
        return partial(
            PatchCell,
            self.call_id,
            self.changes,
            self.diff,
            self.status,
            self.code_theme,
            self.feedback,
        )


def plan_text(explanation: str | None, plan: Sequence[PlanStep], heading: bool = True) -> Text:
    """The checklist rendering shared by the plan cell and the plan pane."""
    lines: list[Text] = []
    if heading:
        done = sum(1 for s in plan if s.status == "completed")
        lines.append(Text(f"Plan {done}/{len(plan)}", "bold"))
    if explanation:
        lines.append(Text(explanation.strip(), "italic"))
    text = Text("\n").join(lines)
    for step in plan:
        if text:
            text.append("\n")
        if step.status == "completed":
            text.append("✔ ", "green")
            text.append(step.step, "dim strike")
        elif step.status == "in_progress":
            text.append("▶ ", "bold")
            text.append(step.step, "bold")
        else:
            text.append("□ ")
            text.append(step.step)
    return text


class FlagCell(Cell):
    """The response checker's note on a message, command or patch: one line per
    flag. A click, or CORRECT_KEY for the newest note, sends the correction to
    the model."""

    DEFAULT_CSS = """
    FlagCell { padding: 0 1 0 2; color: $warning; }
    """
    # The app's "correct" binding (ctrl+g is "open the draft in $EDITOR" elsewhere).
    CORRECT_KEY = "ctrl+o"

    class Correct(Message):
        def __init__(self, correction: str) -> None:
            super().__init__()
            self.correction = correction

    def __init__(
        self, flags: Sequence[Flag], correction: str, sent: bool = False, newest: bool = True
    ) -> None:
        super().__init__(classes="flag-cell")
        self.flags = tuple(flags)
        self.correction = correction
        self.sent = sent
        self.newest = newest  # the key acts on the newest note; older ones take a click
        self.body = Static()

    def compose(self):
        yield self.body

    def on_mount(self) -> None:
        self.refresh_body()

    def refresh_body(self) -> None:
        text = Text()
        for index, flag in enumerate(self.flags):
            if index:
                text.append("\n")
            text.append("⚑ ", "bold")
            text.append_text(inline_markdown(flag.message))
        text.append(" · ", "dim")
        if self.sent:
            text.append("correction sent", "dim")
        elif self.newest:
            text.append(self.CORRECT_KEY, "bold")
            text.append(" to correct", "dim")
        else:
            text.append("click to correct", "dim")
        self.body.update(text)

    def set_newest(self, newest: bool) -> None:
        self.newest = newest
        self.refresh_body()

    def on_click(self) -> None:
        self.request_correction()

    def request_correction(self) -> None:
        if not self.sent:
            self.sent = True
            self.refresh_body()
            self.post_message(self.Correct(self.correction))

    def rebuild(self) -> Factory:
        return partial(FlagCell, self.flags, self.correction, self.sent, self.newest)


class MarkdownCell(Cell, MarkdownView):
    """A note written in markdown (status, help)."""

    def __init__(self, source: str, code_theme: str = DEFAULT_CODE_THEME) -> None:
        super().__init__(source, code_theme=code_theme, classes="markdown-cell")

    def rebuild(self) -> Factory:
        return partial(MarkdownCell, self.source, self.code_theme)


class ImagesCell(Cell):
    """Images a tool gave the model (view_image, an MCP result), under its name."""

    DEFAULT_CSS = "ImagesCell > .images-title { color: $text-muted; }"

    def __init__(self, tool: str, images: Sequence[Attachment]) -> None:
        super().__init__(classes="images-cell")
        self.tool = tool
        self.images = tuple(images)

    def compose(self):
        from textual.content import Content

        from codex_tui.ui.image_view import ImageRow

        count = len(self.images)
        title = f"• {self.tool} gave the model {count} image{'s' if count != 1 else ''} to see"
        yield Static(Content(title), classes="images-title")
        yield ImageRow(self.images)

    def rebuild(self) -> Factory:
        return partial(ImagesCell, self.tool, self.images)
