"""Helpers for the patch engine tests: small trees written and read back."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from unittest import mock

from codex_tui.patch import transaction


def write_tree(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)


def read_tree(root: Path) -> dict[str, bytes | str]:
    """Files as bytes, directories as 'dir', symlinks as 'link->target'."""
    out: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                out[rel] = f"link->{os.readlink(path)}"
            elif path.is_dir():
                out[rel] = "dir"
            else:
                out[rel] = path.read_bytes()
    return out


def wrap(*body: str) -> str:
    return "*** Begin Patch\n" + "".join(line + "\n" for line in body) + "*** End Patch\n"


@contextmanager
def failing_os_call(name: str, when: int | str) -> Iterator[list[int]]:
    """Make `os.<name>` fail (no space left) while committing: on call number `when`, or
    (a string) on the first call whose first argument is that name.

    Yields a one-item list: the number of calls made so far.
    """
    real = getattr(os, name)
    calls = [0]
    failed = [False]

    def flaky(*args: object, **kwargs: object) -> object:
        calls[0] += 1
        hit = calls[0] == when if isinstance(when, int) else not failed[0] and args[:1] == (when,)
        if hit:
            failed[0] = True
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(*args, **kwargs)

    with mock.patch.object(transaction.os, name, flaky):
        yield calls


# Every call of `os` a commit makes that touches the disk.
COMMIT_CALLS = ("open", "write", "fsync", "fchmod", "mkdir", "link", "rename", "replace")
COMMIT_CALLS += ("unlink", "rmdir", "stat", "fstat")


@contextmanager
def count_os_calls(names: tuple[str, ...]) -> Iterator[dict[str, int]]:
    """Count the calls of `os.<name>` for each name."""
    counts = dict.fromkeys(names, 0)
    with ExitStack() as stack:
        for name in names:
            real = getattr(os, name)

            def counted(
                *args: object, _name: str = name, _real: object = real, **kw: object
            ) -> object:
                counts[_name] += 1
                return _real(*args, **kw)  # type: ignore[operator]

            stack.enter_context(mock.patch.object(transaction.os, name, counted))
        yield counts
