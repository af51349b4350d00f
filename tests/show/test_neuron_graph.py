"""`neuron_graph` draws backward()'s own numbers: a property over generated networks and losses.

For every neuron of a generated MLP (1-3 inputs, 1-2 hidden layers of 1-3 neurons, any
activation) in every sample of a loss with an L2 penalty, a weight shared by two neurons and a
hidden activation used straight in the loss, the drawing's copy of the neuron is walked node by
node and each number it draws is compared with what ``loss.backward()`` stored on the real
network: the weights and the bias show their ``.grad``, each input the ``.grad`` of the value
that fed the neuron, every product, partial sum and z show the real z's ``.grad`` (δ), a the
real a's; every data is the network's, bit for bit. The DOT's text shows the same numbers.
"""

from __future__ import annotations

import re
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_tiny import MLP, Value, explain, l2
from autograd_tiny.core.value import no_grad
from autograd_tiny.show import neuron_graph as module
from autograd_tiny.show.neuron_graph import neuron_graph
from autograd_tiny.show.render import draw_dot
from autograd_tiny.show.text import number

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
HOSTILE = ("x<1>", "x\"2'", "x&3</TD>")


@st.composite
def problems(draw):
    """A network, its samples, and how the loss is made of them."""
    nin = draw(st.integers(1, 3))
    return {
        "nin": nin,
        "hidden": draw(st.lists(st.integers(1, 3), min_size=1, max_size=2)),
        "activation": draw(st.sampled_from(ACTIVATIONS)),
        "output_activation": draw(st.sampled_from(ACTIVATIONS)),
        "seed": draw(st.integers(0, 2**16)),
        "samples": draw(
            st.lists(
                st.lists(st.floats(-2, 2, allow_subnormal=False), min_size=nin, max_size=nin), min_size=1, max_size=3
            )
        ),
        "target": draw(st.floats(-1, 1)),
        "alpha": draw(st.sampled_from([1e-4, 0.1])),
        "share": draw(st.booleans()),
        "direct": draw(st.booleans()),
        "hostile": draw(st.booleans()),
    }


def build(problem: dict):
    """The loss, and each neuron's real (a, inputs) per sample: {(sample, "L1.N2"): (a, [inputs])}."""
    model = MLP(
        problem["nin"],
        [*problem["hidden"], 1],
        activation=problem["activation"],
        output_activation=problem["output_activation"],
        seed=problem["seed"],
    )
    if problem["share"]:  # the output neuron's first weight is the first hidden neuron's
        model.layers[-1].neurons[0].w[0] = model.layers[0].neurons[0].w[0]
    real: dict = {}
    terms = []
    for k, sample in enumerate(problem["samples"]):
        labels = HOSTILE if problem["hostile"] else [f"x{i + 1}" for i in range(3)]
        values = [Value(v, label=labels[i]) for i, v in enumerate(sample)]
        for number_of_layer, layer in enumerate(model.layers, 1):
            outputs = layer(values)
            for n, a in enumerate(outputs, 1):
                real[(k, f"L{number_of_layer}.N{n}")] = (a, values)
            values = outputs
        terms.append((values[0] - problem["target"]) ** 2)
        if problem["direct"] and k == 0:  # a hidden activation used straight in the loss
            terms.append(real[(0, "L1.N1")][0] * 0.5)
    loss = sum(terms[1:], terms[0]) + l2(model.parameters(), problem["alpha"])
    return model, loss, real


def drawn(view, name: str, sample: int | None) -> tuple[Value, dict, str]:
    """neuron_graph's copy (its root), the gradients it asked draw_dot to show, and the DOT."""
    calls = []

    def spy(root, **options):
        calls.append((root, options["gradients"]))
        return draw_dot(root, **options)

    with mock.patch.object(module, "draw_dot", spy):
        source = neuron_graph(view, name, sample).source
    (root, gradients), *_ = calls
    return root, gradients, source


def walk(root: Value, activation: str) -> tuple[Value, Value, list, Value, list]:
    """The copy's a, z, the chain of + nodes from z down, the bias, and the products (w·x) in order."""
    a = root
    z = a if activation == "linear" else a.parents[0]
    sums, node = [], z
    while node.op == "add":
        sums.append(node)
        node = node.parents[0]
    bias = node
    products = [s.parents[1] for s in reversed(sums)]
    return a, z, sums, bias, products


def check_neuron(view, model, real: dict, name: str, k: int, samples: int) -> int:
    """Compare every number of neuron `name`'s drawing in sample `k`; return how many."""
    layer, index = (int(part[1:]) - 1 for part in name.split("."))
    neuron = model.layers[layer].neurons[index]
    real_a, real_inputs = real[(k, name)]
    real_z = real_a if neuron.activation == "linear" else real_a.parents[0]
    root, gradients, source = drawn(view, name, k if samples > 1 else None)
    a, z, sums, bias, products = walk(root, neuron.activation)
    assert len(products) == len(neuron.w) == len(real_inputs)

    expected = {a: (real_a.data, real_a.grad), z: (real_z.data, real_z.grad)}
    expected[bias] = (neuron.b.data, neuron.b.grad)
    for node in sums:
        expected.setdefault(node, (node.data, real_z.grad))  # a + passes δ on unchanged
    for product, w, x in zip(products, neuron.w, real_inputs):
        copy_w, copy_x = product.parents
        expected[product] = (product.data, real_z.grad)
        expected[copy_w] = (w.data, w.grad)  # a shared weight: its whole gradient
        expected[copy_x] = (x.data, x.grad)  # an earlier neuron's a: every path through it
    for node, (data, grad) in expected.items():
        assert node.data == data, (name, node.label)
        assert gradients[node] == grad, (name, node.label, gradients[node], grad)
    assert z.data == real_z.data and a.data == real_a.data  # the sum in micrograd's order

    for node, (data, grad) in expected.items():  # the DOT writes these numbers (4 decimals)
        cells = f"<TD>data {number(data, decimals=4)}</TD></TR><TR><TD>grad {number(grad, decimals=4)}</TD>"
        assert cells in source, (name, node.label, cells)
    return len(expected)


@settings(max_examples=60, deadline=None)
@given(problems())
def test_every_number_drawn_is_what_backward_stores(problem):
    model, loss, real = build(problem)
    view = explain(loss, group="neuron")  # before backward: explain computes its own
    loss.backward()
    samples = len(problem["samples"])
    checked = 0
    for k in range(samples):
        for layer in model.layers:
            for neuron in layer.neurons:
                checked += check_neuron(view, model, real, neuron.name, k, samples)
    assert checked >= 4 * samples


def test_the_drawing_is_the_same_inside_no_grad():
    model = MLP(2, [2, 1], activation="tanh", seed=3)
    loss = (model([Value(0.5, label="x1"), Value(-1.0, label="x2")]) - 1.0) ** 2
    view = explain(loss, group="neuron")
    outside = neuron_graph(view, "L1.N2").source
    with no_grad():
        inside = neuron_graph(view, "L1.N2").source
        root, _, _ = drawn(view, "L1.N2", None)
    assert inside == outside and "z(L1.N2)" in inside
    assert root.parents and root.parents[0].op == "add"  # the copy recorded its graph


def test_hostile_labels_are_escaped_in_the_dot():
    model = MLP(2, [1, 1], seed=0)
    inputs = [Value(1.0, label='<img src=x onerror="alert(1)">'), Value(2.0, label="a&b'</TD>")]
    view = explain((model(inputs) - 1.0) ** 2, group="neuron")
    source = neuron_graph(view, "L1.N1").source
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in source
    assert "a&amp;b&#x27;&lt;/TD&gt;" in source or "a&amp;b'&lt;/TD&gt;" in source
    labels = re.findall(r"<B>(.*?)</B>", source)
    assert all("<" not in label and '"' not in label for label in labels)


def test_an_unknown_neuron_or_a_missing_sample_is_a_clear_error():
    model = MLP(1, [2, 1], seed=0)
    loss = (model([1.0]) - 1.0) ** 2 + (model([2.0]) + 1.0) ** 2
    view = explain(loss, group="neuron")
    for call, message in [
        (
            lambda: neuron_graph(view, "L4.N1", 0),
            "no neuron named 'L4.N1' in this graph; its neurons are L1.N1, L1.N2, L2.N1",
        ),
        (lambda: neuron_graph(view, "L1.N1"), "neuron 'L1.N1' runs once per sample (2 samples): pass sample=0 to 1"),
        (lambda: neuron_graph(view, "L1.N1", 2), "sample must be from 0 to 1"),
    ]:
        try:
            call()
        except ValueError as error:
            assert str(error).startswith(message), str(error)
        else:
            raise AssertionError(f"no error: {message}")
