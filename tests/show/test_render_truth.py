"""Drawings tell the truth: neurons in reading order, the sample a box shows, operand roles,
plurals, and a legend for the colours."""

from __future__ import annotations

import re

from autograd_tiny import MLP, Value, draw_dot, hinge


def test_grouped_neurons_are_declared_in_reading_order_and_kept_so():
    model = MLP(2, [12, 1], seed=0)
    out = model([Value(0.5, label="x0"), Value(-1.0, label="x1")])
    source = draw_dot(out, group="neuron").source
    declared = re.findall(r'label="(L\d\.N\d+)', source)
    assert declared == [f"L1.N{j}" for j in range(1, 13)] + ["L2.N1"]
    assert "ordering=out" in source  # Graphviz keeps that order instead of reordering a rank


def test_a_box_says_which_sample_it_shows_for_a_batch_loss():
    model = MLP(2, [3, 1], seed=0)
    X = [[0.5, -1.0], [1.0, 2.0], [-0.3, 0.7]]
    loss = hinge([model(x) for x in X], [1, -1, 1])
    loss.backward()
    source = draw_dot(loss, group="neuron").source
    assert source.count("out on sample 3 of 3: data") == 4  # every neuron ran on 3 samples
    last_output = model.layers[0].neurons[1](X[2])
    assert f"out on sample 3 of 3: data {last_output.data:.4f}" in source
    single = draw_dot(model(X[0]), group="neuron").source
    assert "out: data" in single and "sample" not in single


def test_layer_boxes_use_plurals_rightly():
    model = MLP(2, [3, 1], seed=0)
    source = draw_dot(model([1.0, 2.0]), group="layer").source
    assert "L2\n1 neuron\n" in source and "L1\n3 neurons\n" in source
    assert "1 neurons" not in source


def test_edges_into_ops_that_cannot_swap_their_operands_name_the_roles():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    y = (b - a) / (a**b)
    source = draw_dot(y).source
    # b − a: b enters with +, a with −; the quotient's numerator is b − a.
    for role in ("+", "−", "numerator", "denominator", "base", "exponent"):
        assert f'label="{role}"' in source or f"label={role}" in source, role
    sub_edges = re.findall(r"(v\d+) -> (v\d+op) \[.*?label=\"?([+−])\"?", source)
    names = {m.group(1): m.group(2) for m in re.finditer(r"(v\d+) \[label=<.*?<B>(\w+)</B>", source)}
    assert sorted((names[src], role) for src, _, role in sub_edges) == [("a", "−"), ("b", "+")]
    # Commutative ops and ops with a constant need no roles.
    plain = draw_dot((a * b + 1) - 2).source
    assert "numerator" not in plain and 'label="+"' not in plain


def test_legend_explains_the_colours_on_request():
    model = MLP(1, [1], seed=0)
    y = model([Value(2.0, label="x")]) * 3
    y.backward()
    assert "blue: inputs" not in draw_dot(y).source
    legend = draw_dot(y, legend=True).source
    for words in ("blue: inputs", "yellow: parameters", "green: the output", "grey ovals: operations"):
        assert words in legend


def test_size_scales_a_drawing_down_to_fit():
    import pytest

    a = Value(2.0, label="a")
    y = (a * 3).tanh()
    assert " size=" not in draw_dot(y).source
    assert 'size="4,3"' in draw_dot(y, size=(4, 3)).source
    svg = draw_dot(y, size=(2, 1)).svg()
    width = float(re.search(r'<svg width="([\d.]+)pt"', svg).group(1))
    assert width <= 2 * 72 + 1  # points: no wider than 2 inches
    for bad in [(0, 3), (4,), "4,3", (True, 3), (float("nan"), 2)]:
        with pytest.raises(ValueError, match=r"size must be \(width, height\) in inches"):
            draw_dot(y, size=bad)


def test_legend_names_only_the_colours_the_drawing_uses():
    a = Value(2.0, label="a")
    y = a * 3
    source = draw_dot(y, legend=True).source
    assert "yellow: parameters" not in source and "white" not in source
    model = MLP(2, [2, 1], seed=0)
    out = model([1.0, 2.0])
    grouped = draw_dot(out, group="neuron", legend=True).source
    assert "a box: one neuron; its output's data, and grad = ∂(drawn output)/∂(neuron output)" in grouped
