"""`/hooks` (the hooks this session runs, by event, with the file each was set
in), `/hooks trust` and `/hooks untrust` for the repository's own hooks, and the
one question asked the first time a repository with hooks is opened."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codex_tui.ui.app import CodexApp
    from codex_tui.ui.session import SessionController


def hooks_markdown(app: CodexApp, session: SessionController) -> str:
    from codex_tui.hooks.sources import collect, repo_hooks
    from codex_tui.sessions.files import repo_root

    repo = repo_hooks(repo_root(app.cwd))
    hooks = collect(app.config.hooks, repo)
    lines = ["**Hooks**", ""]
    if not hooks:
        lines.append("None run in this session.")
    for event in dict.fromkeys(h.event for h in hooks):
        lines.append(f"- **{event}**")
        for hook in (h for h in hooks if h.event == event):
            matcher = f"`{hook.matcher}` → " if hook.matcher else ""
            lines.append(f"  - {matcher}`{hook.command}` ({hook.timeout:g} s) — {hook.source}")
    if repo is not None:
        count = len(repo.hooks)
        state = {
            "trusted": "trusted: they run",
            "declined": "not trusted: they do not run (/hooks trust)",
            "unknown": "not trusted (yet, or changed since): they do not run (/hooks trust)",
        }[repo.trust]
        lines += ["", f"{repo.file}: {count} hook{'s' if count != 1 else ''}, {state}"]
        if repo.error:
            lines.append(f"not loaded: {repo.error}")
    return "\n".join(lines)


def set_repo_trust(app: CodexApp, session: SessionController, trusted: bool) -> None:
    from codex_tui.hooks.sources import repo_hooks, set_trust
    from codex_tui.sessions.files import repo_root

    root = repo_root(app.cwd)
    repo = repo_hooks(root)
    if repo is None:
        app.conversation.note("info", "This repository defines no hooks (.codex-tui/config.yaml).")
        return
    try:
        set_trust(root, "trusted" if trusted else "declined", repo.digest)
    except OSError as exc:
        app.conversation.note("error", f"could not record the trust: {exc}")
        return
    reload_hooks(app, session)
    if trusted:
        app.conversation.note(
            "info", f"Trusted {root}: its {len(repo.hooks)} hooks run from now on."
        )
    else:
        app.conversation.note("info", f"{root}'s hooks no longer run.")


def reload_hooks(app: CodexApp, session: SessionController) -> None:
    agent = session.agent
    if agent is not None and agent.reload_hooks is not None:
        for warning in agent.reload_hooks():
            if "you trust this repository" not in warning:
                app.conversation.note("warning", warning)


async def ask_trust_once(app: CodexApp, session: SessionController, cwd: Path) -> None:
    """The first time a repository with hooks is opened: ask, and remember."""
    import asyncio

    from codex_tui.hooks.sources import repo_hooks, set_trust
    from codex_tui.sessions.files import repo_root
    from codex_tui.ui.sidebar import ConfirmScreen

    root = repo_root(cwd)
    repo = await asyncio.to_thread(repo_hooks, root)
    if repo is None or repo.trust != "unknown" or repo.error:
        return
    count = len(repo.hooks)
    question = (
        f"{repo.file} defines {count} hook{'s' if count != 1 else ''}: commands that run on"
        " your machine, outside the sandbox, as you. Trust this repository and run them?"
    )
    answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
    app.push_screen(ConfirmScreen(question), lambda yes: answer.set_result(bool(yes)))
    trusted = await answer
    try:
        set_trust(root, "trusted" if trusted else "declined", repo.digest)
    except OSError as exc:
        app.conversation.note("error", f"could not record the trust: {exc}")
        return
    if trusted:
        reload_hooks(app, session)
        app.conversation.note("info", f"Trusted: the repository's {count} hooks run.")
