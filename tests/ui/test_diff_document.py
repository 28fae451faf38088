"""The diff document without a screen: diff text and computed patches read into files,
hunks and rows; rows found by bisection; the hunk selection and its refs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from codex_tui.patch import PatchPlan, build_patch_plan
from codex_tui.ui.diff_document import (
    DiffDocument,
    DiffFile,
    HunkSelection,
    PatchHunk,
    RowKind,
    TextHunk,
    files_from_patch,
    parse_diff_text,
)
from tests.ui.test_diffview import git

K = RowKind


def numbers(hunk: TextHunk | PatchHunk) -> list[tuple[int | None, int | None]]:
    return [hunk.numbers(i) for i in range(len(hunk))]


def summary(files: list[DiffFile]) -> list[tuple[str, str | None, str | None, list[str]]]:
    return [(f.kind, f.old_path, f.new_path, f.notes) for f in files]


# ---------------------------------------------------------------------------- diff text

QUOTED = r"""diff --git "a/caf\303\251 old.txt" "b/docs/caf\303\251 new.txt"
similarity index 80%
rename from "caf\303\251 old.txt"
rename to "docs/caf\303\251 new.txt"
--- "a/caf\303\251 old.txt"
+++ "b/docs/caf\303\251 new.txt"
@@ -1,2 +1,2 @@
 keep
-old
+new
diff --git "a/tab\there.txt" "b/tab\there.txt"
new file mode 100755
--- /dev/null
+++ "b/tab\there.txt"
@@ -0,0 +1 @@
+x
"""


def test_quoted_paths_are_unquoted_in_headers_renames_and_file_lines() -> None:
    files = parse_diff_text(QUOTED)
    assert summary(files) == [
        ("move", "café old.txt", "docs/café new.txt", []),
        ("add", None, "tab\there.txt", []),
    ]
    assert files[0].shown_path == "café old.txt → docs/café new.txt"
    assert files[1].shown_path == "tab\there.txt"
    assert files[1].hunks == [TextHunk(1, 1, "+", ["x"])]


MIXED = """\
commit 0123456
Author: someone

--- a/end.txt\t2024-01-01 10:00
+++ b/end.txt\t2024-01-02 10:00
@@ -1 +1 @@
-last
\\ No newline at end of file
+last!
\\ No newline at end of file
diff --git a/lib.c b/lib.c
old mode 100644
new mode 100755
index 1111111..2222222
--- a/lib.c
+++ b/lib.c
@@ -5,0 +6,2 @@ int f()
+int g;
+int h;
@@ -20,3 +22,3 @@

 a
-b
+c
diff --git a/logo.png b/logo.png
index 3333333..4444444 100644
GIT binary patch
literal 5
Mc${NkU|?VZ01e~-1poj5

diff --git a/x.txt b/y.txt
similarity index 100%
copy from x.txt
copy to y.txt
"""


def test_notes_markers_empty_ranges_and_blank_context() -> None:
    files = parse_diff_text(MIXED)
    assert summary(files) == [
        ("update", "end.txt", "end.txt", []),
        ("update", "lib.c", "lib.c", ["mode 100644 → 100755"]),
        ("update", "logo.png", "logo.png", ["binary file, not shown"]),
        ("add", "x.txt", "y.txt", ["copied from x.txt"]),
    ]
    end, lib, logo, copy = files
    # "\ No newline" markers are skipped wherever they stand, not read as lines.
    assert end.hunks == [TextHunk(1, 1, "-+", ["last", "last!"])]
    assert numbers(end.hunks[0]) == [(1, None), (None, 1)]
    # A range of count 0 names the line before it; a blank line is blank context.
    first, second = lib.hunks
    assert first == TextHunk(6, 6, "++", ["int g;", "int h;"])
    assert numbers(first) == [(None, 6), (None, 7)]
    assert second == TextHunk(20, 22, "  -+", ["", "a", "b", "c"])
    assert numbers(second) == [(20, 22), (21, 23), (22, None), (None, 24)]
    assert second.last_number() == 26
    assert (lib.added, lib.removed) == (3, 1)
    assert logo.hunks == [] and copy.hunks == [] and copy.path == "y.txt"


def test_text_without_a_diff_has_no_files() -> None:
    assert parse_diff_text("") == []
    assert parse_diff_text("fatal: not a git repository\n@@ -1 +1 @@\n+x\n") == []


def test_names_git_quotes_for_real(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "café.txt").write_text("a\nb\n")
    (root / 'say "hi".txt').write_text("".join(f"{i}\n" for i in range(20)))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    (root / "café.txt").write_text("a\nB\n")
    (root / "dir").mkdir()
    (root / 'say "hi".txt').rename(root / "dir" / "tab\there.txt")
    git(root, "add", "-A")
    text = git(root, "-c", "core.quotePath=true", "diff", "--cached", "-M", "HEAD")
    assert '"a/caf\\303\\251.txt"' in text and '"dir/tab\\there.txt"' in text
    files = sorted(parse_diff_text(text), key=lambda f: f.path)
    assert summary(files) == [
        ("update", "café.txt", "café.txt", []),
        ("move", 'say "hi".txt', "dir/tab\there.txt", []),
    ]
    assert files[0].hunks == [TextHunk(1, 1, " -+", ["a", "b", "B"])]


# ---------------------------------------------------------------------------- patches

PATCH = """\
*** Begin Patch
*** Update File: src/m.py
@@
 v1 = 1
-v2 = 2
+v2 = 0
@@
 v24 = 24
-v25 = 25
+v25 = 0
+v25b = 1
*** Add File: new.txt
+one
+two
*** Update File: a.md
*** Move to: b.md
*** End Patch
"""


@pytest.fixture
def patch(tmp_path: Path) -> PatchPlan:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "m.py").write_text("".join(f"v{i} = {i}\n" for i in range(1, 31)))
    (tmp_path / "a.md").write_text("# Title\n")
    return build_patch_plan(PATCH, tmp_path)


def test_files_from_a_patch_keep_its_order_kinds_and_line_numbers(patch: PatchPlan) -> None:
    files = files_from_patch(patch)
    assert summary(files) == [
        ("update", "src/m.py", "src/m.py", []),
        ("add", None, "new.txt", []),
        ("move", "a.md", "b.md", []),
    ]
    first, second = files[0].hunks
    assert first.kinds == " -+   "
    assert first.texts == ["v1 = 1", "v2 = 2", "v2 = 0", "v3 = 3", "v4 = 4", "v5 = 5"]
    assert second.kinds == "   -++   "
    assert numbers(second)[2:6] == [(24, 24), (25, None), (None, 25), (None, 26)]
    assert second.last_number() == 30
    # A move without content changes still has its one (empty) hunk, to keep or drop.
    assert len(files[2].hunks) == 1 and len(files[2].hunks[0]) == 0
    assert files[2].empty_note() == "renamed, content unchanged"


def test_a_patch_and_its_own_diff_text_read_alike(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("".join(f"v{i} = {i}\n" for i in range(1, 31)))
    (tmp_path / "old.txt").write_text("gone\nbye\n")
    (tmp_path / "a.md").write_text("# Title\nold intro\nend\n")
    patch = build_patch_plan(
        "*** Begin Patch\n*** Update File: m.py\n@@\n v1 = 1\n-v2 = 2\n@@\n v28 = 28\n+v28b\n"
        "*** Add File: n.txt\n+one\n*** Delete File: old.txt\n"
        "*** Update File: a.md\n*** Move to: docs/b.md\n@@\n-old intro\n+new intro\n"
        "*** End Patch\n",
        tmp_path,
    )
    built, parsed = files_from_patch(patch), parse_diff_text(patch.diff)
    assert summary(parsed) == summary(built)
    assert [f.kind for f in parsed] == ["update", "add", "delete", "move"]
    for b, p in zip(built, parsed, strict=True):
        assert [(h.kinds, list(h.texts), numbers(h)) for h in p.hunks] == [
            (h.kinds, list(h.texts), numbers(h)) for h in b.hunks
        ]


# ---------------------------------------------------------------------------- rows


def layout(doc: DiffDocument) -> list[tuple[int, RowKind, int, int]]:
    return [(r.start, r.kind, r.file, r.hunk) for r in doc.rows]


def test_rows_with_hunk_heads(patch: PatchPlan) -> None:
    doc = DiffDocument.of_patch(patch, "Patch", hunk_heads=True)
    assert layout(doc) == [
        (0, K.TITLE, -1, -1),
        (1, K.SUMMARY, -1, -1),
        (2, K.ITEM, 0, -1),
        (3, K.ITEM, 1, -1),
        (4, K.ITEM, 2, -1),
        (5, K.BLANK, -1, -1),
        (6, K.FILE, 0, -1),
        (7, K.HEAD, 0, 0),
        (8, K.LINES, 0, 0),
        (14, K.SEP, 0, 1),
        (15, K.HEAD, 0, 1),
        (16, K.LINES, 0, 1),
        (25, K.BLANK, -1, -1),
        (26, K.FILE, 1, -1),
        (27, K.HEAD, 1, 0),
        (28, K.LINES, 1, 0),
        (30, K.BLANK, -1, -1),
        (31, K.FILE, 2, -1),
        (32, K.HEAD, 2, 0),
        (33, K.NOTE, 2, 0),
    ]
    assert doc.rows[0].text == "Patch" and doc.rows[-1].text == "renamed, content unchanged"
    assert doc.height == 34
    assert [doc.hunk_rows(i) for i in range(4)] == [(7, 13), (14, 24), (27, 29), (32, 33)]
    # Showing a hunk starts at its file's header for a file's first hunk, else at its
    # separator; its head is the keep/drop line.
    assert [doc.hunk_view(i) for i in range(4)] == [
        (6, 7, 13),
        (14, 15, 24),
        (26, 27, 29),
        (31, 32, 33),
    ]
    assert (doc.number_width, doc.longest_line) == (2, 8)
    assert (doc.path_width, doc.plus_width) == (len("a.md → b.md"), 2)


def test_rows_without_heads_or_title_and_files_without_content() -> None:
    files = [
        DiffFile("update", "a", "a", [TextHunk(1, 1, "-+", ["x", "y"])]),
        DiffFile("update", "b", "b"),
        DiffFile("update", "c", "c", notes=["binary file, not shown"]),
    ]
    doc = DiffDocument(files)
    kinds = [K.SUMMARY, K.ITEM, K.ITEM, K.ITEM]
    kinds += [K.BLANK, K.FILE, K.LINES, K.BLANK, K.FILE, K.NOTE, K.BLANK, K.FILE, K.NOTE]
    assert [r.kind for r in doc.rows] == kinds
    assert [r.start for r in doc.rows] == [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13]
    assert [(r.file, r.hunk) for r in doc.rows if r.kind in (K.LINES, K.NOTE)] == [
        (0, 0),
        (1, -1),
        (2, -1),
    ]
    assert [r.text for r in doc.rows if r.kind == K.NOTE] == [
        "no content changes",
        "binary file, not shown",
    ]
    assert doc.height == 14 and doc.hunk_rows(0) == (6, 7)
    assert doc.hunk_view(0) == (5, 6, 7)  # without heads the head is the first line


def test_rows_are_found_by_bisection(patch: PatchPlan) -> None:
    doc = DiffDocument.of_patch(patch, "Patch", hunk_heads=True)  # rows as above
    r, offset = doc.locate(19)
    assert (r.kind, r.file, r.hunk, offset) == (K.LINES, 0, 1, 3)
    assert doc.hunk((r.file, r.hunk)).texts[offset] == "v25 = 25"
    assert doc.locate(0) == (doc.rows[0], 0)
    assert doc.locate(doc.height - 1) == (doc.rows[-1], 0)
    # Every row agrees with a linear scan.
    for row in range(doc.height):
        scanned = [r for r in doc.rows if r.start <= row][-1]
        assert doc.locate(row) == (scanned, row - scanned.start)
    # A click picks the hunk whose rows (separator and head included) hold it.
    picked = {row: doc.hunk_at(row) for row in (0, 5, 6, 7, 13, 14, 24, 25, 26, 27, 33, 34)}
    assert picked == {
        0: None,
        5: None,
        6: None,
        7: 0,
        13: 0,
        14: 1,
        24: 1,
        25: None,
        26: None,
        27: 2,
        33: 3,
        34: None,
    }


def test_a_message_is_rows_of_text_and_no_hunks() -> None:
    doc = DiffDocument(message="not a git repository\nsecond line")
    assert [(r.start, r.kind, r.text) for r in doc.rows] == [
        (0, K.MESSAGE, "not a git repository"),
        (1, K.MESSAGE, "second line"),
    ]
    assert doc.height == 2 and doc.locate(1) == (doc.rows[1], 0)
    assert doc.files == () and doc.selection.total == 0 and doc.hunk_at(0) is None
    assert DiffDocument(message="").height == 0


# ---------------------------------------------------------------------------- selection


def test_selection_keeps_toggles_and_moves_in_hunk_ref_order(patch: PatchPlan) -> None:
    selection = DiffDocument.of_patch(patch).selection
    assert selection.refs == tuple(patch.hunk_refs()) == ((0, 0), (0, 1), (1, 0), (2, 0))
    assert selection.kept() == patch.hunk_refs() and selection.cursor_ref == (0, 0)

    assert selection.toggle()
    assert selection.kept() == [(0, 1), (1, 0), (2, 0)]
    assert not selection.is_kept((0, 0)) and selection.is_kept((0, 1))
    assert selection.move_to(99) == 3 and selection.cursor_ref == (2, 0)
    assert selection.toggle()
    assert selection.move_to(-5) == 0 and selection.cursor_ref == (0, 0)
    assert selection.toggle()
    assert selection.kept() == [(0, 0), (0, 1), (1, 0)]
    assert selection.index((1, 0)) == 2
    with pytest.raises(KeyError):
        selection.index((2, 1))

    selection.set_kept([(1, 0), (0, 1), (7, 7)])  # a ref not shown is ignored
    assert selection.kept() == [(0, 1), (1, 0)]
    # The kept refs select the same hunks from the patch.
    smaller = patch.select(selection.kept())
    assert [f.path for f in smaller.files] == ["src/m.py", "new.txt"]
    assert [len(f.hunks) for f in smaller.files] == [1, 1]
    assert "+v25b = 1" in smaller.diff and "v2 = 0" not in smaller.diff


def test_an_empty_selection_does_nothing() -> None:
    selection = HunkSelection()
    assert selection.total == 0 and selection.cursor_ref is None
    assert selection.toggle() is False
    assert selection.move_to(3) == 0 and selection.kept() == []


def test_the_document_needs_no_textual_rich_or_pygments() -> None:
    # With TEXTUAL_FPS set, the `codex_tui.ui` package leaves Textual alone too.
    probe = (
        "import sys, codex_tui.ui.diff_document;"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'rich', 'pygments'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "TEXTUAL_FPS": "60"},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert out == "[]\n"
