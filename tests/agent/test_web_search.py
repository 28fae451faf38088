"""Web search (`--search`, `tools.web_search`): the hosted tool offered on the
Responses wire, its calls shown and echoed by `exec --json`, recorded; on the
chat wire one line says it is unavailable and the turn goes on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from codex_tui.scripted import Message, Reply, ScriptedModelServer, WebSearch


def run_exec(server, cwd: Path, home: Path, *args: str, wire: str = "responses"):
    argv = [
        sys.executable, "-m", "codex_tui",
        "-c", "model_provider=scripted",
        "-c", f"model_providers.scripted.base_url={server.base_url}",
        "-c", f"model_providers.scripted.wire_api={wire}",
        "exec", *args,
    ]  # fmt: skip
    env = {**os.environ, "CODEX_TUI_HOME": str(home)}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def test_search_is_offered_shown_and_recorded(tmp_path: Path, isolated_home: Path) -> None:
    found = WebSearch("textual 8 changelog", ["https://textual.textualize.io/", "file:///etc/x"])
    with ScriptedModelServer([Reply([found, Message("Version 8 is out.")])]) as server:
        result = run_exec(server, tmp_path, isolated_home, "--json", "--search", "what's new?")
        tools = server.bodies[0]["tools"]
    assert result.returncode == 0, result.stderr
    assert {"type": "web_search"} in tools
    items = [json.loads(line).get("item", {}) for line in result.stdout.splitlines()]
    (search,) = [i for i in items if i.get("type") == "web_search"]
    assert search["query"] == "textual 8 changelog"
    assert search["sources"] == ["https://textual.textualize.io/"]  # web addresses only
    assert "left out of the answer" not in result.stderr
    (session,) = (isolated_home / "sessions").rglob("*.jsonl")
    assert '"type":"web_search_end"' in session.read_text()


def test_without_search_nothing_hosted_is_offered(tmp_path: Path, isolated_home: Path) -> None:
    with ScriptedModelServer([Reply([Message("ok")])]) as server:
        result = run_exec(server, tmp_path, isolated_home, "hi")
        assert result.returncode == 0, result.stderr
        assert all(t.get("type") == "function" for t in server.bodies[0]["tools"])


def test_the_chat_wire_says_search_is_unavailable(tmp_path: Path, isolated_home: Path) -> None:
    with ScriptedModelServer([Reply([Message("answered anyway")])]) as server:
        result = run_exec(
            server, tmp_path, isolated_home, "-c", "tools.web_search=true", "hi", wire="chat"
        )
        tools = server.bodies[0]["tools"]
    assert result.returncode == 0, result.stderr
    assert all(t["type"] == "function" for t in tools)
    lines = [line for line in result.stderr.splitlines() if "web search" in line]
    assert len(lines) == 1 and "not available on the chat wire" in lines[0]
    assert result.stdout == "answered anyway\n"


def test_sources_with_terminal_controls_are_dropped_and_the_query_cleaned() -> None:
    from codex_tui.agent.wire_responses import web_search, web_url

    assert web_url("https://example.org/a?b=c")
    for bad in (
        "https://x/\x1b]52;c;AAAA\x07",
        "https://x/ y",
        "javascript:alert(1)",
        "https://x/\u009b",
    ):
        assert not web_url(bad), bad
    found = web_search(
        {
            "id": "ws1",
            "action": {
                "query": "evil\x1b[2J query",
                "sources": [{"url": "https://ok.example/"}, {"url": "https://x/\x1b]8;;"}],
            },
        }
    )
    assert found.sources == ("https://ok.example/",)
    assert found.query == "evil [2J query"
