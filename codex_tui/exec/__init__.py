"""Headless runs: `codex-tui exec`, printing human progress or JSON events."""
