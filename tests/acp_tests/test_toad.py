"""Toad, a real ACP client (batrachian-toad, on Textual), driving `codex-tui acp`
in a real terminal (tmux) against the scripted model: a person types a prompt,
approves the patch the model proposes in Toad's permission screen, and reads the
answer. Toad needs Python 3.14, so it runs in the Debian root that
scripts/toad-root builds (a minute or so the first time, cached outside the
checkout) and that bubblewrap enters; the model server stays on the host's
127.0.0.1, which the root shares."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from codex_tui.scripted import FunctionCall, Message, Reply, ScriptedModelServer
from tests.agent.conftest import workspace  # noqa: F401 (a git repository with one file)
from tests.ui.test_terminal import Terminal

ROOT = Path(__file__).resolve().parents[2]
TOAD_ROOT = ROOT / "scripts" / "toad-root"

PATCH = """\
*** Begin Patch
*** Update File: notes.txt
@@
 alpha
-beta
+gamma from toad
*** Add File: frog.txt
+ribbit
*** End Patch
"""
ANSWER = "Both files are written and Toad approved the patch"


@pytest.fixture(scope="session")
def toad_root() -> Path:
    """The root with Toad in it, built when missing (scripts/test builds it first)."""
    for tool in ("tmux", "bwrap"):
        if shutil.which(tool) is None:
            pytest.fail(f"the Toad test needs {tool} (scripts/test installs it)")
    done = subprocess.run(
        [str(TOAD_ROOT)], capture_output=True, text=True, timeout=900, check=False
    )
    assert done.returncode == 0, f"scripts/toad-root failed:\n{done.stderr}"
    return Path(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def toad(
    toad_root: Path,
    workspace: Path,  # noqa: F811
    isolated_home: Path,
) -> Iterator[tuple[Terminal, ScriptedModelServer]]:
    script = [
        Reply([FunctionCall("apply_patch", {"input": PATCH}, call_id="patch")]),
        Reply([Message(ANSWER + ".")]),
    ]
    with ScriptedModelServer(script) as server:
        (isolated_home / "config.yaml").write_text(
            "model_provider: scripted\n"
            "approval_policy: untrusted\n"  # the patch needs the person's yes
            "model_providers:\n"
            "  scripted:\n"
            f"    base_url: {server.base_url}\n"
            "    request_max_retries: 1\n"
        )
        env = {**os.environ, "CODEX_TUI_HOME": str(isolated_home), "TERM": "xterm-256color"}
        argv = [
            str(TOAD_ROOT), "run", "--bind", str(workspace), "--",  # and $CODEX_TUI_HOME
            "toad", "acp", "codex-tui acp", str(workspace),
        ]  # fmt: skip
        term = Terminal(f"codex-tui-toad-{os.getpid()}-{time.monotonic_ns()}", workspace, env, argv)
        try:
            term.tmux("resize-window", "-t", "app", "-x", "120", "-y", "40")
            yield term, server
        finally:
            term.close()
        assert not server.errors, "\n".join(server.errors)


def test_toad_prompt_permission_patch_and_answer(
    toad: tuple[Terminal, ScriptedModelServer],
    workspace: Path,  # noqa: F811
) -> None:
    term, server = toad
    # Toad is up and has started the agent: its composer and the agent's name.
    term.wait_for("How can I help you today?", timeout=120)
    term.wait_for("codex-tui", timeout=30)

    term.keys("change the notes and add a frog")
    term.keys("Enter")
    # Toad's permission screen: the agent's request, the choices, and the diffs.
    term.wait_for("Allow once", timeout=60)
    term.wait_for("wishes to make the", timeout=10)
    # The changed files, then each diff under its (wrapped, absolute) path.
    for shown in (
        "📄 notes.txt",
        "📄 frog.txt",
        "(+1, -1)",
        "gamma from toad",
        "(+1, -0)",
        "ribbit",
    ):
        term.wait_for(shown, timeout=10)
    assert (workspace / "notes.txt").read_text() == "alpha\nbeta\n"  # not before the yes
    assert not (workspace / "frog.txt").exists()

    term.keys("a")  # allow once
    term.wait_for(ANSWER, timeout=60)
    assert (workspace / "notes.txt").read_text() == "alpha\ngamma from toad\n"
    assert (workspace / "frog.txt").read_text() == "ribbit\n"

    # The model asked once with the prompt and once with the patch's outcome.
    assert len(server.bodies) == 2, term.screen()
    first, second = server.bodies
    assert "change the notes and add a frog" in str(first["input"])
    (output,) = [i for i in second["input"] if i.get("type") == "function_call_output"]
    assert output["call_id"] == "patch"
    assert "declin" not in str(output["output"]).lower(), output
