"""The conveniences (#21) in the real app: `!command` runs the person's own
command and the model sees it next; ctrl+g edits the draft in $EDITOR; /effort
changes the next request's reasoning effort and the status bar says so."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from codex_tui.scripted import Message, Reply
from codex_tui.ui.cells import CommandCell
from tests.ui.conftest import screen_text, wait_for


async def test_bang_runs_a_command_and_the_model_sees_it(
    scripted_server, workspace: Path, app_factory
) -> None:
    scripted_server.add(Reply([Message("I see the listing.")]))
    app = app_factory(approval_policy="untrusted")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        await pilot.press("!", "enter")
        await wait_for(pilot, lambda: "!command runs a command yourself" in screen_text(app))
        await pilot.press(*"!ls -1", "enter")
        await wait_for(
            pilot,
            lambda: any(c.status == "completed" for c in app.conversation.query(CommandCell)),
            what="the command",
        )
        assert not scripted_server.bodies  # nothing was sent to the model, nothing asked
        await pilot.press(*"what is here?", "enter")
        await wait_for(pilot, lambda: "I see the listing." in screen_text(app), what="answer")
    sent = json.dumps(scripted_server.bodies[0]["input"])
    assert "$ ls -1" in sent and "notes.txt" in sent and "Exit code: 0" in sent


async def test_ctrl_g_edits_the_draft_in_the_editor(
    app_factory, tmp_path: Path, monkeypatch
) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nsed -i "s/draft/edited text/" "$1"\necho second line >> "$1"\n')
    editor.chmod(editor.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("VISUAL", str(editor))
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"a draft")
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: app.composer.text.startswith("a edited text"))
        assert app.composer.text == "a edited text\nsecond line"
    assert os.environ["VISUAL"] == str(editor)


async def test_effort_changes_the_next_request(scripted_server, app_factory) -> None:
    scripted_server.add(Reply([Message("thought hard")]))
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        await pilot.press(*"/effort high", "enter")
        await wait_for(pilot, lambda: "effort: high" in str(app.status_bar.content))
        await pilot.press(*"think", "enter")
        await wait_for(pilot, lambda: "thought hard" in screen_text(app), what="answer")
    assert scripted_server.bodies[0]["reasoning"]["effort"] == "high"


async def test_a_web_search_renders_as_a_cell_with_links(scripted_server, app_factory) -> None:
    from codex_tui.config.schema import Tools
    from codex_tui.scripted import WebSearch
    from codex_tui.ui.note_cells import WebSearchCell

    url = "https://docs.example.org/[bold]page"
    scripted_server.add(Reply([WebSearch("[red]textual[/red] docs", [url]), Message("Found it.")]))
    app = app_factory(tools=Tools(web_search=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        await pilot.press(*"search it", "enter")
        await wait_for(pilot, lambda: "Found it." in screen_text(app), what="the answer")
        (cell,) = app.conversation.query(WebSearchCell)
        head, sources = (str(s.render()) for s in cell.query("Static"))
        assert head == "• searched: [red]textual[/red] docs"  # the server's text, not markup
        assert url in sources
        link_styles = [span.style for span in cell.query("Static")[1].render().spans]
        assert any(getattr(style, "link", None) == url for style in link_styles)
    assert {"type": "web_search"} in scripted_server.bodies[0]["tools"]


async def test_the_turn_line_and_status_show_tokens_and_cost(scripted_server, app_factory) -> None:
    from codex_tui.scripted import Usage
    from codex_tui.ui.note_cells import SeparatorCell

    usage = Usage(input_tokens=100_000, cached_input_tokens=40_000, output_tokens=2_000)
    scripted_server.add(Reply([Message("priced")], usage=usage))
    app = app_factory(model="gpt-5-codex")
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        await pilot.press(*"hi", "enter")
        await wait_for(pilot, lambda: app.conversation.query(SeparatorCell), what="turn end")
        (line,) = app.conversation.query(SeparatorCell)
        # 60k fresh × $1.25 + 40k cached × $0.125 + 2k × $10, per million tokens.
        assert "100,000 in (40,000 cached) · 2,000 out · ~$0.1000" in line.label
        await pilot.press(*"/status", "enter")
        await wait_for(pilot, lambda: "| usage | 100,000 in" in screen_text(app), what="/status")


async def test_vim_mode_basics(scripted_server, app_factory) -> None:
    from codex_tui.config.schema import Tui

    scripted_server.add(Reply([Message("sent from normal mode")]))
    app = app_factory(tui=Tui(vim_mode=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        area = app.composer.input
        assert area.border_title == "INSERT"
        await pilot.press(*"first line", "escape")
        assert area.border_title == "NORMAL"
        await pilot.press("x")  # deletes the char under the cursor ("e" of "line")
        assert app.composer.text == "first lin"
        await pilot.press("0", "w", "i", *"big ", "escape")
        assert app.composer.text == "first big lin"
        await pilot.press("A", *"e!", "escape", "o", *"second", "escape")
        assert app.composer.text == "first big line!\nsecond"
        await pilot.press("k", "d", "d")
        assert app.composer.text == "second"
        await pilot.press("h", "h", "q", "z")  # keys with no meaning are not typed
        assert app.composer.text == "second"
        await pilot.press("l", "a", *"X", "escape", "A", *" one", "escape", "enter")
        await wait_for(pilot, lambda: "sent from normal mode" in screen_text(app), what="answer")
    assert "seXcond one" in json.dumps(scripted_server.bodies[0]["input"])
