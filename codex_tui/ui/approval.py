"""The approval dialog: a modal screen for a command or a patch.

y approve once · a approve for the session · n deny (optionally saying what to
do instead) · esc abort the turn. For a patch, ↑/↓ move between hunks and
space toggles one; only the kept hunks are applied."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from codex_tui.agent import events as ev
from codex_tui.ui.cells import command_line

if TYPE_CHECKING:
    from codex_tui.patch import PatchPlan
    from codex_tui.ui.diffview import DiffView


class ApprovalScreen(ModalScreen[ev.ApprovalDecision]):
    """Asks the person about one command or patch; dismisses with the decision."""

    # The keys belong to the screen; the hidden feedback box must not take them.
    AUTO_FOCUS = ""

    BINDINGS = [
        Binding("y", "approve", "Approve once"),
        Binding("a", "approve_session", "Approve for session"),
        Binding("n", "deny", "Deny"),
        Binding("escape", "abort", "Abort turn"),
    ]

    def __init__(self, request: ev.ApprovalRequest) -> None:
        patch = isinstance(request, ev.PatchApprovalRequest)
        super().__init__(classes="-patch" if patch else "-command")
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
            if not request.session_prefix:
                return None
            return f"approve `{command_line(request.session_prefix)}` commands for the session"
        return "approve changes to these files for the session"

    def compose(self):
        with Vertical(id="dialog"):
            if isinstance(self.request, ev.CommandApprovalRequest):
                yield from self._compose_command(self.request)
            else:
                yield from self._compose_patch(self.request)
            yield self.hunk_note
            yield self.feedback
            yield Static(self._keys_text(), id="approval-keys")

    def _compose_command(self, request: ev.CommandApprovalRequest):
        title = "Run this command?"
        if request.retry_without_sandbox:
            title = "Run this command outside the sandbox?"
        yield Static(Text(title, "bold"), id="approval-title")
        yield Static(Text("$ " + command_line(request.command), "bold"), id="approval-command")
        details = Text()
        details.append("in ", "dim")
        details.append(str(request.cwd))
        if request.justification:
            details.append("\nwhy: ", "dim")
            details.append(request.justification)
        details.append("\nasking because: ", "dim")
        details.append(request.reason)
        yield Static(details, id="approval-details")

    def _compose_patch(self, request: ev.PatchApprovalRequest):
        from codex_tui.ui.diffview import DiffView

        changes = request.changes
        added = sum(c.added for c in changes)
        removed = sum(c.removed for c in changes)
        title = Text("Apply this patch? ", "bold")
        title.append(f"{len(changes)} file{'s' if len(changes) != 1 else ''} ")
        title.append(f"+{added}", "green")
        title.append(f" -{removed}", "red")
        yield Static(title, id="approval-title")
        reason = Text("asking because: ", "dim")
        reason.append(request.reason)
        yield Static(reason, id="approval-details")
        self.diff = DiffView(selectable=True, id="approval-diff")
        yield self.diff

    def on_mount(self) -> None:
        if self.diff is not None and self.patch is not None:
            self.diff.show_patch(self.patch)
            self.diff.focus()
            self._update_hunks()

    def _keys_text(self) -> Text:
        text = Text()
        keys = [("y", "approve once")]
        if self.session_label:
            keys.append(("a", self.session_label))
        keys += [("n", "deny (and say why)"), ("esc", "abort the turn")]
        if self.is_patch:
            keys.append(("↑/↓ space", "choose hunks"))
        for index, (key, label) in enumerate(keys):
            if index:
                text.append("  ·  ", "dim")
            text.append(key, "bold reverse")
            text.append(" " + label)
        return text

    def on_diff_view_selection_changed(self, message) -> None:
        self._update_hunks()

    def _update_hunks(self) -> None:
        if self.diff is None:
            return
        kept = len(self.diff.kept())
        total = len(self.patch.hunk_refs()) if self.patch is not None else kept
        if kept == total:
            self.hunk_note.update(Text(f"All {total} hunks will be applied.", "dim"))
        elif kept == 0:
            self.hunk_note.update(Text("No hunks kept: approving applies nothing.", "bold yellow"))
        else:
            self.hunk_note.update(
                Text(f"{kept} of {total} hunks kept; only those are applied.", "bold")
            )

    def _hunks(self) -> tuple[tuple[int, int], ...] | None:
        if self.diff is None or self.patch is None:
            return None
        kept = tuple(self.diff.kept())
        if len(kept) == len(self.patch.hunk_refs()):
            return None
        return kept

    # -- actions ----------------------------------------------------------------

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
