"""`codex-tui mcp list|get|add|remove`, driven through the real entry point
(`codex_tui.cli.main`) with the `mcp` entry registered for the test."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from codex_tui import cli
from codex_tui.config import ConfigError, load_config
from codex_tui.mcp.config_edit import render

# Everything outside the mcp_servers block must survive an edit byte for byte.
HEAD = """\
# my settings, by hand
model: o3   # the model I like
approval_policy: never

"""
OLD_BLOCK = """\
mcp_servers:  # tools
  old:
    command: old-server
# a note between servers
    args: [--fast]
"""
TAIL = """\

# the theme, after the servers
theme: light
profiles:
  fast:
    model: gpt-4.1 # quicker
    mcp_servers:
      prof:
        url: http://localhost:9/mcp
"""


@pytest.fixture(autouse=True)
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(
        cli.SUBCOMMANDS, "mcp", ("codex_tui.mcp.cli", "manage MCP servers in config.yaml")
    )


@pytest.fixture
def config(isolated_home: Path) -> Path:
    return isolated_home / "config.yaml"


def mcp(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `codex-tui mcp ARGV...`; argparse's own errors exit through SystemExit."""
    try:
        code = cli.main(["mcp", *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def block_of(text: str) -> str:
    """What lies between HEAD and TAIL (asserting both are intact)."""
    assert text.startswith(HEAD), text
    assert text.endswith(TAIL), text
    return text[len(HEAD) : len(text) - len(TAIL)]


def test_round_trip_add_list_get_remove(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config.write_text(HEAD + OLD_BLOCK + TAIL)

    code, out, err = mcp(
        capsys, "add", "git", "--env", "GIT_TOKEN=s3cret", "--startup-timeout-sec", "5",
        "--", "uvx", "mcp-server-git", "--repository", ".", "-c", "x",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == f"added MCP server git to {config}\n"
    code, out, err = mcp(
        capsys, "add", "docs", "--url", "https://example.com/mcp",
        "--bearer-token-env-var", "DOCS_TOKEN", "--header", "X-Team=core",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == f"added MCP server docs to {config}\n"

    text = config.read_text()
    assert block_of(text) == (
        "mcp_servers:  # tools\n"
        "  old:\n"
        "    command: old-server\n"
        "    args:\n"
        "    - --fast\n"
        "  git:\n"
        "    command: uvx\n"
        "    args:\n"
        "    - mcp-server-git\n"
        "    - --repository\n"
        "    - .\n"
        "    - -c\n"
        "    - x\n"
        "    env:\n"
        "      GIT_TOKEN: s3cret\n"
        "    startup_timeout_sec: 5\n"
        "  docs:\n"
        "    url: https://example.com/mcp\n"
        "    bearer_token_env_var: DOCS_TOKEN\n"
        "    http_headers:\n"
        "      X-Team: core\n"
    )
    servers = load_config(config_path=config).config.mcp_servers
    assert servers["git"].args == ["mcp-server-git", "--repository", ".", "-c", "x"]
    assert servers["git"].startup_timeout_sec == 5

    code, out, err = mcp(capsys, "list")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "NAME  TRANSPORT  COMMAND / URL                           ENABLED  APPROVAL",
        "old   stdio      old-server --fast                       yes      auto",
        "git   stdio      uvx mcp-server-git --repository . -c x  yes      auto",
        "docs  http       https://example.com/mcp                 yes      auto",
    ]
    code, out, _ = mcp(capsys, "list", "--json")
    listed = json.loads(out)
    assert code == 0
    assert [s["name"] for s in listed] == ["old", "git", "docs"]
    assert listed[1]["transport"] == "stdio"
    assert listed[1]["env"] == {"GIT_TOKEN": "s3cret"}
    assert listed[2]["transport"] == "http"
    assert listed[2]["http_headers"] == {"X-Team": "core"}
    assert listed[2]["tool_timeout_sec"] == 60.0
    assert listed[2]["default_tools_approval_mode"] == "auto"

    code, out, _ = mcp(capsys, "get", "git")
    assert code == 0
    lines = out.splitlines()
    assert lines[:4] == ["name: git", "transport: stdio", "command: uvx",
                         "args: [mcp-server-git, --repository, ., -c, x]"]  # fmt: skip
    assert "env: {GIT_TOKEN: '*****'}" in lines  # the text output hides values
    assert "s3cret" not in out
    code, out, _ = mcp(capsys, "get", "docs", "--json")
    assert code == 0
    assert json.loads(out) == listed[2]

    code, out, err = mcp(capsys, "remove", "git")
    assert (code, out, err) == (0, f"removed MCP server git from {config}\n", "")
    for name in ("old", "docs"):
        assert mcp(capsys, "remove", name)[0] == 0
    assert config.read_text() == HEAD + "mcp_servers: {}  # tools\n" + TAIL
    code, out, err = mcp(capsys, "list")
    assert (code, out) == (0, "")
    assert err.startswith("no MCP servers configured")


def test_list_follows_the_effective_config(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config.write_text(HEAD + OLD_BLOCK + TAIL)
    code, out, _ = mcp(capsys, "list", "-p", "fast", "--json")
    assert code == 0
    assert [s["name"] for s in json.loads(out)] == ["old", "prof"]
    code, out, _ = mcp(capsys, "-c", "mcp_servers.old.enabled=false", "list")
    assert code == 0
    assert out.splitlines()[1].split() == ["old", "stdio", "old-server", "--fast", "no", "auto"]


def test_add_creates_a_private_file_and_appends_when_the_key_is_absent(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert mcp(capsys, "add", "a", "--", "srv")[0] == 0
    assert config.read_text() == "mcp_servers:\n  a:\n    command: srv\n"
    assert config.stat().st_mode & 0o777 == 0o600

    config.write_text("theme: light  # no newline at the end")
    assert mcp(capsys, "add", "b", "--url", "http://localhost:8000/mcp")[0] == 0
    assert config.read_text() == (
        "theme: light  # no newline at the end\n"
        "mcp_servers:\n  b:\n    url: http://localhost:8000/mcp\n"
    )


def test_windows_line_endings_and_flow_style_block(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config.write_bytes(b"model: o3\r\nmcp_servers: {a: {command: x}}  # inline\r\ntheme: light\r\n")
    assert mcp(capsys, "add", "b", "--", "y", "--flag")[0] == 0
    assert config.read_bytes() == (
        b"model: o3\r\n"
        b"mcp_servers:  # inline\r\n"
        b"  a:\r\n    command: x\r\n"
        b"  b:\r\n    command: y\r\n    args:\r\n    - --flag\r\n"
        b"theme: light\r\n"
    )


def test_replacing_needs_force(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config.write_text(HEAD + OLD_BLOCK + TAIL)
    before = config.read_bytes()
    code, out, err = mcp(capsys, "add", "old", "--", "new-server")
    assert (code, out) == (1, "")
    assert err == (
        f"codex-tui: mcp add: {config} already has a server named old (--force replaces it)\n"
    )
    assert config.read_bytes() == before

    code, out, _ = mcp(capsys, "add", "old", "--force", "--", "new-server")
    assert code == 0
    assert out == f"added MCP server old to {config} (replaced the old settings)\n"
    assert (
        block_of(config.read_text()) == "mcp_servers:  # tools\n  old:\n    command: new-server\n"
    )


@pytest.mark.parametrize("name", ["git.hub", "my server", "ünï", "a/b", "x:y"])
def test_bad_name_is_one_line_exit_2(
    name: str, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = mcp(capsys, "add", name, "--", "srv")
    assert (code, out) == (2, "")
    assert err.startswith(f"codex-tui: mcp add: server name {name!r} may hold only letters")
    assert err.count("\n") == 1
    assert not config.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--url", "http://h/mcp", "--", "srv"], "give the server's command after `--` or --url, not both"),
        ([], "give the server's command after `--` (a stdio server) or --url URL"),
        (["--"], "give the server's command after `--` (a stdio server) or --url URL"),
        (["--url", "ftp://h/mcp"], "--url 'ftp://h/mcp' is not an http:// or https:// URL"),
        (["--env", "NOVALUE", "--", "srv"], "--env expects KEY=VALUE, got 'NOVALUE'"),
        (["--url", "http://h/mcp", "--env", "A=1"], "--env and --cwd go with a command, not --url"),
        (["--header", "A=1", "--", "srv"], "--bearer-token-env-var and --header go with --url"),
    ],
)  # fmt: skip
def test_command_xor_url_and_options_are_checked(
    argv: list[str], message: str, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = mcp(capsys, "add", "srv", *argv)
    assert (code, out, err) == (2, "", f"codex-tui: mcp add: {message}\n")
    assert not config.exists()


def test_argparse_errors_exit_2_and_point_at_dash_dash(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = mcp(capsys, "add", "git", "uvx", "mcp-server-git")
    assert code == 2
    assert "unrecognized arguments: uvx mcp-server-git (the server's command" in err
    code, _, err = mcp(capsys, "add", "git", "--tool-timeout-sec", "0", "--", "uvx")
    assert code == 2
    assert "--tool-timeout-sec: '0': give a number of at least 0.1" in err
    assert not config.exists()


def test_cwd_is_taken_from_the_current_directory(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert mcp(capsys, "-C", str(tmp_path), "add", "a", "--cwd", "sub", "--", "srv")[0] == 0
    assert yaml.safe_load(config.read_text())["mcp_servers"]["a"]["cwd"] == str(tmp_path / "sub")


def test_unknown_names(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config.write_text(HEAD + OLD_BLOCK + TAIL)
    before = config.read_bytes()
    code, out, err = mcp(capsys, "get", "nope")
    assert (code, out, err) == (1, "", "codex-tui: mcp: no server named nope (configured: old)\n")
    code, out, err = mcp(capsys, "remove", "nope")
    assert (code, out, err) == (1, "", "codex-tui: mcp: no server named nope (configured: old)\n")
    code, _, err = mcp(capsys, "-p", "fast", "remove", "prof")
    assert code == 1
    assert err.startswith(f"codex-tui: mcp remove: server prof is set by profile fast in {config}")
    assert config.read_bytes() == before


def leftovers(config: Path) -> list[str]:
    """The files beside config.yaml: no temporary file of an edit is left (the
    parse cache's folder is the loader's own)."""
    return sorted(p.name for p in config.parent.iterdir() if p.name != "cache")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"model: [unclosed\n", "YAML syntax error"),
        (b"model: o3\n\tmcp_servers: {}\n", "YAML syntax error"),
        (b"- just\n- a list\n", "expected a mapping of config keys"),
        (b"model: \xff\xfe\n", "cannot read"),
        (b"mcp_servers: [a, b]\n", "`mcp_servers` is not a mapping"),
    ],
)
@pytest.mark.parametrize(
    "argv", [["add", "a", "--", "srv"], ["remove", "a"], ["list"], ["get", "a"]]
)
def test_unusable_config_is_one_line_and_untouched(
    content: bytes,
    problem: str,
    argv: list[str],
    config: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config.write_bytes(content)
    code, out, err = mcp(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith("codex-tui: ") and err.count("\n") == 1
    if argv[0] in ("add", "remove") or "mcp_servers" not in problem:
        assert problem in err
    assert config.read_bytes() == content
    assert leftovers(config) == ["config.yaml"]


def test_config_that_is_not_a_file_is_refused(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config.mkdir()
    code, _, err = mcp(capsys, "add", "a", "--", "srv")
    assert code == 2
    assert err == f"codex-tui: cannot read {config}: is a directory, not a regular file\n"
    os.mkfifo(config.parent / "fifo")
    config.rmdir()
    config.symlink_to(config.parent / "fifo")
    code, _, err = mcp(capsys, "add", "a", "--", "srv")
    assert code == 2
    assert "is a named pipe (FIFO)" in err


def test_an_edit_that_does_not_load_is_taken_back(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The file reads, but does not load: an unknown key elsewhere.
    content = b"modle: o3\nmcp_servers: {}\n"
    config.write_bytes(content)
    code, out, err = mcp(capsys, "add", "a", "--", "srv")
    assert (code, out) == (2, "")
    assert err.startswith(f"codex-tui: {config} left unchanged, the edit would not load: unknown")
    assert "did you mean `model`?" in err and err.count("\n") == 1
    assert config.read_bytes() == content
    assert leftovers(config) == ["config.yaml"]


def test_a_broken_server_can_still_be_removed(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config.write_text("mcp_servers:\n  bad:\n    command: x\n    url: http://h/\ntheme: light\n")
    assert mcp(capsys, "list")[0] == 2
    code, out, _ = mcp(capsys, "remove", "bad")
    assert (code, out) == (0, f"removed MCP server bad from {config}\n")
    assert config.read_text() == "mcp_servers: {}\ntheme: light\n"


def test_symlinked_config_is_edited_in_place(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = tmp_path / "dotfiles" / "codex.yaml"
    real.parent.mkdir()
    real.write_text("theme: light\n")
    real.chmod(0o640)
    config.symlink_to(real)
    assert mcp(capsys, "add", "a", "--", "srv")[0] == 0
    assert config.is_symlink()
    assert real.read_text() == "theme: light\nmcp_servers:\n  a:\n    command: srv\n"
    assert real.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    "text",
    [
        "mcp_servers: {}\nmcp_servers: {}\n",  # twice at the top level
        "{theme: light, mcp_servers: {}}\n",  # the whole file in flow style
    ],
)
def test_layouts_that_cannot_be_edited_are_refused(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        render(text, {"b": {"command": "y"}})
    assert "\n" not in str(caught.value)


def test_render_and_anchors() -> None:
    text = "profiles:\n  p: &p {model: o3}\nmcp_servers:\n  a: {command: x}\n"
    assert render(text, {}) == "profiles:\n  p: &p {model: o3}\nmcp_servers: {}\n"
    # An alias in the block is written out in full.
    text = "profiles:\n  p: {mcp_servers: {a: &a {command: x}}}\nmcp_servers:\n  a: *a\n"
    edited = render(text, {"a": {"command": "x"}, "b": {"command": "y"}})
    assert edited.endswith("mcp_servers:\n  a:\n    command: x\n  b:\n    command: y\n")
    # An anchor defined inside the block and used outside it cannot be rewritten.
    text = "mcp_servers:\n  a: &a {command: x}\nprofiles:\n  p: {mcp_servers: {a: *a}}\n"
    with pytest.raises(ConfigError, match="edit it by hand"):
        render(text, {})
