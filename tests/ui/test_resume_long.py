"""A long recorded session opens at once (#23): only its last turns are drawn,
older turns wait as recorded events and are drawn, in order, when scrolled to;
the plan carries across that boundary; quitting while the resumed agent is still
being built is quiet."""

from __future__ import annotations

from pathlib import Path

from codex_tui.sessions.files import encode_line
from codex_tui.ui.cell_window import CHUNK_TURNS, MIN_TAIL_TURNS, TAIL_TURNS, EarlierEvents
from codex_tui.ui.cells import AnswerCell, UserCell
from codex_tui.ui.note_cells import PlanCell
from tests.ui.conftest import wait_for

TURNS = 40


def plan(done: int) -> dict:
    steps = [
        {"step": f"step {n}", "status": "completed" if n < done else "pending"} for n in (0, 1)
    ]
    return {"type": "plan_update", "explanation": None, "plan": steps}


def write_long_session(home: Path, answer_lines: int = 1) -> Path:
    meta = {"id": "10ab0000-0000-4000-8000-000000000001", "originator": "codex-tui", "cwd": "/w"}
    lines = [encode_line("session_meta", meta)]
    for n in range(TURNS):
        lines.append(encode_line("event_msg", {"type": "user_message", "message": f"ask {n}"}))
        if n in (1, TURNS - 1):  # a plan long before the tail, its update in the tail
            lines.append(encode_line("event_msg", plan(0 if n == 1 else 1)))
        answer = "\n".join([f"done {n}"] + [f"line {k}" for k in range(1, answer_lines)])
        lines.append(encode_line("event_msg", {"type": "agent_message", "message": answer}))
        lines.append(encode_line("event_msg", {"type": "task_complete", "turn_id": f"t{n}"}))
    path = home / "sessions" / "2025" / "01" / "01" / "rollout-2025-01-01T10-00-00-10ab.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(lines))
    return path


def asks(app) -> list[str]:
    return [c.text for c in app.conversation.cells() if isinstance(c, UserCell)]


async def test_a_long_session_draws_its_tail_then_the_rest_when_scrolled_to(
    app_factory, isolated_home: Path
) -> None:
    path = write_long_session(isolated_home)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        app.session.resume(path)
        await wait_for(pilot, lambda: app.agent is not None and app.agent.session_path == path)
        conversation = app.conversation
        assert asks(app) == [f"ask {n}" for n in range(TURNS - TAIL_TURNS, TURNS)]
        chunks = [e for e in conversation.hidden if isinstance(e, EarlierEvents)]
        assert len(chunks) == -(-(TURNS - TAIL_TURNS) // CHUNK_TURNS)
        # The plan update in the tail is told as a change of the plan drawn long before.
        (update,) = [c for c in conversation.cells() if isinstance(c, PlanCell)]
        assert update.before is not None, "an update of the earlier plan, not a new plan"
        answers = [c for c in conversation.cells() if isinstance(c, AnswerCell)]
        assert answers[-1].text == f"done {TURNS - 1}"
        assert conversation.last_answer == f"done {TURNS - 1}"

        while conversation.hidden:
            conversation.scroll_home(animate=False)
            await pilot.pause(0.05)
        assert asks(app) == [f"ask {n}" for n in range(TURNS)]
        plans = [c for c in conversation.cells() if isinstance(c, PlanCell)]
        assert len(plans) == 2, "the early plan, drawn whole, and the update"


async def test_quitting_while_a_resumed_agent_is_built_is_quiet(
    app_factory, isolated_home: Path
) -> None:
    path = write_long_session(isolated_home)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        app.session.resume(path)
        await wait_for(
            pilot, lambda: any(isinstance(c, UserCell) for c in app.conversation.cells())
        )
        app.exit()
    # run_test re-raises a worker's failure: reaching here is the test.
    assert app.return_code in (0, None)


async def test_long_turns_draw_only_the_last_turns_that_fill_the_screen(
    app_factory, isolated_home: Path
) -> None:
    # Each answer is 80 lines: two turns fill two 30-row screens, so the rest waits.
    path = write_long_session(isolated_home, answer_lines=80)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.agent is not None)
        app.session.resume(path)
        await wait_for(pilot, lambda: app.agent is not None and app.agent.session_path == path)
        assert asks(app) == [f"ask {n}" for n in range(TURNS - MIN_TAIL_TURNS, TURNS)]
        assert app.conversation.last_answer.endswith("line 79")
        app.conversation.scroll_home(animate=False)
        await wait_for(pilot, lambda: len(asks(app)) > MIN_TAIL_TURNS, what="earlier turns")
        assert asks(app)[-MIN_TAIL_TURNS - 1] == f"ask {TURNS - MIN_TAIL_TURNS - 1}"


async def test_a_resumed_session_is_on_the_first_frame(
    scripted_server, workspace: Path, isolated_home: Path
) -> None:
    # `codex-tui resume ID`: the transcript is drawn before the first frame, not
    # after it (a thread and a second frame later); the agent follows, built from
    # the same read of the file.
    from codex_tui.ui.app import CodexApp, Launch
    from tests.agent.conftest import fast_client, scripted_config

    path = write_long_session(isolated_home)
    config = scripted_config(scripted_server)
    app = CodexApp(Launch(config, workspace, client=fast_client(config), resume=path))
    async with app.run_test(size=(100, 30)) as pilot:
        # Before any pause: the first frame has been composed with the history.
        assert app.agent is None
        assert asks(app)[-1] == f"ask {TURNS - 1}"
        assert app.conversation.last_answer == f"done {TURNS - 1}"
        await wait_for(pilot, lambda: app.agent is not None and app.agent.session_path == path)
        assert asks(app) == [f"ask {n}" for n in range(TURNS - TAIL_TURNS, TURNS)], "drawn once"


async def test_a_damaged_session_at_launch_is_one_error_note(
    scripted_server, workspace: Path, isolated_home: Path
) -> None:
    from codex_tui.ui.app import CodexApp, Launch
    from tests.agent.conftest import fast_client, scripted_config
    from tests.ui.conftest import screen_text

    path = isolated_home / "sessions" / "2025" / "01" / "01" / "rollout-2025-01-01T10-00-00-x.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text("not a session\n")
    config = scripted_config(scripted_server)
    app = CodexApp(Launch(config, workspace, client=fast_client(config), resume=path))
    async with app.run_test(size=(100, 30)) as pilot:
        # Not drawn before the first frame (it cannot be read): the worker reads it
        # and says why, once.
        await wait_for(pilot, lambda: "empty session file" in screen_text(app), what="the error")
        await pilot.pause(0.2)
        assert screen_text(app).count("empty session file") == 1
        assert app.agent is None


def test_only_a_plain_file_is_drawn_before_the_first_frame(tmp_path: Path) -> None:
    """show_now reads before the first frame: a FIFO (which would block it) or a
    missing file is left to the resume worker, which reads off the event loop."""
    import os
    import threading

    from codex_tui.ui.session import SessionController

    fifo = tmp_path / "rollout-x.jsonl"
    os.mkfifo(fifo)
    controller = SessionController(app=None)  # type: ignore[arg-type] # never reached
    outcome: list[object] = []
    reader = threading.Thread(target=lambda: outcome.append(controller.show_now(fifo)))
    reader.daemon = True
    reader.start()
    reader.join(5)
    if reader.is_alive():  # unblock it, then fail
        with open(fifo, "wb"):
            pass
    assert outcome == [None]
    assert controller.show_now(tmp_path / "missing.jsonl") is None
