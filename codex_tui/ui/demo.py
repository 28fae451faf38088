"""`codex-tui --demo`: a realistic scripted turn against a local scripted model
server, in a throw-away project, so a newcomer can try every pane without a key."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from codex_tui.config import Config
from codex_tui.config.schema import ModelProvider
from codex_tui.scripted import FunctionCall, Message, Reasoning, Reply, ScriptedModelServer
from codex_tui.scripted.steps import OutputItem

PROMPT = "Add a --shout option to greet.py that prints the greeting in capitals, and test it."

BANNER = """\
**Demo mode.** This is a scripted session in a throw-away project \
(`{root}`): the model is a local script, nothing leaves this machine. \
Watch the plan on the right, approve the patch with `y` (or toggle hunks with \
space), decide on the command, then try `/diff`, `/status`, `/theme` and ctrl+p."""

GREET = """\
import sys


def greet(name):
    return f"Hello, {name}!"


def main(argv):
    name = argv[1] if len(argv) > 1 else "world"
    print(greet(name))


if __name__ == "__main__":
    main(sys.argv)
"""

TEST = """\
from greet import greet

assert greet("Ada") == "Hello, Ada!"
print("1 test passed")
"""

PATCH = """\
*** Begin Patch
*** Update File: greet.py
@@
-def greet(name):
-    return f"Hello, {name}!"
+def greet(name, shout=False):
+    text = f"Hello, {name}!"
+    return text.upper() if shout else text
@@
 def main(argv):
-    name = argv[1] if len(argv) > 1 else "world"
-    print(greet(name))
+    shout = "--shout" in argv[1:]
+    names = [a for a in argv[1:] if a != "--shout"]
+    print(greet(names[0] if names else "world", shout=shout))
*** Update File: test_greet.py
@@
 assert greet("Ada") == "Hello, Ada!"
-print("1 test passed")
+assert greet("Ada", shout=True) == "HELLO, ADA!"
+print("2 tests passed")
*** End Patch
"""

FINAL = """\
Done. `greet.py` now takes a `--shout` option:

```python
def greet(name, shout=False):
    text = f"Hello, {name}!"
    return text.upper() if shout else text
```

- `python3 greet.py Ada --shout` prints `HELLO, ADA!`
- `test_greet.py` covers both forms; both tests pass.

*(This was the demo script. Ask anything else and the scripted model will \
explain how to connect a real one.)*"""

AFTER = """\
This is still the demo's scripted model, so it cannot really answer. To use a \
real model, set `OPENAI_API_KEY` (or configure a provider such as Ollama in \
`~/.codex-tui/config.yaml`) and start `codex-tui` in your repository."""


def plan(*statuses: str) -> dict:
    steps = ["Read greet.py", "Add the --shout option", "Run the tests"]
    return {
        "explanation": "Small change: a flag, the function, a test.",
        "plan": [{"step": s, "status": st} for s, st in zip(steps, statuses, strict=True)],
    }


def script() -> list[Reply]:
    """The demo turn, then a polite fallback for anything asked afterwards."""

    def reply(items: list[OutputItem]) -> Reply:
        return Reply(items, chunk_size=6, delay_per_delta_s=0.012)

    steps = [
        reply(
            [
                Reasoning("**Looking at the entry point**\n\nI should read greet.py first."),
                FunctionCall("update_plan", plan("in_progress", "pending", "pending")),
                FunctionCall("read_file", {"path": "greet.py"}),
            ],
        ),
        reply(
            [
                Message(
                    "`main` takes the name from `argv`; I'll add the flag there and a"
                    " `shout` parameter to `greet`."
                ),
                FunctionCall("update_plan", plan("completed", "in_progress", "pending")),
                FunctionCall("apply_patch", {"input": PATCH}),
            ],
        ),
        reply(
            [
                FunctionCall("update_plan", plan("completed", "completed", "in_progress")),
                FunctionCall(
                    "shell",
                    {
                        "command": ["python3", "test_greet.py"],
                        "justification": "Run the tests to check the new option.",
                    },
                ),
            ],
        ),
        # A call is answered by another request: the plan's last tick comes
        # alone, and the turn ends on the answer, not on a question nobody asked.
        reply([FunctionCall("update_plan", plan("completed", "completed", "completed"))]),
        reply([Message(FINAL)]),
    ]
    return steps + [reply([Message(AFTER)]) for _ in range(50)]


def make_workspace() -> Path:
    root = Path(tempfile.mkdtemp(prefix="codex-tui-demo-"))
    (root / "greet.py").write_text(GREET)
    (root / "test_greet.py").write_text(TEST)
    git = ["git", "-c", "user.name=demo", "-c", "user.email=demo@example.invalid"]
    try:
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
        subprocess.run(["git", "add", "-A"], cwd=root, check=True)
        subprocess.run([*git, "commit", "-qm", "greet"], cwd=root, check=True)
    except (OSError, subprocess.CalledProcessError):
        pass  # the demo works without git, only /diff has less to show
    return root


def demo_config(base: Config, server: ScriptedModelServer) -> Config:
    """The person's config, pointed at the scripted server, asking for everything
    the demo wants to show."""
    base.model_providers["demo"] = ModelProvider(
        name="demo (scripted)", base_url=server.base_url, wire_api="responses", env_key=None
    )
    base.model_provider = "demo"
    base.model = "gpt-5-codex"
    base.approval_policy = "untrusted"  # so the patch and the command both ask
    base.sandbox_mode = "workspace-write"
    return base
