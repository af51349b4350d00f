"""explain(root, mode="forward", wrt=x): the forward-mode narrative, its numbers tied to backward()."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from autograd_tiny import Value, explain, topological_order
from autograd_tiny.show.explain import TangentExplanation
from tests.core.test_properties import programs, run
from tests.show.test_explain import FORWARD_PASS, lecture_example

GOLDEN = (
    FORWARD_PASS
    + """
Forward-mode sweep along a (6 steps, one per edge, from the inputs to L):
  Each edge, from an operand x in slot k to an op's output t, carries a contribution = local derivative ∂t/∂x₍ₖ₎ (t's slope in that slot alone) × x's tangent ∂x/∂a.
  A value's tangent ∂t/∂a is the sum of its contributions, one per operand.
  ∂a/∂a = 1  (the seed); every other input's tangent is 0: b, c, f
  1. ∂e/∂a₍₁₎ = b = −3;  tangent ∂a/∂a = 1;  contribution (−3) × 1 = −3;  ∂e/∂a = −3
  2. ∂e/∂b₍₂₎ = a = 2;  tangent ∂b/∂a = 0;  contribution 2 × 0 = 0;  ∂e/∂a = −3 + 0 = −3
  3. ∂d/∂e₍₁₎ = 1;  tangent ∂e/∂a = −3;  contribution 1 × (−3) = −3;  ∂d/∂a = −3
  4. ∂d/∂c₍₂₎ = 1;  tangent ∂c/∂a = 0;  contribution 1 × 0 = 0;  ∂d/∂a = −3 + 0 = −3
  5. ∂L/∂d₍₁₎ = f = −2;  tangent ∂d/∂a = −3;  contribution (−2) × (−3) = 6;  ∂L/∂a = 6
  6. ∂L/∂f₍₂₎ = d = 4;  tangent ∂f/∂a = 0;  contribution 4 × 0 = 0;  ∂L/∂a = 6 + 0 = 6

Result: ∂L/∂a = 6  (what L.backward() puts in a.grad)
Why reverse mode: forward mode: 1 sweep per input; to get ∂L/∂ all 4 inputs it takes 4 sweeps; reverse mode (backward) takes 1."""
)


def test_the_lecture_expression_golden_text():
    a, *_, L = lecture_example()
    assert str(explain(L, mode="forward", wrt=a)) == GOLDEN


def test_markdown_ends_with_the_same_derivative_and_the_summary():
    _, b, *_, L = lecture_example()
    lines = explain(L, mode="forward", wrt=b).markdown().splitlines()
    assert lines[-3] == r"**Result**: $\frac{\partial \mathrm{L}}{\partial \mathrm{b}} = -4$"
    assert lines[-1] == (
        r"Why reverse mode: forward mode: 1 sweep per input; to get ∂$\mathrm{L}$/∂ all 4 inputs it takes "
        "4 sweeps; reverse mode (backward) takes 1."
    )
    assert (
        r"1. $\frac{\partial \mathrm{e}}{\partial \mathrm{a}_{(1)}} = -3$; $\frac{\partial \mathrm{e}}{\partial \mathrm{b}} = "
        r"\frac{\partial \mathrm{e}}{\partial \mathrm{a}_{(1)}} \cdot \frac{\partial \mathrm{a}}{\partial \mathrm{b}} = (-3) \cdot 0 = 0$"
    ) in lines


def test_every_input_gives_what_backward_gives_and_nothing_changes():
    a, b, c, f, L = lecture_example()
    before = [(v.data, v.grad) for v in topological_order(L)]
    derivatives = [explain(L, mode="forward", wrt=x).derivative for x in (a, b, c, f)]
    assert [(v.data, v.grad) for v in topological_order(L)] == before  # pure
    L.backward()
    assert derivatives == [a.grad, b.grad, c.grad, f.grad] == [6.0, -4.0, -2.0, 4.0]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs)
def test_forward_narrative_ends_with_backwards_gradient_on_generated_graphs(case):
    values, program = case
    xs = [Value(x, label=f"x{i}") for i, x in enumerate(values)]
    root = run(program, xs)  # nodes are reused: fan-out
    backward = explain(root).gradients
    for x in xs:
        if x not in backward:
            continue
        forward = explain(root, mode="forward", wrt=x)
        assert forward.derivative == pytest.approx(backward[x], rel=1e-12, abs=1e-12)
        shown = str(forward).splitlines()[-2]
        assert shown.startswith(f"Result: ∂out/∂{x.label} = ")


def test_a_value_used_twice_adds_its_contributions():
    a = Value(3.0, label="a")
    b = a * a
    b.label = "b"
    e = explain(b, mode="forward", wrt=a)
    assert isinstance(e, TangentExplanation)
    assert [s.text("a") for s in e.steps] == [
        "1. ∂b/∂a₍₁₎ = a = 3;  tangent ∂a/∂a = 1;  contribution 3 × 1 = 3;  ∂b/∂a = 3",
        "2. ∂b/∂a₍₂₎ = a = 3;  tangent ∂a/∂a = 1;  contribution 3 × 1 = 3;  ∂b/∂a = 3 + 3 = 6",
    ]
    assert repr(e) == "<forward-mode Explanation of b along a: 2 steps>"


def test_bad_arguments_are_refused():
    a, *_, L = lecture_example()
    with pytest.raises(ValueError, match=r"^mode must be 'backward' \(the default\) or 'forward', got 'sideways'"):
        explain(L, mode="sideways")
    with pytest.raises(ValueError, match=r"^mode='forward' needs wrt=, the value to differentiate along"):
        explain(L, mode="forward")
    with pytest.raises(ValueError, match=r"^wrt=z is not in the graph of L, so the output does not depend on it"):
        explain(L, mode="forward", wrt=Value(1.0, label="z"))
    with pytest.raises(TypeError, match=r"^wrt must be a Value of the graph, got str 'a'"):
        explain(L, mode="forward", wrt="a")
    with pytest.raises(
        ValueError, match=r"^wrt= picks the value forward mode differentiates along; pass mode='forward'"
    ):
        explain(L, wrt=a)
    with pytest.raises(ValueError, match=r"^group= and sample= belong to the backward narrative"):
        explain(L, mode="forward", wrt=a, group="neuron")
