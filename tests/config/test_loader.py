"""Loading, precedence, provenance and every error path of the config."""

from __future__ import annotations

from pathlib import Path

import pytest

from codex_tui.config import Config, ConfigError, load_config

REPO = Path(__file__).resolve().parents[2]


def write(home: Path, text: str) -> None:
    (home / "config.yaml").write_text(text)


def test_missing_file_gives_defaults(home: Path) -> None:
    loaded = load_config()
    assert loaded.config == Config()
    assert loaded.file is None
    assert loaded.source_of("model") == "default"
    assert loaded.config.provider.env_key == "OPENAI_API_KEY"


def test_empty_file_gives_defaults(home: Path) -> None:
    write(home, "# nothing here\n")
    assert load_config().config == Config()


def test_precedence_default_file_profile_override_flag(home: Path) -> None:
    write(
        home,
        "model: from-file\n"
        "approval_policy: untrusted\n"
        "sandbox_mode: read-only\n"
        "theme: light\n"
        "profiles:\n"
        "  p:\n"
        "    model: from-profile\n"
        "    approval_policy: never\n"
        "    sandbox_mode: danger-full-access\n",
    )
    loaded = load_config(
        overrides=["approval_policy=on-failure", "sandbox_mode=workspace-write"],
        profile="p",
        flags={"sandbox_mode": "read-only"},
    )
    cfg = loaded.config
    assert cfg.theme == "light"  # file beats default
    assert cfg.model == "from-profile"  # profile beats file
    assert cfg.approval_policy == "on-failure"  # -c beats profile
    assert cfg.sandbox_mode == "read-only"  # flag beats -c
    assert cfg.project_doc_max_bytes == 32768  # untouched default
    label = f"{home / 'config.yaml'}"
    assert loaded.source_of("theme") == f"{label} line 4"
    assert loaded.source_of("model") == f"profile p in {label} line 7"
    assert loaded.source_of("approval_policy") == "-c"
    assert loaded.source_of("sandbox_mode") == "command-line flag"
    assert loaded.source_of("project_doc_max_bytes") == "default"


def test_profile_selected_in_file_and_by_override(home: Path) -> None:
    write(home, "profile: a\nprofiles:\n  a: {model: ma}\n  b: {model: mb}\n")
    assert load_config().config.model == "ma"
    assert load_config(overrides=["profile=b"]).config.model == "mb"
    assert load_config(profile="b").config.model == "mb"


def test_nested_override_values_are_yaml(home: Path) -> None:
    cfg = load_config(
        overrides=[
            "sandbox_workspace_write.network_access=true",
            "sandbox_workspace_write.writable_roots=[/data, /cache]",
            "shell_environment_policy.set={CI: '1'}",
            "model_context_window=200000",
            "model=gpt-4.1",
            "notify=[]",
        ]
    ).config
    assert cfg.sandbox_workspace_write.network_access is True
    assert cfg.sandbox_workspace_write.writable_roots == ["/data", "/cache"]
    assert cfg.shell_environment_policy.set == {"CI": "1"}
    assert cfg.model_context_window == 200000
    assert cfg.model == "gpt-4.1"


def test_override_value_that_is_not_yaml_stays_text(home: Path) -> None:
    assert load_config(overrides=["model=a: b: c"]).config.model == "a: b: c"


def test_user_provider_adds_to_builtins_and_keeps_defaults(home: Path) -> None:
    write(
        home,
        "model_provider: vllm\n"
        "model_providers:\n"
        "  vllm:\n"
        "    base_url: http://gpu:8000/v1\n"
        "    wire_api: chat\n"
        "  ollama:\n"
        "    base_url: http://other:11434/v1\n",
    )
    loaded = load_config()
    cfg = loaded.config
    assert set(cfg.model_providers) == {"openai", "ollama", "lmstudio", "vllm"}
    assert cfg.provider.name == "vllm"
    assert cfg.provider.wire_api == "chat"
    assert cfg.provider.stream_max_retries == 5
    assert cfg.model_providers["ollama"].base_url == "http://other:11434/v1"
    assert cfg.model_providers["ollama"].wire_api == "chat"
    assert loaded.source_of("model_providers.vllm.stream_max_retries") == "default"


def test_openai_base_url_env(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9999/v1")
    loaded = load_config()
    assert loaded.config.provider.base_url == "http://127.0.0.1:9999/v1"
    assert loaded.source_of("model_providers.openai.base_url") == "env OPENAI_BASE_URL"
    write(home, "model_providers:\n  openai:\n    base_url: http://file/v1\n")
    assert load_config().config.provider.base_url == "http://file/v1"


@pytest.mark.parametrize(
    ("text", "overrides", "message"),
    [
        (
            "model: o3\nmodel_provder: ollama\n",
            [],
            "unknown config key `model_provder` ({file} line 2); did you mean `model_provider`?",
        ),
        (
            "sandbox_workspace_write:\n  network_acess: true\n",
            [],
            "unknown config key `sandbox_workspace_write.network_acess` ({file} line 2);"
            " did you mean `sandbox_workspace_write.network_access`?",
        ),
        ("colour_scheme: x\n", [], "unknown config key `colour_scheme` ({file} line 1)"),
        (
            "",
            ["approval_policy=sometimes"],
            "invalid value 'sometimes' for config key `approval_policy` (-c);"
            " allowed: untrusted, on-failure, on-request, never",
        ),
        (
            "sandbox_mode: yolo\n",
            [],
            "invalid value 'yolo' for config key `sandbox_mode` ({file} line 1);"
            " allowed: read-only, workspace-write, danger-full-access",
        ),
        (
            "model_providers:\n  x:\n    wire_api: grpc\n",
            [],
            "invalid value 'grpc' for config key `model_providers.x.wire_api` ({file} line 3);"
            " allowed: responses, chat",
        ),
        (
            "project_doc_max_bytes: lots\n",
            [],
            "invalid value 'lots' for config key `project_doc_max_bytes` ({file} line 1);"
            " expected an integer",
        ),
        (
            "",
            ["model_context_window=0"],
            "invalid value 0 for config key `model_context_window` (-c); must be at least 1",
        ),
        (
            "sandbox_workspace_write:\n  network_access: maybe\n",
            [],
            "invalid value 'maybe' for config key `sandbox_workspace_write.network_access`"
            " ({file} line 2); expected true or false",
        ),
        (
            "trusted_commands: pytest\n",
            [],
            "invalid value 'pytest' for config key `trusted_commands` ({file} line 1);"
            " expected a list of strings",
        ),
        (
            "trusted_commands:\n  - pytest\n  - 3\n",
            [],
            "invalid value 3 for config key `trusted_commands.1` ({file} line 3);"
            " expected a string",
        ),
        ("- a\n- b\n", [], "{file} line 1: expected a mapping of config keys at the top level"),
        (
            "model: [o3\n",
            [],
            "{file} line 2, column 1: YAML syntax error:"
            " expected ',' or ']', but got '<stream end>'",
        ),
        (
            "profiles:\n  p:\n    approval_policy: maybe\n",
            [],
            "invalid value 'maybe' for config key `profiles.p.approval_policy` ({file} line 3);"
            " allowed: untrusted, on-failure, on-request, never",
        ),
        (
            "profiles:\n  p:\n    profiles: {}\n",
            [],
            "`profiles.p.profiles` cannot be set inside a profile ({file} line 3)",
        ),
        ("profiles:\n  p: {}\n", ["profile=q"], "unknown profile 'q'; profiles in config.yaml: p"),
        (
            "",
            ["model_provider=vllm"],
            "config key `model_provider` names unknown provider 'vllm' (-c);"
            " known: lmstudio, ollama, openai (add it under model_providers)",
        ),
        (
            "model_providers:\n  vllm:\n    wire_api: chat\n",
            [],
            "config key `model_providers.vllm.base_url` is required (default);"
            " set it to the server's /v1 URL",
        ),
        ("", ["foo"], "-c expects key=value (dotted keys allowed), got 'foo'"),
        ("", ["=1"], "-c expects key=value (dotted keys allowed), got '=1'"),
        ("", ["a..b=1"], "-c expects key=value (dotted keys allowed), got 'a..b=1'"),
        ("", ["modle=x"], "unknown config key `modle` (-c); did you mean `model`?"),
    ],
)
def test_errors_are_one_clear_line(
    home: Path, text: str, overrides: list[str], message: str
) -> None:
    write(home, text)
    with pytest.raises(ConfigError) as info:
        load_config(overrides=overrides)
    text = str(info.value)
    assert text == message.format(file=home / "config.yaml")
    assert "\n" not in text


def test_unreadable_file_is_one_line(home: Path) -> None:
    (home / "config.yaml").mkdir()
    with pytest.raises(
        ConfigError, match=r"^cannot read .*config\.yaml: is a directory, not a regular file$"
    ):
        load_config()


def test_example_config_validates_and_documents_every_key(home: Path) -> None:
    example = REPO / "config.example.yaml"
    loaded = load_config(config_path=example)
    assert loaded.config.model_providers["vllm"].base_url == "http://localhost:8000/v1"
    assert loaded.config.profiles["careful"]["sandbox_mode"] == "read-only"
    text = example.read_text()
    for key in Config.__dataclass_fields__:
        assert f"\n{key}:" in text, f"config.example.yaml does not document `{key}`"
    for nested in ("writable_roots", "network_access", "exclude_tmpdir_env_var",
                   "exclude_slash_tmp", "inherit", "include_only", "persistence",
                   "request_max_retries", "stream_max_retries", "stream_idle_timeout_ms",
                   "env_key", "wire_api", "paths", "dangerous", "secrets",
                   "notifications"):  # fmt: skip
        assert f" {nested}:" in text, f"config.example.yaml does not document `{nested}`"


def test_state_checks_and_tui_keys(home: Path) -> None:
    defaults = load_config().config
    assert defaults.conversation_state == "client"
    checks = defaults.response_checks
    assert (checks.paths, checks.dangerous, checks.secrets) == (True, True, True)
    assert defaults.tui.notifications is True
    write(
        home,
        "conversation_state: server\n"
        "response_checks:\n  secrets: false\n"
        "tui:\n  notifications: false\n",
    )
    config = load_config(overrides=["response_checks.paths=false"]).config
    assert config.conversation_state == "server"
    checks = config.response_checks
    assert (checks.paths, checks.dangerous, checks.secrets) == (False, True, False)
    assert config.tui.notifications is False


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "conversation_state: cloud\n",
            "invalid value 'cloud' for config key `conversation_state` ({file} line 1);"
            " allowed: client, server",
        ),
        (
            "response_checks:\n  paths: sometimes\n",
            "invalid value 'sometimes' for config key `response_checks.paths` ({file} line 2);"
            " expected true or false",
        ),
        (
            "response_checks:\n  secret: true\n",
            "unknown config key `response_checks.secret` ({file} line 2);"
            " did you mean `response_checks.secrets`?",
        ),
        (
            "tui:\n  notification: true\n",
            "unknown config key `tui.notification` ({file} line 2);"
            " did you mean `tui.notifications`?",
        ),
    ],
)
def test_state_checks_and_tui_errors(home: Path, text: str, message: str) -> None:
    write(home, text)
    with pytest.raises(ConfigError) as info:
        load_config()
    assert str(info.value) == message.format(file=home / "config.yaml")
