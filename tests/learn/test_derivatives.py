"""`grad`, `hessian`, `hvp` (learn/derivatives.py) and gradcheck(order=2)."""

from __future__ import annotations

import math

import pytest

from autograd_tiny import GradcheckError, Value, define_op, grad, gradcheck, hessian, hvp


def test_grad_of_grad_of_grad():
    f = lambda x: x**3  # noqa: E731
    assert [grad(f)(2.0).data, grad(grad(f))(2.0).data, grad(grad(grad(f)))(2.0).data] == [12.0, 12.0, 6.0]
    assert grad(grad(grad(grad(f))))(2.0).data == 0.0
    t = math.tanh(0.3)
    assert grad(grad(Value.tanh))(0.3).data == pytest.approx(-2 * t * (1 - t * t), rel=1e-15)
    assert isinstance(grad(f)(2.0), Value)


def test_argnum_and_mixed_partials():
    def f(x, y):
        return x * x * y + y.exp()

    assert grad(f)(3.0, 0.0).data == 0.0
    assert grad(f, argnum=1)(3.0, 0.0).data == 10.0
    assert grad(grad(f), argnum=1)(3.0, 0.0).data == 6.0  # ∂²f/∂y∂x = 2x
    assert grad(grad(f, argnum=1))(3.0, 0.0).data == 6.0


def test_grad_leaves_every_grad_alone():
    x = Value(2.0)
    assert grad(lambda v: v * v)(x).data == 4.0
    assert x.grad == 0.0


def test_a_function_independent_of_the_argument_has_derivative_zero():
    assert grad(lambda x, y: y * 2, argnum=0)(1.0, 2.0).data == 0.0
    assert grad(lambda x: 5.0)(1.0).data == 0.0


def test_hessian_and_hvp():
    def f(x, y):
        return x * x * y + y.sin()

    h = hessian(f)([3.0, 0.5])
    assert h == [[1.0, 6.0], [6.0, -math.sin(0.5)]]
    assert hvp(f)([3.0, 0.5], [2.0, -1.0]) == pytest.approx([2 * 1.0 - 6.0, 12.0 + math.sin(0.5)], rel=1e-15)


def test_errors_name_the_problem():
    with pytest.raises(TypeError, match=r"grad needs a function, got int 3"):
        grad(3)
    with pytest.raises(ValueError, match=r"argnum=2 needs at least 3 arguments, got 2"):
        grad(lambda x, y: x, argnum=2)(1.0, 2.0)
    with pytest.raises(ValueError, match=r"argnum must be a whole number >= 0, got -1"):
        grad(lambda x: x, argnum=-1)
    with pytest.raises(ValueError, match=r"hvp needs one direction number per input: 2 inputs, got 1 in vs"):
        hvp(lambda x, y: x * y)([1.0, 2.0], [1.0])
    with pytest.raises(TypeError, match=r"grad: f's result must be a number, got str"):
        grad(lambda x: "x")(1.0)


def test_gradcheck_checks_second_derivatives():
    assert gradcheck(lambda x, y: (x * y).tanh() + x.sin() * y**3, [0.4, -0.7], order=2)
    # A rule right at first order whose graph is wrong: it uses x's number as a constant,
    # so its derivative is 3x instead of 6x. order=1 passes; order=2 catches it.
    cube = define_op("cube_wrong", lambda x: x**3, [lambda x, out: 3 * x * (x.data if isinstance(x, Value) else x)])
    assert gradcheck(lambda x: cube(x), [1.5])
    with pytest.raises(GradcheckError, match=r"second derivatives: the gradient of ∂f/∂x1"):
        gradcheck(lambda x: cube(x), [1.5], order=2)
    with pytest.raises(ValueError, match=r"gradcheck's order must be 1 or 2, got 3"):
        gradcheck(lambda x: x, [1.0], order=3)
