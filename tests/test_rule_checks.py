"""Tests that check the checks: a deliberately wrong derivative rule must be caught."""

from __future__ import annotations

import math

from autograd_tiny import Value
from autograd_tiny import engine


def derivative_matches(f, x, eps=1e-6, tolerance=1e-6):
    """The derivative check our op tests use: backward() against a central difference."""
    leaf = Value(x)
    f(leaf).backward()
    numeric = (f(Value(x + eps)).data - f(Value(x - eps)).data) / (2 * eps)
    return abs(leaf.grad - numeric) <= tolerance * max(1.0, abs(numeric))


def test_the_check_passes_on_the_real_rule():
    assert derivative_matches(lambda v: v.tanh(), 0.4)


def test_a_broken_rule_is_caught(monkeypatch):
    def broken_tanh(self):
        t = math.tanh(self.data)
        return engine._node(t, (self,), (1.0 - t,), "tanh")  # wrong: should be 1 - t**2

    monkeypatch.setattr(Value, "tanh", broken_tanh)
    assert not derivative_matches(lambda v: v.tanh(), 0.4)


def test_a_rule_with_swapped_operands_is_caught(monkeypatch):
    def broken_div(self, other):
        out = self.data / other.data
        return engine._node(out, (self, other), (-out / other.data, 1.0 / other.data), "div")

    monkeypatch.setattr(Value, "__truediv__", broken_div)
    b = Value(2.0)
    assert not derivative_matches(lambda v: v / b, 0.4)
