"""MarkdownView: streamed markdown drawn by lines, in a small host app; the frame
rate the app package sets; the conversation's pacing of streamed text."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest
from rich.console import Console
from textual.app import App, ComposeResult

from codex_tui.ui.markdown import MarkdownView, settle_point, to_lines

ANSWER = """\
# Plan

The parser keeps a stack of open blocks and closes them when a line cannot
continue them.

- first, read the entry point
- then add the flag

```python
def greet(name: str) -> str:
    return f"Hello, {name}!"
```

That is all; **nothing else** changes.
"""


class Host(App):
    CSS = "MarkdownView { width: 60; }"

    def __init__(self, view: MarkdownView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        yield self.view


async def test_a_streamed_answer_ends_up_drawn_like_the_whole_text() -> None:
    streamed = MarkdownView()
    app = Host(streamed)
    async with app.run_test(size=(80, 40)) as pilot:
        rng = random.Random(3)
        pos = 0
        while pos < len(ANSWER):
            step = rng.randint(1, 9)
            streamed.append(ANSWER[pos : pos + step])
            pos += step
            if rng.random() < 0.3:
                await pilot.pause()
        streamed.finish()
        await pilot.pause()
        whole = MarkdownView(ANSWER)
        await app.mount(whole)
        await pilot.pause()
        assert streamed.lines() == whole.lines()
        assert streamed.size.height == whole.size.height == len(whole.lines())
        assert any("def greet" in line for line in whole.lines())


def count_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The source of every markdown render from now on (MarkdownView's `to_lines`)."""
    import codex_tui.ui.markdown as markdown

    rendered: list[str] = []
    original = markdown.to_lines

    def counting(source: str, *args):
        rendered.append(source)
        return original(source, *args)

    monkeypatch.setattr(markdown, "to_lines", counting)
    return rendered


async def test_only_the_tail_is_rendered_again_as_text_arrives(monkeypatch) -> None:
    rendered = count_renders(monkeypatch)
    view = MarkdownView()
    async with Host(view).run_test(size=(80, 40)) as pilot:
        view.append("First paragraph.\n\nSecond")
        await pilot.pause()
        rendered.clear()
        view.append(" paragraph grows")
        view.append(" and grows.")
        await pilot.pause()
        assert rendered and all(source.startswith("Second") for source in rendered)
        assert view.chunks == ["First paragraph."]
        assert view.tail == "Second paragraph grows and grows."


async def test_the_selection_spans_settled_text_and_the_tail() -> None:
    view = MarkdownView()
    async with Host(view).run_test(size=(80, 20)) as pilot:
        view.append("Settled words here.\n\nStill streaming")
        await pilot.pause()
        await pilot.mouse_down(view, offset=(0, 0))
        await pilot.hover(view, offset=(5, 2))
        await pilot.mouse_up(view, offset=(5, 2))
        assert app_selection(view) == "Settled words here.\n\nStill"


async def test_settled_rows_are_drawn_once_and_again_after_a_resize_or_a_selection() -> None:
    """Rows of settled text are kept as drawn strips (a growing answer makes Textual
    ask for every visible row on each frame); a new width draws them again, and a
    selection is drawn over them, then gone."""
    view = MarkdownView()
    async with Host(view).run_test(size=(80, 20)) as pilot:
        view.append("Settled words here, enough of them to wrap at forty columns.\n\nTail")
        await pilot.pause()
        first = view.render_line(0)
        assert view.render_line(0) is first  # kept
        assert first.text.startswith("Settled words here, enough of them to wrap")
        view.styles.width = 40
        await pilot.pause()
        narrow = [view.render_line(y).text.rstrip() for y in range(3)]
        assert narrow[0] == "Settled words here, enough of them to"
        assert narrow[1] == "wrap at forty columns."
        plain = list(view.render_line(0))
        await pilot.mouse_down(view, offset=(0, 0))
        await pilot.hover(view, offset=(7, 0))
        await pilot.mouse_up(view, offset=(7, 0))
        selected = list(view.render_line(0))
        assert selected != plain  # the selection's colours over the kept row
        assert "".join(s.text for s in selected) == "".join(s.text for s in plain)
        view.screen.clear_selection()
        await pilot.pause()
        assert list(view.render_line(0)) == plain


RUST = "Before.\n\n```rust\nfn main() {\n    let answer = 42;\n}\n```\n"


def code_styles(view: MarkdownView, needle: str) -> set:
    """The distinct colours of the visible characters on the row showing `needle`."""
    for y in range(view.size.height):
        strip = view.render_line(y)
        if needle in strip.text:
            return {seg.style.color for seg in strip if seg.text.strip() and seg.style}
    raise AssertionError(f"no row with {needle!r}")


async def test_code_waits_for_no_lexer_on_the_event_loop(monkeypatch) -> None:
    """A fence whose lexer is not made yet is drawn plain at once, the lexer is made
    on a worker thread, and the same rows are drawn again in colour."""
    import threading

    from codex_tui.ui import highlight

    monkeypatch.delitem(highlight._language_lexers, "rust", raising=False)
    made_on: list[threading.Thread] = []
    release = threading.Event()  # the lexer is "slow" until the plain rows are checked
    make = highlight._new_language_lexer

    def recording(key: str):
        made_on.append(threading.current_thread())
        release.wait(10)
        return make(key)

    monkeypatch.setattr(highlight, "_new_language_lexer", recording)
    view = MarkdownView(RUST)
    app = Host(view)
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        plain = code_styles(view, "fn main")
        height = view.size.height
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert made_on and threading.main_thread() not in made_on
        coloured = code_styles(view, "fn main")
        assert len(plain) == 1 < len(coloured)  # `fn` and `main` in their own colours
        assert view.size.height == height
        assert "rust" in highlight._language_lexers
        # Made once: a second view draws in colour straight away.
        second = MarkdownView(RUST)
        await app.mount(second)
        await pilot.pause()
        assert len(code_styles(second, "fn main")) > 1
        assert len(made_on) == 1


async def test_only_the_chunks_with_plain_code_are_drawn_again(monkeypatch) -> None:
    """A long streamed answer is not drawn whole again when a lexer arrives: the
    rows of its other chunks keep their drawn strips."""
    import threading

    from codex_tui.ui import highlight

    monkeypatch.delitem(highlight._language_lexers, "go", raising=False)
    release = threading.Event()
    make = highlight._new_language_lexer
    monkeypatch.setattr(
        highlight, "_new_language_lexer", lambda key: release.wait(10) and make(key)
    )
    view = MarkdownView()
    app = Host(view)
    async with app.run_test(size=(80, 30)) as pilot:
        view.append("First paragraph, settled long before the code.\n\n")
        view.append("Second paragraph.\n\n```go\nfunc main() {\n}\n```\n\nAfter.")
        view.finish()
        await pilot.pause()
        first = view.render_line(0)
        assert "First paragraph" in first.text
        assert len(code_styles(view, "func main")) == 1  # plain for now
        assert list(view._uncoloured) != [0]  # the first chunk had no code
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(code_styles(view, "func main")) > 1
        assert view.render_line(0) is first  # not drawn again


async def test_a_lexer_pygments_cannot_make_leaves_its_code_plain_and_no_other(
    monkeypatch,
) -> None:
    import pygments.lexers

    from codex_tui.ui import highlight

    for language in ("go", "rust"):
        monkeypatch.delitem(highlight._language_lexers, language, raising=False)
    make = pygments.lexers.get_lexer_by_name

    def failing(alias: str, **options):
        if alias == "go":
            raise ValueError("a broken lexer")
        return make(alias, **options)

    monkeypatch.setattr(pygments.lexers, "get_lexer_by_name", failing)
    view = MarkdownView("```go\nfunc main() {\n}\n```\n")
    app = Host(view)
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(code_styles(view, "func main")) == 1  # plain, for good
        assert highlight.language_lexer_if_ready("go") == (True, None)
        later = MarkdownView(RUST)
        await app.mount(later)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(code_styles(later, "fn main")) > 1  # the loader goes on


async def test_quitting_does_not_wait_for_a_lexer_still_to_be_made(monkeypatch) -> None:
    """The lexer thread waits out its pause on the worker's cancel event: the app
    closes, the thread ends at once and the lexer is never made."""
    import threading

    from codex_tui.ui import highlight, lexer_loader

    monkeypatch.setattr(lexer_loader, "LEXER_DELAY_S", 5.0)
    monkeypatch.delitem(highlight._language_lexers, "rust", raising=False)
    made: list[str] = []
    monkeypatch.setattr(highlight, "_new_language_lexer", lambda key: made.append(key))
    ended = threading.Event()
    make = lexer_loader._Loader._make

    def recording(self) -> None:
        try:
            make(self)
        finally:
            ended.set()

    monkeypatch.setattr(lexer_loader._Loader, "_make", recording)
    app = Host(MarkdownView(RUST))
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        assert not ended.is_set()  # waiting out its pause
    # Without the cancel event the thread would sleep on for its 5 s.
    assert ended.wait(2.5)
    assert made == []


class AutoWidthHost(App):
    CSS = "MarkdownView { width: auto; }"

    def compose(self) -> ComposeResult:
        yield MarkdownView(ANSWER)


async def test_a_width_auto_rule_lays_the_view_out() -> None:
    # Textual measures a `width: auto` widget through its own `_render()`; a
    # method of ours by that name once broke every such layout.
    app = AutoWidthHost()
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.pause()
        view = app.query_one(MarkdownView)
        assert 0 < view.size.width <= 80
        assert view.size.height == len(view.lines()) > 0
        assert any("def greet" in line for line in view.lines())


def app_selection(view: MarkdownView) -> str | None:
    return view.screen.get_selected_text()


def test_settle_point_never_cuts_inside_a_code_fence() -> None:
    text = "Intro.\n\n```python\nx = 1\n\ny = 2\n"
    assert settle_point(text, 0) == len("Intro.\n\n")
    closed = text + "```\n\nAfter"
    assert settle_point(closed, 0) == len(text + "```\n\n")


def test_a_half_written_fence_language_is_never_looked_up_in_plugins(monkeypatch) -> None:
    """Pygments searches installed plugins for an unknown alias (one imported all of
    IPython); a fence's language streams in a letter at a time."""
    import pygments.lexers

    def no_plugins():
        raise AssertionError("pygments was asked for plugin lexers")

    monkeypatch.setattr(pygments.lexers, "find_plugin_lexers", no_plugins)
    console = Console(width=40, color_system="truecolor")
    lines, plain = to_lines("```typ\nconst a = 1\n```", console, 40, "monokai")
    assert any("const a = 1" in line for line in plain)
    lines, _ = to_lines("```typescript\nconst a = 1\n```", console, 40, "monokai")
    colours = {segment.style.color for line in lines for segment in line if segment.style}
    assert len(colours - {None}) > 1  # highlighted: keywords and names differ


@pytest.mark.parametrize(
    ("environment", "period"), [({}, 1 / 1000), ({"TEXTUAL_FPS": "30"}, 1 / 30)]
)
def test_the_app_package_raises_the_frame_rate_unless_the_user_set_one(
    environment: dict[str, str], period: float
) -> None:
    probe = (
        "import os, codex_tui.ui, textual.screen;"
        "print(textual.screen.UPDATE_PERIOD, os.environ.get('TEXTUAL_FPS'))"
    )
    env = {"PATH": "/usr/bin:/bin", **environment}
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert float(out[0]) == pytest.approx(period)
    assert out[1] == environment.get("TEXTUAL_FPS", "None")  # nothing left for commands


class FakeClock:
    """Stands in for the conversation's `time` module: time moves when told."""

    now = 1000.0

    def monotonic(self) -> float:
        return self.now


def paced_view(monkeypatch):
    """A conversation on the fake clock, and an app holding only it."""
    import codex_tui.ui.conversation as conversation_module
    from codex_tui.ui.conversation import ConversationView

    clock = FakeClock()
    monkeypatch.setattr(conversation_module, "time", clock)
    view = ConversationView()

    class ConversationHost(App):
        def compose(self) -> ComposeResult:
            yield view

    return clock, view, ConversationHost()


async def test_streamed_text_waits_briefly_for_a_keystrokes_frame(monkeypatch) -> None:
    """Text arriving just after a key waits INPUT_GRACE_S, so the key's frame is drawn
    alone; but it never waits more than INPUT_HOLD_MAX_S, however fast the typing."""
    from codex_tui.agent import events as ev
    from codex_tui.ui.conversation import INPUT_GRACE_S, INPUT_HOLD_MAX_S

    clock, view, host = paced_view(monkeypatch)
    async with host.run_test() as pilot:
        view.handle(ev.AgentMessageDelta(item_id="a", delta="Hello"))
        view._paced_flush()  # nothing typed: shown at once
        assert view._answers["a"].text == "Hello"

        view.input_arrived()
        view.handle(ev.AgentMessageDelta(item_id="a", delta=" there"))
        clock.now += INPUT_GRACE_S / 2
        view._paced_flush()
        assert view._answers["a"].text == "Hello"  # held for the key's frame
        clock.now += INPUT_GRACE_S
        view._paced_flush()
        assert view._answers["a"].text == "Hello there"

        view.handle(ev.AgentMessageDelta(item_id="a", delta="!"))
        for _ in range(10):  # a key every few milliseconds
            clock.now += INPUT_HOLD_MAX_S / 5
            view.input_arrived()
            view._paced_flush()
        assert view._answers["a"].text == "Hello there!"
        await pilot.pause()


async def test_streamed_text_held_for_a_key_is_shown_however_little_was_left_of_the_wait(
    monkeypatch,
) -> None:
    """Held text waits for what is left of INPUT_GRACE_S, however little: a timer of
    a nanosecond still fires (Textual's set_timer drops a one-shot timer whose
    moment passed before its task first ran, and the answer stopped on screen)."""
    from codex_tui.agent import events as ev
    from codex_tui.ui.conversation import INPUT_GRACE_S

    clock, view, host = paced_view(monkeypatch)
    async with host.run_test() as pilot:
        view.input_arrived()
        view.handle(ev.AgentMessageDelta(item_id="a", delta="Hello"))
        view.flush()
        view.handle(ev.AgentMessageDelta(item_id="a", delta=" there"))
        assert view._flush_timer is not None
        view._flush_timer.cancel()  # the test paces: no other flush may come
        clock.now += INPUT_GRACE_S - 1e-9
        view._paced_flush()  # held: the rest of the wait is one nanosecond
        assert view._answers["a"].text == "Hello"
        clock.now += 1e-3
        await pilot.pause(0.05)
        assert view._answers["a"].text == "Hello there"


@pytest.mark.parametrize("kind", ["answer", "reasoning"])
async def test_streamed_text_growing_in_the_conversation_costs_one_layout(
    kind: str, monkeypatch
) -> None:
    """Each growth of a streamed answer (or reasoning) lays the screen out once: Textual's own
    follow-up pass (asked for when it stores the new sizes) is skipped, as it would
    lay out and paint the whole screen again on the next frame. A resized terminal
    still gets it, and the view stays at the bottom."""
    from textual.screen import Screen

    from codex_tui.agent import events as ev
    from codex_tui.ui.conversation import ConversationView

    layouts = 0
    lay_out = Screen._refresh_layout

    def counted(self, *args, **kwargs):
        nonlocal layouts
        layouts += 1
        return lay_out(self, *args, **kwargs)

    monkeypatch.setattr(Screen, "_refresh_layout", counted)
    view = ConversationView()

    class ConversationHost(App):
        def compose(self) -> ComposeResult:
            yield view

    async with ConversationHost().run_test(size=(60, 12)) as pilot:
        # Taller than the screen first: the scrollbar that appears then asks for
        # layouts of its own.
        delta = ev.AgentMessageDelta if kind == "answer" else ev.ReasoningDelta
        view.handle(delta(item_id="a", delta="\n\n".join(["line"] * 12)))
        view.flush()
        await pilot.pause(0.1)
        for n in range(1, 16):
            before = layouts
            view.handle(delta(item_id="a", delta=f"\n\nparagraph {n}"))
            view.flush()
            await pilot.pause(0.05)
            assert layouts - before == 1, f"growth {n}: {layouts - before} layouts"
        assert view.max_scroll_y > 0 and view.scroll_y == view.max_scroll_y
        await pilot.resize_terminal(50, 10)
        await pilot.pause(0.1)
        assert view.scroll_y == view.max_scroll_y
        if kind == "answer":
            assert "paragraph 15" in view._answers["a"].lines()[-1]


def test_the_warm_up_loads_what_the_first_answer_would_load() -> None:
    """warm_up_rendering (run on a worker thread before the first request) leaves
    markdown-it, rich's markdown, a lexer and the code style loaded, so the first
    answer does not import them on the event loop."""
    probe = (
        "import sys\n"
        "from codex_tui.ui.markdown import warm_up_rendering\n"
        "names = ('markdown_it', 'rich.markdown', 'pygments.lexers.python', 'pygments.styles.monokai')\n"
        "print(*[n in sys.modules for n in names])\n"
        "warm_up_rendering('monokai')\n"
        "print(*[n in sys.modules for n in names])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    before, after = done.stdout.split("\n")[:2]
    assert before == "False False False False"
    assert after == "True True True True"
