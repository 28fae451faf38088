"""SVG snapshots of images in the transcript: the half-block preview of an
attached image and of a tool's, and the one-line fallback for an image whose
file is gone. Update with `--snapshot-update` after checking them by eye."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from codex_tui.agent import events as ev
from codex_tui.images.store import attach_bytes
from tests.ui.test_snapshots import settle, snapshot_app, snapshot_root  # noqa: F401


def picture(size: tuple[int, int], shapes: str) -> bytes:
    img = Image.new("RGB", size, (245, 245, 245))
    draw = ImageDraw.Draw(img)
    if shapes == "boxes":
        draw.rectangle([10, 10, size[0] // 2 - 10, size[1] - 10], fill=(220, 40, 40))
        draw.ellipse([size[0] // 2 + 10, 10, size[0] - 10, size[1] - 10], fill=(40, 80, 220))
    else:
        for i in range(5):
            draw.rectangle(
                [10 + i * 30, size[1] - 20 - i * 25, 30 + i * 30, size[1] - 10], fill=(30, 160, 60)
            )
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


async def with_images(pilot) -> None:
    await settle(pilot)
    app = pilot.app
    shot = attach_bytes(picture((400, 200), "boxes"), "shot.png")
    chart = attach_bytes(picture((180, 160), "bars"), "chart.png")
    gone = attach_bytes(picture((50, 50), "bars"), "gone.png")
    gone.path.unlink()
    text = "Why is the blue circle cut off?"
    app.conversation.add_user(text, images=(shot, gone))
    emit = app.on_agent_event
    emit(ev.TurnStarted(turn_id="t1", user_input=text, images=(shot, gone)))
    emit(ev.ToolImages(call_id="v1", tool="view_image", images=(chart,)))
    emit(ev.AgentMessage(item_id="m1", text="The chart's container is 160 px high."))
    for _ in range(20):
        await pilot.pause(0.05)
        await app.workers.wait_for_complete()
    await pilot.pause(0.2)


def test_image_previews_and_the_fallback_line(snapshot_root, snap_compare) -> None:  # noqa: F811
    assert snap_compare(snapshot_app(), run_before=with_images, terminal_size=(100, 40))
