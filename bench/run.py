"""Run every benchmark in bench/ and record the figures in bench/README.md.

Each `bench/bench_*.py` module defines `run() -> list[dict]`; every dict is one
figure: {"name", "value", "unit", "goal" (text, optional), "note" (optional)}.
`python bench/run.py [NAME ...]` runs all modules, or those whose name contains
one of NAME; the table between the markers in README.md is rewritten with the
figures of the modules that ran (rows of other modules are kept).
"""

from __future__ import annotations

import importlib.util
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
BEGIN, END = "<!-- figures:begin -->", "<!-- figures:end -->"


def load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(HERE))
    spec.loader.exec_module(module)
    return module


def fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if value < 100 else f"{value:.0f}"
    return str(value)


def read_rows() -> dict[str, list[str]]:
    """Existing table rows keyed by benchmark module."""
    rows: dict[str, list[str]] = {}
    if not README.exists():
        return rows
    text = README.read_text()
    if BEGIN not in text:
        return rows
    body = text.split(BEGIN, 1)[1].split(END, 1)[0]
    for line in body.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0].startswith("bench_"):
            rows.setdefault(cells[0], []).append(line)
    return rows


def write_rows(rows: dict[str, list[str]]) -> None:
    header = [
        "| module | figure | value | unit | goal | note |",
        "|---|---|---|---|---|---|",
    ]
    table = "\n".join(header + [r for key in sorted(rows) for r in rows[key]])
    stamp = (
        f"_Last run {time.strftime('%Y-%m-%d')}, Python {platform.python_version()},"
        f" {platform.machine()}, {os.cpu_count()} cores._"
    )
    block = f"{BEGIN}\n{stamp}\n\n{table}\n{END}"
    text = README.read_text() if README.exists() else "# Benchmarks\n\n"
    if BEGIN in text:
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1] if END in rest else ""
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    README.write_text(text)


def main(argv: list[str]) -> int:
    wanted = argv[1:]
    modules = sorted(HERE.glob("bench_*.py"))
    if wanted:
        modules = [m for m in modules if any(w in m.stem for w in wanted)]
    if not modules:
        print("no benchmark matched", file=sys.stderr)
        return 1
    rows = read_rows()
    failed = False
    for path in modules:
        print(f"== {path.stem}", flush=True)
        try:
            figures = load(path).run()
        except Exception as exc:  # a broken benchmark must not hide the others
            print(f"   failed: {exc!r}", file=sys.stderr)
            failed = True
            continue
        rows[path.stem] = []
        for f in figures:
            unit, goal, note = f.get("unit", ""), f.get("goal", ""), f.get("note", "")
            cells = [path.stem, f["name"], fmt(f["value"]), unit, goal, note]
            rows[path.stem].append("| " + " | ".join(cells) + " |")
            print(f"   {f['name']}: {fmt(f['value'])} {unit}  (goal {goal or '-'})")
    write_rows(rows)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
