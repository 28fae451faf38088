"""/undo and /redo in the real app: a turn changes files through a patch and a
command, /undo previews the diff and restores on y, n writes nothing, /redo takes
the undo back, and a file changed after the turn is named before it is overwritten."""

from __future__ import annotations

from pathlib import Path

from codex_tui.scripted import FunctionCall, Message, Reply
from codex_tui.ui.undo_screen import UndoScreen
from tests.ui.conftest import screen_text, wait_for

PATCH = (
    "*** Begin Patch\n*** Update File: notes.txt\n@@\n alpha\n-beta\n+beta, edited\n*** End Patch\n"
)


def a_turn(server) -> None:
    server.add(
        Reply(
            [
                FunctionCall("apply_patch", {"input": PATCH}, call_id="p"),
                FunctionCall(
                    "shell",
                    {"command": ["bash", "-c", "mkdir gen && echo x > gen/out"]},
                    call_id="s",
                ),
            ]
        ),
        Reply([Message("Edited.")]),
    )


async def run_turn(app, pilot, text: str = "edit the notes") -> None:
    await wait_for(pilot, lambda: app.agent is not None, what="the agent")
    await pilot.press(*text, "enter")
    await wait_for(pilot, lambda: "Edited." in screen_text(app), what="the answer")
    await wait_for(pilot, lambda: not app.busy, what="the turn to end")


async def slash(app, pilot, command: str) -> None:
    await pilot.press(*command, "enter")


async def test_undo_previews_then_restores_and_redo_takes_it_back(
    scripted_server, workspace: Path, app_factory
) -> None:
    a_turn(scripted_server)
    app = app_factory(approval_policy="never", sandbox_mode="workspace-write")
    async with app.run_test(size=(100, 30)) as pilot:
        await run_turn(app, pilot)
        assert (workspace / "gen" / "out").exists()
        await slash(app, pilot, "/undo")
        await wait_for(pilot, lambda: isinstance(app.screen, UndoScreen), what="the preview")
        screen = app.screen
        assert "edit the notes" in str(screen.query_one("#undo-title").content)
        assert screen.diff is not None and "notes.txt" in {f.path for f in screen.diff._doc.files}
        await pilot.press("y")
        await wait_for(pilot, lambda: "Undid a turn's changes" in screen_text(app), what="undo")
        assert (workspace / "notes.txt").read_text() == "alpha\nbeta\n"
        assert not (workspace / "gen").exists()

        await slash(app, pilot, "/undo")
        await wait_for(pilot, lambda: "Nothing to undo" in screen_text(app), what="nothing left")

        await slash(app, pilot, "/redo")
        await wait_for(pilot, lambda: isinstance(app.screen, UndoScreen), what="the redo preview")
        await pilot.press("y")
        await wait_for(pilot, lambda: "Redid a turn's changes" in screen_text(app), what="redo")
        assert (workspace / "notes.txt").read_text() == "alpha\nbeta, edited\n"
        assert (workspace / "gen" / "out").read_text() == "x\n"


async def test_n_writes_nothing_and_a_later_edit_is_named_before_it_is_overwritten(
    scripted_server, workspace: Path, app_factory
) -> None:
    a_turn(scripted_server)
    app = app_factory(approval_policy="never", sandbox_mode="workspace-write")
    async with app.run_test(size=(100, 30)) as pilot:
        await run_turn(app, pilot)
        await slash(app, pilot, "/undo")
        await wait_for(pilot, lambda: isinstance(app.screen, UndoScreen), what="the preview")
        await pilot.press("n")
        await wait_for(pilot, lambda: "/undo cancelled" in screen_text(app), what="cancel")
        assert (workspace / "gen" / "out").exists()

        (workspace / "notes.txt").write_text("my own words\n")
        await slash(app, pilot, "/undo")
        await wait_for(pilot, lambda: isinstance(app.screen, UndoScreen), what="the preview")
        warning = str(app.screen.query_one("#undo-conflicts").content)
        assert "notes.txt" in warning and "overwritten" in warning
        await pilot.press("y")
        await wait_for(pilot, lambda: "Undid" in screen_text(app), what="undo")
        assert (workspace / "notes.txt").read_text() == "alpha\nbeta\n"


async def test_undo_works_after_resume(scripted_server, workspace: Path, app_factory) -> None:
    a_turn(scripted_server)
    app = app_factory(approval_policy="never", sandbox_mode="workspace-write")
    async with app.run_test(size=(100, 30)) as pilot:
        await run_turn(app, pilot)
        path = app.agent.session_path
    assert path is not None
    again = app_factory(approval_policy="never", sandbox_mode="workspace-write")
    async with again.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: again.agent is not None, what="the agent")
        again.session.resume(path)
        await wait_for(pilot, lambda: "resumed" in screen_text(again), what="the resume")
        await wait_for(pilot, lambda: again.agent is not None, what="the resumed agent")
        await slash(again, pilot, "/undo")
        await wait_for(pilot, lambda: isinstance(again.screen, UndoScreen), what="the preview")
        await pilot.press("y")
        await wait_for(pilot, lambda: "Undid" in screen_text(again), what="undo")
    assert (workspace / "notes.txt").read_text() == "alpha\nbeta\n"


async def test_paths_that_read_like_markup_are_shown_as_they_are() -> None:
    """A repository's file names are its own: `[red]x[/red]` is a name, not a style."""
    from types import SimpleNamespace

    from textual.app import App

    from codex_tui.undo.history import TurnSnapshots

    prepared = SimpleNamespace(
        turn=TurnSnapshots("t", request="edit"),
        direction="undo",
        changes=["[red]x[/red]"],
        conflicts=["[red]x[/red]", "[@click=app.quit]y[/]"],
        not_covered=["[b]big[/b].bin"],
    )

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(UndoScreen(prepared, ""))  # type: ignore[arg-type]

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        conflicts = str(screen.query_one("#undo-conflicts").render())
        details = str(screen.query_one("#undo-details").render())
    assert "[red]x[/red]" in conflicts and "[@click=app.quit]y[/]" in conflicts
    assert "[b]big[/b].bin" in details
