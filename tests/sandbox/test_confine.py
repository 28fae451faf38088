"""The Landlock launcher never runs a command it could not confine."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from codex_tui.sandbox.launch import _BOOT, _PACKAGE_ROOT, launcher_argv
from tests.sandbox.conftest import Dirs


def launch(spec: dict, *argv: str) -> subprocess.CompletedProcess[str]:
    cmd = launcher_argv(spec, argv)  # type: ignore[arg-type]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=20, check=False)


def test_failure_to_confine_means_no_run(dirs: Dirs) -> None:
    marker = dirs.workspace / "ran"
    spec = {"writable": [str(dirs.workspace / "missing-root")], "network": True}
    done = launch(spec, "touch", str(marker))
    assert done.returncode == 126 and "cannot confine" in done.stderr
    assert not marker.exists()


def test_required_mount_protection_that_fails_means_no_run(dirs: Dirs) -> None:
    marker = dirs.workspace / "ran"
    spec = {"writable": [str(dirs.workspace)], "protected": ["/nonexistent/.git"],
            "namespaces": "required"}  # fmt: skip
    done = launch(spec, "touch", str(marker))
    assert done.returncode == 126 and not marker.exists()


def test_probe_reports_the_git_strategy(dirs: Dirs) -> None:
    spec = {"writable": [str(dirs.workspace)], "protected": [str(dirs.workspace / ".git")],
            "probe": True}  # fmt: skip
    done = launch(spec, "true")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["git"] == "mount" and report["landlock_abi"] >= 1
    assert (report["namespaces"], report["pid"]) == ("mount", "namespace")
    rules = launch({**spec, "namespaces": "none"}, "true")
    assert json.loads(rules.stdout)["pid"] == "subreaper"


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


def test_not_executable_is_126(dirs: Dirs) -> None:
    script = dirs.workspace / "src" / "app.py"  # a file without the x bit
    for namespaces in ("auto", "none"):
        spec = {"writable": [str(dirs.workspace)], "namespaces": namespaces}
        done = launch(spec, str(script))
        assert done.returncode == 126 and "Permission denied" in done.stderr, done.stderr


def test_a_symlink_planted_in_the_private_tmp_is_never_followed(dirs: Dirs, tmp_path) -> None:
    """The launcher makes mount points inside the private /tmp as root, before any
    confinement: a symlink a command left there must not send it elsewhere."""
    private = tmp_path / "private"
    private.mkdir()
    target = dirs.outside / "planted"
    target.mkdir()
    # The workspace is under /tmp/…; its first component below /tmp becomes a symlink.
    first = dirs.workspace.relative_to("/tmp").parts[0]
    (private / first).symlink_to(target)
    mounts = [["bind", "/tmp", str(private)], ["bind", str(dirs.workspace), str(dirs.workspace)]]
    spec = {"writable": [str(dirs.workspace)], "mounts": mounts, "namespaces": "required"}
    done = launch(spec, "true")
    assert done.returncode == 126 and "symbolic link" in done.stderr, done.stderr
    assert list(target.iterdir()) == []
