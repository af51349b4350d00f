"""Neuron, Layer, MLP: structure, labels and scopes, micrograd compatibility, saving, torch."""

from __future__ import annotations

import json
import random

import pytest

from autograd_tiny import MLP, Layer, Neuron, Value


def test_neuron_computes_activation_of_weighted_sum():
    n = Neuron(2, activation="tanh", seed=0)
    n.w[0].data, n.w[1].data, n.b.data = 0.5, -1.0, 0.25
    out = n([2.0, 1.0])
    assert out.data == pytest.approx(0.24491866240370913)  # tanh(0.5*2 - 1*1 + 0.25)
    out.backward()
    slope = 1 - out.data**2
    assert (n.w[0].grad, n.w[1].grad, n.b.grad) == pytest.approx((2 * slope, 1 * slope, slope))


@pytest.mark.parametrize("activation, expected", [("relu", 0.0), ("linear", -0.5), ("sigmoid", 0.3775406687981454)])
def test_activations(activation, expected):
    n = Neuron(1, activation=activation, seed=0)
    n.w[0].data, n.b.data = 1.0, 0.0
    assert n([-0.5]).data == pytest.approx(expected)


def test_micrograd_nonlin_false_means_linear():
    assert Neuron(3, nonlin=False).activation == "linear"
    assert Neuron(3, nonlin=True).activation == "relu"


def test_labels_and_scopes_trace_values_to_their_neuron():
    model = MLP(2, [3, 1], seed=0)
    labels = [p.label for p in model.parameters()]
    assert labels[:3] == ["L1.N1.w1", "L1.N1.w2", "L1.N1.b"]
    assert labels[-4:] == ["L2.N1.w1", "L2.N1.w2", "L2.N1.w3", "L2.N1.b"]
    assert all(p.scope == p.label.rsplit(".", 1)[0] for p in model.parameters())
    x = [Value(1.0, label="x0"), Value(2.0, label="x1")]
    out = model(x)
    from autograd_tiny import topological_order

    for v in topological_order(out):
        if v in x:
            assert v.scope is None
        else:
            assert v.scope is not None and v.scope.startswith(("L1.N", "L2.N"))
    assert out.scope == "L2.N1"


def forward_by_hand(model, x):
    """The MLP's outputs computed from its parameters' numbers, without the engine."""
    for i, layer in enumerate(model.layers):
        last = i == len(model.layers) - 1
        sums = [sum(w.data * xi for w, xi in zip(n.w, x)) + n.b.data for n in layer.neurons]
        x = sums if last else [max(0.0, s) for s in sums]  # hidden layers: relu
    return x


def test_layer_returns_list_and_mlp_returns_value_or_list():
    layer = Layer(2, 2, activation="linear", seed=0)
    for neuron, (w0, w1, b) in zip(layer.neurons, [(1.0, 2.0, 0.5), (-1.0, 0.25, -3.0)]):
        neuron.w[0].data, neuron.w[1].data, neuron.b.data = w0, w1, b
    out = layer([1.0, 2.0])
    assert isinstance(out, list)
    assert [v.data for v in out] == [1.0 + 4.0 + 0.5, -1.0 + 0.5 - 3.0]

    model = MLP(2, [3, 1], seed=0)
    single = model([1.0, 2.0])
    assert isinstance(single, Value)
    assert single.data == pytest.approx(forward_by_hand(model, [1.0, 2.0])[0], rel=1e-12)

    model = MLP(2, [3, 2], seed=0)
    pair = model([1.0, 2.0])
    assert isinstance(pair, list) and len(pair) == 2
    assert [v.data for v in pair] == pytest.approx(forward_by_hand(model, [1.0, 2.0]), rel=1e-12)


def test_mlp_hidden_layers_use_activation_last_is_linear():
    model = MLP(2, [4, 4, 3], activation="tanh", seed=0)
    activations = [layer.neurons[0].activation for layer in model.layers]
    assert activations == ["tanh", "tanh", "linear"]


def test_inputs_may_be_values_and_wrong_length_is_reported():
    model = MLP(3, [2, 1], seed=0)
    x0 = Value(1.0, label="x0")
    out = model([x0, 2, 3.0])
    assert out.data == model([1.0, 2.0, 3.0]).data
    assert out.data == pytest.approx(forward_by_hand(model, [1.0, 2.0, 3.0])[0], rel=1e-12)
    # A Value input is part of the graph and gets its gradient; a number is a constant.
    out.backward()
    eps = 1e-6
    slope = (forward_by_hand(model, [1.0 + eps, 2.0, 3.0])[0] - forward_by_hand(model, [1.0 - eps, 2.0, 3.0])[0]) / (
        2 * eps
    )
    assert x0.grad == pytest.approx(slope, rel=1e-6, abs=1e-9)
    with pytest.raises(
        ValueError,
        match=r"^expected 3 inputs, got 2; pass one number or Value per input \(the model was made with nin=3\)$",
    ):
        model([1.0, 2.0])
    with pytest.raises(TypeError, match="list of 3 numbers"):
        model(1.0)


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: MLP(0, [1]), ValueError, r"^nin must be a whole number >= 1, got 0$"),
        (lambda: MLP(2, 3), TypeError, r"^nouts must be a non-empty list of layer sizes, e\.g\. \[16, 16, 1\]; got 3$"),
        (
            lambda: MLP(2, []),
            TypeError,
            r"^nouts must be a non-empty list of layer sizes, e\.g\. \[16, 16, 1\]; got \[\]$",
        ),
        (lambda: MLP(2, [0]), ValueError, r"^layer size must be a whole number >= 1, got 0$"),
        (
            lambda: MLP(2, [1], activation="softmax"),
            ValueError,
            r"^activation must be one of relu, tanh, sigmoid, linear; got 'softmax'$",
        ),
        (lambda: Neuron(2, rng="seed"), TypeError, r"^rng must be a random\.Random, got str$"),
        (lambda: Neuron(2.5), TypeError, r"^nin must be a whole number, got float 2\.5$"),
    ],
)
def test_bad_construction(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_seed_makes_weights_reproducible_and_rng_is_used():
    assert [p.data for p in MLP(2, [3, 1], seed=5).parameters()] == [
        p.data for p in MLP(2, [3, 1], seed=5).parameters()
    ]
    rng = random.Random(3)
    expected = random.Random(3)
    n = Neuron(2, rng=rng)
    assert [w.data for w in n.w] == [expected.uniform(-1, 1), expected.uniform(-1, 1)]
    assert n.b.data == 0.0


def test_parameter_order_and_outputs_match_micrograd():
    micrograd_nn = pytest.importorskip("micrograd.nn")
    ours = MLP(3, [4, 4, 1], seed=0)
    theirs = micrograd_nn.MLP(3, [4, 4, 1])
    assert len(ours.parameters()) == len(theirs.parameters())
    for p, q in zip(ours.parameters(), theirs.parameters()):
        q.data = p.data
    x = [0.5, -1.5, 2.0]
    a, b = ours(x), theirs(x)
    assert a.data == pytest.approx(b.data, rel=1e-12)
    a.backward()
    b.backward()
    for p, q in zip(ours.parameters(), theirs.parameters()):
        assert p.grad == pytest.approx(q.grad, rel=1e-12, abs=1e-15)


def test_zero_grad():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_save_and_load_round_trip(tmp_path):
    a, b = MLP(2, [3, 1], seed=1), MLP(2, [3, 1], seed=2)
    path = a.save(tmp_path / "model.json")
    assert path == str(tmp_path / "model.json")
    assert [f.name for f in tmp_path.iterdir()] == ["model.json"]  # no temporary left behind
    b.load(path)
    assert [p.data for p in b.parameters()] == [p.data for p in a.parameters()]


def test_load_errors_leave_the_model_unchanged(tmp_path):
    model = MLP(2, [3, 1], seed=1)
    before = [p.data for p in model.parameters()]
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text('{"format": "autograd_tiny.model/1", "par')
    with pytest.raises(ValueError, match="corrupt JSON"):
        model.load(corrupt)
    other = MLP(2, [4, 1], seed=1).save(tmp_path / "other.json")
    with pytest.raises(ValueError, match=r"nouts.*\[4, 1\].*\[3, 1\]"):
        model.load(other)
    state = json.loads(open(model.save(tmp_path / "ok.json")).read())
    state["parameters"] = state["parameters"][:-1]
    (tmp_path / "short.json").write_text(json.dumps(state))
    with pytest.raises(ValueError, match="has 12 parameters, this model has 13"):
        model.load(tmp_path / "short.json")
    state["parameters"] = ["x"] * 13
    (tmp_path / "strings.json").write_text(json.dumps(state))
    with pytest.raises(ValueError, match=r"L1\.N1\.w1 must be a finite real number, got .x."):
        model.load(tmp_path / "strings.json")
    (tmp_path / "list.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match="not a saved autograd_tiny model"):
        model.load(tmp_path / "list.json")
    assert [p.data for p in model.parameters()] == before


def test_to_torch_gives_the_same_outputs():
    torch = pytest.importorskip("torch")
    model = MLP(2, [5, 4, 1], activation="tanh", seed=3)
    net = model.to_torch()
    for x in ([0.3, -0.7], [1.5, 2.0]):
        assert net(torch.tensor(x, dtype=torch.float64)).item() == pytest.approx(model(x).data, rel=1e-12)


def test_to_torch_without_torch_names_the_install_command(block_import):
    block_import("torch")
    with pytest.raises(ImportError, match="pip install torch"):
        MLP(2, [1], seed=0).to_torch()
