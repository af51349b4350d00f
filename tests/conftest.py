"""Shared test helpers."""

from __future__ import annotations

import builtins

import pytest


@pytest.fixture
def block_import(monkeypatch):
    """Make `import NAME` fail from now on in this test, as if the package were not installed."""

    def block(name: str) -> None:
        real_import = builtins.__import__

        def guarded(module, *args, **kwargs):
            if module == name or module.startswith(name + "."):
                raise ImportError(f"No module named {name!r} (blocked by the test)")
            return real_import(module, *args, **kwargs)

        monkeypatch.setattr(builtins, "__import__", guarded)

    return block
