"""The checker through one turn: each response's flags at once, and the path flags
of the turn's messages at its end, once every patch and command it made is known."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from codex_tui.agent import events as ev
from codex_tui.agent.checks.commands import command_flags, command_words
from codex_tui.agent.checks.messages import message_flags
from codex_tui.agent.checks.patches import patch_flags, patch_paths
from codex_tui.agent.checks.paths import WorkspaceIndex, as_path, missing_paths, path_flags
from codex_tui.agent.items import (
    HistoryItem,
    MessageItem,
    is_call,
    is_message,
    is_output,
    message_text,
)
from codex_tui.config.schema import ResponseChecks
from codex_tui.policy.unwrap import embedded_patch
from codex_tui.tools.arguments import ApplyPatchArgs, ShellArgs
from codex_tui.tools.registry import ToolCall


def grounding_text(items: Iterable[HistoryItem]) -> str:
    """What the history holds that the model did not write: the person's
    messages and the tools' outputs. A path named there was not made up.

    The model's own tool arguments do not count (a search for a file it then
    claims exists proves nothing); the paths the current turn's patches and
    commands name are handled by TurnChecks."""
    parts = []
    for item in items:
        if is_message(item) and item["role"] != "assistant":
            parts.append(message_text(item))
        elif is_output(item):
            parts.append(item["output"])
    return "\n".join(parts)


@dataclass
class TurnChecks:
    """The checker's state through one turn.

    `response` runs on each completed response and returns its flags at once
    (dangerous operations and secrets in messages, commands and patches);
    `finish` runs when the turn ends and returns the path flags of its
    messages, once every patch and command of the turn is known."""

    settings: ResponseChecks
    root: Path
    # (item id, text) of the turn's assistant messages, for `finish`.
    messages: list[tuple[str, str]] = field(default_factory=list, init=False)
    # What the turn's patches and commands name: what they create or remove.
    touched: set[str] = field(default_factory=set, init=False)

    @property
    def enabled(self) -> bool:
        s = self.settings
        return s.paths or s.dangerous or s.secrets

    def response(
        self, items: Sequence[HistoryItem], calls: Sequence[ToolCall]
    ) -> list[ev.ResponseFlagged]:
        """Flags on one response: `items` are its output items, `calls` its
        function calls as the registry parsed them (matched to items by id)."""
        pending = {call.call_id: call for call in calls}
        out: list[ev.ResponseFlagged] = []
        for item in items:
            if is_message(item) and item["role"] == "assistant":
                flagged = self._message(item)
            elif is_call(item) and item["call_id"] in pending:
                flagged = self._call(pending.pop(item["call_id"]))
            else:
                continue
            if flagged is not None:
                out.append(flagged)
        return out

    def _message(self, item: MessageItem) -> ev.ResponseFlagged | None:
        text = message_text(item)
        item_id = item.get("id", "")
        self.messages.append((item_id, text))
        return _flagged(item_id, message_flags(text, self.settings), "message")

    def _call(self, call: ToolCall) -> ev.ResponseFlagged | None:
        if call.error is not None:  # it will not run: the model is told why instead
            return None
        match call.name:
            case "apply_patch":
                patch = cast(ApplyPatchArgs, call.args)["input"]
            case "shell":
                argv = cast(ShellArgs, call.args)["command"]
                embedded = embedded_patch(argv)
                if embedded is None:
                    # Whatever a command names may be what it creates or removes.
                    words = command_words(argv)
                    self.touched.update(p for w in words if (p := as_path(w, strict=False)))
                    return _flagged(call.call_id, command_flags(argv, self.settings), "command")
                patch = embedded
            case _:
                return None
        self.touched.update(patch_paths(patch))
        return _flagged(call.call_id, patch_flags(patch, self.settings), "patch")

    def finish(self, seen: str) -> list[ev.ResponseFlagged]:
        """Path flags for the turn's messages; `seen` is `grounding_text` of the history."""
        if not self.settings.paths:
            return []
        index = WorkspaceIndex(self.root)
        out = []
        for item_id, text in self.messages:
            missing = missing_paths(text, self.root, ignore=self.touched, seen=seen, index=index)
            if flagged := _flagged(item_id, path_flags(missing), "message"):
                out.append(flagged)
        return out


def _flagged(
    item_id: str, flags: tuple[ev.Flag, ...], source: ev.FlagSource
) -> ev.ResponseFlagged | None:
    return ev.ResponseFlagged(item_id=item_id, flags=flags, source=source) if flags else None
