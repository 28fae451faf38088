"""Prompt templates as slash commands: Markdown files whose name is the command
and whose `{{placeholders}}` are filled from the command line.

    templates = discover(root)                     # {"feature_plan": PromptTemplate, ...}
    text = templates["feature_plan"].render(parse_args('task="add caching"'))
    text = render_named(root, "feature_plan", ["task=add caching"])   # exec --prompt

Errors are TemplateError with a one-line message; MissingValues also says
which names need a value, so a front end can ask for them.
"""

from __future__ import annotations

from codex_tui.prompts.discovery import (
    discover,
    find,
    prompt_dirs,
    render_command,
    render_named,
    repo_dir,
    split_command,
    user_dir,
)
from codex_tui.prompts.template import (
    MissingValues,
    PromptTemplate,
    TemplateError,
    parse_args,
    parse_pairs,
)

__all__ = [
    "MissingValues",
    "PromptTemplate",
    "TemplateError",
    "discover",
    "find",
    "parse_args",
    "parse_pairs",
    "prompt_dirs",
    "render_command",
    "render_named",
    "repo_dir",
    "split_command",
    "user_dir",
]
