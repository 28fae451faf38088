"""An image from the system clipboard, through whichever tool the machine has.

Wayland `wl-paste`, X11 `xclip` / `xsel`, macOS `pngpaste` / `osascript`, WSL
`powershell.exe`. Each is asked only for image data (a clipboard holding text
gives nothing, so ctrl+v falls back to pasting text). No tool at all is a
`ClipboardError` whose message says what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["ClipboardError", "read_clipboard_image"]

TIMEOUT_S = 3.0
MAX_BYTES = 50 * 1024 * 1024


class ClipboardError(Exception):
    """No way to read an image from the clipboard here (one line for the person)."""


def _run(argv: list[str]) -> bytes | None:
    try:
        done = subprocess.run(
            argv, capture_output=True, timeout=TIMEOUT_S, check=False, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    data = done.stdout
    return data if done.returncode == 0 and data and len(data) <= MAX_BYTES else None


def _wl_paste() -> bytes | None:
    types = _run(["wl-paste", "--list-types"]) or b""
    for mime in ("image/png", "image/jpeg", "image/webp", "image/gif", "image/bmp"):
        if mime.encode() in types.split():
            return _run(["wl-paste", "--no-newline", "--type", mime])
    return None


def _xclip() -> bytes | None:
    targets = _run(["xclip", "-selection", "clipboard", "-t", "TARGETS", "-o"]) or b""
    for mime in ("image/png", "image/jpeg", "image/webp", "image/gif", "image/bmp"):
        if mime.encode() in targets.split():
            return _run(["xclip", "-selection", "clipboard", "-t", mime, "-o"])
    return None


def _xsel() -> bytes | None:
    # xsel has no targets: take the bytes only when they are an image's.
    data = _run(["xsel", "--clipboard", "--output"])
    return data if data and data.startswith((b"\x89PNG", b"\xff\xd8", b"GIF8", b"RIFF")) else None


def _to_temp(write: Callable[[str], list[str]]) -> bytes | None:
    with tempfile.TemporaryDirectory(prefix="codex-tui-clip-") as folder:
        target = str(Path(folder) / "clip.png")
        _run(write(target))
        try:
            data = Path(target).read_bytes()
        except OSError:
            return None
        return data or None


def _pngpaste() -> bytes | None:
    return _to_temp(lambda target: ["pngpaste", target])


def _osascript() -> bytes | None:
    def script(target: str) -> list[str]:
        body = (
            f'set f to open for access POSIX file "{target}" with write permission\n'
            "write (the clipboard as «class PNGf») to f\nclose access f"
        )
        return ["osascript", "-e", body]

    return _to_temp(script)


def _powershell() -> bytes | None:
    def script(target: str) -> list[str]:
        winpath = _run(["wslpath", "-w", target])
        where = winpath.decode().strip() if winpath else target
        body = (
            "Add-Type -AssemblyName System.Windows.Forms;"
            "$i=[Windows.Forms.Clipboard]::GetImage();"
            f"if($i){{$i.Save('{where}',[Drawing.Imaging.ImageFormat]::Png)}}"
        )
        return ["powershell.exe", "-NoProfile", "-Command", body]

    return _to_temp(script)


def _readers() -> list[tuple[str, Callable[[], bytes | None]]]:
    found = []
    if os.environ.get("WAYLAND_DISPLAY") and shutil.which("wl-paste"):
        found.append(("wl-paste", _wl_paste))
    if os.environ.get("DISPLAY"):
        if shutil.which("xclip"):
            found.append(("xclip", _xclip))
        if shutil.which("xsel"):
            found.append(("xsel", _xsel))
    if sys.platform == "darwin":
        if shutil.which("pngpaste"):
            found.append(("pngpaste", _pngpaste))
        if shutil.which("osascript"):
            found.append(("osascript", _osascript))
    if shutil.which("powershell.exe"):
        found.append(("powershell.exe", _powershell))
    return found


def read_clipboard_image() -> bytes | None:
    """The clipboard's image (None: it holds none); ClipboardError when no tool here
    can read one. Blocking (subprocesses): call it from a thread."""
    readers = _readers()
    if not readers:
        raise ClipboardError(
            "no clipboard tool for images here (install wl-clipboard, xclip or pngpaste;"
            " over SSH, drop or paste the file's path instead)"
        )
    for _name, read in readers:
        data = read()
        if data:
            return data
    return None
