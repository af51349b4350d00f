"""gradcheck never passes a check its finite differences cannot make (overflow, rounding)."""

from __future__ import annotations

import math

import pytest

from autograd_tiny import Value
from autograd_tiny.core import value as engine
from autograd_tiny.learn.gradcheck import GradcheckError, gradcheck

BIGGEST = 1.7976931348623157e308  # the largest float


def _refusal(f, point, **options) -> list[str]:
    """The lines of the GradcheckError that `gradcheck(f, point)` raises."""
    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, point, **options)
    return str(caught.value).splitlines()


def test_an_overflowing_neighbour_cannot_pass():
    # The example: backward() says 0 (the .data term is cut from the graph), the
    # true slope is 1.8e308, and f(1 + eps) overflows to inf, so the numeric gradient is
    # inf and |0 - inf| <= atol + rtol * inf held.
    lines = _refusal(lambda x: x * 0.0 + x.data * BIGGEST, [1.0])
    assert lines[0] == (
        "finite differences cannot check backward() at this point (eps=1e-06, atol=1e-05, rtol=0.0001):"
    )
    assert lines[1].split() == ["input", "analytic", "numeric", "difference"]
    assert lines[3].startswith("x1 = 1 ") and lines[3].endswith("<-- cannot check (see below)")
    assert lines[4] == (
        "x1: f(x1 + eps) = inf: f overflows (or is undefined) next to this point, so the finite "
        "difference means nothing; check at a point where f and its neighbours are finite"
    )


def _undefined_past_one(x):
    """x, but inf - inf (nan) once x > 1: the right neighbour of 1 is undefined."""
    jump = math.inf if x.data > 1.0 else 0.0
    return x + jump - jump


def test_an_undefined_neighbour_is_named():
    lines = _refusal(_undefined_past_one, [1.0])
    assert lines[4].startswith("x1: f(x1 + eps) = nan: f overflows (or is undefined) next to this point")


def test_rounding_larger_than_the_tolerance_cannot_check():
    # |f| = 1e12: each value of f is exact only to about 2.2e-16 * 1e12 = 2.2e-4, which over
    # a step of 2e-6 swamps the slope 1 (both neighbours round to the same float).
    lines = _refusal(lambda x: x + 1e12, [1.0])
    assert lines[0].startswith("finite differences cannot check backward() at this point")
    assert lines[3].endswith("<-- cannot check (see below)")
    assert lines[4] == (
        "x1: rounding: f (about 1e+12) is computed exact only to about 0.00022, so over the step 2e-06 "
        "the numeric gradient is uncertain by about 2.2e+02, more than the tolerance 1e-05; check where "
        "the values are smaller (subtract a constant part) or pass a larger eps"
    )


def test_rounding_inside_the_graph_is_seen_where_f_is_small():
    # f = (x + 1e12) - 1e12 is about 1, but computed through 1e12: the same rounding.
    lines = _refusal(lambda x: (x + 1e12) - 1e12, [1.0])
    assert lines[0].startswith("finite differences cannot check backward() at this point")
    assert lines[4].startswith("x1: rounding: f (about 1) is computed exact only to about 0.00022, so over the step")


def test_a_step_lost_to_rounding_cannot_check():
    # 1e11 + 1e-6 rounds back to 1e11: there is no step at all.
    lines = _refusal(lambda x: x * 2.0, [1e11])
    assert lines[3].endswith("<-- cannot check (see below)")
    assert lines[4] == (
        "x1: eps=1e-06 is below the spacing of floats at x1 = 1e+11, so x1 + eps and x1 - eps round "
        "to the same number; pass a larger eps, e.g. eps=1e+05"
    )


def test_a_larger_eps_makes_the_rounding_case_checkable():
    assert gradcheck(lambda x: x + 1e12, [1.0], eps=1.0, atol=1e-3) is True
    assert gradcheck(lambda x: x * 2.0, [1e11], eps=1e5) is True


@pytest.mark.parametrize(
    "f, point",
    [
        (lambda x, y: (x * y).tanh() + y**2, [0.5, -1.2]),
        (lambda x: x.exp(), [10.0]),  # |f| = 22026: rounding 1e-5 relative to a slope of 22026
        (lambda x: x * 1e6, [3.0]),
        (lambda x, w: (x * w).tanh(), [0.5, -1.2]),
        (lambda a, b, c, f: (a * b + c) * f, [2.0, -3.0, 10.0, -2.0]),
    ],
)
def test_ordinary_checks_still_pass(f, point):
    assert gradcheck(f, point) is True


def test_a_wrong_rule_is_still_a_mismatch(monkeypatch):
    def wrong_tanh(self):
        t = math.tanh(self.data)
        return engine._node(t, (self,), (1.0 + t * t,), "tanh")  # sign slip: 1 + t², not 1 - t²

    monkeypatch.setattr(Value, "tanh", wrong_tanh)
    lines = _refusal(lambda x: x.tanh() * 3.0, [0.7])
    assert lines[0].startswith("backward() disagrees with finite differences")
    assert lines[3].endswith("<-- mismatch")
    assert len(lines) == 4  # a real disagreement needs no footnote


def test_a_mismatch_and_an_unchecked_input_are_both_reported():
    # x: .data cuts the graph (a real mismatch); y: f is inf just right of y = 1.
    def f(x, y):
        return x * 0.0 + x.data * 2.0 + y * 0.0 + (math.inf if y.data > 1.0 else 0.0)

    lines = _refusal(f, [0.5, 1.0])
    assert lines[0].startswith("backward() disagrees with finite differences")
    assert lines[3].startswith("x1 = 0.5 ") and lines[3].endswith("<-- mismatch")
    assert lines[4].startswith("x2 = 1 ") and lines[4].endswith("<-- cannot check (see below)")
    assert lines[5].startswith("x2: f(x2 + eps) = inf: f overflows")
    assert len(lines) == 6
