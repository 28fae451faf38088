"""Images in session files are references: they read back as the stored bytes,
and a reference that is hostile (a path), gone or altered reads as a line."""

from __future__ import annotations

import json
from pathlib import Path

from codex_tui.agent import events as ev
from codex_tui.images.store import attach_bytes, data_url
from codex_tui.sessions import read_session
from tests.images_tests.test_prepare import encoded

SID = "11111111-2222-4333-8444-666666666666"


def write(home: Path, lines: list[dict]) -> Path:
    path = home / "sessions" / "2026" / "12" / "04" / f"rollout-2026-12-04T10-00-00-{SID}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"id": SID, "cwd": "/w", "originator": "codex-tui"}
    head = {"timestamp": "2026-12-04T10:00:00Z", "type": "session_meta", "payload": meta}
    path.write_text("".join(json.dumps(x) + "\n" for x in [head, *lines]))
    return path


def user_item(*parts: dict) -> dict:
    return {
        "type": "response_item",
        "payload": {"type": "message", "role": "user", "content": [*parts]},
    }


def test_references_read_back_and_bad_ones_are_lines(isolated_home: Path) -> None:
    raw = encoded("PNG", (6, 6))
    kept = attach_bytes(raw, "kept.png")
    altered = attach_bytes(encoded("PNG", (7, 7)), "altered.png")
    altered.path.write_bytes(b"swapped after the fact")
    text = {"type": "input_text", "text": "look"}
    records = [
        {"name": "kept.png", "file": kept.stored, "mime": "image/png", "width": 6, "height": 6, "bytes": 1},
        {"name": "evil", "file": "../../../etc/passwd", "mime": "image/png", "width": 1, "height": 1, "bytes": 1},
        {"name": "odd", "file": kept.stored, "mime": "image/png", "width": "wide", "height": 1, "bytes": 1},
    ]  # fmt: skip
    path = write(
        isolated_home,
        [
            {"type": "event_msg", "payload": {"type": "user_message", "message": "look", "attachments": records}},
            user_item(
                text,
                {"type": "input_image", "attachment": kept.stored, "sha256": kept.sha256},
                {"type": "input_image", "attachment": "../../../etc/passwd"},
                {"type": "input_image", "attachment": altered.stored},
                {"type": "input_image", "attachment": "f" * 64 + ".png"},
                {"type": "input_image", "image_url": "file:///etc/passwd"},
            ),
        ],
    )  # fmt: skip
    data = read_session(path)
    (item,) = data.history
    assert item["content"][0] == text
    assert item["content"][1] == {"type": "input_image", "image_url": data_url(raw, "image/png")}
    notes = [p["text"] for p in item["content"][2:]]
    assert len(notes) == 3 and all(
        n.startswith("[an image that is no longer stored") for n in notes
    )
    (message,) = [e for e in data.transcript if isinstance(e, ev.UserMessage)]
    assert [a.name for a in message.images] == ["kept.png"]  # the path and the odd one dropped
