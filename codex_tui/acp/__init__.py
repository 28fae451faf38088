"""`codex-tui acp`: the agent over the Agent Client Protocol, for editors (Zed,
JetBrains, Neovim) and terminal clients (Toad). Another consumer of the agent's
events, like `exec`; the protocol itself comes from the `agent-client-protocol`
SDK, imported only when this command runs.
"""
