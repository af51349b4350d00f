"""Backprop the textbook way: the error signal δ of each neuron, and each layer's matrix form.

Courses (Nielsen's book, Mazur's worked example) teach backprop with the *error* of each
neuron, δ = ∂C/∂z (z the neuron's weighted input), and four equations::

    δᴸ = ∇ₐC ⊙ σ′(zᴸ)                    (output layer)
    δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ′(zˡ)          (a hidden layer, from the layer after it)
    ∂C/∂bˡⱼ = δˡⱼ
    ∂C/∂wˡⱼₖ = aˡ⁻¹ₖ δˡⱼ

``explain(loss, group="neuron")`` and ``explain(loss, group="layer")`` show these
equations with the numbers of a graph built by `autograd_tiny.nn`, read from the same
backward pass as the edge-by-edge ``explain(loss)``: δ is the upstream gradient that
arrives at the neuron's sum z there. Nothing in the graph changes (no ``.grad`` is touched).

Layers are numbered as autograd_tiny names them: ``L1`` is the first layer of neurons, so
the inputs of ``L1`` are the network's inputs x (Nielsen calls the input layer layer 1).

Batches: a loss over several samples runs every neuron once per sample. The records are per
sample (``record.sample``, numbered in the order the graph reaches them: the samples' order
for the losses in `autograd_tiny.losses`), and a parameter's gradient is the *sum* of its
per-sample ``aᵢₙ × δ``; the text says so. ``sample=k`` keeps sample k only.

>>> from autograd_tiny import MLP, explain
>>> model = MLP(1, [1], activation="linear")
>>> model.parameters()[0].data = 3.0
>>> loss = (model([2.0]) - 1.0) ** 2          # z = 3·2 + 0 = 6, C = (6 − 1)² = 25
>>> view = explain(loss, group="neuron")
>>> n = view.neuron("L1.N1")
>>> n.z, n.delta, n.weights[0].gradient, n.bias_gradient
(6.0, 10.0, 20.0, 10.0)
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .engine import RULES, Value, operands
from .explain import natural_key, plural, tex, tex_number, tex_operand, text_label
from .graph import backward_steps, topological_order, value_names
from .limits import check_graph_size
from .ops import format_number, format_operand

__all__ = [
    "weighted_input",
    "WeightedInput",
    "WeightTerm",
    "BackTerm",
    "NeuronRecord",
    "LayerRecord",
    "NeuronView",
    "LayerView",
    "explain_neurons",
    "explain_layers",
]

# The activation ops a neuron applies to its weighted input z (a "linear" neuron has none).
ACTIVATION_OPS = ("relu", "tanh", "sigmoid")
# Matrices and vectors with more rows or columns than this are shown abbreviated.
MATRIX_LIMIT = 8
# A parameter's per-sample terms are written out for at most this many samples.
SUM_LIMIT = 4
# The largest graph the neuron and layer views read: values, and edges. Reading records is
# cheap (micrograd's whole batch, MLP(2, [16, 16, 1]) on 100 points, 8,112 values and
# 69,148 edges, takes a third of a second); a million values would take a minute.
TEXTBOOK_LIMIT = 100_000
# The most neuron records the neuron view writes as Markdown: each is about 2 kB of LaTeX, and
# a notebook renders a few hundred equations legibly, not the 6.8 MB of that whole batch
# (3,300 records). 100 is three samples of micrograd's 33 neurons; the notebooks show 4.
NEURON_MARKDOWN_LIMIT = 100


# --------------------------------------------------------------------------------------
# Finding a neuron's weighted input z
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeightedInput:
    """A neuron's weighted input ``z = Σᵢ wᵢ · aᵢ + b``, read from the graph.

    Attributes:
        z: the node holding z.
        weights: the weight Values wᵢ, in input order.
        inputs: the inputs aᵢ as the graph holds them: Values, or plain numbers.
        input_data: the inputs' numbers (∂z/∂wᵢ).
        bias: the bias Value b.
    """

    z: Value
    weights: tuple
    inputs: tuple
    input_data: tuple
    bias: Value


def weighted_input(output: Value) -> WeightedInput:
    """Read z, the weights, the inputs and the bias of the neuron whose output is `output`.

    The activation's parent is z (a linear neuron's output is z itself). z is either one
    fused ``linear`` node (parents w₀…wₙ₋₁, x₀…xₙ₋₁, b) or, as `Neuron` builds it with
    ``expand=True`` and micrograd does, a chain of ``add`` nodes over ``mul`` nodes wᵢ · xᵢ,
    ending with ``+ b``.

    Raises:
        ValueError: `output` was not made by a neuron of `autograd_tiny.nn`.

    >>> from autograd_tiny import Neuron
    >>> n = Neuron(2, activation="tanh", seed=0)
    >>> parts = weighted_input(n([1.0, 2.0]))
    >>> [w.label for w in parts.weights], parts.input_data, parts.bias.label
    (['N1.w0', 'N1.w1'], (1.0, 2.0), 'N1.b')
    """
    scope = output.scope
    z = output
    if output.op in ACTIVATION_OPS and output.parents and output.parents[0].scope == scope:
        z = output.parents[0]
    if z.op == "linear":
        return _fused_terms(z)
    return _expanded_terms(z, scope)


def _fused_terms(z: Value) -> WeightedInput:
    """The parts of a fused ``linear`` node: parents w…, x…, b; ∂z/∂wᵢ = xᵢ."""
    count, odd = divmod(len(z.parents) - 1, 2)
    if odd or count < 1:
        raise ValueError(f"a linear node needs parents w0..w(n-1), x0..x(n-1), b; this one has {len(z.parents)}")
    parents, local = z.parents, z.local_derivatives
    return WeightedInput(z, parents[:count], parents[count : 2 * count], tuple(local[:count]), parents[-1])


def _expanded_terms(z: Value, scope: Any) -> WeightedInput:
    """Walk z's chain back to its start: ``((b + w₀·x₀) + w₁·x₁) + …``, micrograd's order,
    which ``expand=True`` builds (the last product is added last, the bias comes first)."""
    products, node = [], z
    while node.op == "add" and node.scope == scope and node.const is None:
        rest, product = node.parents
        products.append(product)
        node = rest
    bias = node
    if bias.parents or not products or any(p.op != "mul" or p.scope != scope for p in products):
        raise ValueError(
            f"the value {text_label(z.label or z.op or 'leaf')} (scope {scope!r}) is not a neuron's "
            f"weighted input w0·x0 + … + b; group='neuron' and group='layer' explain graphs built "
            f"with Neuron, Layer or MLP"
        )
    products.reverse()
    weights = tuple(p.parents[0] for p in products)
    inputs = tuple(operands(p)[1] for p in products)
    return WeightedInput(z, weights, inputs, tuple(p.local_derivatives[0] for p in products), bias)


# --------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeightTerm:
    """``∂C/∂w = aᵢₙ × δ`` for one weight of one neuron (one sample).

    Attributes:
        weight: the weight Value; name: its name; data: its number.
        input_name: what feeds it (``"a(L1.N2)"``, an input's name, or a number).
        source: the input as the graph holds it (a Value, or a plain number).
        a_in: the input's number.
        gradient: a_in × δ.
    """

    weight: Value
    name: str
    data: float
    input_name: str
    source: Any
    a_in: float
    gradient: float


@dataclass(frozen=True)
class BackTerm:
    """One term ``wₖⱼ δₖ`` of a hidden neuron's backpropagated sum.

    Attributes:
        neuron: the later neuron k that uses this neuron's output.
        weight: the weight wₖⱼ it multiplies the output by; weight_name: its name.
        w: its number; delta: δₖ; product: w × δₖ.
    """

    neuron: str
    weight: Value
    weight_name: str
    w: float
    delta: float
    product: float


@dataclass(frozen=True)
class NeuronRecord:
    """One neuron in one sample, with every number of its four equations.

    Attributes:
        name: the neuron (``"L2.N1"``); layer: its layer (``"L2"``); sample: 0-based sample.
        activation: ``"sigmoid"``, ``"tanh"``, ``"relu"`` or ``"linear"``.
        z: the weighted input; a: the activation σ(z).
        sigma_prime: σ′(z), the activation's local derivative (1 for linear).
        grad_a: ∂C/∂a, everything that flows back into a.
        loss_gradient: the part of ∂C/∂a coming straight from nodes outside any neuron (the
            loss): ∇ₐC for an output neuron; None when a feeds only other neurons.
        back_terms: for a hidden neuron, the terms wₖⱼ δₖ of Σₖ wₖⱼ δₖ.
        delta: δ = ∂C/∂z, as the backward pass computes it.
        weights: one `WeightTerm` (aᵢₙ × δ) per weight.
        bias: the bias Value; bias_name: its name; bias_data: its number.
        bias_gradient: ∂C/∂b = δ.
        z_name, a_name: the names of z and a in the edge-by-edge view and in drawings.
        z_node, a_node: the values z and a.
    """

    name: str
    layer: str
    sample: int
    activation: str
    z: float
    a: float
    sigma_prime: float
    grad_a: float
    loss_gradient: float | None
    back_terms: tuple
    delta: float
    weights: tuple
    bias: Value
    bias_name: str
    bias_data: float
    bias_gradient: float
    z_name: str
    a_name: str
    z_node: Value
    a_node: Value

    @property
    def hidden(self) -> bool:
        """True when the neuron's output feeds later neurons."""
        return bool(self.back_terms)


@dataclass(frozen=True)
class LayerRecord:
    """One layer in one sample, as vectors and matrices (rows: this layer's neurons).

    Attributes:
        name: ``"L1"``; sample: 0-based; neurons: the neurons' names, in order.
        inputs: aˡ⁻¹, the layer's input vector (the first neuron's inputs).
        z, a, sigma_prime, delta: the vectors zˡ, aˡ, σ′(zˡ), δˡ.
        weights: the weight matrix wˡ (one row per neuron, one column per input).
        weight_gradients: ∂C/∂wˡ = δˡ (aˡ⁻¹)ᵀ, same shape; bias_gradients: ∂C/∂bˡ = δˡ.
        loss_gradient: ∇ₐC for an output layer, else None.
        next_layer: the layer fed by this one (None for the output layer).
        next_weights: wˡ⁺¹ restricted to this layer's outputs (rows: next layer's neurons).
        next_delta: δˡ⁺¹; backpropagated: (wˡ⁺¹)ᵀ δˡ⁺¹.
    """

    name: str
    sample: int
    neurons: tuple
    inputs: tuple
    z: tuple
    a: tuple
    sigma_prime: tuple
    delta: tuple
    weights: tuple
    weight_gradients: tuple
    bias_gradients: tuple
    loss_gradient: tuple | None
    next_layer: str | None
    next_weights: tuple | None
    next_delta: tuple | None
    backpropagated: tuple | None


# --------------------------------------------------------------------------------------
# Reading the records from one backward pass
# --------------------------------------------------------------------------------------


def _layer_name(scope: str) -> str:
    """``"L2"`` of ``"L2.N1"``; a neuron without a layer is its own layer."""
    return scope.split(".")[0]


def _neuron_outputs(order: list) -> list:
    """The output node of every neuron run in the graph: in scope, used by nothing in scope."""
    used_inside = set()
    for node in order:
        for parent in node.parents:
            if parent.scope is not None and parent.scope == node.scope:
                used_inside.add(parent)
    return [n for n in order if n.parents and isinstance(n.scope, str) and n not in used_inside]


def _direct_gradients(root: Value, order: list) -> tuple[dict, dict]:
    """One pure backward pass: ∂C/∂v for every v, and what each v receives from outside any neuron."""
    gradients: dict[Value, float] = {root: 1.0}
    direct: dict[Value, float] = {}
    for step in backward_steps(root):
        gradients[step.parent] = step.grad_after
        if not isinstance(step.node.scope, str):
            direct[step.parent] = direct.get(step.parent, 0.0) + step.contribution
    return gradients, direct


def _read_records(root: Value) -> tuple[list, dict, dict]:
    """Every neuron record of `root`'s graph (forward order), the names, and the gradients."""
    order = topological_order(root)
    names = value_names(order)
    gradients, direct = _direct_gradients(root, order)
    outputs = _neuron_outputs(order)
    if not outputs:
        raise ValueError(
            "this graph has no neuron: group='neuron' and group='layer' explain graphs built with "
            "Neuron, Layer or MLP; use explain(root) for the edge-by-edge view"
        )
    seen: dict = {}
    parts = {}
    for out in outputs:
        sample = seen.get(out.scope, 0)
        seen[out.scope] = sample + 1
        parts[out] = (sample, weighted_input(out))
    owner = {out: out.scope for out in outputs}  # a neuron's output -> the neuron
    users: dict = {}  # a neuron's output -> [(later neuron, weight, its δ)]
    for out, (_, wi) in parts.items():
        delta = gradients[wi.z]
        for weight, source in zip(wi.weights, wi.inputs):
            if isinstance(source, Value) and source in owner:
                users.setdefault(source, []).append((out.scope, weight, delta))
    records = []
    for out, (sample, wi) in parts.items():
        records.append(_record(out, sample, wi, gradients, direct, users.get(out, []), owner, names))
    records.sort(key=lambda r: (r.sample, natural_key(r.name)))
    return records, names, gradients


def _record(out, sample, wi, gradients, direct, users, owner, names) -> NeuronRecord:
    delta = gradients[wi.z]
    activation = out.op if out is not wi.z else "linear"
    sigma_prime = out.local_derivatives[0] if out is not wi.z else 1.0
    inputs = [_input_name(source, i, owner, names) for i, source in enumerate(wi.inputs)]
    weights = tuple(
        WeightTerm(w, names[w], w.data, name, source, a_in, a_in * delta)
        for w, name, source, a_in in zip(wi.weights, inputs, wi.inputs, wi.input_data)
    )
    back = tuple(BackTerm(neuron, w, names[w], w.data, d, w.data * d) for neuron, w, d in users)
    return NeuronRecord(
        name=out.scope,
        layer=_layer_name(out.scope),
        sample=sample,
        activation=activation,
        z=wi.z.data,
        a=out.data,
        sigma_prime=sigma_prime,
        grad_a=gradients[out],
        loss_gradient=direct.get(out),
        back_terms=back,
        delta=delta,
        weights=weights,
        bias=wi.bias,
        bias_name=names[wi.bias],
        bias_data=wi.bias.data,
        bias_gradient=delta,
        z_name=names[wi.z],
        a_name=names[out],
        z_node=wi.z,
        a_node=out,
    )


def _input_name(source: Any, index: int, owner: dict, names: dict) -> str:
    """``a(L1.N2)`` for a neuron's output, a value's name, or ``input 1`` for a plain number."""
    if isinstance(source, Value):
        return f"a({owner[source]})" if source in owner else names[source]
    return f"input {index + 1}"


def _find_record(records: list, kind: str, name: str, sample: Any, samples: int, kept: int | None) -> Any:
    """The record of neuron or layer `name` for `sample`, with errors that say what to pass.

    `kind` is "neuron" or "layer"; `samples` counts the samples of the graph and `kept` is
    the one sample a view was made for (None: all of them).
    """
    found = [r for r in records if r.name == name]
    if not found:
        known = ", ".join(dict.fromkeys(r.name for r in records))
        raise ValueError(f"no {kind} named {name!r} in this graph; its {kind}s are {known}")
    if sample is None:
        if len(found) > 1:
            raise ValueError(
                f"{kind} {name!r} runs once per sample ({len(found)} samples): pass sample=0 to "
                f"{len(found) - 1}, or explain(..., group='{kind}', sample=k)"
            )
        return found[0]
    for record in found:
        if record.sample == _check_sample(sample, samples):
            return record
    raise ValueError(f"sample {sample} is not in this view (it keeps sample {kept} only)")


def _check_sample(sample: Any, count: int) -> int | None:
    if sample is None:
        return None
    if isinstance(sample, bool) or not isinstance(sample, int):
        raise TypeError(f"sample must be an int from 0 to {count - 1} or None, got {type(sample).__name__} {sample!r}")
    if not 0 <= sample < count:
        raise ValueError(
            f"sample must be from 0 to {count - 1} (this graph runs the network {plural(count, 'time')}), got {sample}"
        )
    return sample


# --------------------------------------------------------------------------------------
# Writing: names in Nielsen's notation, numbers, matrices
# --------------------------------------------------------------------------------------

_NEURON_NAME = re.compile(r"L(\d+)\.N(\d+)")


def _symbol(letter: str, neuron: str) -> str:
    r"""A neuron's quantity in LaTeX: ``z^{2}_{1}`` for L2.N1, else the name as a subscript.

    >>> _symbol("z", "L2.N1"), _symbol(r"\delta", "N1")
    ('z^{2}_{1}', '\\delta_{\\mathrm{N1}}')
    """
    match = _NEURON_NAME.fullmatch(neuron)
    if match:
        return f"{letter}^{{{match.group(1)}}}_{{{match.group(2)}}}"
    return f"{letter}_{{{tex(neuron)}}}"


def _tex_input(term: WeightTerm) -> str:
    """An input aᵢₙ in LaTeX: ``a^{1}_{2}`` for a(L1.N2), ``x_{1}`` for input 1, else the value's name."""
    name = term.input_name
    if not isinstance(term.source, Value):
        return f"x_{{{name.split()[-1]}}}"
    if name.startswith("a(") and name.endswith(")"):
        return _symbol("a", name[2:-1])
    return tex(name)


def _formula(record: NeuronRecord, z: str, a: str) -> str:
    """σ′(z) as the activation's rule writes it (engine.RULES), e.g. ``a · (1 − a)``."""
    if record.activation == "linear":
        return "1"
    return RULES[record.activation].derivative(0, [z], out=a)


def _shown(items: Sequence) -> list:
    """The entries a vector shows: all, or the first ones, None (a gap), and the last one."""
    if len(items) <= MATRIX_LIMIT:
        return list(items)
    return list(items[: MATRIX_LIMIT - 2]) + [None, items[-1]]


def _vector_text(values: Sequence[float]) -> str:
    """``[0.1, 0.2, …, 0.9]``."""
    return "[" + ", ".join("…" if v is None else format_number(v) for v in _shown(values)) + "]"


def _matrix_text(rows: Sequence[Sequence[float]], indent: str) -> list[str]:
    """A matrix as aligned text rows; an abbreviated one ends with a line that says so."""
    shown = [None if row is None else _shown(row) for row in _shown(rows)]
    columns = len(_shown(rows[0]))  # the entries each shown row has
    cells = [["⋮"] * columns if row is None else ["…" if v is None else format_number(v) for v in row] for row in shown]
    width = max(len(c) for row in cells for c in row)
    lines = [indent + "[ " + "  ".join(c.rjust(width) for c in row) + " ]" for row in cells]
    if len(rows) > MATRIX_LIMIT or len(rows[0]) > MATRIX_LIMIT:
        lines.append(f"{indent}(abbreviated: {len(rows)} × {len(rows[0])}; the LayerRecord holds every entry)")
    return lines


def _tex_matrix(rows: Sequence[Sequence[float]]) -> str:
    r"""A matrix (or a column vector: rows of one) as a LaTeX ``bmatrix``, abbreviated when large.

    >>> print(_tex_matrix([[1.0, -2.0], [0.5, 3.0]]))
    \begin{bmatrix} 1 & -2 \\ 0.5 & 3 \end{bmatrix}
    """
    shown = [None if row is None else _shown(row) for row in _shown(rows)]
    width = len(_shown(rows[0]))  # the entries each shown row has
    lines = []
    for row in shown:
        if row is None:
            lines.append(" & ".join([r"\vdots"] * width))
        else:
            lines.append(" & ".join(r"\cdots" if v is None else tex_number(v) for v in row))
    return r"\begin{bmatrix} " + r" \\ ".join(lines) + r" \end{bmatrix}"


def _column(values: Sequence[float]) -> list:
    return [[v] for v in values]


def _times(x: float, y: float) -> str:
    """``0.4 × (-0.038)``: a product with negative factors in parentheses."""
    return f"{format_operand(x)} × {format_operand(y)}"


# --------------------------------------------------------------------------------------
# The neuron view
# --------------------------------------------------------------------------------------


class NeuronView:
    """Backprop neuron by neuron: one `NeuronRecord` per neuron and sample.

    Made by ``explain(loss, group="neuron")``; pure (no ``.grad`` changes).

    Attributes:
        root: the value explained (the cost C).
        records: every record, sample by sample, layer by layer, neuron by neuron.
        samples: how many times the graph runs the network (1 for one input).
        sample: the sample kept (``sample=k``), or None for all of them.
        gradients: ∂C/∂v for every value v of the graph (parameters: summed over samples).
    """

    def __init__(self, root: Value, *, sample: int | None = None) -> None:
        records, names, gradients = _read_records(root)
        self.root = root
        self.samples = 1 + max(r.sample for r in records)
        self.sample = _check_sample(sample, self.samples)
        self.records = [r for r in records if self.sample is None or r.sample == self.sample]
        self.names = names
        self.gradients = gradients

    def neuron(self, name: str, sample: int | None = None) -> NeuronRecord:
        """The record of neuron `name` (``"L2.N1"``); `sample` picks one when there are several.

        Raises:
            ValueError: no neuron has that name, or the graph has several samples and
                `sample` is None.
        """
        return _find_record(self.records, "neuron", name, sample, self.samples, self.sample)

    # ------------------------------------------------------------------ text

    def _by_sample(self) -> list:
        """[(sample, [(layer, records of that layer)] output layer first)]."""
        samples = []
        for sample in dict.fromkeys(r.sample for r in self.records):
            layers: dict = {}
            for r in self.records:
                if r.sample == sample:
                    layers.setdefault(r.layer, []).append(r)
            ordered = sorted(layers.items(), key=lambda item: natural_key(item[0]), reverse=True)
            samples.append((sample, ordered))
        return samples

    def _cost(self) -> str:
        return text_label(self.names[self.root])

    def _cost_clause(self) -> str:
        """``"C = loss; "``, or nothing when the loss is already called C."""
        cost = self._cost()
        return "" if cost == "C" else f"C = {cost}; "

    def __str__(self) -> str:
        lines = [
            f"Backprop neuron by neuron ({self._cost_clause()}δ = ∂C/∂z, the neuron's error). "
            "δ flows backwards, so the output layer comes first.",
            "The loss nodes outside the neurons give ∇ₐC for the output layer.",
        ]
        lines += self._batch_sentence()
        for sample, layers in self._by_sample():
            if self.samples > 1:
                lines += ["", f"Sample {sample}:"]
            for layer, records in layers:
                lines += ["", f"Layer {text_label(layer)}:"]
                for record in records:
                    lines += self._neuron_text(record)
        lines += self._sums_text()
        return "\n".join(lines)

    def _batch_sentence(self) -> list[str]:
        if self.samples == 1:
            return []
        if self.sample is None:
            return [
                f"The loss runs the network on {self.samples} samples: each sample has its own z, a and δ, "
                "and a parameter's gradient is the sum of its per-sample aᵢₙ × δ (at the end)."
            ]
        return [
            f"Sample {self.sample} of {self.samples}: its aᵢₙ × δ is this sample's share of each parameter's "
            "gradient, which sums over every sample."
        ]

    def _neuron_text(self, r: NeuronRecord) -> list[str]:
        name = text_label(r.name)
        inputs = " + ".join(f"{_times(t.data, t.a_in)}" for t in r.weights)
        lines = [
            f"  neuron {name}: z = Σ w·aᵢₙ + b = {inputs} + {format_operand(r.bias_data)} = {format_number(r.z)};  "
            f"a = {r.activation}(z) = {format_number(r.a)}"
        ]
        if r.back_terms:
            terms = " + ".join(_times(t.w, t.delta) for t in r.back_terms)
            lines.append(f"    ∂C/∂a = Σₖ wₖⱼ δₖ = {terms} = {format_number(sum(t.product for t in r.back_terms))}")
            for t in r.back_terms:
                lines.append(
                    f"      ({text_label(t.weight_name)} = {format_number(t.w)}, δ of {text_label(t.neuron)} = {format_number(t.delta)})"
                )
        if r.loss_gradient is not None:
            where = "∇ₐC, from the loss" if not r.back_terms else "plus, straight from the loss"
            lines.append(f"    ∂C/∂a = {format_number(r.loss_gradient)}  ({where})")
        shown_a = text_label(r.a_name)
        formula = _formula(r, text_label(r.z_name), "a")
        shown = format_number(r.sigma_prime)
        lines.append(f"    σ′(z) = {formula} = {shown}" if formula != shown else f"    σ′(z) = {shown}")
        lines.append(f"    δ = ∂C/∂a · σ′(z) = {_times(r.grad_a, r.sigma_prime)} = {format_number(r.delta)}")
        for t in r.weights:
            lines.append(
                f"    ∂C/∂{text_label(t.name)} = aᵢₙ × δ = {_times(t.a_in, r.delta)} = {format_number(t.gradient)}"
                f"  (aᵢₙ = {text_label(t.input_name)})"
            )
        lines.append(f"    ∂C/∂{text_label(r.bias_name)} = δ = {format_number(r.bias_gradient)}")
        lines.append(
            f"    (edge by edge, explain({self._cost()}): δ is the upstream gradient ∂C/∂{text_label(r.z_name)} "
            f"arriving at the neuron's sum {text_label(r.z_name)}; a is {shown_a})"
        )
        return lines

    def _parameter_sums(self) -> list:
        """[(parameter name, per-sample terms, total gradient)] when several samples are shown."""
        terms: dict = {}
        for r in self.records:
            for t in r.weights:
                terms.setdefault(t.weight, (t.name, []))[1].append(t.gradient)
            terms.setdefault(r.bias, (r.bias_name, []))[1].append(r.bias_gradient)
        return list(terms.values())

    def _sums_text(self) -> list[str]:
        if self.samples == 1 or self.sample is not None:
            return []
        lines = ["", f"Parameter gradients (each the sum over the {self.samples} samples of aᵢₙ × δ):"]
        for name, parts in self._parameter_sums():
            shown = " + ".join(format_operand(p) for p in parts) + " = " if len(parts) <= SUM_LIMIT else "Σ = "
            lines.append(f"  ∂C/∂{text_label(name)} = {shown}{format_number(math.fsum(parts))}")
        return lines

    def __repr__(self) -> str:
        neurons = len(dict.fromkeys(r.name for r in self.records))
        return f"<NeuronView of {self._cost()}: {plural(neurons, 'neuron')}, {plural(self.samples, 'sample')}>"

    # ------------------------------------------------------------------ Markdown

    def markdown(self) -> str:
        r"""The neuron view as Markdown with LaTeX in Nielsen's notation (zˡⱼ, aˡⱼ, δˡⱼ).

        Every label is escaped for LaTeX; numbers are substituted into each equation.

        Raises:
            ValueError: the view has more than `NEURON_MARKDOWN_LIMIT` (100) records, more
                LaTeX than a notebook renders; keep one sample (``sample=0``) or print it.
        """
        refusal = _neuron_markdown_refusal(self)
        if refusal is not None:
            raise ValueError(refusal)
        lines = [
            "**Backprop neuron by neuron** ("
            + (f"$C = {tex(self.names[self.root])}$, " if self.names[self.root] != "C" else "")
            + r"$\delta^l_j = \partial C / \partial z^l_j$). The output layer comes first: "
            r"$\delta^L_j = \frac{\partial C}{\partial a^L_j}\,\sigma'(z^L_j)$, "
            r"$\delta^l_j = \big(\sum_k w^{l+1}_{kj}\delta^{l+1}_k\big)\,\sigma'(z^l_j)$, "
            r"$\frac{\partial C}{\partial b^l_j} = \delta^l_j$, "
            r"$\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_k\,\delta^l_j$.",
        ]
        lines += ["", *self._batch_sentence()] if self.samples > 1 else []
        for sample, layers in self._by_sample():
            if self.samples > 1:
                lines += ["", f"**Sample {sample}**"]
            for layer, records in layers:
                lines += ["", f"*Layer ${tex(layer)}$*", ""]
                for record in records:
                    lines += self._neuron_markdown(record)
        if self.samples > 1 and self.sample is None:
            lines += ["", f"**Parameter gradients** (sums over the {self.samples} samples)", ""]
            for name, parts in self._parameter_sums():
                lines.append(rf"- $\frac{{\partial C}}{{\partial {tex(name)}}} = {tex_number(math.fsum(parts))}$")
        return "\n".join(lines)

    def _neuron_markdown(self, r: NeuronRecord) -> list[str]:
        z, a, d = _symbol("z", r.name), _symbol("a", r.name), _symbol(r"\delta", r.name)
        lines = [f"- neuron ${tex(r.name)}$: ${z} = {tex_number(r.z)}$, ${a} = {tex_number(r.a)}$"]
        if r.back_terms:
            terms = " + ".join(f"{tex_operand(t.w)} \\cdot {tex_operand(t.delta)}" for t in r.back_terms)
            symbols = " + ".join(tex(t.weight_name) + r"\," + _symbol(r"\delta", t.neuron) for t in r.back_terms)
            total = tex_number(sum(t.product for t in r.back_terms))
            lines.append(
                f"  - $\\frac{{\\partial C}}{{\\partial {a}}} = \\sum_k w_{{kj}}\\delta_k = {symbols} = {terms} = {total}$"
            )
        if r.loss_gradient is not None:
            lines.append(f"  - $\\nabla_{{{a}}} C = {tex_number(r.loss_gradient)}$ (from the loss)")
        sp = _formula(r, z, a).replace(" · ", r" \cdot ").replace("−", "-").replace("²", "^2")
        sp = sp.replace("1 if ", r"1 \text{ if } ").replace(" else ", r" \text{ else } ")
        lines.append(f"  - $\\sigma'({z}) = {sp} = {tex_number(r.sigma_prime)}$")
        lines.append(
            f"  - ${d} = \\frac{{\\partial C}}{{\\partial {a}}}\\,\\sigma'({z}) = "
            f"{tex_operand(r.grad_a)} \\cdot {tex_operand(r.sigma_prime)} = {tex_number(r.delta)}$"
        )
        for _k, t in enumerate(r.weights):
            lines.append(
                f"  - $\\frac{{\\partial C}}{{\\partial {tex(t.name)}}} = {_tex_input(t)}\\,{d} = "
                f"{tex_operand(t.a_in)} \\cdot {tex_operand(r.delta)} = {tex_number(t.gradient)}$"
            )
        lines.append(
            f"  - $\\frac{{\\partial C}}{{\\partial {tex(r.bias_name)}}} = {d} = {tex_number(r.bias_gradient)}$"
        )
        lines.append(
            f"  - edge by edge: ${d}$ is the upstream gradient $\\frac{{\\partial C}}{{\\partial {tex(r.z_name)}}}$ "
            f"arriving at the neuron's sum ${tex(r.z_name)}$"
        )
        return lines

    def _repr_markdown_(self) -> str:
        # A notebook shows the reason in the cell (a raised error would print a traceback).
        refusal = _neuron_markdown_refusal(self)
        return self.markdown() if refusal is None else f"*{refusal}*"


# --------------------------------------------------------------------------------------
# The layer view
# --------------------------------------------------------------------------------------


def _layer_record(records: list, by_output: dict) -> LayerRecord:
    """One layer of one sample, from its neurons' records (in neuron order)."""
    first = records[0]
    deltas = tuple(r.delta for r in records)
    later = [t.neuron for r in records for t in r.back_terms]
    next_layer = _layer_name(later[0]) if later else None
    next_weights = next_delta = backpropagated = None
    if next_layer is not None:
        following = sorted(
            {id(n): n for r in records for t in r.back_terms for n in [by_output[(t.neuron, first.sample)]]}.values(),
            key=lambda n: natural_key(n.name),
        )
        columns = {r.a_node: j for j, r in enumerate(records)}
        next_weights = tuple(_weight_row(n, columns, len(records)) for n in following)
        next_delta = tuple(n.delta for n in following)
        backpropagated = tuple(
            math.fsum(next_weights[k][j] * next_delta[k] for k in range(len(following))) for j in range(len(records))
        )
    outputs = all(r.loss_gradient is not None for r in records)
    return LayerRecord(
        name=first.layer,
        sample=first.sample,
        neurons=tuple(r.name for r in records),
        inputs=tuple(t.a_in for t in first.weights),
        z=tuple(r.z for r in records),
        a=tuple(r.a for r in records),
        sigma_prime=tuple(r.sigma_prime for r in records),
        delta=deltas,
        weights=tuple(tuple(t.data for t in r.weights) for r in records),
        weight_gradients=tuple(tuple(t.gradient for t in r.weights) for r in records),
        bias_gradients=deltas,
        loss_gradient=tuple(r.loss_gradient for r in records) if outputs else None,
        next_layer=next_layer,
        next_weights=next_weights,
        next_delta=next_delta,
        backpropagated=backpropagated,
    )


def _weight_row(neuron: NeuronRecord, columns: dict, width: int) -> tuple:
    """Row k of wˡ⁺¹: the weight by which `neuron` multiplies each output of this layer."""
    row = [0.0] * width
    for term in neuron.weights:
        if isinstance(term.source, Value) and term.source in columns:
            row[columns[term.source]] += term.data
    return tuple(row)


class LayerView:
    """Backprop layer by layer, in matrix form: one `LayerRecord` per layer and sample.

    Made by ``explain(loss, group="layer")``; pure (no ``.grad`` changes). Samples work as
    in `NeuronView`: ``.layer("L1", sample=k)`` when the graph runs the network on several.

    Attributes:
        root: the value explained (C); records: every layer record, sample by sample, first
        layer first; samples: how many times the graph runs the network; sample: the one
        kept, or None; neurons: the `NeuronView` it is built from.
    """

    def __init__(self, root: Value, *, sample: int | None = None) -> None:
        neurons = NeuronView(root, sample=sample)
        self.root = root
        self.neurons = neurons
        self.samples, self.sample = neurons.samples, neurons.sample
        by_output = {(r.name, r.sample): r for r in neurons.records}
        groups: dict = {}
        for r in neurons.records:
            groups.setdefault((r.sample, r.layer), []).append(r)
        self.records = [_layer_record(records, by_output) for records in groups.values()]

    def layer(self, name: str, sample: int | None = None) -> LayerRecord:
        """The record of layer `name` (``"L1"``); `sample` picks one when there are several.

        Raises:
            ValueError: no layer has that name, or there are several samples and `sample` is None.
        """
        return _find_record(self.records, "layer", name, sample, self.samples, self.sample)

    def _backwards(self) -> list:
        """The records sample by sample, output layer first (the order δ is computed in)."""
        samples: dict = {}
        for r in self.records:
            samples.setdefault(r.sample, []).append(r)
        return [(s, sorted(rs, key=lambda r: natural_key(r.name), reverse=True)) for s, rs in samples.items()]

    def __str__(self) -> str:
        lines = [
            f"Backprop layer by layer ({self.neurons._cost_clause()}vectors are columns, one entry per neuron; "
            "⊙ multiplies entry by entry).",
            "δᴸ = ∇ₐC ⊙ σ′(zᴸ);  δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ′(zˡ);  ∂C/∂bˡ = δˡ;  ∂C/∂wˡ = δˡ (aˡ⁻¹)ᵀ",
        ]
        lines += self.neurons._batch_sentence()
        for sample, records in self._backwards():
            if self.samples > 1:
                lines += ["", f"Sample {sample}:"]
            for r in records:
                lines += ["", *self._layer_text(r)]
        return "\n".join(lines)

    def _layer_text(self, r: LayerRecord) -> list[str]:
        name = text_label(r.name)
        lines = [f"Layer {name} ({plural(len(r.neurons), 'neuron')}):"]
        lines.append(f"  aᵢₙ = {_vector_text(r.inputs)}")
        lines.append(f"  z = w aᵢₙ + b = {_vector_text(r.z)}")
        lines.append(f"  a = σ(z) = {_vector_text(r.a)}")
        lines.append(f"  σ′(z) = {_vector_text(r.sigma_prime)}")
        if r.next_weights is None:
            grad = (
                r.loss_gradient
                if r.loss_gradient is not None
                else tuple(d / s if s else 0.0 for d, s in zip(r.delta, r.sigma_prime))
            )
            lines.append(
                f"  δ = ∇ₐC ⊙ σ′(z) = {_vector_text(grad)} ⊙ {_vector_text(r.sigma_prime)} = {_vector_text(r.delta)}"
            )
        else:
            # `_layer_record` sets the four next_* fields together: all of them, or none (output layer).
            assert r.next_layer is not None and r.next_delta is not None and r.backpropagated is not None
            nxt = text_label(r.next_layer)
            lines.append(f"  δ = ((w of {nxt})ᵀ δ of {nxt}) ⊙ σ′(z), with w of {nxt} (rows: its neurons) =")
            lines += _matrix_text(r.next_weights, "      ")
            lines.append(f"    and δ of {nxt} = {_vector_text(r.next_delta)}:")
            lines.append(f"    (wᵀ δ) = {_vector_text(r.backpropagated)};  ⊙ σ′(z) = {_vector_text(r.delta)}")
        lines.append(f"  ∂C/∂b = δ = {_vector_text(r.bias_gradients)}")
        lines.append("  ∂C/∂w = δ aᵢₙᵀ =")
        lines += _matrix_text(r.weight_gradients, "      ")
        return lines

    def __repr__(self) -> str:
        layers = len(dict.fromkeys(r.name for r in self.records))
        return f"<LayerView of {self.neurons._cost()}: {plural(layers, 'layer')}, {plural(self.samples, 'sample')}>"

    def markdown(self) -> str:
        r"""The layer view as Markdown with LaTeX: the four equations with the actual matrices."""
        lines = [
            f"**Backprop layer by layer** ($C = {tex(self.neurons.names[self.root])}$). "
            r"$\delta^L = \nabla_a C \odot \sigma'(z^L)$, "
            r"$\delta^l = ((w^{l+1})^T \delta^{l+1}) \odot \sigma'(z^l)$, "
            r"$\partial C / \partial b^l = \delta^l$, "
            r"$\partial C / \partial w^l = \delta^l (a^{l-1})^T$, with $a^0 = x$, the inputs.",
        ]
        lines += ["", *self.neurons._batch_sentence()] if self.samples > 1 else []
        for sample, records in self._backwards():
            if self.samples > 1:
                lines += ["", f"**Sample {sample}**"]
            for r in records:
                lines += ["", *self._layer_markdown(r)]
        if any(len(r.neurons) > MATRIX_LIMIT or len(r.inputs) > MATRIX_LIMIT for r in self.records):
            lines += [
                "",
                f"Matrices larger than {MATRIX_LIMIT} rows or columns are abbreviated; the records hold every entry.",
            ]
        return "\n".join(lines)

    def _layer_markdown(self, r: LayerRecord) -> list[str]:
        k = _layer_index(r.name)
        col = _tex_matrix
        lines = [f"*Layer ${tex(r.name)}$*", ""]
        lines.append(
            f"- $z^{{{k}}} = {col(_column(r.z))}$, $a^{{{k}}} = {col(_column(r.a))}$, "
            f"$\\sigma'(z^{{{k}}}) = {col(_column(r.sigma_prime))}$"
        )
        if r.next_weights is None:
            grad = r.loss_gradient or tuple(0.0 for _ in r.delta)
            lines.append(
                f"- $\\delta^{{{k}}} = \\nabla_a C \\odot \\sigma'(z^{{{k}}}) = {col(_column(grad))} \\odot "
                f"{col(_column(r.sigma_prime))} = {col(_column(r.delta))}$"
            )
        else:
            # `_layer_record` sets the four next_* fields together: all of them, or none (output layer).
            assert r.next_layer is not None and r.next_delta is not None and r.backpropagated is not None
            m = _layer_index(r.next_layer)
            lines.append(
                f"- $\\delta^{{{k}}} = ((w^{{{m}}})^T \\delta^{{{m}}}) \\odot \\sigma'(z^{{{k}}}) = "
                f"\\left({col(_transpose(r.next_weights))} {col(_column(r.next_delta))}\\right) \\odot "
                f"{col(_column(r.sigma_prime))} = {col(_column(r.backpropagated))} \\odot "
                f"{col(_column(r.sigma_prime))} = {col(_column(r.delta))}$"
            )
        lines.append(
            f"- $\\frac{{\\partial C}}{{\\partial b^{{{k}}}}} = \\delta^{{{k}}} = {col(_column(r.bias_gradients))}$"
        )
        lines.append(
            f"- $\\frac{{\\partial C}}{{\\partial w^{{{k}}}}} = \\delta^{{{k}}} (a^{{{k - 1 if isinstance(k, int) else 'in'}}})^T = "
            f"{col(_column(r.delta))} {col([list(r.inputs)])} = {col(r.weight_gradients)}$"
        )
        return lines

    def _repr_markdown_(self) -> str:
        return self.markdown()


def _layer_index(name: str) -> Any:
    """2 for ``"L2"``; other names as LaTeX text."""
    match = re.fullmatch(r"L(\d+)", name)
    return int(match.group(1)) if match else tex(name)


def _transpose(rows: Sequence[Sequence[float]]) -> list:
    return [list(column) for column in zip(*rows)]


# --------------------------------------------------------------------------------------
# Entry points (explain(root, group=...) calls these)
# --------------------------------------------------------------------------------------


def explain_neurons(root: Value, sample: int | None = None) -> NeuronView:
    """``explain(root, group="neuron")``: backprop neuron by neuron (see `NeuronView`).

    Raises ValueError for a graph of more than `TEXTBOOK_LIMIT` (100,000) values or edges,
    before reading it.
    """
    _check_textbook_size(root, "neuron")
    return NeuronView(root, sample=sample)


def explain_layers(root: Value, sample: int | None = None) -> LayerView:
    """``explain(root, group="layer")``: backprop layer by layer in matrix form (see `LayerView`).

    Raises ValueError for a graph of more than `TEXTBOOK_LIMIT` (100,000) values or edges,
    before reading it.
    """
    _check_textbook_size(root, "layer")
    return LayerView(root, sample=sample)


def _check_textbook_size(root: Value, group: str) -> None:
    check_graph_size(root, TEXTBOOK_LIMIT, f"explain(group={group!r})", "explain the loss of fewer samples")


def _neuron_markdown_refusal(view: NeuronView) -> str | None:
    """Why the neuron view is too large for Markdown (`NEURON_MARKDOWN_LIMIT`), or None."""
    count = len(view.records)
    if count <= NEURON_MARKDOWN_LIMIT:
        return None
    samples = len(dict.fromkeys(r.sample for r in view.records))
    neurons = len(dict.fromkeys(r.name for r in view.records))
    return (
        f"the neuron view's Markdown shows at most {NEURON_MARKDOWN_LIMIT} neuron records (more LaTeX than a "
        f"notebook renders legibly), and this view has {count} ({samples} samples of {neurons} neurons); keep one "
        "sample with explain(loss, group='neuron', sample=0), or print(view) for plain text"
    )
