"""`/review [target]`: a read-only review of the uncommitted changes (default), a
commit (`/review HEAD~1`) or the branch (`/review branch`). The turn runs in plan
mode (nothing can be edited), the reviewed diff opens in the diff pane beside
the findings, and the mode the person had comes back afterwards."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codex_tui.ui.app import CodexApp

__all__ = ["start_review"]


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
        if app.diff_view is not None:
            app.diff_view.show_diff_text(diff, title=f"Under review: {what}")
            app.side_has_content()
        before = agent.tools.env.mode
        await set_mode(agent, "plan")
        app.conversation.add_user(f"/review — {what}")
        app.conversation.jump_to_bottom()
        try:
            await agent.submit(review_request(what, diff))
        finally:
            await set_mode(agent, before)

    async def guarded() -> None:
        # Messages typed during a review wait in the composer (app.on_composer_submitted):
        # they would otherwise run in the review's plan mode, or push it out of it.
        app.reviewing = True
        try:
            await work()
        finally:
            app.reviewing = False

    app.run_worker(guarded(), group="review")
