"""explain is pure: it narrates a fresh backward pass in its own storage and changes nothing.

These tests follow a person's path (backward, explain, draw, explain again, train, draw) and
random graphs with gradients accumulated over several backward() calls.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_tiny import Value, draw_dot, explain
from autograd_tiny.core.graph import topological_order
from tests.show.test_explain import GOLDEN, fan_out_example, lecture_example


def snapshot(root):
    """Every attribute explain could touch, for every value of the graph."""
    return [
        (v.data, v.grad, v.label, v.op, v.parents, v.local_derivatives, v.const, v.scope)
        for v in topological_order(root)
    ]


def readme_example():
    """The README's first example: L = (a*b + c)*f with e and d labelled."""
    a, _, _, _, L = lecture_example()
    return a, L


def test_readme_example_after_backward_shows_a_grad_6_every_time():
    a, L = readme_example()
    L.backward()
    for _ in range(3):
        text = str(explain(L))
        assert "5. ∂e/∂a₍₁₎ = b = −3;  upstream ∂L/∂e = −2;  contribution (−3) × (−2) = 6;  a.grad = 6\n" in text
        assert "  ∂L/∂a = 6\n" in text and "12" not in text
        assert "Note" not in text  # .grad agrees with this pass
        assert a.grad == 6.0


def test_a_session_backward_explain_draw_explain_train_draw(tmp_path):
    a, b, c, f, L = lecture_example()
    L.backward()
    before = snapshot(L)
    drawing = draw_dot(L).source

    first = explain(L)
    outputs = (str(first), first.markdown(), repr(first))
    first.save_html(tmp_path / "steps.html")
    frames = [first.draw(step=k).source for k in range(len(first.steps) + 1)]
    assert snapshot(L) == before
    assert draw_dot(L).source == drawing  # byte-identical drawing after explain

    again = explain(L)
    assert (str(again), again.markdown(), repr(again)) == outputs
    assert (str(first), first.markdown()) == outputs[:2]  # printing twice prints the same
    assert [again.draw(step=k).source for k in range(len(again.steps) + 1)] == frames
    assert str(again) == GOLDEN

    # One training step, as a person writes it, then draw and explain the new graph.
    for leaf in (a, b, c, f):
        leaf.data -= 0.01 * leaf.grad
        leaf.grad = 0.0
    L2 = (a * b + c) * f
    L2.label = "L"
    L2.backward()
    trained = snapshot(L2)
    drawing2 = draw_dot(L2).source
    explanation = explain(L2)
    str(explanation), explanation.markdown(), explanation.draw(step=3)
    assert snapshot(L2) == trained and draw_dot(L2).source == drawing2
    assert [explanation.gradients[v] for v in (a, b, c, f)] == [v.grad for v in (a, b, c, f)]
    # The first explanation keeps the numbers it was made with: training changed no text.
    assert str(first) == outputs[0] and first.markdown() == outputs[1]


def test_gradients_and_gradients_after():
    _a, _b, _c, _f, L = lecture_example()
    e = explain(L)
    assert {v.label: g for v, g in e.gradients.items()} == {
        "L": 1.0,
        "d": -2.0,
        "f": 4.0,
        "e": -2.0,
        "c": -2.0,
        "a": 6.0,
        "b": -4.0,
    }
    assert e.gradients_after(0) == {L: 1.0}
    assert e.gradients_after(len(e.steps)) == e.gradients
    assert {v.label: g for v, g in e.gradients_after(2).items()} == {"L": 1.0, "d": -2.0, "f": 4.0}


def test_gradients_after_shows_running_sums_of_a_value_used_twice():
    a, _, c = fan_out_example()
    e = explain(c)
    # Steps: c->b (3), c->a (6), b->a (+3), b->a (+3): a's running sum 6, 9, 12.
    assert [e.gradients_after(k).get(a) for k in range(5)] == [None, None, 6.0, 9.0, 12.0]
    assert a.grad == 0.0


@pytest.mark.parametrize(
    "bad, error, message",
    [
        (-1, ValueError, r"step must be from 0 \(only the root's seed\) to 6 \(every step of this pass\), got -1"),
        (7, ValueError, r"step must be from 0 \(only the root's seed\) to 6 \(every step of this pass\), got 7"),
        (1.0, TypeError, r"step must be an int from 0 to 6 \(the number of steps\), got float 1.0"),
        (True, TypeError, r"step must be an int from 0 to 6 \(the number of steps\), got bool True"),
    ],
)
def test_bad_step_numbers_are_refused(bad, error, message):
    *_, L = lecture_example()
    e = explain(L)
    with pytest.raises(error, match=message):
        e.gradients_after(bad)
    with pytest.raises(error, match=message):
        e.draw(step=bad)


def test_draw_after_step_k_is_draw_dot_with_the_known_gradients_and_the_step_in_red():
    _a, _b, _c, _f, L = lecture_example()
    e = explain(L)
    step = e.steps[4]  # ∂e/∂a
    expected = draw_dot(
        L, gradients=e.gradients_after(5), highlight=[(step.parent, step.node), step.node], rankdir="TB"
    )
    assert e.draw(step=5, rankdir="TB").source == expected.source
    assert e.draw(step=0).source == draw_dot(L, gradients={L: 1.0}, highlight=[L]).source
    assert e.draw().source == draw_dot(L, gradients=e.gradients).source
    # After step 2 only L, d and f are known; the others show grad ?.
    frame = e.draw(step=2).source
    assert frame.count("grad ?") == 4 and "grad −2.0000" in frame and "grad 4.0000" in frame
    assert "gradients not computed yet" not in frame
    with pytest.raises(TypeError, match="draw\\(\\) shows the explanation's own gradients, so it takes no gradients="):
        e.draw(step=1, gradients={})


def test_stepper_page_starts_from_grad_question_marks_even_after_backward(tmp_path):
    *_, L = lecture_example()
    L.backward()
    L.backward()  # leaves hold twice the gradient: the page must not show it
    page = tmp_path / "steps.html"
    explain(L).save_html(page)
    text = page.read_text(encoding="utf-8")
    svg = text[text.index("<svg") : text.index("</svg>")]
    assert svg.count("grad ?") == 6 and svg.count("grad 1.0000") == 1
    assert '"grad": "6.0000"' in text and "12.0000" not in text


def random_graph(program):
    leaves = [Value(0.3, label="p"), Value(-0.7, label="q"), Value(1.1, label="r")]
    nodes = list(leaves)
    for op, i, j in program:
        x, y = nodes[i % len(nodes)], nodes[j % len(nodes)]
        nodes.append(x + y if op == "+" else x * y if op == "*" else (x - y).tanh())
    return nodes[-1]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("+*-"), st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=15),
    st.integers(1, 3),
)
def test_random_graphs_with_accumulated_gradients_explain_changes_nothing(program, calls):
    root = random_graph(program)
    for _ in range(calls):
        root.backward()
    before = snapshot(root)
    drawing = draw_dot(root).source
    e = explain(root)
    text, md = str(e), e.markdown()
    assert snapshot(root) == before and draw_dot(root).source == drawing
    assert (str(explain(root)), explain(root).markdown()) == (text, md)
    leaves_differ = calls > 1 and any(e.gradients[v] != 0.0 for v in topological_order(root) if not v.parents)
    assert ("Leaves accumulate" in text) == leaves_differ
    # The explanation's gradients are those of a fresh backward(): zero, run once, compare, restore.
    order = topological_order(root)
    held = [v.grad for v in order]
    for v in order:
        v.grad = 0.0
    root.backward()
    assert {v: v.grad for v in order} == e.gradients
    for v, grad in zip(order, held):
        v.grad = grad


def test_a_lone_value_has_no_empty_gradients_section():
    from autograd_tiny import Value, explain

    lone = explain(Value(3.0, label="a"))
    assert "Gradients of the inputs" not in str(lone)
    assert "**Gradients**" not in lone.markdown()
    assert str(lone).splitlines()[-1] == "  a.grad = 1  (∂a/∂a: the output's gradient with respect to itself)"
