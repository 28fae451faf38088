"""ctrl+v's image from a real X11 clipboard: Xvfb and xclip (installed by
scripts/test), an image put on the clipboard, read back by our reader; a
clipboard holding only text gives nothing (ctrl+v then pastes text); no tool at
all is a one-line note."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from codex_tui.images.clipboard import ClipboardError, read_clipboard_image
from tests.images_tests.test_prepare import encoded


@pytest.fixture
def x_display() -> Iterator[str]:
    for tool in ("Xvfb", "xclip"):
        assert shutil.which(tool), f"{tool} is required (scripts/test installs it)"
    display = f":{100 + os.getpid() % 500}"
    server = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", "64x64x24"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{display[1:]}").exists():
        assert time.monotonic() < deadline, "Xvfb did not start"
        time.sleep(0.05)
    yield display
    server.terminate()
    server.wait(5)


def own_clipboard(display: str, data: bytes, mime: str) -> subprocess.Popen[bytes]:
    """xclip keeps serving the selection from the background until replaced."""
    env = {**os.environ, "DISPLAY": display}
    keeper = subprocess.Popen(
        ["xclip", "-selection", "clipboard", "-t", mime, "-i"], stdin=subprocess.PIPE, env=env
    )
    assert keeper.stdin is not None
    keeper.stdin.write(data)
    keeper.stdin.close()
    # Wait until it owns the selection (a fixed pause lost the race under load).
    deadline = time.monotonic() + 10
    while True:
        offered = subprocess.run(
            ["xclip", "-selection", "clipboard", "-t", "TARGETS", "-o"],
            capture_output=True,
            env=env,
            timeout=5,
        )
        if mime.encode() in offered.stdout:
            return keeper
        assert time.monotonic() < deadline, f"xclip never offered {mime}"
        time.sleep(0.05)


def test_an_image_on_the_x11_clipboard_is_read(x_display: str, monkeypatch) -> None:
    monkeypatch.setenv("DISPLAY", x_display)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    png = encoded("PNG", (12, 8))
    keeper = own_clipboard(x_display, png, "image/png")
    try:
        assert read_clipboard_image() == png
    finally:
        keeper.kill()
    text = own_clipboard(x_display, b"just words", "UTF8_STRING")
    try:
        assert read_clipboard_image() is None  # text: ctrl+v pastes it instead
    finally:
        text.kill()


def test_no_clipboard_tool_is_one_line(monkeypatch) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ClipboardError) as caught:
        read_clipboard_image()
    assert "\n" not in str(caught.value) and "xclip" in str(caught.value)
