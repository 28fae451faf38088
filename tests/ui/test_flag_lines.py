"""The response checker's notes in the conversation (#15 bug 11): one line per
flag, naming what the secret looks like and showing it masked, indented like
the messages, with the key that sends the correction (ctrl+o: ctrl+g is kept
for "open the draft in $EDITOR")."""

from __future__ import annotations

from codex_tui.scripted import Message, Reply
from codex_tui.ui.cells import AnswerCell, FlagCell
from tests.ui.conftest import screen_text, wait_for
from tests.ui.test_app_commands import started

KEY = "sk-proj-" + "Zq9Xw8" * 6 + "abcd"
REPLY = f"Set it like this:\n\n    export OPENAI_API_KEY={KEY}\n\nthen run `make`."


async def flagged(app, pilot) -> FlagCell:
    await started(app, pilot)
    await pilot.press(*"configure it", "enter")
    await wait_for(pilot, lambda: app.conversation.query(FlagCell), what="the flag")
    await wait_for(pilot, lambda: not app.busy)
    return app.conversation.query_one(FlagCell)


async def test_a_secret_flag_is_one_line_naming_the_kind_and_masking_it(
    scripted_server, app_factory
) -> None:
    scripted_server.add(Reply([Message(REPLY, id="msg_key")]))
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        flag = await flagged(app, pilot)
        line = str(flag.body.content)
        answer = app.conversation.query_one(AnswerCell)
        flag_x, answer_x = flag.content_region.x, answer.content_region.x
        text = screen_text(app)
    assert line == "⚑ possible OpenAI key sk-proj-…abcd · ctrl+o to correct"
    assert flag_x == answer_x  # indented like the messages
    assert KEY not in line and KEY in text  # the answer itself is the model's, as written


async def test_each_flag_has_its_line_and_the_key_acts_on_the_newest(
    scripted_server, app_factory
) -> None:
    scripted_server.add(
        Reply([Message(f"Use {KEY} with password=hunter2hunter2 here.", id="msg_1")]),
        Reply([Message("Or `github_pat_" + "A1b2" * 12 + "` instead.", id="msg_2")]),
    )
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        first = await flagged(app, pilot)
        assert str(first.body.content).splitlines() == [
            "⚑ possible OpenAI key sk-proj-…abcd",
            "⚑ possible password …ter2 · ctrl+o to correct",
        ]
        await pilot.press(*"and GitHub?", "enter")
        await wait_for(pilot, lambda: len(app.conversation.query(FlagCell)) == 2)
        await wait_for(pilot, lambda: not app.busy)
        second = app.conversation.query(FlagCell).last()
        older, newer = str(first.body.content), str(second.body.content)
    assert older.endswith(" · click to correct")
    assert newer == "⚑ possible GitHub token github_pat_…A1b2 · ctrl+o to correct"


async def test_ctrl_o_sends_the_correction(scripted_server, app_factory) -> None:
    scripted_server.add(Reply([Message(REPLY)]), Reply([Message("Right, use the environment.")]))
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        flag = await flagged(app, pilot)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: "use the environment" in screen_text(app), timeout=3)
        assert str(flag.body.content).endswith(" · correction sent")
    (correction,) = [c["text"] for c in scripted_server.bodies[1]["input"][-1]["content"]]
    assert "OpenAI key sk-proj-…abcd" in correction and KEY not in correction
