"""The ops' NumPy versions live in the fast layer (issue 20): core holds no array code, and each
array function agrees with the float function its registry entry names."""

from __future__ import annotations

import ast
import inspect
import itertools
import math
from pathlib import Path

import numpy as np
import pytest

import autograd_tiny
from autograd_tiny import Value, compile_graph, define_op
from autograd_tiny.core.ops import RULES
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


POINTS = [-3.0, -1.0, -0.5, -0.0, 0.0, 1e-300, 0.5, 1.0, 2.0, 709.0, 710.0, math.inf, -math.inf]
PAIR_POINTS = [-2.0, -0.5, 0.0, 0.5, 1.0, 3.0, 1e300, math.inf]


def arguments():
    """(op, helper name, float function, operand tuples) for every built-in helper."""
    for rule in RULES.values():
        if not rule.builtin:
            continue
        for key, function in rule.float_helpers.items():
            count = len(inspect.signature(function).parameters)
            points = POINTS if count == 1 else PAIR_POINTS
            yield rule.name, key, function, list(itertools.product(points, repeat=count))


CASES = sorted({(name, key): (name, key, f, xs) for name, key, f, xs in arguments()}.values(), key=lambda c: c[:2])


@pytest.mark.parametrize("op_name, key, function, xs_list", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_each_array_function_agrees_with_its_float_function(op_name, key, function, xs_list):
    """Same number (NaN equal to NaN), or the same error type with the sample named."""
    array_function = array_helpers(RULES[op_name], np)[key]
    for xs in xs_list:
        if key == "_pow_log" and xs[0] < 0.0:
            continue  # unreachable: a Value exponent's base is refused unless > 0 (pow_value, rpow) first
        try:
            expected = function(*xs)
        except (ValueError, ZeroDivisionError, OverflowError) as error:
            with np.errstate(over="ignore", invalid="ignore", under="ignore", divide="raise"):
                with pytest.raises(type(error), match="in sample 0"):
                    array_function(*(np.array([x]) for x in xs))
            continue
        with np.errstate(over="ignore", invalid="ignore", under="ignore", divide="raise"):
            got = array_function(*(np.array([x]) for x in xs))
        got = float(np.asarray(got)[0] if np.ndim(got) else got)
        assert got == expected or (math.isnan(got) and math.isnan(expected)), (key, xs, got, expected)


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
    rule = RULES["triple_fast"]
    assert rule.array_forward is array_forward and rule.array_derivatives is None
    assert sorted(array_helpers(rule, np)) == ["", "_d0"]


def test_a_negative_base_to_an_infinite_power_is_refused_on_arrays_as_on_floats():
    """inf is not an integer exponent: (-2) ** inf raises in the engine, so it must on arrays too."""
    with pytest.raises(ValueError, match=r"^pow is undefined for -2\.0 \*\* inf \(a negative base needs an integer"):
        Value(-2.0) ** math.inf
    x = Value(2.0, label="x")
    f = compile_graph(x**math.inf, [x])
    message = r"^pow is undefined for -2\.0 \*\* inf in sample 0 \(a negative base needs an integer exponent\)$"
    with pytest.raises(ValueError, match=message):
        f([np.array([-2.0, 0.5])])
    with pytest.raises(ValueError, match=message):
        f([np.array([-2.0, 0.5])], reduce="mean")
