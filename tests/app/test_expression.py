"""The safe expression parser: what it builds, what it refuses, and fuzzing."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_tiny import Value, topological_order
from autograd_tiny.app.expression import ExpressionError, build_expression, parse_values


def test_builds_the_same_graph_as_python():
    L = build_expression("(a*b + c)*f", {"a": 2, "b": -3, "c": 10, "f": -2})
    L.backward()
    leaves = {v.label: v for v in _leaves(L)}
    assert L.data == -8.0
    assert {k: v.grad for k, v in leaves.items()} == {"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0}


def _leaves(root):
    from autograd_tiny import topological_order

    return [v for v in topological_order(root) if not v.parents]


def test_a_repeated_name_is_one_leaf():
    y = build_expression("a*a + a", {"a": 3})
    y.backward()
    (a,) = _leaves(y)
    assert a.label == "a" and a.grad == 7.0


def test_functions_unary_minus_and_constants():
    y = build_expression(
        "-tanh(x) + 2**x - x/4 + abs(-x) + sqrt(x) + log(x) + exp(x) + sigmoid(x) + relu(x)", {"x": 1.0}
    )
    x = Value(1.0)
    z = -x.tanh() + 2**x - x / 4 + abs(-x) + x.sqrt() + x.log() + x.exp() + x.sigmoid() + x.relu()
    assert y.data == pytest.approx(z.data, rel=1e-15)
    assert build_expression("+a * 2.5e-1", {"a": 4}).data == 1.0


def test_parse_values():
    assert parse_values(["a=2", " b = -3.5 ", "x1=1e3"]) == {"a": 2.0, "b": -3.5, "x1": 1000.0}


@pytest.mark.parametrize(
    "pairs, message",
    [
        (["a"], "expected NAME=NUMBER"),
        (["=2"], "expected NAME=NUMBER"),
        (["a=x"], "must be a number, got 'x'"),
        (["a=nan"], "must be finite"),
        (["1a=2"], "not a valid name"),
        (["for=2"], "not a valid name"),
        (["a=1", "a=2"], "given twice"),
    ],
)
def test_bad_values(pairs, message):
    with pytest.raises(ExpressionError, match=message):
        parse_values(pairs)


@pytest.mark.parametrize(
    "text, values, message",
    [
        ("a*", {"a": 1}, "syntax error"),
        ("", {}, "empty"),
        ("a*b", {"a": 1}, r"unknown name 'b'; give it a value, e.g. b=1 \(column 3\)"),
        ("a", {"a": 1, "b": 2}, "b is given but not used"),
        (
            "cosh(a)",
            {"a": 1},
            "unknown function 'cosh'; available: neg, exp, log, tanh, sigmoid, relu, sqrt, abs, sin, cos, max, min",
        ),
        ("tanh", {"a": 1}, "tanh.* is a function"),
        ("a.data", {"a": 1}, "attribute access is not allowed"),
        ("a.__class__.__bases__", {"a": 1}, "attribute access is not allowed"),
        ("a[0]", {"a": 1}, "indexing is not allowed"),
        ("[a for a in b]", {"a": 1, "b": 1}, "comprehension is not allowed"),
        ("lambda: a", {"a": 1}, "lambda is not allowed"),
        ("__import__('os')", {"a": 1}, "unknown function '__import__'"),
        ("import os", {}, "syntax error"),
        ("a if a else a", {"a": 1}, "if/else is not allowed"),
        ("a < 2", {"a": 1}, "comparison is not allowed"),
        ("'x' * a", {"a": 1}, "only numbers are allowed"),
        ("a % 2", {"a": 1}, r"only \+ - \* / \*\* and unary minus"),
        ("a ** 10 ** 10", {"a": 2}, "exponent 1e\\+10 is too large"),
        ("2 ** 5000 * a", {"a": 2}, "exponent 5000 is too large"),
        ("log(a)", {"a": -1}, r"log is undefined for x = -1\.0"),
        ("a / (a - a)", {"a": 1}, "division by zero"),
        ("tanh(a, a)", {"a": 1}, "exactly one argument"),
        ("tanh(x=a)", {"a": 1}, "exactly one argument"),
        ("2 * 3", {}, "uses no names"),
        ("(" * 300 + "a" + ")" * 300, {"a": 1}, "nested"),
        ("a" + "+a" * 600, {"a": 1}, "characters long"),
        ("-" * 200 + "a", {"a": 1}, "nested more than"),
    ],
)
def test_refusals_are_one_line_expression_errors(text, values, message):
    with pytest.raises(ExpressionError, match=message) as info:
        build_expression(text, values)
    assert "\n" not in str(info.value)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab()+-*/.,_ 0123456789e[]'\"=:lambdtnhxpogqrs", max_size=40))
def test_fuzzed_strings_give_a_value_or_an_expression_error(text):
    try:
        result = build_expression(text, {"a": 1.5, "b": -0.5})
    except ExpressionError as error:
        assert "\n" not in str(error)
    else:
        assert isinstance(result, Value) and result.data == result.data  # never NaN
        # Every value must be used, each name is one shared leaf, and nothing else is a leaf.
        leaves = [v for v in topological_order(result) if not v.parents]
        assert sorted((v.label, v.data) for v in leaves) == [("a", 1.5), ("b", -0.5)]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_fuzzed_unicode_never_escapes(text):
    # With no values, no text can succeed: a name has no value, and a text without names
    # is refused ("uses no names"). Whatever the text, the refusal is one line.
    with pytest.raises(ExpressionError, match=r"^[^\n]+$"):
        build_expression(text, {})


# --------------------------------------------------------------------------------------
# The parser reads the registry (issue 20): every built-in op of one operand and every
# define_op op is callable, with the numbers the op's entry gives.
# --------------------------------------------------------------------------------------


def test_every_registry_op_of_one_operand_and_every_define_op_op_is_callable():
    from autograd_tiny import define_op
    from autograd_tiny.app.expression import functions
    from autograd_tiny.core.ops import RULES
    from autograd_tiny.core.value import apply

    define_op("expr_hypot", lambda a, b: math.hypot(a, b), [lambda a, b, out: a / out, lambda a, b, out: b / out])
    define_op("expr_twice", lambda x: 2 * x, [lambda x, out: 2.0])
    callable_ops = functions()
    for name, op in RULES.items():
        if op.arity == 1 or not op.builtin or name in ("max", "min"):
            assert name in callable_ops, name
        else:
            assert name not in callable_ops, name  # add, mul, ...: the operators; affine: neurons only
    assert {"sin", "cos", "tanh", "abs", "neg", "max", "min", "expr_hypot", "expr_twice"} <= set(callable_ops)
    for name, op in callable_ops.items():  # other tests' define_op ops included
        arguments = [0.5 + 0.25 * i for i in range(op.arity)]
        names = [f"v{i + 1}" for i in range(op.arity)]
        text = f"{name}({', '.join(names)}) * 3"
        try:
            expected = apply(op, *[Value(x) for x in arguments])
        except Exception as error:  # an op of another test, refusing this point: the same message
            with pytest.raises(ExpressionError, match=f"^{re.escape(str(error))}$"):
                build_expression(text, dict(zip(names, arguments)))
            continue
        y = build_expression(text, dict(zip(names, arguments)))
        inner = y.parents[0]
        assert (inner.op, inner.data, inner.local_derivatives) == (name, expected.data, expected.local_derivatives)
        assert [p.label for p in inner.parents] == names


def test_sin_times_b_builds_and_differentiates():
    y = build_expression("sin(a)*b", {"a": 0.5, "b": 2.0})
    y.backward()
    a = next(v for v in _leaves(y) if v.label == "a")
    assert y.data == 2.0 * math.sin(0.5)
    assert a.grad == 2.0 * math.cos(0.5)


def test_a_define_op_of_two_operands_takes_two_arguments():
    from autograd_tiny import define_op

    define_op("expr_mean2", lambda a, b: (a + b) / 2, [lambda a, b, out: 0.5, lambda a, b, out: 0.5])
    assert build_expression("expr_mean2(a, 3)", {"a": 1.0}).data == 2.0
    with pytest.raises(ExpressionError, match=r"^expr_mean2\(\) takes exactly 2 arguments \(column 1\)$"):
        build_expression("expr_mean2(a)", {"a": 1.0})
