"""The ops' NumPy versions live in the fast layer (issue 20): core holds no array code, and each
array function agrees with the float function its registry entry names."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

import autograd_tiny
from autograd_tiny import Value, compile_graph, define_op
from autograd_tiny.core.ops import REGISTRY
from autograd_tiny.fast.arrays import array_helpers

CORE = Path(autograd_tiny.__file__).parent / "core"


def test_core_holds_no_array_code():
    """No name `np` (a NumPy module passed in or imported) anywhere in core/, and no array helpers."""
    found = []
    for path in sorted(CORE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "np":
                found.append(f"{path.name}:{node.lineno} uses np")
            elif isinstance(node, ast.arg) and node.arg == "np":
                found.append(f"{path.name}:{node.lineno} takes np")
            elif isinstance(node, ast.FunctionDef) and node.name in ("refuse", "_array_functions", "for_arrays"):
                found.append(f"{path.name}:{node.lineno} defines {node.name}")
    assert found == []


def test_an_op_of_your_own_keeps_its_array_functions_on_its_entry():
    calls = []

    def array_forward(x):
        calls.append(len(x))
        return 3.0 * x

    triple = define_op("triple_fast", lambda x: 3.0 * x, [lambda x, out: 3.0], array_forward=array_forward)
    x = Value(1.0, label="x")
    f = compile_graph(triple(x), [x])
    value, (grad,) = f([np.array([1.0, 2.0])])
    assert value.tolist() == [3.0, 6.0] and grad.tolist() == [3.0, 3.0] and calls == [2]
    rule = REGISTRY["triple_fast"]
    assert rule.array_forward is array_forward and rule.array_derivatives is None
    assert sorted(array_helpers(rule, np)) == ["", "_d0"]
