"""The apply_patch grammar: what it accepts, and the line each rejection names."""

from __future__ import annotations

import pytest

from codex_tui.patch import PatchSyntaxError, parse_patch
from codex_tui.patch.syntax import AddFile, DeleteFile, UpdateFile


def wrap(*body: str) -> str:
    return "*** Begin Patch\n" + "".join(line + "\n" for line in body) + "*** End Patch\n"


def test_operations_in_order_with_their_content() -> None:
    parsed = parse_patch(
        wrap(
            "*** Add File: a.txt",
            "+one",
            "+",
            "*** Delete File: b.txt",
            "*** Update File: c.txt",
            "*** Move to: d/c.txt",
            "@@ def f():",
            " ctx",
            "-old",
            "+new",
        )
    )
    assert parsed.format == "apply_patch"
    add, delete, update = parsed.operations
    assert add == AddFile("a.txt", ("one", ""), 2)
    assert delete == DeleteFile("b.txt", 5)
    assert isinstance(update, UpdateFile)
    assert (update.path, update.move_to, update.lineno) == ("c.txt", "d/c.txt", 6)
    (chunk,) = update.chunks
    assert [a.text for a in chunk.anchors] == ["def f():"]
    assert [(ln.kind, ln.text, ln.lineno) for ln in chunk.lines] == [
        (" ", "ctx", 9),
        ("-", "old", 10),
        ("+", "new", 11),
    ]
    assert chunk.old == ["ctx", "old"]


def test_stacked_anchors_belong_to_one_chunk() -> None:
    (op,) = parse_patch(
        wrap("*** Update File: x.py", "@@ class A:", "@@     def run(self):", "-a", "+b")
    ).operations
    assert isinstance(op, UpdateFile)
    (chunk,) = op.chunks
    assert [a.text for a in chunk.anchors] == ["class A:", "    def run(self):"]


def test_chunks_split_on_at_at_and_end_of_file() -> None:
    (op,) = parse_patch(
        wrap("*** Update File: x", "-a", "+b", "@@", "-c", "+d", "*** End of File", "-e", "+f")
    ).operations
    assert isinstance(op, UpdateFile)
    assert [c.at_eof for c in op.chunks] == [False, True, False]
    assert [c.old for c in op.chunks] == [["a"], ["c"], ["e"]]


def test_numeric_at_at_header_is_a_position_hint_not_an_anchor() -> None:
    (op,) = parse_patch(
        wrap("*** Update File: x", "@@ -12,3 +12,4 @@ def f():", "-a", "+b")
    ).operations
    assert isinstance(op, UpdateFile)
    assert op.chunks[0].anchors == ()
    assert op.chunks[0].hint == 11


def test_empty_line_inside_a_chunk_is_empty_context() -> None:
    (op,) = parse_patch(wrap("*** Update File: x", " a", "", "-b", "+c")).operations
    assert isinstance(op, UpdateFile)
    assert op.chunks[0].old == ["a", "", "b"]


@pytest.mark.parametrize(
    "text",
    [
        "  *** Begin Patch \n\t*** Add File: a \n+x\n *** End Patch\t\n",  # padded markers
        "*** Begin Patch\r\n*** Add File: a\r\n+x\r\n*** End Patch\r\n",  # CRLF
        "*** Begin Patch\n*** Add File: a\n+x\n*** End Patch",  # no final newline
        "<<'EOF'\n*** Begin Patch\n*** Add File: a\n+x\n*** End Patch\nEOF\n",  # heredoc
        'apply_patch <<"PATCH"\n*** Begin Patch\n*** Add File: a\n+x\n*** End Patch\nPATCH',
        "\n\n*** Begin Patch\n*** Add File: a\n+x\n\n*** End Patch\n\n",  # blank lines around
        "\ufeff*** Begin Patch\n*** Add File: a\n+x\n*** End Patch\n",  # byte order mark
        "*** Begin Patch\n*** Add File:a\n+x\n*** End Patch\n",  # no space after the colon
    ],
)
def test_harmless_noise_is_accepted(text: str) -> None:
    (op,) = parse_patch(text).operations
    assert isinstance(op, AddFile)
    assert (op.path, op.lines) == ("a", ("x",))


def test_padded_marker_inside_a_chunk_ends_it_but_padded_text_stays_context() -> None:
    (op,) = parse_patch(
        wrap("*** Update File: x", " *** bold ***", "-a", "+b", "   *** End of File  ")
    ).operations
    assert isinstance(op, UpdateFile)
    assert op.chunks[0].old == ["*** bold ***", "a"]
    assert op.chunks[0].at_eof


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("", 0, "empty patch"),
        ("*** Begin Patch\n*** End Patch\n", 2, "no file operations"),
        (wrap("*** Copy File: a"), 2, "unknown header '*** Copy File: a'"),
        (wrap("*** Update File: a"), 2, "'*** Update File: a' has no changes"),
        (wrap("*** Update File: a", "@@", " same"), 2, "has no changes"),
        (wrap("*** Add File: a", "+ok", "not ok"), 4, "must start with '+'"),
        (wrap("*** Add File: a", "+ok", "", "+more"), 4, "must start with '+'"),
        (wrap("*** Update File: a", "-x", "oops"), 4, "a change line must start with"),
        (wrap("*** Update File: a", "@@ anchor only"), 3, "'@@' with no change lines"),
        (wrap("*** Move to: b"), 2, "must directly follow"),
        (wrap("*** Add File:"), 2, "needs a path"),
        (wrap("just text"), 2, "expected a '*** Add File:'"),
        ("*** Begin Patch\n*** Add File: a\n+x\n", 3, "missing '*** End Patch'"),
        (wrap("*** Add File: a", "+x") + "trailing words\n", 5, "text after '*** End Patch'"),
        ("hello\n", 1, "expected '*** Begin Patch' or a unified diff"),
    ],
)
def test_rejections_name_the_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(PatchSyntaxError) as info:
        parse_patch(text)
    assert info.value.line == line
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)
    if line:
        assert str(info.value).startswith(f"patch line {line}: ")


def test_unified_diff_is_recognised() -> None:
    parsed = parse_patch("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n")
    assert parsed.format == "unified"
    (op,) = parsed.operations
    assert isinstance(op, UpdateFile)
    assert op.path == "x" and op.chunks[0].old == ["a"]
