"""The Landlock launcher never runs a command it could not confine."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from codex_tui.sandbox.launch import _BOOT, _PACKAGE_ROOT
from tests.sandbox.conftest import Dirs


def launch(spec: dict, *argv: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-I", "-c", _BOOT, _PACKAGE_ROOT, json.dumps(spec), "--", *argv]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=20, check=False)


def test_failure_to_confine_means_no_run(dirs: Dirs) -> None:
    marker = dirs.workspace / "ran"
    spec = {"writable": [str(dirs.workspace / "missing-root")], "network": True}
    done = launch(spec, "touch", str(marker))
    assert done.returncode == 126 and "cannot confine" in done.stderr
    assert not marker.exists()


def test_required_mount_protection_that_fails_means_no_run(dirs: Dirs) -> None:
    marker = dirs.workspace / "ran"
    spec = {"writable": [str(dirs.workspace)], "protected": ["/nonexistent/.git"], "git": "mount"}
    done = launch(spec, "touch", str(marker))
    assert done.returncode == 126 and not marker.exists()


def test_probe_reports_the_git_strategy(dirs: Dirs) -> None:
    spec = {"writable": [str(dirs.workspace)], "protected": [str(dirs.workspace / ".git")],
            "probe": True}  # fmt: skip
    done = launch(spec, "true")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["git"] == "mount" and report["landlock_abi"] >= 1


def test_bad_usage() -> None:
    no_command = launch({"writable": []})
    assert no_command.returncode == 2 and "usage" in no_command.stderr
    raw = subprocess.run(
        [sys.executable, "-I", "-c", _BOOT, _PACKAGE_ROOT, "not json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert raw.returncode == 2 and "usage" in raw.stderr


def test_command_not_found_is_127(dirs: Dirs) -> None:
    done = launch({"writable": [str(dirs.workspace)]}, "no-such-program-xyz")
    assert done.returncode == 127 and "command not found" in done.stderr
    assert Path(dirs.workspace).exists()
