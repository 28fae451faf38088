"""`/review [target]`: a read-only review of the uncommitted changes (default), a
commit (`/review HEAD~1`) or the branch (`/review branch`). The turn runs in plan
mode (nothing can be edited), the reviewed diff opens in the diff pane beside
the findings (the places they name become links into it), and the mode the
person had comes back afterwards."""

from __future__ import annotations

import re
from functools import partial
from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

from codex_tui.ui.cells import Cell, Factory

if TYPE_CHECKING:
    from codex_tui.ui.app import CodexApp

__all__ = ["FindingsCell", "finding_locations", "start_review"]


def start_review(app: CodexApp, target: str) -> None:
    agent = app.session.agent
    if agent is None or agent.busy:
        app.conversation.note("warning", "/review: wait for the current turn to end")
        return

    async def work() -> None:
        from codex_tui.agent.modes import set_mode
        from codex_tui.agent.review import review_request
        from codex_tui.tools.registry import ToolArgumentError
        from codex_tui.tools.review import review_target

        try:
            what, diff = await review_target(app.cwd, target)
        except ToolArgumentError as exc:
            app.conversation.note("error", f"/review: {exc}")
            return
        if not diff.strip():
            app.conversation.note("info", f"/review: nothing to review in {what}.")
            return
        if agent.busy:  # something started meanwhile (a hook, a queued message)
            app.conversation.note("warning", "/review: wait for the current turn to end")
            return
        app.side_diff().show_diff_text(diff, title=f"Under review: {what}")
        app.side_has_content()
        before = agent.tools.env.mode
        await set_mode(agent, "plan")
        app.conversation.add_user(f"/review — {what}")
        app.conversation.jump_to_bottom()
        try:
            outcome = await agent.submit(review_request(what, diff))
        finally:
            await set_mode(agent, before)
        if outcome is not None and outcome.last_message:
            places = finding_locations(outcome.last_message, diff)
            if places:
                app.conversation.add(FindingsCell(places))

    async def guarded() -> None:
        # Messages typed during a review wait in the composer (app.on_composer_submitted):
        # they would otherwise run in the review's plan mode, or push it out of it.
        app.reviewing = True
        try:
            await work()
        finally:
            app.reviewing = False

    app.run_worker(guarded(), group="review")


# `path:line` as reviews write it (optionally in backticks).
_LOCATION = re.compile(r"`?([\w.@+-][\w./@+-]*):(\d+)`?")


def finding_locations(answer: str, diff: str) -> list[tuple[str, int]]:
    """The `path:line` places an answer names that are files of the diff, in order."""
    from codex_tui.ui.diff_document import parse_diff_text

    files = {f.path for f in parse_diff_text(diff)}
    seen: list[tuple[str, int]] = []
    for match in _LOCATION.finditer(answer):
        place = (match.group(1), int(match.group(2)))
        if place[0] in files and place not in seen:
            seen.append(place)
    return seen[:50]


class FindingLink(Static):
    """One finding's place; a click shows it in the diff pane."""

    DEFAULT_CSS = """
    FindingLink { color: $text-accent; text-style: underline; width: auto; margin: 0 0 0 2; }
    FindingLink:hover { text-style: bold underline; }
    """

    def __init__(self, path: str, line: int) -> None:
        super().__init__(Content(f"{path}:{line}"))  # the model's words: plain text
        self.path, self.line = path, line

    def on_click(self) -> None:
        app = self.app
        view = getattr(app, "diff_view", None)
        if view is not None and view.reveal(self.path, self.line):
            app.show_side()  # type: ignore[attr-defined]


class FindingsCell(Cell):
    """Under a review's answer: the places it names, each a link into the diff."""

    DEFAULT_CSS = "FindingsCell > .findings-title { color: $text-muted; }"

    def __init__(self, places: list[tuple[str, int]]) -> None:
        super().__init__(classes="findings-cell")
        self.places = places

    def compose(self):
        yield Static(Content("• findings in the diff (click to show):"), classes="findings-title")
        for path, line in self.places:
            yield FindingLink(path, line)

    def rebuild(self) -> Factory:
        return partial(FindingsCell, self.places)
