"""The app side of the pty benchmarks: runs the real CodexApp with Textual's own
Linux driver on the pty it was given, feeds it agent events and logs its frames.

Started by `tui_pty.PtyApp`: `python tui_child.py CTRL_FD STATUS_FD`, with the pty
on stdin/stdout/stderr. Commands arrive as JSON lines on CTRL_FD (see `serve`);
findings leave as JSON lines on STATUS_FD. Times are `time.monotonic()`, one clock
for every process on Linux, so the parent can compare them with its own.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
import time
from pathlib import Path

# codex_tui.ui before Textual, as `codex-tui` imports them: the package sets Textual's
# frame rate before Textual reads it.
from codex_tui.ui.app import CodexApp, Launch  # isort: skip
import tui_corpus
from textual.screen import Screen

from codex_tui.agent import events as ev
from codex_tui.config import load_config


class Frames:
    """Every screen update (when it started and ended, the conversation's scroll, whether
    anything was drawn) and every garbage collection, on the monotonic clock."""

    def __init__(self, app: CodexApp) -> None:
        self.app = app
        self.log: list[tuple[float, float, float, bool]] = []  # start, end, scroll_y, drawn
        self._drawn = False
        original_display = app._display

        def display(screen, renderable) -> None:
            original_display(screen, renderable)
            if renderable is not None:
                self._drawn = True

        app._display = display
        original_update = Screen._on_timer_update
        frames = self

        def on_timer_update(screen: Screen) -> None:
            started = time.monotonic()
            frames._drawn = False
            original_update(screen)
            scroll_y = float(frames.app.conversation.scroll_y)
            frames.log.append((started, time.monotonic(), scroll_y, frames._drawn))

        Screen._on_timer_update = on_timer_update  # type: ignore[method-assign]

        # Collections of the oldest generation stop the loop too; log them beside frames.
        self.collections: list[tuple[float, float, int]] = []  # start, end, generation
        collecting: list[float] = []

        def on_gc(phase: str, info: dict) -> None:
            if phase == "start":
                collecting[:] = [time.monotonic()]
            elif collecting:
                self.collections.append((collecting[0], time.monotonic(), info["generation"]))

        gc.callbacks.append(on_gc)


class Child:
    def __init__(self, ctrl_fd: int, status_fd: int) -> None:
        self.ctrl_fd = ctrl_fd
        self.status = os.fdopen(status_fd, "w", buffering=1)
        self.app = CodexApp(Launch(load_config().config, Path.cwd()))
        self.frames = Frames(self.app)
        self.commands: asyncio.Queue[dict] = asyncio.Queue()
        self._buffer = b""

    def send(self, **message) -> None:
        self.status.write(json.dumps(message) + "\n")

    def _on_ctrl(self) -> None:
        data = os.read(self.ctrl_fd, 65536)
        if not data:
            asyncio.get_running_loop().remove_reader(self.ctrl_fd)
            return
        self._buffer += data
        while b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            self.commands.put_nowait(json.loads(line))

    async def main(self) -> None:
        asyncio.get_running_loop().add_reader(self.ctrl_fd, self._on_ctrl)
        # As an auto-pilot the harness runs in the app's context (active app and
        # message pump set), as the app's own workers do.
        await self.app.run_async(auto_pilot=self.harness)

    async def harness(self, _pilot) -> None:
        try:
            app = self.app
            while app.agent is None:  # the session is built after the first frame
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.5)
            await self.serve()
        except Exception as exc:  # the parent shows it; the app would hide it
            self.send(event="error", error=repr(exc))
        finally:
            self.app.exit()

    def frames_between(self, start: float, end: float) -> list[tuple[float, float, float, bool]]:
        return [f for f in self.frames.log if f[0] >= start and f[1] <= end]

    # -- the commands ----------------------------------------------------------

    async def serve(self) -> None:
        """Run the parent's commands until it says quit."""
        app = self.app
        conversation = app.conversation
        self.send(event="ready", rss_kb=proc_status("VmRSS"), widgets=self.widget_count())
        started = 0.0
        while True:
            message = await self.commands.get()
            match message["cmd"]:
                case "build":
                    await self.build(message["turns"])
                case "start":
                    started = await self.stream(
                        message["size"], message["rate"], message["item"], message["mark"]
                    )
                case "finish":
                    answer = conversation._answers.get(message["item"])
                    now = time.monotonic()
                    self.send(
                        event="frames",
                        frames=self.frames_between(started, now),
                        collections=[c for c in self.frames.collections if c[0] >= started],
                        widgets=self.widget_count(),
                        shown_chars=len(answer.text) if answer else 0,
                    )
                case "animations":
                    app.animation_level = message["level"]
                    self.send(event="ok")
                case "bottom":
                    conversation.jump_to_bottom()
                    await asyncio.sleep(0.3)
                    self.send(event="ok")
                case "earlier":
                    await self.restore_earlier()
                case "frames":
                    self.send(
                        event="frames",
                        frames=self.frames.log,
                        collections=self.frames.collections,
                    )
                case "quit":
                    return

    async def stream(self, size: int, rate: float, item: str, mark: str) -> float:
        """Stream a `size`-character answer at `rate` deltas a second, on schedule:
        each pass hands over every delta that is due, as a socket read would."""
        pieces = tui_corpus.deltas(tui_corpus.markdown_answer(size))
        pieces[-1] += "\n\nEnd of the answer "
        pieces.append(mark)
        self.app.conversation.add_user("Walk me through the code base.")
        self.app.on_agent_event(ev.TurnStarted(turn_id=item, user_input="Walk me through"))
        await asyncio.sleep(0.2)
        count = len(pieces)
        started = time.monotonic()
        sent = 0
        worst_lag = 0.0
        while sent < count:
            now = time.monotonic()
            due = min(count, int((now - started) * rate) + 1)
            worst_lag = max(worst_lag, now - (started + sent / rate))
            for piece in pieces[sent:due]:
                self.app.on_agent_event(ev.AgentMessageDelta(item_id=item, delta=piece))
            sent = due
            await asyncio.sleep(0.001)
        self.send(
            event="stream_end",
            started=started,
            last_scheduled=started + (count - 1) / rate,
            last_fed=time.monotonic(),
            deltas=count,
            chars=sum(map(len, pieces)),
            worst_feed_lag=worst_lag,
        )
        return started

    async def build(self, turns: int) -> None:
        """A long session: `turns` ordinary turns, about one frame apart."""
        app = self.app
        started = time.monotonic()
        for n in range(turns):
            user, events = tui_corpus.turn_events(n)
            app.conversation.add_user(user)
            for event in events:
                app.on_agent_event(event)
            await asyncio.sleep(0.02)
        built = time.monotonic() - started
        await asyncio.sleep(1.0)
        gc.collect()
        rss, peak = proc_status("VmRSS"), proc_status("VmHWM")
        # What one full collection costs now: the loop stops this long whenever
        # the oldest generation is collected.
        collect_started = time.perf_counter()
        gc.collect()
        full_gc = time.perf_counter() - collect_started
        conversation = app.conversation
        self.send(
            event="built",
            seconds=built,
            rss_kb=rss,
            peak_kb=peak,
            gc_objects=len(gc.get_objects()),
            full_gc_s=full_gc,
            widgets=self.widget_count(),
            cells_mounted=len(conversation.cells()),
            cells_hidden=len(conversation.hidden),
            lines=conversation.virtual_size.height,
            page=conversation.scrollable_content_region.height,
        )

    async def restore_earlier(self) -> None:
        """Bring back a batch of unmounted cells, as reaching the top does (the
        person's first scroll away from the bottom showed the folded cells, as in
        the PageUp figures; here, at the bottom after a stream, that is done first)."""
        conversation = self.app.conversation
        conversation.unfold()
        await asyncio.sleep(0.2)
        before = len(conversation.cells())
        started = time.monotonic()
        conversation.show_earlier()
        while len(conversation.cells()) == before or not all(
            c.is_mounted for c in conversation.cells()
        ):
            await asyncio.sleep(0.001)
        mounted = time.monotonic()
        while not any(f[0] >= mounted and f[3] for f in self.frames.log):
            await asyncio.sleep(0.001)
        drawn = next(f[1] for f in self.frames.log if f[0] >= mounted and f[3])
        self.send(
            event="earlier",
            cells=len(conversation.cells()) - before,
            mounted_s=mounted - started,
            drawn_s=drawn - started,
        )

    def widget_count(self) -> int:
        return sum(1 for _ in self.app.screen.walk_children(with_self=True))


def proc_status(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return -1


if __name__ == "__main__":
    child = Child(int(sys.argv[1]), int(sys.argv[2]))
    asyncio.run(child.main())
