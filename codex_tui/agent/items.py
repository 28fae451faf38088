"""History items: the Responses API's item shapes as TypedDicts, the one currency of
the conversation (both wires, the checker, the session files).

Items arrive from untrusted places (a model server's stream, a session file), so
`history_item` checks a raw JSON value and keeps only what we know how to send
back; everything typed as `HistoryItem` has passed through it or was built here.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Literal, NotRequired, TypedDict, TypeGuard

Role = Literal["user", "assistant", "developer", "system"]


class InputText(TypedDict):
    type: Literal["input_text"]
    text: str


class OutputText(TypedDict):
    type: Literal["output_text"]
    text: str


class InputImage(TypedDict):
    type: Literal["input_image"]
    # A data URL (what we attach) or an https URL (a session file from elsewhere).
    image_url: str
    detail: NotRequired[Literal["auto", "low", "high"]]


ContentPart = InputText | OutputText | InputImage


class MessageItem(TypedDict):
    type: Literal["message"]
    role: Role
    content: list[ContentPart]
    id: NotRequired[str]


class FunctionCallItem(TypedDict):
    type: Literal["function_call"]
    call_id: str
    name: str
    # JSON text, as the model wrote it (parsed once, by the tool registry).
    arguments: str
    id: NotRequired[str]


class FunctionCallOutputItem(TypedDict):
    type: Literal["function_call_output"]
    call_id: str
    output: str


class SummaryText(TypedDict):
    type: Literal["summary_text"]
    text: str


class ReasoningText(TypedDict):
    type: Literal["reasoning_text"]
    text: str


class ReasoningItem(TypedDict):
    type: Literal["reasoning"]
    summary: list[SummaryText]
    id: NotRequired[str]
    content: NotRequired[list[ReasoningText]]
    # Opaque; only the account that made it can use it again.
    encrypted_content: NotRequired[str]


HistoryItem = MessageItem | FunctionCallItem | FunctionCallOutputItem | ReasoningItem


def user_message(text: str, images: Sequence[str] = ()) -> MessageItem:
    """The person's message; `images` are data URLs sent with it, after the text."""
    content: list[ContentPart] = [{"type": "input_text", "text": text}]
    content.extend({"type": "input_image", "image_url": url} for url in images)
    return {"type": "message", "role": "user", "content": content}


def image_urls(item: HistoryItem) -> list[str]:
    """The images a message carries (none for other items)."""
    if item["type"] != "message":
        return []
    return [p["image_url"] for p in item["content"] if p["type"] == "input_image"]


def assistant_message(text: str, item_id: str | None = None) -> MessageItem:
    item: MessageItem = {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "output_text", "text": text}],
    }
    if item_id:
        item["id"] = item_id
    return item


def call_output(call_id: str, output: str) -> FunctionCallOutputItem:
    return {"type": "function_call_output", "call_id": call_id, "output": output}


def message_text(item: MessageItem) -> str:
    """The text of a message: its text parts joined (images left out)."""
    return "".join(part["text"] for part in item["content"] if part["type"] != "input_image")


def reasoning_text(item: ReasoningItem) -> str:
    """What a reasoning item shows the person: its summary, else its raw text."""
    parts: list[SummaryText] | list[ReasoningText] = item["summary"] or item.get("content", [])
    return "\n\n".join(part["text"] for part in parts if part["text"])


def is_call(item: HistoryItem) -> TypeGuard[FunctionCallItem]:
    return item["type"] == "function_call"


def is_output(item: HistoryItem) -> TypeGuard[FunctionCallOutputItem]:
    return item["type"] == "function_call_output"


def is_message(item: HistoryItem) -> TypeGuard[MessageItem]:
    return item["type"] == "message"


# --- checking raw JSON --------------------------------------------------------------

_ROLES: dict[str, Role] = {r: r for r in ("user", "assistant", "developer", "system")}


def _parts(raw: object) -> list[tuple[str, str]] | None:
    """(type, text) of each part of a content list that carries text (a refusal's
    text is what the model said instead of an answer), or (input_image, its URL);
    None when not a list."""
    if not isinstance(raw, list):
        return None
    out = []
    for part in raw:
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        if kind == "input_image":
            url = part.get("image_url")
            if isinstance(url, str) and url.startswith(_IMAGE_URLS):
                out.append((kind, url))
            continue
        text = part.get("refusal" if kind == "refusal" else "text")
        if isinstance(kind, str) and isinstance(text, str):
            out.append((kind, text))
    return out


# Images a message may carry: inline data (ours, Codex CLI's) or a web address.
_IMAGE_URLS = ("data:image/", "https://")


def _message(raw: dict[str, object]) -> MessageItem | None:
    raw_role = raw.get("role")
    role = _ROLES.get(raw_role) if isinstance(raw_role, str) else None
    content = raw.get("content")
    if role is None:
        return None
    if content is None:
        content = []
    elif isinstance(content, int | float | bool):
        content = str(content)  # what a server sent as the text, shown rather than lost
    if isinstance(content, str):
        content = [
            {"type": "output_text" if role == "assistant" else "input_text", "text": content}
        ]
    parts = _parts(content)
    if parts is None:
        return None
    typed: list[ContentPart] = []
    for kind, text in parts:
        if kind == "input_text":
            typed.append({"type": "input_text", "text": text})
        elif kind in ("output_text", "refusal"):
            typed.append({"type": "output_text", "text": text})
        elif kind == "input_image" and role == "user":
            typed.append({"type": "input_image", "image_url": text})
    item: MessageItem = {"type": "message", "role": role, "content": typed}
    _copy_id(raw, item)
    return item


def _function_call(raw: dict[str, object]) -> FunctionCallItem:
    """Never dropped: a call the model made gets an output, so a malformed one is
    mended into a call the tool registry refuses with a message the model reads
    (no name: unknown tool; arguments that are not a JSON object: bad arguments;
    no usable call_id: one of ours)."""
    call_id, name, arguments = raw.get("call_id"), raw.get("name"), raw.get("arguments", "{}")
    if not (isinstance(call_id, str) and call_id):
        call_id = f"call_{uuid.uuid4().hex}"
    if not isinstance(arguments, str):
        try:
            arguments = json.dumps(arguments)
        except (TypeError, ValueError, RecursionError):
            arguments = "null"
    item: FunctionCallItem = {
        "type": "function_call",
        "call_id": call_id,
        "name": name if isinstance(name, str) else "",
        "arguments": arguments,
    }
    _copy_id(raw, item)
    return item


def _function_call_output(raw: dict[str, object]) -> FunctionCallOutputItem | None:
    call_id, output = raw.get("call_id"), raw.get("output")
    if not (isinstance(call_id, str) and call_id and isinstance(output, str)):
        return None
    return call_output(call_id, output)


def _reasoning(raw: dict[str, object]) -> ReasoningItem | None:
    summary = _parts(raw.get("summary", []))
    if summary is None:
        return None
    item: ReasoningItem = {
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": t} for k, t in summary if k == "summary_text"],
    }
    content = [
        ReasoningText(type="reasoning_text", text=t)
        for k, t in _parts(raw.get("content")) or ()
        if k == "reasoning_text"
    ]
    if content:
        item["content"] = content
    encrypted = raw.get("encrypted_content")
    if isinstance(encrypted, str) and encrypted:
        item["encrypted_content"] = encrypted
    _copy_id(raw, item)
    return item


def _copy_id(raw: dict[str, object], item: MessageItem | FunctionCallItem | ReasoningItem) -> None:
    item_id = raw.get("id")
    if isinstance(item_id, str) and item_id:
        item["id"] = item_id


def history_item(raw: object) -> HistoryItem | None:
    """`raw` (JSON from a server or a file) as a history item we can send again,
    or None when it is not one of the kinds we know or its fields are off."""
    if not isinstance(raw, dict):
        return None
    match raw.get("type", "message"):
        case "message":
            return _message(raw)
        case "function_call":
            return _function_call(raw)
        case "function_call_output":
            return _function_call_output(raw)
        case "reasoning":
            return _reasoning(raw)
    return None
