"""Load the effective config: defaults < config.yaml < profile < -c overrides < flags.

Every leaf value remembers where it came from, for `codex-tui config` and for
error messages that point at the right line.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import os
import re
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codex_tui.config import paths
from codex_tui.config.errors import ConfigError
from codex_tui.config.safe_read import UnreadableFile, read_regular
from codex_tui.config.schema import HOOK_EVENTS, Config, HookMatcher, ModelProvider
from codex_tui.config.validate import Path as KeyPath
from codex_tui.config.validate import build, check, check_mapping, convert, dotted
from codex_tui.config.yaml_cache import ParseCache, cache_file

if TYPE_CHECKING:
    import yaml

DEFAULT = "default"
# Real configs are a few KiB; parsing 256 KiB of YAML takes about a second.
MAX_FILE_BYTES = 256 * 1024


@dataclass
class LoadedConfig:
    """The typed config plus the source of each value (dotted key -> source)."""

    config: Config
    sources: dict[str, str] = field(default_factory=dict)
    file: Path | None = None

    def source_of(self, key: str) -> str:
        """Where `key` (dotted) was set; a parent's source covers its children."""
        parts = key.split(".")
        while parts:
            found = self.sources.get(".".join(parts))
            if found:
                return found
            parts.pop()
        return DEFAULT


@dataclass
class Layer:
    """One source of settings: its data and how to describe a key's location."""

    name: str  # "file", "profile", "-c", "flag", "env"
    data: dict[str, Any]
    lines: dict[KeyPath, int] = field(default_factory=dict)
    label: str = ""

    def where(self, path: KeyPath) -> str:
        line = self.lines.get(path)
        if line is None:
            # Fall back to the nearest parent key with a known line.
            for i in range(len(path) - 1, 0, -1):
                line = self.lines.get(path[:i])
                if line is not None:
                    break
        return f"{self.label} line {line}" if line is not None else self.label


def load_config(
    overrides: Iterable[str] = (),
    profile: str | None = None,
    flags: dict[str, Any] | None = None,
    config_path: Path | None = None,
) -> LoadedConfig:
    """Read, validate and merge every layer; raises ConfigError on any problem."""
    path = config_path or paths.config_file()
    file_layer = read_file(path, ParseCache(cache_file("config")))
    cli_layer = parse_overrides(overrides)
    flag_layer = Layer("flag", dict(flags or {}), label="command-line flag")
    for layer in (file_layer, cli_layer, flag_layer):
        check_mapping(layer.data, Config, (), layer.where)

    layers = [env_layer(), file_layer]
    profile_layer = select_profile(profile, file_layer, cli_layer)
    if profile_layer:
        layers.append(profile_layer)
    layers += [cli_layer, flag_layer]

    merged = dataclasses.asdict(Config())
    sources: dict[str, str] = {}
    for layer in layers:
        merge(merged, layer.data, (), layer, sources)
    blank = dataclasses.asdict(ModelProvider())
    for pid, provider in merged["model_providers"].items():
        provider.update({k: v for k, v in blank.items() if k not in provider})
        provider["name"] = provider["name"] or pid
        if not provider["base_url"]:
            raise ConfigError(
                f"config key `model_providers.{pid}.base_url` is required"
                f" ({sources.get(f'model_providers.{pid}', DEFAULT)});"
                " set it to the server's /v1 URL"
            )
    config = build(Config, merged)
    for name, server in config.mcp_servers.items():
        if bool(server.command) == bool(server.url):
            prefix = f"mcp_servers.{name}."
            where = next((v for k, v in sources.items() if k.startswith(prefix)), DEFAULT)
            what = (
                "sets both `command` and `url`: give one"
                if server.command
                else "needs `command` (a program started over stdio) or `url` (streamable HTTP)"
            )
            raise ConfigError(f"config key `mcp_servers.{name}` {what} ({where})")
    check_hooks(config.hooks, sources)
    if config.model_provider not in config.model_providers:
        known = ", ".join(sorted(config.model_providers))
        where = sources.get("model_provider", DEFAULT)
        raise ConfigError(
            f"config key `model_provider` names unknown provider {config.model_provider!r}"
            f" ({where}); known: {known} (add it under model_providers)"
        )
    return LoadedConfig(config, sources, path if file_layer.data else None)


def load_hooks_file(path: Path) -> dict[str, list[HookMatcher]]:
    """The `hooks` of a repository's `.codex-tui/config.yaml`, checked like the
    person's own (other keys of that file are not read)."""
    layer = read_file(path)
    raw = layer.data.get("hooks", {})
    tp = typing.get_type_hints(Config)["hooks"]
    check(raw, tp, ("hooks",), layer.where)
    hooks: dict[str, list[HookMatcher]] = convert(tp, raw)
    sources = {dotted(k): source_label(layer, k) for k in layer.lines}
    check_hooks(hooks, sources)
    return hooks


def read_file(path: Path, cache: ParseCache | None = None) -> Layer:
    """The config file as a layer; none is an empty one. Only a regular file is
    read (a FIFO would block start-up), at most MAX_FILE_BYTES of it, and its YAML
    within safe_yaml's limits; anything else is a one-line ConfigError. With
    `cache`, a text parsed before is not parsed again."""
    label = str(path)
    try:
        text = read_regular(path, MAX_FILE_BYTES).decode("utf-8")
    except FileNotFoundError:
        return Layer("file", {}, label=label)
    except UnreadableFile as exc:
        raise ConfigError(f"cannot read {label}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"cannot read {label}: {exc}") from None
    data, lines = _parsed(label, text, cache)
    if data is None:
        return Layer("file", {}, label=label)
    if not isinstance(data, dict):
        raise ConfigError(f"{label} line 1: expected a mapping of config keys at the top level")
    return Layer("file", data, lines, label=label)


def _parsed(label: str, text: str, cache: ParseCache | None) -> tuple[Any, dict[KeyPath, int]]:
    """parse_yaml, or what it gave for this text last time."""
    if cache is not None:
        found, kept = cache.get(label, text)
        with contextlib.suppress(KeyError, TypeError, ValueError):  # a damaged entry: parse
            if found:
                return kept["data"], {tuple(key): int(line) for key, line in kept["lines"]}
    data, lines = parse_yaml(label, text)
    if cache is not None:
        cache.put(label, text, {"data": data, "lines": [[list(k), n] for k, n in lines.items()]})
        cache.save(only_seen=True)
    return data, lines


def parse_yaml(label: str, text: str) -> tuple[Any, dict[KeyPath, int]]:
    """A config file's data and the line of each key in it; ConfigError if the
    text is not YAML or goes past safe_yaml's limits."""
    import yaml

    from codex_tui.config import safe_yaml

    try:
        node = safe_yaml.compose(text)
        data = safe_yaml.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        at = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = (
            "YAML too complex" if isinstance(exc, safe_yaml.YAMLLimitError) else "YAML syntax error"
        )
        raise ConfigError(f"{label}{at}: {what}: {problem}") from None
    lines: dict[KeyPath, int] = {}
    key_lines(node, (), lines)
    return data, lines


def key_lines(node: yaml.Node | None, path: KeyPath, out: dict[KeyPath, int]) -> None:
    """Record the 1-based line of every mapping key in a composed YAML tree."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            sub = (*path, str(key_node.value))
            out[sub] = key_node.start_mark.line + 1
            key_lines(value_node, sub, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            sub = (*path, str(i))
            out[sub] = item.start_mark.line + 1
            key_lines(item, sub, out)


def parse_overrides(overrides: Iterable[str]) -> Layer:
    """`-c key.sub=value` pairs; the value is YAML, or the raw text if it is not."""
    data: dict[str, Any] = {}
    for raw in overrides:
        key, sep, text = raw.partition("=")
        key = key.strip()
        if not sep or not key or any(not part for part in key.split(".")):
            raise ConfigError(f"-c expects key=value (dotted keys allowed), got {raw!r}")
        value = _override_value(text)
        target = data
        *parents, last = key.split(".")
        for part in parents:
            if not isinstance(target.get(part), dict):
                target[part] = {}
            target = target[part]
        target[last] = value
    return Layer("-c", data, label="-c")


def _override_value(text: str) -> Any:
    if not text.strip():
        return ""
    import yaml

    from codex_tui.config import safe_yaml

    try:
        return safe_yaml.load(text)
    except yaml.YAMLError:
        return text


def env_layer() -> Layer:
    """OPENAI_BASE_URL points the built-in openai provider elsewhere."""
    url = os.environ.get("OPENAI_BASE_URL")
    if not url:
        return Layer("env", {}, label="environment")
    return Layer(
        "env",
        {"model_providers": {"openai": {"base_url": url}}},
        label="env OPENAI_BASE_URL",
    )


def select_profile(flag: str | None, file_layer: Layer, cli_layer: Layer) -> Layer | None:
    name = flag or cli_layer.data.get("profile") or file_layer.data.get("profile")
    if not name:
        return None
    profiles = file_layer.data.get("profiles") or {}
    profiles = {**profiles, **(cli_layer.data.get("profiles") or {})}
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or "none defined"
        raise ConfigError(f"unknown profile {name!r}; profiles in config.yaml: {known}")
    lines = {
        path[2:]: line
        for path, line in file_layer.lines.items()
        if path[:2] == ("profiles", name) and len(path) > 2
    }
    label = f"profile {name} in {file_layer.label}"
    return Layer("profile", profiles[name] or {}, lines, label=label)


def merge(
    target: dict[str, Any],
    data: dict[str, Any],
    path: KeyPath,
    layer: Layer,
    sources: dict[str, str],
) -> None:
    """Deep-merge `data` into `target`, recording the source of each leaf."""
    for key, value in data.items():
        sub = (*path, key)
        if isinstance(value, dict) and value:
            if not isinstance(target.get(key), dict):
                target[key] = {}
            merge(target[key], value, sub, layer, sources)
        else:
            target[key] = value
            sources[dotted(sub)] = source_label(layer, sub)


def source_label(layer: Layer, path: KeyPath) -> str:
    if layer.name in ("file", "profile"):
        return layer.where(path)
    return layer.label


def check_hooks(hooks: dict[str, list[HookMatcher]], sources: dict[str, str]) -> None:
    """Event names, matchers and commands: what the schema's types cannot say."""

    def where(key: str) -> str:
        return next((v for k, v in sources.items() if k.startswith(key)), DEFAULT)

    for event, matchers in hooks.items():
        if event not in HOOK_EVENTS:
            close = difflib.get_close_matches(event, HOOK_EVENTS, n=1)
            hint = f"; did you mean `hooks.{close[0]}`?" if close else ""
            raise ConfigError(
                f"unknown hook event `hooks.{event}` ({where(f'hooks.{event}')}){hint}"
            )
        for i, matcher in enumerate(matchers):
            key = f"hooks.{event}.{i}"
            try:
                re.compile(matcher.matcher)
            except re.error as exc:
                raise ConfigError(
                    f"config key `{key}.matcher` is not a regular expression ({exc}) ({where(key)})"
                ) from None
            for j, hook in enumerate(matcher.hooks):
                if not hook.command.strip():
                    raise ConfigError(
                        f"config key `{key}.hooks.{j}.command` is empty ({where(key)})"
                    )
