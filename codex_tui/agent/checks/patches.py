"""Patches the model proposes: the paths they name, secrets in the lines they
add, and dangerous operations in files that run as written."""

from __future__ import annotations

from pathlib import PurePosixPath

from codex_tui.agent import events as ev
from codex_tui.agent.checks.dangers import Danger, danger_flags, find_dangers
from codex_tui.agent.checks.secrets import SecretSeen, secret_flags, secrets_in
from codex_tui.config.schema import ResponseChecks
from codex_tui.patch.errors import PatchError
from codex_tui.patch.parser import parse_patch
from codex_tui.patch.syntax import AddFile, Operation, ParsedPatch, UpdateFile

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


def patch_flags(patch: str, settings: ResponseChecks) -> tuple[ev.Flag, ...]:
    """Secrets in the lines a patch adds; dangerous operations in added lines of
    files that are executed as written (shell scripts, SQL, Makefiles)."""
    parsed = _parse(patch)
    if parsed is None:
        return ()  # apply_patch will report the syntax error itself
    dangers: list[Danger] = []
    secrets: list[SecretSeen] = []
    for op in parsed.operations:
        added = "\n".join(_added_lines(op))
        target = PurePosixPath(_target(op))
        executed = (
            target.suffix.lower() in EXECUTED_SUFFIXES or target.name.lower() in EXECUTED_NAMES
        )
        if settings.dangerous and executed:
            dangers.extend(find_dangers(added, code=True))
        if settings.secrets:
            secrets.extend(secrets_in(added, where=str(target)))
    return danger_flags(dangers, "patch") + secret_flags(secrets, "patch")
