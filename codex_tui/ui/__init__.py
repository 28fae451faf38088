"""The Textual user interface.

Importing this package sets how often Textual may draw the screen, before Textual
itself is imported (it reads `TEXTUAL_FPS` once). Textual draws only when
something changed, so a higher rate costs nothing while idle; what it buys is a
shorter wait for a keystroke's frame: after a frame that overran its slot,
Textual's update timer waits up to two periods before the next one. A
`TEXTUAL_FPS` set by the user wins, and the variable is not left behind for the
commands the agent runs.
"""

from __future__ import annotations

import os
import sys

FRAME_RATE = 240

if "textual.constants" not in sys.modules and "TEXTUAL_FPS" not in os.environ:
    os.environ["TEXTUAL_FPS"] = str(FRAME_RATE)
    try:
        import textual.constants  # noqa: F401
    finally:
        del os.environ["TEXTUAL_FPS"]
