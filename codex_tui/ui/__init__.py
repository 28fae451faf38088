"""The Textual user interface.

Importing this package sets how often Textual may draw the screen, before Textual
itself is imported (it reads `TEXTUAL_FPS` once). Textual draws only when
something changed, so a higher rate costs nothing while idle; what it buys is a
shorter wait for a keystroke's frame: a change waits for the update timer's next
tick (up to two periods after a frame that overran its slot). Streamed text is
paced by the conversation itself, and animations keep their own 60 per second.
At 1,000 (was 240) a keystroke while an answer streamed reached the screen
~0.5 ms sooner at the median and ~3 ms sooner at the 95th percentile (four
alternating runs of 96 keys each, tmux), for ~4% more frames. A `TEXTUAL_FPS`
set by the user wins, and the variable is not left behind for the commands the
agent runs.
"""

from __future__ import annotations

import os
import sys

FRAME_RATE = 1000

if "textual.constants" not in sys.modules and "TEXTUAL_FPS" not in os.environ:
    os.environ["TEXTUAL_FPS"] = str(FRAME_RATE)
    try:
        import textual.constants  # noqa: F401
    finally:
        del os.environ["TEXTUAL_FPS"]
