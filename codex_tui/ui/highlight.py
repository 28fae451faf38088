"""Pygments helpers for code in the UI: a lexer for a file name, tokens per line, and
Rich styles for a pygments style.

Pygments is imported on first use, never at module import. Lexers are looked up in
pygments' built-in table only: `get_lexer_for_filename` also scans installed
plugins through package metadata, which costs ~0.3 s here on the first call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from fnmatch import fnmatchcase
from functools import lru_cache
from importlib import import_module
from typing import TYPE_CHECKING, Any

from rich.style import Style

if TYPE_CHECKING:
    from pygments.lexer import Lexer

__all__ = [
    "MAX_HIGHLIGHT_CHARS",
    "TAB_SIZE",
    "Tokens",
    "cached_lexer",
    "known_language",
    "language_lexer_if_ready",
    "lexer_for_drawing",
    "lexer_for_language",
    "lexer_for_path",
    "lexers_deferred",
    "pygments_style_exists",
    "token_styler",
    "tokenize_lines",
]

TAB_SIZE = 4
MAX_HIGHLIGHT_CHARS = 2_000  # longer lines (minified code, data) stay plain

# One line as (text, pygments token type) pairs.
Tokens = list[tuple[str, Any]]


_found: dict[str, Lexer | None] = {}


def lexer_for_path(path: str) -> Lexer | None:
    """A lexer for the file name of `path`, or None for plain text and unknown names.

    The first lexer of a language costs tens of milliseconds (its module import
    and regex compilation); callers on the event loop can ask `cached_lexer`
    first and call this in a thread.
    """
    name = path.rsplit("/", 1)[-1]
    if name not in _found:
        _found[name] = _lexer_for_name(name)
    return _found[name]


def cached_lexer(path: str) -> tuple[bool, Lexer | None]:
    """(True, lexer) if `lexer_for_path(path)` has been answered already, else (False, None)."""
    name = path.rsplit("/", 1)[-1]
    if name in _found:
        return True, _found[name]
    return False, None


def _lexer_for_name(name: str) -> Lexer | None:
    from pygments.lexers._mapping import LEXERS

    matches: list[tuple[float, str, type[Lexer]]] = []
    for class_name, (module, _name, _aliases, patterns, _mimes) in LEXERS.items():
        for pattern in patterns:
            if _matches(name, pattern):
                cls = getattr(import_module(module), class_name)
                # Pygments' own rule without the text: priority, exact names first.
                bonus = 0.5 if "*" not in pattern else 0.0
                matches.append((cls.priority + bonus, class_name, cls))
                break
    if not matches:
        return None
    cls = max(matches, key=lambda m: (m[0], m[1]))[2]
    if cls.__name__ == "TextLexer":
        return None
    return cls(stripnl=False, ensurenl=False, tabsize=0)


def known_language(alias: str) -> bool:
    """Whether a built-in pygments lexer answers to `alias` (a code fence's language).

    Pygments looks an unknown alias up in installed plugins, through package
    metadata; a plugin may import a whole application (IPython's took 0.3 s).
    A fence streams in a character at a time, so "typ" is asked before "typescript".
    """
    return alias.lower() in _builtin_aliases()


_language_lexers: dict[str, Lexer | None] = {}
_language_lock = threading.Lock()


def lexer_for_language(alias: str) -> Lexer | None:
    """A built-in lexer for a code fence's language (None for plain text and names
    `known_language` does not know). Lexers keep no state between texts: one each,
    made once even when threads ask for it together (the first costs tens of ms)."""
    key = alias.lower()
    if key in _language_lexers:
        return _language_lexers[key]
    with _language_lock:
        if key not in _language_lexers:
            _language_lexers[key] = _new_language_lexer(key)
        return _language_lexers[key]


def language_lexer_if_ready(alias: str) -> tuple[bool, Lexer | None]:
    """(True, what `lexer_for_language` answers) when that costs nothing now; (False,
    None) when the lexer would have to be made (a caller on the event loop draws
    the code plain meanwhile and makes it in a thread)."""
    key = alias.lower()
    if key in _language_lexers:
        return True, _language_lexers[key]
    if key == "text" or not known_language(key):
        return True, None
    return False, None


_deferred: ContextVar[set[str] | None] = ContextVar("deferred_lexers", default=None)


@contextmanager
def lexers_deferred() -> Iterator[set[str]]:
    """Code drawn inside this block by `lexer_for_drawing` waits for no lexer: a
    language whose lexer is not made yet is drawn plain and named in the set
    yielded, for the caller to make in a thread and draw again. The event loop
    never compiles a lexer's rules (~25-35 ms for Python's, on a resume's first
    frame or in the middle of a streamed answer)."""
    waiting: set[str] = set()
    token = _deferred.set(waiting)
    try:
        yield waiting
    finally:
        _deferred.reset(token)


def lexer_for_drawing(alias: str) -> Lexer | None:
    """`lexer_for_language`, or None while deferred (see `lexers_deferred`)."""
    waiting = _deferred.get()
    if waiting is None:
        return lexer_for_language(alias)
    ready, lexer = language_lexer_if_ready(alias)
    if not ready:
        waiting.add(alias.lower())
    return lexer


def _new_language_lexer(key: str) -> Lexer | None:
    if not known_language(key):
        return None
    from pygments.lexers import get_lexer_by_name

    try:
        lexer = get_lexer_by_name(key, stripnl=False, ensurenl=False, tabsize=0)
    except Exception:  # pygments could not make it: the code stays plain, not retried
        return None
    return None if type(lexer).__name__ == "TextLexer" else lexer


@lru_cache(maxsize=1)
def _builtin_aliases() -> frozenset[str]:
    from pygments.lexers._mapping import LEXERS

    return frozenset(alias for entry in LEXERS.values() for alias in entry[2])


def _matches(name: str, pattern: str) -> bool:
    # Almost every pattern is `*.ext` or a plain name; fnmatch compiles a regex
    # per pattern (~900 of them), which alone took tens of milliseconds.
    if "[" in pattern or "?" in pattern or "*" in pattern[1:]:
        return fnmatchcase(name, pattern)
    if pattern.startswith("*"):
        return name.endswith(pattern[1:])
    return name == pattern


def tokenize_lines(lexer: Lexer, lines: Sequence[str]) -> list[Tokens]:
    """Lex `lines` (no line endings, tabs already expanded) as one text; tokens per line.

    Lines longer than MAX_HIGHLIGHT_CHARS are left out of the lexed text (one
    plain token each) so a minified file cannot stall the screen.
    """
    out: list[Tokens] = [[] for _ in lines]
    lexed = [i for i, line in enumerate(lines) if len(line) <= MAX_HIGHLIGHT_CHARS]
    for i, line in enumerate(lines):
        if len(line) > MAX_HIGHLIGHT_CHARS:
            out[i] = [(line, None)]
    if not lexed:
        return out
    text = "\n".join(lines[i] for i in lexed)
    k = 0
    current = out[lexed[0]]
    for ttype, value in lexer.get_tokens(text):
        parts = value.split("\n")
        for j, part in enumerate(parts):
            if j:
                k += 1
                if k >= len(lexed):
                    return out
                current = out[lexed[k]]
            if part:
                current.append((part, ttype))
    return out


def pygments_style_exists(name: str) -> bool:
    """Whether pygments knows the style `name` (built in, or from a plugin)."""
    from pygments.styles import STYLE_MAP

    if name in STYLE_MAP:
        return True
    from pygments.styles import get_style_by_name
    from pygments.util import ClassNotFound

    try:
        get_style_by_name(name)  # plugins: slower, only for unusual names
    except ClassNotFound:
        return False
    return True


@lru_cache(maxsize=16)
def token_styler(style_name: str) -> Callable[[Any], Style]:
    """A function mapping a token type to the Rich style of pygments style `style_name`
    (foreground, bold, italic, underline; token backgrounds are dropped so the
    view's own background and diff tints show through). Unknown names fall back
    to pygments' `default` style."""
    from pygments.styles import get_style_by_name
    from pygments.util import ClassNotFound

    try:
        style = get_style_by_name(style_name)
    except ClassNotFound:
        style = get_style_by_name("default")
    cache: dict[Any, Style] = {}
    plain = Style()

    def styler(ttype: Any) -> Style:
        if ttype is None:
            return plain
        found = cache.get(ttype)
        if found is None:
            info = style.style_for_token(ttype)
            color = info["color"]
            found = Style(
                color=f"#{color}" if color else None,
                bold=info["bold"] or None,
                italic=info["italic"] or None,
                underline=info["underline"] or None,
            )
            cache[ttype] = found
        return found

    return styler
