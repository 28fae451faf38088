"""What every event kind's encoder and decoder share: the states they read and
write, the kind record, and readers of untrusted payload fields (a field of the
wrong type reads as an empty value instead of failing the whole file)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from codex_tui.agent import events as ev
from codex_tui.sessions.files import clean_text

__all__ = [
    "E",
    "EventKind",
    "Payload",
    "ReadState",
    "WriteState",
    "pick",
    "seconds",
    "strings",
    "text",
    "whole",
]

Payload = dict[str, Any]
E = TypeVar("E", bound=ev.Event)
T = TypeVar("T")


@dataclass
class WriteState:
    """What encoding needs from earlier events of the turn being recorded."""

    turn_id: str = ""
    exec_begins: dict[str, ev.ExecBegin] = field(default_factory=dict)
    patch_diffs: dict[str, str] = field(default_factory=dict)


@dataclass
class ReadState:
    """What decoding needs from the file read so far."""

    cwd: str = ""
    # The summary of the last `compacted` line (context_compacted carries none).
    summary: str = ""
    ids: int = 0

    def next_id(self) -> str:
        """Replayed messages get ids of their own (the file keeps none)."""
        self.ids += 1
        return f"replay-{self.ids}"


@dataclass(frozen=True, slots=True)
class EventKind(Generic[E]):
    """One kind of event_msg: the event it records and the two directions."""

    name: str
    event: type[E]
    encode: Callable[[E, WriteState], Payload]
    decode: Callable[[Payload, ReadState], list[ev.Event]]


# --- reading untrusted fields --------------------------------------------------------


def text(p: Payload, key: str, default: str = "") -> str:
    return clean_text(p.get(key)) or default


def pick(table: dict[str, T], value: object, default: T) -> T:
    """`table[value]` for one of the names a field may hold, else `default`."""
    return table.get(value, default) if isinstance(value, str) else default


def whole(p: Payload, key: str) -> int:
    value = p.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def seconds(value: object) -> float:
    """A duration as seconds: a number, or Codex CLI's {secs, nanos}."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, dict):
        return float(whole(value, "secs")) + whole(value, "nanos") / 1e9
    return 0.0


def strings(p: Payload, key: str) -> tuple[str, ...]:
    value = p.get(key)
    return (
        tuple(clean_text(v) for v in value if isinstance(v, str)) if isinstance(value, list) else ()
    )
