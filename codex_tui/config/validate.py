"""Check raw YAML data against the schema and build typed config objects.

Errors name the dotted key, where it was set and what is allowed, in one line.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import types
import typing
from typing import Any, Literal, Union, get_args, get_origin

from codex_tui.config.errors import ConfigError
from codex_tui.config.schema import TOP_LEVEL_ONLY, Config

Path = tuple[str, ...]
# Given a key path, say where it was set ("config.yaml line 3", "-c", ...).
Locate = typing.Callable[[Path], str]


def dotted(path: Path) -> str:
    return ".".join(path)


@functools.cache
def hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@functools.cache
def fields_of(cls: type) -> dict[str, dataclasses.Field[Any]]:
    return {f.name: f for f in dataclasses.fields(cls)}


def describe(tp: Any) -> str:
    """A short human name for a type, used in error messages."""
    origin = get_origin(tp)
    if origin is Literal:
        return "one of " + ", ".join(str(a) for a in get_args(tp))
    if origin in (Union, types.UnionType):
        inner = [a for a in get_args(tp) if a is not type(None)]
        return " or ".join(describe(a) for a in inner) + " (or null)"
    if origin is list:
        item = describe(get_args(tp)[0]).removeprefix("a ").removeprefix("an ")
        return f"a list of {item}s"
    if origin is dict:
        return "a mapping"
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return "a mapping"
    return {str: "a string", int: "an integer", bool: "true or false", float: "a number"}.get(
        tp, str(tp)
    )


def check(
    value: Any, tp: Any, path: Path, where: Locate, meta: dict[str, Any] | None = None
) -> None:
    """Raise ConfigError unless `value` fits type `tp` (recursively)."""
    origin = get_origin(tp)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        check_mapping(value, tp, path, where)
    elif origin in (Union, types.UnionType):
        if value is None and type(None) in get_args(tp):
            return
        inner = [a for a in get_args(tp) if a is not type(None)]
        check(value, inner[0], path, where, meta)
    elif origin is Literal:
        allowed = get_args(tp)
        if value not in allowed:
            raise bad_value(path, value, where, "allowed: " + ", ".join(map(str, allowed)))
    elif origin is list:
        if not isinstance(value, list):
            raise bad_value(path, value, where, f"expected {describe(tp)}")
        for i, item in enumerate(value):
            check(item, get_args(tp)[0], (*path, str(i)), where)
    elif origin is dict:
        if not isinstance(value, dict):
            raise bad_value(path, value, where, f"expected {describe(tp)}")
        value_type = get_args(tp)[1]
        for key, item in value.items():
            if not isinstance(key, str):
                raise bad_value(path, key, where, "keys must be strings")
            if path == ("profiles",):
                check_mapping(item, Config, (*path, key), where, exclude=TOP_LEVEL_ONLY)
            else:
                check(item, value_type, (*path, key), where)
    elif tp is bool:
        if not isinstance(value, bool):
            raise bad_value(path, value, where, "expected true or false")
    elif tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad_value(path, value, where, "expected an integer")
        minimum = (meta or {}).get("minimum")
        if minimum is not None and value < minimum:
            raise bad_value(path, value, where, f"must be at least {minimum}")
    elif tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad_value(path, value, where, "expected a number")
        minimum = (meta or {}).get("minimum")
        if minimum is not None and value < minimum:
            raise bad_value(path, value, where, f"must be at least {minimum}")
    elif tp is str:
        if not isinstance(value, str):
            raise bad_value(path, value, where, "expected a string")
    elif tp is dict or tp is Any:
        return
    else:  # pragma: no cover - a schema type this checker does not know
        raise TypeError(f"unsupported schema type {tp!r}")


def check_mapping(
    value: Any, cls: type, path: Path, where: Locate, exclude: frozenset[str] = frozenset()
) -> None:
    if not isinstance(value, dict):
        raise bad_value(path, value, where, "expected a mapping of keys")
    known = fields_of(cls)
    allowed = [k for k in known if k not in exclude]
    for key, item in value.items():
        if not isinstance(key, str) or key not in allowed:
            sub = (*path, str(key))
            if key in exclude:
                raise ConfigError(f"`{dotted(sub)}` cannot be set inside a profile ({where(sub)})")
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            hint = f"; did you mean `{dotted((*path, close[0]))}`?" if close else ""
            raise ConfigError(f"unknown config key `{dotted(sub)}` ({where(sub)}){hint}")
        check(item, hints(cls)[key], (*path, key), where, dict(known[key].metadata))


def bad_value(path: Path, value: Any, where: Locate, allowed: str) -> ConfigError:
    shown = "null" if value is None else repr(value) if isinstance(value, str) else str(value)
    return ConfigError(
        f"invalid value {shown} for config key `{dotted(path)}` ({where(path)}); {allowed}"
    )


def build(cls: type, data: dict[str, Any]) -> Any:
    """Instantiate dataclass `cls` from checked data, defaults filling the gaps."""
    kwargs = {}
    for name, tp in hints(cls).items():
        if name not in data:
            continue
        kwargs[name] = convert(tp, data[name])
    return cls(**kwargs)


def convert(tp: Any, value: Any) -> Any:
    origin = get_origin(tp)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return build(tp, value)
    if origin in (Union, types.UnionType) and value is not None:
        inner = [a for a in get_args(tp) if a is not type(None)]
        return convert(inner[0], value)
    if origin is dict:
        value_type = get_args(tp)[1]
        return {k: convert(value_type, v) for k, v in value.items()}
    if origin is list:
        return [convert(get_args(tp)[0], item) for item in value]
    return value
