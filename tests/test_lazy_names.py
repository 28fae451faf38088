"""Packages whose names load on first use (`codex_tui.lazy_names`): every name
reaches the object it is meant to, in a fresh interpreter and whichever submodule
was imported first. A name shared with a submodule would not: importing that
submodule binds its name on the package, and `from package import name` would
hand out the module (a lazy `redact` once did, and the agent called a module)."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest

LAZY = ("codex_tui.config", "codex_tui.patch", "codex_tui.policy", "codex_tui.sessions")


@pytest.mark.parametrize("package", LAZY)
def test_no_lazy_name_is_also_a_submodule(package: str) -> None:
    module = importlib.import_module(package)
    submodules = {info.name for info in pkgutil.iter_modules(module.__path__)}
    assert submodules, "the package's folder was read"
    assert not set(module.__all__) & submodules


@pytest.mark.parametrize("package", LAZY)
def test_every_lazy_name_resolves_after_every_submodule_is_imported(package: str) -> None:
    code = f"""
import importlib, pkgutil, types
package = importlib.import_module({package!r})
for info in pkgutil.iter_modules(package.__path__):
    if info.name not in ("cli", "__main__"):
        importlib.import_module(f"{{package.__name__}}.{{info.name}}")
for name in package.__all__:
    value = getattr(package, name)
    assert not isinstance(value, types.ModuleType), name
print(len(package.__all__))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 3
