"""Paths the model names that are nowhere in the workspace: finding path-like
tokens in a reply, the workspace index that forgives a left-out directory, and
the flags."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path, PurePath, PurePosixPath

from codex_tui.agent import events as ev
from codex_tui.agent.checks.text import CODE_SPAN, FENCE

# Extensions of files people keep in repositories; a dotted word with another
# ending (`self.items`, `example.com`, `v1.2`) is not taken for a path.
_EXTENSIONS = (
    "py pyi pyx ipynb js mjs cjs jsx ts tsx vue svelte rs go java kt kts scala c h cc cpp"
    " cxx hpp hh m mm swift cs fs rb php pl pm lua r jl ex exs erl hrl hs ml mli clj elm"
    " dart zig nim sh bash zsh fish ps1 bat md mdx rst txt adoc json jsonl yaml yml toml"
    " ini cfg conf env lock xml html htm css scss sass less tcss csv tsv sql proto graphql"
    " gql tf hcl gradle cmake mk dockerfile patch diff log svg png jpg jpeg gif ico pdf wasm"
)
FILE_EXTENSIONS = frozenset(_EXTENSIONS.split())
# Endings that are also product or site names in prose (Node.js, docs.rs).
AMBIGUOUS_IN_PROSE = frozenset({"js", "rs", "ts", "sh", "r", "m", "c", "h", "env", "log"})
# Characters that never occur in the paths we check (globs, shell, markup).
NOT_IN_PATHS = re.compile(r"[\s*?\[\]{}<>()=,;|&!%^$'\"\\`#]")
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")
LINE_SUFFIX = re.compile(r"(?::\d+(?:[:-]\d+)?|#L\d+(?:-L?\d+)?)$")
SKIP_DIRS = frozenset(
    {".git", "node_modules", ".venv", "venv", "__pycache__", ".mypy_cache", ".ruff_cache",
     ".pytest_cache", ".tox", ".hg", ".svn", "target"}
)  # fmt: skip
WALK_LIMIT = 50_000


def _clean(token: str) -> str:
    token = token.strip().strip("*_")
    token = LINE_SUFFIX.sub("", token)
    while token.startswith("./"):
        token = token[2:]
    return token


def as_path(token: str, *, strict: bool) -> str | None:
    """`token` as a workspace-relative path, or None when it does not look like one.

    `strict` (prose, outside code spans): it must carry a known extension, and
    a bare file name must not read like a product name (`Node.js`)."""
    token = _clean(token)
    if not token or "://" in token or token.startswith(("/", "~", "-", "@", "www.", "..")):
        return None
    if NOT_IN_PATHS.search(token) or "@" in token or ":" in token:
        return None
    if "/" in token and token.endswith("/") and not strict:
        return token if re.fullmatch(r"[\w.+-]+(?:/[\w.+-]+)*/", token) else None
    name = PurePosixPath(token).name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or ext.lower() not in FILE_EXTENSIONS:
        return None
    product_like = ext.lower() in AMBIGUOUS_IN_PROSE or (stem[0].isupper() and not stem.isupper())
    if strict and "/" not in token and product_like:
        return None
    return token


def find_paths(text: str) -> list[str]:
    """Tokens in `text` that look like workspace-relative file paths, in order.

    Code spans and link targets count when they hold one path-like token; plain
    prose only for words with a known file extension. Fenced code blocks are
    skipped: code names files that it will create or that live elsewhere."""
    found: list[str] = []
    text = FENCE.sub(" ", text)
    for match in CODE_SPAN.finditer(text):
        path = as_path(match.group(1), strict=False)
        if path:
            found.append(path)
    prose = CODE_SPAN.sub(" ", text)
    for match in MARKDOWN_LINK.finditer(prose):
        path = as_path(match.group(1), strict=False)
        if path:
            found.append(path)
    prose = MARKDOWN_LINK.sub(" ", prose)
    for word in prose.split():
        if "." not in word:  # most words: no extension, no path
            continue
        word = word.strip("()[]{}<>\"'“”‘’,;:!?")
        word = word.rstrip(".")
        path = as_path(word, strict=True)
        if path:
            found.append(path)
    return list(dict.fromkeys(found))


class WorkspaceIndex:
    """The workspace's files and directories, walked once, on first need."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._paths: list[str] | None = None

    def paths(self) -> list[str]:
        if self._paths is None:
            self._paths = []
            for dirpath, dirnames, filenames in os.walk(self.root):
                dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
                rel = PurePath(dirpath).relative_to(self.root).as_posix()
                prefix = "" if rel == "." else rel + "/"
                self._paths.extend(prefix + d + "/" for d in dirnames)
                self._paths.extend(prefix + f for f in filenames)
                if len(self._paths) > WALK_LIMIT:
                    break
        return self._paths

    def has_suffix(self, path: str) -> bool:
        """True when some file is `path` below a directory the model left out."""
        tail = "/" + path
        return any(p.endswith(tail) or p == path for p in self.paths())


def missing_paths(
    text: str,
    root: Path,
    *,
    ignore: Iterable[str] = (),
    seen: str = "",
    index: WorkspaceIndex | None = None,
) -> list[str]:
    """Paths named in `text` that are nowhere in the workspace under `root`.

    Not missing: paths in `ignore` (those the turn's patches and commands
    touch) and paths that occur in `seen` (what the person wrote and the tools
    returned), since naming those is no invention."""
    skip = {_clean(p).rstrip("/") for p in ignore}
    index = index or WorkspaceIndex(root)
    missing = []
    for path in find_paths(text):
        bare = path.rstrip("/")
        if bare in skip or _exists(root / bare) or _named_in(bare, seen):
            continue
        if index.has_suffix(path):
            continue
        missing.append(path)
    return missing


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name too long for the file system is not a file there
        return False


def _named_in(path: str, text: str) -> bool:
    return bool(text) and re.search(rf"(?<![\w.-]){re.escape(path)}(?!\w)", text) is not None


def path_flags(missing: list[str]) -> tuple[ev.Flag, ...]:
    if not missing:
        return ()
    if len(missing) == 1:
        name = missing[0]
        return (
            ev.Flag(
                kind="path",
                message=f"`{name}` does not exist in the workspace",
                correction=f"`{name}` doesn't exist in this workspace — check first: list or"
                " search the files, then correct what you said about it.",
            ),
        )
    shown = ", ".join(f"`{p}`" for p in missing[:5])
    more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
    return (
        ev.Flag(
            kind="path",
            message=f"{len(missing)} paths do not exist in the workspace: {shown}{more}",
            correction=f"These paths don't exist in this workspace: {shown}{more}. Check"
            " first: list or search the files, then correct what you said about them.",
        ),
    )
