"""The session sidebar in a tiny host app, driven with Textual's pilot."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input, OptionList, Static

from codex_tui.agent.items import message_text
from codex_tui.agent.session import build_agent
from codex_tui.scripted import Message, Reply, ScriptedModelServer
from codex_tui.sessions import read_session
from codex_tui.ui.sidebar import MAX_ROWS, ConfirmScreen, RenameScreen, SessionSidebar
from tests.agent.conftest import fast_client, scripted_config
from tests.agent.fakes import EventLog, FakeApprover
from tests.sessions.conftest import line, write_session
from tests.ui.conftest import make_app, screen_text, wait_for


@pytest.fixture(autouse=True)
def codex_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("codex-home")
    monkeypatch.setenv("CODEX_HOME", str(home))
    return home


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    return root


def session(
    home: Path,
    session_id: str,
    request: str,
    cwd: Path,
    *,
    days_ago: float = 0,
    answer: str = "Done.",
    originator: str = "codex-tui",
) -> Path:
    meta = {
        "id": session_id,
        "timestamp": "2025-01-02T10:00:00.000Z",
        "cwd": str(cwd),
        "originator": originator,
        "cli_version": "0.1.0",
        "git": {"branch": "main"},
    }
    path = write_session(
        home,
        session_id,
        [
            line("session_meta", meta),
            line("event_msg", {"type": "user_message", "message": request}),
            line("event_msg", {"type": "agent_message", "message": answer}),
        ],
    )
    when = time.time() - days_ago * 86400
    os.utime(path, (when, when))
    return path


class Host(App):
    """Just the sidebar; records what it asks for."""

    def __init__(self, cwd: Path) -> None:
        super().__init__()
        self.sidebar = SessionSidebar(cwd, id="sidebar")
        self.opened: list[Path] = []
        self.resumed: list[Path] = []
        self.closed = 0

    def compose(self) -> ComposeResult:
        yield self.sidebar

    def on_session_sidebar_open_requested(self, event: SessionSidebar.OpenRequested) -> None:
        self.opened.append(event.path)

    def on_session_sidebar_resume_requested(self, event: SessionSidebar.ResumeRequested) -> None:
        self.resumed.append(event.path)

    def on_session_sidebar_close_requested(self, event: SessionSidebar.CloseRequested) -> None:
        self.closed += 1


async def settle(pilot, predicate, timeout: float = 10.0, what: str = "") -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await pilot.pause(0.02)


def rows(sidebar: SessionSidebar) -> list[str]:
    """The list as text: group headers and the first line of each row."""
    option_list = sidebar.query_one("#sessions-list", OptionList)
    return [str(o.prompt).split("\n")[0] for o in option_list.options]


def preview(sidebar: SessionSidebar) -> str:
    return str(sidebar.query_one("#sessions-preview", Static).content)


async def test_groups_by_day_and_toggles_all_repositories(
    isolated_home: Path, repo: Path, tmp_path: Path
) -> None:
    session(isolated_home, "aaaa0001-0000-4000-8000-000000000001", "today's work", repo)
    session(
        isolated_home, "aaaa0002-0000-4000-8000-000000000002", "yesterday's work", repo, days_ago=1
    )
    session(
        isolated_home,
        "aaaa0003-0000-4000-8000-000000000003",
        "earlier this week",
        repo / "sub",
        days_ago=3,
    )
    session(isolated_home, "aaaa0004-0000-4000-8000-000000000004", "last month", repo, days_ago=30)
    session(
        isolated_home, "bbbb0005-0000-4000-8000-000000000005", "another repo", tmp_path / "other"
    )
    app = Host(repo)
    async with app.run_test(size=(40, 40)) as pilot:
        sidebar = app.sidebar
        await settle(pilot, lambda: sidebar.loaded, what="the first listing")
        assert rows(sidebar) == [
            "Today", "today's work",
            "Yesterday", "yesterday's work",
            "This week", "earlier this week",
            "Older", "last month",
        ]  # fmt: skip
        assert "today's work" in preview(sidebar) and "Done." in preview(sidebar)
        sidebar.query_one("#sessions-list", OptionList).focus()
        await pilot.press("a")
        await settle(pilot, lambda: "another repo" in rows(sidebar), what="all repositories")
        assert "all repositories" in str(sidebar.query_one("#sessions-scope", Static).content)
        assert len(sidebar.sessions) == 5
        await pilot.press("a")
        await settle(pilot, lambda: len(sidebar.sessions) == 4, what="this repository again")


async def test_filter_as_you_type_matches_titles_and_message_text(
    isolated_home: Path, repo: Path
) -> None:
    session(isolated_home, "aaaa0001-0000-4000-8000-000000000001", "speed up the build", repo)
    # Both now: a session minutes old is "Yesterday" just after midnight.
    session(
        isolated_home, "aaaa0002-0000-4000-8000-000000000002", "look at the tests", repo,
        answer="The flaky one was test_retry_backoff.",
    )  # fmt: skip
    app = Host(repo)
    async with app.run_test(size=(40, 30)) as pilot:
        sidebar = app.sidebar
        await settle(pilot, lambda: sidebar.loaded)
        sidebar.query_one("#sessions-filter", Input).focus()
        await pilot.press(*"backoff")
        await settle(pilot, lambda: [s.title for s in sidebar.sessions] == ["look at the tests"])
        assert rows(sidebar) == ["Today", "look at the tests"]
        await pilot.press(*"zzz")
        await settle(pilot, lambda: not sidebar.sessions)
        assert rows(sidebar) == ["No session matches “backoffzzz”."]
        for _ in range(10):
            await pilot.press("backspace")
        await settle(pilot, lambda: len(sidebar.sessions) == 2)
        # Letters typed into the filter never trigger the list's keys (r, d, n, a).
        assert app.resumed == [] and not sidebar.show_all


async def test_open_resume_by_keyboard_and_mouse(isolated_home: Path, repo: Path) -> None:
    newer = session(isolated_home, "aaaa0001-0000-4000-8000-000000000001", "newer", repo)
    older = session(
        isolated_home, "aaaa0002-0000-4000-8000-000000000002", "older", repo, days_ago=0.1
    )
    app = Host(repo)
    async with app.run_test(size=(40, 30)) as pilot:
        sidebar = app.sidebar
        await settle(pilot, lambda: sidebar.loaded)
        sidebar.query_one("#sessions-filter", Input).focus()
        await pilot.press("down")
        assert sidebar.query_one("#sessions-list", OptionList).has_focus
        await pilot.press("enter")
        await settle(pilot, lambda: app.opened == [newer])
        await pilot.press("down", "r")
        await settle(pilot, lambda: app.resumed == [older])
        assert "older" in preview(sidebar)
        # A click on a row opens it (row 0 is the "Today" header, rows 1-2 the newer one).
        option_list = sidebar.query_one("#sessions-list", OptionList)
        await pilot.click(option_list, offset=(3, 1))
        await settle(pilot, lambda: app.opened == [newer, newer])
        await pilot.click("#sessions-hints", offset=(12, 0))  # "r resume"
        await settle(pilot, lambda: app.resumed == [older, newer])


async def test_delete_after_confirmation_and_rename(
    isolated_home: Path, codex_home: Path, repo: Path
) -> None:
    keep = session(isolated_home, "aaaa0001-0000-4000-8000-000000000001", "keep me", repo)
    doomed = session(
        isolated_home, "aaaa0002-0000-4000-8000-000000000002", "delete me", repo, days_ago=0.1
    )
    theirs = session(
        codex_home, "cccc0003-0000-4000-8000-000000000003", "codex cli work", repo,
        days_ago=0.2, originator="codex_cli_rs",
    )  # fmt: skip
    app = Host(repo)
    async with app.run_test(size=(40, 30)) as pilot:
        sidebar = app.sidebar
        await settle(pilot, lambda: len(sidebar.sessions) == 3)
        option_list = sidebar.query_one("#sessions-list", OptionList)
        option_list.focus()
        await pilot.press("down", "d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await settle(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert doomed.exists()
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(pilot, lambda: len(sidebar.sessions) == 2, what="the deleted session gone")
        assert not doomed.exists() and keep.exists()

        # Codex CLI's session: neither deleted nor renamed.
        option_list.highlighted = option_list.get_option_index(
            next(k for k, s in sidebar._rows.items() if s.source == "codex")
        )
        await pilot.press("d")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert theirs.exists()

        await pilot.press("home", "n")
        await settle(pilot, lambda: isinstance(app.screen, RenameScreen))
        field = app.screen.query_one(Input)
        field.value = ""
        await pilot.press(*"Keeper", "enter")
        await settle(pilot, lambda: "Keeper" in rows(sidebar), what="the new title")
        assert read_session(keep).meta.title == "Keeper"


async def test_resume_gives_the_model_the_earlier_history(
    workspace: Path, isolated_home: Path, scripted_server: ScriptedModelServer
) -> None:
    scripted_server.add(Reply([Message("The answer is 42.")]), Reply([Message("Yes, 42.")]))
    config = scripted_config(scripted_server)
    first = await build_agent(
        config, workspace, FakeApprover(), EventLog(), client=fast_client(config)
    )
    await first.submit("what is the answer?")
    await first.aclose()

    class ResumingHost(Host):
        async def on_session_sidebar_resume_requested(
            self, event: SessionSidebar.ResumeRequested
        ) -> None:
            # (Host's handler, which records the request, runs as well.)
            self.run_worker(self.continue_session(event.path))

        async def continue_session(self, path: Path) -> None:
            agent = await build_agent(
                config,
                workspace,
                FakeApprover(),
                EventLog(),
                client=fast_client(config),
                resume=path,
            )
            await agent.submit("are you sure?")
            await agent.aclose()

    app = ResumingHost(workspace)
    async with app.run_test(size=(40, 30)) as pilot:
        sidebar = app.sidebar
        await settle(pilot, lambda: sidebar.loaded and sidebar.sessions)
        assert rows(sidebar)[1] == "what is the answer?"
        sidebar.query_one("#sessions-list", OptionList).focus()
        await pilot.press("r")
        await settle(pilot, lambda: len(scripted_server.bodies) == 2, what="the resumed request")
        await app.workers.wait_for_complete()
    sent = [
        message_text(i) for i in scripted_server.last_body["input"] if i.get("type") == "message"
    ]
    assert sent[-3:] == ["what is the answer?", "The answer is 42.", "are you sure?"]
    assert app.resumed == [first.session_path]
    assert read_session(first.session_path).meta.turns == 2


async def test_long_histories_show_the_latest_and_filter_reaches_the_rest(
    isolated_home: Path, repo: Path
) -> None:
    for n in range(MAX_ROWS + 5):
        session(
            isolated_home, f"{n:08x}-0000-4000-8000-000000000000", f"request number {n}", repo,
            days_ago=n / 1000,
        )  # fmt: skip
    app = Host(repo)
    async with app.run_test(size=(40, 30)) as pilot:
        sidebar = app.sidebar
        await settle(pilot, lambda: sidebar.loaded)
        assert len(sidebar.sessions) == MAX_ROWS and sidebar.truncated
        assert rows(sidebar)[-1] == "[dim]Older sessions: type to filter[/dim]"
        sidebar.query_one("#sessions-filter", Input).focus()
        await pilot.press(*f"number {MAX_ROWS + 4}")
        await settle(
            pilot, lambda: [s.title for s in sidebar.sessions] == [f"request number {MAX_ROWS + 4}"]
        )
        assert not sidebar.truncated


# ---------------------------------------------------------------------------- one key model


async def test_the_list_takes_the_keys_and_slash_moves_to_the_filter(
    isolated_home: Path, repo: Path
) -> None:
    session(isolated_home, "aaaa0001-0000-4000-8000-000000000001", "speed up the build", repo)
    tests = session(
        isolated_home, "aaaa0002-0000-4000-8000-000000000002", "look at the tests", repo,
        days_ago=0.01,
    )  # fmt: skip
    app = Host(repo)
    async with app.run_test(size=(40, 30)) as pilot:
        sidebar = app.sidebar
        await settle(pilot, lambda: sidebar.loaded)
        sidebar.opened(None)  # what the app does when it shows the sidebar
        await pilot.pause()
        option_list = sidebar.query_one("#sessions-list", OptionList)
        filter_box = sidebar.query_one("#sessions-filter", Input)
        assert option_list.has_focus
        await pilot.press("a")
        await settle(pilot, lambda: sidebar.show_all, what="all repositories")
        await pilot.press("a")
        await settle(pilot, lambda: not sidebar.show_all)
        # `/` goes to the filter, where letters are typed; Enter comes back to the list.
        await pilot.press("slash")
        assert filter_box.has_focus
        await pilot.press(*"tests")
        await settle(pilot, lambda: [s.title for s in sidebar.sessions] == ["look at the tests"])
        assert app.resumed == [] and not sidebar.show_all
        await pilot.press("enter")
        assert option_list.has_focus and filter_box.value == "tests"
        await pilot.press("r")
        await settle(pilot, lambda: app.resumed == [tests])
        # Esc in the filter clears it and comes back; Esc in the list asks to close.
        await pilot.press("slash", "x", "escape")
        assert option_list.has_focus and filter_box.value == ""
        await settle(pilot, lambda: len(sidebar.sessions) == 2, what="the whole list again")
        assert app.closed == 0
        await pilot.press("escape")
        await settle(pilot, lambda: app.closed == 1, what="the close request")


async def test_the_current_session_is_marked_and_kept(isolated_home: Path, repo: Path) -> None:
    running = session(isolated_home, "aaaa0001-0000-4000-8000-000000000001", "running", repo)
    session(isolated_home, "aaaa0002-0000-4000-8000-000000000002", "older", repo, days_ago=0.1)
    app = Host(repo)
    async with app.run_test(size=(40, 30)) as pilot:
        sidebar = app.sidebar
        await settle(pilot, lambda: sidebar.loaded)
        sidebar.opened(running)
        await settle(pilot, lambda: "this session" in option_text(sidebar, "running"))
        assert "this session" not in option_text(sidebar, "older")
        await pilot.press("d")  # the running session is never deleted from here
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen) and running.exists()


def option_text(sidebar: SessionSidebar, title: str) -> str:
    option_list = sidebar.query_one("#sessions-list", OptionList)
    return next(str(o.prompt) for o in option_list.options if str(o.prompt).startswith(title))


def hint_lines(sidebar: SessionSidebar) -> list[str]:
    hints = sidebar.query_one("#sessions-hints")
    return [hints.render_line(y).text.strip() for y in range(hints.size.height)]


async def test_the_hints_follow_the_focus_and_each_fits_whole(
    isolated_home: Path, repo: Path
) -> None:
    session(isolated_home, "aaaa0001-0000-4000-8000-000000000001", "one", repo)
    app = Host(repo)
    async with app.run_test(size=(39, 30)) as pilot:
        sidebar = app.sidebar
        await settle(pilot, lambda: sidebar.loaded)
        sidebar.opened(None)
        await pilot.pause()
        lines = hint_lines(sidebar)
        for hint in ("⏎ open", "r resume", "n rename", "d delete", "a all repos", "/ filter"):
            assert any(hint in line for line in lines), (hint, lines)
        assert len(lines) == 2
        await pilot.press("a")
        await settle(pilot, lambda: any("a this repo" in line for line in hint_lines(sidebar)))
        await pilot.press("slash")
        await pilot.pause()
        assert hint_lines(sidebar) == ["⏎/↓ list  esc clear"]


# ---------------------------------------------------------------------------- in the app


async def open_in_the_app(pilot, sessions: int | None = None) -> SessionSidebar:
    """ctrl+b, then wait for the listing (of `sessions` sessions, if given)."""
    await wait_for(pilot, lambda: pilot.app.agent is not None, what="the agent")
    await pilot.press("ctrl+b")
    sidebar = pilot.app.query_one(SessionSidebar)
    await wait_for(
        pilot,
        lambda: sidebar.loaded and sessions in (None, len(sidebar.sessions)),
        what="the listing",
    )
    return sidebar


def screen_lines(app) -> list[str]:
    """The screen as the person sees it, a line of text a row (the compositor's
    own strips: positions included, which widget-level rendering leaves out)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def test_in_the_app_ctrl_b_gives_the_keys_to_the_list_and_esc_closes(
    scripted_server: ScriptedModelServer, workspace: Path
) -> None:
    session(Path(os.environ["CODEX_TUI_HOME"]), "aaaa0001-0000-4000-8000-000000000001",
            "earlier work", workspace)  # fmt: skip
    app = make_app(scripted_server, workspace)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_in_the_app(pilot, sessions=1)
        sidebar = app.query_one(SessionSidebar)
        await pilot.press("a")
        await wait_for(pilot, lambda: sidebar.show_all, what="all repositories")
        assert sidebar.query_one("#sessions-filter", Input).value == ""
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.screen.has_class("-show-sidebar"), what="closed")
        assert app.composer.input.has_focus


async def test_in_the_app_the_running_session_is_listed_and_marked(
    scripted_server: ScriptedModelServer, workspace: Path
) -> None:
    scripted_server.add(Reply([Message("Noted.")]))
    app = make_app(scripted_server, workspace)
    async with app.run_test(size=(160, 45)) as pilot:
        sidebar = await open_in_the_app(pilot, sessions=0)  # no file before the first request
        await pilot.press("ctrl+b")
        await pilot.press(*"remember this", "enter")
        await wait_for(pilot, lambda: not app.busy and "Noted." in screen_text(app))
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: [s.title for s in sidebar.sessions] == ["remember this"])
        await wait_for(pilot, lambda: "this session" in option_text(sidebar, "remember this"))


@pytest.mark.parametrize("size", [(160, 45), (80, 24)], ids=["160x45", "80x24"])
async def test_in_the_app_hints_fit_and_everything_lines_up(
    size: tuple[int, int], isolated_home: Path, scripted_server: ScriptedModelServer,
    workspace: Path,
) -> None:  # fmt: skip
    session(isolated_home, "aaaa0001-0000-4000-8000-000000000001", "today's work", workspace)
    session(isolated_home, "aaaa0002-0000-4000-8000-000000000002", "older work", workspace,
            days_ago=3)  # fmt: skip
    app = make_app(scripted_server, workspace)
    async with app.run_test(size=size) as pilot:
        sidebar = await open_in_the_app(pilot, sessions=2)
        sidebar.action_focus_list()
        await pilot.pause(0.1)
        region = sidebar.region
        shown = [
            row[region.x : region.right] for row in screen_lines(app)[region.y : region.bottom]
        ]
        # Header, filter, group headers, rows, preview and hints start in one column.
        text = [row for row in shown if row.strip(" ─")]  # the preview's rule aside
        starts = {len(row) - len(row.lstrip()) for row in text}
        assert starts == {1}, "\n".join(shown)
        hints = hint_lines(sidebar)
        for hint in ("⏎ open", "r resume", "n rename", "d delete", "a all repos", "/ filter",
                     "esc close"):  # fmt: skip
            assert any(hint in row for row in hints), (hint, hints)
        assert all(len(row) <= region.width - 2 for row in hints)


async def test_the_delete_confirmation_dims_the_app(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        await app.push_screen(ConfirmScreen("Delete the session “x”? Its file is removed."))
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.pause()
        # Translucent like the approval dialog and the pickers: the app shows through.
        assert 0 < app.screen.styles.background.a < 1
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        await app.push_screen(RenameScreen("x"))
        await wait_for(pilot, lambda: isinstance(app.screen, RenameScreen))
        assert 0 < app.screen.styles.background.a < 1
