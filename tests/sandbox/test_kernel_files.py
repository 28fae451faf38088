"""The kernel's knobs stay read-only inside: /proc/sys, /sys and their kind.

Run by root, bubblewrap used to leave /proc/sys writable: `kernel/core_pattern`
there is host-root code execution. The probe only opens files for writing and
never writes, so a failing run changes nothing on the host.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from codex_tui.sandbox.bwrap import bwrap_argv
from tests.sandbox.conftest import VARIANTS

OPEN_FOR_WRITING = """
import os, sys
for path in sys.argv[1:]:
    try:
        fd = os.open(path, os.O_WRONLY)
    except OSError as exc:
        print(path, "refused", exc.strerror)
    else:
        os.close(fd)
        print(path, "WRITABLE")
"""

KNOBS = [
    "/proc/sys/kernel/core_pattern",
    "/proc/sys/kernel/printk_ratelimit",
    "/proc/sys/vm/drop_caches",
    "/proc/sysrq-trigger",
    "/sys/kernel/mm/ksm/run",
    "/sys/module/printk/parameters/time",
]


@pytest.mark.parametrize("variant", VARIANTS)
async def test_kernel_knobs_cannot_be_opened_for_writing(make_sandbox, variant) -> None:
    present = [k for k in KNOBS if os.path.exists(k)]
    assert "/proc/sys/kernel/core_pattern" in present and "/sys/kernel/mm/ksm/run" in present
    sandbox = make_sandbox("workspace-write", variant[0], namespaces=variant[1])
    result = await sandbox.run([sys.executable, "-I", "-c", OPEN_FOR_WRITING, *present])
    assert result.exit_code == 0, result.output
    assert "WRITABLE" not in result.output, result.output
    assert len(result.output.splitlines()) == len(present)


@pytest.mark.parametrize("variant", VARIANTS)
async def test_kernel_knobs_stay_readable(make_sandbox, variant) -> None:
    sandbox = make_sandbox("workspace-write", variant[0], namespaces=variant[1])
    result = await sandbox.run(["cat", "/proc/sys/kernel/ostype", "/sys/kernel/mm/ksm/run"])
    assert result.exit_code == 0 and result.output.startswith("Linux\n"), result.output


def test_bubblewrap_covers_proc_sys_after_the_fresh_proc() -> None:
    argv = bwrap_argv("bwrap", ["true"], cwd=Path("/"), mounts=(), protected=(), network=False)
    proc = argv.index("--proc")
    assert argv[proc + 1] == "/proc"
    covered = {argv[i + 1] for i in range(proc, len(argv) - 1) if argv[i].startswith("--ro-bind")}
    assert {"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs"} <= covered
