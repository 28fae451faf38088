"""A repository's `.codex-tui/prompts` made hostile: nested or exploding front
matter, FIFOs, links to devices or out of the repository. Discovery never
raises or hangs; each bad file becomes a template whose use explains it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codex_tui.prompts import PromptTemplate, TemplateError, discover, find, render_named
from tests.tools.hostile import GiB, fifo, link, run_python, sparse

LAUGHS = (
    "---\ndescription: laughs\ndefaults:\n"
    '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"  {name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
        for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "---\n{{a}}\n"
)


def prompts(root: Path) -> Path:
    directory = root / ".codex-tui" / "prompts"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def discover_in_child(root: Path, home: Path, timeout: float = 20) -> dict[str, str | None]:
    """discover() in a child process with a deadline: each template's error."""
    result = run_python(
        f"""
        import json, os
        from pathlib import Path
        os.environ["CODEX_TUI_HOME"] = {str(home)!r}
        from codex_tui.prompts import discover
        print(json.dumps({{n: t.error for n, t in discover(Path({str(root)!r})).items()}}))
        """,
        timeout=timeout,
        memory_bytes=2 * GiB,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("front", "problem"),
    [
        ("description: " + "[" * 5000 + "]" * 5000, "nested more than 32 levels deep"),
        ("defaults: " + "{a: " * 3000 + "1" + "}" * 3000, "nested more than 32 levels deep"),
        ("description: &a [*a]", "an alias refers to a value that contains it"),
        ("defaults:\n  a: " + "9" * 5000, "Exceeds the limit (4300 digits)"),
        ("description: " + "x" * 20_000, "longer than 16 KiB"),
    ],
    ids=["deep-list", "deep-map", "self-alias", "huge-int", "long"],
)
def test_hostile_front_matter_is_one_error(repo: Path, front: str, problem: str) -> None:
    path = prompts(repo) / "bad.md"
    path.write_text(f"---\n{front}\n---\n{{{{a}}}}\n")
    (prompts(repo) / "good.md").write_text("Fine {{x}}.\n")

    templates = discover(repo)  # RecursionError / ValueError here before

    assert templates["good"].error is None
    error = templates["bad"].error
    assert error is not None and str(path) in error and problem in error
    assert "\n" not in error
    with pytest.raises(TemplateError, match="malformed front matter"):
        find(repo, "bad").render({"a": "1"})


def test_billion_laughs_front_matter_is_refused_at_once(repo: Path, isolated_home: Path) -> None:
    (prompts(repo) / "laughs.md").write_text(LAUGHS)
    errors = discover_in_child(repo, isolated_home, timeout=30)
    assert "aliases expand to more than 10,000 values" in (errors["laughs"] or "")


def test_fifos_and_devices_never_block_discovery(
    repo: Path, isolated_home: Path, tmp_path: Path
) -> None:
    fifo(prompts(repo) / "pipe.md")
    link(prompts(repo) / "zero.md", "/dev/zero")
    sparse(tmp_path / "giant.md", 8 * GiB, b"Giant {{x}}\n")
    link(prompts(repo) / "giant.md", tmp_path / "giant.md")
    (prompts(repo) / "good.md").write_text("Fine {{x}}.\n")
    fifo(isolated_home / "prompts" / "mine.md")

    errors = discover_in_child(repo, isolated_home)

    # Not regular files: left out, as before (listing only); nothing blocks.
    assert errors == {"giant": errors["giant"], "good": None}
    assert "outside" in (errors["giant"] or "")


def test_links_out_of_the_repository_are_refused(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.md").write_text("The secret is {{x}}.\n")
    link(prompts(repo) / "leak.md", tmp_path / "secret.md")
    (repo / "docs").mkdir()
    (repo / "docs" / "shared.md").write_text("Shared {{x}}.\n")
    link(prompts(repo) / "shared.md", "../../docs/shared.md")

    templates = discover(repo)

    assert templates["shared"].error is None  # a link inside the repository is fine
    assert render_named(repo, "shared", ["x=1"]) == "Shared 1.\n"
    error = templates["leak"].error or ""
    assert error == (
        f"cannot read prompt template {prompts(repo) / 'leak.md'}: is a symbolic link to"
        f" {tmp_path / 'secret.md'}, outside {repo}"
    )
    with pytest.raises(TemplateError, match="outside"):
        render_named(repo, "leak", ["x=1"])


def test_the_person_s_own_templates_may_link_anywhere(
    repo: Path, isolated_home: Path, tmp_path: Path
) -> None:
    (tmp_path / "dotfiles").mkdir()
    (tmp_path / "dotfiles" / "mine.md").write_text("Mine {{x}}.\n")
    link(isolated_home / "prompts" / "mine.md", tmp_path / "dotfiles" / "mine.md")
    assert render_named(repo, "mine", ["x=1"]) == "Mine 1.\n"


def test_a_template_file_over_the_cap_is_not_read_whole(repo: Path, tmp_path: Path) -> None:
    path = sparse(prompts(repo) / "huge.md", 300 * 1024, b"Huge {{x}}\n")
    with pytest.raises(TemplateError) as info:
        PromptTemplate.load(path, "repo", beneath=repo)
    assert str(info.value) == f"cannot read prompt template {path}: is larger than 256 KiB"


def test_find_reads_only_the_named_template(repo: Path) -> None:
    (prompts(repo) / "good.md").write_text("Fine {{x}}.\n")
    for i in range(5):
        (prompts(repo) / f"bad{i}.md").write_text("---\ndescription: [\n---\n")
    assert render_named(repo, "good", ["x=1"]) == "Fine 1.\n"
    with pytest.raises(TemplateError, match=r"available: /bad0, /bad1, .*/good$"):
        find(repo, "nope")


def test_a_crowded_directory_yields_a_bounded_number_of_templates(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from codex_tui.prompts import discovery

    monkeypatch.setattr(discovery, "MAX_TEMPLATES", 3)
    for i in range(10):
        (prompts(repo) / f"t{i}.md").write_text("T\n")
    assert list(discover(repo)) == ["t0", "t1", "t2"]
