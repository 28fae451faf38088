"""The response checker: flags what the model says or proposes that deserves a
second look (paths that do not exist, destructive operations, secrets).

Flags are advice, never a gate: the turn goes on, the person decides. Every
check is a regular expression or a `stat`, so it costs microseconds per reply;
the one workspace walk (to forgive a path given without its directory) happens
at most once per turn and only when a path is missing.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePath, PurePosixPath
from typing import Any

from codex_tui.agent.events import Flag, ResponseFlagged
from codex_tui.agent.tool_calls import SHELLS, embedded_patch
from codex_tui.config.schema import ResponseChecks
from codex_tui.patch.errors import PatchError
from codex_tui.patch.parser import parse_patch
from codex_tui.patch.syntax import AddFile, Operation, ParsedPatch, UpdateFile
from codex_tui.policy.redact import redact, redact_json

__all__ = [
    "TurnChecks",
    "command_flags",
    "danger_flags",
    "find_dangers",
    "find_paths",
    "grounding_text",
    "message_flags",
    "missing_paths",
    "patch_flags",
    "patch_paths",
    "path_flags",
    "secret_flags",
]

# --- paths ----------------------------------------------------------------------------

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
FENCE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[ \t]*$", re.M | re.S)
CODE_SPAN = re.compile(r"`([^`\n]+)`")
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


def _as_path(token: str, *, strict: bool) -> str | None:
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
        path = _as_path(match.group(1), strict=False)
        if path:
            found.append(path)
    prose = CODE_SPAN.sub(" ", text)
    for match in MARKDOWN_LINK.finditer(prose):
        path = _as_path(match.group(1), strict=False)
        if path:
            found.append(path)
    prose = MARKDOWN_LINK.sub(" ", prose)
    for word in prose.split():
        if "." not in word:  # most words: no extension, no path
            continue
        word = word.strip("()[]{}<>\"'“”‘’,;:!?")
        word = word.rstrip(".")
        path = _as_path(word, strict=True)
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


def path_flags(missing: list[str]) -> tuple[Flag, ...]:
    if not missing:
        return ()
    if len(missing) == 1:
        name = missing[0]
        return (
            Flag(
                kind="path",
                message=f"`{name}` does not exist in the workspace",
                correction=f"`{name}` doesn't exist in this workspace — check first: list or"
                " search the files, then correct what you said about it.",
            ),
        )
    shown = ", ".join(f"`{p}`" for p in missing[:5])
    more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
    return (
        Flag(
            kind="path",
            message=f"{len(missing)} paths do not exist in the workspace: {shown}{more}",
            correction=f"These paths don't exist in this workspace: {shown}{more}. Check"
            " first: list or search the files, then correct what you said about them.",
        ),
    )


# --- dangerous operations ---------------------------------------------------------------

DEVICE = r"/dev/(?:sd|hd|vd|xvd|nvme|mmcblk|disk)\w*"


@dataclass(frozen=True)
class Rule:
    """A destructive operation: its pattern, why it is dangerous, and a word
    that must occur (lower case) for the pattern to be worth running."""

    keyword: str
    pattern: re.Pattern[str]
    why: str
    # Also ordinary English in lower case ("drop table talk"): counts only in code.
    code_only: bool = False


TABLE = r"[\w.\"`\[\]]+"
DROP = rf"\bDROP\s+(?:TABLE|DATABASE|SCHEMA)\s+(?:IF\s+EXISTS\s+)?{TABLE}"
DROPS = "deletes a table or database with all its data"
RULES = (
    Rule("drop", re.compile("(?i)" + DROP), DROPS, code_only=True),
    Rule("drop", re.compile(DROP), DROPS),
    Rule(
        "truncate",
        re.compile(rf"(?i)\btruncate\s+table\s+{TABLE}"),
        "deletes every row of a table",
        code_only=True,
    ),
    Rule(
        "truncate",
        re.compile(rf"\bTRUNCATE\s+(?:TABLE\s+)?{TABLE}"),
        "deletes every row of a table",
    ),
    Rule("/dev/", re.compile(r">\s*" + DEVICE), "overwrites a disk device"),
    Rule("dd", re.compile(r"\bdd\b[^\n;|&]*\bof=" + DEVICE), "overwrites a disk device"),
    Rule("mkfs", re.compile(r"\bmkfs(?:\.\w+)?\s+[^\s;|&]+"), "formats a file system"),
    Rule(
        "chmod",
        re.compile(r"\bchmod\s+(?:-\w+\s+)*(?:0?777|a\+rwx|ugo\+rwx)(?:\s+[^\s;|&`]+)?"),
        "makes files writable (and runnable) by everyone",
    ),
    Rule(
        "push",
        re.compile(
            r"\bgit\s+(?:-\S+\s+)*push\b[^\n;&|`]*?"
            r"(?:\s--force(?![\w-])|\s-[a-zA-Z]*f[a-zA-Z]*\b|\s\+[\w/.-]+)[^\n;&|`]*"
        ),
        "force-pushes, rewriting the remote branch's history",
    ),
    Rule(
        "reset",
        re.compile(r"\bgit\s+reset\s+(?:\S+\s+)*?--hard\b[^\n;&|`]*"),
        "discards uncommitted changes",
    ),
    Rule(
        "clean",
        re.compile(r"\bgit\s+clean\s+(?:-\w+\s+)*-[a-zA-Z]*f[a-zA-Z]*\b[^\n;&|`]*"),
        "deletes untracked files",
    ),
    Rule(
        "|",
        re.compile(r"\b(?:curl|wget)\b[^\n|;`]*\|\s*(?:sudo\s+)?(?:ba|z|da)?sh\b"),
        "runs a script from the network without showing it",
    ),
    Rule(":()", re.compile(r":\(\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:"), "a fork bomb"),
)
_RM = re.compile(r"\brm((?:\s+-{1,2}[\w-]+)+)([^\n;&|`'\"]*)")
_DELETE = re.compile(rf"\bDELETE\s+FROM\s+{TABLE}")
_DELETE_ANY_CASE = re.compile(rf"(?i)\bdelete\s+from\s+{TABLE}")
_STATEMENT_END = re.compile(r";|\n\s*\n|`|'|\"|\Z")


@dataclass(frozen=True)
class Danger:
    snippet: str
    why: str


def _snippet(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rm_dangers(text: str) -> list[Danger]:
    found = []
    for match in _RM.finditer(text):
        flags = match.group(1).split()
        short = "".join(f[1:] for f in flags if not f.startswith("--"))
        recursive = "--recursive" in flags or "r" in short or "R" in short
        force = "--force" in flags or "f" in short
        if recursive and force:
            found.append(Danger(_snippet(match.group(0)), "deletes files recursively, unasked"))
    return found


def _delete_dangers(text: str, code: bool) -> list[Danger]:
    found = []
    for match in (_DELETE_ANY_CASE if code else _DELETE).finditer(text):
        end = _STATEMENT_END.search(text, match.end())
        rest = text[match.end() : end.start() if end else len(text)]
        if not re.search(r"(?i)\bwhere\b", rest):
            found.append(Danger(_snippet(match.group(0)), "deletes every row (no WHERE clause)"))
    return found


def find_dangers(text: str, code: bool = True) -> list[Danger]:
    """Destructive operations in `text`; `code` says it is a command or code,
    where SQL in lower case counts too."""
    lowered = text.lower()
    found = _rm_dangers(text) if "rm" in lowered else []
    if "delete" in lowered:
        found += _delete_dangers(text, code)
    for rule in RULES:
        if (rule.code_only and not code) or rule.keyword not in lowered:
            continue
        found.extend(Danger(_snippet(m.group(0)), rule.why) for m in rule.pattern.finditer(text))
    unique: dict[str, Danger] = {}
    for danger in found:
        unique.setdefault(danger.snippet.lower(), danger)
    return list(unique.values())


def _split_code(text: str) -> tuple[str, str]:
    """(code, prose) of a Markdown message: fenced blocks and spans vs the rest."""
    code = [m.group(0) for m in FENCE.finditer(text)]
    rest = FENCE.sub("\n\n", text)
    code.extend(m.group(1) for m in CODE_SPAN.finditer(rest))
    return "\n\n".join(code), CODE_SPAN.sub(" ", rest)


def danger_flags(dangers: list[Danger], what: str) -> tuple[Flag, ...]:
    return tuple(
        Flag(
            kind="dangerous",
            message=f"`{d.snippet}` {d.why}",
            correction=f"The {what} includes `{d.snippet}`, which {d.why}. Don't run it:"
            " say why it is needed and propose a safer way first.",
        )
        for d in dangers
    )


# --- secrets ------------------------------------------------------------------------------


def _secret_lines(text: str) -> list[str]:
    """The lines of `text` holding a secret, as the redactor shows them."""
    if redact(text) == text:
        return []
    lines = [
        _snippet(redact(line).strip(), 80) for line in text.splitlines() if redact(line) != line
    ]
    # A secret across lines (a PEM key) changes the whole text but no single line.
    return lines or [_snippet(redact(text).strip(), 80)]


def secret_flags(lines: list[str], what: str) -> tuple[Flag, ...]:
    if not lines:
        return ()
    shown = f"`{lines[0]}`" + (f" (and {len(lines) - 1} more)" if len(lines) > 1 else "")
    return (
        Flag(
            kind="secret",
            message=f"{shown} looks like a secret",
            correction=f"The {what} contains what looks like a secret ({shown}). Never put real"
            " credentials in replies, code or commands: read them from the environment or a"
            " secrets store, and tell me if one needs rotating.",
        ),
    )


# --- what the checker looks at ------------------------------------------------------------


def message_flags(text: str, settings: ResponseChecks) -> tuple[Flag, ...]:
    """Dangerous operations and secrets in an assistant message (paths are
    checked at the end of the turn, see TurnChecks)."""
    flags: tuple[Flag, ...] = ()
    if settings.dangerous:
        code, prose = _split_code(text)
        dangers = find_dangers(code, code=True) + find_dangers(prose, code=False)
        seen: dict[str, Danger] = {}
        for danger in dangers:
            seen.setdefault(danger.snippet.lower(), danger)
        flags += danger_flags(list(seen.values()), "reply")
    if settings.secrets:
        flags += secret_flags(_secret_lines(text), "reply")
    return flags


def shell_script(argv: list[str]) -> str | None:
    """The script of `bash -lc SCRIPT` (and sh, zsh, dash; -c too), else None."""
    if len(argv) == 3 and PurePath(argv[0]).name in SHELLS and argv[1] in ("-c", "-lc"):
        return argv[2]
    return None


def command_text(argv: list[str]) -> str:
    """What a command runs, as one line of shell (a `bash -lc` script as is)."""
    script = shell_script(argv)
    return shlex.join(argv) if script is None else script


def command_words(argv: list[str]) -> list[str]:
    """The words of a command; a shell script split the way the shell would
    (roughly: redirections become words of their own)."""
    script = shell_script(argv)
    if script is None:
        return argv
    spaced = re.sub(r"([<>|;&]+)", r" \1 ", script)
    try:
        return shlex.split(spaced)
    except ValueError:  # unbalanced quotes: fall back to whitespace
        return spaced.split()


def command_flags(argv: list[str], settings: ResponseChecks) -> tuple[Flag, ...]:
    flags: tuple[Flag, ...] = ()
    if settings.dangerous:
        flags += danger_flags(find_dangers(command_text(argv), code=True), "command")
    if settings.secrets and redact_json(argv) != argv:
        flags += secret_flags(
            _secret_lines(command_text(argv)) or ["(in the arguments)"], "command"
        )
    return flags


# Files whose added lines are run as they are: dangerous operations there count.
EXECUTED_SUFFIXES = frozenset({".sh", ".bash", ".zsh", ".sql"})
EXECUTED_NAMES = frozenset({"makefile", "dockerfile", "justfile", "procfile"})


def _parse(patch: str) -> ParsedPatch | None:
    try:
        return parse_patch(patch)
    except PatchError:
        return None


def _added_lines(op: Operation) -> list[str]:
    if isinstance(op, AddFile):
        return list(op.lines)
    if isinstance(op, UpdateFile):
        return [ln.text for chunk in op.chunks for ln in chunk.lines if ln.kind == "+"]
    return []


def _target(op: Operation) -> str:
    return (op.move_to if isinstance(op, UpdateFile) else None) or op.path


def patch_paths(patch: str) -> set[str]:
    """Every path a patch names: files it adds, updates, deletes or moves to."""
    parsed = _parse(patch)
    if parsed is None:
        return set()
    paths = set()
    for op in parsed.operations:
        paths.add(op.path)
        if isinstance(op, UpdateFile):
            paths.update(p for p in (op.move_to, op.fallback_path) if p)
    return paths


def patch_flags(patch: str, settings: ResponseChecks) -> tuple[Flag, ...]:
    """Secrets in the lines a patch adds; dangerous operations in added lines of
    files that are executed as written (shell scripts, SQL, Makefiles)."""
    parsed = _parse(patch)
    if parsed is None:
        return ()  # apply_patch will report the syntax error itself
    dangers: list[Danger] = []
    secrets: list[str] = []
    for op in parsed.operations:
        added = "\n".join(_added_lines(op))
        target = PurePosixPath(_target(op))
        executed = (
            target.suffix.lower() in EXECUTED_SUFFIXES or target.name.lower() in EXECUTED_NAMES
        )
        if settings.dangerous and executed:
            dangers.extend(find_dangers(added, code=True))
        if settings.secrets:
            secrets.extend(f"{target}: {line}" for line in _secret_lines(added))
    return danger_flags(dangers, "patch") + secret_flags(secrets, "patch")


def grounding_text(items: Iterable[dict[str, Any]]) -> str:
    """What the history holds that the model did not write: the person's
    messages and the tools' outputs. A path named there was not made up.

    The model's own tool arguments do not count (a search for a file it then
    claims exists proves nothing); the paths the current turn's patches and
    commands name are handled by TurnChecks."""
    parts = []
    for item in items:
        kind = item.get("type", "message")
        if kind == "message" and item.get("role") != "assistant":
            parts.append(_message_text(item))
        elif kind == "function_call_output":
            output = item.get("output", "")
            parts.append(output if isinstance(output, str) else json.dumps(output))
    return "\n".join(parts)


def _arguments(call: dict[str, Any]) -> dict[str, Any]:
    raw = call.get("arguments", "{}")
    try:
        args = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return {}
    return args if isinstance(args, dict) else {}


@dataclass
class TurnChecks:
    """The checker's state through one turn.

    `response` runs on each completed response and returns its flags at once
    (dangerous operations and secrets in messages, commands and patches);
    `finish` runs when the turn ends and returns the path flags of its
    messages, once every patch and command of the turn is known."""

    settings: ResponseChecks
    root: Path
    messages: list[tuple[str, str]] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)

    @property
    def enabled(self) -> bool:
        s = self.settings
        return s.paths or s.dangerous or s.secrets

    def response(self, items: list[dict[str, Any]]) -> list[ResponseFlagged]:
        out: list[ResponseFlagged] = []
        for item in items:
            kind = item.get("type")
            if kind == "message" and item.get("role", "assistant") == "assistant":
                text = _message_text(item)
                item_id = item.get("id", "")
                self.messages.append((item_id, text))
                flags = message_flags(text, self.settings)
                if flags:
                    out.append(ResponseFlagged(item_id=item_id, flags=flags, source="message"))
            elif kind == "function_call":
                flagged = self._call(item)
                if flagged:
                    out.append(flagged)
        return out

    def _call(self, call: dict[str, Any]) -> ResponseFlagged | None:
        args = _arguments(call)
        name = call.get("name")
        call_id = call.get("call_id", "")
        patch: str | None = None
        if name == "apply_patch" and isinstance(args.get("input"), str):
            patch = args["input"]
        elif name == "shell" and isinstance(args.get("command"), list):
            argv = [str(a) for a in args["command"]]
            patch = embedded_patch(argv)
            if patch is None:
                # Whatever a command names may be what it creates or removes.
                words = command_words(argv)
                self.touched.update(p for w in words if (p := _as_path(w, strict=False)))
                flags = command_flags(argv, self.settings)
                return (
                    ResponseFlagged(item_id=call_id, flags=flags, source="command")
                    if flags
                    else None
                )
        if patch is None:
            return None
        self.touched.update(patch_paths(patch))
        flags = patch_flags(patch, self.settings)
        return ResponseFlagged(item_id=call_id, flags=flags, source="patch") if flags else None

    def finish(self, seen: str) -> list[ResponseFlagged]:
        """Path flags for the turn's messages; `seen` is `grounding_text` of the history."""
        if not self.settings.paths:
            return []
        index = WorkspaceIndex(self.root)
        out = []
        for item_id, text in self.messages:
            missing = missing_paths(text, self.root, ignore=self.touched, seen=seen, index=index)
            if missing:
                out.append(
                    ResponseFlagged(item_id=item_id, flags=path_flags(missing), source="message")
                )
        return out


def _message_text(item: dict[str, Any]) -> str:
    content = item.get("content", "")
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in content if isinstance(p, dict))
