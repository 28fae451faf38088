"""The audit log: one redacted JSON line per tool call, with flags."""

from __future__ import annotations

import json
import stat
import threading
from pathlib import Path

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
