"""A user's type checker sees every built-in op of `Value` (issue 20).

The package ships ``py.typed``, so a user's mypy reads our annotations: `Value.sin`,
``.cos`` and every other op method must be real methods of the class, not attached at run
time (mypy reported ``"Value" has no attribute "sin"`` when they were set with setattr).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograd_tiny import Value
from autograd_tiny.core.ops import RULES

ROOT = Path(__file__).resolve().parents[2]

SNIPPET = """\
from autograd_tiny import Value

a = Value(0.5, label="a")
b = Value(2.0)
y: Value = a.sin() * a.cos() + a.tanh() + a.exp() + a.log() + a.sigmoid() + a.relu() + a.sqrt()
y = y + abs(a) - a / b + a ** 2 + 2 ** a + (-a) + a.pow(3) + a.pow(b)
number: float = float(y) + y.item() + y.data
y.backward()
"""


def test_every_builtin_op_of_one_operand_is_a_method_defined_in_the_class():
    """No setattr: the class body itself defines them, which is what a type checker reads."""
    methods = {"neg": "__neg__", "abs": "__abs__"}
    for name, op in RULES.items():
        if op.builtin and op.arity == 1:
            assert methods.get(name, name) in Value.__dict__, name


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed (pip install mypy==2.4.1)")
def test_mypy_accepts_a_snippet_calling_every_op(tmp_path):
    script = tmp_path / "user_code.py"
    script.write_text(SNIPPET, encoding="utf-8")
    # Run in tmp_path, so the project's own mypy settings do not apply; find the package in
    # this checkout, and report errors of the user's snippet only.
    env = {**os.environ, "MYPYPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--follow-imports=silent", "--no-incremental", "--strict", script.name],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found in 1 source file" in result.stdout
