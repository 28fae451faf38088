"""Edit the top-level `mcp_servers:` block of config.yaml (for `codex-tui mcp add` and
`remove`): that block is written anew from data, every other byte (comments, other
keys, profiles) stays as it was, the file is replaced atomically, and a result
that does not load as a config is taken back.

    current = read_servers()                 # the file's own entries, as written
    write_servers(current, {**current.servers, "git": {"command": "uvx"}})
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import yaml

from codex_tui.config import paths, safe_yaml
from codex_tui.config.errors import ConfigError
from codex_tui.config.loader import MAX_FILE_BYTES, load_config, read_file
from codex_tui.config.safe_read import UnreadableFile, read_regular
from codex_tui.config.safe_write import write_atomically

__all__ = ["KEY", "ServerEntry", "ServersFile", "read_servers", "render", "write_servers"]

KEY = "mcp_servers"
# Long commands and URLs stay on one line rather than being folded.
_WIDTH = 10_000


class ServerEntry(TypedDict, total=False):
    """One server as written under `mcp_servers:` (only the keys a person set)."""

    command: str
    args: list[str]
    env: dict[str, str]
    cwd: str
    url: str
    bearer_token_env_var: str
    http_headers: dict[str, str]
    startup_timeout_sec: float
    tool_timeout_sec: float


@dataclass(frozen=True)
class ServersFile:
    """config.yaml as it was read: its bytes (None: no file) and the entries of its
    top-level `mcp_servers` as written (not yet checked against the schema, so that
    a broken entry can still be removed)."""

    path: Path
    raw: bytes | None
    servers: dict[str, object]


def read_servers(path: Path | None = None) -> ServersFile:
    """The file's top-level servers; ConfigError (one line) when the file cannot be
    read, is not YAML, or its `mcp_servers` is not a mapping."""
    path = path or paths.config_file()
    layer = read_file(path)  # the loader's own one-line errors for an unreadable file
    raw = _read_bytes(path)
    value = layer.data.get(KEY)
    if value is None:
        value = {}
    if not isinstance(value, dict):
        line = layer.lines.get((KEY,))
        at = f" line {line}" if line else ""
        raise ConfigError(f"{path}{at}: `{KEY}` is not a mapping; fix it by hand")
    return ServersFile(path, raw, dict(value))


def write_servers(current: ServersFile, servers: Mapping[str, object]) -> None:
    """Make `servers` the file's top-level `mcp_servers`. Nothing is left changed when
    the file changed since it was read, or when the result would not load: the old
    bytes are put back and the loader's error raised."""
    path = current.path
    text = current.raw.decode("utf-8") if current.raw is not None else ""
    new = render(text, servers, str(path)).encode("utf-8")
    if _read_bytes(path) != current.raw:
        raise ConfigError(f"{path} changed while it was being edited; run the command again")
    path.parent.mkdir(parents=True, exist_ok=True)
    # A new file is private: `env` and `http_headers` may hold secrets.
    write_atomically(path, new, new_mode=0o600)
    try:
        load_config(config_path=path)
    except ConfigError as exc:
        _restore(path, current.raw)
        raise ConfigError(f"{path} left unchanged, the edit would not load: {exc}") from None


def render(text: str, servers: Mapping[str, object], label: str = "config.yaml") -> str:
    """`text` with its top-level `mcp_servers:` block (the key's line and the indented
    lines under it) replaced by `servers`, or the block appended when absent. Raises
    ConfigError when the file's layout does not allow that edit to read back right."""
    try:
        before = safe_yaml.load(text) if text.strip() else None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{label}: not valid YAML ({problem})") from None
    before = {} if before is None else before
    if not isinstance(before, dict):
        raise ConfigError(f"{label}: expected a mapping of config keys at the top level")
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    keys = _top_level_keys(text)
    if len(keys) > 1:
        raise ConfigError(
            f"{label}: `{KEY}` appears more than once at the top level; merge by hand"
        )
    if keys:
        key_node, value_node = keys[0]
        start = key_node.start_mark.line
        if key_node.start_mark.column != 0:
            raise ConfigError(f"{label}: cannot edit a `{KEY}` not at the start of a line")
        end = _block_end(lines, start)
        comment = _key_comment(lines[start], key_node, value_node)
        block = _block(servers, comment, newline)
        new_text = "".join(lines[:start]) + block + "".join(lines[end:])
    else:
        tail = newline if text and not text.endswith(("\n", "\r")) else ""
        new_text = text + tail + _block(servers, "", newline)
    try:
        after = safe_yaml.load(new_text)
    except yaml.YAMLError:
        after = None
    if after != {**before, KEY: dict(servers)}:
        raise ConfigError(f"{label}: cannot rewrite `{KEY}` in this file's layout; edit it by hand")
    return new_text


def _top_level_keys(text: str) -> list[tuple[yaml.Node, yaml.Node]]:
    root = safe_yaml.compose(text) if text.strip() else None
    if not isinstance(root, yaml.MappingNode):
        return []
    return [
        (key, value)
        for key, value in root.value
        if isinstance(key, yaml.ScalarNode) and key.value == KEY
    ]


def _block_end(lines: list[str], start: int) -> int:
    """The index after the block starting at `start`: the indented lines below it,
    with blank lines and comments between them; those after its last indented
    line belong to what follows."""
    end = start + 1
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if line[:1] in (" ", "\t") and line.strip():
            end = i + 1
        elif line.strip() and not line.startswith("#"):
            break
    return end


def _key_comment(line: str, key: yaml.Node, value: yaml.Node) -> str:
    """A `# comment` on the key's line, kept on the rewritten one."""
    line = line.rstrip("\r\n")
    after_colon = line[key.end_mark.column :].lstrip().removeprefix(":").strip()
    if after_colon.startswith("#"):
        return "  " + after_colon
    if value.start_mark.line == key.start_mark.line == value.end_mark.line:
        rest = line[value.end_mark.column :].strip()
        if rest.startswith("#"):
            return "  " + rest
    return ""


def _block(servers: Mapping[str, object], comment: str, newline: str) -> str:
    if not servers:
        return f"{KEY}: {{}}{comment}{newline}"
    body = yaml.safe_dump(
        dict(servers),
        default_flow_style=False,
        sort_keys=False,
        allow_unicode=True,
        width=_WIDTH,
    )
    # split("\n"), not splitlines(): a value may hold U+2028 and the like.
    indented = [f"  {line}" if line else line for line in body.removesuffix("\n").split("\n")]
    return newline.join([f"{KEY}:{comment}", *indented]) + newline


def _read_bytes(path: Path) -> bytes | None:
    try:
        return read_regular(path, MAX_FILE_BYTES)
    except FileNotFoundError:
        return None
    except UnreadableFile as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None


def _restore(path: Path, raw: bytes | None) -> None:
    if raw is None:
        Path(os.path.realpath(path)).unlink(missing_ok=True)
    else:
        write_atomically(path, raw, new_mode=0o600)
