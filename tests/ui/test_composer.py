"""The composer, driven with Textual's pilot inside a tiny host app; and its fuzzy ranking."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from codex_tui.ui.completion import FINE_SCORE_BUDGET, FuzzyIndex, fuzzy_match, rank
from codex_tui.ui.composer import NEWLINE_KEYS, Composer
from codex_tui.ui.history import HistoryStore

COMMANDS = [
    ("new", "start a new session"),
    ("model", "choose the model"),
    ("mode", "a command that shares a prefix"),
    ("quit", "leave codex-tui"),
]


class Host(App):
    """A conversation stand-in above a composer; records what reaches the app."""

    CSS = "#conversation { height: 1fr; } Composer { dock: bottom; }"
    # Not priority bindings: they only run if the composer lets the key through.
    BINDINGS = [
        Binding("escape", "record('escape')"),
        Binding("ctrl+c", "record('ctrl+c')"),
    ]

    def __init__(self, **composer_options) -> None:
        super().__init__()
        self.composer_options = composer_options
        self.submitted: list[str] = []
        self.app_keys: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("conversation", id="conversation")
        yield Composer(**self.composer_options)

    def on_mount(self) -> None:
        self.query_one(Composer).focus_input()

    def on_composer_submitted(self, message: Composer.Submitted) -> None:
        self.submitted.append(message.text)

    def action_record(self, key: str) -> None:
        self.app_keys.append(key)


async def wait_for(pilot, predicate: Callable[[], object], what: str, timeout: float = 10.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


def loaded_store(tmp_path: Path, *entries: str) -> HistoryStore:
    store = HistoryStore(tmp_path / "history.jsonl")
    store.load()
    for text in entries:
        store.add(text)
    return store


def options(composer: Composer) -> list[str]:
    return [str(option.prompt) for option in composer.popup.options]


# -- sending and new lines --------------------------------------------------------------


async def test_enter_submits_and_clears(tmp_path: Path) -> None:
    app = Host(history=loaded_store(tmp_path))
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        await pilot.press(*"fix the bug")
        assert composer.text == "fix the bug"
        await pilot.press("enter")
        await pilot.pause()
        assert app.submitted == ["fix the bug"]
        assert composer.text == ""


async def test_blank_draft_is_not_sent(tmp_path: Path) -> None:
    app = Host(history=loaded_store(tmp_path))
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        await pilot.press("enter", "space", "ctrl+j", "space", "enter")
        await pilot.pause()
        assert app.submitted == []
        assert composer.text == " \n "


@pytest.mark.parametrize("key", ["shift+enter", "ctrl+j", "alt+enter"])
async def test_newline_keys_insert_a_line_break(tmp_path: Path, key: str) -> None:
    app = Host(history=loaded_store(tmp_path))
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        await pilot.press("a", key, "b", key, "c")
        await pilot.pause()
        assert composer.text == "a\nb\nc"
        assert app.submitted == []
        await pilot.press("enter")
        await pilot.pause()
        assert app.submitted == ["a\nb\nc"]


def test_terminal_bytes_for_a_new_line_map_to_newline_keys() -> None:
    """What Textual reports for a bare LF (ctrl+j, every terminal) and for kitty's shift+enter,
    alt+enter and xterm's modifyOtherKeys shift+enter; a bare CR stays a plain enter."""
    from textual._xterm_parser import XTermParser

    def keys(data: str) -> list[str]:
        parser = XTermParser()
        return [event.key for event in [*parser.feed(data), *parser.feed("")]]

    assert keys("\n") == ["ctrl+j"]
    assert keys("\x1b[13;2u") == ["shift+enter"]
    assert keys("\x1b[13;3u") == ["alt+enter"]
    assert keys("\x1b[27;2;13~") == ["shift+\r"]
    assert keys("\r") == ["enter"]
    for data in ("\n", "\x1b[13;2u", "\x1b[13;3u", "\x1b[27;2;13~"):
        assert keys(data)[0] in NEWLINE_KEYS
    assert "enter" not in NEWLINE_KEYS


async def test_sent_text_loses_surrounding_blank_lines(tmp_path: Path) -> None:
    app = Host(history=loaded_store(tmp_path))
    async with app.run_test() as pilot:
        await pilot.press("ctrl+j", "space", "ctrl+j", *"  indented", "space", "ctrl+j", "enter")
        await pilot.pause()
        assert app.submitted == ["  indented"]


async def test_input_grows_with_its_text_up_to_a_limit(tmp_path: Path) -> None:
    app = Host(history=loaded_store(tmp_path))
    async with app.run_test(size=(60, 30)) as pilot:
        area = app.query_one(Composer).input
        await pilot.pause()
        assert area.size.height == 1  # one text row inside the border
        await pilot.press("a", "ctrl+j", "b", "ctrl+j", "c")
        await pilot.pause()
        assert area.size.height == 3
        area.insert("\nx" * 20)  # (pressing 40 keys in the pilot would take seconds)
        await pilot.pause()
        assert area.size.height == 8  # then it scrolls
        assert area.max_scroll_y > 0
        area.load_text("word " * 40)  # one long line soft-wraps: no sideways scrolling
        await pilot.pause()
        assert area.size.height == 4
        assert area.max_scroll_x == 0


# -- keys that belong to the app ---------------------------------------------------------


async def test_ctrl_c_reaches_the_app_even_with_a_selection(tmp_path: Path) -> None:
    app = Host(history=loaded_store(tmp_path))
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        await pilot.press(*"keep me", "shift+home")
        assert composer.input.selected_text == "keep me"
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.app_keys == ["ctrl+c"]
        assert composer.text == "keep me"


async def test_keys_arriving_together_act_in_order(tmp_path: Path) -> None:
    """As a terminal delivers fast typing: several keys in one read, posted to the
    app at once. A key bound on the text area (ctrl+u, ctrl+w) must act before the
    character behind it is inserted."""
    from textual.events import Key

    app = Host(history=loaded_store(tmp_path))
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        await pilot.press(*"old words")
        for key, character in [("ctrl+u", None), ("x", "x"), ("space", " "), ("y", "y")]:
            app.post_message(Key(key, character))
        await wait_for(pilot, lambda: "y" in composer.text, "the last key")
        assert composer.text == "x y"
        for key, character in [("ctrl+w", None), ("z", "z")]:
            app.post_message(Key(key, character))
        await wait_for(pilot, lambda: "z" in composer.text, "the last key")
        assert composer.text == "x z"


async def test_escape_reaches_the_app_when_no_popup_is_open(tmp_path: Path) -> None:
    app = Host(history=loaded_store(tmp_path))
    async with app.run_test() as pilot:
        await pilot.press(*"draft", "escape")
        await pilot.pause()
        assert app.app_keys == ["escape"]
        assert app.query_one(Composer).text == "draft"


async def test_clear_draft_returns_the_text_and_up_brings_it_back(tmp_path: Path) -> None:
    store = loaded_store(tmp_path, "older")
    app = Host(history=store)
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        await pilot.press(*"half-written idea")
        assert composer.clear_draft() == "half-written idea"
        await pilot.pause()
        assert composer.text == ""
        await pilot.press("up")
        assert composer.text == "half-written idea"
        await pilot.press("up")
        assert composer.text == "older"
    # The cleared draft is kept for this run only: history.jsonl never sees it.
    assert "half-written" not in store.path.read_text()
    assert json.loads(store.path.read_text())["text"] == "older"


# -- history -------------------------------------------------------------------------------


async def test_up_and_down_walk_history_and_restore_the_draft(tmp_path: Path) -> None:
    app = Host(history=loaded_store(tmp_path, "first", "second"))
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        await pilot.press(*"my draft")
        await pilot.press("up")
        assert composer.text == "second"
        await pilot.press("up")
        assert composer.text == "first"
        await pilot.press("up")  # oldest: stays
        assert composer.text == "first"
        await pilot.press("down")
        assert composer.text == "second"
        await pilot.press("down")
        assert composer.text == "my draft"
        assert composer.input.cursor_location == (0, len("my draft"))
        await pilot.press("down")  # past the draft: nothing more
        assert composer.text == "my draft"


async def test_history_moves_only_from_the_first_and_last_rows(tmp_path: Path) -> None:
    app = Host(history=loaded_store(tmp_path, "older", "top line\nbottom line"))
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        area = composer.input
        await pilot.press("a", "ctrl+j", "b")
        await pilot.press("up")  # from the second row: just the cursor
        assert composer.text == "a\nb"
        assert area.cursor_location[0] == 0
        await pilot.press("up")  # now on the first row: history
        assert composer.text == "top line\nbottom line"
        assert area.cursor_location == (0, len("top line"))
        await pilot.press("down")  # inside a two-line entry: the cursor moves down
        assert composer.text == "top line\nbottom line"
        assert area.cursor_location[0] == 1
        await pilot.press("up", "up")  # back to the first row, then the older entry
        assert composer.text == "older"
        await pilot.press("down")  # walking down puts the cursor on the entry's last row
        assert composer.text == "top line\nbottom line"
        assert area.cursor_location == (1, len("bottom line"))
        await pilot.press("down")  # so the next ↓ goes on, back to the draft
        assert composer.text == "a\nb"


async def test_up_with_no_history_just_moves_the_cursor(tmp_path: Path) -> None:
    app = Host(history=loaded_store(tmp_path))
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        await pilot.press(*"abc", "up")
        assert composer.text == "abc"
        assert composer.input.cursor_location == (0, 0)


async def test_sent_messages_join_the_history(tmp_path: Path) -> None:
    app = Host(history=loaded_store(tmp_path))
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        await pilot.press(*"one", "enter", *"two", "enter", "up")
        assert composer.text == "two"
        await pilot.press("up")
        assert composer.text == "one"


async def test_history_persists_across_app_instances(isolated_home: Path) -> None:
    first = Host(root=isolated_home)  # the default store: $CODEX_TUI_HOME/history.jsonl
    async with first.run_test() as pilot:
        await pilot.press(*"remember me", "enter")
        await pilot.pause()
        await first.workers.wait_for_complete()
    lines = (isolated_home / "history.jsonl").read_text().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["text"] == "remember me"
    assert record["cwd"] == str(isolated_home)
    assert isinstance(record["ts"], int)

    second = Host()
    async with second.run_test() as pilot:
        composer = second.query_one(Composer)
        await wait_for(pilot, lambda: composer.history.loaded, "history to load")
        await pilot.press("up")
        assert composer.text == "remember me"


async def test_persistence_none_writes_nothing(isolated_home: Path) -> None:
    app = Host(history_persistence="none")
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        await pilot.press(*"private", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("up")  # still walkable within this run
        assert composer.text == "private"
    assert not (isolated_home / "history.jsonl").exists()


async def test_corrupt_history_lines_are_skipped(isolated_home: Path) -> None:
    (isolated_home / "history.jsonl").write_text(
        json.dumps({"ts": 1, "text": "good old", "cwd": "/"})
        + "\n{broken\n"
        + json.dumps({"ts": 2, "text": "good new", "cwd": "/"})
        + '\n{"ts": 3, "text": "torn'
    )
    app = Host()
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        await wait_for(pilot, lambda: composer.history.loaded, "history to load")
        await pilot.press("up")
        assert composer.text == "good new"
        await pilot.press("up")
        assert composer.text == "good old"


# -- @ file completion ---------------------------------------------------------------------


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for rel in (
        "src/composer.py",
        "src/compat.py",
        "src/app.py",
        "docs/guide.md",
        "build/composer_generated.py",
        "composer.log",
        "notes with space.txt",
    ):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n")
    (root / ".gitignore").write_text("build/\n*.log\n")
    git(root, "init", "-q")
    git(root, "add", "src", ".gitignore")
    git(root, "commit", "-q", "-m", "init")
    return root


async def test_at_offers_repository_files_without_ignored_ones(tmp_path: Path, repo: Path) -> None:
    app = Host(history=loaded_store(tmp_path), root=repo)
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        await pilot.press(*"look at @comp")
        await wait_for(pilot, lambda: composer.completion_open, "the file pop-up")
        shown = options(composer)
        # Equal scores: the shorter path first. Ignored files never show.
        assert shown == ["src/compat.py", "src/composer.py"]
        await pilot.press("o")
        await pilot.pause()
        assert options(composer) == ["src/composer.py"]
        await pilot.press("tab")
        await pilot.pause()
        assert composer.text == "look at src/composer.py "
        assert not composer.completion_open
        assert app.submitted == []


async def test_at_popup_enter_accepts_the_highlighted_choice(tmp_path: Path, repo: Path) -> None:
    app = Host(history=loaded_store(tmp_path), root=repo)
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        await pilot.press(*"@comp and more")
        # Move the cursor back into the word: the whole `@comp…` word is replaced.
        for _ in range(len(" and more")):
            await pilot.press("left")
        await wait_for(pilot, lambda: composer.completion_open, "the file pop-up")
        assert options(composer) == ["src/compat.py", "src/composer.py"]
        await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        assert composer.text == "src/composer.py  and more"
        assert app.submitted == []


async def test_at_popup_quotes_paths_with_spaces_and_lists_untracked(
    tmp_path: Path, repo: Path
) -> None:
    app = Host(history=loaded_store(tmp_path), root=repo)
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        await pilot.press(*"@noteswith")
        await wait_for(pilot, lambda: composer.completion_open, "the file pop-up")
        assert options(composer)[0] == "notes with space.txt"
        await pilot.press("enter")
        await pilot.pause()
        assert composer.text == '"notes with space.txt" '


async def test_escape_closes_the_popup_without_reaching_the_app(tmp_path: Path, repo: Path) -> None:
    app = Host(history=loaded_store(tmp_path), root=repo)
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        await pilot.press("@")
        await wait_for(pilot, lambda: composer.completion_open, "the file pop-up")
        await pilot.press("escape")
        await pilot.pause()
        assert not composer.completion_open
        assert not composer.popup.display
        assert app.app_keys == []
        await pilot.press(*"src")  # same word: stays closed
        await pilot.pause()
        assert not composer.completion_open
        await pilot.press("enter")  # so Enter sends
        await pilot.pause()
        assert app.submitted == ["@src"]
        await pilot.press("@")  # a new word opens it again
        await wait_for(pilot, lambda: composer.completion_open, "the pop-up to reopen")
        await pilot.press("escape", "escape")  # the second one is the app's
        await pilot.pause()
        assert app.app_keys == ["escape"]


async def test_popup_closes_when_nothing_matches(tmp_path: Path, repo: Path) -> None:
    app = Host(history=loaded_store(tmp_path), root=repo)
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        await pilot.press(*"@src")
        await wait_for(pilot, lambda: composer.completion_open, "the file pop-up")
        await pilot.press(*"qqq")
        await pilot.pause()
        assert not composer.completion_open
        await pilot.press("enter")
        await pilot.pause()
        assert app.submitted == ["@srcqqq"]


async def test_email_addresses_do_not_open_the_popup(tmp_path: Path, repo: Path) -> None:
    app = Host(history=loaded_store(tmp_path), root=repo)
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        await pilot.press(*"mail me@example.com")
        await pilot.pause(0.2)
        assert not composer.popup.display


# -- / command completion ------------------------------------------------------------------


async def test_slash_lists_commands_and_tab_completes(tmp_path: Path) -> None:
    app = Host(history=loaded_store(tmp_path), commands=COMMANDS)
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        await pilot.press("/")
        await pilot.pause()
        assert composer.completion_open
        assert options(composer) == [
            "/new  start a new session",
            "/model  choose the model",
            "/mode  a command that shares a prefix",
            "/quit  leave codex-tui",
        ]
        await pilot.press("m", "o")
        await pilot.pause()
        assert options(composer)[:2] == [
            "/model  choose the model",
            "/mode  a command that shares a prefix",
        ]
        await pilot.press("down", "tab")
        await pilot.pause()
        assert composer.text == "/mode "
        assert not composer.completion_open
        assert app.submitted == []


async def test_enter_on_a_partial_command_completes_it(tmp_path: Path) -> None:
    app = Host(history=loaded_store(tmp_path), commands=COMMANDS)
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        await pilot.press("/", "q")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert composer.text == "/quit "
        assert app.submitted == []


async def test_enter_on_a_command_typed_in_full_sends_it(tmp_path: Path) -> None:
    app = Host(history=loaded_store(tmp_path), commands=COMMANDS)
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        await pilot.press(*"/new")
        await pilot.pause()
        assert composer.completion_open
        await pilot.press("enter")
        await pilot.pause()
        assert app.submitted == ["/new"]
        assert composer.text == ""


async def test_slash_only_completes_at_the_start(tmp_path: Path) -> None:
    app = Host(history=loaded_store(tmp_path), commands=COMMANDS)
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        await pilot.press(*"use /mo")
        await pilot.pause()
        assert not composer.popup.display
        composer.clear_draft(remember=False)
        await pilot.press(*"/model", "space")  # past the command word: closed
        await pilot.pause()
        assert not composer.popup.display


async def test_set_commands_replaces_the_list_even_while_open(tmp_path: Path) -> None:
    app = Host(history=loaded_store(tmp_path))
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        await pilot.press("/")
        await pilot.pause()
        assert not composer.completion_open  # no commands yet
        composer.set_commands([("/review", "review my changes")])
        await pilot.pause()
        assert options(composer) == ["/review  review my changes"]
        composer.set_commands([*COMMANDS, ("prompts:fix", "a prompt template")])
        await pilot.press(*"pro")
        await pilot.pause()
        assert options(composer) == ["/prompts:fix  a prompt template"]


async def test_history_entry_starting_with_slash_opens_no_popup(tmp_path: Path) -> None:
    app = Host(history=loaded_store(tmp_path, "older", "/model"), commands=COMMANDS)
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        await pilot.press("up")
        await pilot.pause()
        assert composer.text == "/model"
        assert not composer.completion_open
        await pilot.press("up")  # so ↑ keeps walking
        assert composer.text == "older"


# -- fuzzy ranking -------------------------------------------------------------------------


def texts(query: str, candidates: list[str], limit: int = 8) -> list[str]:
    return [m.text for m in rank(query, candidates, limit)]


def test_match_requires_the_characters_in_order() -> None:
    assert fuzzy_match("cmp", "src/composer.py") is not None
    assert fuzzy_match("pmc", "src/composer.py") is None
    assert fuzzy_match("xyz", "src/composer.py") is None


def test_match_is_case_insensitive_and_reports_positions() -> None:
    match = fuzzy_match("READ", "docs/ReadMe.md")
    assert match is not None
    assert match.positions == (5, 6, 7, 8)
    assert "".join("docs/ReadMe.md"[i] for i in match.positions) == "Read"


def test_basename_beats_directory_match() -> None:
    assert texts("comp", ["compat/x.py", "src/ui/composer.py"])[0] == "src/ui/composer.py"


def test_contiguous_run_beats_scattered_letters() -> None:
    assert texts("util", ["u/t/i/l.py", "src/utils.py"])[0] == "src/utils.py"
    assert texts("cfg", ["c/f/g.txt", "setup.cfg"])[0] == "setup.cfg"


def test_segment_start_beats_mid_word() -> None:
    assert texts("view", ["src/overview.py", "src/viewer.py"]) == [
        "src/viewer.py",
        "src/overview.py",
    ]


def test_exact_basename_and_stem_win() -> None:
    ranked = texts("main", ["src/domain_main.py", "src/main_window.py", "app/main.py"])
    assert ranked[0] == "app/main.py"


def test_path_queries_use_directory_starts() -> None:
    ranked = texts("ui/comp", ["tui/compat.py", "src/ui/composer.py", "ui_composer.md"])
    assert ranked[0] == "src/ui/composer.py"


def test_ties_go_to_the_shorter_path_then_alphabetical() -> None:
    assert texts("app", ["b/app.py", "deep/er/app.py", "a/app.py"]) == [
        "a/app.py",
        "b/app.py",
        "deep/er/app.py",
    ]


def test_empty_query_lists_the_shortest_first() -> None:
    assert texts("", ["src/long/path.py", "a.py", "src/b.py"], limit=2) == ["a.py", "src/b.py"]


def test_index_gives_the_same_answer_when_typing_on_or_back() -> None:
    paths = [f"pkg{i % 7}/module_{i}.py" for i in range(500)] + ["src/composer.py"]
    index = FuzzyIndex(paths)
    for query in ("c", "co", "com", "comp", "co", "mod", "module_4", "modx"):
        assert index.search(query, 5) == FuzzyIndex(paths).search(query, 5) == rank(query, paths, 5)
        expected = sorted(
            (m for m in (fuzzy_match(query, p) for p in paths) if m is not None),
            key=lambda m: (-m.score, len(m.text), m.text),
        )[:5]
        assert index.search(query, 5) == expected


def test_large_lists_still_find_the_best_file() -> None:
    # Thousands of paths that contain the query only as scattered letters, one real hit.
    noise = [f"c{i}/o/n/f/i/g{i}.txt" for i in range(3 * FINE_SCORE_BUDGET)]
    paths = [*noise[:1000], "src/settings/config.py", *noise[1000:]]
    index = FuzzyIndex(paths)
    best = index.search("config", 3)
    assert len(index._last_hits) > FINE_SCORE_BUDGET  # the shortlist path was taken
    assert best[0].text == "src/settings/config.py"
    assert len(best) == 3


@pytest.mark.parametrize("query", ["]", "^", "\\", "a-b", "[x]", ".*", "(", "a b"])
def test_regex_characters_in_queries_are_literal(query: str) -> None:
    target = f"dir/{query}.txt"
    paths = ["dir/plain.txt", target, *(f"noise/{i}.txt" for i in range(50))]
    assert texts(query, paths)[0] == target
    assert FuzzyIndex(paths).search(query, 1)[0].text == target
