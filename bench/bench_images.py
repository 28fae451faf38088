"""Images: what attaching a screenshot costs, and drawing its preview.

A 4K screenshot (3840×2160 PNG, noisy enough not to compress to nothing) is
prepared as an attachment (decode, downscale to 2048 px, re-encode, keep by
hash); a phone photo size JPEG likewise; a small PNG goes as it is. The preview
is the transcript's half-block rendering (32×8 cells) of the stored image.
Medians of 5; Pillow does the work, in a thread in the app.
"""

from __future__ import annotations

import io
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from PIL import Image


def fig(name: str, value, unit: str = "", goal: str = "", note: str = "") -> dict:
    return {"name": name, "value": value, "unit": unit, "goal": goal, "note": note}


def screenshot(size: tuple[int, int], fmt: str) -> bytes:
    rng = random.Random(7)
    img = Image.new("RGB", size, (250, 250, 250))
    tile = Image.frombytes("RGB", (256, 256), bytes(rng.randrange(256) for _ in range(256 * 768)))
    for x in range(0, size[0], 512):
        for y in range(0, size[1], 512):
            img.paste(tile, (x, y))
    out = io.BytesIO()
    img.save(out, fmt)
    return out.getvalue()


def median_ms(work, rounds: int = 5) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run() -> list[dict]:
    with tempfile.TemporaryDirectory() as home:
        os.environ["CODEX_TUI_HOME"] = home
        from codex_tui.images.store import attach_bytes
        from codex_tui.ui.image_view import half_blocks

        big = screenshot((3840, 2160), "PNG")
        photo = screenshot((4032, 3024), "JPEG")
        small = screenshot((800, 600), "PNG")
        kept = attach_bytes(big, "shot.png")
        return [
            fig("attach a 3840×2160 PNG screenshot", median_ms(lambda: attach_bytes(big, "a.png")),
                "ms", "≤ 500 ms", f"{len(big) // 1024} KB in, {kept.size // 1024} KB sent at "
                f"{kept.width}×{kept.height}"),
            fig("attach a 4032×3024 JPEG photo", median_ms(lambda: attach_bytes(photo, "p.jpg")),
                "ms", "", "downscaled, stays JPEG"),
            fig("attach an 800×600 PNG (sent as it is)",
                median_ms(lambda: attach_bytes(small, "s.png")), "ms", "", "verify + hash + keep"),
            fig("half-block preview of the stored screenshot (32×8)",
                median_ms(lambda: half_blocks(str(Path(kept.path)), 32, 8)), "ms", "≤ 50 ms",
                "off the UI thread in the app"),
        ]  # fmt: skip
