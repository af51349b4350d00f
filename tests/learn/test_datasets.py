"""Datasets: shapes, labels, determinism, geometry, bad arguments."""

from __future__ import annotations

import math

import pytest

from autograd_tiny.learn.datasets import DATASETS, make_circles, make_moons, make_spirals, make_xor


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_shape_and_determinism(name):
    make = DATASETS[name]
    X, y = make(n=60, seed=3)
    assert len(X) == len(y) == 60
    assert all(len(p) == 2 and all(isinstance(c, float) for c in p) for p in X)
    assert make(n=60, seed=3) == (X, y)
    assert make(n=60, seed=4) != (X, y)


def test_label_conventions():
    for make in (make_moons, make_circles, make_xor):
        _, y = make(n=50, seed=0)
        assert sorted(set(y)) == [-1, 1]
    _, y = make_spirals(n=90, classes=3, seed=0)
    assert sorted(set(y)) == [0, 1, 2] and y.count(0) == y.count(1) == y.count(2) == 30


def test_geometry_without_noise():
    X, y = make_moons(n=20, noise=0.0, seed=0)
    for (a, b), label in zip(X, y):
        if label == -1:
            assert math.hypot(a, b) == pytest.approx(1.0)
        else:
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0)
    X, y = make_circles(n=20, noise=0.0, seed=0, factor=0.3)
    for p, label in zip(X, y):
        assert math.hypot(*p) == pytest.approx(1.0 if label == -1 else 0.3)
    X, y = make_xor(n=50, noise=0.0, seed=0)
    assert all((a * b > 0) == (label == 1) for (a, b), label in zip(X, y))


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: make_moons(n=1), ValueError, r"^n must be a whole number >= 2, got 1$"),
        (lambda: make_moons(n=10.5), TypeError, r"^n must be a whole number, got float 10\.5$"),
        (lambda: make_moons(noise=-0.1), ValueError, r"^noise must be a finite number >= 0, got -0\.1$"),
        (lambda: make_circles(factor=1.5), ValueError, r"^factor must be a number in \(0, 1\), got 1\.5$"),
        (lambda: make_spirals(classes=1), ValueError, r"^classes must be a whole number >= 2, got 1$"),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
