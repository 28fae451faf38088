"""Images end to end through `codex-tui exec`, a real process against the
scripted server: attached with -i, looked at with view_image, refused by a
server, recorded by reference and sent again on resume."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from codex_tui.scripted import FunctionCall, HttpError, Message, Reply, ScriptedModelServer


def run_exec(server, cwd: Path, home: Path, *args: str, wire: str = "responses"):
    argv = [
        sys.executable, "-m", "codex_tui",
        "-c", "model_provider=scripted",
        "-c", f"model_providers.scripted.base_url={server.base_url}",
        "-c", f"model_providers.scripted.wire_api={wire}",
        "-c", "model_providers.scripted.request_max_retries=1",
        "exec", *args,
    ]  # fmt: skip
    env = {**os.environ, "CODEX_TUI_HOME": str(home)}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def png(path: Path, size=(32, 16), color=(10, 200, 10)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    path.write_bytes(out.getvalue())
    return out.getvalue()


def data_url(raw: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(raw).decode()}"


def user_parts(body: dict) -> list[list[dict]]:
    return [
        item["content"]
        for item in body["input"]
        if item.get("type", "message") == "message" and item.get("role") == "user"
    ]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "work"
    root.mkdir()
    return root


def test_attached_images_go_with_the_text_and_come_back_on_resume(
    workspace: Path, isolated_home: Path
) -> None:
    raw = png(workspace / "shot.png")
    bmp = workspace / "diagram.bmp"
    Image.new("RGB", (20, 10), (0, 0, 255)).save(bmp, "BMP")
    with ScriptedModelServer([Reply([Message("A green bar.")]), Reply([Message("Still.")])]) as s:
        result = run_exec(
            s, workspace, isolated_home, "--json", "-i", "shot.png,diagram.bmp", "what is this?"
        )
        assert result.returncode == 0, result.stderr
        (request,) = user_parts(s.bodies[0])[-1:]
        assert request[0] == {"type": "input_text", "text": "what is this?"}
        assert request[1] == {"type": "input_image", "image_url": data_url(raw)}
        converted = base64.b64decode(request[2]["image_url"].split(",", 1)[1])
        assert request[2]["image_url"].startswith("data:image/png;base64,")
        with Image.open(io.BytesIO(converted)) as img:
            assert (img.format, img.size) == ("PNG", (20, 10))

        events = [json.loads(line) for line in result.stdout.splitlines()]
        (user,) = [e["item"] for e in events if e.get("item", {}).get("type") == "user_message"]
        assert user["text"] == "what is this?"
        assert [(i["name"], i["width"], i["height"]) for i in user["images"]] == [
            ("shot.png", 32, 16),
            ("diagram.bmp", 20, 10),
        ]
        assert all(Path(i["path"]).is_file() for i in user["images"])

        # The session file names the images; it does not carry their bytes.
        (session,) = (isolated_home / "sessions").rglob("rollout-*.jsonl")
        text = session.read_text()
        assert "base64" not in text and '"attachment":' in text
        assert '"attachments":[{"name":"shot.png"' in text

        resumed = run_exec(s, workspace, isolated_home, "resume", "--last", "and now?")
        assert resumed.returncode == 0, resumed.stderr
        history = user_parts(s.bodies[1])
        first = next(parts for parts in history if parts[0]["text"] == "what is this?")
        assert first[1] == {"type": "input_image", "image_url": data_url(raw)}


def test_the_chat_wire_sends_image_url_parts(workspace: Path, isolated_home: Path) -> None:
    raw = png(workspace / "shot.png")
    with ScriptedModelServer([Reply([Message("ok")])]) as s:
        result = run_exec(s, workspace, isolated_home, "-i", "shot.png", "see", wire="chat")
        assert result.returncode == 0, result.stderr
        user = [m for m in s.bodies[0]["messages"] if m["role"] == "user"][-1]
    assert user["content"] == [
        {"type": "text", "text": "see"},
        {"type": "image_url", "image_url": {"url": data_url(raw)}},
    ]


def test_a_server_refusing_images_gets_one_line_and_the_text_goes_on(
    workspace: Path, isolated_home: Path
) -> None:
    png(workspace / "shot.png")
    refusal = HttpError(400, {"error": {"message": "this model does not support image input"}})
    with ScriptedModelServer([refusal, Reply([Message("Answered from the text.")])]) as s:
        result = run_exec(s, workspace, isolated_home, "-i", "shot.png", "describe the bug")
        assert result.returncode == 0, result.stderr
        retried = json.dumps(s.bodies[1]["input"])
    assert "describe the bug" in retried and "input_image" not in retried
    lines = [line for line in result.stderr.splitlines() if "does not accept images" in line]
    assert len(lines) == 1, result.stderr
    assert "sent the text without them" in lines[0] and "does not support image input" in lines[0]
    assert result.stdout == "Answered from the text.\n"


def test_view_image_shows_the_model_a_workspace_file(workspace: Path, isolated_home: Path) -> None:
    raw = png(workspace / "ui.png", size=(64, 48))
    (workspace / "notes.txt").write_text("not a picture")
    calls = [
        FunctionCall("view_image", {"path": "ui.png"}, call_id="v1"),
        FunctionCall("view_image", {"path": "notes.txt"}, call_id="v2"),
        FunctionCall("view_image", {"path": "../outside.png"}, call_id="v3"),
    ]
    png(workspace.parent / "outside.png")
    with ScriptedModelServer([Reply(calls), Reply([Message("I see it.")])]) as s:
        result = run_exec(s, workspace, isolated_home, "--json", "look at ui.png")
        assert result.returncode == 0, result.stderr
        follow = s.bodies[1]["input"]
    outputs = {i["call_id"]: i["output"] for i in follow if i.get("type") == "function_call_output"}
    assert outputs["v1"] == "ui.png: 64x48 image/png, attached below"
    assert outputs["v2"].startswith("error:") and "notes.txt" in outputs["v2"]
    assert outputs["v3"].startswith("error:")
    last = follow[-1]
    assert last["role"] == "user" and "<tool_images>" in last["content"][0]["text"]
    assert last["content"][1:] == [{"type": "input_image", "image_url": data_url(raw)}]
    # After the outputs: every call's output stays next to its call.
    assert [i.get("type") for i in follow[-4:-1]] == ["function_call_output"] * 3


def test_bad_image_arguments_are_one_line_exit_2(workspace: Path, isolated_home: Path) -> None:
    (workspace / "fake.png").write_text("hello")
    with ScriptedModelServer([]) as s:
        missing = run_exec(s, workspace, isolated_home, "-i", "nope.png", "x")
        fake = run_exec(s, workspace, isolated_home, "-i", "fake.png", "x")
        nobody = run_exec(s, workspace, isolated_home, "-i", "~no-such-user-here/a.png", "x")
        assert s.bodies == []
    cases = (
        (missing, "nope.png: no such file"),
        (fake, "fake.png: not an image"),
        (nobody, "no such user's home"),
    )
    for result, words in cases:
        assert result.returncode == 2
        assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr


def test_a_large_screenshot_is_sent_scaled_down(workspace: Path, isolated_home: Path) -> None:
    png(workspace / "big.png", size=(3000, 1500))
    with ScriptedModelServer([Reply([Message("ok")])]) as s:
        result = run_exec(s, workspace, isolated_home, "-i", "big.png", "see", wire="chat")
        assert result.returncode == 0, result.stderr
        user = [m for m in s.bodies[0]["messages"] if m["role"] == "user"][-1]
    url = user["content"][1]["image_url"]["url"]
    with Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))) as img:
        assert img.size == (2048, 1024)
