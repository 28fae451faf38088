"""ctrl+v's image from a real X11 clipboard: Xvfb and xclip (installed by
scripts/test), an image put on the clipboard, read back by our reader; a
clipboard holding only text gives nothing (ctrl+v then pastes text); no tool at
all is a one-line note."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest

from codex_tui.images.clipboard import ClipboardError, read_clipboard_image
from tests.images_tests.test_prepare import encoded


@pytest.fixture
def x_display() -> Iterator[str]:
    """A private Xvfb server. It picks a free display itself and reports it on a
    pipe once it accepts connections (`-displayfd`): a number derived from our pid
    could meet a stale lock or socket left by an earlier run."""
    for tool in ("Xvfb", "xclip"):
        assert shutil.which(tool), f"{tool} is required (scripts/test installs it)"
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "64x64x24"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], 10)
        assert ready, "Xvfb did not start"
        number = os.read(read_end, 16).decode().strip()
        assert number.isdigit(), f"Xvfb reported {number!r}"
        yield f":{number}"
    finally:
        os.close(read_end)
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
