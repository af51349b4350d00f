"""gradcheck: passes on every op, and catches a wrong rule with a readable table."""

from __future__ import annotations

import math

import pytest

from autograd_tiny import Value
from autograd_tiny.core import value as engine
from autograd_tiny.learn.gradcheck import GradcheckError, gradcheck
from tests.core.test_engine import OPS


@pytest.mark.parametrize("name", sorted(OPS))
def test_passes_on_every_op(name):
    f, points = OPS[name]
    for point in points:
        assert gradcheck(f, list(point)) is True


def test_catches_a_wrong_rule_with_a_table(monkeypatch):
    def wrong_sigmoid(self):
        s = 1.0 / (1.0 + math.exp(-self.data))
        return engine._node(s, (self,), (s,), "sigmoid")  # forgot the (1 - s) factor

    monkeypatch.setattr(Value, "sigmoid", wrong_sigmoid)
    with pytest.raises(GradcheckError, match=r"backward\(\)|mismatch") as info:
        gradcheck(lambda x, y: x.sigmoid() * y, [0.5, 2.0])
    message = str(info.value)
    lines = message.splitlines()
    assert lines[1].split() == ["input", "analytic", "numeric", "difference"]
    assert "x1 = 0.5" in lines[3] and "mismatch" in lines[3]
    assert "x2 = 2" in lines[4] and "mismatch" not in lines[4]
    assert lines[3].split()[3] == f"{2 * 1 / (1 + math.exp(-0.5)):.8g}"


def test_values_as_inputs_are_left_untouched():
    x = Value(0.3)
    assert gradcheck(lambda v: v.exp(), [x])
    assert x.grad == 0.0


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: gradcheck(lambda x: 3.0, [1.0]), TypeError, r"^f must return a Value, got float; build the result"),
        (
            lambda: gradcheck(lambda x: x, ["1"]),
            TypeError,
            r"^gradcheck input x1 must be a number, got str '1'; check at a finite point, with numbers or Values$",
        ),
        (lambda: gradcheck(lambda x: x, []), ValueError, r"^gradcheck needs at least one input$"),
        (lambda: gradcheck("f", [1.0]), TypeError, r"^gradcheck needs a function, got str$"),
        (
            lambda: gradcheck(lambda x: x, [1.0], eps=0),
            ValueError,
            r"^eps must be a finite number > 0, got 0\.0; pass e\.g\. eps=1e-6$",
        ),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
