"""The graph walk: topological order, deep graphs, naming, and the step-by-step sweep."""

from __future__ import annotations

import pytest

from autograd_tiny import Value, topological_order
from autograd_tiny.core.graph import backward_steps, value_names


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


# ---------------------------------------------------------------------- cycles


def test_a_node_made_its_own_parent_is_refused_by_backward_naming_it():
    a = Value(2.0, label="a")
    c = a * 3.0
    c.label = "c"
    c.parents = (c,)  # by hand: c now depends on itself
    with pytest.raises(ValueError, match=r"^the graph has a cycle: 'c' depends on itself"):
        c.backward()
    with pytest.raises(ValueError, match=r"'c' depends on itself \(through 1 op\)"):
        topological_order(c)


@pytest.mark.parametrize("arity", [1, 2, 5])
def test_a_longer_cycle_is_refused_whatever_the_ops_arity(arity):
    # one operand (a chain), two (mul) and many (a fused neuron): each branch of the walk
    from autograd_tiny.core.value import affine

    leaves = [Value(float(i + 1)) for i in range(4)]
    x = Value(1.0, label="x")
    first = x * 2.0
    first.label = "first"
    node = first
    for i in range(3):
        if arity == 1:
            node = node.tanh()
        elif arity == 2:
            node = node * leaves[i]
        else:
            node = affine([node, leaves[0]], [leaves[1], leaves[2]], leaves[3])
    root = node + 1.0
    first.parents = (node,)  # first <- ... <- node <- first: a cycle of 4 ops under root
    with pytest.raises(ValueError, match=r"the graph has a cycle: 'first' depends on itself \(through 4 ops\)"):
        root.backward()
    assert (x.grad, leaves[0].grad) == (0.0, 0.0)  # refused before any gradient changed


def test_a_cycle_is_refused_by_drawing_and_explaining_too():
    from autograd_tiny import draw_dot, explain

    a = Value(1.0, label="a")
    b = a + 1.0
    b.label = "b"
    b.parents = (b,)
    for show in (draw_dot, explain):
        with pytest.raises(ValueError, match="the graph has a cycle: 'b' depends on itself"):
            show(b)


def test_an_unlabelled_value_in_a_cycle_is_named_by_its_numbers():
    c = Value(2.0) * 3.0
    c.parents = (c,)
    with pytest.raises(ValueError, match=r"cycle: Value\(data=6\.0, grad=0\.0\) depends on itself"):
        c.backward()


# ---------------------------------------------------------------------- concurrent backward


def test_backward_in_four_threads_at_once_gives_each_pass_as_if_run_alone():
    import sys
    import threading

    # One graph, big enough that the passes overlap: x used along many paths.
    x = Value(2.0, label="x")
    terms = [x * float(i % 7 + 1) for i in range(3000)]
    root = terms[0]
    for t in terms[1:]:
        root = root + t
    alone = sum(float(i % 7 + 1) for i in range(3000))
    passes, threads_count = 5, 4
    start = threading.Barrier(threads_count)
    errors = []

    def worker():
        try:
            start.wait(timeout=10)
            for _ in range(passes):
                root.backward()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=worker) for _ in range(threads_count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        sys.setswitchinterval(interval)
    assert not errors
    # The leaf accumulates once per pass; every interior node holds one pass's gradient.
    assert x.grad == alone * passes * threads_count
    assert root.grad == 1.0 and terms[5].grad == 1.0
