"""The textbook views tell only true numbers: every gradient they print is what backward() computes.

The textbook's equations assume a parameter is used only inside its neuron. A loss built on an
MLP may use it other ways too (an l2 penalty, a weight shared by two neurons, a parameter or a
hidden activation in the loss directly); the views then print the gradient as the sum of the
textbook term and the other paths, each with its number, and the total equals ``.grad``.
"""

from __future__ import annotations

import math
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_tiny import MLP, explain, make_moons
from autograd_tiny.learn.losses import binary_cross_entropy, hinge, l2, mse
from autograd_tiny.show.explain import tex, tex_number
from autograd_tiny.show.text import number as _num
from autograd_tiny.show.textbook import _tex_matrix


def fresh_grads(loss, model, extra=()):
    """Every value's .grad after one backward() on zeroed parameters."""
    model.zero_grad()
    for v in extra:
        v.grad = 0.0
    loss.backward()


def issue_model():
    m = MLP(2, [3, 1], activation="tanh", seed=3)
    loss = hinge([m([0.5, -1.0])], [1]) + l2(m.parameters(), 0.1)
    loss.label = "C"
    return m, loss


def test_the_issue_repro_prints_backward_numbers_in_both_views():
    m, loss = issue_model()
    neurons, layers = explain(loss, group="neuron"), explain(loss, group="layer")
    text, layer_text, markdown, layer_markdown = str(neurons), str(layers), neurons.markdown(), layers.markdown()
    loss.backward()
    w = m.layers[1].neurons[0].w[0]
    assert w.label == "L2.N1.w1" and round(w.grad, 6) == 0.142081
    record = neurons.neuron("L2.N1")
    assert record.weights[0].gradient == w.grad
    # aᵢₙ × δ alone is the old, partial number; the gradient adds the penalty's 2αw.
    assert record.weights[0].contribution == record.weights[0].a_in * record.delta != w.grad
    assert round(record.weights[0].contribution, 6) == 0.336813
    # The textbook term and the penalty's path, each named with its number, and their sum.
    assert (
        "    ∂C/∂L2.N1.w1 = aᵢₙ × δ + (via t29) = 0.336813 + (−0.194733) = 0.142081\n"
        "      aᵢₙ × δ = (−0.336813) × (−1) = 0.336813  (aᵢₙ = a(L1.N1))\n"
        "      via t29 = L2.N1.w1 · L2.N1.w1, outside the neurons, a square as in an l2 penalty: "
        "(−0.973664 + (−0.973664)) × 0.1 = −0.194733\n"
    ) in text
    assert "0.336813 = 0.336813" not in text
    for p in m.parameters():
        assert f"∂C/∂{p.label} = " in text
    for layer_record, layer in zip(layers.records, m.layers):
        assert layer_record.weight_gradients == tuple(tuple(w.grad for w in n.w) for n in layer.neurons)
        assert layer_record.bias_gradients == tuple(n.b.grad for n in layer.neurons)
    assert "[  0.142081   0.460575  −0.855602 ]" in layer_text
    assert "∂C/∂w = δ aᵢₙᵀ + other uses =" in layer_text
    assert (
        r"\frac{\partial C}{\partial \mathrm{L2.N1.w1}} = a^{1}_{1}\,\delta^{2}_{1} + (\text{via } \mathrm{t29}) = "
        in markdown
    )
    assert "0.142081" in markdown and "0.142081" in layer_markdown


def test_notebook_04s_loss_gives_every_parameter_its_penalty_share():
    """A dead relu neuron's weight still has the l2 penalty's gradient 2αw (not 0)."""
    X, y = make_moons(n=60, noise=0.1, seed=1337)
    model = MLP(2, [8, 8, 1], seed=1337)
    params = model.parameters()
    loss = hinge([model(x) for x in X], y) + l2(params, 1e-4)
    view = explain(loss, group="neuron")
    text = str(view)
    loss.backward()
    by_parameter = {p.parameter: p for p in view.parameters}
    assert set(by_parameter) == set(params)
    dead = 0
    for p in params:
        entry = by_parameter[p]
        assert entry.gradient == p.grad
        assert math.isclose(math.fsum(t.value for t in entry.terms), p.grad, rel_tol=1e-9, abs_tol=1e-15)
        assert f"∂C/∂{p.label} = " in text and f" = {_num(p.grad)}\n" in text + "\n"
        if all(t.value == 0.0 for t in entry.terms if t.textbook) and p.data != 0.0:
            dead += 1
            assert p.grad == 2 * 1e-4 * p.data
    assert dead > 0  # the case the issue names: aᵢₙ × δ is 0 in every sample, the gradient is not


def test_a_shared_weight_shows_both_neurons_terms():
    m = MLP(2, [2, 1], activation="tanh", seed=1)
    first, second = m.layers[0].neurons
    second.w[0] = first.w[0]  # tie L1.N2's first weight to L1.N1's
    loss = mse([m([0.5, -2.0])], [0.25])
    view = explain(loss, group="neuron")
    loss.backward()
    shared = first.w[0]
    for name in ("L1.N1", "L1.N2"):
        term = view.neuron(name).weights[0]
        assert term.weight is shared and term.gradient == shared.grad
        assert [t.textbook for t in term.terms] == [True, False]
        assert math.isclose(sum(t.value for t in term.terms), shared.grad, rel_tol=1e-12)
    assert "as weight w1 of L1.N2: its aᵢₙ × δ" in str(view)
    assert "as weight w1 of L1.N1: its aᵢₙ × δ" in str(view)


def test_a_hidden_activation_used_by_the_loss_adds_to_da_and_delta():
    m = MLP(1, [1, 1], activation="sigmoid", seed=2)
    hidden = m.layers[0]([0.7])[0]
    out = m.layers[1]([hidden])[0]
    loss = (out - 1.0) ** 2 + 3.0 * hidden
    loss.label = "C"
    view, layers = explain(loss, group="neuron"), explain(loss, group="layer")
    loss.backward()
    r = view.neuron("L1.N1")
    assert r.grad_a == hidden.grad and r.delta == hidden.parents[0].grad
    assert [t.symbol for t in r.grad_a_terms] == ["Σₖ wₖⱼ δₖ", "∇ₐC"]
    assert r.grad_a_terms[1].value == 3.0 and not r.grad_a_terms[1].textbook
    text = str(view)
    assert f"∂C/∂a = Σₖ wₖⱼ δₖ + ∇ₐC = (−0.741389) + 3 = {_num(hidden.grad)}" in text
    layer = layers.layer("L1")
    assert layer.grad_a == (hidden.grad,) and layer.grad_a_other == (3.0,)
    assert f"∂C/∂a = (wᵀ δ) + other uses = [{_num(r.grad_a_terms[0].value)}] + [3] = [{_num(hidden.grad)}]" in str(
        layers
    )


def test_z_used_by_the_loss_adds_to_delta():
    m = MLP(1, [1], activation="tanh", output_activation="tanh", seed=5)
    a = m([0.4])
    z = a.parents[0]
    loss = a * 2.0 + z * z
    view = explain(loss, group="neuron")
    loss.backward()
    r = view.neuron("L1.N1")
    assert r.delta == z.grad and len(r.delta_terms) == 2 and not r.delta_terms[1].textbook
    assert r.bias_gradient == m.parameters()[-1].grad
    text = str(view)
    assert f"δ = ∂C/∂a · tanh′(z) + (via t4) = 1.98079 + 0.196643 = {_num(z.grad)}" in text
    assert "via t4 = t1 · t1, outside the neurons: (0.0983214 + 0.0983214) × 1 = 0.196643" in text


def test_views_stay_pure():
    m, loss = issue_model()
    explain(loss, group="neuron"), explain(loss, group="layer")
    assert [p.grad for p in m.parameters()] == [0.0] * len(m.parameters())


# --------------------------------------------------------------------------------------
# Hypothesis: random MLPs × random losses with penalties and extra uses
# --------------------------------------------------------------------------------------

ACTIVATIONS = ["relu", "tanh", "sigmoid", "linear"]


def _random_case(data):
    nin = data.draw(st.integers(1, 3), label="nin")
    sizes = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3), label="sizes")
    activation = data.draw(st.sampled_from(ACTIVATIONS), label="activation")
    output = data.draw(st.sampled_from(ACTIVATIONS), label="output")
    seed = data.draw(st.integers(0, 10_000), label="seed")
    expand = data.draw(st.booleans(), label="expand")
    model = MLP(nin, sizes, activation, output_activation=output, seed=seed, expand=expand)
    params = model.parameters()
    if data.draw(st.booleans(), label="share") and len(params) > 2:
        # Tie one weight to another neuron's (or the same neuron's) weight.
        neurons = [n for layer in model.layers for n in layer.neurons]
        a, b = data.draw(st.sampled_from(neurons), label="a"), data.draw(st.sampled_from(neurons), label="b")
        i = data.draw(st.integers(0, len(b.w) - 1), label="i")
        b.w[i] = a.w[data.draw(st.integers(0, len(a.w) - 1), label="j")]
        params = model.parameters()
    samples = data.draw(st.integers(1, 2), label="samples")
    xs = [data.draw(st.lists(st.floats(-3, 3), min_size=nin, max_size=nin), label="x") for _ in range(samples)]
    outs = []
    for x in xs:
        out = model(x)
        outs += out if isinstance(out, list) else [out]
    kind = data.draw(st.sampled_from(["mse", "hinge", "bce"]), label="loss")
    if kind == "mse":
        loss = mse(outs, [0.5] * len(outs))
    elif kind == "hinge":
        loss = hinge(outs, [1 if k % 2 else -1 for k in range(len(outs))])
    else:
        loss = binary_cross_entropy(outs, [k % 2 for k in range(len(outs))])
    if data.draw(st.booleans(), label="l2"):
        loss = loss + l2(params, data.draw(st.sampled_from([1e-4, 0.1, 1.0]), label="alpha"))
    if data.draw(st.booleans(), label="direct"):
        p = data.draw(st.sampled_from(params), label="direct parameter")
        loss = loss + p * data.draw(st.sampled_from([0.5, -2.0]), label="factor")
    if data.draw(st.booleans(), label="inner use"):
        # A value inside the last neuron enters the loss too: its z, or (expanded) a partial sum.
        inner = outs[0].parents[0] if outs[0].op in ("relu", "tanh", "sigmoid") else outs[0]
        if expand and inner.op == "add" and inner.parents[0].parents and data.draw(st.booleans(), label="partial"):
            inner = inner.parents[0]
        loss = loss + inner * 0.3
    if data.draw(st.booleans(), label="hidden use") and len(model.layers) > 1:
        first = model.layers[0]([float(v) for v in xs[0]])[0]
        loss = loss + first * 0.25  # one more run of L1 whose output reaches C directly
    return model, loss


def _check_text_has(text: str, lhs: str, value: float) -> None:
    """`text` has a line ``lhs = … = value`` (the printed total is the formatted .grad)."""
    pattern = re.escape(lhs) + r" = [^\n]*" + re.escape(_num(value)) + r"(?:\n|  \(|$)"
    assert re.search(pattern, text), (lhs, _num(value))


def _check_markdown_has(markdown: str, name: str, value: float) -> None:
    """The Markdown has an item ``∂C/∂name = … = value`` in LaTeX."""
    start = rf"  - $\frac{{\partial C}}{{\partial {tex(name)}}} = "
    lines = [line for line in markdown.splitlines() if line.startswith(start)]
    assert lines and all(line.endswith(f" = {tex_number(value)}$") for line in lines), (name, lines)


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_every_printed_gradient_is_backwards(data):
    model, loss = _random_case(data)
    neurons, layers = explain(loss, group="neuron"), explain(loss, group="layer")
    text, layer_text = str(neurons), str(layers)
    markdown, layer_markdown = neurons.markdown(), layers.markdown()
    model.zero_grad()
    loss.backward()
    single = neurons.samples == 1
    for r in neurons.records:
        assert r.grad_a == r.a_node.grad
        assert r.delta == r.z_node.grad
        for terms, total in [(r.grad_a_terms, r.grad_a), (r.delta_terms, r.delta), (r.bias_terms, r.bias_gradient)]:
            assert math.isclose(math.fsum(t.value for t in terms), total, rel_tol=1e-9, abs_tol=1e-12)
        assert r.bias_gradient == r.bias.grad
        for t in r.weights:
            assert t.gradient == t.weight.grad
            assert math.isclose(math.fsum(x.value for x in t.terms), t.gradient, rel_tol=1e-9, abs_tol=1e-12)
            if single:
                _check_text_has(text, f"∂C/∂{t.name}", t.gradient)
                _check_markdown_has(markdown, t.name, t.gradient)
        if single:
            _check_text_has(text, f"∂C/∂{r.bias_name}", r.bias_gradient)
            _check_markdown_has(markdown, r.bias_name, r.bias_gradient)
    for p in neurons.parameters:
        assert p.gradient == p.parameter.grad
        assert math.isclose(math.fsum(t.value for t in p.terms), p.gradient, rel_tol=1e-9, abs_tol=1e-12)
        if not single:
            _check_text_has(text, f"∂C/∂{p.name}", p.gradient)
            _check_markdown_has(markdown, p.name, p.gradient)
    for lr in layers.records:
        group = [r for r in neurons.records if r.layer == lr.name and r.sample == lr.sample]
        assert lr.weight_gradients == tuple(tuple(t.weight.grad for t in r.weights) for r in group)
        assert lr.bias_gradients == tuple(r.bias.grad for r in group)
        assert lr.delta == tuple(r.z_node.grad for r in group)
        assert lr.grad_a == tuple(r.a_node.grad for r in group)
        if single:
            for row in lr.weight_gradients:
                assert all(_num(v) in layer_text for v in row)
            assert f"= {_tex_matrix(lr.weight_gradients)}$" in layer_markdown
            assert f"= {_tex_matrix([[b] for b in lr.bias_gradients])}$" in layer_markdown


def test_a_partial_sum_of_an_expanded_neuron_used_by_the_loss_is_a_named_term():
    m = MLP(2, [1], output_activation="tanh", seed=0, expand=True)
    out = m([1.0, 2.0])
    partial = out.parents[0].parents[0]  # b + w1·x1, inside the neuron's chain
    loss = out * 1.0 + partial * 0.5
    view = explain(loss, group="neuron")
    text = str(view)
    loss.backward()
    w1, w2, b = m.parameters()
    r = view.neuron("L1.N1")
    assert (r.weights[0].gradient, r.weights[1].gradient, r.bias_gradient) == (w1.grad, w2.grad, b.grad)
    assert f"    ∂C/∂L1.N1.w1 = aᵢₙ × δ + (via L1.N1) = 0.120264 + 0.5 = {_num(w1.grad)}" in text
    assert "      through other uses of the neuron's partial sums: 0.5" in text
    assert f"    ∂C/∂L1.N1.w2 = aᵢₙ × δ = 2 × 0.120264 = {_num(w2.grad)}  (aᵢₙ = input 2)" in text


def test_explaining_a_graph_after_an_optimizer_step_tells_the_graphs_numbers():
    """After opt.step() the old graph still holds the values its forward pass used."""
    from autograd_tiny import SGD

    m, loss = issue_model()
    before = [p.data for p in m.parameters()]
    fresh = str(explain(loss, group="neuron"))
    loss.backward()
    SGD(m.parameters(), lr=0.1).step()
    view = explain(loss, group="neuron")
    text = str(view)
    assert "The parameters changed after this graph was built (an optimizer step?)" in text
    assert "(with the values w and b had when the graph was built)" in text
    # The numbers are the graph's: the same weights (as the forward pass used them) and gradients.
    record = view.neuron("L2.N1")
    assert [t.data for t in record.weights] == before[9:12]
    assert [t.data for t in view.neuron("L1.N1").weights] == before[0:2]
    layer = explain(loss, group="layer").layer("L1")
    assert layer.next_weights == (tuple(before[9:12]),)
    m.zero_grad()
    loss.backward()
    assert all(t.gradient == t.weight.grad for r in view.records for t in r.weights)
    assert "The parameters changed" not in fresh
