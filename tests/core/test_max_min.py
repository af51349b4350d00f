"""max and min (issue 22, CS231n's "max routes"): values, gradients and the tie convention.

Ties go to the first operand: ∂max(a, b)/∂a = 1 if a ≥ b else 0, ∂/∂b = 0 if a ≥ b else 1
(min: a gets it if a ≤ b). The registry walks (tests/core/test_ops_registry.py) hold max and
min to their entry, the drawing, the explanation, compiled code and gradcheck away from ties.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from autograd_tiny import Value, compile_graph, draw_dot, explain, gradcheck
from autograd_tiny.app.expression import build_expression
from autograd_tiny.core.ops import RULES

# (a, b) -> (max, ∂max/∂a, ∂max/∂b, min, ∂min/∂a, ∂min/∂b), by hand
CASES = {
    (3.0, 1.0): (3.0, 1.0, 0.0, 1.0, 0.0, 1.0),
    (-2.0, 0.5): (0.5, 0.0, 1.0, -2.0, 1.0, 0.0),
    (2.0, 2.0): (2.0, 1.0, 0.0, 2.0, 1.0, 0.0),  # a tie: the first operand gets the gradient
    (0.0, -0.0): (0.0, 1.0, 0.0, 0.0, 1.0, 0.0),  # 0.0 == -0.0 is a tie too
}


@pytest.mark.parametrize("a0, b0", sorted(CASES))
def test_values_and_gradients_by_hand_including_ties(a0, b0):
    top, d_top_a, d_top_b, bottom, d_bottom_a, d_bottom_b = CASES[(a0, b0)]
    for method, value, da, db in (("max", top, d_top_a, d_top_b), ("min", bottom, d_bottom_a, d_bottom_b)):
        a, b = Value(a0), Value(b0)
        out = getattr(a, method)(b)
        out.backward()
        assert (out.data, out.op, a.grad, b.grad) == (value, method, da, db)
        assert Value.max(Value(a0), Value(b0)).data == top  # the method spelled as a function


def test_a_constant_operand_is_no_parent_and_the_tie_still_goes_to_the_value():
    a = Value(2.0)
    out = a.max(2.0)
    out.backward()
    assert (out.data, out.const, len(out.parents), a.grad) == (2.0, 2.0, 1, 1.0)
    a = Value(2.0)
    out = a.min(3)  # an int is a number too
    out.backward()
    assert (out.data, out.const, a.grad) == (2.0, 3.0, 1.0)
    a = Value(5.0)
    out = a.min(3.0)
    out.backward()
    assert (out.data, a.grad) == (3.0, 0.0)


def test_a_bad_constant_is_refused_by_name():
    with pytest.raises(ValueError, match=r"^the constant operand of max must be a number, not NaN, got nan; pass"):
        Value(1.0).max(float("nan"))
    with pytest.raises(TypeError, match=r"^the constant operand of min must be a number, got str 'a'; pass"):
        Value(1.0).min("a")


def test_max_routes_the_gradient_through_a_graph():
    # CS231n's pattern: the upstream gradient goes unchanged to the larger input, 0 to the other.
    x, y, z = Value(3.0), Value(-1.0), Value(2.0)
    out = (x * 2.0).max(y + z) * 5.0  # max(6, 1) * 5
    out.backward()
    assert (out.data, x.grad, y.grad, z.grad) == (30.0, 10.0, 0.0, 0.0)


@pytest.mark.parametrize("method", ["max", "min"])
@pytest.mark.parametrize("point", [(0.7, -0.4), (-1.3, 2.1), (0.25, 0.2500001)])
def test_gradients_equal_finite_differences_away_from_ties(method, point):
    assert gradcheck(lambda a, b: getattr(a * a, method)(b * 3.0), list(point))


@pytest.mark.parametrize("method", ["max", "min"])
def test_compiled_equals_eager_including_ties(method):
    a, b = Value(1.0), Value(0.0)
    f = compile_graph(getattr(a, method)(b).tanh(), [a, b])
    points = [(1.0, 0.0), (-1.0, 0.5), (0.5, 0.5), (0.0, -0.0)]
    for xs in points:
        p, q = Value(xs[0]), Value(xs[1])
        eager = getattr(p, method)(q).tanh()
        eager.backward()
        assert f(list(xs)) == (eager.data, [p.grad, q.grad])
    values, grads = f([np.array([x for x, _ in points]), np.array([y for _, y in points])])  # NumPy arrays
    for k, xs in enumerate(points):
        value, (da, db) = f(list(xs))
        assert (values[k], grads[0][k], grads[1][k]) == pytest.approx((value, da, db), rel=1e-15)
    routed_to_a = [1.0, 0.0, 1.0, 1.0] if method == "max" else [0.0, 1.0, 1.0, 1.0]  # ties (rows 3, 4): a
    assert [g != 0.0 for g in grads[0]] == [r == 1.0 for r in routed_to_a]
    assert [g != 0.0 for g in grads[1]] == [r == 0.0 for r in routed_to_a]


def test_compiled_with_a_constant_operand_keeps_the_tie_rule():
    a = Value(1.0)
    f = compile_graph(a.max(2.0), [a])
    assert f([2.0]) == (2.0, [1.0])
    assert f([1.0]) == (2.0, [0.0])


def test_second_derivative_is_zero():
    a, b = Value(1.5), Value(-0.5)
    out = a.max(b) * a  # a · a on this side: d/da = 2a through the product, 1 · a through max
    out.backward(create_graph=True)
    assert isinstance(a.grad, Value) and a.grad.data == 3.0
    da = a.grad
    a.grad = b.grad = 0.0
    da.backward()
    assert (a.grad, b.grad) == (2.0, 0.0)  # max's slope is constant: only the product's 2 remains


@pytest.mark.parametrize("method, symbol", [("max", "max"), ("min", "min")])
def test_drawing_and_explain_show_the_op_and_its_tie_convention(method, symbol):
    a, b = Value(2.0, label="a"), Value(2.0, label="b")
    out = getattr(a, method)(b)
    out.label = "out"
    assert RULES[method].symbol == symbol
    op_nodes = [line for line in draw_dot(out).source.splitlines() if re.match(r"\s*v\d+op \[label=", line)]
    assert len(op_nodes) == 1 and symbol in op_nodes[0]
    text = str(explain(out))
    assert f"{method}(a, b)" in text
    assert "a tie goes to a" in text


def test_expressions_call_max_and_min_with_two_arguments():
    y = build_expression("max(a, b) * min(a, 2)", {"a": 3.0, "b": 3.0})
    y.backward()
    assert y.data == 6.0
    with pytest.raises(Exception, match=r"max\(\) takes exactly 2 arguments"):
        build_expression("max(a)", {"a": 1.0})
