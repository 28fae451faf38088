"""A helper process for a large index build (see index_scan.scan_files): reads a
JSON list of files to scan on stdin and writes their rows, as one JSON list, on
stdout. ASCII both ways (JSON escapes), so the locale does not matter."""

from __future__ import annotations

import json
import sys

from codex_tui.sessions.index_scan import scan_file


def main() -> int:
    todo = json.loads(sys.stdin.buffer.read())
    rows = [scan_file(path, size, mtime, source) for path, size, mtime, source in todo]
    sys.stdout.buffer.write(json.dumps(rows).encode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
