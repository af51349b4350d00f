"""Backprop the textbook way: the error signal δ of each neuron, and each layer's matrix form.

Courses (Nielsen's book, Mazur's worked example) teach backprop with the *error* of each
neuron, δ = ∂C/∂z (z the neuron's weighted input, a = f(z) its activation, f the
activation function: σ the logistic function, tanh, relu or the identity), and four
equations::

    δᴸ = ∇ₐC ⊙ f′(zᴸ)                    (output layer)
    δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ f′(zˡ)          (a hidden layer, from the layer after it)
    ∂C/∂bˡⱼ = δˡⱼ
    ∂C/∂wˡⱼₖ = aˡ⁻¹ₖ δˡⱼ

``explain(loss, group="neuron")`` and ``explain(loss, group="layer")`` show these
equations with the numbers of a graph built by `autograd_tiny.nn`, read from the same
backward pass as the edge-by-edge ``explain(loss)``. Nothing in the graph changes (no
``.grad`` is touched).

The equations assume that a parameter is used only inside its neuron, and a neuron's
output only by the next layer and the loss. A loss may use them other ways too: an l2
penalty squares every parameter, a weight may be shared by two neurons, a parameter or a
hidden activation may enter the loss directly. Each such use is one more path from the
value to C, and the value's gradient is the sum of the contributions of all its paths.
The views then write the gradient as that sum, the textbook term and each other path with
its number and its name (``∂C/∂w = aᵢₙ × δ + (via t9) = …``), so every number they print
is what ``backward()`` computes.

Layers are numbered as autograd_tiny names them: ``L1`` is the first layer of neurons, so
the inputs of ``L1`` are the network's inputs x (Nielsen numbers the input layer 1, so
``L1`` is his layer 2).

Batches: a loss over several samples runs every neuron once per sample. The records are per
sample (``record.sample``, numbered in the order the graph reaches them: the samples' order
for the losses in `autograd_tiny.losses`), and a parameter's gradient is the *sum* of its
per-sample ``aᵢₙ × δ`` (and of any other use); the text says so. ``sample=k`` keeps sample
k only.

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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..core.graph import backward_steps, topological_order, value_names
from ..core.limits import check_graph_size
from ..core.value import RULES, Value, operands
from ..learn.files import write_atomically
from ..learn.names import layer_number, layer_of, neuron_numbers
from .neuron_stepper import neuron_drawing, neuron_stepper_html
from .stepper import Stepper
from .text import (
    chain_text,
    natural_key,
    number,
    operand,
    operand_texts,
    plural,
    tex,
    tex_number,
    tex_operand,
    text_label,
    times,
)

__all__ = [
    "weighted_input",
    "WeightedInput",
    "PathTerm",
    "WeightTerm",
    "BackTerm",
    "NeuronRecord",
    "LayerRecord",
    "ParameterGradient",
    "NeuronView",
    "LayerView",
    "explain_neurons",
    "explain_layers",
]

# The activation ops a neuron applies to its weighted input z (a "linear" neuron has none).
ACTIVATION_OPS = ("relu", "tanh", "sigmoid")
# The name of each activation function f in the views: σ is the logistic function only.
ACTIVATION_SYMBOLS = {"sigmoid": "σ", "tanh": "tanh", "relu": "relu", "linear": "id"}
TEX_ACTIVATION_SYMBOLS = {"sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\mathrm{relu}", "linear": r"\mathrm{id}"}
# Matrices and vectors with more rows or columns than this are shown abbreviated.
MATRIX_LIMIT = 8
# A sum's terms are written out for at most this many terms (samples, edges of a path).
SUM_LIMIT = 4
# The largest graph the neuron and layer views read: values, and edges. Reading records is
# cheap (micrograd's whole batch, MLP(2, [16, 16, 1]) on 100 points, 8,112 values and
# 69,148 edges, takes a third of a second); a million values would take a minute.
TEXTBOOK_LIMIT = 100_000
# The most neuron records the neuron view writes as Markdown: each is about 2 kB of LaTeX, and
# a notebook renders a few hundred equations legibly, not the 6.8 MB of that whole batch
# (3,300 records). 100 is three samples of micrograd's 33 neurons; the notebooks show 4.
NEURON_MARKDOWN_LIMIT = 100
# Said once by each view: how our layer numbers relate to Nielsen's.
NIELSEN_NOTE = (
    "Layers are numbered from the first layer of neurons: L1 is Nielsen's layer 2 (he numbers the inputs layer 1)."
)
# Said by each view of several samples: names count from 1 (x1, w1, N1, L1), samples do not.
SAMPLE_NOTE = "Samples are numbered from 0, as sample=k counts them."
# Said when the parameters changed after the graph was built (e.g. explain after opt.step()).
STALE_NOTE = (
    "The parameters changed after this graph was built (an optimizer step?): every number here is the "
    "graph's, from the values its forward pass used, as backward() on it computes them; build the loss "
    "again to explain the new values."
)
# Said by each view that shows a relu neuron.
RELU_NOTE = "relu′(0) is taken as 0: relu has no derivative at 0, and 0 is a subgradient there (a convention)."


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
        weight_edges: for each weight, the edge (node, parent index) by which it enters z.
        input_edges: for each input, its edge into z, or None for a plain number.
        bias_edge: the edge by which b enters z.
        inner: the nodes computed inside the neuron on the way to z (z included).
    """

    z: Value
    weights: tuple
    inputs: tuple
    input_data: tuple
    bias: Value
    weight_edges: tuple = ()
    input_edges: tuple = ()
    bias_edge: tuple | None = None
    inner: tuple = ()


def weighted_input(output: Value) -> WeightedInput:
    """Read z, the weights, the inputs and the bias of the neuron whose output is `output`.

    The activation's parent is z (a linear neuron's output is z itself). z is either one
    fused ``affine`` node (parents w₁…wₙ, x₁…xₙ, b) or, as `Neuron` builds it with
    ``expand=True`` and micrograd does, a chain of ``add`` nodes over ``mul`` nodes wᵢ · xᵢ,
    starting with b.

    Raises:
        ValueError: `output` was not made by a neuron of `autograd_tiny.nn`.

    >>> from autograd_tiny import Neuron
    >>> n = Neuron(2, activation="tanh", seed=0)
    >>> parts = weighted_input(n([1.0, 2.0]))
    >>> [w.label for w in parts.weights], parts.input_data, parts.bias.label
    (['N1.w1', 'N1.w2'], (1.0, 2.0), 'N1.b')
    """
    scope = output.scope
    z = output
    if output.op in ACTIVATION_OPS and output.parents and output.parents[0].scope == scope:
        z = output.parents[0]
    if z.op == "affine":
        return _fused_terms(z)
    return _expanded_terms(z, scope)


def _fused_terms(z: Value) -> WeightedInput:
    """The parts of a fused ``affine`` node: parents w…, x…, b; ∂z/∂wᵢ = xᵢ."""
    count, odd = divmod(len(z.parents) - 1, 2)
    if odd or count < 1:
        raise ValueError(f"an affine node needs parents w1..wn, x1..xn, b; this one has {len(z.parents)}")
    parents, local = z.parents, z.local_derivatives
    return WeightedInput(
        z,
        parents[:count],
        parents[count : 2 * count],
        tuple(local[:count]),
        parents[-1],
        weight_edges=tuple((z, i) for i in range(count)),
        input_edges=tuple((z, count + i) for i in range(count)),
        bias_edge=(z, 2 * count),
        inner=(z,),
    )


def _expanded_terms(z: Value, scope: Any) -> WeightedInput:
    """Walk z's chain back to its start: ``((b + w₁·x₁) + w₂·x₂) + …``, micrograd's order,
    which ``expand=True`` builds (the last product is added last, the bias comes first)."""
    products, adds, node = [], [], z
    while node.op == "add" and node.scope == scope and node.const is None:
        rest, product = node.parents
        products.append(product)
        adds.append(node)
        node = rest
    bias = node
    if bias.parents or not products or any(p.op != "mul" or p.scope != scope for p in products):
        raise ValueError(
            f"the value {text_label(z.label or z.op or 'leaf')} (scope {scope!r}) is not a neuron's "
            f"weighted input w1·x1 + … + b; group='neuron' and group='layer' explain graphs built "
            f"with Neuron, Layer or MLP"
        )
    products.reverse()
    weights = tuple(p.parents[0] for p in products)
    inputs = tuple(operands(p)[1] for p in products)
    return WeightedInput(
        z,
        weights,
        inputs,
        tuple(p.local_derivatives[0] for p in products),
        bias,
        weight_edges=tuple((p, 0) for p in products),
        input_edges=tuple((p, 1) if len(p.parents) == 2 else None for p in products),
        bias_edge=(adds[-1], 0),
        inner=(*adds, *products),
    )


# --------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PathTerm:
    """One term of a gradient written as a sum over paths: what one path contributes.

    Attributes:
        symbol: the term as it stands in the sum: ``"aᵢₙ × δ"`` (the textbook's), or
            ``"(via t9)"`` for a path through value t9.
        path: the path in words, e.g. ``"via t9 = L1.N1.w1 · L1.N1.w1, outside the neurons"``.
        value: the contribution: the sum of local derivative × upstream gradient over the
            path's edges, as the backward pass computes it.
        working: how `value` is computed (``"(−0.97 + (−0.97)) × 0.1"``), or "" when the
            symbol says it.
        textbook: True for the term the textbook's equation gives.
        through: the name of the value or neuron the path goes through ("" for the textbook's).
    """

    symbol: str
    path: str
    value: float
    working: str = ""
    textbook: bool = False
    through: str = ""


@dataclass(frozen=True)
class WeightTerm:
    """One weight of one neuron (one sample): ``∂C/∂w``, with its textbook term ``aᵢₙ × δ``.

    Attributes:
        weight: the weight Value; name: its name; data: its number when the graph was built
            (the number the forward and backward passes used).
        input_name: what feeds it (``"a(L1.N2)"``, an input's name, or a number).
        source: the input as the graph holds it (a Value, or a plain number).
        a_in: the input's number.
        contribution: aᵢₙ × δ, what this neuron's use of w (in this sample) contributes.
        gradient: ∂C/∂w, the weight's whole gradient: equal to ``w.grad`` after one
            ``backward()``. It is `contribution` when w is used nowhere else.
        terms: the terms of `gradient`, one per path (the textbook one first).
    """

    weight: Value
    name: str
    data: float
    input_name: str
    source: Any
    a_in: float
    contribution: float
    gradient: float
    terms: tuple = ()


@dataclass(frozen=True)
class BackTerm:
    """One term ``wₖⱼ δₖ`` of a hidden neuron's backpropagated sum.

    Attributes:
        neuron: the later neuron k that uses this neuron's output.
        weight: the weight wₖⱼ it multiplies the output by; weight_name: its name.
        w: its number (the local derivative of that edge); delta: δₖ; product: w × δₖ.
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
        z: the weighted input; a: the activation f(z).
        sigma_prime: f′(z), the activation's local derivative (1 for linear).
        grad_a: ∂C/∂a, the sum of everything that flows back into a.
        grad_a_terms: the terms of `grad_a`, one per kind of path: Σₖ wₖⱼ δₖ (the later
            neurons), ∇ₐC (straight from the loss), other uses.
        loss_gradient: the part of ∂C/∂a coming straight from nodes outside any neuron (the
            loss): ∇ₐC for an output neuron; None when a feeds only other neurons.
        back_terms: for a hidden neuron, the terms wₖⱼ δₖ of Σₖ wₖⱼ δₖ.
        delta: δ = ∂C/∂z, as the backward pass computes it.
        delta_terms: the terms of `delta`: ∂C/∂a · f′(z), and any other use of z.
        weights: one `WeightTerm` per weight.
        bias: the bias Value; bias_name: its name; bias_data: its number.
        bias_gradient: ∂C/∂b (δ when b is used nowhere else); bias_terms: its terms.
        z_name, a_name: the names of z and a in the edge-by-edge view and in drawings.
        z_node, a_node: the values z and a.
        stale: True when the parameters changed after the graph was built (an optimizer
            step): every number is still the graph's, as ``backward()`` on it computes them.
    """

    name: str
    layer: str
    sample: int
    activation: str
    z: float
    a: float
    sigma_prime: float
    grad_a: float
    grad_a_terms: tuple
    loss_gradient: float | None
    back_terms: tuple
    delta: float
    delta_terms: tuple
    weights: tuple
    bias: Value
    bias_name: str
    bias_data: float
    bias_gradient: float
    bias_terms: tuple
    z_name: str
    a_name: str
    z_node: Value
    a_node: Value
    stale: bool = False

    @property
    def hidden(self) -> bool:
        """True when the neuron's output feeds later neurons."""
        return bool(self.back_terms)


@dataclass(frozen=True)
class ParameterGradient:
    """A parameter's whole gradient as the sum of its terms (all samples, all uses).

    Attributes:
        parameter: the Value; name: its name; gradient: ∂C/∂p, equal to ``p.grad`` after
        one ``backward()``; terms: one `PathTerm` per sample's aᵢₙ × δ (or δ) and per other use.
    """

    parameter: Value
    name: str
    gradient: float
    terms: tuple

    @property
    def other_terms(self) -> tuple:
        """The terms that are not the textbook's (penalties, shared weights, direct uses)."""
        return tuple(t for t in self.terms if not t.textbook)


@dataclass(frozen=True)
class LayerRecord:
    """One layer in one sample, as vectors and matrices (rows: this layer's neurons).

    Attributes:
        name: ``"L1"``; sample: 0-based; neurons: the neurons' names, in order.
        activation: the activation of the layer's neurons (``"mixed"`` if they differ).
        inputs: aˡ⁻¹, the layer's input vector (the first neuron's inputs).
        z, a, sigma_prime, delta: the vectors zˡ, aˡ, f′(zˡ), δˡ.
        grad_a: ∂C/∂aˡ, everything that flows back into each output.
        weights: the weight matrix wˡ (one row per neuron, one column per input).
        weight_contributions: δˡ (aˡ⁻¹)ᵀ, the textbook's matrix (this sample's share when
            the loss runs several samples).
        weight_gradients: ∂C/∂wˡ, each entry the weight's whole gradient (``w.grad``).
        bias_gradients: ∂C/∂bˡ, each entry the bias's whole gradient (``b.grad``).
        loss_gradient: ∇ₐC straight from the loss, for a layer whose outputs all reach the
            loss directly, else None.
        next_layer: the layer fed by this one (None for the output layer).
        next_weights: wˡ⁺¹ restricted to this layer's outputs (rows: next layer's neurons).
        next_delta: δˡ⁺¹; backpropagated: (wˡ⁺¹)ᵀ δˡ⁺¹.
        grad_a_other: ∂C/∂aˡ's terms beyond the textbook's (direct uses of a hidden output,
            other uses), per neuron, or None when there are none.
        delta_other: δˡ's terms beyond ∂C/∂a ⊙ f′(z) (other uses of z), or None.
        weight_other, bias_other: the terms of ∂C/∂wˡ and ∂C/∂bˡ beyond the textbook's
            (penalties, shared weights, direct uses; in a batch, also the other samples'
            shares), same shape, or None when there are none.
    """

    name: str
    sample: int
    neurons: tuple
    activation: str
    inputs: tuple
    z: tuple
    a: tuple
    sigma_prime: tuple
    grad_a: tuple
    delta: tuple
    weights: tuple
    weight_contributions: tuple
    weight_gradients: tuple
    bias_gradients: tuple
    loss_gradient: tuple | None
    next_layer: str | None
    next_weights: tuple | None
    next_delta: tuple | None
    backpropagated: tuple | None
    grad_a_other: tuple | None = None
    delta_other: tuple | None = None
    weight_other: tuple | None = None
    bias_other: tuple | None = None


# --------------------------------------------------------------------------------------
# Reading the records from one pure backward pass
# --------------------------------------------------------------------------------------


def _layer_name(scope: str) -> str:
    """``"L2"`` of ``"L2.N1"``; a neuron without a layer is its own layer."""
    return layer_of(scope) or scope


def _neuron(out: Value) -> str:
    """The neuron that computed `out`, its scope (``"L1.N2"``); `_neuron_outputs` keeps only those with one."""
    return out.scope if isinstance(out.scope, str) else ""


def _neuron_outputs(order: list) -> list:
    """The output node of every neuron run in the graph: in scope, used by nothing in scope."""
    used_inside = set()
    for node in order:
        for parent in node.parents:
            if parent.scope is not None and parent.scope == node.scope:
                used_inside.add(parent)
    return [n for n in order if n.parents and isinstance(n.scope, str) and n not in used_inside]


def _sum(steps: Sequence) -> float:
    """The contributions of `steps` added in the pass's order, as backward() adds them."""
    total = 0.0
    for step in steps:
        total += step.contribution
    return total


def _working(steps: Sequence) -> str:
    """How the steps' contributions are computed: local derivative × upstream gradient.

    Edges from one node share its upstream gradient: ``(w + w) × 0.1`` for w · w.
    """
    if not steps or len(steps) > SUM_LIMIT:
        return ""
    groups: list = []  # [(node, upstream, [local derivatives])]
    for step in steps:
        if groups and groups[-1][0] is step.node:
            groups[-1][2].append(step.local)
        else:
            groups.append((step.node, step.upstream, [step.local]))
    parts = []
    for _node, upstream, local in groups:
        first = (
            operand(local[0])
            if len(local) == 1
            else "(" + " + ".join([number(local[0])] + [operand(d) for d in local[1:]]) + ")"
        )
        parts.append(f"{first} × {operand(upstream)}")
    return " + ".join(parts)


def _used_weight(wi: WeightedInput, i: int) -> float:
    """The number weight i had when the graph was built: the local derivative of its input's
    edge (∂z/∂aᵢ = wᵢ); ``w.data`` when the input is a plain number (an expanded neuron)."""
    edge = wi.input_edges[i] if i < len(wi.input_edges) else None
    if edge is None:
        return wi.weights[i].data
    node, index = edge
    return node.local_derivatives[index]


def _stale(wi: WeightedInput) -> bool:
    """True when the parameters changed after the graph was built (an optimizer step).

    z is recomputed from today's w and b in the order the forward pass summed it,
    ((b + w₁·a₁) + w₂·a₂) + …, so unchanged parameters give z bit for bit.
    """
    total = wi.bias.data
    for w, a in zip(wi.weights, wi.input_data):
        total = total + w.data * a
    return not (total == wi.z.data or (total != total and wi.z.data != wi.z.data))


class _Pass:
    """One pure backward pass of `root` (graph.backward_steps: no ``.grad`` changes), read
    neuron by neuron: every value's gradient, every edge's step, and the role of each edge
    that a neuron's equations account for.

    Attributes:
        names: every value's name (graph.value_names, as in every other view).
        gradients: ∂C/∂v for every value v, bit for bit what ``backward()`` stores.
        into: for each value, the steps whose contributions add up to its gradient.
        parts: for each neuron output (one per neuron and sample), (sample, WeightedInput).
        roles: (node, parent index) → (neuron output, kind, index) for the edges inside a
            neuron; kind is "weight", "input", "bias", "activation" or "inner".
    """

    def __init__(self, root: Value) -> None:
        order = topological_order(root)
        self.names = value_names(order)
        self.gradients: dict = {root: 1.0}
        self.into: dict = {}
        for step in backward_steps(root):
            self.gradients[step.parent] = step.grad_after
            self.into.setdefault(step.parent, []).append(step)
        outputs = _neuron_outputs(order)
        if not outputs:
            raise ValueError(
                "this graph has no neuron: group='neuron' and group='layer' explain graphs built with "
                "Neuron, Layer or MLP; use explain(root) for the edge-by-edge view"
            )
        seen: dict = {}
        self.parts: dict = {}
        for out in outputs:
            sample = seen.get(out.scope, 0)
            seen[out.scope] = sample + 1
            self.parts[out] = (sample, weighted_input(out))
        self.samples = max(seen.values())
        self.roles: dict = {}
        self._described: dict = {}  # (node, parent index) -> describe(): computed once per edge
        for out, (_, wi) in self.parts.items():
            for i, edge in enumerate(wi.weight_edges):
                self.roles[edge] = (out, "weight", i)
            for i, edge in enumerate(wi.input_edges):
                if edge is not None:
                    self.roles[edge] = (out, "input", i)
            self.roles[wi.bias_edge] = (out, "bias", 0)
            if out is not wi.z:
                self.roles[(out, 0)] = (out, "activation", 0)
            for node in wi.inner:  # the add chain of an expanded neuron
                for k in range(len(node.parents)):
                    self.roles.setdefault((node, k), (out, "inner", k))

    def where(self, out: Value) -> str:
        """A neuron run as text: ``L1.N2``, or ``L1.N2, sample 3`` when there are several."""
        sample = self.parts[out][0]
        return text_label(_neuron(out)) + (f", sample {sample}" if self.samples > 1 else "")

    def describe(self, step: Any) -> tuple[str, str, str]:
        """(symbol, path, through) of the path that `step` is an edge of (not the textbook's)."""
        key = (step.node, step.parent_index)
        if key not in self._described:
            self._described[key] = self._describe(step)
        return self._described[key]

    def _describe(self, step: Any) -> tuple[str, str, str]:
        role = self.roles.get((step.node, step.parent_index))
        if role is None:
            node = step.node
            name = text_label(self.names[node])
            as_names, _ = operand_texts(node, self.names)
            expression = RULES[node.op].write(as_names, out=name)
            expression = f" = {expression}" if len(expression) <= 60 else ""
            square = node.op == "mul" and len(node.parents) == 2 and node.parents[0] is node.parents[1]
            square = square and not step.parent.parents  # a parameter (a leaf) squared
            note = ", a square as in an l2 penalty" if square else ""
            return f"(via {name})", f"via {name}{expression}, outside the neurons{note}", self.names[node]
        out, kind, index = role
        where = self.where(out)
        words = {
            "weight": f"as weight w{index + 1} of {where}: its aᵢₙ × δ",
            "bias": f"as the bias of {where}: its δ",
            "input": f"as input {index + 1} of {where}: w × δ there",
            "activation": f"into the activation of {where}",
            "inner": f"inside {where}",
        }
        symbol = f"(via {where} w{index + 1})" if kind == "weight" else f"(via {where})"
        return symbol, words[kind], _neuron(out)

    def other_terms(self, value: Value, skip: set) -> list:
        """The terms of `value`'s gradient along every edge not in `skip`, one per path."""
        groups: dict = {}
        for step in self.into.get(value, ()):
            if (step.node, step.parent_index) not in skip:
                groups.setdefault(self.describe(step), []).append(step)
        return [
            PathTerm(symbol, path, _sum(steps), _working(steps), through=through)
            for (symbol, path, through), steps in groups.items()
        ]

    def step(self, value: Value, edge: tuple) -> Any:
        """The step of `edge` into `value`."""
        return next(s for s in self.into[value] if (s.node, s.parent_index) == edge)

    # ------------------------------------------------------------------ records

    def record(self, out: Value) -> NeuronRecord:
        sample, wi = self.parts[out]
        z, names, gradients = wi.z, self.names, self.gradients
        delta = gradients[z]
        linear = out is z
        sigma_prime = 1.0 if linear else out.local_derivatives[0]
        grad_a = gradients[out]
        back, a_terms = self._activation_terms(out)
        if linear:
            delta_terms: tuple = (PathTerm("∂C/∂a", "a = z", delta, textbook=True),)
        else:
            own = self.step(z, (out, 0))
            textbook = PathTerm("∂C/∂a · f′(z)", "", own.contribution, times(grad_a, sigma_prime), textbook=True)
            delta_terms = (textbook, *self.other_terms(z, {(out, 0)}))
        inputs = [self._input_name(source, i) for i, source in enumerate(wi.inputs)]
        weights = []
        for i, (w, name, source, a_in) in enumerate(zip(wi.weights, inputs, wi.inputs, wi.input_data)):
            own_term = PathTerm("aᵢₙ × δ", f"aᵢₙ = {name}", a_in * delta, times(a_in, delta), textbook=True)
            terms = self._own_terms(w, wi.weight_edges[i], own_term, out)
            used = _used_weight(wi, i)
            weights.append(WeightTerm(w, names[w], used, name, source, a_in, a_in * delta, gradients[w], terms))
        bias_terms = self._own_terms(wi.bias, wi.bias_edge, PathTerm("δ", "", delta, textbook=True), out)
        loss = [t.value for t in a_terms if t.symbol == "∇ₐC"]
        return NeuronRecord(
            name=_neuron(out),
            layer=_layer_name(_neuron(out)),
            sample=sample,
            activation=out.op if not linear else "linear",
            z=z.data,
            a=out.data,
            sigma_prime=sigma_prime,
            grad_a=grad_a,
            grad_a_terms=a_terms,
            loss_gradient=loss[0] if loss else None,
            back_terms=back,
            delta=delta,
            delta_terms=delta_terms,
            weights=tuple(weights),
            bias=wi.bias,
            bias_name=names[wi.bias],
            bias_data=wi.bias.data,
            bias_gradient=gradients[wi.bias],
            bias_terms=bias_terms,
            z_name=names[z],
            a_name=names[out],
            z_node=z,
            a_node=out,
            stale=_stale(wi),
        )

    def _own_terms(self, parameter: Value, edge: tuple, textbook: PathTerm, out: Value) -> tuple:
        """The textbook term of `parameter` in its neuron, then every other path."""
        terms = [textbook]
        contribution = self.step(parameter, edge).contribution
        if contribution != textbook.value:
            # Only when a value inside an expanded neuron (its partial sums) is used elsewhere too.
            rest = contribution - textbook.value
            terms.append(
                PathTerm(
                    f"(via {self.where(out)})",
                    "through other uses of the neuron's partial sums",
                    rest,
                    through=_neuron(out),
                )
            )
        # In a batch the same neuron uses the parameter once per sample: one term for the others.
        own_role = self.roles[edge]
        skip, others = {edge}, []
        for step in self.into[parameter]:
            role = self.roles.get((step.node, step.parent_index))
            if role is not None and role[0] is not out and role[0].scope == out.scope and role[1:] == own_role[1:]:
                skip.add((step.node, step.parent_index))
                others.append(step)
        if others:
            what = "aᵢₙ × δ" if own_role[1] == "weight" else "δ"
            path = f"the same neuron in the other {plural(len(others), 'sample')}: their {what}"
            terms.append(PathTerm("(other samples)", path, _sum(others), textbook=True, through=_neuron(out)))
        return tuple(terms + self.other_terms(parameter, skip))

    def _activation_terms(self, out: Value) -> tuple[tuple, tuple]:
        """The back terms wₖⱼ δₖ of ∂C/∂a, and ∂C/∂a's terms: Σₖ wₖⱼ δₖ, ∇ₐC, other uses."""
        back, back_steps, loss_steps, inside = [], [], [], 0.0
        skip = set()
        for step in self.into.get(out, ()):
            role = self.roles.get((step.node, step.parent_index))
            if role is not None and role[1] == "input":
                later, _, index = role
                lwi = self.parts[later][1]
                delta = self.gradients[lwi.z]
                weight = lwi.weights[index]
                back.append(BackTerm(_neuron(later), weight, self.names[weight], step.local, delta, step.local * delta))
                back_steps.append(step)
                inside += step.contribution - step.local * delta
                skip.add((step.node, step.parent_index))
            elif role is None:
                loss_steps.append(step)
                skip.add((step.node, step.parent_index))
        back.sort(key=lambda t: natural_key(t.neuron))
        terms = []
        if back:
            working = " + ".join(times(t.w, t.delta) for t in back) if len(back) <= SUM_LIMIT else ""
            terms.append(PathTerm("Σₖ wₖⱼ δₖ", "the later neurons", math.fsum(t.product for t in back), working, True))
            if inside:
                terms.append(PathTerm("(inside the later neurons)", "through other uses of their partial sums", inside))
        if loss_steps:
            terms.append(PathTerm("∇ₐC", "straight from the loss", _sum(loss_steps), textbook=not back))
        terms += self.other_terms(out, skip)
        if not terms:  # nothing flows into a: it is C itself, where the backward pass starts with 1
            terms.append(PathTerm("1", "a is C itself", self.gradients[out], textbook=True))
        return tuple(back), tuple(terms)

    def _input_name(self, source: Any, index: int) -> str:
        """``a(L1.N2)`` for a neuron's output, a value's name, or ``input 1`` for a plain number."""
        if isinstance(source, Value):
            return f"a({source.scope})" if source in self.parts else self.names[source]
        return f"input {index + 1}"

    def parameter_gradients(self, records: list) -> list:
        """Every parameter of `records`: its gradient as the sum over all its uses."""
        found: dict = {}
        for r in records:
            for t in r.weights:
                found.setdefault(t.weight, t.name)
            found.setdefault(r.bias, r.bias_name)
        result = []
        for p, name in found.items():
            textbook, skip = [], set()
            for step in self.into.get(p, ()):
                role = self.roles.get((step.node, step.parent_index))
                if role is not None and role[1] in ("weight", "bias"):
                    symbol = "aᵢₙ × δ" if role[1] == "weight" else "δ"
                    key = (self.parts[role[0]][0], natural_key(_neuron(role[0])))
                    textbook.append((key, PathTerm(symbol, self.where(role[0]), step.contribution, textbook=True)))
                    skip.add((step.node, step.parent_index))
            textbook.sort(key=lambda item: item[0])  # sample by sample (the pass runs them backwards)
            terms = [term for _, term in textbook] + self.other_terms(p, skip)
            result.append(ParameterGradient(p, name, self.gradients[p], tuple(terms)))
        return result


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


def _symbol(letter: str, neuron: str) -> str:
    r"""A neuron's quantity in LaTeX: ``z^{2}_{1}`` for L2.N1, else the name as a subscript.

    >>> _symbol("z", "L2.N1"), _symbol(r"\delta", "N1")
    ('z^{2}_{1}', '\\delta_{\\mathrm{N1}}')
    """
    numbers = neuron_numbers(neuron)
    if numbers:
        return f"{letter}^{{{numbers[0]}}}_{{{numbers[1]}}}"
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
    """f′(z) as the activation's rule writes it (engine.RULES), e.g. ``a · (1 − a)`` for σ."""
    if record.activation == "linear":
        return "1"
    return RULES[record.activation].derivative(0, [z], out=a)


def _prime(activation: str) -> str:
    """The name of the activation's derivative: ``σ′(z)``, ``tanh′(z)``, ``relu′(z)``, ``id′(z)``."""
    return f"{ACTIVATION_SYMBOLS.get(activation, 'f')}′(z)"  # f: a layer whose neurons differ


def _tex_prime(activation: str, z: str) -> str:
    """The activation's derivative in LaTeX: ``\\sigma'(z)``, ``\\tanh'(z)``."""
    return f"{TEX_ACTIVATION_SYMBOLS.get(activation, 'f')}'({z})"


def _shown(items: Sequence) -> list:
    """The entries a vector shows: all, or the first ones, None (a gap), and the last one."""
    if len(items) <= MATRIX_LIMIT:
        return list(items)
    return list(items[: MATRIX_LIMIT - 2]) + [None, items[-1]]


def _vector_text(values: Sequence[float]) -> str:
    """``[0.1, 0.2, …, 0.9]``."""
    return "[" + ", ".join("…" if v is None else number(v) for v in _shown(values)) + "]"


def _matrix_text(rows: Sequence[Sequence[float]], indent: str) -> list[str]:
    """A matrix as aligned text rows; an abbreviated one ends with a line that says so."""
    shown = [None if row is None else _shown(row) for row in _shown(rows)]
    columns = len(_shown(rows[0]))  # the entries each shown row has
    cells = [["⋮"] * columns if row is None else ["…" if v is None else number(v) for v in row] for row in shown]
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


# --------------------------------------------------------------------------------------
# Writing a gradient as a sum of its terms
# --------------------------------------------------------------------------------------


def _term_text(term: PathTerm, symbol: str) -> str:
    """One term on a line of its own: the textbook's with its working, another with its path."""
    if term.textbook:
        note = f"  ({term.path})" if term.path else ""
        return chain_text(symbol, term.working, number(term.value)) + note
    return f"{term.path}: " + chain_text(term.working, number(term.value))


def _sum_lines(
    lhs: str, terms: Sequence[PathTerm], total: float, indent: str, symbols: dict | None = None
) -> list[str]:
    """``lhs = t₁ + t₂ = 0.1 + 0.04 = 0.14`` and one line per term; one term stays on one line.

    The total is the gradient of the backward pass, not a sum computed here, so the number
    shown is ``.grad``'s even where float addition in another order would differ.
    """
    symbols = symbols or {}
    shown = [symbols.get(t.symbol, t.symbol) for t in terms]
    if len(terms) == 1:
        t = terms[0]
        note = f"  ({t.path})" if t.path else ""
        return [f"{indent}{lhs} = " + chain_text(shown[0], t.working, number(total)) + note]
    lines = [f"{indent}{lhs} = {' + '.join(shown)} = {' + '.join(operand(t.value) for t in terms)} = {number(total)}"]
    lines += [f"{indent}  {_term_text(t, s)}" for t, s in zip(terms, shown)]
    return lines


def _tex_working(text: str) -> str:
    """A working (numbers, ×, +, parentheses) in LaTeX."""
    return text.replace("×", r"\times").replace("−", "-")


def _tex_sum(lhs: str, terms: Sequence[PathTerm], total: float, symbols: dict | list) -> list[str]:
    """`_sum_lines` in Markdown with LaTeX: the sum, then one sub-item per other path.

    `symbols` maps a term's text symbol to LaTeX, or lists the terms' LaTeX symbols in order.
    """
    by_term = {id(t): symbols[i] for i, t in enumerate(terms)} if isinstance(symbols, list) else {}

    def symbol(t: PathTerm) -> str:
        if by_term:
            return by_term[id(t)]
        assert isinstance(symbols, dict)
        if t.symbol in symbols:
            return symbols[t.symbol]
        if t.through:
            return rf"(\text{{via }} {tex(t.through)})"
        # Our own words (no label): "1" for C itself, "(inside the later neurons)".
        return _tex_working(t.symbol) if t.textbook else rf"\text{{{t.symbol}}}"

    if len(terms) == 1:
        t = terms[0]
        kept: list[str] = []
        for part in (lhs, symbol(t), _tex_working(t.working), tex_number(total)):
            if part and (not kept or part != kept[-1]):  # no "= 1 = 1"
                kept.append(part)
        return ["  - $" + " = ".join(kept) + "$"]
    lines = [
        f"  - ${lhs} = {' + '.join(symbol(t) for t in terms)} = "
        f"{' + '.join(tex_operand(t.value) for t in terms)} = {tex_number(total)}$"
    ]
    for t in terms:
        if not t.textbook:
            working = f"{_tex_working(t.working)} = " if t.working else ""
            lines.append(f"    - the path via ${tex(t.through)}$: ${working}{tex_number(t.value)}$")
    return lines


def _others(terms: Sequence[PathTerm]) -> float | None:
    """The sum of the terms that are not the textbook's, or None when there are none."""
    rest = [t.value for t in terms if not t.textbook]
    return math.fsum(rest) if rest else None


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
        parameters: a `ParameterGradient` per parameter: its whole gradient as a sum.
    """

    def __init__(self, root: Value, *, sample: int | None = None) -> None:
        graph = _Pass(root)
        records = [graph.record(out) for out in graph.parts]
        records.sort(key=lambda r: (r.sample, natural_key(r.name)))
        self.root = root
        self.samples = graph.samples
        self.sample = _check_sample(sample, self.samples)
        self.records = [r for r in records if self.sample is None or r.sample == self.sample]
        self.names = graph.names
        self.gradients = graph.gradients
        self.parameters = graph.parameter_gradients(records)

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

    def _notes(self) -> list[str]:
        """The lines every view says once: layer numbers, relu′(0) where relu is used, and
        parameters changed since the graph was built."""
        notes = [NIELSEN_NOTE]
        if any(r.activation == "relu" for r in self.records):
            notes.append(RELU_NOTE)
        if any(r.stale for r in self.records):
            notes.append(STALE_NOTE)
        return notes

    def __str__(self) -> str:
        lines = [
            f"Backprop neuron by neuron ({self._cost_clause()}δ = ∂C/∂z, the neuron's error; a = f(z), "
            "f its activation). δ flows backwards, so the output layer comes first.",
            "The loss nodes outside the neurons give ∇ₐC for the output layer; a value that reaches C along "
            "other paths too has the sum of all their contributions as its gradient.",
            *self._notes(),
        ]
        lines += self._batch_sentence()
        for sample, layers in self._by_sample():
            if self.samples > 1:
                lines += ["", f"Sample {sample}:"]
            for layer, records in layers:
                lines += ["", f"Layer {text_label(layer)}:"]
                for record in records:
                    lines += self.neuron_lines(record)
        lines += self._sums_text()
        return "\n".join(lines)

    def _batch_sentence(self) -> list[str]:
        if self.samples == 1:
            return []
        if self.sample is None:
            return [
                f"The loss runs the network on {self.samples} samples: each sample has its own z, a and δ, "
                "and a parameter's gradient is the sum of its per-sample aᵢₙ × δ and of its other uses (at the end). "
                + SAMPLE_NOTE
            ]
        return [
            f"Sample {self.sample} of {self.samples}: its aᵢₙ × δ is this sample's share of each parameter's "
            "gradient, which sums over every sample (at the end). " + SAMPLE_NOTE
        ]

    def neuron_lines(self, r: NeuronRecord) -> list[str]:
        """The text of one neuron (a record of `neuron`): z and a, ∂C/∂a, δ and its gradients."""
        name = text_label(r.name)
        inputs = " + ".join(f"{times(t.data, t.a_in)}" for t in r.weights)
        if r.activation == "linear":
            a = f"a = z = {number(r.a)} (linear: the identity)"
        else:
            a = f"a = {ACTIVATION_SYMBOLS[r.activation]}(z) = {number(r.a)}"
        if r.stale:
            z = f"z = Σ w·aᵢₙ + b = {number(r.z)} (with the values w and b had when the graph was built)"
        else:
            z = f"z = Σ w·aᵢₙ + b = {inputs} + {operand(r.bias_data)} = {number(r.z)}"
        lines = [f"  neuron {name}: {z};  {a}"]
        lines += _sum_lines("∂C/∂a", r.grad_a_terms, r.grad_a, "    ")
        for t in r.back_terms:
            lines.append(
                f"      ({text_label(t.weight_name)} = {number(t.w)}, δ of {text_label(t.neuron)} = {number(t.delta)})"
            )
        prime = _prime(r.activation)
        if r.activation == "linear":
            lines += _sum_lines("δ = ∂C/∂z", r.delta_terms, r.delta, "    ", {"∂C/∂a": "∂C/∂a"})
            lines[-1] = lines[-1].replace("(a = z)", "(a = z: the identity, derivative 1)")
        else:
            formula = _formula(r, "z", "a")
            lines.append(f"    {chain_text(prime, formula, number(r.sigma_prime))}")
            lines += _sum_lines("δ", r.delta_terms, r.delta, "    ", {"∂C/∂a · f′(z)": f"∂C/∂a · {prime}"})
        if self.samples == 1:
            for t in r.weights:
                lines += _sum_lines(f"∂C/∂{text_label(t.name)}", t.terms, t.gradient, "    ")
            lines += _sum_lines(f"∂C/∂{text_label(r.bias_name)}", r.bias_terms, r.bias_gradient, "    ")
        else:
            for t in r.weights:
                lines.append(
                    f"    this sample's aᵢₙ × δ for {text_label(t.name)} = {times(t.a_in, r.delta)} = "
                    f"{number(t.contribution)}  (aᵢₙ = {text_label(t.input_name)})"
                )
            lines.append(f"    this sample's δ for {text_label(r.bias_name)} = {number(r.delta)}")
        lines.append(
            f"    (edge by edge, explain({self._cost()}): δ is the upstream gradient ∂C/∂{text_label(r.z_name)} "
            f"arriving at the neuron's sum {text_label(r.z_name)}; a is {text_label(r.a_name)})"
        )
        return lines

    def _sums_text(self) -> list[str]:
        if self.samples == 1:
            return []
        lines = [
            "",
            f"Parameter gradients (each the sum of its contributions: aᵢₙ × δ, or δ for a bias, "
            f"from each of the {self.samples} samples, and any other use):",
        ]
        for p in self.parameters:
            lines += _parameter_lines(p, "  ")
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
            + r"$\delta^l_j = \partial C / \partial z^l_j$, $a^l_j = f(z^l_j)$ with $f$ the activation: "
            r"$\sigma$ (logistic), $\tanh$, $\mathrm{relu}$ or the identity). The output layer comes first: "
            r"$\delta^L_j = \frac{\partial C}{\partial a^L_j}\,f'(z^L_j)$, "
            r"$\delta^l_j = \big(\sum_k w^{l+1}_{kj}\delta^{l+1}_k\big)\,f'(z^l_j)$, "
            r"$\frac{\partial C}{\partial b^l_j} = \delta^l_j$, "
            r"$\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_k\,\delta^l_j$. "
            "A value that reaches $C$ along other paths too (a penalty, a shared weight, a direct use) "
            "has the sum of all their contributions as its gradient; the sums below show every term.",
            "",
            *self._notes(),
        ]
        lines += ["", *self._batch_sentence()] if self.samples > 1 else []
        for sample, layers in self._by_sample():
            if self.samples > 1:
                lines += ["", f"**Sample {sample}**"]
            for layer, records in layers:
                lines += ["", f"*Layer ${tex(layer)}$*", ""]
                for record in records:
                    lines += self._neuron_markdown(record)
        if self.samples > 1:
            lines += ["", f"**Parameter gradients** (sums over the {self.samples} samples and any other use)", ""]
            for p in self.parameters:
                terms, symbols = _parameter_display(p)
                lines += _tex_sum(rf"\frac{{\partial C}}{{\partial {tex(p.name)}}}", terms, p.gradient, symbols)
        return "\n".join(lines)

    def _neuron_markdown(self, r: NeuronRecord) -> list[str]:
        z, a, d = _symbol("z", r.name), _symbol("a", r.name), _symbol(r"\delta", r.name)
        shown_a = f"{a} = {z}" if r.activation == "linear" else f"{a} = {TEX_ACTIVATION_SYMBOLS[r.activation]}({z})"
        lines = [f"- neuron ${tex(r.name)}$: ${z} = {tex_number(r.z)}$, ${shown_a} = {tex_number(r.a)}$"]
        dc_da = f"\\frac{{\\partial C}}{{\\partial {a}}}"
        if r.back_terms:
            terms = " + ".join(f"{tex_operand(t.w)} \\cdot {tex_operand(t.delta)}" for t in r.back_terms)
            symbols = " + ".join(tex(t.weight_name) + r"\," + _symbol(r"\delta", t.neuron) for t in r.back_terms)
            back = f"{symbols} = {terms}" if len(r.back_terms) <= SUM_LIMIT else symbols
        else:
            back = ""
        a_symbols = {"Σₖ wₖⱼ δₖ": r"\sum_k w_{kj}\delta_k", "∇ₐC": f"\\nabla_{{{a}}} C"}
        if len(r.grad_a_terms) == 1 and back:
            lines.append(f"  - ${dc_da} = \\sum_k w_{{kj}}\\delta_k = {back} = {tex_number(r.grad_a)}$")
        else:
            lines += _tex_sum(dc_da, r.grad_a_terms, r.grad_a, a_symbols)
            if back:
                lines.append(f"    - $\\sum_k w_{{kj}}\\delta_k = {back}$")
        if r.activation == "linear":
            lines += _tex_sum(d, r.delta_terms, r.delta, {"∂C/∂a": dc_da})
            lines[-1] += f" (${a} = {z}$: the identity, derivative 1)"
        else:
            prime = _tex_prime(r.activation, z)
            # Braced, so a squared superscripted symbol stays valid LaTeX: {a^{1}_{1}}^2.
            sp = (
                _formula(r, f"{{{z}}}", f"{{{a}}}")
                .replace(" · ", r" \cdot ")
                .replace("−", "-")
                .replace("²", "^2")
                .replace("≤", r"\le")
            )
            lines.append(f"  - ${prime} = {sp} = {tex_number(r.sigma_prime)}$")
            own_tex = _tex_working(r.delta_terms[0].working)
            if len(r.delta_terms) == 1:
                lines.append(f"  - ${d} = {dc_da}\\,{prime} = {own_tex} = {tex_number(r.delta)}$")
            else:
                lines += _tex_sum(d, r.delta_terms, r.delta, {"∂C/∂a · f′(z)": f"{dc_da}\\,{prime}"})
        if self.samples == 1:
            for t in r.weights:
                own = {"aᵢₙ × δ": f"{_tex_input(t)}\\,{d}"}
                lines += _tex_sum(f"\\frac{{\\partial C}}{{\\partial {tex(t.name)}}}", t.terms, t.gradient, own)
            lines += _tex_sum(
                f"\\frac{{\\partial C}}{{\\partial {tex(r.bias_name)}}}", r.bias_terms, r.bias_gradient, {"δ": d}
            )
        else:
            for t in r.weights:
                lines.append(
                    f"  - this sample's share of $\\frac{{\\partial C}}{{\\partial {tex(t.name)}}}$: "
                    f"${_tex_input(t)}\\,{d} = {tex_operand(t.a_in)} \\cdot {tex_operand(r.delta)} = "
                    f"{tex_number(t.contribution)}$"
                )
            lines.append(
                f"  - this sample's share of $\\frac{{\\partial C}}{{\\partial {tex(r.bias_name)}}}$: "
                f"${d} = {tex_number(r.delta)}$"
            )
        lines.append(
            f"  - edge by edge: ${d}$ is the upstream gradient $\\frac{{\\partial C}}{{\\partial {tex(r.z_name)}}}$ "
            f"arriving at the neuron's sum ${tex(r.z_name)}$"
        )
        return lines

    # ------------------------------------------------------------------ HTML

    def save_html(self, path: str, *, quiz: bool = False) -> str:
        """Write the neuron-level stepper: one step per neuron, forward (z, a) then backward (δ).

        The drawing has one box per neuron (its name, bias, z, a and δ) and each weight on its
        edge. The quiz (``quiz=True``) asks for each neuron's z and a, then each δ, and names
        the slips it recognises (see `autograd_tiny.show.neuron_stepper`). One sample only:
        keep one with ``explain(loss, group="neuron", sample=0)``.

        Returns:
            The path written (atomically).
        """
        return write_atomically(path, neuron_stepper_html(self, quiz=quiz))

    def stepper(self, *, quiz: bool = False) -> Stepper:
        """The neuron-level stepper, displayed inline in a notebook (see `save_html`).

        >>> from autograd_tiny import MLP, explain
        >>> model = MLP(2, [2, 1], activation="sigmoid")
        >>> explain(model([0.5, -1.0]) ** 2, group="neuron").stepper(quiz=True)
        <Stepper (quiz): display it in Jupyter, or .save('steps.html') and open it in a browser>
        """
        page = neuron_stepper_html(self, quiz=quiz)
        return Stepper(page, quiz=quiz, still=lambda: neuron_drawing(self, known=not quiz)[0])

    def _repr_markdown_(self) -> str:
        # A notebook shows the reason in the cell (a raised error would print a traceback).
        refusal = _neuron_markdown_refusal(self)
        return self.markdown() if refusal is None else f"*{refusal}*"


def _parameter_display(p: ParameterGradient) -> tuple[list, list]:
    """The terms of a parameter's sum as shown: each sample's aᵢₙ × δ by its number (or
    their Σ when there are many), then each other use; and the terms' LaTeX symbols."""
    textbook = [t for t in p.terms if t.textbook]
    others = [t for t in p.terms if not t.textbook]
    terms: list[PathTerm] = []
    symbols: list[str] = []
    if textbook and len(textbook) <= SUM_LIMIT:
        terms += [PathTerm(operand(t.value), t.path, t.value, textbook=True) for t in textbook]
        symbols += [tex_operand(t.value) for t in textbook]
    elif textbook:
        total = 0.0
        for t in textbook:
            total += t.value
        kind = textbook[0].symbol
        terms.append(PathTerm(f"Σ {kind} ({len(textbook)} uses)", "", total, textbook=True))
        symbols.append(rf"\Sigma\,(\text{{{len(textbook)} uses}})")
    terms += others
    symbols += [rf"(\text{{via }} {tex(t.through)})" for t in others]
    return terms, symbols


def _parameter_lines(p: ParameterGradient, indent: str) -> list[str]:
    """``∂C/∂w = 0.1 + 0.2 + (via t9) = …``: a parameter's whole gradient, over samples and uses."""
    terms, _ = _parameter_display(p)
    others = [t for t in terms if not t.textbook]
    lhs = f"∂C/∂{text_label(p.name)}"
    if not others:
        if len(terms) == 1:
            return [f"{indent}{lhs} = " + chain_text(terms[0].symbol, number(p.gradient))]
        return [f"{indent}{lhs} = {' + '.join(t.symbol for t in terms)} = {number(p.gradient)}"]
    line = f"{indent}{lhs} = {' + '.join(t.symbol for t in terms)} = {' + '.join(operand(t.value) for t in terms)}"
    lines = [f"{line} = {number(p.gradient)}"]
    lines += [f"{indent}  {_term_text(t, t.symbol)}" for t in others]
    return lines


# --------------------------------------------------------------------------------------
# The layer view
# --------------------------------------------------------------------------------------


def _vector_or_none(values: list) -> tuple | None:
    """The per-neuron values as a vector, or None when no neuron has one."""
    if all(v is None for v in values):
        return None
    return tuple(0.0 if v is None else v for v in values)


def _matrix_or_none(rows: list) -> tuple | None:
    if all(v is None for row in rows for v in row):
        return None
    return tuple(tuple(0.0 if v is None else v for v in row) for row in rows)


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
        backpropagated = tuple(math.fsum(t.product for t in r.back_terms) for r in records)
    outputs = all(r.loss_gradient is not None for r in records)
    activations = {r.activation for r in records}
    return LayerRecord(
        name=first.layer,
        sample=first.sample,
        neurons=tuple(r.name for r in records),
        activation=activations.pop() if len(activations) == 1 else "mixed",
        inputs=tuple(t.a_in for t in first.weights),
        z=tuple(r.z for r in records),
        a=tuple(r.a for r in records),
        sigma_prime=tuple(r.sigma_prime for r in records),
        grad_a=tuple(r.grad_a for r in records),
        delta=deltas,
        weights=tuple(tuple(t.data for t in r.weights) for r in records),
        weight_contributions=tuple(tuple(t.contribution for t in r.weights) for r in records),
        weight_gradients=tuple(tuple(t.gradient for t in r.weights) for r in records),
        bias_gradients=tuple(r.bias_gradient for r in records),
        loss_gradient=tuple(r.loss_gradient for r in records) if outputs else None,
        next_layer=next_layer,
        next_weights=next_weights,
        next_delta=next_delta,
        backpropagated=backpropagated,
        grad_a_other=_vector_or_none([_others(r.grad_a_terms) for r in records]),
        delta_other=_vector_or_none([_others(r.delta_terms) for r in records]),
        weight_other=_matrix_or_none([[_others(t.terms) for t in r.weights] for r in records]),
        bias_other=_vector_or_none([_others(r.bias_terms) for r in records]),
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
        self._groups = groups
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
            "⊙ multiplies entry by entry; f is the layer's activation: σ (logistic), tanh, relu or the identity).",
            "δᴸ = ∇ₐC ⊙ f′(zᴸ);  δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ f′(zˡ);  ∂C/∂bˡ = δˡ;  ∂C/∂wˡ = δˡ (aˡ⁻¹)ᵀ",
            "Where a value also reaches C along other paths, its gradient adds their contributions (shown as + other uses).",
            *self.neurons._notes(),
        ]
        lines += self.neurons._batch_sentence()
        for sample, records in self._backwards():
            if self.samples > 1:
                lines += ["", f"Sample {sample}:"]
            for r in records:
                lines += ["", *self._layer_text(r)]
        if self.samples > 1:
            lines += ["", *self._totals_text()]
        return "\n".join(lines)

    def _textbook(self, r: LayerRecord, what: str) -> tuple:
        """Per neuron, the sum of the textbook's terms of ∂C/∂a ("a") or of δ ("delta")."""
        records = self._groups[(r.sample, r.name)]
        terms = [record.grad_a_terms if what == "a" else record.delta_terms for record in records]
        return tuple(math.fsum(t.value for t in ts if t.textbook) for ts in terms)

    def _plus_other_uses(
        self, r: LayerRecord, what: str, equation: str, own: Sequence, other: Sequence, total: Sequence
    ) -> list[str]:
        """``∂C/∂b = δ + other uses = [..] + [..] = [..]``, then the other uses named, one by one."""
        sums = f"{_vector_text(own)} + {_vector_text(other)} = {_vector_text(total)}"
        return [f"  {equation} = {sums}", "    other uses:", *self._other_uses(r, what)]

    def _other_uses(self, r: LayerRecord, what: str) -> list[str]:
        """The terms beyond the textbook's, named, for `what` ("a", "delta", "w", "b")."""
        lines = []
        for record in self._groups[(r.sample, r.name)]:
            if what == "a":
                named = [(f"∂C/∂a of {text_label(record.name)}", record.grad_a_terms)]
            elif what == "delta":
                named = [(f"δ of {text_label(record.name)}", record.delta_terms)]
            elif what == "w":
                named = [(f"∂C/∂{text_label(t.name)}", t.terms) for t in record.weights]
            else:
                named = [(f"∂C/∂{text_label(record.bias_name)}", record.bias_terms)]
            for name, terms in named:
                lines += [f"      {name}: {_term_text(t, t.symbol)}" for t in terms if not t.textbook]
        return lines

    def _layer_text(self, r: LayerRecord) -> list[str]:
        name = text_label(r.name)
        symbol = ACTIVATION_SYMBOLS.get(r.activation, "f")
        prime = _prime(r.activation) if r.activation != "linear" else "f′(z)"
        lines = [f"Layer {name} ({plural(len(r.neurons), 'neuron')}, activation {r.activation}):"]
        lines.append(f"  aᵢₙ = {_vector_text(r.inputs)}")
        lines.append(f"  z = w aᵢₙ + b = {_vector_text(r.z)}")
        if r.activation == "linear":
            lines.append(f"  a = z = {_vector_text(r.a)}  (the identity: f′(z) = 1)")
        else:
            lines.append(f"  a = {symbol}(z) = {_vector_text(r.a)}")
            lines.append(f"  {prime} = {_vector_text(r.sigma_prime)}")
        if r.next_weights is None:
            textbook = "∇ₐC"
        else:
            # `_layer_record` sets the four next_* fields together: all of them, or none (output layer).
            assert r.next_layer is not None and r.next_delta is not None and r.backpropagated is not None
            nxt = text_label(r.next_layer)
            textbook = "(wᵀ δ)"
            lines.append(f"  (wᵀ δ) = (w of {nxt})ᵀ (δ of {nxt}), with w of {nxt} (rows: its neurons) =")
            lines += _matrix_text(r.next_weights, "      ")
            lines.append(
                f"    and δ of {nxt} = {_vector_text(r.next_delta)}:  (wᵀ δ) = {_vector_text(r.backpropagated)}"
            )
        if r.grad_a_other is None:
            lines.append(f"  ∂C/∂a = {textbook} = {_vector_text(r.grad_a)}")
        else:
            own = self._textbook(r, "a")
            lines += self._plus_other_uses(r, "a", f"∂C/∂a = {textbook} + other uses", own, r.grad_a_other, r.grad_a)
        if r.activation == "linear":
            lines.append(f"  δ = ∂C/∂a = {_vector_text(r.delta)}  (a = z)")
        elif r.delta_other is None:
            lines.append(
                f"  δ = ∂C/∂a ⊙ {prime} = {_vector_text(r.grad_a)} ⊙ {_vector_text(r.sigma_prime)} = {_vector_text(r.delta)}"
            )
        else:
            own = self._textbook(r, "delta")
            lines += self._plus_other_uses(
                r, "delta", f"δ = ∂C/∂a ⊙ {prime} + other uses of z", own, r.delta_other, r.delta
            )
        if self.samples > 1:
            lines.append(f"  this sample's share of ∂C/∂b: δ = {_vector_text(r.delta)}")
            lines.append("  this sample's share of ∂C/∂w: δ aᵢₙᵀ =")
            lines += _matrix_text(r.weight_contributions, "      ")
            return lines
        if r.bias_other is None:
            lines.append(f"  ∂C/∂b = δ = {_vector_text(r.bias_gradients)}")
        else:
            lines += self._plus_other_uses(r, "b", "∂C/∂b = δ + other uses", r.delta, r.bias_other, r.bias_gradients)
        if r.weight_other is None:
            lines.append("  ∂C/∂w = δ aᵢₙᵀ =")
            lines += _matrix_text(r.weight_gradients, "      ")
        else:
            lines.append("  ∂C/∂w = δ aᵢₙᵀ + other uses =")
            lines += _matrix_text(r.weight_contributions, "      ")
            lines.append("    +")
            lines += _matrix_text(r.weight_other, "      ")
            lines.append("    =")
            lines += _matrix_text(r.weight_gradients, "      ")
            lines += ["    other uses:", *self._other_uses(r, "w")]
        return lines

    def _totals(self) -> list:
        """[(layer, weight gradient matrix, bias gradient vector, parameters with other terms)]."""
        found = {p.parameter: p for p in self.neurons.parameters}
        layers: dict = {}
        for (_, layer), records in self._groups.items():
            layers.setdefault(layer, records)
        result = []
        for layer, records in sorted(layers.items(), key=lambda item: natural_key(item[0])):
            weights = tuple(tuple(found[t.weight].gradient for t in r.weights) for r in records)
            biases = tuple(found[r.bias].gradient for r in records)
            params = [found[t.weight] for r in records for t in r.weights] + [found[r.bias] for r in records]
            result.append((layer, weights, biases, params))
        return result

    def _totals_text(self) -> list[str]:
        lines = [
            f"Parameter gradients, layer by layer (each entry the sum over the {self.samples} samples of aᵢₙ × δ, "
            "or δ for a bias, plus any other use):"
        ]
        for layer, weights, biases, params in self._totals():
            lines.append(f"  ∂C/∂w of {text_label(layer)} =")
            lines += _matrix_text(weights, "      ")
            lines.append(f"  ∂C/∂b of {text_label(layer)} = {_vector_text(biases)}")
            others = [(p, t) for p in dict.fromkeys(params) for t in p.other_terms]
            if others:
                lines.append("    other uses:")
                lines += [f"      ∂C/∂{text_label(p.name)}: {_term_text(t, t.symbol)}" for p, t in others]
        return lines

    def __repr__(self) -> str:
        layers = len(dict.fromkeys(r.name for r in self.records))
        return f"<LayerView of {self.neurons._cost()}: {plural(layers, 'layer')}, {plural(self.samples, 'sample')}>"

    def markdown(self) -> str:
        r"""The layer view as Markdown with LaTeX: the four equations with the actual matrices."""
        lines = [
            "**Backprop layer by layer** ("
            + (f"$C = {tex(self.neurons.names[self.root])}$; " if self.neurons.names[self.root] != "C" else "")
            + r"$f$ is the layer's activation: $\sigma$ (logistic), $\tanh$, $\mathrm{relu}$ or the identity). "
            r"$\delta^L = \nabla_a C \odot f'(z^L)$, "
            r"$\delta^l = ((w^{l+1})^T \delta^{l+1}) \odot f'(z^l)$, "
            r"$\partial C / \partial b^l = \delta^l$, "
            r"$\partial C / \partial w^l = \delta^l (a^{l-1})^T$, with $a^0 = x$, the inputs. "
            "Where a value also reaches $C$ along other paths, its gradient adds their contributions "
            "(shown as + other uses).",
            "",
            *self.neurons._notes(),
        ]
        lines += ["", *self.neurons._batch_sentence()] if self.samples > 1 else []
        for sample, records in self._backwards():
            if self.samples > 1:
                lines += ["", f"**Sample {sample}**"]
            for r in records:
                lines += ["", *self._layer_markdown(r)]
        if self.samples > 1:
            lines += ["", f"**Parameter gradients** (sums over the {self.samples} samples and any other use)", ""]
            for layer, weights, biases, _ in self._totals():
                k = _layer_index(layer)
                lines.append(f"- $\\frac{{\\partial C}}{{\\partial w^{{{k}}}}} = {_tex_matrix(weights)}$")
                lines.append(f"- $\\frac{{\\partial C}}{{\\partial b^{{{k}}}}} = {_tex_matrix(_column(biases))}$")
        if any(len(r.neurons) > MATRIX_LIMIT or len(r.inputs) > MATRIX_LIMIT for r in self.records):
            lines += [
                "",
                f"Matrices larger than {MATRIX_LIMIT} rows or columns are abbreviated; the records hold every entry.",
            ]
        return "\n".join(lines)

    def _layer_markdown(self, r: LayerRecord) -> list[str]:
        k = _layer_index(r.name)
        col = _tex_matrix
        prime = _tex_prime(r.activation, f"z^{{{k}}}") if r.activation != "mixed" else f"f'(z^{{{k}}})"
        f = TEX_ACTIVATION_SYMBOLS.get(r.activation, "f")
        lines = [f"*Layer ${tex(r.name)}$*", ""]
        if r.activation == "linear":
            lines.append(f"- $z^{{{k}}} = a^{{{k}}} = {col(_column(r.z))}$ (the identity: derivative 1)")
        else:
            lines.append(
                f"- $z^{{{k}}} = {col(_column(r.z))}$, $a^{{{k}}} = {f}(z^{{{k}}}) = {col(_column(r.a))}$, "
                f"${prime} = {col(_column(r.sigma_prime))}$"
            )
        dc_da = f"\\frac{{\\partial C}}{{\\partial a^{{{k}}}}}"
        if r.next_weights is None:
            textbook = r"\nabla_a C"
        else:
            # `_layer_record` sets the four next_* fields together: all of them, or none (output layer).
            assert r.next_layer is not None and r.next_delta is not None and r.backpropagated is not None
            m = _layer_index(r.next_layer)
            textbook = f"(w^{{{m}}})^T \\delta^{{{m}}}"
            lines.append(
                f"- ${textbook} = {col(_transpose(r.next_weights))} {col(_column(r.next_delta))} = "
                f"{col(_column(r.backpropagated))}$"
            )
        if r.grad_a_other is None:
            lines.append(f"- ${dc_da} = {textbook} = {col(_column(r.grad_a))}$")
        else:
            lines.append(
                f"- ${dc_da} = {textbook} + (\\text{{other uses}}) = {col(_column(r.grad_a))}$, the other uses "
                f"contributing {col(_column(r.grad_a_other))}"
            )
        own = f"{dc_da} \\odot {prime}"
        if r.activation == "linear":
            lines.append(f"- $\\delta^{{{k}}} = {dc_da} = {col(_column(r.delta))}$ ($a = z$)")
        elif r.delta_other is None:
            lines.append(
                f"- $\\delta^{{{k}}} = {own} = {col(_column(r.grad_a))} \\odot {col(_column(r.sigma_prime))} = "
                f"{col(_column(r.delta))}$"
            )
        else:
            lines.append(
                f"- $\\delta^{{{k}}} = {own} + (\\text{{other uses of }} z) = {col(_column(r.delta))}$, the other "
                f"uses contributing {col(_column(r.delta_other))}"
            )
        k_in = k - 1 if isinstance(k, int) else "in"
        if self.samples > 1:
            lines.append(f"- this sample's share of $\\frac{{\\partial C}}{{\\partial b^{{{k}}}}}$: $\\delta^{{{k}}}$")
            lines.append(
                f"- this sample's share of $\\frac{{\\partial C}}{{\\partial w^{{{k}}}}}$: "
                f"$\\delta^{{{k}}} (a^{{{k_in}}})^T = {col(_column(r.delta))} {col([list(r.inputs)])} = "
                f"{col(r.weight_contributions)}$"
            )
            return lines
        if r.bias_other is None:
            lines.append(
                f"- $\\frac{{\\partial C}}{{\\partial b^{{{k}}}}} = \\delta^{{{k}}} = {col(_column(r.bias_gradients))}$"
            )
        else:
            lines.append(
                f"- $\\frac{{\\partial C}}{{\\partial b^{{{k}}}}} = \\delta^{{{k}}} + (\\text{{other uses}}) = "
                f"{col(_column(r.delta))} + {col(_column(r.bias_other))} = {col(_column(r.bias_gradients))}$"
            )
        product = f"\\delta^{{{k}}} (a^{{{k_in}}})^T"
        if r.weight_other is None:
            lines.append(
                f"- $\\frac{{\\partial C}}{{\\partial w^{{{k}}}}} = {product} = "
                f"{col(_column(r.delta))} {col([list(r.inputs)])} = {col(r.weight_gradients)}$"
            )
        else:
            lines.append(
                f"- $\\frac{{\\partial C}}{{\\partial w^{{{k}}}}} = {product} + (\\text{{other uses}}) = "
                f"{col(r.weight_contributions)} + {col(r.weight_other)} = {col(r.weight_gradients)}$"
            )
        return lines

    def _repr_markdown_(self) -> str:
        return self.markdown()


def _layer_index(name: str) -> Any:
    """2 for ``"L2"``; other names as LaTeX text."""
    number = layer_number(name)
    return tex(name) if number is None else number


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
