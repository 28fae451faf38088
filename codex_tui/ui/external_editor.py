"""ctrl+g: edit the draft in the person's editor ($VISUAL, $EDITOR, else nano or
vi). The app suspends cleanly (the terminal is the editor's while it runs) and
the edited text comes back into the composer; an editor that fails leaves the
draft as it was."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codex_tui.ui.app import CodexApp


def editor_command() -> list[str] | None:
    for value in (os.environ.get("VISUAL"), os.environ.get("EDITOR")):
        if value and value.strip():
            try:
                return shlex.split(value)
            except ValueError:
                continue
    for name in ("nano", "vi"):
        found = shutil.which(name)
        if found:
            return [found]
    return None


def edit_draft(app: CodexApp) -> None:
    from textual.app import SuspendNotSupported

    command = editor_command()
    if command is None:
        app.conversation.note("error", "ctrl+g: no editor found (set $VISUAL or $EDITOR)")
        return
    fd, name = tempfile.mkstemp(prefix="codex-tui-draft-", suffix=".md")
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as draft:
            draft.write(app.composer.text + "\n")  # a text file ends in a newline
        try:
            with app.suspend():
                done = subprocess.run([*command, str(path)], check=False)
        except SuspendNotSupported:  # no terminal to hand over (a headless run)
            done = subprocess.run(
                [*command, str(path)], check=False, stdin=subprocess.DEVNULL, timeout=600
            )
        except OSError as exc:
            app.conversation.note("error", f"ctrl+g: cannot run {command[0]}: {exc.strerror}")
            return
        if done.returncode != 0:
            app.conversation.note(
                "warning", f"ctrl+g: {command[0]} exited {done.returncode}; the draft is unchanged"
            )
            return
        app.composer.text = path.read_text(encoding="utf-8", errors="replace").rstrip("\n")
        app.composer.focus_input()
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
