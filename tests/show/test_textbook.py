"""explain(loss, group="neuron" | "layer"): δ per neuron and the layer's matrix form."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_tiny import MLP, Neuron, Value, explain, mse
from autograd_tiny.core.value import RULES
from autograd_tiny.show.text import number as _num
from autograd_tiny.show.text import operand as _operand
from autograd_tiny.show.text import tex_number
from autograd_tiny.show.textbook import MATRIX_LIMIT, weighted_input


def tiny():
    """One linear neuron: z = 3·2 + 0.5 = 6.5, C = (z − 1)² = 30.25, δ = 2(z − 1) = 11."""
    model = MLP(1, [1], activation="linear")
    w, b = model.parameters()
    w.data, b.data = 3.0, 0.5
    loss = (model([2.0]) - 1.0) ** 2
    loss.label = "C"
    return model, loss


def test_a_linear_neuron_by_hand():
    _, loss = tiny()
    n = explain(loss, group="neuron").neuron("L1.N1")
    assert (n.z, n.a, n.sigma_prime, n.grad_a, n.loss_gradient, n.delta) == (6.5, 6.5, 1.0, 11.0, 11.0, 11.0)
    assert [(t.name, t.a_in, t.contribution, t.gradient) for t in n.weights] == [("L1.N1.w1", 2.0, 22.0, 22.0)]
    assert (n.bias_name, n.bias_gradient, n.bias_data) == ("L1.N1.b", 11.0, 0.5)
    assert n.activation == "linear" and not n.hidden


def test_text_of_the_neuron_view():
    _, loss = tiny()
    assert str(explain(loss, group="neuron")).splitlines()[2:] == [
        "Layers are numbered from the first layer of neurons: L1 is Nielsen's layer 2 (he numbers the inputs layer 1).",
        "",
        "Layer L1:",
        "  neuron L1.N1: z = Σ w·aᵢₙ + b = 3 × 2 + 0.5 = 6.5;  a = z = 6.5 (linear: the identity)",
        "    ∂C/∂a = ∇ₐC = 11  (straight from the loss)",
        "    δ = ∂C/∂z = ∂C/∂a = 11  (a = z: the identity, derivative 1)",
        "    ∂C/∂L1.N1.w1 = aᵢₙ × δ = 2 × 11 = 22  (aᵢₙ = x1)",
        "    ∂C/∂L1.N1.b = δ = 11",
        "    (edge by edge, explain(C): δ is the upstream gradient ∂C/∂t1 arriving at the neuron's sum t1; a is t1)",
    ]


def test_delta_is_the_upstream_gradient_of_z_in_the_edge_view():
    model = MLP(2, [3, 1], activation="tanh", seed=4)
    loss = (model([0.5, -1.0]) - 2.0) ** 2
    edges = explain(loss)
    for record in explain(loss, group="neuron").records:
        upstream = {s.upstream for s in edges.steps if s.node is record.z_node}
        assert upstream == {record.delta}
        assert edges.names[record.z_node] == record.z_name


def test_hidden_relu_neuron_that_is_off_has_zero_delta():
    model = MLP(1, [1, 1], activation="relu")
    w1, b1, w2, b2 = model.parameters()
    w1.data, b1.data, w2.data, b2.data = -1.0, 0.0, 2.0, 0.0
    view = explain(model([3.0]) * 1.0, group="neuron")
    hidden = view.neuron("L1.N1")
    assert (hidden.z, hidden.sigma_prime, hidden.grad_a, hidden.delta) == (-3.0, 0.0, 2.0, 0.0)
    assert [(t.w, t.delta, t.product) for t in hidden.back_terms] == [(2.0, 1.0, 2.0)]


def test_explaining_changes_no_grad_before_or_after_backward():
    model = MLP(2, [3, 2], activation="tanh", output_activation="sigmoid", seed=1)
    loss = mse(model([0.3, -0.2]), [0.0, 1.0])
    explain(loss, group="neuron"), explain(loss, group="layer")
    assert [p.grad for p in model.parameters()] == [0.0] * len(model.parameters())
    loss.backward()
    loss.backward()  # leaves accumulate: .grad is now twice a fresh pass
    held = [p.grad for p in model.parameters()]
    view = explain(loss, group="neuron")
    assert [p.grad for p in model.parameters()] == held
    assert view.neuron("L1.N1").bias_gradient == model.layers[0].neurons[0].b.grad / 2


def _random_graph(data):
    nin = data.draw(st.integers(1, 3), label="nin")
    sizes = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3), label="sizes")
    activation = data.draw(st.sampled_from(["relu", "tanh", "sigmoid", "linear"]), label="activation")
    output = data.draw(st.sampled_from(["relu", "tanh", "sigmoid", "linear"]), label="output")
    seed = data.draw(st.integers(0, 10_000), label="seed")
    x = data.draw(st.lists(st.floats(-3, 3), min_size=nin, max_size=nin), label="x")
    model = MLP(nin, sizes, activation, output_activation=output, seed=seed)
    out = model(x)
    outs = out if isinstance(out, list) else [out]
    loss = mse(outs, [0.5] * len(outs))
    return model, loss


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_delta_is_the_bias_gradient_and_weight_gradients_are_a_in_times_delta(data):
    _model, loss = _random_graph(data)
    neurons, layers = explain(loss, group="neuron"), explain(loss, group="layer")
    loss.backward()
    for record in neurons.records:
        assert record.bias.grad == record.delta == record.bias_gradient
        for term in record.weights:
            assert math.isclose(term.weight.grad, term.a_in * record.delta, rel_tol=1e-12, abs_tol=1e-300)
        if record.hidden:
            backprop = math.fsum(t.product for t in record.back_terms)
            assert math.isclose(record.delta, backprop * record.sigma_prime, rel_tol=1e-9, abs_tol=1e-12)
    for layer in layers.records:
        assert layer.bias_gradients == layer.delta
        if layer.backpropagated is not None:
            for j, total in enumerate(layer.backpropagated):
                assert math.isclose(layer.delta[j], total * layer.sigma_prime[j], rel_tol=1e-9, abs_tol=1e-12)


def test_a_batch_loss_has_one_record_per_sample_and_gradients_sum():
    model = MLP(2, [2, 1], activation="tanh", seed=3)
    xs, ys = [[0.1, 0.2], [-0.5, 1.0], [2.0, 0.0]], [1.0, -1.0, 0.5]
    outs = [model(x) for x in xs]
    loss = mse(outs, ys)
    view = explain(loss, group="neuron")
    assert view.samples == 3 and len(view.records) == 9
    for k, out in enumerate(outs):
        assert view.neuron("L2.N1", sample=k).a == out.data
    with pytest.raises(ValueError, match=r"neuron 'L2.N1' runs once per sample \(3 samples\): pass sample=0 to 2"):
        view.neuron("L2.N1")
    loss.backward()
    w = model.layers[0].neurons[1].w[0]
    per_sample = [view.neuron("L1.N2", sample=k).weights[0].contribution for k in range(3)]
    assert w.grad == pytest.approx(math.fsum(per_sample), rel=1e-12)
    assert all(view.neuron("L1.N2", sample=k).weights[0].gradient == w.grad for k in range(3))
    text = str(view)
    assert "The loss runs the network on 3 samples" in text and "Sample 2:" in text
    assert (
        "Parameter gradients (each the sum of its contributions: aᵢₙ × δ, or δ for a bias, "
        "from each of the 3 samples, and any other use):"
    ) in text
    assert f"  ∂C/∂L1.N2.w1 = {' + '.join(_operand(g) for g in per_sample)} = {_num(w.grad)}" in text
    assert "this sample's aᵢₙ × δ for L1.N2.w1 = " in text
    one = explain(loss, group="layer", sample=1)
    assert one.layer("L2").a == (outs[1].data,)
    assert "Sample 1 of 3" in str(one)


def test_weighted_input_reads_the_expanded_chain():
    n = Neuron(3, activation="sigmoid", seed=0, name="L1.N1", expand=True)
    a = Value(0.5, label="a")
    out = n([a, 2.0, -1.0])
    parts = weighted_input(out)
    assert parts.z is out.parents[0] and parts.z.op == "add"
    assert [w.label for w in parts.weights] == ["L1.N1.w1", "L1.N1.w2", "L1.N1.w3"]
    assert parts.inputs == (a, 2.0, -1.0) and parts.input_data == (0.5, 2.0, -1.0)
    assert parts.bias is n.b
    single = Neuron(1, activation="linear", seed=0, name="N1")
    assert weighted_input(single([4.0])).input_data == (4.0,)


def _fused_neuron(name="L1.N1"):
    """A neuron as the fused op "affine" builds it: one node with parents w…, x…, b."""
    w = [Value(0.5, label=f"{name}.w1"), Value(-2.0, label=f"{name}.w2")]
    x = [Value(3.0, label="x1"), Value(1.0, label="x2")]
    b = Value(0.25, label=f"{name}.b")
    z = Value(0.5 * 3.0 - 2.0 * 1.0 + 0.25)
    z.op, z.parents, z.local_derivatives, z.scope = "affine", (*w, *x, b), (3.0, 1.0, 0.5, -2.0, 1.0), name
    for p in (*w, b):
        p.scope = name
    out = z.tanh()
    out.scope = name
    return w, x, b, z, out


def test_weighted_input_reads_a_fused_linear_node():
    w, x, b, z, out = _fused_neuron()
    parts = weighted_input(out)
    assert parts.z is z and parts.weights == tuple(w) and parts.inputs == tuple(x)
    assert parts.input_data == (3.0, 1.0) and parts.bias is b
    # A linear neuron's output is z itself.
    assert weighted_input(z).z is z


def test_weighted_input_refuses_a_value_not_made_by_a_neuron():
    a = Value(2.0, label="a")
    y = a * a
    y.scope = "L1.N1"
    with pytest.raises(ValueError, match=r"is not a neuron's weighted input w1·x1 \+ … \+ b; group='neuron'"):
        weighted_input(y.sigmoid())


def test_the_large_layer_is_abbreviated_with_a_note():
    model = MLP(MATRIX_LIMIT + 2, [MATRIX_LIMIT + 1, 1], activation="tanh", seed=0)
    loss = model([0.1] * (MATRIX_LIMIT + 2)) * 1.0
    view = explain(loss, group="layer")
    text, markdown = str(view), view.markdown()
    assert f"(abbreviated: {MATRIX_LIMIT + 1} × {MATRIX_LIMIT + 2}; the LayerRecord holds every entry)" in text
    assert r"\vdots" in markdown and r"\cdots" in markdown
    assert f"Matrices larger than {MATRIX_LIMIT} rows or columns are abbreviated" in markdown
    assert len(view.layer("L1").weight_gradients) == MATRIX_LIMIT + 1


def test_markdown_uses_nielsens_notation_and_escapes_labels():
    model = MLP(1, [1, 1], activation="sigmoid", output_activation="sigmoid", seed=2)
    x = Value(0.5, label="x_<b>$")
    loss = model([x]) * 1.0
    loss.label = "C"
    md = explain(loss, group="neuron").markdown()
    assert r"\delta^{1}_{1} = \frac{\partial C}{\partial a^{1}_{1}}\,\sigma'(z^{1}_{1})" in md
    assert r"\mathrm{x\_\lt b\gt \$}\,\delta^{1}_{1}" in md
    assert "<b>" not in md and RULES["sigmoid"].derivative_formulas[0] == "{out} · (1 − {out})"
    assert r"\sigma'(z^{2}_{1}) = {a^{2}_{1}} \cdot (1 - {a^{2}_{1}})" in md
    layers = explain(loss, group="layer")
    assert layers._repr_markdown_() == layers.markdown()
    assert r"(w^{2})^T \delta^{2} = " in layers.markdown()
    assert r"\frac{\partial C}{\partial a^{1}} = (w^{2})^T \delta^{2} = " in layers.markdown()
    assert r"\delta^{1} = \frac{\partial C}{\partial a^{1}} \odot \sigma'(z^{1}) = " in layers.markdown()


def test_bad_arguments_say_what_to_do():
    _, loss = tiny()
    with pytest.raises(ValueError, match=r"group must be None \(edge by edge\), 'neuron' or 'layer', got 'neurons'"):
        explain(loss, group="neurons")
    with pytest.raises(ValueError, match="sample= picks a sample of group='neuron' or group='layer'"):
        explain(loss, sample=0)
    with pytest.raises(ValueError, match=r"sample must be from 0 to 0 \(this graph runs the network 1 time\), got 1"):
        explain(loss, group="neuron", sample=1)
    with pytest.raises(TypeError, match="sample must be an int from 0 to 0 or None, got str '0'"):
        explain(loss, group="layer", sample="0")
    with pytest.raises(ValueError, match=r"no neuron named 'L2\.N1' in this graph; its neurons are L1\.N1"):
        explain(loss, group="neuron").neuron("L2.N1")
    with pytest.raises(ValueError, match="no layer named 'L2' in this graph; its layers are L1"):
        explain(loss, group="layer").layer("L2")
    a = Value(2.0)
    with pytest.raises(ValueError, match="this graph has no neuron: group='neuron' and group='layer' explain"):
        explain(a * a, group="layer")


def test_repr_of_the_views():
    _, loss = tiny()
    assert repr(explain(loss, group="neuron")) == "<NeuronView of C: 1 neuron, 1 sample>"
    assert repr(explain(loss, group="layer")) == "<LayerView of C: 1 layer, 1 sample>"


def test_gradient_norms_per_layer():
    model = MLP(1, [2, 1], activation="linear")
    for p, value in zip(model.parameters(), [1.0, 0.0, 2.0, 0.0, 3.0, 4.0, 0.0]):
        p.data = value
    # out = 3·a1 + 4·a2 with a1 = 1·x, a2 = 2·x: ∂/∂w of L2 = (a1, a2) = (1, 2); of L1 = (3x, 4x) = (3, 4).
    model([1.0]).backward()
    assert model.gradient_norms() == {"L1": 5.0, "L2": math.sqrt(1 + 4)}


def test_names_follow_the_textbooks_one_base_and_one_meaning_of_sigma():
    """Issue 19 item 4: 1-based names, σ only for the logistic function, one minus sign."""
    model = MLP(2, [2, 1], activation="tanh", output_activation="linear", seed=0)
    loss = (model([1.0, -2.0]) - 3.0) ** 2
    loss.label = "C"
    view, layers = explain(loss, group="neuron"), explain(loss, group="layer")
    text, layer_text, markdown = str(view), str(layers), view.markdown()
    assert [p.label for p in model.layers[0].neurons[0].parameters()] == ["L1.N1.w1", "L1.N1.w2", "L1.N1.b"]
    # σ means the logistic function only: tanh prints tanh and tanh′, the linear output the identity.
    assert "σ′" not in text and "σ′" not in layer_text and r"\sigma'" not in markdown
    assert "a = tanh(z) = " in text and "    tanh′(z) = 1 − a² = " in text and "δ = ∂C/∂a · tanh′(z) = " in text
    assert "a = z = " in text and "(linear: the identity)" in text and "(a = z: the identity, derivative 1)" in text
    assert "  tanh′(z) = [" in layer_text and "  a = z = [" in layer_text
    assert r"a^{1}_{1} = \tanh(z^{1}_{1})" in markdown and r"\tanh'(z^{1}_{1})" in markdown
    # Where our layer numbers differ from Nielsen's, each view says so in one line.
    note = (
        "Layers are numbered from the first layer of neurons: L1 is Nielsen's layer 2 (he numbers the inputs layer 1)."
    )
    for shown in (text, layer_text, markdown, layers.markdown()):
        assert shown.count(note) == 1
    # One minus sign in the text; no "= 1 = 1" repetitions.
    assert not re.search(r"(?<![\w.])-\d", text + layer_text)
    assert "−" in text
    assert not re.search(r"= (\S+) = \1(?:\s|$)", text + layer_text)
    sigmoid = MLP(1, [1], output_activation="sigmoid", seed=0)
    assert "σ′(z) = a · (1 − a) = " in str(explain(sigmoid([0.5]) * 1.0, group="neuron"))


def test_an_output_that_is_c_itself_has_gradient_one_and_latex_squares_are_braced():
    model = MLP(1, [1, 1], activation="tanh", output_activation="sigmoid", seed=0)
    out = model([3.0])
    view = explain(out, group="neuron")
    assert view.neuron("L2.N1").grad_a == 1.0
    assert "    ∂C/∂a = 1  (a is C itself)" in str(view)
    assert r"  - $\frac{\partial C}{\partial a^{2}_{1}} = 1$" in view.markdown()
    assert r"\tanh'(z^{1}_{1}) = 1 - {a^{1}_{1}}^2 = " in view.markdown()


def test_relu_states_its_derivative_at_zero_as_a_convention():
    model = MLP(1, [1, 1], activation="relu")
    w1, b1, w2, b2 = model.parameters()
    w1.data, b1.data, w2.data, b2.data = 1.0, -2.0, 2.0, 0.0  # z = 1·2 − 2 = 0 exactly
    view = explain(model([2.0]) * 1.0, group="neuron")
    hidden = view.neuron("L1.N1")
    assert (hidden.z, hidden.sigma_prime, hidden.delta) == (0.0, 0.0, 0.0)
    note = "relu′(0) is taken as 0: relu has no derivative at 0, and 0 is a subgradient there (a convention)."
    assert str(view).count(note) == 1 and note in str(explain(model([2.0]) * 1.0, group="layer"))
    assert "    relu′(z) = 1 (z > 0), 0 (z ≤ 0) = 0" in str(view)
    assert "relu′" not in str(explain(tiny()[1], group="neuron"))


def test_a_parameter_summed_over_many_samples_is_one_sigma_in_markdown():
    # More than SUM_LIMIT samples: the sum is written as Σ (N uses), in LaTeX that renders
    # (once written with "\t" of "\text" read as a tab, which no test saw).
    from autograd_tiny.show.textbook import SUM_LIMIT

    m = MLP(2, [1], seed=0)
    count = SUM_LIMIT + 2
    loss = sum((m([0.1 * i, -0.2 * i]) - 1.0) ** 2 for i in range(count))
    markdown = explain(loss, group="neuron").markdown()
    assert "\t" not in markdown
    loss.backward()
    w1 = tex_number(m.layers[0].neurons[0].w[0].grad)
    expected = rf"  - $\frac{{\partial C}}{{\partial \mathrm{{L1.N1.w1}}}} = \Sigma\,(\text{{{count} uses}}) = {w1}$"
    assert expected in markdown.splitlines()
