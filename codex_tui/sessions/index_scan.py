"""The row each changed session file gives the index (see index_folders for how
changed files are found): its id, title, counts, preview and searchable text,
read from only the lines that matter (index_rows stores them)."""

from __future__ import annotations

import os
import stat
from typing import Any

from codex_tui.sessions.files import (
    ORIGINATOR,
    UNTITLED,
    Source,
    clean_text,
    make_title,
    parse_line,
    parse_stamp,
    text_or_none,
)

# Searchable message text kept per session (the start of the conversation).
TEXT_CHARS = 16_000
PREVIEW_CHARS = 400


def scan_file(path: str, size: int, mtime_ns: int, source: Source) -> dict[str, Any]:
    """An index row for one file, reading only what the listing and search need."""
    row: dict[str, Any] = {
        "path": path,
        "dir": os.path.dirname(path),
        "size": size,
        "mtime_ns": mtime_ns,
        "ok": 0,
        "id": None,
        "source": source,
        "title": None,
        "cwd": None,
        "branch": None,
        "model": None,
        "created": None,
        "updated": mtime_ns / 1e9,
        "turns": 0,
        "tokens": 0,
        "read_only": 1,
        "preview": "",
        "text": "",
    }
    try:
        raw = _read_regular(path)
    except OSError:
        return row
    try:
        return _read_row(raw, row, source)
    except Exception:  # a file we cannot make sense of is counted, never fatal
        return {**row, "ok": 0}


def _read_regular(path: str) -> bytes:
    """The file's bytes; a FIFO or device put in its place is refused, not waited on."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path}: not a regular file")
        parts = [os.read(fd, info.st_size + 1)]  # one read, unless the file grew
        while parts[-1]:
            parts.append(os.read(fd, 1 << 16))
        return b"".join(parts)
    finally:
        os.close(fd)


def _must_parse(chunk: bytes, budget: int) -> bool | None:
    """Whether a line must be parsed now (True), can wait for the backward pass
    because only the last of its kind counts (False), or is skipped (None). By
    substring only: a parse confirms what the line is. Only event_msg and
    turn_context lines count, and two searches rule out the others (half of a
    file's lines: its items) for a third of what the six below cost."""
    if b'"event_msg"' not in chunk and b'"turn_context"' not in chunk:
        return None
    if b"user_message" in chunk or b"session_renamed" in chunk or b"_rolled_back" in chunk:
        return True
    if b"_message" in chunk:
        return budget > 0  # an answer: its text is searchable until the budget is spent
    if b"token_count" in chunk or b"turn_context" in chunk:
        return False
    return None


def _read_row(raw: bytes, row: dict[str, Any], source: Source) -> dict[str, Any]:
    lines = raw.split(b"\n")
    first = next((n for n, chunk in enumerate(lines) if chunk.strip()), len(lines) - 1)
    head = parse_line(lines[first])
    if head is None or head["type"] != "session_meta" or not head["payload"].get("id"):
        return row
    meta = head["payload"]
    git = meta.get("git") if isinstance(meta.get("git"), dict) else {}
    created = parse_stamp(meta.get("timestamp")) or parse_stamp(head.get("timestamp"))
    ours = meta.get("originator") == ORIGINATOR
    row.update(
        ok=1,
        id=clean_text(str(meta["id"])),
        source="codex-tui" if ours else "codex",
        cwd=clean_text(meta.get("cwd")),
        branch=text_or_none(git.get("branch")),
        model=text_or_none(meta.get("model")),
        created=created.timestamp() if created else row["updated"],
        read_only=0 if ours and source == "codex-tui" else 1,
    )
    title = renamed = None
    texts: list[str] = []
    budget = TEXT_CHARS
    # Lines where only the last of their kind counts (model, tokens, preview) wait
    # here, with their number; `set_at` holds the line that set each field so far.
    waiting: list[tuple[int, bytes]] = []
    set_at = {"model": -1, "tokens": -1, "preview": -1}
    for n in range(first + 1, len(lines)):
        chunk = lines[n]
        parse_now = _must_parse(chunk, budget)
        if parse_now is None:
            continue
        if not parse_now:
            waiting.append((n, chunk))
            continue
        line = parse_line(chunk)
        if line is None:
            continue
        if field := _take_last(row, line):
            set_at[field] = n
        payload = line["payload"]
        if line["type"] != "event_msg":
            continue
        match payload.get("type"):
            case "user_message":
                text = clean_text(payload.get("message")) + _images_mark(payload)
                row["turns"] += 1
                if title is None and text.strip():
                    title = make_title(text)
            case "agent_message":
                text = clean_text(payload.get("message"))
            case "session_renamed":
                renamed = clean_text(payload.get("title")).strip() or renamed
                continue
            case "thread_rolled_back":  # a rewind
                cut = payload.get("num_turns")
                if isinstance(cut, int) and not isinstance(cut, bool) and cut > 0:
                    row["turns"] = max(0, row["turns"] - cut)
                continue
            case _:
                continue
        if budget > 0:
            texts.append(text[:budget])
            budget -= len(texts[-1])
    # Backwards: the last waiting line of each kind, unless a later one was parsed.
    need = set(set_at)
    for n, chunk in reversed(waiting):
        if not need:
            break
        line = parse_line(chunk)
        field = _field_of(line) if line is not None else None
        if field not in need:
            continue
        if set_at[field] > n:
            need.discard(field)  # parsed later already; the rest of these are older
            continue
        if _take_last(row, line):  # type: ignore[arg-type]
            need.discard(field)
    row["title"] = renamed or title or _title_from_items(raw) or UNTITLED
    row["text"] = "\n".join(texts)
    return row


def _images_mark(payload: dict[str, Any]) -> str:
    """` [image: shot.png]` for each attachment a message carried: the sidebar's
    title and search show that a message came with pictures."""
    records = payload.get("attachments")
    if not isinstance(records, list):
        return ""
    names = [r.get("name") for r in records if isinstance(r, dict)]
    return "".join(f" [image: {clean_text(n)[:60]}]" for n in names if isinstance(n, str))


_FIELD_OF_EVENT = {"token_count": "tokens", "agent_message": "preview"}


def _field_of(line: dict[str, Any]) -> str | None:
    if line["type"] == "turn_context":
        return "model"
    if line["type"] == "event_msg":
        return _FIELD_OF_EVENT.get(line["payload"].get("type"))
    return None


def _take_last(row: dict[str, Any], line: dict[str, Any]) -> str | None:
    """Set the field `line` gives (model, tokens or preview), if it gives one; its
    name, or None."""
    payload = line["payload"]
    match _field_of(line):
        case "model":
            model = text_or_none(payload.get("model"))
            if model is None:
                return None
            row["model"] = model
            return "model"
        case "tokens":
            info = payload.get("info")
            if not isinstance(info, dict):
                return None
            row["tokens"] = _total_tokens(info.get("total_token_usage"))
            return "tokens"
        case "preview":
            row["preview"] = clean_text(payload.get("message"))[:PREVIEW_CHARS]
            return "preview"
    return None


def _total_tokens(usage: object) -> int:
    """Input plus output tokens of a recorded usage, as the reader counts them
    (TokenUsage.total_tokens): the helper processes skip importing the decoders."""
    if not isinstance(usage, dict):
        return 0
    counts = (usage.get("input_tokens"), usage.get("output_tokens"))
    return sum(n for n in counts if isinstance(n, int) and not isinstance(n, bool))


def _title_from_items(raw: bytes) -> str | None:
    """A file without user_message events: the first request among its items."""
    from codex_tui.agent.context import is_user_request
    from codex_tui.agent.items import history_item, message_text
    from codex_tui.sessions.history import is_context_item

    for chunk in raw.split(b"\n"):
        if b"response_item" not in chunk or b"user" not in chunk:
            continue
        line = parse_line(chunk)
        if line is None or line["type"] != "response_item":
            continue
        item = history_item(line["payload"])
        if item is not None and is_user_request(item) and not is_context_item(item):
            return make_title(message_text(item))
    return None
