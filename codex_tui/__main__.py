"""Allow `python -m codex_tui`."""

from codex_tui.cli import main

raise SystemExit(main())
