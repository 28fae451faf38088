"""Hooks: the person's own commands run before and after tool calls, prompts and
turns, with Claude Code's contract (event names, JSON on stdin, exit 2 blocks,
JSON on stdout decides). `sources` says which hooks run, `runner` runs them,
`verdict` reads what they decided; `agent/hook_calls.py` acts on it."""
