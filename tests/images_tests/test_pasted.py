"""A paste that is a dropped image file (its path, as terminals paste it)."""

from __future__ import annotations

from pathlib import Path

from codex_tui.images.pasted import pasted_image_paths


def test_quoted_escaped_uri_and_several(tmp_path: Path) -> None:
    spaced = tmp_path / "my shot.png"
    plain = tmp_path / "b.JPG"
    spaced.write_bytes(b"x")
    plain.write_bytes(b"x")
    assert pasted_image_paths(f"'{spaced}'", tmp_path) == [spaced]
    assert pasted_image_paths(f'"{spaced}"\n', tmp_path) == [spaced]
    assert pasted_image_paths(str(spaced).replace(" ", "\\ "), tmp_path) == [spaced]
    assert pasted_image_paths(f"file://{str(spaced).replace(' ', '%20')}", tmp_path) == [spaced]
    assert pasted_image_paths(f"'{spaced}' {plain}", tmp_path) == [spaced, plain]
    assert pasted_image_paths("b.JPG", tmp_path) == [plain]  # relative to the workspace


def test_anything_else_is_text(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("x")
    for text in (
        "look at a.png please",  # words around it
        str(tmp_path / "notes.txt"),  # not an image
        str(tmp_path / "gone.png"),  # no such file
        str(tmp_path),  # a folder
        "'unbalanced",
        "",
        "a.png " * 2000,  # far too long for a drop
        "~no-such-user-here/shot.png",  # no home to expand: text, not a crash
    ):
        assert pasted_image_paths(text, tmp_path) is None, text
