"""Derivatives of derivatives checked against PyTorch float64 (issue 21).

Hypothesis builds expressions over every built-in op; 2nd and 3rd derivatives and mixed
partials from `grad` (and from ``backward(create_graph=True)``) must equal
``torch.autograd.grad(..., create_graph=True)`` to 1e-10 relative. Skipped without torch.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_tiny import Value, grad
from autograd_tiny.core.value import affine

torch = pytest.importorskip("torch")

# Each op as a function of (sub-expressions, namespace); the guards keep every op in its domain
# (log, sqrt and a Value exponent of a positive number; division by 1 + e²), so any tree is valid.
UNARY = {
    "neg": lambda e, m: -e,
    "exp": lambda e, m: m.exp(m.tanh(e)),
    "log": lambda e, m: m.log(1.0 + e * e),
    "tanh": lambda e, m: m.tanh(e),
    "sigmoid": lambda e, m: m.sigmoid(e),
    "relu": lambda e, m: m.relu(e),
    "sqrt": lambda e, m: m.sqrt(1.0 + e * e),
    "abs": lambda e, m: m.abs(e),
    "sin": lambda e, m: m.sin(e),
    "cos": lambda e, m: m.cos(e),
    "square": lambda e, m: e**2,
    "cube": lambda e, m: e**3.0,
    "root": lambda e, m: (1.0 + e * e) ** 0.5,
    "rpow": lambda e, m: 2.0 ** m.tanh(e),
    "rsub": lambda e, m: 3.0 - e,
    "rdiv": lambda e, m: 3.0 / (1.0 + e * e),
    "scale": lambda e, m: e * 1.5 + 0.25,
}
BINARY = {
    "add": lambda a, b, m: a + b,
    "sub": lambda a, b, m: a - b,
    "mul": lambda a, b, m: a * b,
    "div": lambda a, b, m: a / (1.0 + b * b),
    "pow": lambda a, b, m: (1.0 + a * a) ** m.tanh(b),
    "affine": lambda a, b, m: m.affine(a, b),
    "max": lambda a, b, m: m.max(a, b),
    "min": lambda a, b, m: m.min(a, b),
}


class _Ours:
    exp, log, tanh, sigmoid, relu = Value.exp, Value.log, Value.tanh, Value.sigmoid, Value.relu
    sqrt, abs, sin, cos, max, min = Value.sqrt, Value.__abs__, Value.sin, Value.cos, Value.max, Value.min

    @staticmethod
    def affine(a, b):
        return affine([a, b], [b, a], a)  # a·b + b·a + a, as one fused node


class _Torch:
    exp, log, tanh, sigmoid, relu = torch.exp, torch.log, torch.tanh, torch.sigmoid, torch.relu
    sqrt, abs, sin, cos = torch.sqrt, torch.abs, torch.sin, torch.cos

    # torch.maximum splits a tie's gradient in halves; torch.where routes it all to the first
    # operand where a >= b, as our max does (a tree can tie: max(x, x), or two relus at 0).
    @staticmethod
    def max(a, b):
        return torch.where(a >= b, a, b)

    @staticmethod
    def min(a, b):
        return torch.where(a <= b, a, b)

    @staticmethod
    def affine(a, b):
        return a + a * b + b * a


def trees(depth: int):
    leaf = st.sampled_from(["x", "y"])
    if depth == 0:
        return leaf
    sub = trees(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(st.sampled_from(sorted(UNARY)), sub),
        st.tuples(st.sampled_from(sorted(BINARY)), sub, sub),
    )


def build(tree, x, y, m):
    if tree == "x":
        return x
    if tree == "y":
        return y
    if len(tree) == 2:
        return UNARY[tree[0]](build(tree[1], x, y, m), m)
    return BINARY[tree[0]](build(tree[1], x, y, m), build(tree[2], x, y, m), m)


def torch_partials(tree, x0, y0, paths):
    """Each path (a string of 'x'/'y', e.g. 'xxy') → the partial derivative in that order, by torch."""
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    y = torch.tensor(y0, dtype=torch.float64, requires_grad=True)
    out = build(tree, x, y, _Torch) + 0.0 * (x + y)  # depends on both, so every grad exists
    results = {}
    for path in paths:
        d = out
        for name in path:
            if not d.requires_grad:  # a constant: every further derivative is 0
                d = torch.zeros((), dtype=torch.float64)
                break
            (d,) = torch.autograd.grad(d, x if name == "x" else y, create_graph=True, materialize_grads=True)
        results[path] = d.item()
    return results


def ours_partials(tree, x0, y0, paths):
    def f(x, y):
        return build(tree, x, y, _Ours)

    results = {}
    for path in paths:
        g = f
        for name in path:
            g = grad(g, argnum=0 if name == "x" else 1)
        results[path] = g(x0, y0).data
    return results


def close(a: float, b: float) -> bool:
    # 1e-10 relative; near 0, terms that cancel leave rounding of the size of the terms.
    return math.isclose(a, b, rel_tol=1e-10, abs_tol=1e-10)


PATHS = ["xx", "xy", "yx", "yy", "xxx", "xxy", "xyy", "yyy"]
points = st.floats(-2.0, 2.0, allow_nan=False).filter(lambda v: abs(v) > 1e-3)


@settings(max_examples=150, deadline=None)
@given(trees(4), points, points)
def test_second_and_third_derivatives_and_mixed_partials_equal_pytorch(tree, x0, y0):
    ours = ours_partials(tree, x0, y0, PATHS)
    theirs = torch_partials(tree, x0, y0, PATHS)
    for path in PATHS:
        assert close(ours[path], theirs[path]), (tree, path, ours[path], theirs[path])


@settings(max_examples=60, deadline=None)
@given(trees(4), points, points)
def test_backward_with_create_graph_equals_pytorch(tree, x0, y0):
    x, y = Value(x0), Value(y0)
    build(tree, x, y, _Ours).backward(create_graph=True)
    dx = x.grad if isinstance(x.grad, Value) else Value(x.grad)
    x.grad = y.grad = 0.0
    dx.backward()
    theirs = torch_partials(tree, x0, y0, ["xx", "xy"])
    assert close(x.grad, theirs["xx"]) and close(y.grad, theirs["xy"])


def test_every_builtin_op_is_generated():
    from autograd_tiny.core.ops import RULES

    names = {name for name, rule in RULES.items() if rule.builtin}
    covered = set(UNARY) | set(BINARY) | {"rsub", "rdiv", "rpow"}
    # square, cube and root are pow with a constant; scale is mul and add with constants.
    assert names <= covered, names - covered
