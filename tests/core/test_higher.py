"""``backward(create_graph=True)``: the backward pass recorded as a graph (core/higher.py)."""

from __future__ import annotations

import math

import pytest

from autograd_tiny import Value, define_op, draw_dot, explain
from autograd_tiny.core.higher import gradient_graph


def second(f, x0: float) -> tuple[float, float]:
    """(f'(x0), f''(x0)) through backward(create_graph=True), then backward() on the gradient."""
    x = Value(x0)
    f(x).backward(create_graph=True)
    g = x.grad
    x.grad = 0.0
    g.backward()
    return g.data, x.grad


def test_hand_computed_second_derivatives():
    t = math.tanh(0.7)
    assert second(lambda x: x.tanh(), 0.7) == pytest.approx((1 - t * t, -2 * t * (1 - t * t)), rel=1e-15)
    assert second(lambda x: x**3, 2.0) == (12.0, 12.0)  # 3x², 6x
    assert second(lambda x: x * x * x, -1.5) == (6.75, -9.0)
    s = 1 / (1 + math.exp(-0.3))
    assert second(lambda x: x.sigmoid(), 0.3) == pytest.approx((s * (1 - s), s * (1 - s) * (1 - 2 * s)), rel=1e-14)
    assert second(lambda x: x.log(), 2.0) == (0.5, -0.25)
    assert second(lambda x: x.exp(), 1.0) == (math.e, math.e)
    assert second(lambda x: x.sqrt(), 4.0) == pytest.approx((0.25, -1 / 32), rel=1e-15)
    assert second(lambda x: x.sin(), 0.5) == pytest.approx((math.cos(0.5), -math.sin(0.5)), rel=1e-15)
    assert second(lambda x: x.cos(), 0.5) == pytest.approx((-math.sin(0.5), -math.cos(0.5)), rel=1e-15)
    assert second(lambda x: 2.0**x, 1.0) == pytest.approx((2 * math.log(2), 2 * math.log(2) ** 2), rel=1e-15)
    assert second(lambda x: 1.0 / x, 2.0) == (-0.25, 0.25)  # -1/x², 2/x³
    assert second(lambda x: x**x, 1.0) == (1.0, 2.0)  # x^x (ln x + 1); (x^x)'' at 1 = 2


def test_kinks_have_second_derivative_zero_away_from_the_kink():
    assert second(lambda x: x.relu() * x.relu(), 3.0) == (6.0, 2.0)  # the slope 1 is a constant
    assert second(lambda x: x.relu(), 3.0) == (1.0, 0.0)
    assert second(lambda x: x.relu(), -3.0) == (0.0, 0.0)
    assert second(lambda x: abs(x) * 2, -1.0) == (-2.0, 0.0)


def test_every_grad_is_a_value_and_third_derivatives_follow():
    x = Value(2.0)
    y = x**4
    y.backward(create_graph=True)
    assert isinstance(x.grad, Value) and isinstance(y.grad, Value)
    assert (x.grad.data, y.grad.data) == (32.0, 1.0)
    g1 = x.grad
    x.grad = 0.0
    g1.backward(create_graph=True)
    g2 = x.grad
    x.grad = 0.0
    g2.backward()
    assert (g2.data, x.grad) == (48.0, 48.0)  # 12x², 24x


def test_without_the_flag_grads_stay_floats():
    x = Value(2.0)
    (x * x).backward()
    assert x.grad.__class__ is float and x.grad == 4.0


def test_leaves_accumulate_as_graphs_and_a_plain_pass_adds_to_the_number():
    x = Value(3.0)
    (x * x).backward(create_graph=True)  # 6: the leaf held 0.0, so it is the new graph itself
    first = x.grad
    (x * x * x).backward(create_graph=True)  # + 27, as a graph: old + new
    assert isinstance(x.grad, Value) and x.grad.data == 33.0
    assert first in x.grad.parents
    x.grad.backward()  # a plain pass on a leaf holding a Value adds to its number: 33 + (2 + 6x)
    assert x.grad == 33.0 + 20.0
    w = Value(1.0)
    w.grad = 0.5
    (w * 4).backward(create_graph=True)  # a float gradient before: the sum as a graph
    assert isinstance(w.grad, Value) and w.grad.data == 4.5


def test_gradient_graph_is_pure_and_constant_gradients_are_values():
    x, y = Value(1.0), Value(2.0)
    out = x + y * 3
    grads = gradient_graph(out)
    assert (x.grad, y.grad) == (0.0, 0.0)
    assert isinstance(grads[x], Value) and (grads[x].data, grads[y].data, grads[out].data) == (1.0, 3.0, 1.0)


def test_define_op_with_value_rules_differentiates_twice():
    cube = define_op("cube_h", lambda x: x**3, [lambda x, out: 3 * x**2])
    assert second(cube, 2.0) == (12.0, 12.0)


def test_a_float_only_rule_is_a_clear_error_naming_the_op():
    wave = define_op("wave_h", math.sin, [lambda x, out: math.cos(x)])
    x = Value(0.5)
    wave(x).backward()  # first order: fine
    assert x.grad == math.cos(0.5)
    with pytest.raises(
        TypeError, match=r"op 'wave_h': its local derivative cannot run on Values \(TypeError: float\(\) of"
    ):
        wave(x).backward(create_graph=True)
    step = define_op("step_h", lambda x: x, [lambda x, out: 1.0 if x > 0 else 0.0])
    with pytest.raises(TypeError, match=r"op 'step_h': its local derivative cannot run on Values .*write the op's"):
        step(x).backward(create_graph=True)
    assert float(x) == 0.5  # float() works again after the pass


def test_explain_and_draw_work_on_a_derivative_graph():
    x = Value(0.5, label="x")
    x.tanh().backward(create_graph=True)
    g = x.grad
    g.label = "dtanh"
    text = str(explain(g))
    assert "dtanh = 1 − t2 = 0.786448" in text  # the graph of tanh′ is 1 − tanh²
    dot = draw_dot(g).source
    assert "tanh" in dot and "dtanh" in dot
    x.grad = 0.0
    g.backward()
    t = math.tanh(0.5)
    assert x.grad == pytest.approx(-2 * t * (1 - t * t), rel=1e-15)
    assert "∂dtanh/∂x = −0.726862" in text  # explain's number is backward()'s
    assert f"{x.grad:.6f}" == "-0.726862"


def test_limits_and_domain_errors_are_those_of_backward():
    x = Value(0.0)
    x.sqrt().backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == math.inf  # as backward() gives
    zero = Value(0.0)
    (zero**0.5).backward(create_graph=True)
    assert zero.grad.data == math.inf


def test_create_graph_inside_no_grad_is_refused_not_silently_flat():
    from autograd_tiny import no_grad
    from autograd_tiny.core.value import enable_grad

    x = Value(2.0)
    y = x * x * x
    with no_grad(), pytest.raises(ValueError, match=r"inside no_grad\(\) records nothing"):
        y.backward(create_graph=True)
    assert x.grad == 0.0  # nothing ran
    with no_grad(), enable_grad():
        y.backward(create_graph=True)
    assert x.grad.data == 12.0 and x.grad.parents  # a graph to differentiate again
