"""Assemble an Agent from the effective config: model client, sandbox, policy,
instructions and context. Shared by the TUI and `exec`."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path

from codex_tui.agent import events as ev
from codex_tui.agent.context import (
    Conversation,
    auto_compact_limit,
    context_window,
    user_message,
)
from codex_tui.agent.controller import Agent
from codex_tui.agent.instructions import (
    BASE_INSTRUCTIONS,
    environment_context,
    project_docs,
    user_instructions,
)
from codex_tui.agent.model_client import ModelClient
from codex_tui.agent.tool_calls import Approver, ToolEnv, ToolRunner
from codex_tui.config import Config, ConfigError, paths
from codex_tui.policy import AuditLog, PolicyRules


async def build_agent(
    config: Config,
    cwd: Path,
    approver: Approver,
    emit: Callable[[ev.Event], None],
    *,
    client: ModelClient | None = None,
    session_id: str | None = None,
) -> Agent:
    """A ready Agent for `cwd`; emits SessionConfigured. Raises ConfigError."""
    from codex_tui.sandbox import Sandbox

    root = cwd.resolve()
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
    )
    docs = await asyncio.to_thread(project_docs, paths.home(), root, config.project_doc_max_bytes)
    context_items = []
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
            )
        )
    )
    window = context_window(config.model, config.model_context_window)
    conversation = Conversation(
        config.model, window, auto_compact_limit(window, config.model_auto_compact_token_limit)
    )
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
    )
    emit(
        ev.SessionConfigured(
            session_id,
            config.model,
            config.model_provider,
            root,
            config.approval_policy,
            config.sandbox_mode,
            sandbox.status_line(),
        )
    )
    return agent
