"""One policy for non-finite numbers: Python's float semantics, NaN refused everywhere."""

from __future__ import annotations

import math

import pytest

from autograd_tiny import Value

NAN = float("nan")


def test_arithmetic_that_overflows_gives_inf_as_floats_do():
    big = Value(1e308)
    assert (big * 10).data == math.inf
    assert (big + 1e308).data == math.inf
    assert (-big * 10).data == -math.inf
    y = big * 10
    y.backward()
    assert big.grad == 10.0  # the local derivative is finite; only the value overflowed


def test_math_functions_raise_where_math_raises():
    with pytest.raises(OverflowError, match=r"exp overflows for x = 1000.0"):
        Value(1000.0).exp()
    with pytest.raises(ValueError, match=r"log is undefined for x = 0.0 \(needs x > 0\)"):
        Value(0.0).log()
    with pytest.raises(ValueError, match=r"sqrt is undefined for x = -1.0 \(needs x >= 0\)"):
        Value(-1.0).sqrt()
    with pytest.raises(OverflowError, match=r"pow overflows for 10.0 \*\* 400.0"):
        Value(10.0) ** 400


@pytest.mark.parametrize(
    "build",
    [
        lambda a: a + NAN,
        lambda a: NAN + a,
        lambda a: a - NAN,
        lambda a: NAN - a,
        lambda a: a * NAN,
        lambda a: NAN * a,
        lambda a: a / NAN,
        lambda a: NAN / a,
        lambda a: a**NAN,
        lambda a: NAN**a,
    ],
)
def test_nan_is_refused_as_a_constant_operand(build):
    with pytest.raises(
        ValueError, match=r"^the constant operand of \S+ must be a number, not NaN, got nan; pass a number or a Value$"
    ):
        build(Value(1.0))


def test_nan_is_refused_as_input_whatever_its_type():
    import numpy as np

    with pytest.raises(ValueError, match=r"^Value's data must be a number, not NaN, got nan"):
        Value(NAN)
    with pytest.raises(ValueError, match=r"^the constant operand of \+ must be a number, not NaN"):
        Value(1.0) + np.float32("nan")


def test_inf_constants_are_allowed_and_follow_float_semantics():
    a = Value(2.0)
    assert (a + math.inf).data == math.inf
    assert (a * -math.inf).data == -math.inf
    assert (a / math.inf).data == 0.0
