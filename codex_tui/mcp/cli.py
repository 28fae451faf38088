"""`codex-tui mcp list|get|add|remove`: show the MCP servers of the effective config
and edit the top-level `mcp_servers:` of config.yaml, as Codex CLI's `codex mcp` does.

    codex-tui mcp add git -- uvx mcp-server-git --repository .
    codex-tui mcp add docs --url https://example.com/mcp --bearer-token-env-var DOCS_TOKEN
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import re
import shlex
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from codex_tui.cli_context import SUB_PREFIX, CliError, Context, global_flags
from codex_tui.config import ConfigError
from codex_tui.config.schema import McpServer
from codex_tui.mcp.config_edit import ServerEntry, read_servers, write_servers

# A server's name becomes part of its tools' names (`mcp__<server>__<tool>`).
NAME = re.compile(r"[A-Za-z0-9_-]+")
MASK = "*****"
# The schema's minimum for both timeouts.
MIN_TIMEOUT = 0.1
ADD_USAGE = """%(prog)s NAME [--env K=V ...] [--cwd DIR] [timeouts] -- COMMAND [ARGS...]
       %(prog)s NAME --url URL [--bearer-token-env-var VAR] [--header K=V ...] [timeouts]"""


class TailParser(argparse.ArgumentParser):
    """A parser that, when `tail_dest` is set, stores what follows the first `--`
    there untouched: a server's own options (`--repository .`) are not ours."""

    tail_dest: str | None = None

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self.tail_dest is None or args is None:
            return super().parse_known_args(args, namespace)
        words = list(args)
        tail: list[str] | None = None
        if "--" in words:
            cut = words.index("--")
            words, tail = words[:cut], words[cut + 1 :]
        parsed, extra = super().parse_known_args(words, namespace)
        if extra:
            self.error(
                f"unrecognized arguments: {' '.join(extra)}"
                " (the server's command and its options go after `--`)"
            )
        setattr(parsed, self.tail_dest, tail)
        return parsed, extra


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="mcp_action", metavar="ACTION", parser_class=TailParser)
    # list and get show the effective config, so -p/-c after the action count too.
    # (typeshed wants parents of the subparsers' own class; any parser works.)
    shown: list[Any] = [global_flags(SUB_PREFIX)]
    listing = actions.add_parser("list", help="list the configured servers", parents=shown)
    listing.add_argument("--json", action="store_true", help="print a JSON array of the servers")
    get = actions.add_parser("get", help="show one server's settings", parents=shown)
    get.add_argument("name", metavar="NAME")
    get.add_argument("--json", action="store_true", help="print the server as a JSON object")
    add = actions.add_parser(
        "add",
        help="add a server to config.yaml",
        usage=ADD_USAGE,
        description="Add a stdio server (its command line after `--`) or an HTTP one (--url).",
    )
    assert isinstance(add, TailParser)
    add.tail_dest = "server_command"
    add.add_argument("name", metavar="NAME", help="letters, digits, _ and -")
    add.add_argument("--url", help="a streamable HTTP endpoint")
    add.add_argument(
        "--bearer-token-env-var", metavar="VAR", help="send $VAR as a bearer token (HTTP)"
    )
    add.add_argument(
        "--header", action="append", default=[], metavar="K=V", help="an HTTP header; repeatable"
    )
    add.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="K=V",
        help="an environment variable for the command; repeatable",
    )
    add.add_argument(
        "--cwd", metavar="DIR", help="the command's directory (relative: to the current one)"
    )
    add.add_argument("--startup-timeout-sec", type=seconds, metavar="N")
    add.add_argument("--tool-timeout-sec", type=seconds, metavar="N")
    add.add_argument("--force", action="store_true", help="replace a server of the same name")
    remove = actions.add_parser("remove", help="remove a server from config.yaml")
    remove.add_argument("name", metavar="NAME")


def run(ctx: Context) -> int:
    action = getattr(ctx.args, "mcp_action", None) or "list"
    if action == "list":
        return list_servers(ctx)
    if action == "get":
        return get_server(ctx)
    if action == "add":
        return add_server(ctx)
    return remove_server(ctx)


def list_servers(ctx: Context) -> int:
    servers = ctx.config.mcp_servers
    if getattr(ctx.args, "json", False):
        print(
            json.dumps(
                [server_json(n, s) for n, s in servers.items()], indent=2, ensure_ascii=False
            )
        )
        return 0
    if not servers:
        print(
            "no MCP servers configured; `codex-tui mcp add NAME -- COMMAND [ARGS...]` adds one",
            file=sys.stderr,
        )
        return 0
    rows = [("NAME", "TRANSPORT", "COMMAND / URL", "ENABLED", "APPROVAL")]
    for name, server in servers.items():
        enabled = "yes" if server.enabled else "no"
        rows.append(
            (name, transport(server), target(server), enabled, server.default_tools_approval_mode)
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return 0


def get_server(ctx: Context) -> int:
    servers = ctx.config.mcp_servers
    name: str = ctx.args.name
    server = servers.get(name)
    if server is None:
        raise CliError(f"mcp: no server named {name} ({configured(servers)})", 1)
    if ctx.args.json:
        print(json.dumps(server_json(name, server), indent=2, ensure_ascii=False))
        return 0
    data = server_json(name, server)
    for key in ("env", "http_headers"):
        data[key] = {k: MASK for k in data[key]}  # values often hold secrets
    for key, value in data.items():
        print(f"{key}: {flow(value)}")
    return 0


def add_server(ctx: Context) -> int:
    args = ctx.args
    name = checked_name(args.name)
    entry = new_entry(args, ctx.cwd)
    current = read_servers()
    replaced = name in current.servers
    if replaced and not args.force:
        raise CliError(
            f"mcp add: {current.path} already has a server named {name} (--force replaces it)", 1
        )
    write_servers(current, {**current.servers, name: entry})
    note = " (replaced the old settings)" if replaced else ""
    print(f"added MCP server {name} to {current.path}{note}")
    return 0


def remove_server(ctx: Context) -> int:
    name: str = ctx.args.name
    current = read_servers()
    if name not in current.servers:
        elsewhere = set_elsewhere(ctx, name)
        if elsewhere:
            raise CliError(
                f"mcp remove: server {name} is set by {elsewhere}, not by the top-level"
                f" mcp_servers of {current.path}; edit it there",
                1,
            )
        raise CliError(f"mcp: no server named {name} ({configured(current.servers)})", 1)
    write_servers(current, {k: v for k, v in current.servers.items() if k != name})
    print(f"removed MCP server {name} from {current.path}")
    return 0


def new_entry(args: argparse.Namespace, cwd: Path) -> ServerEntry:
    """The settings `add` writes: only what was given, so defaults stay the schema's."""
    command: list[str] = [text(word, "the command") for word in args.server_command or []]
    if bool(command) == bool(args.url):
        raise CliError(
            "mcp add: give the server's command after `--` or --url, not both"
            if command
            else "mcp add: give the server's command after `--` (a stdio server) or --url URL",
            2,
        )
    entry: ServerEntry = {}
    if command:
        if args.bearer_token_env_var or args.header:
            raise CliError("mcp add: --bearer-token-env-var and --header go with --url", 2)
        entry["command"] = command[0]
        if command[1:]:
            entry["args"] = command[1:]
        if args.env:
            entry["env"] = pairs(args.env, "--env")
        if args.cwd:
            entry["cwd"] = str(cwd / Path(text(args.cwd, "--cwd")).expanduser())
    else:
        if args.env or args.cwd:
            raise CliError("mcp add: --env and --cwd go with a command, not --url", 2)
        entry["url"] = checked_url(text(args.url, "--url"))
        if args.bearer_token_env_var:
            entry["bearer_token_env_var"] = text(
                args.bearer_token_env_var, "--bearer-token-env-var"
            )
        if args.header:
            entry["http_headers"] = pairs(args.header, "--header")
    if args.startup_timeout_sec is not None:
        entry["startup_timeout_sec"] = args.startup_timeout_sec
    if args.tool_timeout_sec is not None:
        entry["tool_timeout_sec"] = args.tool_timeout_sec
    return entry


def checked_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise CliError(
            f"mcp add: server name {name!r} may hold only letters, digits, _ and -"
            " (it becomes part of tool names)",
            2,
        )
    return name


def checked_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CliError(f"mcp add: --url {url!r} is not an http:// or https:// URL", 2)
    return url


def pairs(items: list[str], flag: str) -> dict[str, str]:
    """`K=V` words as a mapping (a later K wins)."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = text(item, flag).partition("=")
        if not sep or not key.strip():
            raise CliError(f"mcp add: {flag} expects KEY=VALUE, got {item!r}", 2)
        out[key.strip()] = value
    return out


def text(word: str, what: str) -> str:
    """`word` as it is; config.yaml is UTF-8, so bytes that are not are refused."""
    try:
        word.encode("utf-8")
    except UnicodeEncodeError:
        raise CliError(f"mcp add: {what} is not valid UTF-8 text", 2) from None
    return word


def seconds(value: str) -> float:
    """An argparse type: a finite number of seconds, at least the schema's minimum."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not math.isfinite(number) or number < MIN_TIMEOUT:
        raise argparse.ArgumentTypeError(f"{value!r}: give a number of at least {MIN_TIMEOUT}")
    return int(number) if number.is_integer() else number  # `5` stays 5 in the file


def set_elsewhere(ctx: Context, name: str) -> str:
    """Where the effective config gets server `name` from, when not the top level
    (a profile, -c); empty when nowhere or when the config does not load."""
    try:
        sources = ctx.loaded.sources
    except ConfigError:
        return ""
    prefix = f"mcp_servers.{name}."
    return next((where for key, where in sources.items() if key.startswith(prefix)), "")


def configured(servers: Iterable[str]) -> str:
    names = ", ".join(servers)
    return f"configured: {names}" if names else "none configured"


def transport(server: McpServer) -> str:
    return "stdio" if server.command else "http"


def target(server: McpServer) -> str:
    if server.command:
        return shlex.join([server.command, *server.args])
    return server.url or ""


def server_json(name: str, server: McpServer) -> dict[str, Any]:
    return {"name": name, "transport": transport(server), **dataclasses.asdict(server)}


def flow(value: object) -> str:
    """One-line YAML for a value, as `codex-tui config` prints them."""
    from codex_tui.config.cli import scalar

    return scalar(value)
