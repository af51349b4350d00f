"""reduce="mean" / "sum" and the matrix form: layers of neurons as one matrix product each."""

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_tiny import MLP, Value, compile_graph, make_moons


def one_sample_loss(model, nin=2):
    xs = [Value(0.0, label=f"x{i}") for i in range(nin)]
    label = Value(1.0, label="y")
    term = (1 + -label * model(xs)).relu()
    return compile_graph(term, model.parameters() + xs + [label]), xs, label


def data(n, seed=0):
    X, y = make_moons(n=n, seed=seed)
    return [np.array([p[0] for p in X]), np.array([p[1] for p in X]), np.array(y, dtype=float)]


def python_mean(f, weights, columns):
    """The mean of per-sample float results: the definition reduce="mean" must meet."""
    values, grads = [], []
    for sample in zip(*(c.tolist() for c in columns)):
        value, grad = f([*weights, *sample])
        values.append(value)
        grads.append(grad)
    n = len(values)
    return math.fsum(values) / n, [math.fsum(g[i] for g in grads) / n for i in range(len(grads[0]))]


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    hidden=st.lists(st.integers(1, 5), min_size=1, max_size=3),
    n=st.integers(2, 12),
    expand=st.booleans(),
)
def test_mean_is_the_python_mean_of_per_sample_results(seed, hidden, n, expand):
    model = MLP(2, [*hidden, 1], seed=seed, expand=expand)
    f, _, _ = one_sample_loss(model)
    weights = [p.data for p in model.parameters()]
    columns = data(n, seed)
    value, grads = f([*weights, *columns], reduce="mean")
    expected_value, expected_grads = python_mean(f, weights, columns)
    assert value == pytest.approx(expected_value, rel=1e-12, abs=1e-15)
    assert isinstance(grads, np.ndarray) and grads.shape == (len(weights) + 3,)
    assert grads.tolist() == pytest.approx(expected_grads, rel=1e-9, abs=1e-14)
    total, total_grads = f([*weights, *columns], reduce="sum")
    assert total == pytest.approx(n * expected_value, rel=1e-12, abs=1e-14)
    assert total_grads.tolist() == pytest.approx([n * g for g in expected_grads], rel=1e-9, abs=1e-13)


def test_hand_computed_mean_of_a_plain_expression():
    # w·x² at w = 3 on x = 1, 2: values 3 and 12; ∂/∂w = x² (1, 4); ∂/∂x = 2wx (6, 12).
    x, w = Value(0.0, label="x"), Value(0.0, label="w")
    f = compile_graph(w * x * x, [w, x])
    value, grads = f([3.0, np.array([1.0, 2.0])], reduce="mean")
    assert value == 7.5 and grads.tolist() == [2.5, 9.0]
    value, grads = f([3.0, np.array([1.0, 2.0])], reduce="sum")
    assert value == 15.0 and grads.tolist() == [5.0, 18.0]
    assert "@" not in f.batch_source([x])  # no neurons: no matrix line


def test_floats_are_a_batch_of_one():
    x, w = Value(0.0, label="x"), Value(0.0, label="w")
    value, grads = compile_graph(w * x, [w, x])([3.0, 2.0], reduce="mean")
    assert value == 6.0 and grads.tolist() == [2.0, 3.0]


def test_a_root_that_no_sample_changes_counts_once_per_sample():
    x, w = Value(0.0, label="x"), Value(0.0, label="w")
    f = compile_graph(w * w, [w, x])  # x is an input the root does not use
    assert f([3.0, np.array([1.0, 2.0])], reduce="sum")[0] == 18.0
    value, grads = f([3.0, np.array([1.0, 2.0])], reduce="mean")
    assert value == 9.0 and grads.tolist() == [6.0, 0.0]


def test_each_layer_is_one_matrix_line_that_names_its_neurons():
    model = MLP(2, [16, 16, 1], seed=1)
    f, xs, label = one_sample_loss(model)
    source = f.batch_source([*xs, label])
    matrix_lines = [
        line
        for line in source.splitlines()
        if " @ " in line and "= " in line and "grad" not in line and "gWb" not in line
    ]
    assert [line.split("#")[1].strip() for line in matrix_lines] == [
        "L1.N1..L1.N16: z = W·x + b, every sample at once",
        "L2.N1..L2.N16: z = W·x + b, every sample at once",
        "L3.N1: z = W·x + b, every sample at once",
    ]
    assert "    L1_relu = _relu(L1_z)  # L1.N1..L1.N16: relu(L1_z), row by row" in source.splitlines()
    # backward: the transposed products, and the weights' gradients summed over the samples
    assert "    grad_L1_relu = L2_z_Wb[:, :16].T @ grad_L2_z  # ∂/∂x = Wᵀ · ∂/∂z" in source.splitlines()
    assert (
        "    L2_z_gWb[:, :16] = grad_L2_z @ L1_relu.T  # ∂/∂W = ∂/∂z · xᵀ, summed over the samples"
        in source.splitlines()
    )
    # the per-sample source is unchanged: one line per value, bit-identical to the engine
    assert " @ " not in f.source


def test_expanded_neurons_compile_as_before_and_give_the_same_mean():
    fused, xs, label = one_sample_loss(MLP(2, [3, 1], seed=2))
    expanded, xs2, label2 = one_sample_loss(MLP(2, [3, 1], seed=2, expand=True))
    assert " @ " not in expanded.batch_source([*xs2, label2]) and " @ " in fused.batch_source([*xs, label])
    weights = [p.data for p in MLP(2, [3, 1], seed=2).parameters()]
    a = fused([*weights, *data(9)], reduce="mean")
    b = expanded([*weights, *data(9)], reduce="mean")
    assert a[0] == pytest.approx(b[0], rel=1e-12) and a[1].tolist() == pytest.approx(b[1].tolist(), rel=1e-9)


def test_weights_used_elsewhere_stay_out_of_the_matrix_and_still_add_up():
    # The L2 penalty inside the traced graph uses every weight twice more: no matrix line can
    # hold all of a weight's gradient, so the neurons are written one by one.
    model = MLP(2, [3, 1], seed=4)
    params = model.parameters()
    xs, label = [Value(0.0, label="x0"), Value(0.0, label="x1")], Value(1.0, label="y")
    root = (1 + -label * model(xs)).relu() + sum(p * p for p in params) * 0.01
    f = compile_graph(root, params + xs + [label])
    assert " @ " not in f.batch_source([*xs, label])
    weights, columns = [p.data for p in params], data(7)
    value, grads = f([*weights, *columns], reduce="mean")
    expected_value, expected_grads = python_mean(f, weights, columns)
    assert value == pytest.approx(expected_value, rel=1e-12)
    assert grads.tolist() == pytest.approx(expected_grads, rel=1e-9, abs=1e-15)


def test_inputs_in_any_order_and_a_neuron_row_used_on_its_own():
    model = MLP(2, [3, 1], seed=5)
    params = model.parameters()
    x0, x1 = Value(0.0, label="x0"), Value(0.0, label="x1")
    hidden = model.layers[0]([x0, x1])
    root = model.layers[1](hidden)[0] * hidden[1]  # a hidden neuron also read directly
    f = compile_graph(root, [x1, *params, x0])  # data first and last, parameters between
    source = f.batch_source([x0, x1])
    assert "L1.N1..L1.N3: z = W·x + b" in source and "L2.N1: z = W·x + b" in source
    columns = data(6)[:2]
    values = [columns[1], *[p.data for p in params], columns[0]]
    value, grads = f(values, reduce="mean")
    per_sample = [f([b, *[p.data for p in params], a]) for a, b in zip(*(c.tolist() for c in columns))]
    assert value == pytest.approx(sum(v for v, _ in per_sample) / 6, rel=1e-12)
    expected = [sum(g[i] for _, g in per_sample) / 6 for i in range(len(values))]
    assert grads.tolist() == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_batch_is_the_fast_path_of_the_same_call():
    model = MLP(2, [4, 4, 1], seed=6)
    f, _, _ = one_sample_loss(model)
    weights = np.array([p.data for p in model.parameters()])
    columns = data(10)
    value, grads = f.batch(weights, columns)
    same_value, same_grads = f([*weights.tolist(), *columns], reduce="mean")
    assert value == same_value and grads.tolist() == same_grads.tolist()


def test_reduce_and_batch_refuse_what_they_cannot_use():
    x = Value(0.0, label="x")
    f = compile_graph(x * x, [x])
    with pytest.raises(ValueError, match=r"^reduce must be None, 'mean' or 'sum', got 'max'$"):
        f([np.array([1.0])], reduce="max")
    with pytest.raises(ValueError, match=r"^batch needs a 1-D vector for the first inputs and at least one array"):
        f.batch(np.array([1.0]), [np.array([1.0])])
    with pytest.raises(ValueError, match=r"^batch got NaN in its values"):
        f.batch(np.array([]), [np.array([1.0, math.nan])])
    with pytest.raises(ValueError, match=r"^value 0 is NaN in sample 1"):
        f([np.array([1.0, math.nan])], reduce="mean")


def test_a_label_that_looks_like_a_block_name_keeps_its_own_variable():
    model = MLP(2, [2, 1], seed=7)
    xs = [Value(0.0, label="L1_z"), Value(0.0, label="L1_relu")]
    f = compile_graph(model(xs), model.parameters() + xs)
    source = f.batch_source(xs)
    assert re.search(r"^    L1_z2 = .* @ ", source, re.M)
    value, _ = f([*(p.data for p in model.parameters()), np.array([1.0, 2.0]), np.array([0.5, -1.0])], reduce="mean")
    expected = [f([*(p.data for p in model.parameters()), a, b])[0] for a, b in ((1.0, 0.5), (2.0, -1.0))]
    assert value == pytest.approx(sum(expected) / 2, rel=1e-12)
