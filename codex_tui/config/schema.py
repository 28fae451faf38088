"""The typed configuration schema: every key, its type, default and allowed values.

Key names follow Codex CLI's, so its users feel at home. Allowed values come
from `Literal` types; numeric bounds from the field's `minimum` metadata.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ApprovalPolicy = Literal["untrusted", "on-failure", "on-request", "never"]
SandboxMode = Literal["read-only", "workspace-write", "danger-full-access"]
WireApi = Literal["responses", "chat"]
ReasoningEffort = Literal["minimal", "low", "medium", "high"]
EnvInherit = Literal["all", "core", "none"]
# How the transcript draws images: pixels where the terminal is known to draw them
# (auto), always try pixels (graphics), half-block characters (blocks), a line (text).
ImageDisplay = Literal["auto", "graphics", "blocks", "text"]
HistoryPersistence = Literal["save-all", "none"]
ConversationState = Literal["client", "server"]
McpApprovalMode = Literal["auto", "prompt", "approve"]
HOOK_EVENTS = (
    "PreToolUse", "PostToolUse", "UserPromptSubmit", "Stop",
    "SessionStart", "SessionEnd", "PreCompact", "Notification",
)  # fmt: skip

# Keys that exist only at the top level (a profile may not set them).
TOP_LEVEL_ONLY = frozenset({"profiles", "profile"})


def positive(default: int) -> int:
    """A field holding an integer that must be at least 1."""
    return field(default=default, metadata={"minimum": 1})


def non_negative(default: int) -> int:
    return field(default=default, metadata={"minimum": 0})


@dataclass
class ModelProvider:
    """Where requests go and how they are retried."""

    name: str = ""
    base_url: str | None = None
    wire_api: WireApi = "responses"
    # Environment variable holding the API key; None = the server needs no key.
    env_key: str | None = None
    request_max_retries: int = non_negative(4)
    stream_max_retries: int = non_negative(5)
    stream_idle_timeout_ms: int = positive(300_000)
    # false: one plain request per turn step (servers that cannot stream with tools).
    stream: bool = True


@dataclass
class SandboxWorkspaceWrite:
    """What `workspace-write` lets a command touch besides the workspace."""

    writable_roots: list[str] = field(default_factory=list)
    network_access: bool = False
    exclude_tmpdir_env_var: bool = False
    exclude_slash_tmp: bool = False


@dataclass
class ShellEnvironmentPolicy:
    """Which environment variables a command sees."""

    inherit: EnvInherit = "all"
    # Glob patterns (case-insensitive) of names to drop / keep / force.
    exclude: list[str] = field(default_factory=list)
    set: dict[str, str] = field(default_factory=dict)
    include_only: list[str] = field(default_factory=list)
    # By default names containing KEY, SECRET, TOKEN or PASSWORD are dropped.
    ignore_default_excludes: bool = False


@dataclass
class History:
    """The composer's input history ($CODEX_TUI_HOME/history.jsonl)."""

    persistence: HistoryPersistence = "save-all"


@dataclass
class ResponseChecks:
    """Which checks run on what the model says and proposes (flags never block)."""

    # Workspace paths the model names that do not exist.
    paths: bool = True
    # rm -rf, DROP TABLE, force pushes and the like, in text or commands.
    dangerous: bool = True
    # Text that looks like a credential (the redactor's patterns).
    secrets: bool = True


@dataclass
class Tui:
    """Settings of the full-screen app only."""

    # Bell + OSC 9 notification when an approval waits or a turn ends while unfocused.
    notifications: bool = True
    images: ImageDisplay = "auto"
    # Vim keys in the composer (normal and insert modes).
    vim_mode: bool = False


@dataclass
class ModelPrice:
    """US dollars per million tokens (for the cost estimate; see agent/pricing.py)."""

    input: float = field(default=0.0, metadata={"minimum": 0})
    cached_input: float = field(default=0.0, metadata={"minimum": 0})
    output: float = field(default=0.0, metadata={"minimum": 0})


@dataclass
class Tools:
    """Hosted tools the model server runs itself (the Responses wire only)."""

    # The Responses API's `web_search` tool (also `--search`).
    web_search: bool = False


@dataclass
class Undo:
    """Snapshots before and after each turn that writes (for /undo and `codex-tui undo`)."""

    enabled: bool = True
    # Snapshots of this many most recent turns are kept per session.
    keep_turns: int = positive(50)
    # Larger files are not covered (the undo preview lists them).
    max_file_mb: int = positive(10)
    # Ignored folders (node_modules, .venv, build output) holding more files are not covered.
    max_ignored_files: int = positive(2_000)


@dataclass
class McpTool:
    """Settings of one tool of an MCP server."""

    approval_mode: McpApprovalMode | None = None


@dataclass
class McpServer:
    """One MCP server (Codex CLI's keys): a program over stdio (`command`) or a
    streamable HTTP endpoint (`url`)."""

    command: str | None = None
    args: list[str] = field(default_factory=list)
    # Added to a minimal environment (PATH, HOME, LANG, …): no secret is inherited.
    env: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None
    url: str | None = None
    bearer_token_env_var: str | None = None
    http_headers: dict[str, str] = field(default_factory=dict)
    startup_timeout_sec: float = field(default=10.0, metadata={"minimum": 0.1})
    tool_timeout_sec: float = field(default=60.0, metadata={"minimum": 0.1})
    enabled: bool = True
    # None = every tool; disabled_tools are dropped after enabled_tools is applied.
    enabled_tools: list[str] | None = None
    disabled_tools: list[str] = field(default_factory=list)
    # auto: the approval policy decides from the tool's annotations; prompt: always
    # ask; approve: never ask.
    default_tools_approval_mode: McpApprovalMode = "auto"
    tools: dict[str, McpTool] = field(default_factory=dict)


@dataclass
class HookCommand:
    """One command a hook runs (Claude Code's shape: `type: command`)."""

    command: str = ""
    type: Literal["command"] = "command"
    timeout: float = field(default=60.0, metadata={"minimum": 0.1})


@dataclass
class HookMatcher:
    """Hooks of one event, for the tools (or sources) `matcher` matches."""

    # A regular expression on the tool name (shell, apply_patch, mcp__git__git_log…);
    # on the trigger for PreCompact and the source for SessionStart. Empty: all.
    matcher: str = ""
    hooks: list[HookCommand] = field(default_factory=list)


def builtin_providers() -> dict[str, ModelProvider]:
    """Providers that exist without any configuration; users add to these."""
    return {
        "openai": ModelProvider(
            name="OpenAI",
            base_url="https://api.openai.com/v1",
            wire_api="responses",
            env_key="OPENAI_API_KEY",
        ),
        "ollama": ModelProvider(
            name="Ollama", base_url="http://localhost:11434/v1", wire_api="chat"
        ),
        "lmstudio": ModelProvider(
            name="LM Studio", base_url="http://localhost:1234/v1", wire_api="chat"
        ),
    }


@dataclass
class Config:
    """The effective configuration; attribute names are the config keys."""

    model: str = "gpt-5-codex"
    model_provider: str = "openai"
    model_providers: dict[str, ModelProvider] = field(default_factory=builtin_providers)
    # None = derived from the model family by the agent.
    model_context_window: int | None = field(default=None, metadata={"minimum": 1})
    model_auto_compact_token_limit: int | None = field(default=None, metadata={"minimum": 1})
    model_max_output_tokens: int | None = field(default=None, metadata={"minimum": 1})
    model_reasoning_effort: ReasoningEffort | None = None
    approval_policy: ApprovalPolicy = "on-request"
    sandbox_mode: SandboxMode = "workspace-write"
    sandbox_workspace_write: SandboxWorkspaceWrite = field(default_factory=SandboxWorkspaceWrite)
    shell_environment_policy: ShellEnvironmentPolicy = field(default_factory=ShellEnvironmentPolicy)
    # Command prefixes written like shell commands, e.g. "git push".
    trusted_commands: list[str] = field(default_factory=list)
    forbidden_commands: list[str] = field(default_factory=list)
    # A command the model runs is killed after this long unless it asks for more.
    command_timeout_ms: int = positive(10_000)
    # The longest a command may run when the model asks for more time.
    command_max_timeout_ms: int = positive(600_000)
    project_doc_max_bytes: int = non_negative(32 * 1024)
    # `bash -lc` commands run after a once-per-session snapshot of the login
    # profile instead of re-reading it each time (see sandbox/shell_snapshot.py).
    shell_snapshot: bool = True
    # Background terminals (exec_command) that may run at once.
    max_background_terminals: int = positive(8)
    theme: str = "dark"
    history: History = field(default_factory=History)
    # client: full history each request (store: false); server: previous_response_id.
    conversation_state: ConversationState = "client"
    response_checks: ResponseChecks = field(default_factory=ResponseChecks)
    tui: Tui = field(default_factory=Tui)
    undo: Undo = field(default_factory=Undo)
    tools: Tools = field(default_factory=Tools)
    # Model (prefix) -> price, adding to or correcting the built-in table.
    model_prices: dict[str, ModelPrice] = field(default_factory=dict)
    mcp_servers: dict[str, McpServer] = field(default_factory=dict)
    # Event name (PreToolUse, PostToolUse, UserPromptSubmit, Stop, SessionStart,
    # SessionEnd, PreCompact, Notification) -> matchers with their commands.
    hooks: dict[str, list[HookMatcher]] = field(default_factory=dict)
    # A program (argv) run with a JSON argument when a turn ends.
    notify: list[str] = field(default_factory=list)
    profile: str | None = None
    # Named partial configurations; each may set any key above but these two.
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def provider(self) -> ModelProvider:
        """The selected provider (its existence is checked at load time)."""
        return self.model_providers[self.model_provider]
