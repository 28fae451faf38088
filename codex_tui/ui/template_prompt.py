"""Prompt templates run as slash commands: render and send, or ask the values
that are missing one at a time in the composer (esc cancels)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codex_tui.prompts import PromptTemplate
    from codex_tui.ui.app import CodexApp


class TemplateQuestions:
    """The template waiting for values, if any, and what has been answered."""

    def __init__(self, app: CodexApp) -> None:
        self.app = app
        # (template, values so far, names still to ask).
        self._pending: tuple[PromptTemplate, dict[str, str], list[str]] | None = None

    @property
    def asking(self) -> bool:
        return self._pending is not None

    def run(self, template: PromptTemplate, args: str) -> None:
        """Render `template` with `args` (key=value words) and send it."""
        from codex_tui.prompts import MissingValues, TemplateError, parse_args

        try:
            values = parse_args(args)
            text = template.render(values)
        except MissingValues as exc:
            self._pending = (template, values, list(exc.names))
            self._ask()
            return
        except TemplateError as exc:
            self.app.conversation.note("error", str(exc))
            return
        self.app.session.send(text)

    def answer(self, text: str) -> None:
        """The composer's line is the value asked for."""
        from codex_tui.prompts import TemplateError

        assert self._pending is not None
        template, values, names = self._pending
        values[names.pop(0)] = text
        if names:
            self._ask()
            return
        self.cancel()
        try:
            rendered = template.render(values)
        except TemplateError as exc:
            self.app.conversation.note("error", str(exc))
            return
        self.app.session.send(rendered)

    def cancel(self) -> None:
        from codex_tui.ui.composer import PLACEHOLDER

        self._pending = None
        self.app.composer.input.placeholder = PLACEHOLDER

    def _ask(self) -> None:
        assert self._pending is not None
        template, _values, names = self._pending
        self.app.conversation.note(
            "info", f"/{template.name} needs {names[0]}: type it and press enter (esc cancels)"
        )
        self.app.composer.input.placeholder = f"Value for {names[0]} (esc cancels)"
