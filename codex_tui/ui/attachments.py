"""Images waiting to go with the next message: the chips above the composer and
the ways they get there (a pasted or dropped path, ctrl+v, `@image.png`).

Preparing an image (Pillow: decode, convert, downscale) and reading the
clipboard (a subprocess) run in threads; the composer stays live meanwhile.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widgets import Static

if TYPE_CHECKING:
    from codex_tui.images.store import Attachment

__all__ = ["AttachmentChips", "ComposerAttachments", "chip_text", "image_mentions"]

# `@path` words in a message (quoted when they hold spaces), as the completion writes them.
_MENTION = re.compile(r'(?:^|\s)@(?:"([^"\n]+)"|(\S+))')


def chip_text(index: int, image: Attachment) -> str:
    return f"[image {index}: {image.label()}]"


class AttachmentChips(Static):
    """`[image 1: shot.png 1280×720 84 KB]`, one per attachment; hidden when none."""

    DEFAULT_CSS = """
    AttachmentChips {
        display: none;
        height: auto;
        padding: 0 1;
        color: $text-accent;
        &.-some { display: block; }
    }
    """

    def show(self, images: Sequence[Attachment]) -> None:
        chips = [chip_text(n, image) for n, image in enumerate(images, 1)]
        if chips:
            chips.append("(backspace on an empty input removes the last)")
        # Plain text: a file's name is not markup.
        self.update(Content("  ".join(chips)))
        self.set_class(bool(images), "-some")


def image_mentions(text: str, root: Path) -> list[Path]:
    """The image files a message names as `@path` that exist under `root`."""
    from codex_tui.images.pasted import is_image_name

    found = []
    for match in _MENTION.finditer(text):
        name = match.group(1) or match.group(2)
        if not is_image_name(name):
            continue
        path = (root / name).resolve()
        try:
            if path.is_file() and path.is_relative_to(root.resolve()):
                found.append(path)
        except OSError:
            continue
    return found


class ComposerAttachments:
    """The composer's attachment handling (a mixin of `Composer`, which sets
    `attachments`, `_attached_from`, `_root` and provides `input`)."""

    attachments: list[Attachment]
    _attached_from: set[Path]
    _clipboard_told = False
    _root: Path
    if TYPE_CHECKING:  # provided by Composer and Textual's Widget
        app: Any
        input: Any

        def _in_thread(self, work: Callable[[], object], name: str) -> None: ...

        notify: Any
        query: Any
        mount: Any

    def _at_start(self) -> bool:
        """Backspace takes a chip only from an empty input (never a typo's fix)."""
        return not self.input.text

    def _show_chips(self) -> None:
        """The chips, made with the first attachment (styling a widget that is
        hidden until then was ~3 ms of the first frame)."""
        made = self.query(AttachmentChips)
        if made:
            made.first().show(self.attachments)
        elif self.attachments:
            chips = AttachmentChips(id="attachment-chips")
            chips.show(self.attachments)
            self.mount(chips, before=self.input)

    def add_attachment(self, image: Attachment, source: Path | None = None) -> None:
        if any(a.stored == image.stored for a in self.attachments):
            return  # the same picture twice (dropped, then completed) goes once
        self.attachments.append(image)
        if source is not None:
            self._attached_from.add(source.resolve())
        self._show_chips()

    def _prepare_file(self, path: Path) -> Attachment | None:
        """(In a thread.) The file as an attachment; a toast says why not."""
        from codex_tui.images.prepare import ImageError
        from codex_tui.images.store import attach_file

        try:
            return attach_file(path)
        except (ImageError, OSError) as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning")
            return None

    def attach_files(self, paths: Sequence[Path]) -> None:
        """Attach image files (prepared in a thread; chips appear as each is ready)."""

        def work() -> None:
            for path in paths:
                image = self._prepare_file(path)
                if image is not None:
                    self.app.call_from_thread(self.add_attachment, image, path)

        self._in_thread(work, "attach-files")

    def attach_pasted(self, text: str) -> bool:
        """A paste that is wholly paths of image files attaches them (True)."""
        from codex_tui.images.pasted import pasted_image_paths

        paths = pasted_image_paths(text, self._root)
        if paths is None:
            return False
        self.attach_files(paths)
        return True

    def paste_clipboard(self, fallback: Callable[[], None]) -> None:
        """ctrl+v: the clipboard's image as an attachment; `fallback` (a text
        paste) when it holds none or cannot be read here."""

        def work() -> None:
            from codex_tui.images.clipboard import ClipboardError, read_clipboard_image
            from codex_tui.images.prepare import ImageError
            from codex_tui.images.store import attach_bytes

            try:
                data = read_clipboard_image()
            except ClipboardError as exc:
                if not ComposerAttachments._clipboard_told:  # once: ctrl+v is also for text
                    ComposerAttachments._clipboard_told = True
                    self.app.call_from_thread(self.notify, str(exc), severity="information")
                data = None
            if data is None:
                self.app.call_from_thread(fallback)
                return
            try:
                image = attach_bytes(data, f"clipboard-{len(self.attachments) + 1}.png")
            except (ImageError, OSError) as exc:
                self.app.call_from_thread(self.notify, str(exc), severity="warning")
                return
            self.app.call_from_thread(self.add_attachment, image)

        self._in_thread(work, "clipboard")
