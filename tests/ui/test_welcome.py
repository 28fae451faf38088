"""The welcome header: shown once at the top of a new session, never on resume,
and every value in it is escaped (a directory's name is the repository's)."""

from __future__ import annotations

from pathlib import Path

from codex_tui.ui.welcome import WelcomeCell, welcome_markup
from tests.ui.conftest import make_app, wait_for
from tests.ui.test_app_sessions import record_a_session


def header_text(app) -> str:
    cells = app.conversation.query(WelcomeCell)
    return "\n".join(str(static.render()) for cell in cells for static in cell.children)


async def test_new_session_opens_with_model_folder_and_rules(scripted_server, tmp_path) -> None:
    hostile = tmp_path / "[b]x [link=https:evil]y [red]z"
    hostile.mkdir()
    app = make_app(scripted_server, hostile, model="m[red]odel")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        cells = app.conversation.cells()
        assert isinstance(cells[0], WelcomeCell)
        text = header_text(app)
    assert "m[red]odel" in text, "the model's name is shown as written"
    assert "[b]x [link=https:evil]y [red]z" in text, "markup in a folder's name stays text"
    assert f"approval {app.config.approval_policy}" in text
    assert f"sandbox {app.config.sandbox_mode}" in text
    assert "ctrl+b past sessions" in text


async def test_resumed_session_has_no_header(scripted_server, workspace: Path) -> None:
    path = await record_a_session(scripted_server, workspace)
    app = make_app(scripted_server, workspace)
    app.launch.resume = path
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        assert not app.conversation.query(WelcomeCell)


def test_markup_escapes_every_value() -> None:
    markup = welcome_markup(
        version="[i]1",
        model="[b]m",
        provider="[u]p",
        cwd=Path("/[s]d"),
        approval="[x]a",
        sandbox="[y]s",
    )
    from textual.content import Content

    plain = Content.from_markup(markup).plain
    for value in ("[i]1", "[b]m", "[u]p", "/[s]d", "[x]a", "[y]s"):
        assert value in plain
