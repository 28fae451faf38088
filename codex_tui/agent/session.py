"""Assemble an Agent from the effective config: model client, sandbox, policy,
instructions, context and the session recorder. Shared by the TUI and `exec`
(the composition root: the one agent module that reaches into `sessions`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codex_tui.agent import events as ev
from codex_tui.agent.context import Conversation, auto_compact_limit, context_window
from codex_tui.agent.controller import Agent
from codex_tui.agent.instructions import (
    BASE_INSTRUCTIONS,
    environment_context,
    project_docs,
    user_instructions,
)
from codex_tui.agent.items import HistoryItem, user_message
from codex_tui.agent.model_client import ModelClient
from codex_tui.agent.tool_calls import Approver, ToolEnv, ToolRunner
from codex_tui.config import Config, ConfigError, paths
from codex_tui.policy import AuditLog, PolicyRules

if TYPE_CHECKING:
    from codex_tui.agent.hook_calls import AgentHooks
    from codex_tui.agent.turn_snapshots import TurnSnapshots
    from codex_tui.sandbox import Sandbox
    from codex_tui.sessions import SessionData, SessionRecorder
    from codex_tui.snapshots import Limits
    from codex_tui.tools.access import CommandRunner, EditorFiles


async def build_agent(
    config: Config,
    cwd: Path,
    approver: Approver,
    emit: Callable[[ev.Event], None],
    *,
    client: ModelClient | None = None,
    session_id: str | None = None,
    resume: Path | SessionData | None = None,
    record: bool = True,
    source: str = "cli",
    hook_source: str = "startup",
    editor_files: EditorFiles | None = None,
    editor_writes: bool = False,
    commands: CommandRunner | None = None,
) -> Agent:
    """A ready Agent for `cwd`; emits SessionConfigured.

    `resume`: a session file (or its SessionData) to continue: the model gets its
    history back. One of ours goes on in the same file; a Codex CLI session (read
    only) continues as a new session whose file starts with the carried history.
    `record=False`: no session file. `source` goes into session_meta (cli | exec).
    `editor_files`, `editor_writes`, `commands`: an editor's buffers and terminals
    for the tools (ACP), in place of the disk and our own processes.
    Raises ConfigError, or SessionReadError for a `resume` file that cannot be read.
    """
    from codex_tui.sandbox import Sandbox
    from codex_tui.sessions import read_session

    root = cwd.resolve()
    data: SessionData | None = None
    if isinstance(resume, Path):
        # The transcript is for a person's screen: not read to continue (see
        # read_session; a Codex CLI session, copied into a new file, is read whole).
        data = await asyncio.to_thread(functools.partial(read_session, resume, transcript=False))
    elif resume is not None:
        data = resume
    same_file = data is not None and not data.meta.read_only
    if data is not None and same_file:
        session_id = data.meta.id
    session_id = session_id or str(uuid.uuid4())
    # Probing the sandbox runs a tiny bwrap process: keep it off the event loop.
    sandbox = await asyncio.to_thread(Sandbox.from_config, config, workspace=root)
    try:
        rules = PolicyRules.from_config(config, sandbox_enforced=sandbox.enforced)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    env = ToolEnv(
        root=root,
        rules=rules,
        sandbox=sandbox,
        audit=AuditLog(paths.log_dir() / "audit.jsonl"),
        session_id=session_id,
        max_timeout_ms=config.command_max_timeout_ms,
        max_terminals=config.max_background_terminals,
        editor_files=editor_files,
        editor_writes=editor_writes and editor_files is not None,
        commands=commands,
    )
    doc_warnings: list[str] = [await asyncio.to_thread(recover_patch, root)]
    docs = await asyncio.to_thread(
        project_docs, paths.home(), root, config.project_doc_max_bytes, doc_warnings.append
    )
    context_items: list[HistoryItem] = []
    doc_text = user_instructions(docs)
    if doc_text:
        context_items.append(user_message(doc_text))
    network = sandbox.policy.network_access
    context_items.append(
        user_message(
            environment_context(
                root,
                config.approval_policy,
                config.sandbox_mode,
                network,
                config.sandbox_workspace_write.writable_roots,
                private_tmp=sandbox.policy.private_tmp_writable,
            )
        )
    )
    window = context_window(config.model, config.model_context_window)
    conversation = Conversation(
        config.model, window, auto_compact_limit(window, config.model_auto_compact_token_limit)
    )
    previous_response_id = None
    if data is not None:
        conversation.items = resumed_items(data, context_items, same_file)
        conversation.total, conversation.last = data.total_usage, data.last_usage
        previous_response_id = data.previous_response_id if same_file else None
    recorder = None
    if record:
        recorder = await asyncio.to_thread(
            start_recorder, config, root, session_id, data, conversation, source
        )
        conversation.on_add = recorder.record_items
        conversation.on_compact = recorder.record_compacted
        emit = recorder.wrap(emit)
    if config.undo.enabled:
        env.snapshots = snapshots_for(config, root, sandbox, session_id, emit)
    if any(server.enabled for server in config.mcp_servers.values()):
        from codex_tui.mcp.manager import McpManager

        # Started now, in the background: only the first request waits for them.
        env.mcp = McpManager(config.mcp_servers, root, paths.log_dir())
        env.mcp.start()

    def make_hooks() -> list[str]:
        """(Re)read the hooks (after the person trusts the repository); warnings."""
        env.hooks, warnings = hooks_for(config, root, session_id, emit, recorder)
        return warnings

    hook_warnings = await asyncio.to_thread(make_hooks)
    agent = Agent(
        client or ModelClient(config.model_provider, config.provider),
        conversation,
        ToolRunner(env, approver, emit),
        emit,
        instructions=BASE_INSTRUCTIONS,
        context_items=context_items,
        reasoning_effort=config.model_reasoning_effort,
        max_output_tokens=config.model_max_output_tokens,
        session_id=session_id,
        docs=docs,
        conversation_state=config.conversation_state,
        previous_response_id=previous_response_id,
        checks=config.response_checks,
        # A copy: the front end's own config changes reach the agent through override().
        config=dataclasses.replace(config),
        recorder=recorder,
    )
    agent.reload_hooks = make_hooks
    if recorder is not None:
        # The agent's own settings: override() changes them, not `config`.
        recorder.describe_turn = lambda: turn_context(agent.config or config, root, agent)
    emit(
        ev.SessionConfigured(
            session_id=session_id,
            model=config.model,
            provider=config.model_provider,
            cwd=root,
            approval_policy=config.approval_policy,
            sandbox_mode=config.sandbox_mode,
            sandbox_enforced=sandbox.enforced,
        )
    )
    if config.tools.web_search:
        if config.provider.wire_api == "chat":
            hook_warnings = [
                *hook_warnings,
                "web search (tools.web_search) is not available on the chat wire;"
                " the model works without it",
            ]
        else:
            agent.web_search = True
    # A patch cut short by a crash was rolled back; an AGENTS.md could not be read.
    for warning in filter(None, [*doc_warnings, *hook_warnings]):
        emit(ev.WarningEvent(message=warning))
    if env.hooks is not None:
        await session_start(agent, env.hooks, "resume" if data is not None else hook_source)
    return agent


async def session_start(agent: Agent, hooks: AgentHooks, source: str) -> None:
    """SessionStart hooks; what they print joins the model's context for the session."""
    from codex_tui.agent.hook_calls import context_message

    seen = await hooks.fire("SessionStart", source, source=source)
    if seen.context:
        item = user_message(context_message(seen.context, "SessionStart"))
        agent.context_items.append(item)
        agent.conversation.add(item)


def hooks_for(
    config: Config,
    root: Path,
    session_id: str,
    emit: Callable[[ev.Event], None],
    recorder: SessionRecorder | None,
) -> tuple[AgentHooks | None, list[str]]:
    """The session's hooks (the person's, and a trusted repository's) and one
    warning per hook file that is missing or not executable."""
    from codex_tui.agent.hook_calls import AgentHooks
    from codex_tui.hooks.sources import collect, hook_file_warnings, repo_hooks
    from codex_tui.sessions.files import repo_root

    repo = repo_hooks(repo_root(root))
    warnings: list[str] = []
    if repo is not None and repo.error:
        warnings.append(f"repository hooks not loaded: {repo.error}")
    elif repo is not None and repo.trust == "unknown":
        count = len(repo.hooks)
        warnings.append(
            f"{repo.file} defines {count} hook{'s' if count != 1 else ''}; they run only once"
            " you trust this repository (/hooks trust in the app)"
        )
    hooks = collect(config.hooks, repo)
    if not hooks:
        return None, warnings
    warnings += hook_file_warnings(hooks, root)
    path = (lambda: recorder.path) if recorder is not None else (lambda: None)
    audit = AuditLog(paths.log_dir() / "audit.jsonl")
    agent_hooks = AgentHooks(hooks, root, session_id, emit, transcript_path=path, audit=audit)
    return agent_hooks, warnings


def recover_patch(root: Path) -> str:
    """Roll back a patch commit a crash cut short in this workspace (at start-up,
    before the model can touch it); what happened, for the person, or ""."""
    from codex_tui.patch import CommitError, recover_unfinished_commit

    try:
        recovery = recover_unfinished_commit(root)
    except CommitError as exc:
        return str(exc)
    except OSError as exc:
        return f"cannot check for an interrupted patch: {exc.strerror or exc}"
    return recovery.message() if recovery is not None else ""


def resumed_items(
    data: SessionData, context_items: list[HistoryItem], same_file: bool
) -> list[HistoryItem]:
    """The history a resumed session starts from. Our own sessions keep theirs;
    Codex CLI's get our AGENTS.md and environment messages in place of its own."""
    from codex_tui.sessions.history import without_context

    if same_file:
        return list(data.history)
    return [*context_items, *without_context(data.history)]


def start_recorder(
    config: Config,
    root: Path,
    session_id: str,
    data: SessionData | None,
    conversation: Conversation,
    source: str,
) -> SessionRecorder:
    """The recorder for this session (file I/O: run it in a thread)."""
    from codex_tui.sessions.files import git_head, session_path
    from codex_tui.sessions.recorder import SessionRecorder, meta_payload

    if data is not None and not data.meta.read_only:
        return SessionRecorder.append_to(data.meta.path, session_id)
    forked = {"id": data.meta.id, "path": str(data.meta.path)} if data is not None else None
    meta = meta_payload(
        session_id,
        root,
        config.model,
        config.model_provider,
        git_head(root),
        source=source,
        forked_from=forked,
    )
    recorder = SessionRecorder.create(session_path(session_id), meta)
    if data is not None:
        # The new file holds the whole story: the history the model continues
        # from, and the earlier transcript for the person.
        recorder.record_items(conversation.items)
        for event in data.transcript:
            recorder.record_event(event, replay=True)
    return recorder


def turn_context(config: Config, root: Path, agent: Agent) -> dict[str, Any]:
    """The turn_context line written at each turn start (Codex CLI's field names)."""
    context: dict[str, Any] = {
        "cwd": str(root),
        "approval_policy": config.approval_policy,
        "sandbox_policy": {"type": config.sandbox_mode},
        "model": agent.conversation.model,
        "summary": "auto",
    }
    if config.model_reasoning_effort:
        context["effort"] = config.model_reasoning_effort
    return context


def snapshots_for(
    config: Config, root: Path, sandbox: Sandbox, session_id: str, emit: Callable[[ev.Event], None]
) -> TurnSnapshots:
    """Snapshots of the workspace and the sandbox's other writable roots, for undo."""
    from codex_tui.agent.turn_snapshots import TurnSnapshots

    limits = snapshot_limits(config)
    return TurnSnapshots(
        lambda: (root, *sandbox.writable_roots()),
        paths.home(),
        session_id,
        emit,
        keep_turns=config.undo.keep_turns,
        limits=limits,
    )


def snapshot_limits(config: Config) -> Limits:
    """What a snapshot leaves out, from the `undo` settings."""
    from codex_tui.snapshots import Limits

    return Limits(
        max_file_bytes=config.undo.max_file_mb * 1024 * 1024,
        max_ignored_files=config.undo.max_ignored_files,
    )
