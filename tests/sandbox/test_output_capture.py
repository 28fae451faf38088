"""Head-and-tail capture: bounded memory, an honest marker, exact when it fits."""

from __future__ import annotations

from codex_tui.sandbox.output import OutputCapture, OutputLimits

SMALL = OutputLimits(head_lines=3, tail_lines=2, head_bytes=1000, tail_bytes=1000)


def feed_all(data: bytes, limits: OutputLimits = SMALL, chunk: int = 7) -> OutputCapture:
    capture = OutputCapture(limits)
    for i in range(0, len(data), chunk):
        capture.feed(data[i : i + chunk])
    return capture


def test_short_output_is_kept_whole() -> None:
    capture = feed_all(b"a\nb\nc\nd\n")
    assert capture.text() == "a\nb\nc\nd\n"
    assert not capture.truncated and capture.total_lines == 4


def test_long_output_keeps_head_and_tail_and_marks_the_middle() -> None:
    data = b"".join(b"line %d\n" % i for i in range(1, 101))
    capture = feed_all(data)
    assert capture.text() == (
        "line 1\nline 2\nline 3\n"
        "[… 95 lines (754 bytes) omitted; 100 lines in total …]\n"
        "line 99\nline 100\n"
    )
    assert capture.truncated and capture.total_lines == 100


def test_missing_final_newline_counts_as_a_line() -> None:
    capture = feed_all(b"x\ny")
    assert capture.total_lines == 2 and capture.text() == "x\ny"


def test_byte_limits_hold_for_one_endless_line() -> None:
    limits = OutputLimits(head_bytes=50, tail_bytes=50)
    capture = OutputCapture(limits)
    for _ in range(10_000):
        capture.feed(b"z" * 1000)
    assert len(capture.head) == 50 and len(capture.tail) <= 100
    text = capture.text()
    assert text.startswith("z" * 50 + "\n[… 0 lines (9999900 bytes) omitted; 1 lines in total …]")


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    assert feed_all(b"ok \xff\xfe\n").text() == "ok \ufffd\ufffd\n"
