"""A subclass of Value works in every op, backward, drawing, explanation and gradcheck."""

import math

import pytest

from autograd_tiny import Value, draw_dot, explain, gradcheck, topological_order
from autograd_tiny.core.value import RULES, affine, apply


class MyValue(Value):
    pass


BINARY = [
    # (expression, d/da, d/db) at a = 2, b = 3
    (lambda a, b: a + b, 1.0, 1.0),
    (lambda a, b: a - b, 1.0, -1.0),
    (lambda a, b: a * b, 3.0, 2.0),
    (lambda a, b: a / b, 1 / 3, -2 / 9),
    (lambda a, b: a**b, 3 * 4.0, 8 * math.log(2.0)),
]


@pytest.mark.parametrize("expression, da, db", BINARY)
@pytest.mark.parametrize("kinds", [(MyValue, MyValue), (Value, MyValue), (MyValue, Value)])
def test_binary_operators_take_a_subclass_on_either_side(expression, da, db, kinds):
    a, b = kinds[0](2.0), kinds[1](3.0)
    out = expression(a, b)
    out.backward()
    assert out.parents == (a, b)
    assert a.grad == pytest.approx(da) and b.grad == pytest.approx(db)


def test_every_registry_op_takes_a_subclass():
    for name, op in RULES.items():
        if not op.builtin or op.arity < 0 or name == "affine":  # other tests register ops of their own
            continue
        xs = [MyValue(0.5 + 0.25 * i) for i in range(op.arity)]
        out = apply(op, *xs)
        out.backward()
        assert out.parents == tuple(xs), name
        assert [x.grad for x in xs] == list(out.local_derivatives), name


def test_unary_methods_constants_and_linear_take_a_subclass():
    a = MyValue(0.5)
    for method in ("exp", "log", "tanh", "sigmoid", "relu", "sqrt", "__neg__", "__abs__"):
        out = getattr(a, method)()
        assert out.parents == (a,), method
    assert (2.0 - a).data == 1.5 and (1.0 / a).data == 2.0 and (2.0**a).data == pytest.approx(math.sqrt(2))
    w, b = [MyValue(2.0), MyValue(-1.0)], MyValue(0.5)
    x = [MyValue(3.0), 4.0]
    z = affine(w, x, b)
    assert z.data == 2.5 and z.parents[:3] == (w[0], w[1], x[0])


def test_backward_draw_explain_and_gradcheck_on_a_subclass_graph():
    a, b = MyValue(2.0, label="a"), MyValue(-3.0, label="b")
    L = (a * b + a.tanh()) ** 2
    L.label = "L"
    L.backward()
    assert (round(a.grad, 4), round(b.grad, 4)) == (29.5042, -20.1439)
    assert [v.label for v in topological_order(L) if v.label] == ["a", "b", "L"]
    assert "<TD><B>a</B></TD><TD>data 2.0000</TD><TD>grad 29.5042</TD>" in draw_dot(L, rankdir="LR").source
    assert "  ∂L/∂a = (−0.711591) + 30.2158 = 29.5042" in str(explain(L)).splitlines()
    gradcheck(lambda x, y: (x * y + x.tanh()) ** 2, [MyValue(2.0), MyValue(-3.0)])
