"""What `/review` looks at: the uncommitted changes (untracked files included),
one commit, or the branch against the branch it grew from — as diff text."""

from __future__ import annotations

from pathlib import Path

from codex_tui.tools.git import git, working_tree_diff
from codex_tui.tools.registry import ToolArgumentError

__all__ = ["review_target"]

DIFF = ("--no-color", "--no-ext-diff", "--no-textconv", "--find-renames")
BASES = ("origin/HEAD", "origin/main", "origin/master", "main", "master", "trunk")


async def _base(root: Path) -> str:
    current = (await git(root, "rev-parse", "--abbrev-ref", "HEAD")).strip()
    for name in BASES:
        if name == current:
            continue
        try:
            await git(root, "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}")
        except ToolArgumentError:
            continue
        return name
    raise ToolArgumentError("no base branch found (tried " + ", ".join(BASES) + ")")


async def review_target(root: Path, target: str) -> tuple[str, str]:
    """(what is reviewed, in words; its diff). `target`: "" for the uncommitted
    changes, "branch" for the branch against its base, else a commit."""
    if not target:
        return "the uncommitted changes", await working_tree_diff(root)
    if target == "branch":
        base = await _base(root)
        fork = (await git(root, "merge-base", "HEAD", base)).strip()
        diff = await git(root, "diff", *DIFF, fork, "HEAD")
        return f"this branch against {base}", diff
    if target.startswith("-") or any(c.isspace() for c in target):
        raise ToolArgumentError(f"not a commit: {target}")
    try:
        commit = await git(root, "rev-parse", "--verify", "--quiet", f"{target}^{{commit}}")
    except ToolArgumentError:
        raise ToolArgumentError(f"not a commit: {target}") from None
    shown = await git(root, "show", *DIFF, "--format=commit %H%nAuthor: %an%n%n%B", commit.strip())
    return f"commit {target}", shown
