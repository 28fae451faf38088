"""The audit log: one redacted JSON line per tool call, with flags."""

from __future__ import annotations

import json
import stat
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from codex_tui.policy import AuditLog, AuditRecord, audit_flags


def test_records_are_appended_as_json_lines(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "log" / "audit.jsonl")
    log.append(
        AuditRecord(
            session="s1",
            tool="shell",
            arguments={"command": ["curl", "-u", "me:hunter2", "https://x"], "env": "TOKEN=x"},
            decision="run-sandboxed",
            exit_code=0,
            duration_ms=12,
            flags=("destructive_command",),
        )
    )
    log.append(AuditRecord(session="s1", tool="apply_patch", arguments={}, decision="ask"))
    lines = (tmp_path / "log" / "audit.jsonl").read_text().splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert list(first) == ["time", "session", "tool", "arguments", "decision", "exit_code",
                           "duration_ms", "flags"]  # fmt: skip
    assert first["tool"] == "shell" and first["exit_code"] == 0 and first["duration_ms"] == 12
    assert first["flags"] == ["destructive_command"]
    assert "hunter2" not in lines[0]
    assert first["time"].endswith("+00:00")
    assert json.loads(lines[1])["exit_code"] is None
    assert stat.S_IMODE((tmp_path / "log" / "audit.jsonl").stat().st_mode) == 0o600


def test_concurrent_appends_never_interleave(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    big = "x" * 5000

    def work(n: int) -> None:
        for i in range(25):
            log.append(AuditRecord(f"s{n}", "shell", {"i": i, "pad": big}, "run-sandboxed"))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    records = log.read()
    assert len(records) == 100
    assert all(r["arguments"]["pad"] == big for r in records)


def test_long_arguments_are_cut(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    log.append(AuditRecord("s", "apply_patch", {"input": "y" * 20_000}, "apply"))
    text = log.read()[0]["arguments"]["input"]
    assert len(text) < 9_000 and "more characters" in text


WS = "/home/me/repo"


def test_flags_for_commands() -> None:
    home = "/home/me"
    assert audit_flags(workspace=WS, argv=["ls", "src"], home=home) == ()
    assert audit_flags(workspace=WS, argv=["rm", "-rf", "build"], home=home) == (
        "destructive_command",
    )
    assert audit_flags(workspace=WS, argv=["cat", "../../../etc/shadow"], home=home) == (
        "path_traversal_attempt", "system_path_access"
    )  # fmt: skip
    assert audit_flags(workspace=WS, argv=["cat", "/etc/passwd"], home=home) == (
        "system_path_access",
    )
    assert audit_flags(workspace=WS, argv=["bash", "-lc", "cat ~/.ssh/id_rsa"], home=home) == (
        "system_path_access",
    )
    assert audit_flags(workspace=WS, argv=["dd", "if=x", "of=/dev/sda"], home=home) == (
        "destructive_command", "system_path_access"
    )  # fmt: skip
    assert audit_flags(workspace=WS, argv=["ls", "src/../docs"], home=home) == ()
    assert audit_flags(workspace=WS, argv=["echo", "x", "/dev/null"], home=home) == ()


def test_flags_for_patches() -> None:
    assert audit_flags(workspace=WS, paths=["src/a.py"]) == ()
    assert audit_flags(workspace=WS, paths=["../other/a.py"]) == ("path_traversal_attempt",)
    assert audit_flags(workspace=WS, paths=["/etc/cron.d/x"]) == ("system_path_access",)


# --- a log that cannot be written (#22 item 13) -------------------------------------


def _record(n: int = 0) -> AuditRecord:
    return AuditRecord("s", "shell", {"command": ["ls"], "n": n, "pad": "x" * 3000}, "run")


def _stops_once(log: AuditLog, error: str) -> None:
    """The first append says why recording stopped; later ones are quiet no-ops."""
    failed = log.append(_record())
    assert failed is not None and error in failed and str(log.path.parent) in failed
    assert log.failed == failed
    assert log.append(_record()) is None
    assert log.failed == failed


def test_a_directory_where_the_file_should_be(tmp_path: Path) -> None:
    (tmp_path / "audit.jsonl").mkdir()
    _stops_once(AuditLog(tmp_path / "audit.jsonl"), "Is a directory")


def test_a_file_where_the_directory_should_be(tmp_path: Path) -> None:
    (tmp_path / "log").write_text("")
    _stops_once(AuditLog(tmp_path / "log" / "audit.jsonl"), "File exists")


def test_a_path_nothing_can_create(tmp_path: Path) -> None:
    # Under /proc nothing can be created, even by root (the tests run as root).
    _stops_once(AuditLog(Path("/proc/codex-tui-audit/audit.jsonl")), "No such file")


@contextmanager
def _tmpfs(where: Path, options: str) -> Iterator[Path]:
    """A small tmpfs mounted at `where` for the test, always unmounted after."""
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=True)


def test_a_read_only_file_system(tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "home", "ro,size=64k") as home:
        _stops_once(AuditLog(home / "log" / "audit.jsonl"), "Read-only file system")


def test_a_full_disk_keeps_what_was_written(tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "home", "size=16k") as home:
        log = AuditLog(home / "log" / "audit.jsonl")
        results = [log.append(_record(n)) for n in range(12)]  # 12 lines of 3 KB: 36 KB
        failed = [r for r in results if r is not None]
        assert len(failed) == 1 and "No space left on device" in failed[0]
        kept = log.read()
        assert 0 < len(kept) < 12
        assert [r["arguments"]["n"] for r in kept] == list(range(len(kept)))


# --- flags for the file tools' paths (read_file, search_files, git_diff) --------------


def test_flags_for_file_tool_paths() -> None:
    home = "/home/me"
    assert audit_flags(workspace="/work/repo", paths=["../../etc/passwd"], home=home) == (
        "path_traversal_attempt", "system_path_access"
    )  # fmt: skip
    assert audit_flags(workspace=WS, paths=["~root/.ssh/id_rsa"], home=home) == (
        "system_path_access",
    )
    assert audit_flags(workspace=WS, paths=["~/.aws/credentials"], home=home) == (
        "system_path_access",
    )
    assert audit_flags(workspace=WS, paths=["~me/.ssh"], home=home) == ("system_path_access",)
    assert audit_flags(workspace=WS, paths=[None], home=home) == ()  # search_files, no path
    assert audit_flags(workspace=WS, paths=["src/../README.md", WS + "/x"], home=home) == ()
