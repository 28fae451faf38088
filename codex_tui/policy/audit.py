"""The audit log: one JSON line per tool call, appended to `log/audit.jsonl`.

Each line holds the time, session, tool, its arguments (redacted), the
decision, exit code, duration and flags that mark calls worth a second look:
`path_traversal_attempt`, `system_path_access`, `destructive_command`.
"""

from __future__ import annotations

import errno
import json
import os
import posixpath
import threading
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from codex_tui.policy.commands import CommandKind, classify
from codex_tui.policy.redaction import redact_json
from codex_tui.policy.unwrap import command_units

__all__ = ["AuditLog", "AuditRecord", "audit_flags"]

_MAX_STRING = 8_000  # longer argument strings (whole patches) are cut in the log
_SYSTEM_DIRS = ("/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/boot", "/dev",
                "/proc", "/sys", "/var", "/root", "/srv", "/opt", "/snap")  # fmt: skip
_HARMLESS_DEVICES = frozenset(
    {"/dev/null", "/dev/zero", "/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/tty",
     "/dev/urandom", "/dev/random", "/dev/full"}
)  # fmt: skip
_HOME_SECRETS = (".ssh", ".aws", ".gnupg", ".kube", ".docker", ".netrc", ".config/gh",
                 ".git-credentials", ".npmrc", ".pypirc", ".codex-tui")  # fmt: skip


@dataclass(frozen=True)
class AuditRecord:
    """One line of the audit log."""

    session: str
    tool: str
    arguments: Mapping[str, Any]
    decision: str
    exit_code: int | None = None
    duration_ms: int | None = None
    flags: tuple[str, ...] = ()
    time: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="milliseconds"))

    def to_json(self) -> str:
        data = asdict(self)
        data["arguments"] = _cut(redact_json(dict(self.arguments)))
        data["flags"] = list(self.flags)
        order = ("time", "session", "tool", "arguments", "decision", "exit_code",
                 "duration_ms", "flags")  # fmt: skip
        return json.dumps({k: data[k] for k in order}, ensure_ascii=False)


def _cut(value: Any) -> Any:
    if isinstance(value, str) and len(value) > _MAX_STRING:
        return value[:_MAX_STRING] + f"… [{len(value) - _MAX_STRING} more characters]"
    if isinstance(value, dict):
        return {k: _cut(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cut(v) for v in value]
    return value


class AuditLog:
    """Appends records to a JSONL file (created 0600 in a 0700 directory).

    A write that fails (read-only or full file system, a directory or nothing
    writable where the file should be) never raises: recording stops, `failed`
    says why, and the session goes on, as the session recorder does.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        # Set on the first failed write; nothing is written after it.
        self.failed: str | None = None
        self._lock = threading.Lock()

    def append(self, record: AuditRecord) -> str | None:
        """Write one line; a single write(2) on an O_APPEND file, so lines never interleave.

        Returns `failed` from the call whose write failed (once a log, so the
        caller warns once); None otherwise, also when recording had stopped before.
        """
        line = (record.to_json() + "\n").encode()
        with self._lock:
            if self.failed is not None:
                return None
            try:
                self._write(line)
            except OSError as exc:
                self.failed = f"{exc.filename or self.path}: {exc.strerror or exc}"
                return self.failed
        return None

    def _write(self, line: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            view = memoryview(line)
            while view:  # one write; the loop only covers a short write (a full disk)
                written = os.write(fd, view)
                if written == 0:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                view = view[written:]
        finally:
            os.close(fd)

    def read(self) -> list[dict[str, Any]]:
        """All records so far (for tests and a future `codex-tui audit`)."""
        if not self.path.exists():
            return []
        records = []
        for line in self.path.read_text(errors="replace").splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:
                continue  # a line cut short by a full disk
        return records


def _path_words(words: Iterable[str]) -> list[str]:
    """Words that may name paths, including the value of `--opt=value`."""
    out: list[str] = []
    for w in words:
        if w.startswith("-") and "=" in w:
            w = w.split("=", 1)[1]
        elif w.startswith("-"):
            continue
        if "=" in w and not w.startswith(("/", ".", "~")):
            w = w.split("=", 1)[1]  # of=/dev/sda, X=/etc
        if w:
            out.append(w)
    return out


def audit_flags(
    *,
    workspace: str | os.PathLike[str],
    argv: Iterable[str] | None = None,
    paths: Iterable[str | os.PathLike[str] | None] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    home: str | os.PathLike[str] | None = None,
) -> tuple[str, ...]:
    """Flags for a command (`argv`), or for paths as the model wrote them: a patch's,
    or the `path` of read_file, search_files, git_diff (None, an absent path, is skipped).

    Relative paths are taken from `cwd` (default: the workspace); `~` and `~user`
    are expanded as a shell or the file tools would, without looking users up:
    `~root` is /root, `~name` a sibling of `home`.
    """
    workspace_s = posixpath.normpath(os.fspath(workspace))
    base = posixpath.normpath(os.fspath(cwd)) if cwd is not None else workspace_s
    home_s = os.fspath(home) if home is not None else os.path.expanduser("~")
    flags: set[str] = set()
    words: list[str] = []
    if argv is not None:
        argv = list(argv)
        if classify(argv).kind is CommandKind.DANGEROUS:
            flags.add("destructive_command")
        for unit in command_units(argv):
            words.extend(_path_words(unit.words[1:]))
    if paths is not None:
        words.extend(os.fspath(p) for p in paths if p)
    for word in words:
        full = posixpath.normpath(posixpath.join(base, _expand_user(word, home_s)))
        inside = full == workspace_s or full.startswith(workspace_s.rstrip("/") + "/")
        if ".." in word.split("/") and not inside:
            flags.add("path_traversal_attempt")
        if not inside and _system_path(full, home_s):
            flags.add("system_path_access")
    return tuple(sorted(flags))


def _expand_user(word: str, home: str) -> str:
    if not word.startswith("~"):
        return word
    user, slash, rest = word[1:].partition("/")
    if not user:
        where = home
    elif user == "root":
        where = "/root"
    else:
        where = posixpath.join(posixpath.dirname(home.rstrip("/")) or "/", user)
    return where + slash + rest


def _system_path(path: str, home: str) -> bool:
    if path in _HARMLESS_DEVICES or path.startswith("/dev/fd/"):
        return False
    if any(path == d or path.startswith(d + "/") for d in _SYSTEM_DIRS):
        return True
    home = home.rstrip("/")
    return any(path == f"{home}/{s}" or path.startswith(f"{home}/{s}/") for s in _HOME_SECRETS)
