"""read_file streams: the same text as reading the whole file did (numbered
lines, paging hints, every kind of line break), a page of a 2 GB file without
2 GB of memory, and a page beyond what it will scan pointed to shell tools."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codex_tui.tools import files
from codex_tui.tools.registry import ToolArgumentError
from tests.tools.hostile import GiB, run_python, sparse

MiB = 1 << 20


def whole_file_read(data: bytes, name: str, start_line: int | None, end_line: int | None) -> str:
    """read_file as it was (the whole file in memory): the reference."""
    if b"\x00" in data[:8192]:
        return f"{name}: binary file, {len(data)} bytes; not shown"
    lines = data.decode("utf-8", errors="replace").splitlines()
    total = len(lines)
    start = max(1, start_line or 1)
    if total == 0:
        return f"{name}: empty file"
    if start > total:
        raise ToolArgumentError(f"start_line {start} is past the end ({total} lines)")
    end = end_line if end_line is not None else start + files.PAGE_LINES - 1
    end = min(total, end, start + files.MAX_LINES - 1)
    if end < start:
        raise ToolArgumentError("end_line is before start_line")
    width = len(str(end))
    body = []
    for number in range(start, end + 1):
        text = lines[number - 1]
        if len(text) > files.MAX_LINE_CHARS:
            more = len(text) - files.MAX_LINE_CHARS
            text = text[: files.MAX_LINE_CHARS] + f" … [{more} more characters]"
        body.append(f"{number:>{width}}\t{text}")
    header = f"{name} (lines {start}-{end} of {total})"
    footer = ""
    if end < total:
        footer = f"\n… {total - end} more lines; read on with start_line={end + 1}"
    return header + "\n" + "\n".join(body) + footer


def outcome(call) -> str:
    try:
        return call()
    except ToolArgumentError as exc:
        return f"error: {exc}"


PIECES = [
    b"a", b"line", b"\n", b"\r", b"\r\n", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e",
    "\x85".encode(), "\u2028".encode(), "\u2029".encode(), "é".encode(), "😀".encode(),
    b"\xe2\x80", b"\xff", b"\xc2", b"x" * 600,
]  # fmt: skip


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.lists(st.sampled_from(PIECES), max_size=60).map(b"".join),
    start=st.none() | st.integers(-1, 30),
    end=st.none() | st.integers(-1, 30),
    chunk=st.integers(1, 9),
)
def test_streaming_reads_what_the_whole_file_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, start, end, chunk: int
) -> None:
    monkeypatch.setattr(files, "SNIFF_BYTES", chunk)
    monkeypatch.setattr(files, "CHUNK_BYTES", chunk)
    monkeypatch.setattr(files, "PAGE_LINES", 7)
    monkeypatch.setattr(files, "MAX_LINES", 11)
    (tmp_path / "f.txt").write_bytes(data)
    expected = outcome(lambda: whole_file_read(data, "f.txt", start, end))
    assert outcome(lambda: files.read_file(tmp_path, "f.txt", start, end)) == expected


def test_binary_and_empty_files_as_before(tmp_path: Path) -> None:
    for data in (b"", b"\x00abc", b"a\nb" + b"\x00" * 10, b"x" * 9000 + b"\x00"):
        (tmp_path / "f").write_bytes(data)
        assert outcome(lambda: files.read_file(tmp_path, "f", None, None)) == outcome(
            lambda data=data: whole_file_read(data, "f", None, None)
        )


def read_in_child(path: Path, start: int | None, end: int | None) -> dict[str, object]:
    """read_file in a fresh interpreter: its text (or error) and peak RSS in MiB.
    The address space is capped at 2 GiB: reading a giant file whole fails fast."""
    result = run_python(
        f"""
        import json
        from pathlib import Path
        from codex_tui.tools import files
        from codex_tui.tools.registry import ToolArgumentError
        path = Path({str(path)!r})
        try:
            out = files.read_file(path.parent, path.name, {start}, {end})
        except ToolArgumentError as exc:
            out = "error: " + str(exc)
        # VmHWM: the peak of this program alone (ru_maxrss would also count the
        # pytest process this one was forked from, as it was before exec).
        status = Path("/proc/self/status").read_text().splitlines()
        peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:")) / 1024
        print(json.dumps({{"out": out, "peak_mib": peak}}))
        """,
        timeout=120,
        memory_bytes=2 * GiB,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def test_a_large_file_is_paged_in_small_memory(tmp_path: Path) -> None:
    """160 MiB of 80-byte lines: the old read held bytes, text and 2 M line
    strings (over 500 MiB); streamed, the page costs a few MiB over the interpreter."""
    line = b"%07d " + b"v" * 71 + b"\n"
    block = b"".join(line % i for i in range(16384))  # 1.25 MiB
    path = tmp_path / "big.log"
    with path.open("wb") as f:
        for _ in range(128):
            f.write(block)
    total = 128 * 16384
    last = read_in_child(path, total - 1, None)
    assert last["peak_mib"] < 120, last["peak_mib"]
    lines = str(last["out"]).splitlines()
    assert lines[0] == f"big.log (lines {total - 1}-{total} of {total})"
    assert lines[1] == f"{total - 1}\t{16382:07d} " + "v" * 71
    first = read_in_child(path, None, None)
    assert str(first["out"]).splitlines()[-1] == (
        f"… {total - 400} more lines; read on with start_line=401"
    )


def test_a_giant_file_is_paged_without_counting_it(tmp_path: Path) -> None:
    """64 GiB (sparse): the first page at once; lines past the scan limit are for shell tools."""
    head = b"".join(b"line %d\n" % i for i in range(1, 1001))
    path = sparse(tmp_path / "giant.txt", 64 * GiB, head)
    first = read_in_child(path, None, None)
    assert first["peak_mib"] < 120, first["peak_mib"]
    lines = str(first["out"]).splitlines()
    assert lines[0] == (
        f"giant.txt (lines 1-400; {64 * GiB:,} bytes, too large to count its lines)"
    )
    assert lines[1:3] == ["  1\tline 1", "  2\tline 2"]
    assert lines[-1] == "… more lines; read on with start_line=401"
    beyond = read_in_child(path, 5000, None)
    assert beyond["out"] == (
        "error: start_line 5000 is beyond the first 256 MiB of giant.txt (1000 lines there);"
        " read further with shell tools (sed -n, tail)"
    )


def test_a_page_cut_by_the_scan_limit_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "SCAN_LIMIT_BYTES", 4 * MiB)
    monkeypatch.setattr(files, "CHUNK_BYTES", MiB)
    path = tmp_path / "f.txt"
    path.write_bytes(b"short\n" * 10 + b"z" * (5 * MiB) + b"\nafter\n")
    out = files.read_file(tmp_path, "f.txt", 5, None).splitlines()
    assert (
        out[0] == f"f.txt (lines 5-10; {path.stat().st_size:,} bytes, too large to count its lines)"
    )
    assert out[-1] == "… more lines; read on with start_line=11"
    with pytest.raises(ToolArgumentError, match="end_line is before start_line"):
        files.read_file(tmp_path, "f.txt", 5, 2)
