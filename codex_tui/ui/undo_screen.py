"""The undo (or redo) preview: what restoring a turn would write, then y or n.

The diff runs from the files as they are now to what undo restores. Files the
person changed after the turn are listed in the error colours first: `y` then
overwrites them too, so the dialog says so. What the snapshots did not cover
(large ignored folders, big files) is named, as it stays as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from codex_tui.ui.approval import KeyHints

if TYPE_CHECKING:
    from codex_tui.ui.diffview import DiffView
    from codex_tui.undo.engine import Prepared

_PAGE_KEYS = frozenset({"pageup", "pagedown", "home", "end"})
_LISTED = 6  # paths named before "and N more"


def listing(paths: list[str]) -> str:
    shown = ", ".join(paths[:_LISTED])
    return shown + (f" and {len(paths) - _LISTED} more" if len(paths) > _LISTED else "")


class UndoScreen(ModalScreen[bool]):
    """Dismisses with True when the person says to restore."""

    DEFAULT_CSS = """
    UndoScreen #dialog {
        width: 1fr;
        max-width: 140;
        height: 1fr;
        max-height: 60;
        margin: 1 2;
        border: thick $warning;
        background: $surface;
        padding: 0 1;
    }
    UndoScreen.-conflict #dialog { border: thick $error; }
    UndoScreen #undo-title { color: $text-warning; text-style: bold; }
    UndoScreen #undo-conflicts {
        background: $error 20%;
        color: $text-error;
        text-style: bold;
        padding: 0 1;
        margin-top: 1;
    }
    UndoScreen #undo-details { color: $text-muted; }
    UndoScreen #undo-diff { height: 1fr; border: round $panel; }
    UndoScreen #undo-diff:focus { border: round $accent; }
    """

    AUTO_FOCUS = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "restore", "Restore"),
        Binding("n", "cancel", "Cancel"),
        Binding("escape", "cancel", "Cancel", show=False),
    ]

    def __init__(self, prepared: Prepared, diff: str) -> None:
        super().__init__(classes="-conflict" if prepared.conflicts else "")
        self.prepared = prepared
        self.diff_text = diff
        self.diff: DiffView | None = None

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return key in _PAGE_KEYS  # the diff scrolls, not the conversation behind

    def compose(self):
        from codex_tui.ui.diffview import DiffView
        from codex_tui.undo.engine import turn_title

        prepared = self.prepared
        count = len(prepared.changes)
        verb = "Undo" if prepared.direction == "undo" else "Redo"
        title = Content.assemble(
            f"{verb} {turn_title(prepared.turn)}?  ",
            (f"{count} path{'s' if count != 1 else ''} to restore", "$text not bold"),
        )
        with Vertical(id="dialog"):
            yield Static(title, id="undo-title")
            if prepared.conflicts:
                text = f"⚠ Changed since the turn, overwritten too: {listing(prepared.conflicts)}"
                yield Static(Content(text), id="undo-conflicts")  # paths, not markup
            details = []
            if prepared.not_covered:
                details.append(f"not covered, left as they are: {listing(prepared.not_covered)}")
            if prepared.direction == "undo":
                details.append("/redo takes this back")
            yield Static(Content("\n".join(details)), id="undo-details")
            self.diff = DiffView(id="undo-diff")
            yield self.diff
            yield KeyHints(self._keys, id="undo-keys")

    def on_mount(self) -> None:
        assert self.diff is not None
        text = self.diff_text
        if text.strip():
            self.diff.show_diff_text(text, title="now → restored")
        else:
            self.diff.show_message("Only folders change.")
        self.diff.focus()

    def _keys(self, width: int) -> Content:
        restore = "restore and overwrite" if self.prepared.conflicts else "restore"
        long = Content.assemble(
            ("y", "bold reverse"),
            f" {restore}",
            ("  ·  ", "dim"),
            ("n", "bold reverse"),
            " cancel",
            ("  ·  ", "dim"),
            ("PgUp/PgDn", "bold reverse"),
            " scroll",
        )
        if long.cell_length <= width:
            return long
        return Content.assemble(("y", "bold reverse"), " yes · ", ("n", "bold reverse"), " no")

    def action_restore(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
