"""SVG snapshots of an answer in the light theme at 80×24 and 160×45: headings on the
left in the theme's colours, inline code on a light tint (it was drawn on pure
black), a numbered list with its dots, a code block whose long line wraps under its
indent, a quote, a table and a link with its address. At 80×24 the answer is taller
than the screen: one picture of its top, one of its end.

They share `test_snapshots`' fixed workspace (`snapshot_root`, under its lock) and
its steady start-up (`settle`). Update with `python -m pytest
tests/ui/test_snapshots_markdown.py --snapshot-update` after checking the pictures
by eye."""

from __future__ import annotations

import pytest

from codex_tui.agent import events as ev
from tests.ui.test_snapshots import settle, snapshot_app, snapshot_root  # noqa: F401

ANSWER = """\
# Adding the --shout option

The flag is read in `main()` and passed on to `greet(name, shout)`.

## What changed

1. Parse `--shout` from `argv`.
2. Upper-case the greeting.
3. Add a test in `test_greet.py`.

```python
def main(argv):
    names = [a for a in argv[1:] if a != "--shout"]  # every argument that is not the flag, in the order given, greeted one by one
    print(greet(names[0] if names else "world", shout="--shout" in argv[1:]))
```

> The flag may come before or after the name.

| option | effect |
|---|---|
| `--shout` | upper-cases the greeting |
| (none) | greets as before |

See the [argparse docs](https://docs.python.org/3/library/argparse.html) for more.
"""

VIEWS = [
    pytest.param((80, 24), "top", id="80x24-top"),
    pytest.param((80, 24), "end", id="80x24-end"),
    pytest.param((160, 45), "end", id="160x45"),
]


@pytest.mark.parametrize(("size", "where"), VIEWS)
def test_light_theme_markdown(size, where, snapshot_root, snap_compare) -> None:  # noqa: F811
    async def run_before(pilot) -> None:
        await settle(pilot)
        app = pilot.app
        app.conversation.add_user("Add a --shout option to greet.py.")
        app.on_agent_event(ev.AgentMessage(item_id="m1", text=ANSWER))
        await pilot.pause(0.2)
        if where == "top":
            app.conversation.scroll_home(animate=False)
        await pilot.pause(0.2)

    assert snap_compare(snapshot_app("light"), run_before=run_before, terminal_size=size)
