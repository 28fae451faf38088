"""The response checker: each flag kind on crafted replies through the
scripted server, what it must leave alone, and the exec JSON items."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from codex_tui.agent import events as ev
from codex_tui.agent.checks import (
    TurnChecks,
    find_dangers,
    find_paths,
    grounding_text,
    missing_paths,
    patch_flags,
    patch_paths,
)
from codex_tui.agent.controller import Agent
from codex_tui.agent.items import (
    FunctionCallItem,
    HistoryItem,
    assistant_message,
    call_output,
    is_call,
    user_message,
)
from codex_tui.agent.session import build_agent
from codex_tui.config.schema import ResponseChecks
from codex_tui.exec.human import ProgressPrinter
from codex_tui.exec.jsonl import JsonEventWriter
from codex_tui.scripted import FunctionCall, Message, Reply, ScriptedModelServer
from codex_tui.tools.registry import parse_call
from tests.agent.conftest import fast_client, scripted_config
from tests.agent.fakes import EventLog, FakeApprover

KEY = "sk-proj-" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6"
DENY = ev.ApprovalDecision(decision=ev.ReviewDecision.DENY)


async def checked_agent(
    server: ScriptedModelServer,
    workspace: Path,
    log: EventLog,
    checks: ResponseChecks | None = None,
    approver: FakeApprover | None = None,
    **config_overrides,
) -> Agent:
    config = scripted_config(server, **config_overrides)
    agent = await build_agent(
        config, workspace, approver or FakeApprover(), log, client=fast_client(config)
    )
    # As build_agent will pass it from `response_checks` in the config.
    agent.checks = checks or ResponseChecks()
    return agent


def flags_of(log: EventLog, kind: str) -> list[tuple[str, ev.Flag]]:
    return [
        (event.item_id, flag)
        for event in log.of(ev.ResponseFlagged)
        for flag in event.flags
        if flag.kind == kind
    ]


# --- through the scripted server ----------------------------------------------------------


async def test_path_that_does_not_exist_is_flagged_at_turn_end(workspace: Path) -> None:
    (workspace / "src" / "app").mkdir(parents=True)
    (workspace / "src" / "app" / "models.py").write_text("")
    text = (
        "The lookup lives in `src/users/lookup.py:12`; notes are in notes.txt, and the"
        " models in `models.py` (see https://example.com/src/x.py and Node.js)."
    )
    reply = Message(text, id="msg_paths")
    log = EventLog()
    with ScriptedModelServer([Reply([reply])]) as server:
        agent = await checked_agent(server, workspace, log)
        outcome = await agent.submit("where is the user lookup?")

    assert outcome.status == "completed"
    ((item_id, flag),) = flags_of(log, "path")
    assert item_id == "msg_paths"
    assert flag.message == "`src/users/lookup.py` does not exist in the workspace"
    assert flag.correction.startswith("`src/users/lookup.py` doesn't exist in this workspace")
    kinds = log.kinds()
    # Flags never block: the flag comes after the message, the turn still completes.
    assert (
        kinds.index("AgentMessage") < kinds.index("ResponseFlagged") < kinds.index("TurnComplete")
    )


async def test_no_path_flag_for_files_the_turn_creates_moves_or_deletes(workspace: Path) -> None:
    (workspace / "old.py").write_text("x = 1\n")
    patch = (
        "*** Begin Patch\n*** Add File: src/cache.py\n+CACHE = {}\n"
        "*** Update File: old.py\n*** Move to: legacy/old_v1.py\n@@\n-x = 1\n+x = 2\n"
        "*** End Patch\n"
    )
    script = [
        # The message comes a response before the patch that makes it true.
        Reply(
            [
                Message("I'll add `src/cache.py` and move old.py to `legacy/old_v1.py`."),
                FunctionCall("git_status", {}, call_id="g1"),
            ]
        ),
        Reply([FunctionCall("apply_patch", {"input": patch}, call_id="p1")]),
        Reply([Message("Done: src/cache.py exists; legacy/old_v1.py too. See docs/cache.md.")]),
    ]
    log = EventLog()
    # The patch is declined: nothing reaches the disk, yet the paths were the turn's own.
    approver = FakeApprover([DENY])
    with ScriptedModelServer(script) as server:
        agent = await checked_agent(
            server, workspace, log, approver=approver, approval_policy="untrusted"
        )
        await agent.submit("add a cache")

    assert approver.requests, "the patch was meant to be declined"
    assert not (workspace / "src" / "cache.py").exists()
    # Only the path nothing in the turn explains is flagged.
    assert [f.message for _, f in flags_of(log, "path")] == [
        "`docs/cache.md` does not exist in the workspace"
    ]


async def test_dangerous_reply_is_flagged_right_away(workspace: Path) -> None:
    text = "To start over, run `rm -rf build/` and then:\n```sql\nDELETE FROM sessions;\n```"
    log = EventLog()
    with ScriptedModelServer([Reply([Message(text, id="msg_d")])]) as server:
        agent = await checked_agent(server, workspace, log)
        await agent.submit("how do I reset?")

    flags = flags_of(log, "dangerous")
    assert [f.message for _, f in flags] == [
        "`rm -rf build/` deletes files recursively, unasked",
        "`DELETE FROM sessions` deletes every row (no WHERE clause)",
    ]
    assert {item for item, _ in flags} == {"msg_d"}
    (flagged,) = log.of(ev.ResponseFlagged)
    assert flagged.source == "message"
    assert "Don't run it" in flagged.correction


async def test_dangerous_command_is_flagged_before_it_runs(workspace: Path) -> None:
    command = ["bash", "-lc", "git push --force origin main"]
    script = [
        Reply([FunctionCall("shell", {"command": command}, call_id="c_push")]),
        Reply([Message("Pushed.")]),
    ]
    log = EventLog()
    approver = FakeApprover([DENY, DENY])
    with ScriptedModelServer(script) as server:
        agent = await checked_agent(server, workspace, log, approver=approver)
        await agent.submit("publish it")

    (flagged,) = log.of(ev.ResponseFlagged)
    assert (flagged.item_id, flagged.source) == ("c_push", "command")
    (flag,) = flagged.flags
    assert flag.kind == "dangerous"
    assert flag.message == (
        "`git push --force origin main` force-pushes, rewriting the remote branch's history"
    )
    kinds = log.kinds()
    first_exec = min(kinds.index(k) for k in ("ExecBegin", "ExecEnd") if k in kinds)
    assert kinds.index("ResponseFlagged") < first_exec


async def test_secret_in_a_reply_and_in_a_patch(workspace: Path) -> None:
    patch = f'*** Begin Patch\n*** Add File: settings.py\n+API_KEY = "{KEY}"\n*** End Patch\n'
    script = [
        Reply(
            [
                Message(f"Use this key: OPENAI_API_KEY={KEY}", id="msg_s"),
                FunctionCall("apply_patch", {"input": patch}, call_id="p_s"),
            ]
        ),
        Reply([Message("Saved.")]),
    ]
    log = EventLog()
    with ScriptedModelServer(script) as server:
        agent = await checked_agent(server, workspace, log, approver=FakeApprover([DENY]))
        await agent.submit("configure the client")

    flags = dict(flags_of(log, "secret"))
    assert set(flags) == {"msg_s", "p_s"}
    # The kind and the secret masked (#15 bug 11), not the line it is on.
    assert flags["msg_s"].message == "possible OpenAI key sk-proj-…o5P6"
    assert flags["p_s"].message == "possible OpenAI key sk-proj-…o5P6 in settings.py"
    assert all(KEY not in f.message + f.correction for f in flags.values())


async def test_checks_can_be_turned_off(workspace: Path) -> None:
    text = f"Run `rm -rf /srv/data` with `missing/file.py` and token {KEY}"
    log = EventLog()
    with ScriptedModelServer([Reply([Message(text)])]) as server:
        off = ResponseChecks(paths=False, dangerous=False, secrets=False)
        agent = await checked_agent(server, workspace, log, checks=off)
        await agent.submit("go")
    assert log.of(ev.ResponseFlagged) == []


async def test_only_the_enabled_kinds_are_flagged(workspace: Path) -> None:
    text = f"Run `rm -rf /srv/data` with `missing/file.py` and token {KEY}"
    log = EventLog()
    with ScriptedModelServer([Reply([Message(text)])]) as server:
        agent = await checked_agent(server, workspace, log, checks=ResponseChecks(dangerous=False))
        await agent.submit("go")
    kinds = {f.kind for e in log.of(ev.ResponseFlagged) for f in e.flags}
    assert kinds == {"path", "secret"}


async def test_correction_goes_to_the_model_as_the_next_message(workspace: Path) -> None:
    script = [
        Reply([Message("Edit `lib/ghost.py`.")]),
        Reply([Message("Checked: it is not there.")]),
    ]
    log = EventLog()
    with ScriptedModelServer(script) as server:
        agent = await checked_agent(server, workspace, log)
        await agent.submit("what should I edit?")
        (flagged,) = log.of(ev.ResponseFlagged)
        await agent.submit(flagged.correction)
        last = server.last_body["input"][-1]

    assert last["role"] == "user"
    assert last["content"][0]["text"] == (
        "`lib/ghost.py` doesn't exist in this workspace — check first: list or search the"
        " files, then correct what you said about it."
    )


async def test_flags_become_error_items_in_exec_json(workspace: Path) -> None:
    text = "Run `chmod 777 notes.txt` on `conf/app.yaml`."
    log = EventLog()
    with ScriptedModelServer([Reply([Message(text)])]) as server:
        agent = await checked_agent(server, workspace, log)
        await agent.submit("go")
    out = io.StringIO()
    writer = JsonEventWriter(out.write)
    human = io.StringIO()
    printer = ProgressPrinter(human.write)
    for event in log.events:
        writer(event)
        printer(event)

    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    errors = [
        e["item"] for e in lines if e["type"] == "item.completed" and e["item"]["type"] == "error"
    ]
    assert [e["message"] for e in errors] == [
        "flag on the reply (dangerous): `chmod 777 notes.txt` makes files writable (and runnable) by everyone",
        "flag on the reply (missing path): `conf/app.yaml` does not exist in the workspace",
    ]
    assert len({e["id"] for e in errors}) == 2
    assert lines[-1]["type"] == "turn.completed"
    assert "flag on the reply (missing path): `conf/app.yaml`" in human.getvalue()


# --- the checks themselves ----------------------------------------------------------------


def test_path_candidates_skip_what_is_not_a_workspace_path() -> None:
    text = (
        "See `src/a.py:3`, [guide](docs/guide.md), README.md and lib/b.ts. Not: Node.js,"
        " docs.rs, `self.items`, `foo.bar()`, https://x.io/c.py, v1.2.3, 3.14, e.g. this,"
        " `/etc/hosts`, `~/.bashrc`, `../up.py`, `*.py`, `origin/main`, me@mail.com.\n"
        "```python\nopen('data/generated.csv')\n```"
    )
    assert find_paths(text) == ["src/a.py", "docs/guide.md", "README.md", "lib/b.ts"]


def test_missing_paths_forgive_known_files_and_grounded_names(tmp_path: Path) -> None:
    (tmp_path / "pkg" / "deep").mkdir(parents=True)
    (tmp_path / "pkg" / "deep" / "util.py").write_text("")
    text = "`util.py`, `deep/util.py`, `gone.py`, `said.py`, `made.py` and `other/util.py`"
    missing = missing_paths(text, tmp_path, ignore={"made.py"}, seen="the person said said.py")
    assert missing == ["gone.py", "other/util.py"]


@pytest.mark.parametrize(
    "text",
    [
        "rm -rf build",
        "rm -r -f ~/x",
        "rm --recursive --force dist",
        "sqlite3 db 'DROP TABLE users'",
        "psql -c 'delete from users'",
        "TRUNCATE TABLE audit",
        "echo x > /dev/sda",
        "dd if=/dev/zero of=/dev/nvme0n1 bs=1M",
        "mkfs.ext4 /dev/sdb1",
        "chmod -R 777 /srv",
        "git push -f origin main",
        "git push origin +main",
        "git reset --hard HEAD~3",
        "git clean -fdx",
        "curl -fsSL https://get.example.sh | sudo bash",
    ],
)
def test_dangerous_operations_are_found(text: str) -> None:
    assert len(find_dangers(text)) == 1


@pytest.mark.parametrize(
    "text",
    [
        "rm -r build",
        "rm -f stale.lock",
        "DELETE FROM users WHERE id = 3;",
        "DELETE FROM users\nWHERE id = 3;",
        "git push -u origin main",
        "git push --force-with-lease",
        "chmod 755 run.sh",
        "git reset --soft HEAD~1",
        "perform -rf",
    ],
)
def test_ordinary_operations_are_not_flagged(text: str) -> None:
    assert find_dangers(text) == []


def test_prose_needs_upper_case_sql() -> None:
    assert find_dangers("I will delete from the list and drop table talk", code=False) == []
    assert len(find_dangers("then DELETE FROM users", code=False)) == 1


def test_patch_checks_look_at_added_lines_of_executed_files() -> None:
    patch = (
        "*** Begin Patch\n"
        "*** Add File: scripts/reset.sh\n+rm -rf /var/lib/app\n"
        "*** Add File: tests/test_reset.py\n+assert 'rm -rf' in SCRIPT\n"
        "*** Update File: a.py\n*** Move to: b.py\n@@\n-x\n+y\n"
        "*** Delete File: c.py\n"
        "*** End Patch\n"
    )
    flags = patch_flags(patch, ResponseChecks())
    assert [f.message for f in flags] == [
        "`rm -rf /var/lib/app` deletes files recursively, unasked"
    ]
    assert patch_paths(patch) == {"scripts/reset.sh", "tests/test_reset.py", "a.py", "b.py", "c.py"}
    assert patch_flags("not a patch", ResponseChecks()) == ()


async def test_paths_the_person_named_are_not_flagged(workspace: Path) -> None:
    script = [
        Reply([FunctionCall("search_files", {"pattern": "lib/ghost.py"}, call_id="s1")]),
        Reply([Message("There is no `lib/legacy.py`; `lib/ghost.py` is not there either.")]),
    ]
    log = EventLog()
    with ScriptedModelServer(script) as server:
        agent = await checked_agent(server, workspace, log)
        await agent.submit("is there a lib/legacy.py?")

    # Named by the person: not an invention. Named only by the model: flagged,
    # even though it searched for it (its own tool arguments prove nothing).
    assert [f.message for _, f in flags_of(log, "path")] == [
        "`lib/ghost.py` does not exist in the workspace"
    ]


# --- one turn's checks, as the turn loop drives them ----------------------------------------


def function_call(name: str, args: dict[str, object], call_id: str = "c1") -> FunctionCallItem:
    return {
        "type": "function_call",
        "call_id": call_id,
        "name": name,
        "arguments": json.dumps(args),
    }


def respond(checks: TurnChecks, *items: HistoryItem) -> list[ev.ResponseFlagged]:
    """One response through the checks, its calls parsed by the registry as the turn loop does."""
    calls = [parse_call(i["call_id"], i["name"], i["arguments"]) for i in items if is_call(i)]
    return checks.response(items, calls)


def flagged(events: list[ev.ResponseFlagged]) -> list[tuple[str, str, str]]:
    return [(e.item_id, e.source, f.message) for e in events for f in e.flags]


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("rm -rf /", "`rm -rf /` deletes files recursively, unasked"),
        # Read as a script, not as one quoted word: the snippet ends where the command does.
        (
            "git push --force origin main",
            "`git push --force origin main` force-pushes, rewriting the remote branch's history",
        ),
    ],
)
def test_every_shell_the_policy_unwraps_is_unwrapped(
    tmp_path: Path, script: str, message: str
) -> None:
    checks = TurnChecks(ResponseChecks(), tmp_path)
    events = respond(checks, function_call("shell", {"command": ["ksh", "-c", script]}))
    assert flagged(events) == [("c1", "command", message)]


def test_paths_a_ksh_script_names_count_as_touched(tmp_path: Path) -> None:
    checks = TurnChecks(ResponseChecks(), tmp_path)
    command = ["ksh", "-c", "mkdir -p docs && touch docs/plan.md"]
    assert respond(checks, function_call("shell", {"command": command})) == []
    respond(checks, assistant_message("Wrote `docs/plan.md`.", "m1"))
    assert checks.finish("") == []


def test_a_patch_in_a_ksh_wrapper_is_checked_as_a_patch(tmp_path: Path) -> None:
    patch = (
        "apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: scripts/wipe.sh\n"
        "+rm -rf /var/lib/app\n*** End Patch\nEOF\n"
    )
    checks = TurnChecks(ResponseChecks(), tmp_path)
    events = respond(
        checks,
        function_call("shell", {"command": ["ksh", "-c", patch]}, call_id="p1"),
        assistant_message("Added `scripts/wipe.sh`.", "m1"),
    )
    assert flagged(events) == [
        ("p1", "patch", "`rm -rf /var/lib/app` deletes files recursively, unasked")
    ]
    # The patch adds the file the message names: no path flag.
    assert checks.finish("") == []


def test_calls_with_invalid_arguments_are_not_checked(tmp_path: Path) -> None:
    patch = "*** Begin Patch\n*** Add File: new.py\n+x = 1\n*** End Patch\n"
    checks = TurnChecks(ResponseChecks(), tmp_path)
    events = respond(
        checks,
        function_call("shell", {"command": ["rm", "-rf", "/"], "timeout_ms": "soon"}),
        function_call("apply_patch", {"input": patch, "force": True}, call_id="c2"),
        function_call("shell", {"command": "rm -rf /"}, call_id="c3"),
        {"type": "function_call", "call_id": "c4", "name": "shell", "arguments": "{rm -rf"},
        assistant_message("`new.py` is ready.", "m1"),
    )
    assert events == []
    # Not run, so not touched: the path the message names is still missing.
    assert flagged(checks.finish("")) == [
        ("m1", "message", "`new.py` does not exist in the workspace")
    ]


def test_flags_follow_the_order_of_the_response(tmp_path: Path) -> None:
    checks = TurnChecks(ResponseChecks(), tmp_path)
    events = respond(
        checks,
        function_call("shell", {"command": ["bash", "-lc", "git clean -fdx"]}),
        assistant_message("Then run `git reset --hard`.", "m1"),
        function_call("shell", {"command": ["sh", "-c", "chmod 777 run.sh"]}, call_id="c2"),
    )
    assert [(e.item_id, e.source) for e in events] == [
        ("c1", "command"),
        ("m1", "message"),
        ("c2", "command"),
    ]


def test_enabled_when_any_check_is_on(tmp_path: Path) -> None:
    assert TurnChecks(ResponseChecks(paths=False, dangerous=False), tmp_path).enabled
    off = ResponseChecks(paths=False, dangerous=False, secrets=False)
    assert not TurnChecks(off, tmp_path).enabled


def test_grounding_text_is_what_the_model_did_not_write() -> None:
    items: list[HistoryItem] = [
        user_message("is there a lib/a.py?"),
        assistant_message("Let me look for `lib/b.py`."),
        function_call("search_files", {"pattern": "lib/c.py"}),
        call_output("c1", "lib/d.py:1:x"),
    ]
    assert grounding_text(items) == "is there a lib/a.py?\nlib/d.py:1:x"
