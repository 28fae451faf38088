"""The app's API-key prompt and its keyboard actions for modes, effort and the
external editor. A mixin of `CodexApp`."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from codex_tui.ui.app import CodexApp

__all__ = ["KeyAndModeActions"]


class KeyAndModeActions:
    """The API key asked for when missing; shift+tab, ctrl+r, alt+←/→, ctrl+g."""

    if TYPE_CHECKING:  # provided by CodexApp and Textual's App
        config: Any
        conversation: Any
        composer: Any
        session: Any
        screen: Any
        screen_stack: Any
        push_screen: Any

    def missing_key(self) -> str | None:
        """The environment variable the provider needs and lacks, if any."""
        provider = self.config.provider
        if provider.env_key and not os.environ.get(provider.env_key):
            return provider.env_key
        return None

    def _report_missing_key(self) -> None:
        if self.missing_key() is None:
            return
        from codex_tui.agent.model_client import missing_key_message
        from codex_tui.config import paths

        self.conversation.markdown(
            "**No API key.** "
            + missing_key_message(self.config.model_provider, self.config.provider)
            + f" (`{paths.config_file()}`).\n\nSend a message, or type `/key`, to paste a"
            " key for this session only. To look around first, run `codex-tui --demo`."
        )

    def ask_for_key(self, then_send: str | None = None) -> None:
        """The key prompt; with `then_send`, that message goes once a key is given
        (and back to the composer if none is)."""
        from codex_tui.config import paths
        from codex_tui.ui.key_prompt import KeyScreen

        variable = self.config.provider.env_key
        if not variable:
            self.conversation.note("info", "This provider needs no API key.")
            return

        def given(key: str | None) -> None:
            if not key:
                if then_send:
                    self.composer.text = then_send
                return
            # This process only (the environment policy keeps *KEY* from commands).
            os.environ[variable] = key
            self.conversation.note("info", f"{variable} set for this session (not saved).")
            if then_send:
                self.session.send(then_send)

        self.push_screen(KeyScreen(variable, str(paths.config_file())), given)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Mode and effort keys act on the main screen only (not in a dialog's field).
        in_dialog = self.screen is not self.screen_stack[0]
        return not (action in ("cycle_mode", "go", "effort") and in_dialog)

    def action_cycle_mode(self) -> None:
        from codex_tui.ui.modes_ui import cycle_mode

        cycle_mode(cast("CodexApp", self))

    def action_go(self) -> None:
        from codex_tui.ui.modes_ui import go

        go(cast("CodexApp", self))

    def action_effort(self, step: int) -> None:
        from codex_tui.ui.modes_ui import cycle_effort

        cycle_effort(cast("CodexApp", self), step)

    def action_external_editor(self) -> None:
        from codex_tui.ui.external_editor import edit_draft

        edit_draft(cast("CodexApp", self))
