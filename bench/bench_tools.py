"""Tool figures on hostile-sized inputs: read_file on a 2 GiB and a 200 MiB text
file (time and peak memory, each in a fresh interpreter), the whole-file read it
replaced on the same 200 MiB, and how long a "billion laughs" config.yaml takes
to be refused.

The files are written first (untimed) and read once before timing, so the page
cache is warm: the figures measure our work, not the disk.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MiB = 1 << 20
REPEAT = 3

# The whole-file read_file as it was before streaming, for comparison.
WHOLE_FILE_READ = """
def whole_file_read(path, start):
    data = path.read_bytes()
    lines = data.decode("utf-8", errors="replace").splitlines()
    total = len(lines)
    end = min(total, start + 399)
    width = len(str(end))
    body = [f"{n:>{width}}\\t{lines[n - 1][:500]}" for n in range(start, end + 1)]
    return f"{path.name} (lines {start}-{end} of {total})\\n" + "\\n".join(body)
"""

CHILD = """
import json, sys, time
from pathlib import Path
from codex_tui.tools import files
{extra}
path, start = Path(sys.argv[1]), int(sys.argv[2])
began = time.perf_counter()
out = {call}
seconds = time.perf_counter() - began
status = Path("/proc/self/status").read_text().splitlines()
peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:")) / 1024
print(json.dumps({{"seconds": seconds, "peak_mib": peak, "head": out.splitlines()[0]}}))
"""


def _write_lines(path: Path, size: int) -> int:
    """`size` bytes of 80-byte numbered lines; returns the line count."""
    line = b"%09d " + b"v" * 69 + b"\n"
    block = b"".join(line % i for i in range(16384))
    with path.open("wb") as f:
        for _ in range(size // len(block)):
            f.write(block)
    return size // len(block) * 16384


def _child(path: Path, start: int, whole: bool = False) -> dict:
    code = CHILD.format(
        extra=WHOLE_FILE_READ if whole else "",
        call="whole_file_read(path, start)"
        if whole
        else "files.read_file(path.parent, path.name, start, None)",
    )
    runs = []
    for _ in range(REPEAT):
        result = subprocess.run(
            [sys.executable, "-c", code, str(path), str(start)],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(result.stdout))
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "peak_mib": max(r["peak_mib"] for r in runs),
        "head": runs[0]["head"],
    }


def _read_figures(tmp: Path) -> list[dict]:
    figures = []
    giant = tmp / "giant.log"
    _write_lines(giant, 2048 * MiB)
    big = tmp / "big.log"
    lines = _write_lines(big, 200 * MiB)
    for path in (giant, big):
        subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)  # warm
    first = _child(giant, 1)
    figures += [
        {
            "name": "read_file, first page of a 2 GiB text file",
            "value": first["seconds"] * 1000,
            "unit": "ms",
            "goal": "",
            "note": "median of 3, fresh interpreter each; stops at the page"
            " (too large to count: over 256 MiB)",
        },
        {
            "name": "read_file, peak memory for that page",
            "value": first["peak_mib"],
            "unit": "MiB",
            "goal": "",
            "note": "VmHWM of the whole interpreter (about 25 MiB of it is Python"
            " and the imports); before: 6.2 GB peak, 20 s (issue 22)",
        },
    ]
    last = _child(big, lines - 10)
    old = _child(big, lines - 10, whole=True)
    assert last["head"] == old["head"], (last, old)  # the same page, the same header
    figures += [
        {
            "name": "read_file, last page of a 200 MiB text file",
            "value": last["seconds"] * 1000,
            "unit": "ms",
            "goal": "",
            "note": f"{lines:,} lines, all counted for `of N`; peak {last['peak_mib']:.0f} MiB",
        },
        {
            "name": "same page, whole-file read as before",
            "value": old["seconds"] * 1000,
            "unit": "ms",
            "goal": "",
            "note": f"read, decode, splitlines; peak {old['peak_mib']:.0f} MiB",
        },
    ]
    return figures


def _laughs_figure(tmp: Path) -> dict:
    home = tmp / "home"
    home.mkdir()
    laughs = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        laughs += f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    (home / "config.yaml").write_text(laughs)
    os.environ["CODEX_TUI_HOME"] = str(home)
    from codex_tui.config import ConfigError, load_config

    times = []
    for _ in range(5):
        began = time.perf_counter()
        with contextlib.suppress(ConfigError):
            load_config()
        times.append((time.perf_counter() - began) * 1000)
    return {
        "name": 'config.yaml "billion laughs" refused',
        "value": statistics.median(times),
        "unit": "ms",
        "goal": "",
        "note": "9 levels of 9 aliases; before: over 90 s (issue 22)",
    }


def run() -> list[dict]:
    saved = os.environ.get("CODEX_TUI_HOME")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            figures = _read_figures(Path(tmp))
            figures.append(_laughs_figure(Path(tmp)))
    finally:
        if saved is None:
            os.environ.pop("CODEX_TUI_HOME", None)
        else:
            os.environ["CODEX_TUI_HOME"] = saved
    return figures


if __name__ == "__main__":
    for figure in run():
        print(f"{figure['name']}: {figure['value']:.1f} {figure['unit']}  ({figure['note']})")
