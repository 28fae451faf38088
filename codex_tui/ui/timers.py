"""One-shot timers that always fire.

Textual's `set_timer` drops its callback when the delay has passed by the time its
task first reads the clock: `Timer._run` skips the ticks it missed, and a one-shot
timer has no later tick. A delay of what is left of a short wait (a fraction of a
millisecond) is enough, or another thread holding the interpreter's lock for a
moment; a streamed answer then stopped on screen for good, its text waiting for a
flush that never came. asyncio's `call_later` never skips.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.message_pump import MessagePump


def run_after(
    pump: MessagePump, delay: float, callback: Callable[[], object]
) -> asyncio.TimerHandle:
    """Call `callback` in `pump`'s message loop, as Textual's timers do, once
    `delay` seconds have passed (at once when it is not positive). Cancel with
    the handle's `cancel()`."""
    return asyncio.get_running_loop().call_later(max(0.0, delay), pump.call_next, callback)
