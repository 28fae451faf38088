"""Destructive operations in commands, code and prose (`rm -rf`, `DROP TABLE`,
force pushes, `curl | sh`…), and the flags that say why each deserves a look."""

from __future__ import annotations

import re
from dataclasses import dataclass

from codex_tui.agent import events as ev
from codex_tui.agent.checks.text import snippet

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


def _rm_dangers(text: str) -> list[Danger]:
    found = []
    for match in _RM.finditer(text):
        flags = match.group(1).split()
        short = "".join(f[1:] for f in flags if not f.startswith("--"))
        recursive = "--recursive" in flags or "r" in short or "R" in short
        force = "--force" in flags or "f" in short
        if recursive and force:
            found.append(Danger(snippet(match.group(0)), "deletes files recursively, unasked"))
    return found


def _delete_dangers(text: str, code: bool) -> list[Danger]:
    found = []
    for match in (_DELETE_ANY_CASE if code else _DELETE).finditer(text):
        end = _STATEMENT_END.search(text, match.end())
        rest = text[match.end() : end.start() if end else len(text)]
        if not re.search(r"(?i)\bwhere\b", rest):
            found.append(Danger(snippet(match.group(0)), "deletes every row (no WHERE clause)"))
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
        found.extend(Danger(snippet(m.group(0)), rule.why) for m in rule.pattern.finditer(text))
    return unique_dangers(found)


def unique_dangers(dangers: list[Danger]) -> list[Danger]:
    """`dangers` without repeats (the same snippet in any case), first kept."""
    unique: dict[str, Danger] = {}
    for danger in dangers:
        unique.setdefault(danger.snippet.lower(), danger)
    return list(unique.values())


def danger_flags(dangers: list[Danger], what: str) -> tuple[ev.Flag, ...]:
    return tuple(
        ev.Flag(
            kind="dangerous",
            message=f"`{d.snippet}` {d.why}",
            correction=f"The {what} includes `{d.snippet}`, which {d.why}. Don't run it:"
            " say why it is needed and propose a safer way first.",
        )
        for d in dangers
    )
