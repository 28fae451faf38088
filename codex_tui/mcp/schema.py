"""A server's tool input schema, made fit for a function tool on both wires.

Servers send JSON Schema in many dialects; the APIs want an object schema at the
top and reject some keywords (`$schema`, `$id`) there. Anything else is passed
as it is (the tools are declared non-strict, and the server checks arguments
itself). A schema that is not an object schema becomes an empty object schema.
"""

from __future__ import annotations

import copy
from typing import Any

DROPPED_AT_TOP = ("$schema", "$id", "title")


def adapt_schema(schema: object) -> dict[str, Any]:
    if not isinstance(schema, dict) or schema.get("type", "object") != "object":
        return {"type": "object", "properties": {}}
    out = copy.deepcopy(schema)
    out["type"] = "object"
    for key in DROPPED_AT_TOP:
        out.pop(key, None)
    if not isinstance(out.get("properties"), dict):
        out["properties"] = {}
    required = out.get("required")
    if required is not None and not (
        isinstance(required, list) and all(isinstance(r, str) for r in required)
    ):
        out.pop("required")
    return out
