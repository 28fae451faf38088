"""Prompt templates: discovery in both places, the clash rule, placeholders,
defaults, front matter and every error a person can cause."""

from __future__ import annotations

from pathlib import Path

import pytest

from codex_tui.agent.session import build_agent
from codex_tui.prompts import (
    MissingValues,
    PromptTemplate,
    TemplateError,
    discover,
    parse_args,
    render_command,
    render_named,
    repo_dir,
    split_command,
)
from codex_tui.scripted import Message, Reply, ScriptedModelServer
from tests.agent.conftest import fast_client, scripted_config
from tests.agent.fakes import EventLog, FakeApprover

PLAN = """---
description: Plan a feature
  before any code is written
defaults:
  scope: the whole repository
  depth: 2
---
Plan how to {{task}} in {{ scope }}.
Think {{depth}} levels deep about {{task}}.
"""


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text)
    return path


def user_prompts(home: Path) -> Path:
    return home / "prompts"


def repo_prompts(root: Path) -> Path:
    return root / ".codex-tui" / "prompts"


def test_discovers_templates_in_home_and_repository(repo: Path, isolated_home: Path) -> None:
    write(user_prompts(isolated_home), "feature_plan.md", PLAN)
    write(repo_prompts(repo), "review.md", "Review {{path}} for bugs.\n")
    write(repo_prompts(repo), "notes.txt", "not a template")
    write(repo_prompts(repo), "bad name.md", "cannot be typed as a command")

    templates = discover(repo)

    assert list(templates) == ["feature_plan", "review"]
    plan = templates["feature_plan"]
    assert plan.source == "user"
    assert plan.path == user_prompts(isolated_home) / "feature_plan.md"
    assert plan.description == "Plan a feature before any code is written"
    assert plan.placeholders == ("task", "scope", "depth")
    assert plan.defaults == {"scope": "the whole repository", "depth": "2"}
    assert plan.required == ("task",)
    review = templates["review"]
    assert (review.source, review.description, review.placeholders) == ("repo", "", ("path",))


def test_repository_template_wins_a_name_clash(repo: Path, isolated_home: Path) -> None:
    write(user_prompts(isolated_home), "review.md", "Home review of {{path}}.\n")
    write(repo_prompts(repo), "review.md", "Repository review of {{path}}.\n")

    template = discover(repo)["review"]

    assert template.source == "repo"
    assert template.render({"path": "app.py"}) == "Repository review of app.py.\n"


def test_repository_prompts_are_found_from_a_subdirectory(repo: Path) -> None:
    write(repo_prompts(repo), "fix.md", "Fix {{bug}}.\n")
    sub = repo / "src" / "pkg"
    sub.mkdir(parents=True)

    assert repo_dir(sub) == repo_prompts(repo)
    assert list(discover(sub)) == ["fix"]


def test_render_fills_placeholders_values_and_defaults(repo: Path) -> None:
    write(repo_prompts(repo), "feature_plan.md", PLAN)
    template = discover(repo)["feature_plan"]

    text = template.render(parse_args('task="add caching to user lookup"'))
    assert text == (
        "Plan how to add caching to user lookup in the whole repository.\n"
        "Think 2 levels deep about add caching to user lookup.\n"
    )
    text = template.render(parse_args("task=x scope='the api package' depth=5"))
    assert text == "Plan how to x in the api package.\nThink 5 levels deep about x.\n"


def test_values_are_filled_once_and_escaped_braces_stay(repo: Path) -> None:
    write(repo_prompts(repo), "echo.md", "Say {{word}}, not \\{{word}}.\n")
    template = discover(repo)["echo"]

    assert template.placeholders == ("word",)
    assert template.render({"word": "{{word}}"}) == "Say {{word}}, not {{word}}.\n"


def test_missing_values_name_what_to_ask_for(repo: Path) -> None:
    write(repo_prompts(repo), "fix.md", "Fix {{bug}} in {{file}} ({{ticket}}).\n")
    template = discover(repo)["fix"]

    with pytest.raises(MissingValues) as info:
        template.render({"file": "a.py"})
    assert info.value.names == ("bug", "ticket")
    assert info.value.template == "fix"
    assert str(info.value) == (
        "/fix needs a value for bug, ticket (placeholders without a default): add bug=… ticket=…"
    )


def test_unknown_value_is_an_error_naming_it(repo: Path) -> None:
    write(repo_prompts(repo), "fix.md", "Fix {{bug}}.\n")
    template = discover(repo)["fix"]

    with pytest.raises(TemplateError, match=r"^/fix has no placeholder `bgu`; it takes: bug$"):
        template.render(parse_args("bgu=typo"))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("task", "expected name=value, got `task`"),
        ("=x", "expected name=value, got `=x`"),
        ("a=1 a=2", "`a` is given twice"),
        ('task="unclosed', "cannot read the values: no closing quotation"),
    ],
)
def test_bad_command_lines(line: str, message: str) -> None:
    with pytest.raises(TemplateError) as info:
        parse_args(line)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "---\ndescription: [unclosed\n---\nbody\n",
            r"malformed front matter in .*bad\.md \(line \d\)",
        ),
        (
            "---\ndescription: x\nbody without end\n",
            r"malformed front matter in .*bad\.md: no closing `---` line",
        ),
        (
            "---\n- a list\n---\nbody\n",
            r"malformed front matter in .*bad\.md: expected `key: value` lines",
        ),
        (
            "---\ndescripton: typo\n---\nbody\n",
            r"unknown key `descripton` \(allowed: description, defaults\)",
        ),
        ("---\ndefaults: [a, b]\n---\n{{a}}\n", r"`defaults` must map names to values"),
        ("---\ndefaults: {a: {b: 1}}\n---\n{{a}}\n", r"default for `a` must be text"),
        (
            "---\ndefaults: {other: 1}\n---\n{{a}}\n",
            r"default for `other`, which the text never uses as \{\{other\}\}",
        ),
    ],
)
def test_malformed_front_matter_names_the_file(repo: Path, text: str, problem: str) -> None:
    path = write(repo_prompts(repo), "bad.md", text)

    with pytest.raises(TemplateError, match=problem) as info:
        PromptTemplate.load(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)
    # Discovery keeps going and lists it; using it explains the problem.
    broken = discover(repo)["bad"]
    assert broken.error == str(info.value)
    with pytest.raises(TemplateError, match=problem):
        broken.render({})


def test_render_named_for_exec(repo: Path, isolated_home: Path) -> None:
    write(user_prompts(isolated_home), "feature_plan.md", PLAN)

    text = render_named(repo, "feature_plan", ["task=add caching", "depth=3"])
    assert text.startswith("Plan how to add caching in the whole repository.")
    assert render_named(repo, "/feature_plan", ["task=t"]).startswith("Plan how to t ")
    with pytest.raises(MissingValues):
        render_named(repo, "feature_plan", [])
    with pytest.raises(
        TemplateError,
        match=r"^no prompt template `nope` \(looked in .*\); available: /feature_plan$",
    ):
        render_named(repo, "nope", [])


def test_slash_command_lines(repo: Path) -> None:
    write(repo_prompts(repo), "fix.md", "Fix {{bug}}.\n")

    assert split_command('  /fix bug="off by one"') == ("fix", 'bug="off by one"')
    assert split_command("/fix") == ("fix", "")
    assert split_command("fix the bug") is None
    assert render_command(repo, '/fix bug="off by one"') == "Fix off by one.\n"


async def test_rendered_prompt_reaches_the_model(
    repo: Path, isolated_home: Path, scripted_server: ScriptedModelServer
) -> None:
    write(repo_prompts(repo), "feature_plan.md", PLAN)
    text = render_command(repo, '/feature_plan task="add caching to user lookup"')
    scripted_server.add(Reply([Message("Here is the plan.")]))
    config = scripted_config(scripted_server)
    log = EventLog()
    agent = await build_agent(config, repo, FakeApprover(), log, client=fast_client(config))

    await agent.submit(text)

    user_texts = [
        part["text"]
        for item in scripted_server.last_body["input"]
        if item.get("role") == "user"
        for part in item["content"]
    ]
    assert user_texts[-1] == text
    assert "Plan how to add caching to user lookup in the whole repository." in text
