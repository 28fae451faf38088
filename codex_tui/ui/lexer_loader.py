"""Lexers made off the event loop for code that was drawn plain meanwhile (see
`highlight.lexers_deferred`): one worker thread per app at a time, which starts
LEXER_DELAY_S after the code was drawn; once it is done, every view that drew
plain code draws it again (in colour; highlighting never changes a row's height).

The pause: compiling a lexer's rules competes with the event loop for the
interpreter's lock, and right after a resume's first frame a key typed at once
waited ~40 ms longer for it (measured in tmux). The thread waits on its worker's
cancel event, so quitting meanwhile is not held up."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Protocol

from codex_tui.ui.highlight import lexer_for_language

if TYPE_CHECKING:
    from textual.app import App

__all__ = ["LEXER_DELAY_S", "want_lexers"]

LEXER_DELAY_S = 0.3


class Redrawn(Protocol):
    def lexers_made(self) -> None: ...


class _Loader:
    def __init__(self, app: App[object]) -> None:
        self._app = weakref.ref(app)
        self._wanted: set[str] = set()
        self._views: weakref.WeakSet[Redrawn] = weakref.WeakSet()
        self._running = False

    def want(self, view: Redrawn, languages: set[str]) -> None:
        self._views.add(view)
        self._wanted |= languages
        app = self._app()
        if not self._running and app is not None:
            self._running = True
            app.run_worker(self._make, thread=True, group="lexers", exit_on_error=False)

    def _make(self) -> None:
        """(In the worker's thread.)"""
        from textual.worker import get_current_worker

        if get_current_worker().cancelled_event.wait(LEXER_DELAY_S):
            self._running = False
            return  # the app is closing
        languages = set(self._wanted)
        for language in languages:
            lexer_for_language(language)
        app = self._app()
        if app is not None:
            app.call_from_thread(self._made, languages)

    def _made(self, languages: set[str]) -> None:
        self._wanted -= languages
        self._running = False
        views, self._views = list(self._views), weakref.WeakSet()
        for view in views:  # a language asked for meanwhile is asked for again here
            view.lexers_made()


_loaders: weakref.WeakKeyDictionary[App[object], _Loader] = weakref.WeakKeyDictionary()


def want_lexers(app: App[object], view: Redrawn, languages: set[str]) -> None:
    """Make the lexers of `languages` in a thread, then call `view.lexers_made()`."""
    loader = _loaders.get(app)
    if loader is None:
        loader = _loaders[app] = _Loader(app)
    loader.want(view, languages)
