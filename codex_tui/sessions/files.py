"""Where session files live, what they are called, and the line envelope
(`{"timestamp", "type", "payload"}`) we share with Codex CLI."""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from codex_tui.config import paths
from codex_tui.config.safe_read import UnreadableFile, read_regular

# session_meta.originator of the files we write; anything else came from Codex CLI.
ORIGINATOR = "codex-tui"

Source = Literal["codex-tui", "codex"]


# The C scanner json.loads ends in; `_decode` calls it without json's two Python
# frames and two whitespace regexes (1.6 → 1.0 µs for a typical session line).
_scan: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_JSON_SPACE = " \t\n\r"


def _decode(text: str) -> Any:
    """json.loads of a str: one value, JSON whitespace around it; ValueError if not."""
    start = 0
    if text[:1] in _JSON_SPACE and text:
        start = len(text) - len(text.lstrip(_JSON_SPACE))
    try:
        value, end = _scan(text, start)
    except StopIteration:
        raise ValueError("not a JSON value") from None
    if end != len(text) and text[end:].strip(_JSON_SPACE):
        raise ValueError("extra data after a JSON value")
    return value


# The title of a session with no request yet.
UNTITLED = "(no request yet)"
TITLE_CHARS = 120


@dataclass(frozen=True)
class Root:
    """A directory of session files and who writes it."""

    path: Path
    source: Source
    # Every writer touches a file's folder when it appends (ours do; Codex CLI does
    # not), so the index may skip a folder whose time has not changed.
    marks_folders: bool = True


_SURROGATES = re.compile("[\ud800-\udfff]")


def clean_text(value: object) -> str:
    """A text field of a session file as text we can show, store and write: "" for
    a value that is not text, U+FFFD for lone surrogates (invalid UTF-8 in a
    prompt arrives as those)."""
    if not isinstance(value, str):
        return ""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATES.sub("\ufffd", value)
    return value


def text_or_none(value: object) -> str | None:
    return clean_text(value) or None


def codex_home() -> Path:
    env = os.environ.get("CODEX_HOME")
    return Path(env).expanduser() if env else Path.home() / ".codex"


def roots() -> list[Root]:
    """Our sessions, then Codex CLI's (read-only); the same directory only once."""
    ours = Root(paths.sessions_dir(), "codex-tui")
    theirs = Root(codex_home() / "sessions", "codex", marks_folders=False)
    if _same(ours.path, theirs.path):
        return [Root(ours.path, "codex-tui", marks_folders=False)]  # Codex CLI writes here too
    return [ours, theirs]


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def mark_folder(path: Path) -> None:
    """Tell the session index that `path` (a session file) changed: touch its
    folder, the one time the index compares (see index_scan)."""
    with contextlib.suppress(OSError):  # then the change waits for a full listing
        os.utime(path.parent)


def session_path(session_id: str, now: datetime | None = None) -> Path:
    """`sessions/YYYY/MM/DD/rollout-<YYYY-MM-DDThh-mm-ss>-<id>.jsonl`, in local time."""
    now = (now or datetime.now(UTC)).astimezone()
    stamp = now.strftime("%Y-%m-%dT%H-%M-%S")
    day = paths.sessions_dir() / f"{now:%Y}" / f"{now:%m}" / f"{now:%d}"
    return day / f"rollout-{stamp}-{session_id}.jsonl"


def is_session_file(name: str) -> bool:
    return name.startswith("rollout-") and name.endswith(".jsonl")


def utc_stamp(when: datetime | None = None) -> str:
    """An ISO time in UTC with milliseconds and a `Z`, as Codex CLI writes them."""
    when = (when or datetime.now(UTC)).astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def parse_stamp(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def encode_line(kind: str, payload: Mapping[str, object], timestamp: str | None = None) -> bytes:
    """One whole line of a session file (compact JSON, like Codex CLI's)."""
    line = {"timestamp": timestamp or utc_stamp(), "type": kind, "payload": payload}
    # default=str: a stray non-JSON value (a Path, say) must not stop the recording.
    text = json.dumps(line, ensure_ascii=False, separators=(",", ":"), default=str)
    # A lone surrogate (invalid UTF-8 decoded somewhere) becomes U+FFFD: the file
    # stays valid UTF-8 and reads back as text any tool can store.
    return (clean_text(text) + "\n").encode("utf-8")


# --- git, read from the files (no subprocess on the way to the first request) ------------


def git_dir(start: Path) -> Path | None:
    """The `.git` directory of the repository holding `start` (worktrees followed)."""
    for folder in (start, *start.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():
            try:  # a regular file of a few bytes: never a FIFO that would hang us
                text = read_regular(dot_git, 4096).decode("utf-8", "replace").strip()
            except (OSError, UnreadableFile):
                return None
            if text.startswith("gitdir:"):
                target = Path(text[len("gitdir:") :].strip())
                return target if target.is_absolute() else (folder / target).resolve()
            return None
    return None


def repo_root(start: Path) -> Path:
    """The top of the git checkout holding `start`, or `start` itself outside one."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def git_head(start: Path) -> dict[str, str]:
    """{branch, commit_hash} of the checkout at `start`; keys missing when unknown."""
    found = git_dir(start)
    if found is None:
        return {}
    try:
        head = _small_text(found / "HEAD")
    except (OSError, ValueError, UnreadableFile):
        return {}
    info: dict[str, str] = {}
    if not head.startswith("ref:"):
        if head:
            info["commit_hash"] = head
        return info
    ref = head[len("ref:") :].strip()
    if ref.startswith("refs/heads/"):
        info["branch"] = ref[len("refs/heads/") :]
    commit = _resolve_ref(found, ref)
    if commit:
        info["commit_hash"] = commit
    return info


PACKED_REFS_MAX_BYTES = 16 * 1024 * 1024


def _small_text(path: Path, limit: int = 4096) -> str:
    """A git metadata file, read only if it is a regular file (a FIFO would hang
    the start of the session) and small."""
    return read_regular(path, limit).decode("utf-8", "replace").strip()


def _resolve_ref(found: Path, ref: str) -> str | None:
    common = found
    with contextlib.suppress(OSError, UnreadableFile):
        common = (found / _small_text(found / "commondir")).resolve()
    for base in dict.fromkeys((found, common)):
        try:
            return _small_text(base / ref) or None
        except (OSError, UnreadableFile):
            pass
        try:
            packed = _small_text(base / "packed-refs", PACKED_REFS_MAX_BYTES)
        except (OSError, UnreadableFile):
            continue
        for line in packed.splitlines():
            sha, _, name = line.partition(" ")
            if name.strip() == ref:
                return sha
    return None


def make_title(text: str) -> str:
    line = " ".join(text.split())
    if len(line) > TITLE_CHARS:
        line = line[: TITLE_CHARS - 1].rstrip() + "…"
    return line


def parse_line(chunk: bytes) -> dict[str, Any] | None:
    """One line of a session file as its envelope (`type`, `payload`), or None when
    it is torn, corrupt or not one. Decoded as UTF-8 first: json.loads would detect
    the encoding of every line, which a 500-turn session pays 3,500 times."""
    try:
        text = chunk.decode()  # UTF-8 in C; "utf-8-sig" goes through a Python codec
        line = _decode(text[1:] if text.startswith("\ufeff") else text)
    except (ValueError, UnicodeDecodeError, RecursionError):  # nested past the C stack limit
        return None
    return envelope(line)


def envelope(line: Any) -> dict[str, Any] | None:
    """`line` (decoded JSON) when it is an envelope (`type`, `payload`), else None."""
    if not isinstance(line, dict) or not isinstance(line.get("payload"), dict):
        return None
    if not isinstance(line.get("type"), str):
        return None
    return line


def parse_lines(chunks: list[bytes]) -> list[dict[str, Any] | None]:
    """`parse_line` of each chunk. Whole files are decoded as one JSON array (one
    call into the decoder, not one per line: 18 → 14 ms for a 500-turn session);
    a file with a torn or corrupt line goes line by line, so that line alone is
    lost."""
    try:
        values = _decode("[" + b",".join(chunks).decode("utf-8-sig") + "]")
    except (ValueError, UnicodeDecodeError, RecursionError):
        values = None
    if not isinstance(values, list) or len(values) != len(chunks):
        return [parse_line(chunk) for chunk in chunks]
    return [envelope(value) for value in values]
