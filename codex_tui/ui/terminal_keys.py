"""Alt+key from terminals that send it as ESC and then the key.

Most terminals (and tmux) send Alt+Enter as ESC CR. Textual's xterm parser
reissues such a sequence as the key with `alt` set, but for keys it finds in its
table of named sequences (Enter, Tab, Backspace) the `alt` is dropped: Alt+Enter
arrives as a plain Enter, and the composer would send the draft instead of
starting a new line. `patch_alt_keys()` wraps the parser's lookup so those keys
arrive as `alt+enter`, `alt+tab`, ….
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from textual import events
from textual._xterm_parser import XTermParser

_patched = False


def patch_alt_keys() -> None:
    """Once per process; harmless when Textual already reports the modifier."""
    global _patched
    if _patched:
        return
    _patched = True
    original: Callable[..., Iterable[events.Key]] = XTermParser._sequence_to_key_events

    def with_alt(self: Any, sequence: str, alt: bool = False) -> Iterable[events.Key]:
        for event in original(self, sequence, alt):
            key = event.key
            if alt and len(sequence) == 1 and not key.startswith("alt+") and len(key) > 1:
                yield events.Key(f"alt+{key}", event.character)
            else:
                yield event

    XTermParser._sequence_to_key_events = with_alt  # type: ignore[method-assign]
