"""Fused neurons: one `affine` node per neuron, the same numbers as micrograd's `*`/`+` graph.

micrograd sums a neuron as ``sum((wi*xi for ...), self.b)``, i.e. ((b + w0·x0) + w1·x1) + ...;
the fused node and ``expand=True`` both sum in that order. Values therefore agree bit for bit.
Gradients agree bit for bit wherever the order of adding contributions is fixed. Where a
value feeds several nodes (a hidden unit feeds every neuron of the next layer), micrograd
adds the contributions in the order of its topological sort, which walks Python *sets* of
parents and so depends on memory addresses; no engine can reproduce that order in general,
and those gradients agree to rounding (1e-12 relative here).
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_tiny import (
    MLP,
    Layer,
    Neuron,
    Value,
    compile_graph,
    draw_dot,
    explain,
    hinge,
    l2,
)
from autograd_tiny.core.graph import topological_order

micrograd_engine = pytest.importorskip("micrograd.engine")
micrograd_nn = pytest.importorskip("micrograd.nn")


def _copy_weights(ours, theirs):
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        p.data = q.data


def _architecture(seed):
    rng = random.Random(seed)
    nin = rng.randint(1, 5)
    # micrograd returns a bare Value from a one-neuron layer, so only the last layer has one.
    sizes = [rng.randint(2, 6) for _ in range(rng.randint(0, 2))] + [1]
    return rng, nin, sizes


def test_the_fused_node_has_the_textbook_layout():
    n = Neuron(3, activation="tanh", seed=0, name="L1.N1")
    x = [Value(0.5, label="x0"), Value(-1.0, label="x1"), 2.0]
    out = n(x)
    z = out.parents[0]
    assert (out.op, z.op, z.scope, out.scope) == ("tanh", "affine", "L1.N1", "L1.N1")
    assert z.parents[:3] == tuple(n.w) and z.parents[3:5] == tuple(x[:2]) and z.parents[6] is n.b
    assert (z.parents[5].data, z.parents[5].parents) == (2.0, ())  # a number becomes a constant leaf
    assert z.local_derivatives == (0.5, -1.0, 2.0, n.w[0].data, n.w[1].data, n.w[2].data, 1.0)
    w = [p.data for p in n.w]
    assert z.data == ((0.0 + w[0] * 0.5) + w[1] * -1.0) + w[2] * 2.0  # b = 0 first: micrograd's order


def test_expanded_neuron_is_micrograds_graph():
    n = Neuron(2, seed=0, expand=True)
    z = n([1.0, 2.0]).parents[0]
    # ((b + w0·x0) + w1·x1): the last + has the running sum first, then the product.
    assert [v.op for v in topological_order(z) if v.parents] == ["mul", "add", "mul", "add"]
    assert z.parents[0].parents[0] is n.b


@pytest.mark.parametrize("seed", range(20))
def test_outputs_equal_micrograd_bit_for_bit_and_gradients_to_rounding(seed):
    rng, nin, sizes = _architecture(seed)
    random.seed(seed)
    theirs = micrograd_nn.MLP(nin, sizes)
    x = [rng.uniform(-2, 2) for _ in range(nin)]
    out_theirs = theirs([micrograd_engine.Value(v) for v in x])
    out_theirs.backward()
    for expand in (False, True):
        ours = MLP(nin, sizes, expand=expand)
        _copy_weights(ours, theirs)
        out = ours([Value(v) for v in x])
        out.backward()
        assert out.data == out_theirs.data
        for p, q in zip(ours.parameters(), theirs.parameters()):
            assert p.grad == pytest.approx(q.grad, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("seed", range(5))
def test_single_layer_gradients_equal_micrograd_bit_for_bit(seed):
    """No value feeds two nodes: the order of every sum is fixed, so gradients are exact."""
    rng = random.Random(seed)
    random.seed(seed)
    theirs = micrograd_nn.Neuron(4)
    ours = Neuron(4)
    _copy_weights(ours, theirs)
    x = [rng.uniform(-2, 2) for _ in range(4)]
    out_theirs = theirs([micrograd_engine.Value(v) for v in x])
    out_theirs.backward()
    out = ours(x)
    out.backward()
    assert out.data == out_theirs.data
    assert [p.grad for p in ours.parameters()] == [q.grad for q in theirs.parameters()]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), batch=st.integers(1, 6))
def test_fused_and_expanded_agree_bit_for_bit_on_batch_losses(seed, batch):
    _, nin, sizes = _architecture(seed)
    rng = random.Random(seed + 1)
    X = [[rng.uniform(-2, 2) for _ in range(nin)] for _ in range(batch)]
    Y = [rng.choice([-1, 1]) for _ in range(batch)]
    results = []
    for expand in (False, True):
        model = MLP(nin, sizes, seed=seed, expand=expand)
        loss = hinge([model(x) for x in X], Y) + l2(model.parameters(), 1e-4)
        loss.backward()
        results.append((loss.data, [p.grad for p in model.parameters()]))
    assert results[0] == results[1]


def test_demo_step_losses_equal_micrograds_in_both_modes():
    """micrograd's demo step (its README's MLP and loss) for three steps, in lockstep."""
    rng = random.Random(3)
    X = [[rng.uniform(-1.5, 2.5), rng.uniform(-1, 1.5)] for _ in range(20)]
    Y = [rng.choice([-1, 1]) for _ in range(20)]

    def step(model, V, k):
        scores = [model([V(a), V(b)]) for a, b in X]
        losses = [(1 + -y * s).relu() for y, s in zip(Y, scores)]
        total = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in model.parameters())
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
        return total.data

    random.seed(0)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    models = [MLP(2, [16, 16, 1]), MLP(2, [16, 16, 1], expand=True)]
    for model in models:
        _copy_weights(model, theirs)
    for k in range(3):
        expected = step(theirs, micrograd_engine.Value, k)
        for model in models:
            assert step(model, Value, k) == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("expand", [False, True])
def test_group_by_neuron_draws_the_same_boxes_either_way(expand):
    model = MLP(2, [3, 1], seed=0, expand=expand)
    out = model([Value(0.3, label="x0"), Value(-0.8, label="x1")])
    out.backward()
    source = draw_dot(out, group="neuron").source
    boxes = [line for line in source.splitlines() if "shape=box" in line]
    assert len(boxes) == 4 and "L1.N3" in source and "L2.N1" in source


def test_a_fused_neuron_draws_inputs_then_sigma_then_activation():
    n = Neuron(2, seed=0, name="N1")
    out = n([Value(1.0, label="x1"), Value(2.0, label="x2")])
    out.label = "y"
    source = draw_dot(out).source
    assert 'label="Σ"' in source and "label=ReLU" in source
    # The edges into Σ say what each operand is, numbered from 1 as the inputs x1, x2 are.
    for role in ("w1", "w2", "x1", "x2", "b"):
        assert f"label={role} " in source, role


def test_explain_writes_the_weighted_sum():
    n = Neuron(2, activation="linear", seed=0, name="N1")
    out = n([Value(1.0, label="x1"), Value(2.0, label="x2")])
    out.label = "z"
    text = str(explain(out))
    assert "z = N1.w1 · x1 + N1.w2 · x2 + N1.b = " in text
    assert "∂z/∂N1.w1₍₁₎ = x1 = 1" in text and "∂z/∂N1.b₍₅₎ = 1" in text and "∂z/∂x2₍₄₎ = N1.w2 = " in text


@pytest.mark.parametrize("expand", [False, True])
def test_compiled_mlp_equals_eager_either_way(expand):
    model = MLP(2, [4, 1], seed=0, expand=expand)
    params = model.parameters()
    x0, x1, label = Value(0.0, label="x0"), Value(0.0, label="x1"), Value(1.0, label="y")
    f = compile_graph((1 + -label * model([x0, x1])).relu(), params + [x0, x1, label])
    points = [(0.5, 1.0, 1.0), (-1.0, 0.0, -1.0), (2.0, -0.5, 1.0)]
    for a, b, y in points:
        model.zero_grad()
        leaves = [Value(a), Value(b), Value(y)]
        eager = (1 + -leaves[2] * model(leaves[:2])).relu()
        eager.backward()
        value, grads = f([p.data for p in params] + [a, b, y])
        assert value == eager.data
        assert grads == [v.grad for v in params + leaves]
    values, grads = f([p.data for p in params] + [np.array(column) for column in zip(*points)])
    assert values.tolist() == [f([p.data for p in params] + list(pt))[0] for pt in points]


def test_expand_is_checked_and_passed_down():
    assert all(n.expand for layer in MLP(2, [3, 1], seed=0, expand=True).layers for n in layer.neurons)
    assert all(n.expand for n in Layer(2, 3, seed=0, expand=True).neurons)
    with pytest.raises(TypeError, match=r"^expand must be True or False, got str 'yes'$"):
        Neuron(2, expand="yes")
    # The saved architecture does not depend on it: files load into either kind.
    assert MLP(2, [3, 1], seed=0, expand=True).config() == MLP(2, [3, 1], seed=0).config()


def test_a_layer_makes_one_constant_leaf_per_number_input_for_all_its_neurons():
    layer = Layer(2, 3, seed=0)
    outs = layer([1.5, -2.0])
    inputs = {id(out.parents[0].parents[2]) for out in outs}, {id(out.parents[0].parents[3]) for out in outs}
    assert [len(s) for s in inputs] == [1, 1]
    assert [outs[0].parents[0].parents[k].data for k in (2, 3)] == [1.5, -2.0]
    with pytest.raises(TypeError, match=r"^input 2 must be a number, got str 'x'; pass a number or a Value$"):
        layer([1.0, "x"])


def test_a_wide_neuron_compiles_and_matches_eager():
    """300 inputs: the generated sum must not nest parentheses (Python allows 200 levels)."""
    n = Neuron(300, activation="tanh", seed=4)
    xs = [Value(0.01 * i - 1.0, label=f"x{i}") for i in range(300)]
    out = n(xs)
    f = compile_graph(out, n.parameters() + xs)
    value, grads = f([p.data for p in n.parameters()] + [x.data for x in xs])
    out.backward()
    assert value == out.data and grads == [v.grad for v in n.parameters() + xs]
