"""Matt Mazur's "A Step by Step Backpropagation Example", through the public API.

His network: inputs 0.05 and 0.10, two sigmoid hidden neurons, two sigmoid outputs, weights
w1..w8, one bias per layer (0.35, 0.60), targets 0.01 and 0.99, E = Σ ½(target − out)².
We give each neuron its own bias set to his layer's bias; his bias gradient (one shared
bias) is the sum of our per-neuron bias gradients, i.e. of the layer's δ.
"""

from __future__ import annotations

import math

import pytest

from autograd_tiny import MLP, SGD, explain

# Parameter order: L1.N1 (w1, w2, b1), L1.N2 (w3, w4, b1), L2.N1 (w5, w6, b2), L2.N2 (w7, w8, b2).
MAZUR = [0.15, 0.20, 0.35, 0.25, 0.30, 0.35, 0.40, 0.45, 0.60, 0.50, 0.55, 0.60]


def mazur():
    model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid")
    for p, value in zip(model.parameters(), MAZUR):
        p.data = value
    o1, o2 = model([0.05, 0.10])
    E = 0.5 * (0.01 - o1) ** 2 + 0.5 * (0.99 - o2) ** 2
    E.label = "E"
    return model, E


def test_forward_pass_and_total_error():
    _, E = mazur()
    assert E.data == pytest.approx(0.298371109, abs=1e-9)


def test_neuron_view_gives_the_posts_numbers():
    _, E = mazur()
    view = explain(E, group="neuron")
    o1, h1 = view.neuron("L2.N1"), view.neuron("L1.N1")
    assert o1.a == pytest.approx(0.75136507, abs=1e-8)
    assert h1.a == pytest.approx(0.593269992, abs=1e-9)
    assert o1.loss_gradient == pytest.approx(0.74136507, abs=1e-8)  # ∂E/∂out_o1
    assert o1.sigma_prime == pytest.approx(0.186815602, abs=1e-9)
    assert o1.delta == pytest.approx(0.138498562, abs=1e-9)
    assert o1.weights[0].name == "L2.N1.w1"  # Mazur's w5
    assert o1.weights[0].gradient == pytest.approx(0.082167041, abs=1e-9)
    assert h1.weights[0].name == "L1.N1.w1"  # Mazur's w1
    assert h1.weights[0].gradient == pytest.approx(0.000438568, abs=1e-9)
    # The hidden neuron's backpropagated sum: ∂E/∂out_h1 = w5 δo1 + w7 δo2 = 0.036350306.
    assert [(t.neuron, t.w) for t in h1.back_terms] == [("L2.N1", 0.40), ("L2.N2", 0.50)]
    assert h1.grad_a == pytest.approx(0.036350306, abs=1e-9)
    assert h1.loss_gradient is None


def test_layer_view_gives_the_same_numbers_in_matrix_form():
    _, E = mazur()
    view = explain(E, group="layer")
    out, hidden = view.layer("L2"), view.layer("L1")
    assert out.delta[0] == pytest.approx(0.138498562, abs=1e-9)
    assert out.weight_gradients[0][0] == pytest.approx(0.082167041, abs=1e-9)
    assert hidden.weight_gradients[0][0] == pytest.approx(0.000438568, abs=1e-9)
    assert hidden.next_layer == "L2" and hidden.next_weights == ((0.40, 0.45), (0.50, 0.55))
    assert hidden.backpropagated[0] == pytest.approx(0.036350306, abs=1e-9)
    assert out.next_weights is None and hidden.loss_gradient is None


def test_the_views_agree_with_backward_and_change_no_grad():
    model, E = mazur()
    neurons, layers = explain(E, group="neuron"), explain(E, group="layer")
    assert all(p.grad == 0.0 for p in model.parameters())  # explaining stored nothing
    E.backward()
    grads = {p.label: p.grad for p in model.parameters()}
    for record in neurons.records:
        assert grads[record.bias_name] == record.delta
        for term in record.weights:
            assert grads[term.name] == term.gradient
    assert layers.layer("L1").weight_gradients[1] == (grads["L1.N2.w1"], grads["L1.N2.w2"])
    # Mazur's shared bias b2 would get the sum of the output layer's δ.
    assert grads["L2.N1.b"] + grads["L2.N2.b"] == pytest.approx(sum(layers.layer("L2").delta), abs=1e-15)
    assert str(explain(E, group="neuron")) == str(neurons)  # explaining after backward tells the same


def test_one_sgd_step_with_learning_rate_half():
    model, E = mazur()
    E.backward()
    SGD(model.parameters(), lr=0.5).step()
    new = {p.label: p.data for p in model.parameters()}
    assert new["L2.N1.w1"] == pytest.approx(0.35891648, abs=1e-8)  # w5+
    assert new["L1.N1.w1"] == pytest.approx(0.149780716, abs=1e-9)  # w1+
    assert math.isclose(new["L2.N2.w2"], 0.561370121, abs_tol=1e-9)  # w8+
