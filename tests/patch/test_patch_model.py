"""The change model the diff pane and approval dialog render, and hunk selection."""

from __future__ import annotations

from pathlib import Path

import pytest
from patch_helpers import read_tree, wrap, write_tree

from codex_tui.patch import ChangeKind, HunkLine, build_patch_plan, commit

NUMBERED = "".join(f"l{i}\n" for i in range(1, 41))


def three_chunk_patch() -> str:
    return wrap(
        "*** Update File: n.txt",
        "@@",
        " l2",
        "-l3",
        "+L3",
        "@@",
        " l20",
        "+added",
        " l21",
        "@@",
        "-l35",
        "-l36",
        " l37",
    )


def test_update_hunks_have_line_numbers_counts_and_context(ws: Path) -> None:
    write_tree(ws, {"n.txt": NUMBERED})
    (change,) = build_patch_plan(three_chunk_patch(), ws).files
    assert change.kind == ChangeKind.UPDATE
    assert (change.old_path, change.new_path, change.path, change.action) == ("n.txt",) * 3 + ("M",)
    assert (change.added, change.removed) == (2, 3)
    spans = [(h.old_start, h.old_count, h.new_start, h.new_count) for h in change.hunks]
    # The third hunk comes after an insertion: its new side starts one line later.
    assert spans == [(1, 6, 1, 6), (18, 6, 18, 7), (32, 8, 33, 6)]
    first = change.hunks[0]
    assert first.header == "@@ -1,6 +1,6 @@"
    assert first.lines[:4] == (
        HunkLine(" ", "l1", 1, 1),
        HunkLine(" ", "l2", 2, 2),
        HunkLine("-", "l3", 3, None),
        HunkLine("+", "L3", None, 3),
    )
    assert change.old_text == NUMBERED
    assert change.new_text == NUMBERED.replace("l3\n", "L3\n").replace(
        "l20\n", "l20\nadded\n"
    ).replace("l35\nl36\n", "")


def test_diff_text_is_git_style(ws: Path) -> None:
    write_tree(ws, {"a.txt": "one\ntwo\n", "gone.txt": "bye\n"})
    plan = build_patch_plan(
        wrap(
            "*** Update File: a.txt",
            "*** Move to: b/a.txt",
            "-two",
            "+2",
            "*** Delete File: gone.txt",
            "*** Add File: new.txt",
            "+hi",
        ),
        ws,
    )
    assert plan.diff == (
        "diff --git a/a.txt b/b/a.txt\n"
        "rename from a.txt\n"
        "rename to b/a.txt\n"
        "--- a/a.txt\n"
        "+++ b/b/a.txt\n"
        "@@ -1,2 +1,2 @@\n"
        " one\n"
        "-two\n"
        "+2\n"
        "diff --git a/gone.txt b/gone.txt\n"
        "deleted file mode 100644\n"
        "--- a/gone.txt\n"
        "+++ /dev/null\n"
        "@@ -1,1 +0,0 @@\n"
        "-bye\n"
        "diff --git a/new.txt b/new.txt\n"
        "new file mode 100644\n"
        "--- /dev/null\n"
        "+++ b/new.txt\n"
        "@@ -0,0 +1,1 @@\n"
        "+hi\n"
    )
    assert [f.kind for f in plan.files] == [ChangeKind.MOVE, ChangeKind.DELETE, ChangeKind.ADD]
    assert [f.action for f in plan.files] == ["M", "D", "A"]
    assert (plan.added, plan.removed) == (2, 2)


def test_missing_final_newline_is_shown_like_git(ws: Path) -> None:
    write_tree(ws, {"t.txt": b"a\nb"})
    (change,) = build_patch_plan(wrap("*** Update File: t.txt", "-a", "+A"), ws).files
    assert change.new_text == "A\nb\n"
    assert change.diff.endswith("@@ -1,2 +1,2 @@\n-a\n-b\n\\ No newline at end of file\n+A\n+b\n")
    assert [ln.no_newline for ln in change.hunks[0].lines] == [False, True, False, False]


def test_loosely_matched_lines_are_recorded_as_they_are_in_the_file(ws: Path) -> None:
    write_tree(ws, {"q.txt": "say \u201chi\u201d  \nold\u00a0value\ntail\n"})
    (change,) = build_patch_plan(
        wrap("*** Update File: q.txt", ' say "hi"', "-old value", "+new value", " tail"), ws
    ).files
    # The context line keeps its curly quotes; the removed line is the file's.
    assert change.new_text == "say \u201chi\u201d  \nnew value\ntail\n"
    assert [ln.text for ln in change.hunks[0].lines if ln.kind == "-"] == ["old\u00a0value"]


def test_crlf_lines_are_shown_without_carriage_returns(ws: Path) -> None:
    write_tree(ws, {"w.txt": b"a\r\nb\r\n"})
    (change,) = build_patch_plan(wrap("*** Update File: w.txt", "-b", "+c"), ws).files
    assert change.new_text == "a\r\nc\r\n"
    assert [(ln.text, ln.ending) for ln in change.hunks[0].lines] == [
        ("a", "\r\n"),
        ("b", "\r\n"),
        ("c", "\r\n"),
    ]
    assert change.diff.endswith(" a\r\n-b\r\n+c\r\n")


def test_add_over_existing_file_is_flagged_and_keeps_the_old_text(ws: Path) -> None:
    write_tree(ws, {"f.txt": "old\n"})
    (change,) = build_patch_plan(wrap("*** Add File: f.txt", "+new"), ws).files
    assert change.kind == ChangeKind.ADD and change.overwritten
    assert (change.old_text, change.new_text) == ("old\n", "new\n")
    assert change.diff.startswith("diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n")


def test_several_operations_on_one_file_make_one_change(ws: Path) -> None:
    write_tree(ws, {"f.txt": "a\nb\nc\n"})
    plan = build_patch_plan(
        wrap(
            "*** Update File: f.txt",
            "-a",
            "+A",
            "*** Update File: f.txt",
            "*** Move to: g.txt",
            " b",
            "-c",
            "+C",
            "*** Add File: f.txt",
            "+fresh",
        ),
        ws,
    )
    by_path = {f.path: f for f in plan.files}
    assert set(by_path) == {"f.txt", "g.txt"}
    # f.txt was moved away and a new f.txt written: net, an overwrite of f.txt
    # and a new g.txt holding the edited content.
    assert by_path["f.txt"].new_text == "fresh\n"
    assert by_path["f.txt"].overwritten
    assert by_path["g.txt"].kind == ChangeKind.ADD
    assert by_path["g.txt"].new_text == "A\nb\nC\n"


def test_add_then_delete_cancels_out(ws: Path) -> None:
    plan = build_patch_plan(wrap("*** Add File: t.txt", "+x", "*** Delete File: t.txt"), ws)
    assert plan.files == ()


def test_paths_are_absolute_and_cover_both_ends_of_a_move(ws: Path) -> None:
    write_tree(ws, {"real/a.txt": "a\n", "b.txt": "b\n"})
    (ws / "alias").symlink_to("real")
    plan = build_patch_plan(
        wrap(
            "*** Update File: alias/a.txt",
            "-a",
            "+A",
            "*** Update File: b.txt",
            "*** Move to: sub/../c.txt",
            "-b",
            "+B",
        ),
        ws,
    )
    root = ws.resolve()
    assert plan.root == root
    assert plan.paths == (root / "real/a.txt", root / "b.txt", root / "c.txt")
    assert plan.files[1].new_path == "c.txt"


def test_select_keeps_only_the_chosen_hunks(ws: Path) -> None:
    write_tree(ws, {"n.txt": NUMBERED, "other.txt": "x\n"})
    patch = three_chunk_patch().replace(
        "*** End Patch", "*** Update File: other.txt\n-x\n+y\n*** End Patch"
    )
    plan = build_patch_plan(patch, ws)
    assert plan.hunk_refs() == [(0, 0), (0, 1), (0, 2), (1, 0)]

    smaller = plan.select([(0, 1), (0, 2)])
    (change,) = smaller.files
    assert change.new_text == NUMBERED.replace("l20\n", "l20\nadded\n").replace("l35\nl36\n", "")
    # Renumbered on the new side: the dropped first hunk no longer shifts anything.
    assert [(h.old_start, h.new_start) for h in change.hunks] == [(18, 18), (32, 33)]
    assert len(plan.files[0].hunks) == 3  # the original plan is unchanged

    commit(smaller)
    assert read_tree(ws)["other.txt"] == b"x\n"
    assert read_tree(ws)["n.txt"] == change.new_text.encode()


def test_select_everything_or_nothing(ws: Path) -> None:
    write_tree(ws, {"n.txt": NUMBERED})
    plan = build_patch_plan(three_chunk_patch(), ws)
    everything = plan.select(plan.hunk_refs())
    assert everything.files[0].new_text == plan.files[0].new_text
    nothing = plan.select([])
    assert nothing.files == ()
    assert commit(nothing).files == ()
    assert read_tree(ws) == {"n.txt": NUMBERED.encode()}
    with pytest.raises(IndexError):
        plan.select([(0, 3)])
    with pytest.raises(IndexError):
        plan.select([(1, 0)])


def test_deselecting_a_move_leaves_the_file_where_it_was(ws: Path) -> None:
    write_tree(ws, {"a.txt": "a\n", "b.txt": "b\n"})
    plan = build_patch_plan(
        wrap(
            "*** Update File: a.txt",
            "*** Move to: moved/a.txt",
            "-a",
            "+A",
            "*** Update File: b.txt",
            "*** Move to: c.txt",
            " b",
        ),
        ws,
    )
    assert len(plan.files[1].hunks) == 1 and plan.files[1].hunks[0].lines == ()  # pure rename
    commit(plan.select([(1, 0)]))
    assert read_tree(ws) == {"a.txt": b"a\n", "c.txt": b"b\n"}
