"""What a patch says, before it meets the file system: operations, chunks, lines.

Both front ends (the apply_patch grammar and unified diffs) produce these, so
locating and committing work the same way for either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

LineKind = Literal[" ", "-", "+"]


@dataclass(frozen=True, slots=True)
class ChunkLine:
    """One ` `/`-`/`+` line of a chunk; `lineno` is its line in the patch text."""

    kind: LineKind
    text: str
    lineno: int


@dataclass(frozen=True, slots=True)
class Anchor:
    """An `@@ text` line: jump to the first line matching `text` before seeking the chunk."""

    text: str
    lineno: int


@dataclass(frozen=True, slots=True)
class Chunk:
    """A run of context, removed and added lines, located and applied as a unit.

    `hint` is the 0-based old line where the chunk is expected (unified diffs
    and numeric `@@ -n,m +n,m @@` headers); the nearest match to it wins.
    `at_eof` anchors the chunk at the end of the file. `no_newline_at_end`
    says the last added line ends the file without a newline (unified diffs).
    """

    lines: tuple[ChunkLine, ...]
    lineno: int
    anchors: tuple[Anchor, ...] = ()
    at_eof: bool = False
    hint: int | None = None
    no_newline_at_end: bool = False

    @property
    def old(self) -> list[str]:
        """The lines the file must contain (context and removed), in order."""
        return [ln.text for ln in self.lines if ln.kind != "+"]

    @property
    def changes(self) -> bool:
        return any(ln.kind != " " for ln in self.lines)


@dataclass(frozen=True, slots=True)
class AddFile:
    """Create `path` (overwriting an existing file) with `lines` as its content."""

    path: str
    lines: tuple[str, ...]
    lineno: int
    final_newline: bool = True
    executable: bool = False


@dataclass(frozen=True, slots=True)
class DeleteFile:
    """Remove the regular file `path`; `expect`, when given, must be its content."""

    path: str
    lineno: int
    expect: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class UpdateFile:
    """Apply `chunks` in order to `path`, then optionally move it to `move_to`.

    `final_newline`: True makes the result end with a newline (the apply_patch
    rule); None keeps whatever the chunks leave (unified diffs say it
    explicitly). `executable` changes the x bits when not None.
    `fallback_path` is tried when `path` does not exist (plain `diff -u`
    names two files and either may be the one in the workspace).
    """

    path: str
    chunks: tuple[Chunk, ...]
    lineno: int
    move_to: str | None = None
    final_newline: bool | None = True
    executable: bool | None = None
    fallback_path: str | None = None


Operation = AddFile | DeleteFile | UpdateFile


@dataclass(frozen=True, slots=True)
class ParsedPatch:
    """The operations of one patch, in the order they appear."""

    operations: tuple[Operation, ...]
    format: Literal["apply_patch", "unified"]
