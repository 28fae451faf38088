"""Every `.git` under the writable roots stays read-only, not only the top-level one.

A nested repository (vendor/lib/.git) whose hooks a command could write would
run that command's code the next time a person runs git there.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from codex_tui.sandbox import Mechanism, Sandbox, SandboxPolicy, gitdirs
from codex_tui.sandbox.gitdirs import find_git_entries
from tests.sandbox.conftest import VARIANTS, Dirs, require


@pytest.fixture
def nested(dirs: Dirs) -> Path:
    """vendor/lib: a repository two levels deep; third_party/mod: a `.git` file whose
    gitdir lies elsewhere in the workspace (as `git worktree` and submodules do)."""
    ws = dirs.workspace
    lib_git = ws / "vendor" / "lib" / ".git"
    (lib_git / "hooks").mkdir(parents=True)
    (lib_git / "config").write_text("[core]\n")
    (ws / "vendor" / "lib" / "pkg").mkdir()
    (ws / "vendor" / "lib" / "README").write_text("lib\n")
    mod_gitdir = ws / "modules" / "mod.git"
    (mod_gitdir / "hooks").mkdir(parents=True)
    (ws / "third_party" / "mod").mkdir(parents=True)
    (ws / "third_party" / "mod" / ".git").write_text("gitdir: ../../modules/mod.git\n")
    return ws


ATTEMPTS = {
    "nested hook": "echo pwned > vendor/lib/.git/hooks/pre-commit",
    "nested config": "echo pwned >> vendor/lib/.git/config",
    "gitdir target hook": "echo pwned > modules/mod.git/hooks/pre-commit",
    "rewrite a .git file": "echo 'gitdir: /tmp/evil' > third_party/mod/.git",
    "swap a nested .git": "mv vendor/lib/.git vendor/lib/old-git; mkdir -p vendor/lib/.git/hooks"
    " && echo pwned > vendor/lib/.git/hooks/pre-commit",
}


def escaped(name: str, ws: Path) -> bool:
    return {
        "nested hook": (ws / "vendor/lib/.git/hooks/pre-commit").exists(),
        "nested config": "pwned" in (ws / "vendor/lib/.git/config").read_text(),
        "gitdir target hook": (ws / "modules/mod.git/hooks/pre-commit").exists(),
        "rewrite a .git file": "evil" in (ws / "third_party/mod/.git").read_text(),
        "swap a nested .git": (ws / "vendor/lib/old-git").exists()
        or (ws / "vendor/lib/.git/hooks/pre-commit").exists(),
    }[name]


@pytest.mark.parametrize("name", ATTEMPTS)
@pytest.mark.parametrize("variant", VARIANTS)
async def test_nested_git_is_read_only(make_sandbox, nested: Path, variant, name) -> None:
    sandbox = make_sandbox("workspace-write", variant[0], namespaces=variant[1])
    result = await sandbox.run(["sh", "-c", ATTEMPTS[name]])
    assert not escaped(name, nested), result.output
    assert result.exit_code != 0, result.output


@pytest.mark.parametrize("variant", VARIANTS)
async def test_moving_a_repository_does_not_move_it_out_of_protection(
    make_sandbox, nested: Path, variant
) -> None:
    """Protection is found once per session: renaming the directory above a `.git`
    in one command must neither leave it writable in the next nor stop the next
    from starting (its old place is gone)."""
    sandbox = make_sandbox("workspace-write", variant[0], namespaces=variant[1])
    moved = await sandbox.run(["sh", "-c", "mv vendor/lib vendor/moved || mv vendor moved"])
    hook = "echo ran; echo pwned > vendor/moved/.git/hooks/pre-commit; echo pwned > moved/lib/.git/hooks/x"
    result = await sandbox.run(["sh", "-c", hook])
    assert result.output.startswith("ran\n"), moved.output + result.output
    assert not list(nested.glob("**/hooks/pre-commit")) and not list(nested.glob("**/hooks/x"))


@pytest.mark.parametrize("variant", VARIANTS)
async def test_the_rest_of_a_nested_repository_is_writable(make_sandbox, nested, variant) -> None:
    sandbox = make_sandbox("workspace-write", variant[0], namespaces=variant[1])
    script = "echo x >> vendor/lib/README && mkdir vendor/lib/pkg/new && echo y > vendor/lib/pkg/f"
    result = await sandbox.run(["sh", "-c", script])
    assert result.exit_code == 0, result.output


def test_discovery_finds_every_git_and_stops_at_each(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / ".git" / "modules" / "inner" / ".git").mkdir(parents=True)  # inside .git: not walked
    (ws / "a" / "b" / ".git").mkdir(parents=True)
    (ws / "a" / "c").mkdir()
    (ws / "a" / "c" / ".git").write_text("gitdir: ../../.git/modules/c\n")
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "repo" / ".git").mkdir(parents=True)
    (ws / "link").symlink_to(elsewhere)  # symlinks are not followed
    scan = find_git_entries((ws,))
    assert set(scan.entries) == {ws / ".git", ws / "a" / "b" / ".git", ws / "a" / "c" / ".git"}
    assert scan.complete


def test_discovery_is_capped(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    for i in range(60):
        for j in range(60):
            (ws / f"d{i}" / f"e{j}").mkdir(parents=True)
    (ws / "d0" / ".git").mkdir()  # shallow: found before the cap
    (ws / "d59" / "e59" / "deep" / ".git").mkdir(parents=True)  # beyond the cap
    started = time.monotonic()
    scan = find_git_entries((ws,), max_dirs=500)
    assert time.monotonic() - started < 2
    assert scan.dirs_scanned == 500 and not scan.complete
    assert ws / "d0" / ".git" in scan.entries
    assert ws / "d59" / "e59" / "deep" / ".git" not in scan.entries
    timed = find_git_entries((ws,), budget_s=0.0)
    assert not timed.complete and timed.dirs_scanned <= 1


def test_protected_paths_follow_gitdir_files_and_skip_outside_targets(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "modules" / "x.git").mkdir(parents=True)
    (ws / "sub").mkdir()
    (ws / "sub" / ".git").write_text("gitdir: ../modules/x.git\n")
    (ws / "away").mkdir()
    (ws / "away" / ".git").write_text(f"gitdir: {tmp_path / 'outside.git'}\n")
    protected = gitdirs.protected_paths((ws,))
    assert set(protected) == {ws / "sub" / ".git", ws / "modules" / "x.git", ws / "away" / ".git"}


async def test_discovery_runs_once_per_sandbox(dirs: Dirs, monkeypatch) -> None:
    require(Mechanism.BWRAP)
    calls = []
    real = gitdirs.find_git_entries
    monkeypatch.setattr(
        gitdirs, "find_git_entries", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    sandbox = Sandbox(SandboxPolicy(), workspace=dirs.workspace, mechanism=Mechanism.BWRAP)
    try:
        for _ in range(3):
            assert (await sandbox.run(["true"])).exit_code == 0
        assert sandbox.protected_paths() == (dirs.workspace / ".git",)
    finally:
        sandbox.close()
    assert len(calls) == 1
    assert os.path.isdir(dirs.workspace / ".git")
