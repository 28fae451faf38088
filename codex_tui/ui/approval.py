"""The approval dialog: a modal screen for a command or a patch.

y approve once · a approve for the session · n deny (optionally saying what to
do instead) · esc abort the turn. For a patch, ↑/↓ move between hunks and
space toggles one; only the kept hunks are applied. PgUp/PgDn/Home/End scroll
the diff (or a long command) rather than the conversation behind the dialog.

The patch dialog gives the diff the height: its title, reason and key hints take
three lines. A command is shown once, wrapped in a box that scrolls when it is
long; one the policy classifies as destructive, or the response checker would
flag, gets the error colours and says why."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Static

from codex_tui.agent import events as ev
from codex_tui.ui.cells import command_line, inline_markdown

if TYPE_CHECKING:
    from codex_tui.patch import PatchPlan
    from codex_tui.ui.diffview import DiffView

# Keys the dialog takes from the app's priority bindings (which scroll the
# conversation behind it) while it is up.
_PAGE_KEYS = frozenset({"pageup", "pagedown", "home", "end"})
_PREFIX_WIDTH = 28  # characters of a session prefix quoted in the key hints


def command_danger(argv: tuple[str, ...]) -> str | None:
    """Why `argv` is destructive, if it is: the policy's classification first,
    else what the response checker would flag in it."""
    from codex_tui.agent.checks import find_dangers
    from codex_tui.agent.checks.commands import command_text
    from codex_tui.policy.commands import CommandKind, classify

    kind = classify(argv)
    if kind.kind is CommandKind.DANGEROUS:
        return kind.reason
    dangers = find_dangers(command_text(list(argv)), code=True)
    return f"`{dangers[0].snippet}` {dangers[0].why}" if dangers else None


def inline(text: str, style: str = "") -> Content:
    """A line of the policy's prose with its `code` and **bold** drawn as styles."""
    return Content.from_rich_text(inline_markdown(text)).stylize_before(style)


class KeyHints(Widget):
    """Key hints, worded as fully as the width allows: `pick(width)` chooses the
    wording, both for the height the layout asks about and for what is drawn."""

    DEFAULT_CSS = "KeyHints { height: auto; }"

    def __init__(self, pick: Callable[[int], Content], id: str | None = None) -> None:
        super().__init__(id=id)
        self.pick = pick

    def render(self) -> Content:
        return self.pick(self.content_size.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.pick(width).wrap(width)) if width else 0


class ApprovalScreen(ModalScreen[ev.ApprovalDecision]):
    """Asks the person about one command or patch; dismisses with the decision."""

    DEFAULT_CSS = """
    ApprovalScreen #dialog {
        width: 1fr;
        max-width: 140;
        height: auto;
        max-height: 100%;
        margin: 0 2;
        border: thick $warning;
        background: $surface;
        padding: 0 1;
    }
    ApprovalScreen.-patch #dialog {
        height: 1fr;
        max-height: 60;
        margin: 1 2;
    }
    ApprovalScreen.-danger #dialog {
        border: thick $error;
    }
    ApprovalScreen #approval-head {
        height: auto;
    }
    ApprovalScreen #approval-title {
        width: 1fr;
        color: $text-warning;
        text-style: bold;
    }
    ApprovalScreen.-danger #approval-title {
        color: $text-error;
    }
    ApprovalScreen #hunk-note {
        width: auto;
        margin-left: 2;
    }
    ApprovalScreen #approval-warning {
        background: $error 20%;
        color: $text-error;
        text-style: bold;
        padding: 0 1;
        margin-top: 1;
    }
    ApprovalScreen #approval-command {
        height: auto;
        max-height: 50vh;
        margin-top: 1;
        background: $boost;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    ApprovalScreen.-command #approval-details {
        margin-top: 1;
    }
    ApprovalScreen #approval-details {
        color: $text-muted;
    }
    ApprovalScreen #approval-diff {
        height: 1fr;
        border: round $panel;
    }
    ApprovalScreen #approval-diff:focus {
        border: round $accent;
    }
    ApprovalScreen.-command #approval-keys {
        margin-top: 1;
    }
    """

    # The keys belong to the screen; the hidden feedback box must not take them.
    AUTO_FOCUS = ""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "approve", "Approve once"),
        Binding("a", "approve_session", "Approve for session"),
        Binding("n", "deny", "Deny"),
        Binding("escape", "abort", "Abort turn"),
        # The diff handles these itself while it has focus; these serve a long
        # command, and the diff while the feedback box has focus.
        Binding("pageup", "scroll_body('page_up')", show=False),
        Binding("pagedown", "scroll_body('page_down')", show=False),
        Binding("home", "scroll_body('home')", show=False),
        Binding("end", "scroll_body('end')", show=False),
        Binding("up", "scroll_body('up')", show=False),
        Binding("down", "scroll_body('down')", show=False),
    ]

    def __init__(self, request: ev.ApprovalRequest) -> None:
        patch = isinstance(request, ev.PatchApprovalRequest)
        self.danger = (
            command_danger(request.command)
            if isinstance(request, ev.CommandApprovalRequest)
            else None
        )
        classes = "-patch" if patch else "-command"  # an MCP call looks like a command
        super().__init__(classes=f"{classes} -danger" if self.danger else classes)
        self.request = request
        self.diff: DiffView | None = None
        self.feedback = Input(
            placeholder="What should the model do instead? Enter sends · empty just denies",
            id="feedback",
        )
        self.feedback.display = False
        self.hunk_note = Static(id="hunk-note")

    @property
    def is_patch(self) -> bool:
        return isinstance(self.request, ev.PatchApprovalRequest)

    @property
    def patch(self) -> PatchPlan | None:
        """The computed patch a patch request carries (for the diff and its hunks)."""
        request = self.request
        return request.patch if isinstance(request, ev.PatchApprovalRequest) else None

    @property
    def session_label(self) -> str | None:
        request = self.request
        if isinstance(request, ev.CommandApprovalRequest):
            prefix = request.session_prefix
            if not prefix:
                return None
            if prefix == request.command:
                return "approve this exact command for the session"
            shown = command_line(prefix)
            if len(shown) > _PREFIX_WIDTH:
                shown = shown[: _PREFIX_WIDTH - 1] + "…"
            return f"approve `{shown}` commands for the session"
        if isinstance(request, ev.McpToolApprovalRequest):
            return f"approve `{request.tool}` of `{request.server}` for the session"
        return "approve changes to these files for the session"

    def check_consume_key(self, key: str, character: str | None) -> bool:
        # The app binds the page keys with priority to scroll the conversation;
        # a key this screen says it consumes is taken out of the app's bindings.
        return key in _PAGE_KEYS

    def compose(self):
        with Vertical(id="dialog"):
            if isinstance(self.request, ev.CommandApprovalRequest):
                yield from self._compose_command(self.request)
            elif isinstance(self.request, ev.McpToolApprovalRequest):
                yield from self._compose_tool(self.request)
            else:
                yield from self._compose_patch(self.request)
            yield self.feedback
            yield KeyHints(self._keys_text, id="approval-keys")

    def _head(self, title: Content):
        with Horizontal(id="approval-head"):
            yield Static(title, id="approval-title")
            yield self.hunk_note

    def _compose_command(self, request: ev.CommandApprovalRequest):
        from codex_tui.sessions.display import short_path

        if self.danger:
            title = "Run this destructive command?"
        elif request.retry_without_sandbox:
            title = "Run this command outside the sandbox?"
        else:
            title = "Run this command?"
        yield from self._head(
            Content.assemble(
                title, ("  in ", "dim not bold"), (short_path(str(request.cwd)), "$text not bold")
            )
        )
        if self.danger:
            yield Static(inline(f"⚠ {self.danger}"), id="approval-warning")
        with VerticalScroll(id="approval-command", can_focus=False):
            yield Static(Content.styled("$ " + command_line(request.command), "bold"))
        lines: list[Content] = []
        if request.justification:
            lines.append(Content.assemble(("why: ", "dim"), (request.justification, "$text")))
        reason = self._reason(request)
        if reason:
            because = inline(reason, "$text")
            lines.append(Content.assemble(("asking because: ", "dim"), because))
        yield Static(Content("\n").join(lines), id="approval-details")

    def _reason(self, request: ev.CommandApprovalRequest) -> str:
        """The policy's reason without the command it quotes (shown above already),
        or nothing when it only repeats the warning."""
        import shlex

        reason = request.reason
        for quoted in {shlex.join(request.command), command_line(request.command)}:
            reason = reason.replace(f"`{quoted}`", "this command")
        if self.danger and self.danger in reason:
            return ""
        return reason

    def _compose_tool(self, request: ev.McpToolApprovalRequest):
        """An MCP tool call: the server, the tool and its arguments as pretty JSON."""
        import json

        yield from self._head(
            Content.assemble(
                "Call this MCP tool?  ",
                (request.tool, "$text"),
                ("  of server ", "dim not bold"),
                (request.server, "$text"),
            )
        )
        shown = json.dumps(request.arguments, indent=2, ensure_ascii=False)
        with VerticalScroll(id="approval-command", can_focus=False):
            yield Static(Content(shown))
        lines: list[Content] = []
        if request.description:
            first = request.description.strip().splitlines()[0][:200]
            lines.append(Content.assemble(("tool: ", "dim"), (first, "$text")))
        because = inline(request.reason, "$text")
        lines.append(Content.assemble(("asking because: ", "dim"), because))
        yield Static(Content("\n").join(lines), id="approval-details")

    def _compose_patch(self, request: ev.PatchApprovalRequest):
        from codex_tui.ui.diffview import DiffView

        changes = request.changes
        added = sum(c.added for c in changes)
        removed = sum(c.removed for c in changes)
        files = f"{len(changes)} file{'s' if len(changes) != 1 else ''}"
        yield from self._head(
            Content.assemble(
                "Apply this patch?  ",
                (files, "$text not bold"),
                (f"  +{added}", "$text-success"),
                (f" −{removed}", "$text-error"),
            )
        )
        reason = Content.assemble(("asking because: ", "dim"), inline(request.reason, "$text"))
        yield Static(reason, id="approval-details")
        self.diff = DiffView(selectable=True, id="approval-diff")
        yield self.diff

    def on_mount(self) -> None:
        if self.diff is not None and self.patch is not None:
            self.diff.show_patch(self.patch)
            self.diff.focus()
            self._update_hunks()
            self.call_after_refresh(self.diff.reveal_cursor)

    # -- key hints ----------------------------------------------------------------

    def _keys(self) -> list[tuple[str, ...]]:
        """(key, label, shorter label, shortest label) for each key the dialog takes."""
        keys: list[tuple[str, ...]] = [("y", "approve once", "approve", "approve")]
        if self.session_label:
            keys.append(("a", self.session_label, "for the session", "session"))
        keys += [
            ("n", "deny (and say why)", "deny", "deny"),
            ("esc", "abort the turn", "abort", "abort"),
        ]
        if self.is_patch:
            keys += [
                ("↑↓", "move between hunks", "hunk", "hunk"),
                ("space", "keep/drop the hunk", "keep/drop", "keep/drop"),
            ]
        return keys

    def _keys_text(self, width: int) -> Content:
        """The key hints, as long as fit on one line of `width` cells."""
        keys = self._keys()
        # A long command shows its own scrollbar; a diff is always worth paging.
        scroll = [("PgUp/PgDn", "scroll", "scroll", "scroll")] if self.is_patch else []
        text = Content()
        for label, separator in ((1, "  ·  "), (2, " · "), (3, " · "), (3, " ")):
            for chosen in (keys + scroll, keys):
                text = self._hint_line(chosen, label, separator)
                if text.cell_length <= width:
                    return text
        return text

    @staticmethod
    def _hint_line(keys: list[tuple[str, ...]], label: int, separator: str) -> Content:
        parts: list[tuple[str, str] | str] = []
        for index, key in enumerate(keys):
            if index:
                parts.append((separator, "dim"))
            parts += [(key[0], "bold reverse"), " " + key[label]]
        return Content.assemble(*parts)

    # -- hunks --------------------------------------------------------------------

    def on_diff_view_selection_changed(self, message) -> None:
        self._update_hunks()

    def _update_hunks(self) -> None:
        if self.diff is None:
            return
        kept = len(self.diff.kept())
        total = len(self.patch.hunk_refs()) if self.patch is not None else kept
        if kept == total:
            note = Content.styled(f"all {total} hunks kept", "dim")
        elif kept == 0:
            note = Content.styled("No hunks kept: approving applies nothing.", "bold $text-warning")
        else:
            note = Content.styled(f"{kept} of {total} hunks kept; only those are applied.", "bold")
        self.hunk_note.update(note)

    def _hunks(self) -> tuple[tuple[int, int], ...] | None:
        if self.diff is None or self.patch is None:
            return None
        kept = tuple(self.diff.kept())
        if len(kept) == len(self.patch.hunk_refs()):
            return None
        return kept

    # -- actions ----------------------------------------------------------------

    def action_scroll_body(self, how: str) -> None:
        body = self.diff if self.diff is not None else self.query_one("#approval-command")
        getattr(body, f"scroll_{how}")(animate=False)

    def action_approve(self) -> None:
        if self.feedback.display:
            return
        hunks = self._hunks()
        if hunks == ():
            self.dismiss(
                ev.ApprovalDecision(
                    decision=ev.ReviewDecision.DENY, feedback="The person kept no hunks."
                )
            )
            return
        self.dismiss(ev.ApprovalDecision(decision=ev.ReviewDecision.APPROVE, hunks=hunks))

    def action_approve_session(self) -> None:
        if self.feedback.display or not self.session_label:
            return
        hunks = self._hunks()
        self.dismiss(ev.ApprovalDecision(decision=ev.ReviewDecision.APPROVE_SESSION, hunks=hunks))

    def action_deny(self) -> None:
        if self.feedback.display:
            return
        self.feedback.display = True
        self.feedback.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(
            ev.ApprovalDecision(decision=ev.ReviewDecision.DENY, feedback=event.value.strip())
        )

    def action_abort(self) -> None:
        if self.feedback.display:
            # Esc in the feedback box goes back to the choice, not out of the turn.
            self.feedback.display = False
            self.feedback.value = ""
            if self.diff is not None:
                self.diff.focus()
            else:
                self.set_focus(None)
            return
        self.dismiss(ev.ApprovalDecision(decision=ev.ReviewDecision.ABORT))
