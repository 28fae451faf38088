"""The terminal side of the pty benchmarks: runs `tui_child.py` on a fresh pty, reads
everything the app writes (as a terminal would) and notes when given text first
appears in that output.

"On screen" here means: the bytes of a frame holding the text have been read from
the pty master. The terminal emulator's own drawing is not included.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import queue
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENV = {
    "OPENAI_API_KEY": "dummy",
    "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",  # closed: nothing is ever sent
    "TERM": "xterm-256color",
    "COLORTERM": "truecolor",
}


class PtyApp:
    """The app in a child process on a pty of `columns` × `rows`."""

    def __init__(self, columns: int = 160, rows: int = 45) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="bench-tui-pty-")
        root = Path(self._tmp.name)
        repo = root / "repo"
        repo.mkdir()
        (repo / "README.md").write_text("# scratch\n")
        subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
        env = {**os.environ, **ENV, "CODEX_TUI_HOME": str(root / "home")}

        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        ctrl_read, self._ctrl = os.pipe()
        self._status_fd, status_write = os.pipe()
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "tui_child.py"), str(ctrl_read), str(status_write)],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            pass_fds=(ctrl_read, status_write),
            cwd=repo,
            env=env,
            start_new_session=True,
        )
        for fd in (slave, ctrl_read, status_write):
            os.close(fd)

        self._lock = threading.Lock()
        self._watched: dict[bytes, float | None] = {}
        self._tail = b""
        self.output_bytes = 0
        self.statuses: queue.Queue[dict] = queue.Queue()
        threading.Thread(target=self._read_output, daemon=True).start()
        threading.Thread(target=self._read_status, daemon=True).start()

    # -- output -----------------------------------------------------------------

    def _read_output(self) -> None:
        recent = b""
        while True:
            try:
                chunk = os.read(self.master, 1 << 16)
            except OSError:
                return  # the child closed the pty
            if not chunk:
                return
            now = time.monotonic()
            with self._lock:
                self.output_bytes += len(chunk)
                window = recent + chunk
                for marker, seen in self._watched.items():
                    if seen is None and marker in window:
                        self._watched[marker] = now
            recent = window[-16:]
            self._tail = (self._tail + chunk)[-4000:]

    def watch(self, text: str) -> None:
        """Note the first time `text` is written from now on."""
        with self._lock:
            self._watched[text.encode()] = None

    def seen(self, text: str) -> float | None:
        with self._lock:
            return self._watched.get(text.encode())

    def wait_seen(self, text: str, timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen = self.seen(text)
            if seen is not None:
                return seen
            time.sleep(0.0005)
        return None

    # -- input and control --------------------------------------------------------

    def type(self, data: str | bytes) -> float:
        """Write keys as the terminal would; returns when they were written."""
        raw = data.encode() if isinstance(data, str) else data
        now = time.monotonic()
        os.write(self.master, raw)
        return now

    def command(self, cmd: str, **args) -> None:
        os.write(self._ctrl, (json.dumps({"cmd": cmd, **args}) + "\n").encode())

    def _read_status(self) -> None:
        with os.fdopen(self._status_fd) as lines:
            for line in lines:
                self.statuses.put(json.loads(line))

    def wait_status(self, event: str, timeout: float = 60.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                message = self.statuses.get(timeout=max(left, 0.01))
            except queue.Empty:
                message = None
            if message is not None and message.get("event") == "error":
                raise RuntimeError(f"benchmark child failed: {message['error']}")
            if message is not None and message.get("event") == event:
                return message
            if left <= 0 or self.process.poll() is not None:
                tail = self._tail.decode(errors="replace")[-1500:]
                raise RuntimeError(f"no {event!r} from the app; its last output:\n{tail}")

    def close(self) -> None:
        try:
            self.command("quit")
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        os.close(self.master)
        os.close(self._ctrl)
        self._tmp.cleanup()

    def __enter__(self) -> PtyApp:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
