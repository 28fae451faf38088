"""Layout by terminal width, start-up without a key, per-hunk approval, ctrl+c,
notifications and the "new output" hint."""

from __future__ import annotations

import os
from pathlib import Path

from codex_tui.scripted import FunctionCall, Message, Reply
from codex_tui.ui.app import CodexApp, Launch
from codex_tui.ui.approval import ApprovalScreen
from codex_tui.ui.cells import MarkdownCell
from codex_tui.ui.key_prompt import KeyScreen
from tests.agent.conftest import scripted_config
from tests.ui.conftest import screen_text, wait_for


def width_of(app, selector: str) -> int:
    return app.query_one(selector).region.width


async def test_the_side_column_earns_its_space_and_ctrl_t_toggles_it_at_any_width(
    scripted_server, app_factory
) -> None:
    plan = {"plan": [{"step": "Look", "status": "in_progress"}]}
    scripted_server.add(Reply([FunctionCall("update_plan", plan)]), Reply([Message("ok")]))
    app = app_factory()
    async with app.run_test(size=(150, 40)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        # Nothing to show yet: no empty boxes, the conversation takes the width.
        assert width_of(app, "#side") == 0 and width_of(app, "#conversation") == 150
        await pilot.press("ctrl+t")
        assert width_of(app, "#side") > 0
        await pilot.press("ctrl+t")
        assert width_of(app, "#side") == 0
        await pilot.press("ctrl+b")
        assert width_of(app, "#sidebar") > 0
        await pilot.press("ctrl+b")
        await pilot.press(*"plan it", "enter")
        await wait_for(pilot, lambda: not app.busy, what="the turn")
        # A plan arrived, but the person had hidden the column: it stays hidden
        # until asked for; then it follows the content again.
        assert width_of(app, "#side") == 0
        await pilot.press("ctrl+t")
        assert width_of(app, "#side") > 0 and width_of(app, "#conversation") > 0
        await pilot.resize_terminal(90, 30)
        await pilot.pause()
        assert width_of(app, "#side") == 90  # narrow: instead of the conversation
        await pilot.press("ctrl+t")
        assert width_of(app, "#side") == 0 and width_of(app, "#conversation") == 90


async def test_a_plan_opens_the_side_column_by_itself(scripted_server, app_factory) -> None:
    plan = {"plan": [{"step": "Look", "status": "in_progress"}]}
    scripted_server.add(Reply([FunctionCall("update_plan", plan)]), Reply([Message("ok")]))
    app = app_factory()
    async with app.run_test(size=(150, 40)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        assert width_of(app, "#side") == 0
        await pilot.press(*"plan it", "enter")
        await wait_for(pilot, lambda: width_of(app, "#side") > 0, what="the side column")


async def test_everything_fits_at_80_by_24(scripted_server, app_factory) -> None:
    scripted_server.add(Reply([Message("short answer")]))
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        await pilot.press(*"hi", "enter")
        await wait_for(pilot, lambda: "short answer" in screen_text(app))
        for selector in ("#conversation", "#composer", "#status"):
            region = app.query_one(selector).region
            assert region.width > 0 and region.bottom <= 24, selector
        assert app.query_one("#status").region.y == 23


async def test_missing_api_key_opens_the_app_and_says_what_to_set(
    scripted_server, workspace: Path, monkeypatch
) -> None:
    monkeypatch.delenv("CODEX_TUI_TEST_KEY", raising=False)
    config = scripted_config(scripted_server)
    config.provider.env_key = "CODEX_TUI_TEST_KEY"
    app = CodexApp(Launch(config, workspace))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        text = screen_text(app)
        assert "CODEX_TUI_TEST_KEY" in text and "config.yaml" in text
        # As drawn: the command to run is shown whole (markdown would swallow a bare
        # "<your key>" as an HTML tag).
        drawn = " ".join(line.strip() for cell in app.query(MarkdownCell) for line in cell.lines())
        assert "export CODEX_TUI_TEST_KEY=<your key>" in drawn
        # Sending asks for a key once (no failed turn, no repeated banner); esc
        # gives the draft back.
        await pilot.press(*"hello", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, KeyScreen), what="the prompt")
        await pilot.press("escape")
        assert app.composer.text == "hello" and not app.busy
        assert screen_text(app).count("CODEX_TUI_TEST_KEY is not set") == 1  # the banner
        assert not scripted_server.requests
        # A pasted key is used at once, for this process only.
        scripted_server.add(Reply([Message("hi there")]))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, KeyScreen), what="the prompt")
        await pilot.press(*"sk-test-123", "enter")
        await wait_for(pilot, lambda: "hi there" in screen_text(app), what="the answer")
        assert os.environ["CODEX_TUI_TEST_KEY"] == "sk-test-123"
        assert scripted_server.requests[0].headers["authorization"] == "Bearer sk-test-123"
        monkeypatch.delenv("CODEX_TUI_TEST_KEY")


LONG = "".join(f"line {i}\n" for i in range(1, 41))
TWO_HUNKS = """*** Begin Patch
*** Update File: long.txt
@@
 line 2
-line 3
+line three
@@
 line 30
-line 31
+line thirty-one
*** End Patch
"""


async def test_per_hunk_approval_applies_only_kept_hunks(
    scripted_server, workspace: Path, app_factory
) -> None:
    (workspace / "long.txt").write_text(LONG)
    scripted_server.add(
        Reply([FunctionCall("apply_patch", {"input": TWO_HUNKS}, call_id="p1")]),
        Reply([Message("applied what you kept")]),
    )
    app = app_factory(approval_policy="untrusted")
    async with app.run_test(size=(130, 45)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        await pilot.press(*"edit", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        # The diff pane shows the waiting patch too.
        assert "line thirty-one" in "\n".join(
            app.diff_view.render_line(y).text for y in range(app.diff_view.size.height)
        )
        await pilot.press("space")  # drop the first hunk
        assert "1 of 2 hunks kept" in str(app.screen.hunk_note.content)
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.busy)
    text = (workspace / "long.txt").read_text()
    assert "line 3\n" in text and "line three" not in text
    assert "line thirty-one\n" in text


async def test_escape_in_the_dialog_aborts_the_turn(scripted_server, workspace, app_factory):
    scripted_server.add(Reply([FunctionCall("shell", {"command": ["touch", "x"]})]))
    app = app_factory(approval_policy="untrusted")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        await pilot.press(*"go", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        await pilot.press("n")  # open the feedback box; esc closes only the box
        await pilot.press("escape")
        assert isinstance(app.screen, ApprovalScreen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.busy)
        assert "interrupted" in screen_text(app).lower()
    assert not (workspace / "x").exists()


async def test_ctrl_c_clears_the_draft_then_quits_on_a_second_press(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"a draft")
        assert app.composer.text == "a draft"
        await pilot.press("ctrl+c")
        assert app.composer.text == ""
        assert app.is_running
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.return_code == 0


async def test_ctrl_c_interrupts_a_running_turn(scripted_server, app_factory) -> None:
    scripted_server.add(
        Reply([Message("slow " * 40)], chunk_size=10, delay_per_delta_s=0.3),
        Reply([Message("next")]),
    )
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        await pilot.press(*"go", "enter")
        await wait_for(pilot, lambda: app.agent.busy)
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: not app.busy)
        assert app.is_running
        assert "interrupted" in screen_text(app).lower()


async def test_unfocused_terminal_gets_a_bell_and_osc9(scripted_server, app_factory) -> None:
    scripted_server.add(Reply([FunctionCall("shell", {"command": ["touch", "x"]})]))
    app = app_factory(approval_policy="untrusted")
    written: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        original = app._driver.write
        app._driver.write = lambda data: (written.append(data), original(data))[1]
        bells = []
        app.bell = lambda: bells.append(1)
        app.app_focus = False  # as the terminal reports on blur; a key press would refocus
        app.send("go")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        assert bells and any("\x1b]9;codex-tui: approval needed\x07" in w for w in written)
        app.action_interrupt()
        await wait_for(pilot, lambda: not app.busy)
    assert any("turn finished" in w for w in written)


async def test_no_notifications_when_disabled(scripted_server, app_factory) -> None:
    scripted_server.add(Reply([Message("done")]))
    app = app_factory()
    app.config.tui.notifications = False
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        bells = []
        app.bell = lambda: bells.append(1)
        app.app_focus = False
        app.send("go")
        await wait_for(pilot, lambda: not app.busy and "done" in screen_text(app))
    assert not bells


async def test_new_output_hint_while_scrolled_up(scripted_server, app_factory) -> None:
    scripted_server.add(
        Reply([Message("\n\n".join(f"paragraph {i}" for i in range(60)))]),
        Reply([Message("fresh output " * 30)], chunk_size=20, delay_per_delta_s=0.05),
    )
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        await pilot.press(*"one", "enter")
        await wait_for(pilot, lambda: not app.busy and "paragraph 59" in screen_text(app))
        await pilot.pause(0.1)
        hint = app.query_one("#new-output")
        assert not hint.display
        await pilot.press(*"two", "enter")
        await wait_for(pilot, lambda: "fresh output" in screen_text(app))
        await pilot.press("pageup", "pageup")
        top = app.conversation.scroll_y
        await wait_for(pilot, lambda: hint.display, what="the hint")
        # Scrolled up, the view stays where the person put it.
        assert app.conversation.scroll_y <= top + 1
        await wait_for(pilot, lambda: not app.busy)
        await pilot.press("ctrl+end")
        await pilot.pause(0.1)
        assert not hint.display
        assert app.conversation.scroll_y == app.conversation.max_scroll_y


async def test_answer_text_can_be_selected_and_copied(scripted_server, app_factory) -> None:
    from codex_tui.ui.cells import AnswerCell

    scripted_server.add(Reply([Message("Copy this sentence please.\n\nSecond paragraph here.")]))
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        await pilot.press(*"hi", "enter")
        await wait_for(pilot, lambda: not app.busy and app.conversation.query(AnswerCell))
        await pilot.pause(0.1)
        cell = app.conversation.query_one(AnswerCell)
        await pilot.mouse_down(cell, offset=(2, 0))
        await pilot.hover(cell, offset=(30, 2))
        await pilot.mouse_up(cell, offset=(30, 2))
        await pilot.press("ctrl+c")
        assert app.clipboard == "Copy this sentence please.\n\nSecond paragraph here."
        assert app.is_running  # copying is not the first press of "ctrl+c twice quits"


async def test_long_histories_keep_few_cells_mounted_and_restore_each_once(app_factory) -> None:
    from codex_tui.ui.cell_window import MAX_MOUNTED
    from codex_tui.ui.welcome import WelcomeCell

    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        for n in range(MAX_MOUNTED + 100):
            app.conversation.note("info", f"note {n}")
        await pilot.pause(0.2)
        assert len(app.conversation.cells()) == MAX_MOUNTED
        assert len(app.conversation.hidden) == 101, "the welcome header and 100 notes"
        app.conversation.show_earlier(101)
        await pilot.pause(0.2)
        welcome, *notes = app.conversation.cells()
    assert isinstance(welcome, WelcomeCell)
    assert [c.message for c in notes] == [f"note {n}" for n in range(MAX_MOUNTED + 100)]


async def test_the_mounted_window_is_a_few_screens_of_lines(app_factory) -> None:
    """Laid-out history beyond about KEEP_SCREENS screens is unmounted (a frame
    costs what is mounted); scrolling to the top brings it back, in order."""
    from codex_tui.ui.cell_window import KEEP_SCREENS, MIN_KEPT_LINES
    from codex_tui.ui.welcome import WelcomeCell

    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        conversation = app.conversation
        for n in range(60):
            conversation.markdown(f"answer {n}\n\n" + "\n\n".join(["a line"] * 4))
            await pilot.pause()
        await pilot.pause(0.1)
        cells = conversation.cells()
        budget = max(MIN_KEPT_LINES, KEEP_SCREENS * conversation.size.height)
        lines = sum(c.outer_size.height for c in cells)
        assert budget <= lines < budget + 2 * cells[0].outer_size.height
        assert len(cells) < 30 and len(conversation.hidden) == 61 - len(cells)
        while conversation.hidden:
            conversation.scroll_home(animate=False)
            await pilot.pause(0.1)
        welcome, *answers = conversation.cells()
        firsts = [c.source.split("\n")[0] for c in answers]
    assert isinstance(welcome, WelcomeCell)
    assert firsts == [f"answer {n}" for n in range(60)]


async def test_keys_after_expanding_reasoning_or_clicking_a_pane_reach_the_composer(
    scripted_server, app_factory
) -> None:
    from codex_tui.scripted import Reasoning
    from codex_tui.ui.cells import ReasoningCell

    scripted_server.add(Reply([Reasoning("**Thinking**\n\nLine two."), Message("Done.")]))
    scripted_server.add(Reply([Message("Again.")]))
    app = app_factory()
    async with app.run_test(size=(150, 40)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        await pilot.press(*"first", "enter")
        await wait_for(pilot, lambda: not app.busy and "Done." in screen_text(app))
        cell = app.query_one(ReasoningCell)
        await pilot.click(ReasoningCell)
        assert cell.expanded
        await pilot.press(*"next", "enter")
        await wait_for(pilot, lambda: len(scripted_server.bodies) == 2, what="the second send")
        await pilot.click("#plan")
        await pilot.press(*"third")
        assert app.composer.text == "third"
        assert app.focused is app.composer.input
        # Nothing focused (as when keys typed ahead arrive before the composer is):
        # a line feed (an Enter the terminal's line mode turned into ctrl+j) is kept.
        app.set_focus(None)
        await pilot.press("ctrl+j", *"more")
        assert app.composer.text == "third\nmore"


async def test_notifications_never_cover_the_composer(app_factory) -> None:
    from textual.widgets._toast import Toast

    app = app_factory()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        app.notify("Copied the selection.", timeout=5)
        await pilot.pause(0.2)
        toast = app.query(Toast).first().region
        assert toast.height and not toast.overlaps(app.composer.region)
        assert toast.y < app.composer.region.y
