"""explain(): Karpathy's example (golden text), fan-out, Markdown, long graphs, random DAGs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_tiny import Value
from autograd_tiny.show.explain import NARRATIVE_LIMIT, explain


def lecture_example():
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return a, b, c, f, L


# The lecture expression's forward pass, as every narrative of it starts (backward and forward mode).
FORWARD_PASS = """\
Forward pass:
  a = 2
  b = −3
  e = a · b = −6
  c = 10
  d = e + c = 4
  f = −2
  L = d · f = −8
"""

GOLDEN = (
    FORWARD_PASS
    + """
Backward pass (6 steps, one per edge, from L back to the inputs):
  Each edge, from an op's output t back to its operand x in slot k, sends x a contribution = local derivative ∂t/∂x₍ₖ₎ (t's slope in that slot alone) × upstream gradient ∂L/∂t.
  A value's gradient ∂L/∂x is the sum of its contributions.
  L.grad = 1  (∂L/∂L: the output's gradient with respect to itself)
  1. ∂L/∂d₍₁₎ = f = −2;  upstream ∂L/∂L = 1;  contribution (−2) × 1 = −2;  d.grad = −2
  2. ∂L/∂f₍₂₎ = d = 4;  upstream ∂L/∂L = 1;  contribution 4 × 1 = 4;  f.grad = 4
  3. ∂d/∂e₍₁₎ = 1;  upstream ∂L/∂d = −2;  contribution 1 × (−2) = −2;  e.grad = −2
  4. ∂d/∂c₍₂₎ = 1;  upstream ∂L/∂d = −2;  contribution 1 × (−2) = −2;  c.grad = −2
  5. ∂e/∂a₍₁₎ = b = −3;  upstream ∂L/∂e = −2;  contribution (−3) × (−2) = 6;  a.grad = 6
  6. ∂e/∂b₍₂₎ = a = 2;  upstream ∂L/∂e = −2;  contribution 2 × (−2) = −4;  b.grad = −4

Gradients of the inputs (each the sum of its contributions):
  ∂L/∂a = 6
  ∂L/∂b = −4
  ∂L/∂c = −2
  ∂L/∂f = 4"""
)

NOT_COMPUTED = (
    "\n  Note: a.grad holds 0 (this pass: 6), b.grad holds 0 (this pass: −4), c.grad holds 0 (this pass: −2) "
    "and 1 more leaf: .grad is not computed yet. explain computes gradients in its own storage and changes "
    "no .grad; call backward() on L to store them."
)


def test_lecture_example_golden_text_and_gradients():
    a, b, c, f, L = lecture_example()
    L.backward()
    e = explain(L)
    assert L.data == -8.0
    assert len(e.steps) == 6
    assert [e.gradients[v] for v in (a, b, c, f)] == [6.0, -4.0, -2.0, 4.0]
    assert str(e) == GOLDEN


def test_before_backward_the_text_says_grad_is_not_computed_yet():
    a, b, c, f, L = lecture_example()
    assert str(explain(L)) == GOLDEN + NOT_COMPUTED
    assert (a.grad, b.grad, c.grad, f.grad, L.grad) == (0.0, 0.0, 0.0, 0.0, 0.0)


def test_step_records():
    _a, _b, _c, _f, L = lecture_example()
    step = explain(L).steps[4]
    assert (step.node_name, step.parent_name, step.op) == ("e", "a", "mul")
    assert (step.local, step.upstream, step.contribution, step.gradient) == (-3.0, -2.0, 6.0, 6.0)
    assert step.formula == "b" and step.equation == "∂e/∂a₍₁₎ = b = −3"
    assert [r.text for r in explain(L).forward][2] == "e = a · b = −6"


def test_grads_equal_backward():
    def build():
        x, y = Value(0.4, label="x"), Value(-1.1, label="y")
        return [x, y], ((x * y).tanh() + x / y - 2**x) * (y - 3).exp()

    (x1, y1), out1 = build()
    out1.backward()
    (x2, y2), out2 = build()
    gradients = explain(out2).gradients
    assert (gradients[x2], gradients[y2], gradients[out2]) == (x1.grad, y1.grad, out1.grad)
    assert (x2.grad, y2.grad, out2.grad) == (0.0, 0.0, 0.0)


def fan_out_example():
    """a reaches c along three edges: b = a + a, c = b · a (dc/da = 4a = 12 at a = 3)."""
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    c = b * a
    c.label = "c"
    return a, b, c


def test_fan_out_shows_contributions_adding_up():
    a, _, c = fan_out_example()
    e = explain(c)
    text = str(e)
    assert e.gradients[a] == 2 * 3.0 + 6.0  # d/da (2a · a) = 4a = 12
    into_a = [s for s in e.steps if s.parent is a]
    assert [s.fan_out for s in into_a] == [False, True, True]
    assert "a.grad = 6 + 3 = 9  (fan-out: a is used more than once, so contributions add)" in text
    assert "∂c/∂a = 6 + 3 + 3 = 12" in text


def test_a_local_derivative_is_named_by_its_operand_slot():
    # Issue 19: for b = a + a; c = b · a the narrative wrote "∂b/∂a = 1" (the total ∂b/∂a is 2).
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    c = b * a
    c.label = "c"
    e = explain(c)
    assert [s.equation for s in e.steps] == ["∂c/∂b₍₁₎ = a = 3", "∂c/∂a₍₂₎ = b = 6", "∂b/∂a₍₁₎ = 1", "∂b/∂a₍₂₎ = 1"]
    text = str(e)
    assert "∂b/∂a =" not in text and "∂c/∂a = 6 + 3 + 3 = 12" in text
    assert text.count("is the sum of its contributions") == 1  # said once
    markdown = e.markdown()
    assert r"\frac{\partial \mathrm{b}}{\partial \mathrm{a}_{(2)}} = 1" in markdown
    assert r"\frac{\partial \mathrm{b}}{\partial \mathrm{a}} " not in markdown
    assert markdown.count("is the sum of its contributions") == 1


def test_constants_and_reflected_ops_are_written_in_place():
    x = Value(2.0, label="x")
    y = 1 - 3 / x
    y.label = "y"
    e = explain(y)
    lines = [r.text for r in e.forward]
    assert lines[1:] == ["t1 = 3 / x = 1.5", "y = 1 − t1 = −0.5"]
    assert e.steps[1].equation == "∂t1/∂x₍₂₎ = −3 / x² = −3 / 2² = −0.75"


def test_markdown_uses_latex():
    *_, L = lecture_example()
    md = explain(L)._repr_markdown_()
    assert r"\frac{\partial \mathrm{L}}{\partial \mathrm{a}} = 6" in md
    assert md.count("\n1. ") == 1 and "**Backward pass** (6 steps)" in md
    odd = Value(1.0, label="w_1{x}")
    assert r"\mathrm{w\_1\{x\}}" in explain(odd * 2).markdown()


def test_long_graphs_shorten_the_narrative_but_keep_records():
    x = Value(0.5, label="x")
    y = x
    for _ in range(100):
        y = (y * 0.9).tanh()
    e = explain(y)
    assert len(e.steps) == 200
    text = str(e)
    assert f"{200 - (NARRATIVE_LIMIT - 10) - 10} steps not shown" in text
    assert text.count("\n  ") < 2 * NARRATIVE_LIMIT + 10
    assert "values not shown" in text


def test_explain_rejects_non_values():
    with pytest.raises(TypeError, match="explain needs a Value"):
        explain(3.0)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("+*-"), st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=15))
def test_random_dags_contributions_sum_to_gradients(program):
    leaves = [Value(0.3, label="p"), Value(-0.7, label="q"), Value(1.1, label="r")]
    nodes = list(leaves)
    for op, i, j in program:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        nodes.append(a + b if op == "+" else a * b if op == "*" else (a - b).tanh())
    e = explain(nodes[-1])
    for _name, parts, grad in e.leaf_sums():
        total = 0.0
        for part in parts:
            total += part
        assert total == grad


def test_explaining_after_two_backwards_narrates_one_pass_and_says_leaves_accumulate():
    a, _b, _c, _f, L = lecture_example()
    L.backward()
    L.backward()
    text = str(explain(L))
    assert "a.grad = 6\n" in text and "∂L/∂a = 6\n" in text and "12 " not in text.replace("holds 12", "")
    assert text.endswith(
        "  Note: a.grad holds 12 (this pass: 6), b.grad holds −8 (this pass: −4), c.grad holds −4 (this pass: −2) "
        "and 1 more leaf. Leaves accumulate over backward() calls: call zero_grad() (or set .grad = 0.0) before "
        "backward() for a fresh gradient. explain changes no .grad."
    )
    assert a.grad == 12.0
