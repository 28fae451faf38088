"""One layout per change, not two.

After a layout, Textual hands each widget its new size through `_size_updated`,
which stores the virtual size as a reactive that asks for another layout. That
second pass finds nothing to move, but it lays out and paints the whole screen
again on the next frame: 3-5 ms in a new session, more in a long one, and it is
the frame a key typed during a streamed answer waits for. Widgets that grow while
the conversation streams take this mixin and skip it. A scrolling container still
asks for it when its own space changed (a resized terminal: Textual keeps it
anchored to the bottom with the space of the pass before); a scrollbar that comes
or goes asks for a layout of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.geometry import Size
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.widget import Widget

    _Base = Widget
else:
    # Not a Widget at run time: Textual finds a widget's CSS type names through the
    # first widget class among its bases, which must stay the Textual one (a
    # ConversationView is styled as a VerticalScroll).
    _Base = object


class OneLayout(_Base):
    """Mixin, listed before the Textual base, for widgets whose growth should cost
    one layout (see the module)."""

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        scrolls = self.styles.overflow_y != "hidden" or self.styles.overflow_x != "hidden"
        again = scrolls and container_size != self._container_size
        return super()._size_updated(size, virtual_size, container_size, layout=layout and again)


class GrowingStatic(OneLayout, Static):
    """A Static that grows while the conversation streams (reasoning, a command's
    output): one layout per growth."""
