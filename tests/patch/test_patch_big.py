"""Big files: what the engine holds while it patches one, and the shortcuts that keep
it small, which must never change where a patch applies."""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

from patch_helpers import read_tree, write_tree

import codex_tui
from codex_tui.patch import apply_patch, build_patch_plan, commit

LINES = 100_000


def _curly_file_and_straight_patch() -> tuple[list[str], str, str]:
    """A file with typographic quotes, and a ten-chunk patch retyping them straight, so
    that only the loosest pass finds the context; and the file the patch makes."""
    lines = [f"    v_{i} = f({i}, \u2019item-{i}\u2019)  # {i % 97}\n" for i in range(LINES)]
    out = ["*** Begin Patch", "*** Update File: big.py"]
    new = list(lines)
    for k in range(10):
        i = (k + 1) * LINES // 11
        context = [ln.rstrip("\n").replace("\u2019", "'") for ln in lines[i - 3 : i + 4]]
        out += ["@@", *(" " + c for c in context[:3]), "-" + context[3], f"+    changed_{k}"]
        out += [" " + c for c in context[4:]]
        new[i] = f"    changed_{k}\n"
    out.append("*** End Patch")
    return lines, "\n".join(out) + "\n", "".join(new)


def test_a_big_file_is_patched_without_whole_copies_of_it(tmp_path: Path) -> None:
    lines, patch, expected = _curly_file_and_straight_patch()
    (tmp_path / "big.py").write_text("".join(lines))
    in_memory = sum(map(sys.getsizeof, lines)) + sys.getsizeof(lines)
    del lines
    tracemalloc.start()
    try:
        commit(build_patch_plan(patch, tmp_path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (tmp_path / "big.py").read_text() == expected
    # The lines, the file's bytes (kept to check it is unchanged at commit), one key
    # a line and the new list of lines: 1.6x here. Folded copies of the whole file
    # for each pass, and its whole text joined before and after, made it 4.7x.
    assert peak < 2 * in_memory


def test_a_line_ending_in_cr_added_to_a_lf_file_is_still_found_exactly(ws: Path) -> None:
    write_tree(ws, {"a.txt": "y  \nz\nw\n"})
    patch = (
        b"*** Begin Patch\n*** Update File: a.txt\n@@\n z\n+y\r\r\n"  # adds `y\r\n`
        b"*** Update File: a.txt\n@@\n-y\n+Y\n*** End Patch\n"
    )
    apply_patch(patch.decode(), ws)
    # `y  ` matches only once trailing whitespace is ignored; the added line exactly.
    assert read_tree(ws) == {"a.txt": b"y  \nz\nY\nw\n"}
    patch = (
        b"*** Begin Patch\n*** Add File: b.txt\n+y  \n+y\r\r\n+w\n"
        b"*** Update File: b.txt\n@@\n-y\n+Y\n*** End Patch\n"
    )
    apply_patch(patch.decode(), ws)
    assert read_tree(ws)["b.txt"] == b"y  \nY\nw\n"


def test_apply_patch_starts_without_the_agent_the_config_or_the_ui(ws: Path) -> None:
    """Its start-up is most of what a small patch costs: nothing heavy is imported."""
    write_tree(ws, {"a.txt": "a\n"})
    env = {**os.environ, "PYTHONPATH": str(Path(codex_tui.__file__).parents[1])}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "codex_tui", "apply-patch", "-C", str(ws)],
        input=b"*** Begin Patch\n*** Update File: a.txt\n-a\n+b\n*** End Patch\n",
        capture_output=True,
        env=env,
        cwd=ws,  # not a checkout, whose codex_tui would come first on sys.path
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.decode().splitlines()
        if line.startswith("import time:")
    }
    assert "codex_tui.patch.transaction" in imported  # the list is read right
    heavy = {"openai", "httpx", "pydantic", "textual", "rich", "yaml", "mcp"}
    ours = {"codex_tui.config", "codex_tui.agent", "codex_tui.ui", "codex_tui.tools"}
    # What start-up once paid for and the patch does not need: the journal's random
    # names and host name come from os; difflib only for edits not known exactly.
    spared = {"socket", "secrets", "difflib"}
    assert not imported & (heavy | ours | spared)
