"""Names of a package that load on first use (PEP 562), so that importing one
light submodule does not import the package's heavy ones with it. (The sandbox
package keeps its own copy: the Landlock launcher must not import `typing`.)"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_getattr(
    package: str, where: Mapping[str, str], cache: dict[str, Any]
) -> Callable[[str], Any]:
    """A module `__getattr__` for `package`: `where` maps each name to the
    submodule holding it; a name found is stored in `cache` (the package's
    globals), so the lookup happens once."""

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        # `__import__`, not importlib.import_module: the same import, and one that
        # `python -X importtime` reports (the benches and tests read that list).
        full = f"{package}.{module}"
        __import__(full)
        value = getattr(sys.modules[full], name)
        cache[name] = value
        return value

    return __getattr__
