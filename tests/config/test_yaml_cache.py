"""config.yaml and theme files parsed once, then read back from a JSON cache: the
same config and themes either way, any edit parsed again, values JSON cannot
carry exactly never cached, and a damaged or unwritable cache only a parse."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codex_tui.config import ConfigError, load_config
from codex_tui.config.yaml_cache import ParseCache, cache_file

CONFIG = """\
model: local-model
model_providers:
  lab:
    base_url: http://127.0.0.1:8000/v1
model_provider: lab
profiles:
  fast:
    model: small
"""


def entries(home: Path) -> dict:
    return json.loads(cache_file("config").read_text())["entries"]


def test_a_cached_config_loads_as_a_parsed_one(home: Path) -> None:
    (home / "config.yaml").write_text(CONFIG)
    parsed = load_config(profile="fast")
    assert list(entries(home)) == [str(home / "config.yaml")]
    cached = load_config(profile="fast")
    assert cached.config == parsed.config
    assert cached.sources == parsed.sources
    assert cached.source_of("model_providers.lab.base_url").endswith("config.yaml line 4")


def test_an_edited_config_is_parsed_again(home: Path) -> None:
    (home / "config.yaml").write_text(CONFIG)
    load_config()
    (home / "config.yaml").write_text(CONFIG.replace("local-model", "other-model"))
    assert load_config().config.model == "other-model"
    (home / "config.yaml").write_text("model: [unclosed\n")
    with pytest.raises(ConfigError, match="YAML syntax error"):
        load_config()
    (home / "config.yaml").write_text("- a list\n")
    for _ in range(2):  # the cached list is refused like the parsed one
        with pytest.raises(ConfigError, match="expected a mapping"):
            load_config()


def test_the_second_load_does_not_import_pyyaml(home: Path) -> None:
    (home / "config.yaml").write_text(CONFIG)
    code = (
        "import sys; from codex_tui.config import load_config;"
        " print(load_config().config.model, 'yaml' in sys.modules)"
    )
    env = {**os.environ, "CODEX_TUI_HOME": str(home)}
    said = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
        ).stdout.split()
        for _ in range(2)
    ]
    assert said == [["local-model", "True"], ["local-model", "False"]]


def test_values_json_cannot_carry_are_parsed_every_time(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path / "cache" / "c.json")
    cache.put("a", "x: 2024-01-02", {"x": datetime.date(2024, 1, 2)})
    cache.put("b", "{1: one}", {1: "one"})  # JSON would make the key "1"
    cache.put("c", "x: true", {"x": True})
    cache.put("d", "x: .nan", {"x": float("nan")})
    cache.save()
    again = ParseCache(tmp_path / "cache" / "c.json")
    assert [again.get(label, text)[0] for label, text in
            [("a", "x: 2024-01-02"), ("b", "{1: one}"), ("d", "x: .nan")]] == [False] * 3  # fmt: skip
    assert again.get("c", "x: true") == (True, {"x": True})
    assert again.get("c", "x: false") == (False, None)


@pytest.mark.parametrize(
    "damage", [b"", b"{not json", b"[1]", b'{"version": 1, "entries": []}', b"[" * 100_000]
)
def test_a_damaged_cache_is_a_parse(home: Path, damage: bytes) -> None:
    (home / "config.yaml").write_text(CONFIG)
    cache = cache_file("config")
    cache.parent.mkdir()
    cache.write_bytes(damage)
    assert load_config().config.model == "local-model"
    assert load_config().config.model == "local-model"


def test_a_damaged_entry_is_a_parse(home: Path) -> None:
    (home / "config.yaml").write_text(CONFIG)
    load_config()
    cache = cache_file("config")
    stored = json.loads(cache.read_text())
    for entry in stored["entries"].values():
        entry["value"]["lines"] = [["not", "a", "pair"]]
    cache.write_text(json.dumps(stored))
    assert load_config().source_of("model").endswith("config.yaml line 1")


def test_a_cache_that_cannot_be_written_is_no_error(home: Path) -> None:
    (home / "config.yaml").write_text(CONFIG)
    (home / "cache").write_text("a file where the folder would be")
    assert load_config().config.model == "local-model"
    assert load_config().config.model == "local-model"


def test_themes_are_cached_and_a_deleted_theme_file_leaves_the_cache(tmp_path: Path) -> None:
    from codex_tui.ui.themes import load_themes

    user = tmp_path / "themes"
    user.mkdir()
    theme = "name: mine\ndark: true\nprimary: '#336699'\n"
    (user / "mine.yaml").write_text(theme)
    file = tmp_path / "cache" / "themes.json"
    plain = load_themes(user_dir=user, check_styles=False)
    first = load_themes(user_dir=user, check_styles=False, cache=ParseCache(file))
    cached = load_themes(user_dir=user, check_styles=False, cache=ParseCache(file))
    assert plain.themes == first.themes == cached.themes
    assert str(user / "mine.yaml") in json.loads(file.read_text())["entries"]
    (user / "mine.yaml").write_text(theme.replace("#336699", "#993366"))
    edited = load_themes(user_dir=user, check_styles=False, cache=ParseCache(file))
    assert edited.themes["mine"].textual_theme.primary == "#993366"
    (user / "mine.yaml").unlink()
    load_themes(user_dir=user, check_styles=False, cache=ParseCache(file))
    assert str(user / "mine.yaml") not in json.loads(file.read_text())["entries"]
