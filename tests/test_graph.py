"""The graph walk: topological order, deep graphs, naming, and the step-by-step sweep."""

from __future__ import annotations

import pytest

from autograd_tiny import Value, topological_order
from autograd_tiny.graph import backward_steps, value_names


def test_order_lists_inputs_before_their_results_in_operand_order():
    a, b, c = Value(1.0, label="a"), Value(2.0, label="b"), Value(3.0, label="c")
    d = a * b
    e = d + c
    f = e * a
    order = topological_order(f)
    assert order == [a, b, d, c, e, f]


def test_order_visits_each_node_once_even_with_heavy_reuse():
    a = Value(1.0)
    x = a
    for _ in range(50):
        x = x * a + x  # every node is used twice further on
    order = topological_order(x)
    assert len(order) == len(set(order)) == 101
    position = {node: i for i, node in enumerate(order)}
    assert all(position[p] < position[v] for v in order for p in v.parents)


def test_million_node_chain_backpropagates():
    x0 = Value(1.0)
    x = x0
    for _ in range(500_000):
        x = x * 1.0000001 + 0.0
    x.backward()
    # d/dx0 of x0 * k**n is k**n.
    assert x0.grad == pytest.approx(1.0000001**500_000, rel=1e-9)
    assert len(topological_order(x)) == 1_000_001


def test_value_names_use_labels_then_generated_names():
    a = Value(2.0, label="a")
    k = Value(3.0)
    t = a * k
    out = t + 1
    names = value_names(topological_order(out))
    assert names == {a: "a", k: "x1", t: "t1", out: "out"}
    out.label = "L"
    assert value_names(topological_order(out))[out] == "L"


def test_backward_steps_match_backward_exactly():
    def build():
        a, b = Value(0.7, label="a"), Value(-1.3, label="b")
        c = a * b
        d = (c + a).tanh() * (b - c) + a / b
        return [a, b, c], d

    (a1, b1, c1), d1 = build()
    d1.backward()
    (a2, b2, c2), d2 = build()
    steps = list(backward_steps(d2))
    final = {d2: 1.0, **{step.parent: step.grad_after for step in steps}}
    assert [final[v] for v in (a2, b2, c2, d2)] == [v.grad for v in (a1, b1, c1, d1)]
    assert [v.grad for v in (a2, b2, c2, d2)] == [0.0] * 4  # the pass runs in its own storage
    edges = sum(len(v.parents) for v in topological_order(d2))
    assert len(steps) == edges
    for step in steps:
        assert step.contribution == step.local * step.upstream
        assert step.grad_after == step.grad_before + step.contribution


def test_backward_steps_flag_fan_out():
    a = Value(3.0, label="a")
    b = a + a
    c = b * a
    steps = list(backward_steps(c))
    into_a = [s for s in steps if s.parent is a]
    assert [s.fan_out for s in into_a] == [False, True, True]
    assert into_a[-1].grad_after == 2 * (a.data + a.data)  # d/da (2a * a) = 4a = 12
    assert a.grad == 0.0
