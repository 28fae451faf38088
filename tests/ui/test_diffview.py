"""DiffView: rendering of patches and diff text, hunk selection, laziness, live styles;
and the workspace `git diff` (untracked files included) it shows on /diff."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pygments.styles import get_style_by_name
from pygments.token import Keyword
from rich.color import Color as RichColor
from textual.app import App, ComposeResult
from textual.strip import Strip
from textual.theme import Theme

from codex_tui.patch import PatchPlan, build_patch_plan, commit
from codex_tui.tools.git import working_tree_diff
from codex_tui.tools.registry import ToolArgumentError
from codex_tui.ui import highlight
from codex_tui.ui.diffview import DiffView
from codex_tui.ui.themes import register_all


class Host(App[None]):
    """A bare app holding one DiffView, recording the selection messages it posts."""

    def __init__(self, *, selectable: bool = False) -> None:
        super().__init__()
        self.selectable = selectable
        self.changes: list[DiffView.SelectionChanged] = []

    def compose(self) -> ComposeResult:
        yield DiffView(selectable=self.selectable)

    def on_diff_view_selection_changed(self, message: DiffView.SelectionChanged) -> None:
        self.changes.append(message)


def lines(view: DiffView) -> list[str]:
    """The rows on screen as text, trailing blanks trimmed."""
    return [view.render_line(y).text.rstrip() for y in range(view.size.height)]


def row_strip(view: DiffView, needle: str) -> Strip:
    for y in range(view.size.height):
        strip = view.render_line(y)
        if needle in strip.text:
            return strip
    raise AssertionError(f"no row with {needle!r}: {lines(view)}")


async def settle(app: App, pilot) -> None:
    """Let lexers finish loading in their threads and the screen repaint."""
    await app.workers.wait_for_complete()
    await pilot.pause()


PATCH = """\
*** Begin Patch
*** Update File: src/app.py
@@
 def greet(name):
-    return "hello " + name
+    return f"Hello, {name}!"
@@
 line_30 = 30
-line_31 = 31
+line_31 = 310
+line_31b = 311
*** Add File: docs/new.rs
+fn main() {
+    println!("hi");
+}
*** Delete File: old.txt
*** Update File: a.md
*** Move to: b.md
@@
 # Title
-old intro
+new intro
*** End Patch
"""


@pytest.fixture
def plan(tmp_path: Path) -> PatchPlan:
    (tmp_path / "src").mkdir()
    body = [f"line_{i} = {i}\n" for i in range(1, 41)]
    body[1:1] = ["def greet(name):\n", '    return "hello " + name\n']
    (tmp_path / "src" / "app.py").write_text("".join(body))
    (tmp_path / "old.txt").write_text("gone\nbye\n")
    (tmp_path / "a.md").write_text("# Title\nold intro\nend\n")
    return build_patch_plan(PATCH, tmp_path)


async def test_plan_shows_file_list_headers_numbers_and_separators(plan: PatchPlan) -> None:
    app = Host()
    async with app.run_test(size=(70, 60)) as pilot:
        view = app.query_one(DiffView)
        view.show_patch(plan, title="Patch waiting for approval")
        await settle(app, pilot)
        shown = lines(view)
    assert shown[:7] == [
        " Patch waiting for approval",
        " 4 files changed  +7  −5",
        "  M  src/app.py   +3  −2",
        "  A  docs/new.rs  +3",
        "  D  old.txt          −2",
        "  R  a.md → b.md  +1  −1",
        "",
    ]
    body = shown[7:]
    assert body[:9] == [
        " M  src/app.py  +3  −2",
        " 1  1   line_1 = 1",
        " 2  2   def greet(name):",
        ' 3    -     return "hello " + name',
        '    3 +     return f"Hello, {name}!"',
        " 4  4   line_2 = 2",
        " 5  5   line_3 = 3",
        " 6  6   line_4 = 4",
        "      ⋮",
    ]
    assert body[9:19] == [
        "30 30   line_28 = 28",
        "31 31   line_29 = 29",
        "32 32   line_30 = 30",
        "33    - line_31 = 31",
        "   33 + line_31 = 310",
        "   34 + line_31b = 311",
        "34 35   line_32 = 32",
        "35 36   line_33 = 33",
        "36 37   line_34 = 34",
        "",
    ]
    rest = body[18:]
    assert rest[:5] == [
        "",
        " A  docs/new.rs  +3",
        "    1 + fn main() {",
        '    2 +     println!("hi");',
        "    3 + }",
    ]
    assert rest[5:9] == ["", " D  old.txt  −2", " 1    - gone", " 2    - bye"]
    assert rest[9:15] == [
        "",
        " R  a.md → b.md  +1  −1",
        " 1  1   # Title",
        " 2    - old intro",
        "    2 + new intro",
        " 3  3   end",
    ]


async def test_added_and_removed_rows_use_the_theme_tints_and_pygments_colours(
    plan: PatchPlan,
) -> None:
    app = Host()
    async with app.run_test(size=(70, 60)) as pilot:
        themes = register_all(app)
        app.theme = "dark"
        view = app.query_one(DiffView)
        view.show_patch(plan)
        await settle(app, pilot)

        def background(needle: str) -> RichColor | None:
            strip = row_strip(view, needle)
            return next(s.style.bgcolor for s in list(strip) if needle in s.text)

        dark = themes.themes["dark"]
        assert background("line_31b") == RichColor.parse(dark.diff_added_bg)
        assert list(row_strip(view, "- line_31 = 31"))[-1].style.bgcolor == RichColor.parse(
            dark.diff_removed_bg
        )
        keyword = get_style_by_name(dark.pygments_style).style_for_token(Keyword)["color"]
        fn = next(s for s in list(row_strip(view, "fn main")) if s.text == "fn")
        assert fn.style.color == RichColor.parse(f"#{keyword}")

        # A live theme switch re-colours the view, tints and syntax both.
        app.theme = "light"
        await settle(app, pilot)
        light = themes.themes["light"]
        assert view.pygments_style == light.pygments_style
        assert background("line_31b") == RichColor.parse(light.diff_added_bg)
        keyword = get_style_by_name(light.pygments_style).style_for_token(Keyword)["color"]
        fn = next(s for s in list(row_strip(view, "fn main")) if s.text == "fn")
        assert fn.style.color == RichColor.parse(f"#{keyword}")

        # set_style pins this view whatever the theme; None follows the theme again.
        view.set_style("monokai", added_bg="#010203")
        await pilot.pause()
        assert view.pygments_style == "monokai"
        assert background("line_31b") == RichColor.parse("#010203")
        view.set_style()
        await pilot.pause()
        assert background("line_31b") == RichColor.parse(light.diff_added_bg)


async def test_themes_without_diff_variables_get_tints_from_success_and_error(
    plan: PatchPlan,
) -> None:
    app = Host()
    async with app.run_test(size=(70, 60)) as pilot:
        app.register_theme(
            Theme(
                "bare", primary="#336699", success="#00ff00", error="#ff0000", background="#000000"
            )
        )
        app.theme = "bare"
        view = app.query_one(DiffView)
        view.show_patch(plan)
        await settle(app, pilot)
        added = list(row_strip(view, "line_31b"))[-1].style.bgcolor
        removed = list(row_strip(view, "- line_31 = 31"))[-1].style.bgcolor
    assert added is not None and removed is not None
    r, g, b = added.get_truecolor()
    assert g > r and g > b and g < 128  # a faint green, not the full success colour
    r, g, b = removed.get_truecolor()
    assert r > g and r > b and r < 128


async def test_selection_moves_between_hunks_and_toggles(plan: PatchPlan) -> None:
    app = Host(selectable=True)
    async with app.run_test(size=(70, 60)) as pilot:
        view = app.query_one(DiffView)
        view.show_patch(plan)
        view.focus()
        await settle(app, pilot)
        assert view.kept() == plan.hunk_refs() == [(0, 0), (0, 1), (1, 0), (2, 0), (3, 0)]
        assert app.changes[-1].kept == plan.hunk_refs() and app.changes[-1].total == 5
        shown = lines(view)
        assert "▌ [✓] keep  hunk 1 of 5 · line 1" in shown
        assert "▌ 1  1   line_1 = 1" in shown
        assert "  [✓] keep  hunk 2 of 5 · line 30" in shown
        assert view.cursor == (0, 0)

        await pilot.press("down", "space")
        assert view.cursor == (0, 1)
        assert view.kept() == [(0, 0), (1, 0), (2, 0), (3, 0)]
        assert app.changes[-1].kept == view.kept() and app.changes[-1].total == 5
        await pilot.press("j", "j", "space", "k")
        assert view.cursor == (1, 0)
        assert view.kept() == [(0, 0), (1, 0), (3, 0)]
        await pilot.press("up", "up", "up")  # stops at the first hunk
        assert view.cursor == (0, 0)
        await pilot.press("down", "space")  # keep the second hunk again
        assert view.kept() == [(0, 0), (0, 1), (1, 0), (3, 0)]
        shown = lines(view)

    # The dropped deletion is marked; the cursor bar sits on the second hunk.
    assert "  [✗] drop  hunk 4 of 5 · line 1" in shown
    assert "▌ [✓] keep  hunk 2 of 5 · line 30" in shown
    assert "▌30 30   line_28 = 28" in shown
    assert "  [✓] keep  hunk 1 of 5 · line 1" in shown
    # The kept pairs select the same hunks from the plan.
    smaller = plan.select(view.kept())
    assert [f.path for f in smaller.files] == ["src/app.py", "docs/new.rs", "b.md"]


async def test_only_kept_hunks_are_applied(plan: PatchPlan, tmp_path: Path) -> None:
    app = Host(selectable=True)
    async with app.run_test(size=(70, 30)) as pilot:
        view = app.query_one(DiffView)
        view.show_patch(plan)
        view.focus()
        await pilot.press("space")  # drop the first hunk of src/app.py
        kept = view.kept()
    commit(plan.select(kept))
    text = (tmp_path / "src" / "app.py").read_text()
    assert 'return "hello " + name' in text and "line_31 = 310" in text
    assert not (tmp_path / "old.txt").exists() and (tmp_path / "docs" / "new.rs").exists()


async def test_dropped_hunks_lose_tints_and_syntax_colours(plan: PatchPlan) -> None:
    app = Host(selectable=True)
    async with app.run_test(size=(70, 60)) as pilot:
        view = app.query_one(DiffView)
        view.show_patch(plan)
        view.focus()
        await settle(app, pilot)
        before = row_strip(view, "line_31b")
        await pilot.press("down", "space")
        after = row_strip(view, "line_31b")
    tinted = {s.style.bgcolor for s in list(before) if "line_31b" in s.text}
    assert len(tinted) == 1 and tinted != {None}
    dropped = [s for s in list(after) if "line_31b" in s.text]
    assert dropped and all(s.style.bgcolor not in tinted and s.style.strike for s in dropped)
    # Syntax colours are gone too: one colour for the whole dropped line.
    assert len({s.style.color for s in list(before) if s.text.strip()}) > 2
    assert len({s.style.color for s in dropped}) == 1


async def test_selection_set_kept_and_click(plan: PatchPlan) -> None:
    app = Host(selectable=True)
    async with app.run_test(size=(70, 60)) as pilot:
        view = app.query_one(DiffView)
        view.show_patch(plan)
        await pilot.pause()
        view.set_kept([(2, 0), (9, 9)])
        assert view.kept() == [(2, 0)]
        row = lines(view).index("  [✗] drop  hunk 3 of 5 · line 1")
        await pilot.click(DiffView, offset=(10, row + 1))
        assert view.cursor == (1, 0)


async def test_cursor_scrolls_its_hunk_into_view(tmp_path: Path) -> None:
    source = "".join(f"v{i} = {i}\n" for i in range(400))
    (tmp_path / "m.py").write_text(source)
    chunks = "".join(
        f"@@\n v{i} = {i}\n-v{i + 1} = {i + 1}\n+v{i + 1} = 0\n" for i in range(10, 400, 20)
    )
    plan = build_patch_plan(
        f"*** Begin Patch\n*** Update File: m.py\n{chunks}*** End Patch\n", tmp_path
    )
    assert len(plan.files[0].hunks) == 20
    app = Host(selectable=True)
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(DiffView)
        view.show_patch(plan)
        view.focus()
        await pilot.pause()
        for _ in range(19):
            await pilot.press("down")
        await pilot.pause()
        assert view.cursor == (0, 19)
        assert any("hunk 20 of 20" in line for line in lines(view))
        await pilot.press("up")
        await pilot.pause()
        assert any("hunk 19 of 20" in line for line in lines(view))
        for _ in range(19):
            await pilot.press("up")
        await pilot.pause()
        assert any("hunk 1 of 20" in line for line in lines(view))


async def showing(pilot, plan: PatchPlan) -> DiffView:
    """The host's view showing `plan`, focused."""
    view = pilot.app.query_one(DiffView)
    view.show_patch(plan)
    view.focus()
    await pilot.pause()
    return view


async def test_a_files_first_hunk_comes_with_its_header_and_page_keys_jump(
    tmp_path: Path,
) -> None:
    files = "".join(
        f"*** Add File: f{n}.py\n" + "".join(f"+v{i} = {i}\n" for i in range(6)) for n in range(4)
    )
    plan = build_patch_plan(f"*** Begin Patch\n{files}*** End Patch\n", tmp_path)
    async with Host(selectable=True).run_test(size=(60, 12)) as pilot:
        view = await showing(pilot, plan)
        for n in range(1, 4):
            await pilot.press("down")
            shown = lines(view)
            header = next(i for i, row in enumerate(shown) if f"f{n}.py" in row and "A " in row)
            assert f"hunk {n + 1} of 4" in shown[header + 1]
            assert shown[-1].endswith("v5 = 5"), shown
        # The page keys move at once (no glide), the cursor stays where it is.
        await pilot.press("home")
        assert view.scroll_y == 0
        await pilot.press("pagedown")
        assert view.scroll_y == 12
        await pilot.press("end")
        assert view.scroll_y == view.max_scroll_y
        await pilot.press("pageup")
        assert view.scroll_y == view.max_scroll_y - 12
        assert view.cursor == (3, 0)


async def test_reveal_cursor_scrolls_only_when_the_head_is_out_of_sight(tmp_path: Path) -> None:
    many = "".join(f"*** Add File: f{n:02}.py\n+x = {n}\n" for n in range(20))
    plan = build_patch_plan(f"*** Begin Patch\n{many}*** End Patch\n", tmp_path)
    async with Host(selectable=True).run_test(size=(60, 12)) as pilot:
        view = await showing(pilot, plan)
        view.reveal_cursor()  # 20 files listed first: the first hunk is far below
        assert view.scroll_y > 0
        assert any("hunk 1 of 20" in row for row in lines(view))
        view.show_patch(build_patch_plan(PATCH_ONE, tmp_path))
        await pilot.pause()
        view.reveal_cursor()  # its head is on screen already: nothing moves
        assert view.scroll_y == 0


PATCH_ONE = "*** Begin Patch\n*** Add File: one.py\n+a = 1\n+b = 2\n*** End Patch\n"


async def test_without_selection_keys_scroll_and_space_is_not_taken(plan: PatchPlan) -> None:
    app = Host()
    async with app.run_test(size=(60, 10)) as pilot:
        view = app.query_one(DiffView)
        view.show_patch(plan)
        view.focus()
        await pilot.pause()
        await pilot.press("down", "j", "space")
        assert view.scroll_y == 2
        await pilot.press("end")
        assert view.scroll_y == view.max_scroll_y > 0
        assert lines(view)[-1] == " 3  3   end"
        await pilot.press("pageup", "home")
        assert view.scroll_y == 0
    assert app.changes == [] and view.kept() == plan.hunk_refs()
    assert view.check_action("toggle_hunk", ()) is False


async def test_long_lines_scroll_sideways_under_a_fixed_gutter(tmp_path: Path) -> None:
    (tmp_path / "long.txt").write_text("start " + "x" * 200 + " tail\n")
    plan = build_patch_plan(
        "*** Begin Patch\n*** Update File: long.txt\n@@\n-start "
        + "x" * 200
        + " tail\n+short\n*** End Patch\n",
        tmp_path,
    )
    app = Host()
    async with app.run_test(size=(40, 10)) as pilot:
        view = app.query_one(DiffView)
        view.show_patch(plan)
        await pilot.pause()
        view.scroll_to(x=view.max_scroll_x, animate=False)
        await pilot.pause()
        shown = lines(view)
    assert view.max_scroll_x > 150
    assert shown[4] == "1   xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx tail"
    assert shown[5] == "  1"  # "+ short" scrolled out of sight, numbers stay
    assert shown[3] == " M  long.txt  +1  −1"  # headers do not scroll


async def test_git_diff_text_kinds_notes_and_line_numbers() -> None:
    text = """\
commit 0123456
Author: someone

diff --git a/src/old name.py b/src/new name.py
similarity index 90%
rename from src/old name.py
rename to src/new name.py
--- a/src/old name.py
+++ b/src/new name.py
@@ -10,3 +10,3 @@ def f():
 a = 1
-b = 2
+b = 3
@@ -40,2 +40,3 @@ class K:
 x = 1
+y = 2
 z = 3
\\ No newline at end of file
diff --git a/img.png b/img.png
new file mode 100644
index 0000000..1111111
Binary files /dev/null and b/img.png differ
diff --git a/run.sh b/run.sh
old mode 100644
new mode 100755
diff --git a/gone.txt b/gone.txt
deleted file mode 100644
--- a/gone.txt
+++ /dev/null
@@ -1,2 +0,0 @@
-one
-two
--- plain.c\t2024-01-01
+++ plain.c\t2024-01-02
@@ -1 +1 @@
-int x;
+int y;
"""
    app = Host()
    async with app.run_test(size=(70, 40)) as pilot:
        view = app.query_one(DiffView)
        view.show_diff_text(text)
        await settle(app, pilot)
        shown = lines(view)
    assert shown[:6] == [
        " 5 files changed  +3  −4",
        "  R  src/old name.py → src/new name.py  +2  −1",
        "  A  img.png",
        "  M  run.sh",
        "  D  gone.txt                               −2",
        "  M  plain.c                            +1  −1",
    ]
    assert shown[7:16] == [
        " R  src/old name.py → src/new name.py  +2  −1",
        "10 10   a = 1",
        "11    - b = 2",
        "   11 + b = 3",
        "      ⋮",
        "40 40   x = 1",
        "   41 + y = 2",
        "41 42   z = 3",
        "",
    ]
    assert shown[16:29] == [
        " A  img.png",
        "     (binary file, not shown)",
        "",
        " M  run.sh",
        "     (mode 100644 → 100755)",
        "",
        " D  gone.txt  −2",
        " 1    - one",
        " 2    - two",
        "",
        " M  plain.c  +1  −1",
        " 1    - int x;",
        "    1 + int y;",
    ]


async def test_messages_and_unsafe_characters() -> None:
    app = Host()
    async with app.run_test(size=(50, 8)) as pilot:
        view = app.query_one(DiffView)
        await pilot.pause()
        assert lines(view)[0] == " No changes yet"
        view.show_diff_text("")
        await pilot.pause()
        assert lines(view)[0] == " No changes"
        view.show_message("not a git repository: /tmp/x\nsecond line")
        await pilot.pause()
        assert lines(view)[:2] == [" not a git repository: /tmp/x", " second line"]
        assert view.total == 0 and view.kept() == [] and view.cursor is None
        view.show_diff_text("--- a/t.txt\n+++ b/t.txt\n@@ -1 +1 @@\n-\x1b[31mred\r\n+\ttab\x07\n")
        await pilot.pause()
        shown = lines(view)
    # Escape sequences never reach the terminal; tabs become spaces.
    assert "1   - ␛[31mred" in shown
    assert "  1 +     tab␇" in shown


async def test_a_20000_line_diff_builds_only_what_is_on_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = "".join(f"+value_{i} = compute({i})\n" for i in range(20_000))
    plan = build_patch_plan(
        f"*** Begin Patch\n*** Add File: big.py\n{body}*** End Patch\n", tmp_path
    )
    lexed: list[int] = []
    real = highlight.tokenize_lines

    def counting(lexer, texts):
        lexed.append(len(texts))
        return real(lexer, texts)

    monkeypatch.setattr(highlight, "tokenize_lines", counting)
    app = Host()
    async with app.run_test(size=(80, 30)) as pilot:
        view = app.query_one(DiffView)
        view.show_patch(plan)
        await settle(app, pilot)
        assert view.virtual_size.height == 20_000 + 4
        assert lines(view)[4] == "          1 + value_0 = compute(0)"
        assert sum(lexed) <= 200  # one block of the hunk, not 20,000 lines
        view.scroll_end(animate=False)
        await settle(app, pilot)
        assert lines(view)[-1] == "      20000 + value_19999 = compute(19999)"
        assert sum(lexed) <= 400
        # Highlighted: the call is a name token, coloured unlike the plain text.
        strip = row_strip(view, "value_19999")
        assert len({s.style.color for s in list(strip) if s.text.strip()}) > 1


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


async def test_working_tree_diff_includes_untracked_files_and_leaves_the_index_alone(
    tmp_path: Path,
) -> None:
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("a = 1\nb = 2\n")
    (root / "gone.txt").write_text("bye\n")
    (root / ".gitignore").write_text("*.log\nbuild/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    (root / "src" / "app.py").write_text("a = 1\nb = 3\n")
    (root / "gone.txt").unlink()
    (root / "src" / "new file.py").write_text("print('hi')\n")
    (root / "debug.log").write_text("ignored\n")
    (root / "build").mkdir()
    (root / "build" / "out.txt").write_text("ignored too\n")
    status_before = git(root, "status", "--porcelain")

    text = await working_tree_diff(root / "src")  # from a subdirectory: the whole repository
    assert "+b = 3" in text and "-b = 2" in text
    assert "deleted file mode" in text and "-bye" in text
    assert "+++ b/src/new file.py" in text and "+print('hi')" in text
    assert "debug.log" not in text and "build/" not in text
    assert git(root, "status", "--porcelain") == status_before  # still untracked, not staged
    assert git(root, "diff", "--cached") == ""

    app = Host()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(DiffView)
        view.show_diff_text(text)
        await pilot.pause()
        shown = lines(view)
    assert shown[:4] == [
        " 3 files changed  +2  −2",
        "  D  gone.txt             −1",
        "  M  src/app.py       +1  −1",
        "  A  src/new file.py  +1",
    ]


async def test_working_tree_diff_without_commits_and_outside_a_repository(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    root.mkdir()
    git(root, "init", "-q")
    (root / "staged.txt").write_text("one\n")
    git(root, "add", "staged.txt")
    (root / "loose.txt").write_text("two\n")
    text = await working_tree_diff(root)
    assert "+++ b/staged.txt" in text and "+one" in text
    assert "+++ b/loose.txt" in text and "+two" in text
    assert git(root, "diff", "--cached", "--name-only") == "staged.txt\n"

    empty = tmp_path / "fresh2"
    empty.mkdir()
    git(empty, "init", "-q")
    assert await working_tree_diff(empty) == ""

    outside = tmp_path / "plain"
    outside.mkdir()
    with pytest.raises(ToolArgumentError, match=r"^not a git repository \(or a bare one\): "):
        await working_tree_diff(outside)


async def test_working_tree_diff_finds_renames_to_untracked_names(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "a.txt").write_text("".join(f"{i}\n" for i in range(50)))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    (root / "a.txt").rename(root / "b.txt")  # moved by hand, not with git mv
    with (root / "b.txt").open("a") as f:
        f.write("50\n")
    (root / "blob.bin").write_bytes(b"\x00\x01binary")
    text = await working_tree_diff(root)
    app = Host()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(DiffView)
        view.show_diff_text(text)
        await pilot.pause()
        shown = lines(view)
    assert shown[:3] == [" 2 files changed  +1", "  R  a.txt → b.txt  +1", "  A  blob.bin"]
    assert " R  a.txt → b.txt  +1" in shown and "     (binary file, not shown)" in shown
    assert "   51 + 50" in shown


async def test_working_tree_diff_takes_a_new_folder_whole_and_odd_names_literally(
    tmp_path: Path,
) -> None:
    """A wholly untracked folder goes to `add -N` as one path (the fast way), its
    ignored files still left out; a name with glob characters is only itself."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / ".gitignore").write_text("*.log\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    (root / "pkg" / "deep").mkdir(parents=True)
    (root / "pkg" / "x.py").write_text("x = 1\n")
    (root / "pkg" / "deep" / "y.py").write_text("y = 2\n")
    (root / "pkg" / "noise.log").write_text("ignored\n")
    (root / "only-logs").mkdir()
    (root / "only-logs" / "a.log").write_text("ignored\n")
    (root / "a[1].txt").write_text("bracketed\n")
    text = await working_tree_diff(root)
    assert "+++ b/pkg/x.py" in text and "+++ b/pkg/deep/y.py" in text
    assert "noise.log" not in text and "only-logs" not in text
    assert "+++ b/a[1].txt" in text
    assert git(root, "status", "--porcelain") == "?? a[1].txt\n?? pkg/\n"
