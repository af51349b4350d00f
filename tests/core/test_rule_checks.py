"""Tests that check the checks: a deliberately wrong derivative rule must be caught.

The check tested here is the one the op tests use (`derivatives_match` in test_engine.py,
applied to every op in ``OPS``), so a rule broken like these would fail the op tests too.
"""

from __future__ import annotations

import math

import pytest

from autograd_tiny import Value
from autograd_tiny.core import value as engine

from .test_engine import OPS, derivatives_match


@pytest.mark.parametrize("name", sorted(OPS))
def test_the_check_passes_on_every_real_rule(name):
    f, points = OPS[name]
    assert all(derivatives_match(f, args) for args in points)


def test_a_broken_rule_is_caught(monkeypatch):
    def broken_tanh(self):
        t = math.tanh(self.data)
        return engine._node(t, (self,), (1.0 - t,), "tanh")  # wrong: should be 1 - t**2

    monkeypatch.setattr(Value, "tanh", broken_tanh)
    f, points = OPS["tanh"]
    assert not any(derivatives_match(f, args) for args in points)


def test_a_rule_with_swapped_operands_is_caught(monkeypatch):
    def broken_div(self, other):
        out = self.data / other.data
        return engine._node(out, (self, other), (-out / other.data, 1.0 / other.data), "div")

    monkeypatch.setattr(Value, "__truediv__", broken_div)
    f, points = OPS["div"]
    assert not any(derivatives_match(f, args) for args in points)


def test_a_slightly_wrong_rule_is_caught(monkeypatch):
    # Off by one part in 10^5: bigger than the check's tolerance (10^-6), so caught.
    real_exp = Value.exp

    def nearly_exp(self):
        out = real_exp(self)
        out.local_derivatives = (out.data * (1 + 1e-5),)
        return out

    monkeypatch.setattr(Value, "exp", nearly_exp)
    f, points = OPS["exp"]
    assert not any(derivatives_match(f, args) for args in points)


def test_a_rule_that_drops_the_second_parent_is_caught(monkeypatch):
    def mul_forgetting_b(self, other):
        if isinstance(other, Value):
            return engine._node(self.data * other.data, (self, other), (other.data, 0.0), "mul")
        return engine._node(self.data * other, (self,), (other,), "mul", other)

    monkeypatch.setattr(Value, "__mul__", mul_forgetting_b)
    f, points = OPS["mul"]
    assert not any(derivatives_match(f, args) for args in points)
