"""Losses: values by hand, gradients by finite differences, stability, bad input."""

from __future__ import annotations

import math

import pytest

from autograd_tiny import Value
from autograd_tiny.learn.losses import binary_cross_entropy, cross_entropy, hinge, l2, mse


def finite_difference_check(loss_of, xs, eps=1e-6):
    leaves = [Value(x) for x in xs]
    loss_of(leaves).backward()
    for i, leaf in enumerate(leaves):
        up, down = list(xs), list(xs)
        up[i] += eps
        down[i] -= eps
        numeric = (loss_of([Value(x) for x in up]).data - loss_of([Value(x) for x in down]).data) / (2 * eps)
        assert leaf.grad == pytest.approx(numeric, rel=1e-5, abs=1e-7)


def test_values_by_hand():
    assert mse([Value(1.0), Value(3.0)], [0.0, 3.0]).data == 0.5
    assert hinge([Value(2.0), Value(-0.5), Value(0.5)], [1, 1, -1]).data == pytest.approx((0 + 1.5 + 1.5) / 3)
    assert binary_cross_entropy([Value(0.0)], [0]).data == pytest.approx(math.log(2))
    p = 1 / (1 + math.exp(-2.0))
    assert binary_cross_entropy([Value(2.0), Value(2.0)], [1, 0]).data == pytest.approx(
        (-math.log(p) - math.log(1 - p)) / 2
    )
    logits = [1.0, 2.0, 3.0]
    expected = math.log(sum(math.exp(v) for v in logits)) - logits[0]
    assert cross_entropy([Value(v) for v in logits], 0).data == pytest.approx(expected)
    assert l2([Value(3.0), Value(4.0)], alpha=0.5).data == 12.5


def test_gradients_match_finite_differences():
    finite_difference_check(lambda v: mse(v, [0.5, -1.0]), [1.2, 0.3])
    finite_difference_check(lambda v: hinge(v, [1, -1]), [0.3, 0.2])
    finite_difference_check(lambda v: binary_cross_entropy(v, [1, 0]), [0.7, -2.5])
    finite_difference_check(lambda v: cross_entropy([v[:3], v[3:]], [2, 0]), [0.1, -0.4, 1.3, 2.0, 0.5, -1.0])
    finite_difference_check(lambda v: l2(v, 0.1), [0.7, -2.5])


def test_stable_for_extreme_logits():
    big = [Value(1000.0), Value(-1000.0)]
    loss = cross_entropy(big, 1)
    loss.backward()
    assert loss.data == 2000.0
    assert (big[0].grad, big[1].grad) == (1.0, -1.0)
    for x, label, expected in [(1000.0, 1, 0.0), (-1000.0, 1, 1000.0), (1000.0, 0, 1000.0)]:
        v = Value(x)
        loss = binary_cross_entropy([v], [label])
        loss.backward()
        assert loss.data == pytest.approx(expected)
        assert math.isfinite(v.grad)


def test_a_single_value_is_accepted():
    assert mse(Value(2.0), 1.0).data == 1.0


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: hinge([Value(1.0)], [0]), ValueError, "labels -1 or \\+1"),
        (lambda: binary_cross_entropy([Value(1.0)], [-1]), ValueError, "labels 0 or 1"),
        (lambda: cross_entropy([Value(1.0), Value(2.0)], 2), ValueError, "class indices 0..1"),
        (lambda: mse([Value(1.0)], [1.0, 2.0]), ValueError, "1 predictions but 2 targets"),
        (lambda: mse([], []), ValueError, "at least one"),
        (
            lambda: mse([Value(1.0)], ["1"]),
            TypeError,
            r"^mse targets\[0\] must be a number, got str '1'; drop or fix that sample$",
        ),
        (lambda: l2([]), ValueError, "at least one parameter"),
    ],
)
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("loss", [mse, hinge, binary_cross_entropy])
def test_swapped_arguments_are_named_as_swapped(loss):
    """Issue 20: mse(targets, predictions) says the arguments look swapped, not "fix that sample"."""
    name = loss.__name__
    message = (
        rf"^{name}: the targets are Values and the predictions plain numbers, so the arguments look swapped; "
        rf"pass the model's outputs first: {name}\(predictions, targets\)$"
    )
    with pytest.raises(TypeError, match=message):
        loss([1.0, 0.0], [Value(0.5), Value(-0.5)])
    with pytest.raises(TypeError, match=message):
        loss(1.0, Value(0.5))
    assert loss([Value(0.5)], [1.0]).data == loss(Value(0.5), 1.0).data  # the right order works
