"""Patches through an editor's buffers (agent/editor_files.py) against the real
patch engine in a temp directory, with an in-memory editor: what is planned
against, what is written where, and what a stale buffer or a failed write does."""

from __future__ import annotations

from pathlib import Path

import pytest

from codex_tui.agent.editor_files import buffers_for, commit_via_editor
from codex_tui.patch import CommitError, StaleFileError, build_patch_plan, files_updated
from codex_tui.tools.access import EditorFilesError


class FakeEditorFiles:
    """Buffers by path; the disk's text for a file with none; `refuse`: paths
    whose write fails."""

    def __init__(
        self, buffers: dict[Path, str], refuse: set[Path] | None = None, saves: bool = False
    ) -> None:
        self.buffers = dict(buffers)
        self.saves = saves  # a write is saved to disk too, as some editors do
        self.refuse = refuse or set()
        self.written: list[Path] = []

    async def read_text(self, path: Path) -> str:
        text = self.buffers.get(path)
        return path.read_text() if text is None else text

    async def write_text(self, path: Path, text: str) -> None:
        if path in self.refuse:
            raise EditorFilesError("read-only buffer")
        self.written.append(path)
        self.buffers[path] = text
        if self.saves:
            path.write_text(text)


PATCH = """*** Begin Patch
*** Update File: a.txt
@@
-unsaved
+saved by the patch
*** Add File: b.txt
+new
*** End Patch
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "a.txt").write_text("on disk\n")
    return tmp_path


def test_files_updated_names_the_edited_files_only(tree: Path) -> None:
    assert files_updated(PATCH, tree) == [(tree / "a.txt").resolve()]
    assert files_updated("not a patch", tree) == []
    escape = "*** Begin Patch\n*** Update File: ../x\n@@\n-a\n+b\n*** End Patch\n"
    assert files_updated(escape, tree) == []


async def test_the_plan_uses_the_buffer_and_the_editor_gets_whole_files(tree: Path) -> None:
    a, b = (tree / "a.txt").resolve(), (tree / "b.txt").resolve()
    editor = FakeEditorFiles({a: "unsaved\n"})
    buffers = await buffers_for(editor, PATCH, tree)
    assert buffers == {a: "unsaved\n"}
    plan = build_patch_plan(PATCH, tree, buffers)
    result = await commit_via_editor(editor, plan)
    assert result.summary() == "Success. Updated the following files:\nA b.txt\nM a.txt"
    assert editor.buffers == {a: "saved by the patch\n", b: "new\n"}
    assert a.read_text() == "on disk\n" and not b.exists()


async def test_a_buffer_changed_since_planning_stops_every_write(tree: Path) -> None:
    a = (tree / "a.txt").resolve()
    editor = FakeEditorFiles({a: "unsaved\n"})
    plan = build_patch_plan(PATCH, tree, await buffers_for(editor, PATCH, tree))
    editor.buffers[a] = "typed meanwhile\n"
    with pytest.raises(StaleFileError, match="changed in the editor"):
        await commit_via_editor(editor, plan)
    assert editor.written == []


async def test_a_failed_write_restores_the_ones_before_it(tree: Path) -> None:
    a, b = (tree / "a.txt").resolve(), (tree / "b.txt").resolve()
    editor = FakeEditorFiles({a: "unsaved\n"}, refuse={a}, saves=True)
    patch = PATCH.replace("*** Update File: a.txt\n@@\n-unsaved\n+saved by the patch\n", "")
    patch = patch.replace(
        "*** End Patch", "*** Update File: a.txt\n@@\n-unsaved\n+x\n*** End Patch"
    )
    plan = build_patch_plan(patch, tree, await buffers_for(editor, patch, tree))
    with pytest.raises(
        CommitError, match=r"^a.txt: the editor did not write it: read-only buffer$"
    ):
        await commit_via_editor(editor, plan)
    assert editor.written == [b] and not b.exists()  # saved by the editor, then removed
    assert editor.buffers[a] == "unsaved\n"


async def test_modes_and_deletes_stay_on_disk(tree: Path) -> None:
    (tree / "gone.txt").write_text("x\n")
    patch = "*** Begin Patch\n*** Delete File: gone.txt\n*** End Patch\n"
    editor = FakeEditorFiles({})
    result = await commit_via_editor(editor, build_patch_plan(patch, tree))
    assert result.summary().endswith("D gone.txt")
    assert editor.written == [] and not (tree / "gone.txt").exists()
