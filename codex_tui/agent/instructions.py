"""What the model is told: our base instructions, AGENTS.md files, and the
environment it works in."""

from __future__ import annotations

import datetime as _dt
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from codex_tui.config.safe_read import UnreadableFile, read_regular

BASE_INSTRUCTIONS = """\
You are codex-tui, a coding agent working in a person's repository from their terminal.
You read code, run commands and edit files to carry out what they ask, and you talk to
them through a transcript that renders Markdown.

How to work
- Understand before you change: look at the relevant files (read_file, search_files,
  git_status, git_diff, or shell commands such as ls and rg) rather than guessing names,
  paths or APIs.
- Before a group of tool calls, write one short sentence saying what you are about to
  do, so the person can follow along. Skip it for a single trivial read.
- For work with several steps, keep a plan with update_plan: a few short steps, exactly
  one in_progress while you work, marked completed as you finish them. Skip the plan for
  a quick question or a one-line fix.
- Edit files only with apply_patch. Keep changes focused on the request and in the
  style of the surrounding code; do not reformat unrelated code, add licence headers or
  rename things nobody asked about. Fix the cause of a problem, not its symptom.
- After a change, check it the way the project does: run its tests, type checker or
  build when they exist and are quick, starting with the narrowest check that covers
  your change. Say plainly if you could not run them.
- Never revert or overwrite changes you did not make; the person may be working in the
  same tree. Do not commit or create branches unless asked.
- Use shell for commands that finish on their own. For a dev server, a watcher or a
  REPL use exec_command: it returns after yield_time_ms with a session_id if the
  command still runs; read its new output or type into it with write_stdin (tty: true
  for REPLs; "\u0003" is ctrl-c), and stop it when you no longer need it.

Sandbox and approvals
- Commands run in a sandbox whose limits are described in the environment below. When
  a command fails because the sandbox blocked it (a write outside the writable roots,
  no network) and it is really needed, call shell again with
  with_escalated_permissions set to true and a one-sentence justification; the person
  decides. Do not try to get around the sandbox in other ways.
- If the person declines a command or patch, do not try it again in another form;
  take their feedback and carry on, or ask them.

Answering
- Be concise and concrete. Lead with the outcome. Refer to files as path:line.
- At the end of a task, say what you changed and how you checked it, in a few lines or
  a short list; mention anything left undone or worth a look. Do not paste whole files
  you have already written; the person can see them.
"""


@dataclass(frozen=True)
class ProjectDoc:
    path: Path
    text: str


def git_root(cwd: Path) -> Path | None:
    """The repository's top directory, found by walking up to a `.git` entry."""
    for candidate in (cwd, *cwd.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def project_docs(
    home: Path, cwd: Path, max_bytes: int, warn: Callable[[str], None] | None = None
) -> list[ProjectDoc]:
    """AGENTS.md files: the home one, then one per directory from the repository
    root down to cwd; the total is capped at `max_bytes`.

    Only regular files are read, and no more of each than the cap leaves (an
    AGENTS.md that is a FIFO, or a link to /dev/zero, must not hang or fill
    memory); the repository's may not lead out of it through a link. A file that
    exists but is refused is reported to `warn` in one line and skipped."""
    cwd = cwd.resolve()
    root = git_root(cwd) or cwd
    parts = cwd.relative_to(root).parts
    dirs = [root.joinpath(*parts[:i]) for i in range(len(parts) + 1)]
    chain: list[tuple[Path, Path | None]] = [(home / "AGENTS.md", None)]
    chain += [(d / "AGENTS.md", root) for d in dirs]
    docs: list[ProjectDoc] = []
    budget = max_bytes
    for path, beneath in chain:
        if budget <= 0:
            break
        try:
            data = read_regular(path, budget, beneath=beneath, truncate=True)
        except FileNotFoundError:
            continue
        except UnreadableFile as exc:
            if warn is not None:
                warn(f"cannot read {path}: {exc}; skipped")
            continue
        budget -= len(data)
        text = data.decode("utf-8", errors="ignore").strip()
        if text:
            docs.append(ProjectDoc(path, text))
    return docs


def user_instructions(docs: list[ProjectDoc]) -> str | None:
    """AGENTS.md contents as one message, each file under its path."""
    if not docs:
        return None
    parts = [f"# Instructions from {d.path}\n\n{d.text}" for d in docs]
    return "<user_instructions>\n" + "\n\n".join(parts) + "\n</user_instructions>"


def environment_context(
    cwd: Path,
    approval_policy: str,
    sandbox_mode: str,
    network_access: bool,
    writable_roots: list[str],
    today: _dt.date | None = None,
    *,
    private_tmp: bool = True,
) -> str:
    """The facts the model needs about where it runs.

    In workspace-write, commands may write the workspace, the configured roots
    (relative ones are taken from the workspace) and, unless
    `sandbox_workspace_write.exclude_slash_tmp` (`private_tmp=False`), a /tmp
    private to the session: the host's /tmp and $TMPDIR are not writable."""
    shell = os.path.basename(os.environ.get("SHELL", "") or "bash")
    network = "enabled" if network_access or sandbox_mode == "danger-full-access" else "restricted"
    lines = [
        "<environment_context>",
        f"  <cwd>{cwd}</cwd>",
        f"  <approval_policy>{approval_policy}</approval_policy>",
        f"  <sandbox_mode>{sandbox_mode}</sandbox_mode>",
        f"  <network_access>{network}</network_access>",
    ]
    if sandbox_mode == "workspace-write":
        roots = [str(cwd), *(_root_shown(cwd, r) for r in writable_roots)]
        if private_tmp:
            roots.append("/tmp")
        lines.append(f"  <writable_roots>{', '.join(dict.fromkeys(roots))}</writable_roots>")
        lines.append(f"  <tmp>{PRIVATE_TMP if private_tmp else READ_ONLY_TMP}</tmp>")
    lines += [
        f"  <shell>{shell}</shell>",
        f"  <current_date>{(today or _dt.date.today()).isoformat()}</current_date>",
        "</environment_context>",
    ]
    return "\n".join(lines)


PRIVATE_TMP = (
    "/tmp is private to this session: your commands share it, but the person and"
    " programs outside the sandbox do not see it, and it is removed when the session"
    " ends; put files meant for the person in the workspace"
)
READ_ONLY_TMP = "/tmp is read-only"


def _root_shown(cwd: Path, root: str) -> str:
    """A configured writable root as the sandbox takes it: relative to the workspace."""
    try:
        return str(cwd / os.path.expanduser(root))
    except (RuntimeError, ValueError):
        return root


def git_branch(cwd: Path) -> str | None:
    """The checked-out branch (None outside a repository or when detached)."""
    try:
        out = subprocess.run(
            ["git", "symbolic-ref", "--short", "-q", "HEAD"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None
