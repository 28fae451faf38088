"""Racing the commit: a directory flipped to a symlink pointing out of the workspace, in a
tight loop by another process while patches are committed, never gets a byte written
outside. Every commit either succeeds inside the workspace or fails with a PatchError."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from patch_helpers import read_tree, wrap, write_tree

from codex_tui.patch import PatchError, apply_patch, recover_unfinished_commit

# Flip `d` between the real directory and a symlink to the outside directory, as fast as
# the kernel allows, until the stop file appears; on exit leave the real directory there.
FLIPPER = r"""
import os, shutil, sys, time
ws, outside, stop = sys.argv[1:4]
os.chdir(ws)


def settle():
    # Put the real directory back; a `d` a commit created meanwhile is dropped (it was
    # inside the workspace: only the outside matters here).
    if os.path.islink("d"):
        os.unlink("d")
    elif os.path.isdir("d") and os.path.isdir(".d-real"):
        shutil.rmtree("d")
    if os.path.isdir(".d-real"):
        os.rename(".d-real", "d")


flips = 0
while not os.path.exists(stop):
    try:
        os.rename("d", ".d-real")
        os.symlink(outside, "d")
        os.unlink("d")
        os.rename(".d-real", "d")
        flips += 1
        if flips % 8 == 0:
            time.sleep(0.002)  # a quiet moment now and then, so that some commits get in
    except OSError:
        try:
            settle()
        except OSError:
            pass
settle()
print(flips)
"""

SECONDS = float(os.environ.get("PATCH_RACE_SECONDS", "4"))


def test_a_directory_flipped_to_an_outside_symlink_never_gets_a_write_outside(
    tmp_path: Path,
) -> None:
    ws, outside = tmp_path / "ws", tmp_path / "outside"
    write_tree(ws, {"d/f.txt": "inside 0\n"})
    write_tree(outside, {"f.txt": "outside\n"})
    stop = tmp_path / "stop"
    flipper = subprocess.Popen(
        [sys.executable, "-c", FLIPPER, str(ws), str(outside), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
    )
    outcomes = {"applied": 0, "refused": 0}
    unexpected: list[str] = []
    try:
        time.sleep(0.05)  # let it start flipping
        deadline = time.monotonic() + SECONDS
        trial = 0
        while time.monotonic() < deadline:
            trial += 1
            patch = wrap(
                f"*** Add File: d/new-{trial}.txt",
                f"+new {trial}",
                "*** Add File: d/sub/deep.txt",
                f"+deep {trial}",
                "*** Add File: d/f.txt",
                f"+inside {trial}",
            )
            try:
                apply_patch(patch, ws)
                outcomes["applied"] += 1
            except PatchError as exc:
                assert "\n" not in str(exc)
                outcomes["refused"] += 1
            except Exception as exc:  # anything else is a bug of its own
                unexpected.append(f"{type(exc).__name__}: {exc}")
    finally:
        stop.touch()
        flips = int(flipper.communicate(timeout=30)[0] or 0)
    assert flips > 1000, "the flipper did not get going"
    assert read_tree(outside) == {"f.txt": b"outside\n"}, (outcomes, flips)
    assert not unexpected, unexpected[:5]
    assert outcomes["refused"] > 0 and outcomes["applied"] > 0, outcomes  # a real race
    # A commit that could not be undone under the race (its directory was a symlink when
    # it tried) is undone by the next start; then no side file or journal is left.
    recover_unfinished_commit(ws)
    leftovers = [p for p in read_tree(ws) if "codex-tui" in p]
    assert not leftovers, leftovers
