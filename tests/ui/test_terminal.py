"""The app in a real terminal (tmux), for what Textual's pilot cannot show: the
byte sequences a terminal sends for Alt+Enter and for mouse clicks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from codex_tui.scripted import Message, Reply, ScriptedModelServer

READY = "Ask for a change"


class Terminal:
    """One tmux server of our own (its own socket), one window running the app."""

    def __init__(self, socket: str, cwd: Path, env: dict[str, str], argv: list[str]) -> None:
        self.socket = socket
        command = " ".join(_quote(a) for a in argv)
        self.tmux("new-session", "-d", "-s", "app", "-x", "100", "-y", "30", "-c", str(cwd), command,
                  env=env)  # fmt: skip
        self.tmux("set-option", "-t", "app", "remain-on-exit", "on")  # to read what it printed

    def tmux(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=10,
            check=False,
        )
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "app")

    def printed(self) -> str:
        """The screen and the lines scrolled above it, wrapped lines joined: what a
        program printed on leaving (the pane's "Pane is dead" line can scroll it up)."""
        return self.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "app")

    def wait_for(self, text: str, timeout: float = 20.0, *, scrolled: bool = False) -> None:
        deadline = time.monotonic() + timeout
        while text not in (self.printed() if scrolled else self.screen()):
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never showed:\n{self.screen()}")
            time.sleep(0.1)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "app", *keys)
        time.sleep(0.3)  # the terminal delivers; Textual's ESC timeout is 0.1 s

    def raw(self, data: str) -> None:
        """Bytes as the terminal would send them (escape sequences included)."""
        self.tmux("send-keys", "-t", "app", "-l", data)
        time.sleep(0.3)

    def close(self) -> None:
        self.tmux("kill-server")
        # tmux may leave its socket behind when its server is killed.
        Path(f"/tmp/tmux-{os.getuid()}/{self.socket}").unlink(missing_ok=True)


def _quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\\''") + "'"


@pytest.fixture
def terminal(
    workspace: Path, isolated_home: Path
) -> Iterator[tuple[Terminal, ScriptedModelServer]]:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is required for the terminal tests (scripts/test installs it)")
    server = ScriptedModelServer([Reply([Message("noted")])] * 3)
    server.start()
    env = {**os.environ, "CODEX_TUI_HOME": str(isolated_home), "TERM": "xterm-256color"}
    argv = [
        sys.executable, "-m", "codex_tui",
        "-c", "model_provider=scripted",
        "-c", f"model_providers.scripted.base_url={server.base_url}",
    ]  # fmt: skip
    term = Terminal(f"codex-tui-test-{os.getpid()}-{time.monotonic_ns()}", workspace, env, argv)
    try:
        term.wait_for(READY)
        yield term, server
    finally:
        term.close()
        server.stop()


def sent(server: ScriptedModelServer, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while not server.bodies:
        if time.monotonic() > deadline:
            raise AssertionError("the app sent nothing")
        time.sleep(0.05)
    return str(server.bodies[0]["input"][-1]["content"][0]["text"])


def test_alt_enter_is_a_new_line_not_a_send(terminal) -> None:
    term, server = terminal
    term.keys("one")
    term.keys("M-Enter")  # tmux sends what terminals send: ESC, then CR
    term.keys("two")
    assert not server.bodies  # nothing sent yet
    term.keys("Enter")
    assert sent(server) == "one\ntwo"


def test_typing_after_a_click_in_the_conversation_reaches_the_composer(terminal) -> None:
    term, server = terminal
    term.raw("\x1b[<0;20;5M\x1b[<0;20;5m")  # a mouse click (SGR) in the conversation
    term.keys("hello")
    term.keys("Enter")
    assert sent(server) == "hello"


def test_quitting_says_how_to_resume_the_session(terminal) -> None:
    term, server = terminal
    term.keys("hello")
    term.keys("Enter")
    sent(server)
    term.wait_for("noted")
    term.keys("/quit")
    term.keys("Enter")
    term.wait_for("resume it with: codex-tui resume ", scrolled=True)
