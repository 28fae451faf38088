"""Images in the real app: a dropped (pasted) path becomes a chip, backspace
drops it, `@shot.png` attaches on the way out, the request carries the images,
the transcript previews them in half blocks and a click opens a larger view;
a tool's images get a cell of their own."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

from PIL import Image
from textual.events import Paste

from codex_tui.scripted import FunctionCall, Message, Reply
from codex_tui.ui.attachments import AttachmentChips
from codex_tui.ui.cells import ImagesCell, UserCell
from codex_tui.ui.image_view import ImageScreen, ImageStrip, _Blocks
from tests.ui.conftest import screen_text, wait_for


def png(path: Path, size=(40, 20), color=(250, 0, 0)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    path.write_bytes(out.getvalue())
    return out.getvalue()


def sent_images(body: dict) -> list[str]:
    return [
        part["image_url"]
        for item in body["input"]
        if item.get("role") == "user"
        for part in item["content"]
        if part["type"] == "input_image"
    ]


async def test_a_dropped_path_is_a_chip_and_goes_with_the_message(
    scripted_server, workspace: Path, app_factory
) -> None:
    raw = png(workspace / "my shot.png")
    png(workspace / "second.png", color=(0, 0, 250))
    scripted_server.add(Reply([Message("A red box.")]))
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        area = app.composer.input
        app.post_message(Paste(f"'{workspace / 'my shot.png'}'"))
        await wait_for(pilot, lambda: len(app.composer.attachments) == 1, what="the chip")
        chips = app.composer.query_one(AttachmentChips)
        assert "[image 1: my shot.png 40×20" in str(chips.render())
        assert area.text == ""  # the path was not typed in
        app.post_message(Paste(str(workspace / "second.png")))
        await wait_for(pilot, lambda: len(app.composer.attachments) == 2)
        await pilot.press("backspace")  # at the start of the input: drops the last chip
        assert [a.name for a in app.composer.attachments] == ["my shot.png"]
        # Ordinary text still pastes as text.
        app.post_message(Paste("what is in it?"))
        await wait_for(pilot, lambda: area.text == "what is in it?", what=repr(area.text))
        await pilot.press("enter")
        await wait_for(pilot, lambda: "A red box." in screen_text(app), what="the answer")
        assert not app.composer.attachments and not chips.display
        (cell,) = app.conversation.query(UserCell)
        strip = cell.query_one(ImageStrip)
        blocks = strip.query_one(_Blocks)
        await wait_for(pilot, lambda: blocks.size.height > 1, what="the preview")
        # 40×20 pixels fit 32 columns: 32 × 16 pixels, two per cell → 8 rows of "▀".
        assert (blocks.size.width, blocks.size.height) == (32, 8)
        line = blocks.render_line(0)
        assert line.text == "▀" * 32
        assert {seg.style.color.triplet for seg in line} == {(250, 0, 0)}
        assert "my shot.png 40×20" in screen_text(app)
        await pilot.click(strip)
        await wait_for(pilot, lambda: isinstance(app.screen, ImageScreen), what="large view")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ImageScreen))
    assert sent_images(scripted_server.bodies[0]) == [
        "data:image/png;base64," + base64.b64encode(raw).decode()
    ]


async def test_an_image_mention_attaches_and_view_image_gets_a_cell(
    scripted_server, workspace: Path, app_factory
) -> None:
    raw = png(workspace / "ui.png")
    scripted_server.add(Reply([FunctionCall("view_image", {"path": "ui.png"}, call_id="v")]))
    scripted_server.add(Reply([Message("Seen twice.")]))
    app = app_factory(approval_policy="never")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None, what="the agent")
        app.composer.text = "compare @ui.png with the design"
        await pilot.press("end", "enter")
        await wait_for(pilot, lambda: "Seen twice." in screen_text(app), what="the answer")
        (cell,) = app.conversation.query(ImagesCell)
        assert cell.tool == "view_image" and cell.images[0].name == "ui.png"
        assert "view_image gave the model 1 image to see" in screen_text(app)
    url = "data:image/png;base64," + base64.b64encode(raw).decode()
    assert sent_images(scripted_server.bodies[0]) == [url]  # the mention
    assert sent_images(scripted_server.bodies[1]).count(url) == 2  # and the tool's
    assert "compare @ui.png with the design" in json.dumps(scripted_server.bodies[0]["input"])


async def test_graphics_mode_draws_through_textual_image(
    workspace: Path, app_factory, monkeypatch
) -> None:
    """`tui.images: graphics` hands the picture to textual-image (here, with no
    terminal to ask, its character fallback); `text` keeps just the line."""
    from textual_image.widget import Image as Picture

    from codex_tui.images.store import attach_file
    from codex_tui.ui import image_view

    png(workspace / "g.png")
    image = attach_file(workspace / "g.png")
    monkeypatch.setattr(image_view, "_graphics", None)
    monkeypatch.setattr(image_view, "_text_only", False)
    image_view.prepare_graphics("graphics")
    assert image_view.graphics_enabled()
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        app.conversation.add_user("look", images=(image,))
        await pilot.pause(0.2)
        strip = app.conversation.query_one(ImageStrip)
        assert strip.query(Picture) and not strip.query(_Blocks)
        # A stored file gone (or a hostile session naming one): one line, no crash.
        from dataclasses import replace

        gone = replace(image, stored="f" * 64 + ".png")
        app.conversation.add_user("gone", images=(gone,))
        await pilot.pause(0.3)
        missing = list(app.conversation.query(ImageStrip))[-1]
        blocks = missing.query_one(_Blocks)
        await wait_for(pilot, lambda: blocks._failed is not None, what="the fallback line")
        assert blocks._failed == "[image not shown: no longer stored]"
        image_view.prepare_graphics("text")
        app.conversation.add_user("again", images=(image,))
        await pilot.pause(0.2)
        second = list(app.conversation.query(ImageStrip))[-1]
        assert not second.query(Picture) and not second.query(_Blocks)
        assert "g.png 40×20" in screen_text(app)
