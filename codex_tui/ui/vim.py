"""Vim keys for the composer (`tui.vim_mode: true`): insert and normal modes.

Insert mode types as usual; esc enters normal mode (esc again is the app's:
interrupt). Normal mode: h j k l, w b, 0 $, x, dd, i a A I o O, enter sends.
Any other key does nothing in normal mode (it is not typed). The mode shows as
the input's border title.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.widgets import TextArea

__all__ = ["VimKeys"]

_MOVES = {
    "h": "action_cursor_left",
    "l": "action_cursor_right",
    "j": "action_cursor_down",
    "k": "action_cursor_up",
    "0": "action_cursor_line_start",
    "$": "action_cursor_line_end",
    "left": "action_cursor_left",
    "right": "action_cursor_right",
    "up": "action_cursor_up",
    "down": "action_cursor_down",
}


class VimKeys:
    """The composer's vim state; `handle` returns True when it used the key."""

    def __init__(self, area: TextArea) -> None:
        self.area = area
        self.normal = False
        self._pending = ""  # the first `d` of `dd`
        self._show()

    def _show(self) -> None:
        self.area.border_title = "NORMAL" if self.normal else "INSERT"

    def _enter_normal(self) -> None:
        self.normal, self._pending = True, ""
        self._show()

    def _enter_insert(self) -> None:
        self.normal, self._pending = False, ""
        self._show()

    def handle(self, key: str, character: str | None = None) -> bool:
        """Insert mode: only esc is ours. Normal mode: every key is (enter excepted:
        the composer sends). A printable key is read by its character (`$`, `A`)."""
        if character and len(character) == 1 and character.isprintable():
            key = character
        area = self.area
        if not self.normal:
            if key == "escape":
                self._enter_normal()
                if area.cursor_location[1] > 0:  # as in vim: onto the last character typed
                    area.action_cursor_left()
                return True
            return False
        if key == "enter":
            return False
        if key == "escape":
            if self._pending:
                self._pending = ""
                return True
            return False  # esc in normal mode is the app's (interrupt)
        pending, self._pending = self._pending, ""
        if pending == "d":
            if key == "d":
                self._delete_line()
            return True
        if key in _MOVES:
            getattr(area, _MOVES[key])()
        elif key in ("w", "b"):
            area.move_cursor(self._word(key == "w"))
        elif key == "x":
            start = area.cursor_location
            if start[1] < len(area.document[start[0]]):
                area.delete(start, (start[0], start[1] + 1))
        elif key == "d":
            self._pending = "d"
        elif key == "i":
            self._enter_insert()
        elif key == "I":
            area.action_cursor_line_start()
            self._enter_insert()
        elif key == "a":
            row, col = area.cursor_location
            if col < len(area.document[row]):
                area.action_cursor_right()
            self._enter_insert()
        elif key == "A":
            area.action_cursor_line_end()
            self._enter_insert()
        elif key in ("o", "O"):
            row = area.cursor_location[0]
            if key == "o":
                end = (row, len(area.document[row]))
                area.insert("\n", end)
                area.move_cursor((row + 1, 0))
            else:
                area.insert("\n", (row, 0))
                area.move_cursor((row, 0))
            self._enter_insert()
        return True

    def _word(self, forward: bool) -> tuple[int, int]:
        """Where vim's w (the next word's start) or b (this or the previous
        word's start) lands; words are runs of non-blanks, across lines."""
        area = self.area
        text = area.text
        row, col = area.cursor_location
        lines = text.split("\n")
        offset = sum(len(line) + 1 for line in lines[:row]) + col
        if forward:
            while offset < len(text) and not text[offset].isspace():
                offset += 1
            while offset < len(text) and text[offset].isspace():
                offset += 1
        else:
            offset -= 1
            while offset > 0 and text[offset].isspace():
                offset -= 1
            while offset > 0 and not text[offset - 1].isspace():
                offset -= 1
            offset = max(offset, 0)
        before = text[:offset]
        return before.count("\n"), offset - (before.rfind("\n") + 1)

    def _delete_line(self) -> None:
        area = self.area
        row = area.cursor_location[0]
        last = area.document.line_count - 1
        if last == 0:
            area.clear()
        elif row < last:
            area.delete((row, 0), (row + 1, 0))
        else:
            area.delete((row - 1, len(area.document[row - 1])), (row, len(area.document[row])))
        area.move_cursor((min(row, area.document.line_count - 1), 0))
