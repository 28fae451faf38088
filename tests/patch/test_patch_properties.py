"""Properties over random files and edits.

A patch built from (old, new) applies to give exactly new, in either format and
with line numbers off; a corrupted patch either applies consistently with its
plan or changes nothing; a commit failing at any step changes nothing.

Lines in a generated file are distinct even after whitespace and punctuation
are folded: with repeated lines a context-based patch is ambiguous by nature,
and that ambiguity is not what these properties are about.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from patch_helpers import COMMIT_CALLS, failing_os_call, read_tree, write_tree

from codex_tui.patch import (
    CommitError,
    PatchError,
    apply_patch,
    build_patch_plan,
    commit,
    recover_unfinished_commit,
)
from codex_tui.patch.seek import canonical

# PATCH_EXAMPLES=2000 for a deeper run than the default, which keeps the suite fast.
SETTINGS = settings(
    max_examples=int(os.environ.get("PATCH_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# No `*`: a line reading `*** End of File` would be a marker, by design of the format.
ALPHABET = st.sampled_from(list("abcxyz019 \t.,:;(){}=#-_'\"\u2014\u2019\u00a0\u00e9\u03bb\x0c"))
LINE = st.text(ALPHABET, max_size=12)


@st.composite
def edit_pair(draw: st.DrawFn, max_lines: int = 25) -> tuple[list[str], list[str]]:
    """Distinct old lines, and new lines made by deleting, replacing and inserting."""
    old = draw(st.lists(LINE, max_size=max_lines, unique_by=canonical))
    new: list[str] = []
    for line in old:
        action = draw(st.sampled_from(["keep", "keep", "keep", "drop", "replace", "insert"]))
        if action in ("keep", "insert"):
            new.append(line)
        if action == "replace":
            new.append(draw(LINE))
        if action == "insert":
            new.extend(draw(st.lists(LINE, min_size=1, max_size=3)))
    if draw(st.booleans()):
        new.extend(draw(st.lists(LINE, max_size=3)))
    return old, new


def chunks_for(old: list[str], new: list[str], context: int) -> list[str]:
    """apply_patch chunk lines turning `old` into `new`."""
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        out.append("@@")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [" " + line for line in old[i1:i2]]
                continue
            out += ["-" + line for line in old[i1:i2]]
            out += ["+" + line for line in new[j1:j2]]
    return out


def text_of(lines: list[str], eol: str = "\n") -> str:
    return "".join(line + eol for line in lines)


@dataclass
class Case:
    """A tree, a patch for it, and the tree the patch should produce."""

    before: dict[str, bytes]
    patch: str
    after: dict[str, bytes]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    before: dict[str, bytes] = {}
    after: dict[str, bytes] = {}
    body: list[str] = []
    for i in range(draw(st.integers(1, 3))):
        name = f"d{i}/f{i}.txt" if draw(st.booleans()) else f"f{i}.txt"
        old, new = draw(edit_pair())
        kind = draw(st.sampled_from(["update", "update", "move", "delete", "add", "overwrite"]))
        crlf = bool(old) and draw(st.booleans())  # an empty file has no line ending to keep
        old_text = text_of(old, "\r\n" if crlf else "\n")
        # No final newline (when a line ending is left to tell CRLF from LF).
        if old and old[-1] and (len(old) > 1 or not crlf) and draw(st.booleans()):
            old_text = old_text.removesuffix("\r\n" if crlf else "\n")
        new_text = text_of(new, "\r\n" if crlf else "\n")
        if kind != "add":
            before[name] = old_text.encode()
        if kind in ("update", "move"):
            if old == new and kind == "update":
                after[name] = before[name]
                continue
            target = f"moved/{name}" if kind == "move" else name
            body.append(f"*** Update File: {name}")
            if kind == "move":
                body.append(f"*** Move to: {target}")
            if old:
                # A move without changes still needs a chunk: one context line.
                body += chunks_for(old, new, draw(st.integers(1, 3))) or [" " + old[0]]
            else:
                body += ["+" + line for line in new]
            after[target] = new_text.encode()  # an updated file always ends with a newline
        elif kind == "delete":
            body.append(f"*** Delete File: {name}")
        else:
            body.append(f"*** Add File: {name}")
            body += ["+" + line for line in new]
            after[name] = text_of(new).encode()
    patch = "*** Begin Patch\n" + "".join(line + "\n" for line in body) + "*** End Patch\n"
    return Case(before, patch, after)


def files_only(tree: dict[str, bytes | str]) -> dict[str, bytes | str]:
    return {k: v for k, v in tree.items() if v != "dir"}


def has_operations(case: Case) -> bool:
    return "*** Update" in case.patch or "*** Add" in case.patch or "*** Delete" in case.patch


@SETTINGS
@given(cases())
def test_generated_patch_gives_exactly_the_new_files(case: Case) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_tree(root, case.before)
        if not has_operations(case):
            return
        apply_patch(case.patch, root)
        assert files_only(read_tree(root)) == case.after


@SETTINGS
@given(cases())
def test_the_plan_diff_reproduces_the_patch(case: Case) -> None:
    if not has_operations(case):
        return
    with tempfile.TemporaryDirectory() as tmp:
        first, second = Path(tmp) / "a", Path(tmp) / "b"
        for root in (first, second):
            root.mkdir()
            write_tree(root, case.before)
        plan = build_patch_plan(case.patch, first)
        commit(plan)
        if any(f.overwritten and "\r\n" in (f.old_text or "") for f in plan.files):
            # Our parser takes a diff's CRLFs for transport noise (the file's own
            # endings win), so replacing a CRLF file by LF text cannot round-trip
            # through it; `git apply` keeps it (see test_patch_unified).
            return
        if any(f.old_text != f.new_text or f.old_path != f.new_path for f in plan.files):
            apply_patch(plan.diff, second)  # (an Add of identical bytes has no diff)
        assert read_tree(second) == read_tree(first)


@SETTINGS
@given(edit_pair(), st.integers(0, 3), st.integers(0, 8), st.booleans())
def test_unified_diff_applies_even_with_shifted_line_numbers(
    pair: tuple[list[str], list[str]], context: int, shift: int, shift_down: bool
) -> None:
    old, new = pair
    diff = "".join(
        line if line.endswith("\n") else line + "\n"
        for line in difflib.unified_diff(
            [line + "\n" for line in old],
            [line + "\n" for line in new],
            "a/f.txt",
            "b/f.txt",
            n=context,
        )
    )
    if not diff:
        return
    if context == 0 or not old:
        shift = 0  # without context lines the line numbers are all there is to go by
    # Lines the diff does not know about move everything by `shift`.
    padding = [f"padding {i} *" for i in range(shift)]
    before, after = (padding + old, padding + new) if shift_down else (old + padding, new + padding)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_tree(root, {"f.txt": text_of(before)})
        apply_patch(diff, root)
        assert (root / "f.txt").read_text() == text_of(after)


CORRUPTIONS = ["drop", "duplicate", "swap", "retype", "prefix", "truncate", "insert"]


@st.composite
def corrupted(draw: st.DrawFn) -> tuple[Case, str]:
    case = draw(cases())
    lines = case.patch.split("\n")
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(CORRUPTIONS))
        if how == "drop":
            del lines[i]
        elif how == "duplicate":
            lines.insert(i, lines[i])
        elif how == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
        elif how == "retype" and lines[i]:
            j = draw(st.integers(0, len(lines[i]) - 1))
            lines[i] = lines[i][:j] + draw(st.sampled_from("x -+@*:/.")) + lines[i][j + 1 :]
        elif how == "prefix":
            lines[i] = draw(st.sampled_from(["", " ", "-", "+", "@@ ", "*** "])) + lines[i][1:]
        elif how == "truncate":
            lines = lines[:i]
        elif how == "insert":
            lines.insert(i, draw(LINE))
    return case, "\n".join(lines)


def expected_after_plan(before: dict[str, bytes | str], plan) -> dict[str, bytes | str]:
    tree = files_only(before)
    for change in plan.files:
        if change.old_path is not None and change.kind in ("delete", "move"):
            tree.pop(change.old_path)
        if change.new_text is not None:
            tree[change.path] = change.new_text.encode("utf-8", "surrogateescape")
    return tree


@SETTINGS
@given(corrupted())
def test_a_corrupted_patch_applies_as_planned_or_changes_nothing(sample: tuple[Case, str]) -> None:
    case, patch = sample
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_tree(root, case.before)
        before = read_tree(root)
        try:
            plan = build_patch_plan(patch, root)
            commit(plan)
        except PatchError as exc:
            assert "\n" not in str(exc)
            assert read_tree(root) == before
            return
        assert files_only(read_tree(root)) == expected_after_plan(before, plan)


@SETTINGS
@given(cases(), st.sampled_from(COMMIT_CALLS), st.integers(1, 12))
def test_a_commit_failing_at_any_step_changes_nothing(case: Case, call: str, when: int) -> None:
    if not has_operations(case):
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_tree(root, case.before)
        before = read_tree(root)
        plan = build_patch_plan(case.patch, root)
        with failing_os_call(call, when):
            try:
                commit(plan)
            except CommitError:
                failed = True
            else:
                failed = False
        if failed:
            assert read_tree(root) == before
            assert recover_unfinished_commit(root) is None
        else:
            # A failure after the commit point leaves backups for the next recovery.
            recover_unfinished_commit(root)
            assert files_only(read_tree(root)) == expected_after_plan(before, plan)
