"""explain(L).check(k, answer) and .check_gradient(value, answer): right, wrong, and the slip named."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograd_tiny import Feedback, Value, explain
from autograd_tiny.show.grading import MISTAKES, answer_matches, telling_slips
from tests.show.test_explain import fan_out_example  # the b = a + a; c = b · a

SIZES = [-2.5, -0.7, 0.6, 1.3, 2.2, 3.1]
OPS = {"+": lambda p, q: p + q, "*": lambda p, q: p * q, "-": lambda p, q: p - q}
LEAVES = st.lists(st.sampled_from(SIZES), min_size=3, max_size=3, unique=True)
OP_LISTS = st.lists(st.sampled_from(sorted(OPS)), min_size=4, max_size=4)


def fan_out_graph(x0, y0, z0, ops):
    """x and y feed u; x is used twice, u three times: fan-out at a leaf and inside.

    The last op's result is scaled by z, so that upstream gradients are not all ±1 (where
    the local derivative alone would be the contribution too).
    """
    x, y, z = Value(x0, label="x"), Value(y0, label="y"), Value(z0, label="z")
    f, g, h, k = (OPS[op] for op in ops)
    u = f(x, y)
    u.label = "u"
    v = g(u, x)
    v.label = "v"
    w = h(u, v)
    w.label = "w"
    s = k(w, u)
    s.label = "s"
    L = s * z
    L.label = "L"
    return x, y, u, v, w, L


def named_slips(explanation, slips, truth):
    """The slips that only one kind of slip gives: answering one must be named as that slip."""
    told = telling_slips(truth, slips)
    return [s for s in told if not any(o.mistake != s.mistake and answer_matches(s.number, o.number) for o in told)]


@settings(max_examples=60, deadline=None)
@given(LEAVES, OP_LISTS)
def test_check_names_each_slip_on_graphs_with_fan_out(leaves, ops):
    *_, L = fan_out_graph(*leaves, ops)
    e = explain(L)
    named = set()
    for step in e.steps:
        right = e.check(step.number, step.contribution)
        assert right == Feedback(True, None, right.message) and right.message.startswith("Right")
        for slip in named_slips(e, e.step_slips(step), step.contribution):
            feedback = e.check(step.number, slip.number)
            assert (feedback.correct, feedback.mistake) == (False, slip.mistake)
            assert not re.search(r"\d", feedback.message)  # names the slip, never a number
            named.add(slip.mistake)
    assert named == set(MISTAKES)


@settings(max_examples=40, deadline=None)
@given(LEAVES, OP_LISTS)
@example([0.6, -2.5, 1.3], ["*", "*", "+", "+"])  # a partial sum equal to the local-derivative slip
def test_check_gradient_names_a_missing_contribution(leaves, ops):
    x, y, u, v, w, L = fan_out_graph(*leaves, ops)
    e = explain(L)
    L.backward()
    for value in (x, y, u, v, w, L):
        assert e.check_gradient(value, value.grad).correct
        assert e.check_gradient(value.label, value.grad).correct
        for slip in named_slips(e, e.gradient_slips(value), value.grad):
            feedback = e.check_gradient(value, slip.number)
            assert (feedback.correct, feedback.mistake) == (False, slip.mistake)
            assert not re.search(r"\d", feedback.message)
    # u is used three times: each sum that leaves one of its contributions out is named.
    contributions = [s.contribution for s in e.received(u)]
    assert len(contributions) == 3
    for missing in range(3):
        partial = sum(c for i, c in enumerate(contributions) if i != missing)
        # (A partial sum that happens to equal another slip's number is that slip too: skipped.)
        others = [s.number for s in e.gradient_slips(u) if s.mistake != "one-path"]
        if not any(answer_matches(partial, n) for n in [u.grad, -u.grad, *others]):
            assert e.check_gradient("u", partial).mistake == "one-path"


def test_the_slips_on_the_fan_out_example():
    # 1. ∂c/∂b₍₁₎ = a = 3 (upstream 1); 2. ∂c/∂a₍₂₎ = b = 6 (upstream 1);
    # 3. and 4. ∂b/∂a₍₁₎ = ∂b/∂a₍₂₎ = 1, upstream ∂c/∂b = 3: contributions 3 and 3, a.grad 9 then 12.
    a, _, c = fan_out_example()
    e = explain(c)
    assert e.check(3, 3.0) == Feedback(
        True, None, "Right: that is the contribution ∂b/∂a₍₁₎ × ∂c/∂b this step sends to a."
    )
    assert e.check(3, -3.0) == Feedback(
        False,
        "sign",
        "Right size, wrong sign: check the signs of the local derivative ∂b/∂a₍₁₎ and of the upstream gradient "
        "∂c/∂b, and of their product.",
    )
    assert e.check(4, 1.0) == Feedback(
        False,
        "no-upstream",
        "That is the local derivative ∂b/∂a₍₂₎ alone: the chain rule multiplies it by the upstream gradient ∂c/∂b.",
    )
    assert e.check(4, 12.0) == Feedback(
        False,
        "running-total",
        "That is a's gradient so far, the running sum of its contributions: the question asks for this edge's "
        "contribution alone, ∂b/∂a₍₂₎ × ∂c/∂b.",
    )
    assert e.check(2, 1.0) == Feedback(
        False,
        "no-local",
        "That is the upstream gradient ∂c/∂c alone: the chain rule multiplies it by the local derivative ∂c/∂a₍₂₎.",
    )
    assert e.check(2, 7.0) == Feedback(
        False, None, "Not right: the contribution is the local derivative ∂c/∂a₍₂₎ × the upstream gradient ∂c/∂c."
    )
    assert e.check(2, 6.0004).correct and not e.check(2, 6.004).correct  # 4 significant digits
    assert e.check_gradient(a, 12.0).correct
    assert e.check_gradient("a", 9.0) == Feedback(
        False,
        "one-path",
        "a is used more than once, so its gradient ∂c/∂a is the sum of all its contributions: that answer leaves "
        "one of them out.",
    )
    assert e.check_gradient("a", 6.0).mistake == "one-path"
    assert e.check_gradient("a", -12.0).mistake == "sign"
    assert e.check_gradient("a", 8.0).mistake == "no-upstream"  # 6 + 1 + 1, the local derivatives
    assert e.check_gradient("a", 7.0).mistake == "no-local"  # 1 + 3 + 3, the upstream gradients
    assert e.check_gradient("c", 1.0).correct
    assert a.grad == 0.0  # checking is pure


def test_non_finite_answers_are_right_only_for_themselves():
    x = Value(1e308, label="x")
    y = x * x  # inf
    y.label = "y"
    L = y * 2.0
    L.label = "L"
    e = explain(L)
    # Step 2: ∂y/∂x₍₁₎ = x = 1e308, upstream ∂L/∂y = 2: the contribution overflows to inf.
    assert e.steps[1].contribution == float("inf")
    assert e.check(2, float("inf")).correct
    assert not e.check(2, float("nan")).correct and not e.check(2, 1.7976931348623157e308).correct
    assert e.check(2, float("-inf")).mistake == "sign"


def test_bad_steps_values_and_answers_are_refused():
    a, _, c = fan_out_example()
    e = explain(c)
    with pytest.raises(ValueError, match=r"step must be from 1 to 4 \(as the narrative numbers them\), got 0"):
        e.check(0, 1.0)
    with pytest.raises(ValueError, match=r"step must be from 1 to 4 .*got 5"):
        e.check(5, 1.0)
    with pytest.raises(TypeError, match=r"step must be an int from 1 to 4 .*got str '1'"):
        e.check("1", 1.0)
    with pytest.raises(TypeError, match=r"step must be an int .*got bool True"):
        e.check(True, 1.0)
    with pytest.raises(ValueError, match=r"^answer must be a number, got the text 'three'"):
        e.check(1, "three")
    with pytest.raises(TypeError, match=r"got Value .* \(its number is \.data\)"):
        e.check(1, a)
    with pytest.raises(ValueError, match="no value of this graph is named 'z'; its values are 'a', 'b', 'c'"):
        e.check_gradient("z", 1.0)
    with pytest.raises(ValueError, match="is not a value of the graph of c: pass one of its values, or its name"):
        e.check_gradient(Value(1.0, label="other"), 1.0)
    with pytest.raises(TypeError, match="value must be a Value of the graph or its name \\(a str\\), got int 3"):
        e.check_gradient(3, 1.0)
    twin = Value(1.0, label="t") * Value(2.0, label="t")
    with pytest.raises(ValueError, match="2 values of this graph are named 't': pass the Value itself"):
        explain(twin).check_gradient("t", 2.0)
    with pytest.raises(ValueError, match="a is a lone value: its backward pass has no steps to check"):
        explain(a).check(1, 1.0)
