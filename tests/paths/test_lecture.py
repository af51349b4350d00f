"""Code from Karpathy's lecture ("The spelled-out intro to neural networks and backpropagation")
runs unchanged after changing the import, and gives the lecture's numbers.

The lecture inspects micrograd's internals (`_prev`, `_op`) to draw graphs and steps the chain
rule by hand with `_backward()`; these tests copy its cells.
"""

from __future__ import annotations

import math

import pytest

from autograd_tiny import Value
from autograd_tiny.nn import MLP


def lecture_neuron():
    """The lecture's neuron o = tanh(x1·w1 + x2·w2 + b), labelled as in the lecture."""
    x1 = Value(2.0, label="x1")
    x2 = Value(0.0, label="x2")
    w1 = Value(-3.0, label="w1")
    w2 = Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, x1w1=x1w1, x2w2=x2w2, x1w1x2w2=x1w1x2w2, n=n, o=o)


# The lecture's numbers (from its drawings), the same whichever way the pass is run.
LECTURE_GRADS = {
    "o": 1.0,
    "n": 0.5,
    "b": 0.5,
    "x1w1x2w2": 0.5,
    "x1w1": 0.5,
    "x2w2": 0.5,
    "x2": 0.5,
    "w2": 0.0,
    "x1": -1.5,
    "w1": 1.0,
}


def assert_lecture_grads(v):
    assert v["o"].data == pytest.approx(0.7071, abs=1e-4)
    for name, grad in LECTURE_GRADS.items():
        assert v[name].grad == pytest.approx(grad, abs=1e-12), name


def test_manual_backward_node_by_node_as_in_the_lecture():
    v = lecture_neuron()
    # The lecture's cells, in its order:
    v["o"].grad = 1.0
    v["o"]._backward()
    v["n"]._backward()
    v["b"]._backward()  # a leaf: nothing to pass on
    v["x1w1x2w2"]._backward()
    v["x2w2"]._backward()
    v["x1w1"]._backward()
    assert_lecture_grads(v)


def test_the_lectures_own_topological_sort_with_prev_and_backward():
    v = lecture_neuron()
    o = v["o"]
    topo = []
    visited = set()

    def build_topo(node):
        if node not in visited:
            visited.add(node)
            for child in node._prev:
                build_topo(child)
            topo.append(node)

    build_topo(o)
    o.grad = 1.0
    for node in reversed(topo):
        node._backward()
    assert_lecture_grads(v)
    assert len(topo) == 10


def test_backward_gives_the_lecture_numbers():
    v = lecture_neuron()
    v["o"].backward()
    assert_lecture_grads(v)


def test_tanh_written_with_exp_gives_the_same_gradients():
    v = lecture_neuron()
    e = (2 * v["n"]).exp()
    o = (e - 1) / (e + 1)
    o.backward()
    assert o.data == pytest.approx(math.sqrt(0.5))
    assert v["x1"].grad == pytest.approx(-1.5) and v["w1"].grad == pytest.approx(1.0)
    assert v["x2"].grad == pytest.approx(0.5) and v["w2"].grad == pytest.approx(0.0)


def test_trace_and_draw_dot_cells_of_the_lecture():
    from graphviz import Digraph

    def trace(root):
        # builds a set of all nodes and edges in a graph
        nodes, edges = set(), set()

        def build(v):
            if v not in nodes:
                nodes.add(v)
                for child in v._prev:
                    edges.add((child, v))
                    build(child)

        build(root)
        return nodes, edges

    def draw_dot(root):
        dot = Digraph(format="svg", graph_attr={"rankdir": "LR"})  # LR = left to right
        nodes, edges = trace(root)
        for n in nodes:
            uid = str(id(n))
            dot.node(name=uid, label="{ %s | data %.4f | grad %.4f }" % (n.label, n.data, n.grad), shape="record")  # noqa: UP031 - the lecture's code, verbatim
            if n._op:
                dot.node(name=uid + n._op, label=n._op)
                dot.edge(uid + n._op, uid)
        for n1, n2 in edges:
            dot.edge(str(id(n1)), str(id(n2)) + n2._op)
        return dot

    v = lecture_neuron()
    v["o"].backward()
    source = draw_dot(v["o"]).source
    nodes, edges = trace(v["o"])
    assert len(nodes) == 10 and len(edges) == 9
    assert sorted(n._op for n in nodes) == ["", "", "", "", "", "*", "*", "+", "+", "tanh"]
    assert "{ x1 | data 2.0000 | grad -1.5000 }" in source
    assert "{ o | data 0.7071 | grad 1.0000 }" in source


def test_op_strings_are_micrographs():
    a, b = Value(2.0), Value(3.0)
    cases = [
        (a + b, "+"),
        (a * b, "*"),
        (a**2, "**2"),
        (a**-1, "**-1"),
        (a**0.5, "**0.5"),
        (a.relu(), "ReLU"),
        (a.tanh(), "tanh"),
        (a.exp(), "exp"),
        (a - b, "-"),
        (a / b, "/"),
        (a, ""),
    ]
    for value, op in cases:
        assert value._op == op
    assert (a * a)._prev == {a} and (a * b)._prev == {a, b} and a._prev == set()


def test_lecture_mlp_training_loop():
    import random

    random.seed(0)
    n = MLP(3, [4, 4, 1], activation="tanh")  # the lecture's neurons are tanh
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    losses = []
    for _ in range(20):
        ypred = [n(x) for x in xs]
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
        for p in n.parameters():
            p.grad = 0.0
        loss.backward()
        for p in n.parameters():
            p.data += -0.05 * p.grad
        losses.append(loss.data)
    assert len(n.parameters()) == 41
    assert losses[-1] < 0.1 * losses[0]
