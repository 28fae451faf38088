"""The composer: where a person types a request (multi-line, history, `@` files, `/` commands).

Keys (with the input focused):
  enter                      send (posts Composer.Submitted) — or accept the pop-up's choice
  alt+enter, ctrl+j          new line in every terminal (alt+enter arrives as ESC CR:
                             see ui/terminal_keys.py); shift+enter where the terminal
                             reports it (kitty keyboard protocol, which Textual turns on)
  up / down                  on the first / last row: walk the input history
  tab                        accept the pop-up's choice
  ctrl+v                     attach the clipboard's image (else paste its text)
  backspace                  on an empty input: drop the last attached image
  esc                        close the pop-up; with no pop-up it is left to the app
  ctrl+c                     never handled here (not even to copy), so the app's binding runs
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

from textual.actions import SkipAction
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.events import Key, Paste
from textual.message import Message
from textual.widgets import OptionList, TextArea
from textual.widgets.option_list import Option

from codex_tui.ui.attachments import ComposerAttachments, image_mentions
from codex_tui.ui.history import HistoryStore, Persistence

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.worker import Worker

    from codex_tui.images.store import Attachment
    from codex_tui.ui.completion import FuzzyIndex, Match
    from codex_tui.ui.vim import VimKeys

__all__ = ["CompletionPopup", "Composer", "ComposerInput"]

PLACEHOLDER = "Ask for a change — / for commands, @ for files"
# Key names Textual reports for "insert a line break": shift+enter and alt+enter come with the
# kitty keyboard protocol, "shift+\r" from xterm's modifyOtherKeys, ctrl+j (a bare LF) from any
# terminal.
NEWLINE_KEYS = frozenset({"shift+enter", "ctrl+j", "alt+enter", "shift+\r"})
FILE_MATCHES = 8
# The file list is re-read (in the background) when `@` opens on a list older than this.
FILES_MAX_AGE_S = 30.0

_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)+")

Kind = Literal["file", "command"]


class _Token(NamedTuple):
    """The completable word around the cursor: `@query` or a leading `/query`."""

    kind: Kind
    row: int
    start: int  # column of "@" or "/"
    end: int  # column after the word
    query: str  # text between the sigil and the cursor


class ComposerInput(TextArea):
    """The editable text. Keys that mean something to the composer go to it first."""

    BINDINGS = [
        # TextArea binds ctrl+c to copy. Ours skips, so ctrl+c always reaches the app
        # (interrupt / clear / quit); super+c still copies.
        Binding("ctrl+c", "pass_ctrl_c", show=False),
    ]

    def action_pass_ctrl_c(self) -> None:
        raise SkipAction()

    def action_paste(self) -> None:
        # ctrl+v: an image on the system clipboard is attached; otherwise text as usual.
        parent = self.parent
        if isinstance(parent, Composer):
            parent.paste_clipboard(fallback=super().action_paste)
        else:
            super().action_paste()

    async def _on_paste(self, event: Paste) -> None:
        # A dropped file arrives as a pasted path: an image's becomes an attachment.
        parent = self.parent
        # Otherwise TextArea's own handler (Textual calls each class's) inserts it.
        if isinstance(parent, Composer) and parent.attach_pasted(event.text):
            event.stop()
            event.prevent_default()

    async def _on_key(self, event: Key) -> None:
        # Runs before TextArea's own handler and before any (non-priority) binding: a key the
        # composer takes is stopped here and nothing else sees it.
        parent = self.parent
        if isinstance(parent, Composer) and parent.vim_key(event.key, event.character):
            event.stop()
            event.prevent_default()
            return
        if isinstance(parent, Composer) and parent._handle_key(event.key):
            event.stop()
            event.prevent_default()
            return
        # A key bound on the text area itself (ctrl+u, ctrl+w, ctrl+z, ...) acts here, in
        # order. Textual would run it only once the key had bubbled up to the app, after
        # a character typed just behind it: ctrl+u then "x" inserted the x, then deleted it.
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority and await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                return


class CompletionPopup(OptionList, can_focus=False):
    """The list of completions above the input; the input keeps focus and steers it."""


class Composer(ComposerAttachments, Vertical):
    """Multi-line prompt input with history and `@` / `/` completion.

    The app listens for `Composer.Submitted`. See the module docstring for the keys.
    """

    DEFAULT_CSS = """
    Composer {
        height: auto;
        & > CompletionPopup {  /* shown and hidden by _open_popup / _close_popup */
            overlay: screen;
            offset-y: -100%;
            height: auto;
            max-height: 10;
            border: round $border-blurred;
            padding: 0 1;
            background: $surface;
            & > .option-list--option-highlighted {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
        }
        & > ComposerInput {
            height: auto;
            min-height: 3;
            max-height: 10;
            border: tall $border-blurred;
            &:focus {
                border: tall $border;
            }
        }
    }
    """

    class Submitted(Message):
        """The person pressed Enter on a non-blank draft (the composer is already cleared)."""

        def __init__(
            self, composer: Composer, text: str, images: Sequence[Attachment] = ()
        ) -> None:
            super().__init__()
            self.composer = composer
            self.text = text
            self.images = tuple(images)

        @property
        def control(self) -> Composer:
            return self.composer

    def __init__(
        self,
        *,
        history: HistoryStore | None = None,
        history_persistence: Persistence = "save-all",
        root: Path | str | None = None,
        commands: Iterable[tuple[str, str]] = (),
        placeholder: str = PLACEHOLDER,
        vim_mode: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """`history`: a store to use (tests); otherwise one on $CODEX_TUI_HOME/history.jsonl
        with `history_persistence` ("save-all" | "none", config key history.persistence).
        `root`: the directory `@` completes in (default: the current directory)."""
        super().__init__(name=name, id=id, classes=classes)
        self._root = Path(root) if root is not None else Path.cwd()
        if history is None:
            history = HistoryStore(persistence=history_persistence, cwd=str(self._root))
        self.history = history
        self._placeholder = placeholder
        self._commands: list[tuple[str, str]] = []
        self.set_commands(commands)
        # History walk: index into the snapshot, or None when editing the draft.
        self._walk: list[str] = []
        self._walk_index: int | None = None
        self._draft = ""
        # Completion state.
        self._token: _Token | None = None
        self._dismissed: tuple[Kind, int, int] | None = None
        self._choices: list[str] = []  # what accepting each option inserts
        self._popup: CompletionPopup | None = None
        self._files: FuzzyIndex | None = None
        self._files_loaded_at = 0.0
        self._files_loading = False
        self._vim_mode = vim_mode
        self.vim: VimKeys | None = None  # made on mount when vim_mode is on
        # Images to send with the next message, and the files they came from.
        self.attachments: list[Attachment] = []
        self._attached_from: set[Path] = set()

    def compose(self) -> ComposeResult:
        yield ComposerInput(
            soft_wrap=True,
            tab_behavior="focus",
            show_line_numbers=False,
            highlight_cursor_line=False,
            placeholder=self._placeholder,
            id="composer-input",
        )

    def on_mount(self) -> None:
        if self._vim_mode:
            from codex_tui.ui.vim import VimKeys

            self.vim = VimKeys(self.input)
        if not self.history.loaded:
            self._in_thread(self.history.load, "history-load")

    def on_unmount(self) -> None:
        # A save still queued when the app quits is written now (one small append).
        self.history.flush()

    def _in_thread(self, work: Callable[[], object], name: str) -> None:
        self.run_worker(work, name=name, group=name, thread=True, exit_on_error=False)

    # -- public API -------------------------------------------------------------------

    @property
    def input(self) -> ComposerInput:
        return self.query_one(ComposerInput)

    @property
    def popup(self) -> CompletionPopup:
        """The completion list, made the first time it is needed: an OptionList is
        ~5 ms of styling that the first frame need not wait for."""
        if self._popup is None:
            self._popup = CompletionPopup(id="completion")
            self._popup.display = False
            self.mount(self._popup, before=0)
        return self._popup

    @property
    def _popup_shown(self) -> bool:
        return self._popup is not None and self._popup.display

    @property
    def text(self) -> str:
        """The draft as typed."""
        return self.input.text

    @text.setter
    def text(self, value: str) -> None:
        self._set_text(value, cursor="end")

    @property
    def completion_open(self) -> bool:
        """Whether the completion pop-up is showing choices (Enter would accept one)."""
        return bool(self._choices) and self._popup_shown

    def clear_draft(self, *, remember: bool = True) -> str:
        """Empty the input and return what it held.

        With `remember`, a non-blank draft becomes the newest history entry for this run
        (not written to disk), so ↑ brings it back — the app's ctrl+c should call this.
        """
        text = self.input.text
        if remember and text.strip():
            self.history.add(text, persist=False)
        self._reset_walk()
        self._close_popup()
        self.input.clear()
        return text

    def set_commands(self, commands: Iterable[tuple[str, str]]) -> None:
        """The slash commands `/` offers, as (name, description); names with or without "/".

        May be called again at any time (the list is replaced)."""
        self._commands = [(name.lstrip("/"), description) for name, description in commands]
        if self.is_mounted and self._token is not None and self._token.kind == "command":
            self._token = None
            self._update_completion()

    def set_root(self, path: Path | str) -> None:
        """The directory whose files `@` offers (read again on the next `@`)."""
        root = Path(path)
        if root != self._root:
            self._root = root
            self.history.cwd = str(root)
            self._files = None
            self._files_loaded_at = 0.0

    def focus_input(self) -> None:
        self.input.focus()

    # -- keys -------------------------------------------------------------------------

    def vim_key(self, key: str, character: str | None) -> bool:
        """The key, taken by vim mode (never while the pop-up is open)."""
        vim = self.vim
        return vim is not None and not self.completion_open and vim.handle(key, character)

    def _handle_key(self, key: str) -> bool:
        """React to a key pressed in the input; True when it was used up here."""
        if self.completion_open:
            if key == "tab":
                self._accept_completion()
                return True
            if key == "enter":
                # A command typed in full runs at once; otherwise Enter just completes.
                token, index = self._token, self.popup.highlighted
                complete = (
                    token is not None
                    and token.kind == "command"
                    and index is not None
                    and self._choices[index].strip().lower() == f"/{token.query.lower()}"
                )
                self._accept_completion()
                if complete:
                    self._submit()
                return True
            if key == "up":
                self._move_highlight(-1)
                return True
            if key == "down":
                self._move_highlight(1)
                return True
        if key == "escape" and self._popup_shown:
            self._dismiss_completion()
            return True
        if key == "enter":
            self._submit()
            return True
        if key == "backspace" and self.attachments and self._at_start():
            self.attachments.pop()
            self._show_chips()
            return True
        if key in NEWLINE_KEYS:
            self._insert_newline()
            return True
        if key == "up":
            return self._history_up()
        if key == "down":
            return self._history_down()
        return False

    def _insert_newline(self) -> None:
        area = self.input
        start, end = area.selection
        result = area.replace("\n", start, end, maintain_selection_offset=False)
        area.move_cursor(result.end_location)

    def _submit(self) -> None:
        raw = self.input.text
        if not raw.strip() and not self.attachments:
            return
        text = _LEADING_BLANK_LINES.sub("", raw).rstrip()
        if text and self.history.add(text) and self.history.has_pending:
            self._in_thread(self.history.flush, "history-save")
        self._reset_walk()
        self._close_popup()
        self.input.load_text("")  # not undoable: ctrl+z must not bring back a sent message
        images, self.attachments = self.attachments, []
        named = [p for p in image_mentions(text, self._root) if p not in self._attached_from]
        self._attached_from = set()
        self._show_chips()
        if not named or text.lstrip().startswith(("/", "!")):
            self.post_message(self.Submitted(self, text, images))
            return

        def prepare() -> None:  # `@shot.png` typed by hand: attached on the way out
            extra = [a for a in map(self._prepare_file, named) if a is not None]
            self.app.call_from_thread(self.post_message, self.Submitted(self, text, images + extra))

        self._in_thread(prepare, "attach-mentions")

    # -- history walk -----------------------------------------------------------------

    def _reset_walk(self) -> None:
        self._walk, self._walk_index, self._draft = [], None, ""

    def _history_up(self) -> bool:
        area = self.input
        if not area.navigator.is_first_wrapped_line(area.cursor_location):
            return False
        if self._walk_index is None:
            entries = self.history.entries
            if not entries:
                return False
            self._walk, self._draft = entries, area.text
            self._walk_index = len(entries) - 1
        elif self._walk_index > 0:
            self._walk_index -= 1
        else:
            return True  # oldest entry: stay
        # Cursor at the end of the first line: ↑ again walks on, ↓ moves into the entry.
        self._set_text(self._walk[self._walk_index], cursor="first-line-end")
        return True

    def _history_down(self) -> bool:
        area = self.input
        if self._walk_index is None or not area.navigator.is_last_wrapped_line(
            area.cursor_location
        ):
            return False
        self._walk_index += 1
        if self._walk_index >= len(self._walk):
            text = self._draft
            self._reset_walk()
        else:
            text = self._walk[self._walk_index]
        self._set_text(text, cursor="end")
        return True

    def _set_text(self, text: str, *, cursor: Literal["end", "first-line-end"]) -> None:
        area = self.input
        area.load_text(text)
        if cursor == "end":
            area.move_cursor(area.document.end)
        else:
            area.move_cursor((0, len(area.document[0])))
        # Text put in whole (a history entry) opens no pop-up, even if it starts with "/".
        token = self._current_token()
        self._dismissed = None if token is None else (token.kind, token.row, token.start)

    # -- completion -------------------------------------------------------------------

    def on_text_area_changed(self, _event: TextArea.Changed) -> None:
        self._update_completion()

    def on_text_area_selection_changed(self, _event: TextArea.SelectionChanged) -> None:
        self._update_completion()

    def _current_token(self) -> _Token | None:
        area = self.input
        start, end = area.selection
        if start != end:
            return None
        row, col = end
        line = area.document[row]
        if row == 0 and line.startswith("/"):
            head = line[:col]
            if col >= 1 and not any(c.isspace() for c in head):
                word_end = next((i for i, c in enumerate(line) if c.isspace()), len(line))
                return _Token("command", 0, 0, word_end, head[1:])
        begin = col
        while begin > 0 and not line[begin - 1].isspace():
            begin -= 1
        if begin < len(line) and line[begin] == "@" and begin < col:
            word_end = col
            while word_end < len(line) and not line[word_end].isspace():
                word_end += 1
            return _Token("file", row, begin, word_end, line[begin + 1 : col])
        return None

    def _update_completion(self) -> None:
        token = self._current_token()
        if token is not None and (token.kind, token.row, token.start) == self._dismissed:
            token = None  # esc closed the pop-up for this word; it stays closed until it ends
        else:
            self._dismissed = None
        if token == self._token:
            return
        self._token = token
        if token is None:
            self._close_popup()
        elif token.kind == "command":
            self._show_commands(token.query)
        else:
            self._show_files(token.query)

    def _show_commands(self, query: str) -> None:
        from codex_tui.ui.completion import fuzzy_match

        found: list[tuple[bool, int, int, Match, str]] = []
        for order, (name, description) in enumerate(self._commands):
            match = fuzzy_match(query, name)
            if match is not None:
                # Names the query begins come first, then by score, then in the given order.
                prefix = name.lower().startswith(query.lower())
                found.append((not prefix, -match.score, order, match, description))
        found.sort(key=lambda item: item[:3])
        options = [Option(_command_label(m, description)) for *_, m, description in found]
        self._open_popup(options, [f"/{m.text} " for *_, m, _ in found])

    def _show_files(self, query: str) -> None:
        stale = time.monotonic() - self._files_loaded_at > FILES_MAX_AGE_S
        if (self._files is None or stale) and not self._files_loading:
            self._load_files()
        if self._files is None:
            self._open_popup([Option(Content("indexing files…"), disabled=True)], [])
            return
        matches = self._files.search(query, FILE_MATCHES)
        self._open_popup([Option(_path_label(m)) for m in matches], [m.text for m in matches])

    def prefetch_files(self) -> None:
        """List the repository's files now (in a thread), so the first `@` answers at once."""
        if self._files is None and not self._files_loading:
            self._load_files()

    def _load_files(self) -> None:
        root = self._root
        self._files_loading = True

        def load() -> tuple[Path, FuzzyIndex]:
            from codex_tui.ui.completion import FuzzyIndex
            from codex_tui.ui.repofiles import list_files

            return root, FuzzyIndex(list_files(root))

        self._in_thread(load, "repo-files")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.name != "repo-files" or not worker.is_finished:
            return
        event.stop()
        self._files_loading = False
        if worker.result is not None:
            root, index = worker.result
            if root == self._root:
                self._files, self._files_loaded_at = index, time.monotonic()
        elif self._files is None:
            # Listing failed: an empty list, so the pop-up does not wait forever.
            from codex_tui.ui.completion import FuzzyIndex

            self._files, self._files_loaded_at = FuzzyIndex([]), time.monotonic()
        token = self._token
        if token is not None and token.kind == "file":
            self._show_files(token.query)  # loads again if the root changed meanwhile

    def _open_popup(self, options: Sequence[Option], choices: list[str]) -> None:
        popup = self.popup
        self._choices = choices
        if not options:
            self._close_popup()
            return
        popup.set_options(options)
        # With no choices ("indexing files…") the pop-up shows but is not open: Enter sends.
        popup.highlighted = 0 if choices else None
        popup.display = True

    def _close_popup(self) -> None:
        popup = self._popup
        self._choices = []
        if popup is None:
            return
        popup.display = False
        popup.clear_options()

    def _move_highlight(self, step: int) -> None:
        popup = self.popup
        count = popup.option_count
        current = popup.highlighted or 0
        popup.highlighted = (current + step) % count

    def _dismiss_completion(self) -> None:
        token = self._token
        if token is not None:
            self._dismissed = (token.kind, token.row, token.start)
        self._close_popup()

    def _accept_completion(self, index: int | None = None) -> None:
        token = self._token
        if index is None:
            index = self.popup.highlighted
        if token is None or index is None or not 0 <= index < len(self._choices):
            return
        choice = self._choices[index]
        if token.kind == "file":
            if _is_image(choice):
                self.attach_files([self._root / choice])
            quoted = f'"{choice}"' if any(c.isspace() for c in choice) else choice
            # A folder keeps the completion going inside it; a file ends the word.
            choice = quoted if choice.endswith("/") else quoted + " "
        area = self.input
        result = area.replace(
            choice,
            (token.row, token.start),
            (token.row, token.end),
            maintain_selection_offset=False,
        )
        area.move_cursor(result.end_location)
        self._close_popup()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        # A click on a choice.
        event.stop()
        self._accept_completion(event.option_index)
        self.input.focus()


def _is_image(name: str) -> bool:
    from codex_tui.images.pasted import is_image_name

    return is_image_name(name)


def _highlighted(text: str, positions: Iterable[int]) -> Content:
    content = Content(text)
    for index in positions:
        content = content.stylize("bold $text-accent", index, index + 1)
    return content


def _command_label(match: Match, description: str) -> Content:
    name = Content("/") + _highlighted(match.text, match.positions)
    if not description:
        return name
    return Content.assemble(name, "  ", (description, "$text-muted"))


def _path_label(match: Match) -> Content:
    return _highlighted(match.text, match.positions)
