"""YAML from files anyone may have written (config.yaml, a repository's prompt
templates), parsed with the limits PyYAML's SafeLoader lacks: nesting depth,
the number of aliases and how far they expand ("billion laughs"), and values
Python refuses to build (a 5,000-digit integer, 30 February). Whatever the text,
the result is data or one `yaml.YAMLError`, never a RecursionError or minutes of
work. Callers cap the text's size before parsing (pure-Python PyYAML parses
about 250 KiB a second here).

    data = load(text)      # like yaml.safe_load
    node = compose(text)   # like yaml.compose, for line numbers
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["MAX_ALIASES", "MAX_ALIAS_EXPANSION", "MAX_DEPTH", "YAMLLimitError", "compose", "load"]

# Real files nest a handful of levels (profiles.NAME.model_providers.ID.KEY is 5);
# PyYAML's recursive composer overflows Python's stack near 330.
MAX_DEPTH = 32
# A config reuses a block with an anchor now and then; a hundred aliases is
# far beyond that, and with the expansion cap below keeps the work linear.
MAX_ALIASES = 100
# Values that aliases may add beyond those written out in the text: 10 aliases
# of 10 aliases nine levels deep would be a billion.
MAX_ALIAS_EXPANSION = 10_000


class YAMLLimitError(yaml.MarkedYAMLError):
    """The text goes past one of the limits above (or builds an impossible value)."""


class BoundedLoader(yaml.SafeLoader):
    """SafeLoader that counts nesting and aliases while composing, checks what the
    aliases expand to before anything is built, and turns the errors of Python's
    own constructors (int, datetime) into YAML errors."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _limit(f"more than {MAX_ALIASES} aliases", event.start_mark)
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _limit(f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_document(self) -> yaml.Node | None:
        node: yaml.Node | None = super().compose_document()
        if node is not None:
            _check_expansion(node)
        return node

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:
            value = str(node.value)
            shown = value if len(value) <= 40 else value[:37] + "..."
            problem = str(exc).split(";")[0]
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {shown!r}: {problem}", node.start_mark
            ) from None


def load(text: str) -> Any:
    """The data in `text` (one document), like yaml.safe_load but bounded."""
    return yaml.load(text, Loader=BoundedLoader)


def compose(text: str) -> yaml.Node | None:
    """The node tree of `text`, like yaml.compose but bounded."""
    return yaml.compose(text, Loader=BoundedLoader)


def _limit(problem: str, mark: Any) -> YAMLLimitError:
    return YAMLLimitError(problem=problem, problem_mark=mark)


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a tree whose aliases nest it too deeply, refer to themselves, or
    expand to too many values. Each distinct node is visited once, so this is
    linear in the text even when the expansion is not."""
    # id(node) -> (values under it once aliases are expanded, its height)
    seen: dict[int, tuple[int, int]] = {}
    open_nodes: set[int] = set()

    def visit(node: yaml.Node, depth: int) -> tuple[int, int]:
        key = id(node)
        if key in open_nodes:
            raise _limit("an alias refers to a value that contains it", node.start_mark)
        known = seen.get(key)
        if known is None:
            if depth > MAX_DEPTH:
                raise _limit(f"nested more than {MAX_DEPTH} levels deep", node.start_mark)
            open_nodes.add(key)
            size, height = 1, 0
            for child in _children(node):
                child_size, child_height = visit(child, depth + 1)
                size += child_size
                height = max(height, child_height + 1)
            open_nodes.discard(key)
            known = seen[key] = (size, height)
        if depth + known[1] > MAX_DEPTH:
            raise _limit(f"nested more than {MAX_DEPTH} levels deep", node.start_mark)
        return known

    expanded, _ = visit(root, 1)
    if expanded - len(seen) > MAX_ALIAS_EXPANSION:
        raise _limit(f"aliases expand to more than {MAX_ALIAS_EXPANSION:,} values", root.start_mark)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []
