"""Patch engine figures: apply a 10-chunk patch to a 100,000-line file, one chunk to each
of 1,000 files, parse 1 MB patches; and `codex-tui apply-patch` as a whole process on
1,000 to 1,000,000-line files, time and peak memory, beside Codex CLI's `apply_patch`.

Each figure is the median of several runs; the file is rewritten before each
run (untimed) so every commit starts from the same tree. The processes run the
codex_tui this module imports (its folder on PYTHONPATH, `python -P`), so
`PYTHONPATH=<other checkout> python bench/bench_patch.py` measures another
version. Codex CLI is found as bench/tui_launch.py says ($CODEX_BIN, or `codex`
on PATH); its native binary runs as `apply_patch`, the name it answers to.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import tui_launch

import codex_tui
from codex_tui.patch import PatchPlan, build_patch_plan, commit, parse_patch

LINES = 100_000
CHUNKS = 10
REPEAT = 9
MANY_FILES = 1_000

# Measured with this module on the code before the issue "Big repositories and big
# files" (processes: ms and peak MiB; the rest ms), interleaved with runs of the code
# after it.
BEFORE = {
    1_000: (75, 22),
    100_000: (124, 57),
    1_000_000: (823, 378),
    "loosest": (2117, 982),
    "uncached": 94,
    "apply": 38,  # in process, 100,000 lines
    "planning": 29,
    "committing": 7.7,
    "apply loosest": 136,
}


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


def _source(curly: bool, count: int = LINES) -> list[str]:
    quote = "\u2019" if curly else "'"
    return [
        f"    value_{i} = compute({i}, {quote}item-{i}{quote})  # step {i % 97}\n"
        for i in range(count)
    ]


def _ten_chunk_patch(lines: list[str], *, ascii_context: bool) -> str:
    """Ten chunks spread over the file, three context lines each side."""
    out = ["*** Begin Patch", "*** Update File: big.py"]
    for k in range(CHUNKS):
        i = (k + 1) * len(lines) // (CHUNKS + 1)
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
        (
            False,
            "apply 10-chunk patch to 100,000-line file",
            f"plan + atomic commit (fsync); before: {BEFORE['apply']} ms",
        ),
        (
            True,
            "same, context found only by the loosest pass",
            "file has curly quotes, patch straight ones: every comparison pass runs; "
            f"before: {BEFORE['apply loosest']} ms",
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
                    "note": f"no file written; before: {BEFORE['planning']} ms",
                }
            )
            figures.append(
                {
                    "name": "of which committing (journal, fsyncs, renames)",
                    "value": _commit_ms(patch, root, reset),
                    "unit": "ms",
                    "goal": "",
                    "note": "the plan made before each run, untimed; now written and "
                    f"checked a piece at a time; before: {BEFORE['committing']} ms",
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


# -- whole processes ---------------------------------------------------------

PROCESS_RUNS = {1_000: 9, 100_000: 7, 1_000_000: 5}


# The peak memory a child reports includes its parent's at the fork (Linux counts
# the image exec replaces): the parent here holds a million lines, so each run is
# started from a small interpreter, which also times it without its own start-up.
_LAUNCHER = """
import os, sys, time
start = time.perf_counter()
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ,
                     file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)])
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
code = os.waitstatus_to_exitcode(status)
if code == 0:
    print(wall, usage.ru_maxrss)
sys.exit(code)
"""


class _Processes:
    """Runs `codex-tui apply-patch` (and Codex CLI's `apply_patch`, when there is one)
    on the file `big.py` in a folder, the patch on stdin; each run from the same file."""

    def __init__(self, tmp: Path) -> None:
        self.work = tmp / "work"
        self.work.mkdir()
        package = Path(codex_tui.__file__).resolve().parent
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        # Bytecode cached (as after pip install), outside the source tree.
        self.env = {**env, "PYTHONPATH": str(package.parent)}
        self.env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
        # ... or codex_tui compiled at every start, as PYTHONDONTWRITEBYTECODE=1 makes
        # it here: a copy with no __pycache__ (the standard library's stays cached).
        ignore = shutil.ignore_patterns("__pycache__")
        shutil.copytree(package, tmp / "uncached" / "codex_tui", ignore=ignore)
        self.env_uncached = {**env, "PYTHONPATH": str(tmp / "uncached")}
        self.env_uncached["PYTHONDONTWRITEBYTECODE"] = "1"
        self.ours = [sys.executable, "-P", "-m", "codex_tui", "apply-patch"]
        self.ours += ["-C", str(self.work)]
        native = tui_launch.codex_cli_binary()
        self.codex: list[str] | None = None
        self.codex_version = ""
        if native:
            (tmp / "bin").mkdir()
            (tmp / "bin" / "apply_patch").symlink_to(native)
            self.codex = [str(tmp / "bin" / "apply_patch")]
            done = subprocess.run([native, "--version"], capture_output=True, text=True)
            self.codex_version = done.stdout.strip() or "Codex CLI"
        self.original = b""
        self.patch = tmp / "patch.txt"

    def use(self, lines: list[str], patch: str) -> None:
        self.original = "".join(lines).encode()
        self.patch.write_text(patch)

    def once(self, argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
        """Wall time (ms) and peak resident memory (MiB) of one process."""
        (self.work / "big.py").write_bytes(self.original)
        with self.patch.open("rb") as stdin:
            done = subprocess.run(
                [sys.executable, "-S", "-c", _LAUNCHER, *argv], stdin=stdin,
                capture_output=True, cwd=self.work, env=env or self.env, check=False,
            )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed: {done.stderr.decode()[-300:]}")
        wall, peak = map(float, done.stdout.split())
        return wall * 1000, peak / 1024  # ru_maxrss is in KiB on Linux

    def compare(self, runs: int) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
        """Ours and theirs, interleaved: the machine's speed drifts between minutes."""
        self.once(self.ours)  # compiles and caches the bytecode; warms the page cache
        ours, theirs = [], []
        for _ in range(runs):
            ours.append(self.once(self.ours))
            if self.codex:
                theirs.append(self.once(self.codex))
        return ours, theirs


def _median(runs: list[tuple[float, float]]) -> tuple[float, float]:
    """Median time and the highest peak."""
    return statistics.median(t for t, _ in runs), max(m for _, m in runs)


def _codex_figure(name: str, runs: list, version: str) -> dict:
    if not runs:
        return {"name": name, "value": "n/a", "note": "no codex binary found; set CODEX_BIN"}
    ms, mb = _median(runs)
    note = f"{version}, native binary run as `apply_patch`, interleaved; peak {mb:.0f} MiB"
    return {"name": name, "value": ms, "unit": "ms", "note": note}


def _process_figures(tmp: Path) -> list[dict]:
    proc = _Processes(tmp)
    figures = []
    for count, runs in PROCESS_RUNS.items():
        lines = _source(False, count)
        proc.use(lines, _ten_chunk_patch(lines, ascii_context=False))
        ours, theirs = proc.compare(runs)
        ms, mb = _median(ours)
        was_ms, was_mb = BEFORE[count]
        note = (
            f"median of {runs}, whole process, 10 chunks on stdin, bytecode cached; "
            f"peak {mb:.0f} MiB; before: {was_ms} ms, {was_mb} MiB"
        )
        figures.append(
            {"name": f"apply-patch process, {count:,}-line file", "value": ms, "unit": "ms",
             "note": note}
        )  # fmt: skip
        figures.append(_codex_figure("same, Codex CLI", theirs, proc.codex_version))
        if count == 1_000:
            uncached = statistics.median(
                proc.once(proc.ours, proc.env_uncached)[0] for _ in range(runs)
            )
            figures.append(
                {"name": "same, codex-tui without bytecode cache", "value": uncached,
                 "unit": "ms", "note": "PYTHONDONTWRITEBYTECODE=1, as this development "
                 f"environment sets: codex_tui compiled at every start; before: "
                 f"{BEFORE['uncached']} ms"}
            )  # fmt: skip
    figures += _loosest_figures(proc)
    return figures


def _loosest_figures(proc: _Processes) -> list[dict]:
    """1,000,000 lines with curly quotes, the patch's context straight: only the
    loosest pass finds it."""
    count = 1_000_000
    lines = _source(True, count)
    proc.use(lines, _ten_chunk_patch(lines, ascii_context=True))
    in_memory = (sum(map(sys.getsizeof, lines)) + sys.getsizeof(lines)) / 2**20
    del lines
    ours, theirs = proc.compare(PROCESS_RUNS[count])
    ms, mb = _median(ours)
    was_ms, was_mb = BEFORE["loosest"]
    return [
        {
            "name": "apply-patch process, 1,000,000 lines, context found by the loosest pass",
            "value": ms,
            "unit": "ms",
            "goal": "≤ 1.5 s",
            "note": f"median of {PROCESS_RUNS[count]}; file has curly quotes, patch straight "
            f"ones; before: {was_ms} ms",
        },
        {
            "name": "same, peak memory of the process",
            "value": mb,
            "unit": "MiB",
            "goal": f"≤ 2× the file in memory ({2 * in_memory:.0f} MiB)",
            "note": f"ru_maxrss; the file: {len(proc.original) / 2**20:.0f} MiB on disk, "
            f"{in_memory:.0f} MiB as a list of str; before: {was_mb} MiB",
        },
        _codex_figure("same, Codex CLI", theirs, proc.codex_version),
    ]


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
    with tempfile.TemporaryDirectory() as tmp:
        figures += _process_figures(Path(tmp))
    return figures


def _processes_only() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        return _process_figures(Path(tmp))


if __name__ == "__main__":  # `processes`: only the whole-process figures
    for figure in _processes_only() if sys.argv[1:] == ["processes"] else run():
        print(f"{figure['name']}: {figure['value']} {figure.get('unit', '')}  {figure['note']}")
