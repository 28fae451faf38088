"""Errors the patch engine raises: each carries one line a person can act on."""

from __future__ import annotations


class PatchError(Exception):
    """Base class: the patch was not applied and no file was touched.

    `str(error)` is a single line saying what went wrong and where.
    """


class PatchSyntaxError(PatchError):
    """The patch text does not follow the grammar.

    `line` is the 1-based line of the patch text at fault (0 when the problem
    is the patch as a whole, e.g. it has no operations).
    """

    def __init__(self, message: str, line: int = 0) -> None:
        self.line = line
        super().__init__(f"patch line {line}: {message}" if line else message)


class PathError(PatchError):
    """A path is not allowed: absolute, outside the workspace, or inside `.git/`."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        super().__init__(f"{path}: {reason}")


class FileStateError(PatchError):
    """The file system does not allow the operation (missing file, directory, unreadable)."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        super().__init__(f"{path}: {reason}")


class ContextNotFoundError(PatchError):
    """A chunk's context (or `@@` anchor) could not be located in the file."""

    def __init__(self, path: str, chunk: int, line_text: str, patch_line: int, what: str) -> None:
        self.path = path
        self.chunk = chunk
        self.line_text = line_text
        self.patch_line = patch_line
        where = f" (patch line {patch_line})" if patch_line else ""
        super().__init__(f"{path}: chunk {chunk}: {what} not found: {line_text!r}{where}")


class CommitError(PatchError):
    """Writing the result failed; every file already written was restored."""


class StaleFileError(CommitError):
    """A file changed on disk between planning and committing; nothing was written."""
