"""Matt Mazur's "A Step by Step Backpropagation Example", through the public API.

His network: inputs 0.05 and 0.10, two sigmoid hidden neurons, two sigmoid outputs, weights
w1..w8, one bias per layer (0.35, 0.60), targets 0.01 and 0.99, E = Σ ½(target − out)².
We give each neuron its own bias set to his layer's bias; his bias gradient (one shared
bias) is the sum of our per-neuron bias gradients, i.e. of the layer's δ.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

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


# Mazur's updated weights, as his post lists them after the first step.
MAZUR_AFTER_ONE_STEP = {
    "w1": 0.149780716,
    "w2": 0.19956143,
    "w3": 0.24975114,
    "w4": 0.29950229,
    "w5": 0.35891648,
    "w6": 0.408666186,
    "w7": 0.511301270,
    "w8": 0.561370121,
}


def mazur_steps(steps, *, trap=False):
    """The error after each of `steps` steps of Mazur's training (lr 0.5, weights only: his biases stay fixed).

    With `trap`, each step falls into Mazur's trap: the hidden δ is computed with the output
    weights after their update, w5+..w8+ in place of w5..w8 in Σ w δ (the rest as it was).
    """
    model, E = mazur()
    weights = [p for p in model.parameters() if ".w" in p.label]
    errors = [E.data]
    for _ in range(steps):
        model.zero_grad()
        view = explain(E, group="neuron")
        E.backward()
        SGD(weights, lr=0.5).step()
        if trap:  # redo the hidden layer's step with δ from the updated output weights
            outputs = [view.neuron("L2.N1"), view.neuron("L2.N2")]
            for j, hidden in enumerate([view.neuron("L1.N1"), view.neuron("L1.N2")]):
                delta = sum(o.weights[j].weight.data * o.delta for o in outputs) * hidden.sigma_prime
                for term in hidden.weights:  # undo the right step, take the trapped one
                    term.weight.data += 0.5 * term.gradient - 0.5 * term.a_in * delta
        o1, o2 = model([0.05, 0.10])
        E = 0.5 * (0.01 - o1) ** 2 + 0.5 * (0.99 - o2) ** 2
        errors.append(E.data)
    return errors


def test_the_error_after_one_step_and_the_trap_gives_the_posts_number():
    right, trapped = mazur_steps(1)[1], mazur_steps(1, trap=True)[1]
    assert round(right, 9) == 0.291027774
    # The post reports 0.291027924: the error after a step that fell into the trap.
    assert round(trapped, 9) == 0.291027924


def test_the_error_after_ten_thousand_steps():
    errors = mazur_steps(10_000)
    assert round(errors[10_000], 10) == 0.0000351019
    # The post reports 0.0000351085 "after 10,000 steps": our error one step earlier.
    assert round(errors[9_999], 10) == 0.0000351085


def _notebook_5_table():
    """The rows of notebook 05's name table, as saved: (Mazur, package, Nielsen, start value)."""
    path = Path(__file__).resolve().parents[2] / "notebooks" / "solutions" / "05_backprop_by_hand.ipynb"
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    tables = [
        "".join(output["data"]["text/markdown"])
        for cell in cells
        if cell["cell_type"] == "code"
        for output in cell["outputs"]
        if "| Mazur |" in "".join(output.get("data", {}).get("text/markdown", ""))
    ]
    assert len(tables) == 1, "notebook 05 shows one table of names"
    rows = [[part.strip() for part in line.strip("|").split("|")] for line in tables[0].splitlines()]
    assert rows[0] == ["Mazur", "package", "Nielsen", "start value"] and set(rows[1][0]) == {"-"}
    return rows[2:]


def test_notebook_5_table_names_each_of_mazurs_weights_as_the_model_does():
    rows = _notebook_5_table()
    model, E = mazur()
    parameters = {p.label: p for p in model.parameters()}
    assert sorted(row[1].strip("`") for row in rows) == sorted(parameters)  # every parameter once
    start = dict(zip(["w1", "w2", "b1", "w3", "w4", "b1", "w5", "w6", "b2", "w7", "w8", "b2"], MAZUR))
    for mazur_name, package, _, value in rows:
        assert parameters[package.strip("`")].data == start[mazur_name] == float(value), mazur_name
    # Independent of the start values (two weights could share one): after one step each of
    # Mazur's weights has the value his post lists under its name.
    E.backward()
    SGD([p for p in model.parameters() if ".w" in p.label], lr=0.5).step()
    for mazur_name, package, _, _ in rows:
        if mazur_name in MAZUR_AFTER_ONE_STEP:
            assert parameters[package.strip("`")].data == pytest.approx(MAZUR_AFTER_ONE_STEP[mazur_name], abs=5e-9)


def test_notebook_5_table_gives_nielsens_symbols():
    # From Mazur's drawing: w3 runs from input i1 into hidden neuron h2, so it is Nielsen's w²₂₁
    # (layer 2 counting the inputs as layer 1; j = the neuron it feeds, k = the input it weighs).
    nielsen = {
        "w1": "$w^2_{11}$",
        "w2": "$w^2_{12}$",
        "w3": "$w^2_{21}$",
        "w4": "$w^2_{22}$",
        "w5": "$w^3_{11}$",
        "w6": "$w^3_{12}$",
        "w7": "$w^3_{21}$",
        "w8": "$w^3_{22}$",
    }
    rows = _notebook_5_table()
    assert {row[0]: row[2] for row in rows if row[0] in nielsen} == nielsen
    # His one bias per layer is a bias per neuron in both other notations.
    assert [(row[0], row[1], row[2]) for row in rows if row[0].startswith("b")] == [
        ("b1", "`L1.N1.b`", "$b^2_1$"),
        ("b1", "`L1.N2.b`", "$b^2_2$"),
        ("b2", "`L2.N1.b`", "$b^3_1$"),
        ("b2", "`L2.N2.b`", "$b^3_2$"),
    ]
