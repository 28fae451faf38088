"""Undo and redo of a session's turns, from the snapshots its file records
(`history`), carried out by `engine`; `codex-tui undo` in `cli`."""
