"""Patch engine figures: apply a 10-chunk patch to a 100,000-line file, one chunk to each
of 1,000 files, parse 1 MB patches.

Each figure is the median of several runs; the file is rewritten before each
run (untimed) so every commit starts from the same tree.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from codex_tui.patch import PatchPlan, build_patch_plan, commit, parse_patch

LINES = 100_000
CHUNKS = 10
REPEAT = 9
MANY_FILES = 1_000


def _median_ms(work: Callable[[], object], setup: Callable[[], object] | None = None) -> float:
    times = []
    for _ in range(REPEAT):
        if setup is not None:
            setup()
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _commit_ms(patch: str, root: Path, reset: Callable[[], object]) -> float:
    """The commit alone: the tree is reset and the plan made before each run, untimed."""
    plans: list[PatchPlan] = []

    def setup() -> None:
        reset()
        plans.append(build_patch_plan(patch, root))

    return _median_ms(lambda: commit(plans.pop()), setup)


def _source(curly: bool) -> list[str]:
    quote = "\u2019" if curly else "'"
    return [
        f"    value_{i} = compute({i}, {quote}item-{i}{quote})  # step {i % 97}\n"
        for i in range(LINES)
    ]


def _ten_chunk_patch(lines: list[str], *, ascii_context: bool) -> str:
    """Ten chunks spread over the file, three context lines each side."""
    out = ["*** Begin Patch", "*** Update File: big.py"]
    for k in range(CHUNKS):
        i = (k + 1) * LINES // (CHUNKS + 1)
        context = [ln.rstrip("\n") for ln in lines[i - 3 : i + 4]]
        if ascii_context:  # as a model retypes it: straight quotes
            context = [c.replace("\u2019", "'") for c in context]
        out += ["@@", *(" " + c for c in context[:3]), "-" + context[3], f"+    changed_{k} = True"]
        out += [" " + c for c in context[4:]]
    out.append("*** End Patch")
    return "\n".join(out) + "\n"


def _apply_figures(root: Path) -> list[dict]:
    figures = []
    for curly, label, note in (
        (False, "apply 10-chunk patch to 100,000-line file", "plan + atomic commit (fsync)"),
        (
            True,
            "same, context found only by the loosest pass",
            "file has curly quotes, patch straight ones: every comparison pass runs",
        ),
    ):
        lines = _source(curly)
        text = "".join(lines)
        patch = _ten_chunk_patch(lines, ascii_context=curly)
        target = root / "big.py"

        def reset(target: Path = target, text: str = text) -> None:
            target.write_text(text)

        def apply(patch: str = patch) -> None:
            commit(build_patch_plan(patch, root))

        figures.append(
            {
                "name": label,
                "value": _median_ms(apply, reset),
                "unit": "ms",
                "goal": "≤ 100 ms" if not curly else "",
                "note": note,
            }
        )
        if not curly:
            reset()
            figures.append(
                {
                    "name": "of which planning (parse, locate, compute)",
                    "value": _median_ms(lambda patch=patch: build_patch_plan(patch, root)),
                    "unit": "ms",
                    "goal": "",
                    "note": "no file written",
                }
            )
            figures.append(
                {
                    "name": "of which committing (journal, fsyncs, renames)",
                    "value": _commit_ms(patch, root, reset),
                    "unit": "ms",
                    "goal": "",
                    "note": "the plan made before each run, untimed",
                }
            )
    return figures


def _many_files_figures(root: Path) -> list[dict]:
    """One changed line in each of 1,000 files of 40 lines, 20 directories."""
    files = {
        root / f"many/pkg_{f % 20}/mod_{f}.py": "".join(
            f"line {j} of file {f}\n" for j in range(40)
        )
        for f in range(MANY_FILES)
    }
    out = ["*** Begin Patch"]
    for path in files:
        name = path.relative_to(root).as_posix()
        f = int(path.stem.removeprefix("mod_"))
        out += [f"*** Update File: {name}", f" line 19 of file {f}", f"-line 20 of file {f}"]
        out += [f"+line 20 of file {f}, changed", f" line 21 of file {f}"]
    out.append("*** End Patch")
    patch = "\n".join(out) + "\n"

    def reset() -> None:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)

    return [
        {
            "name": f"apply 1-chunk edits to {MANY_FILES:,} files",
            "value": _median_ms(lambda: commit(build_patch_plan(patch, root)), reset),
            "unit": "ms",
            "goal": "",
            "note": "plan + atomic commit (fsync of every file)",
        },
        {
            "name": f"of which committing the {MANY_FILES:,} files",
            "value": _commit_ms(patch, root, reset),
            "unit": "ms",
            "goal": "",
            "note": "the plan made before each run, untimed",
        },
    ]


def _one_megabyte_patches() -> tuple[str, str]:
    """An apply_patch text and a unified diff of a little over 1 MB each, 210 files."""
    apply_parts = ["*** Begin Patch"]
    diff_parts = []
    for f in range(210):
        body = [f"line {j} of file {f}: some ordinary source text here" for j in range(90)]
        apply_parts += [f"*** Update File: pkg/mod_{f}.py", f"@@ def handler_{f}():"]
        apply_parts += [(" " if j % 10 else "-") + b for j, b in enumerate(body)]
        apply_parts += [f"+replacement {f}"]
        diff_parts += [f"--- a/pkg/mod_{f}.py", f"+++ b/pkg/mod_{f}.py", "@@ -1,90 +1,90 @@"]
        diff_parts += [(" " if j % 10 else "-") + b for j, b in enumerate(body)]
        diff_parts += [f"+replacement {f}.{j}" for j in range(9)]
    apply_parts.append("*** End Patch")
    return "\n".join(apply_parts) + "\n", "\n".join(diff_parts) + "\n"


def run() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        figures = _apply_figures(Path(tmp))
        figures += _many_files_figures(Path(tmp))
    apply_text, diff_text = _one_megabyte_patches()
    for label, text in (
        ("parse 1 MB apply_patch text", apply_text),
        ("parse 1 MB unified diff", diff_text),
    ):
        parse_patch(text)  # warm up: the unified parser imports unidiff on first use
        figures.append(
            {
                "name": label,
                "value": _median_ms(lambda text=text: parse_patch(text)),
                "unit": "ms",
                "goal": "≤ 200 ms",
                "note": f"{len(text.encode()) / 1e6:.2f} MB, 210 files",
            }
        )
    return figures


if __name__ == "__main__":
    for figure in run():
        print(f"{figure['name']}: {figure['value']:.1f} {figure['unit']}")
