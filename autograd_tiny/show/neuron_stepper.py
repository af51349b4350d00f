"""The neuron-level stepper: backprop one neuron per step, on a drawing with one node per neuron.

``explain(loss, group="neuron").stepper()`` (and ``.save_html(path)``, ``quiz=True``) makes the
page. A network's value-level graph has a hundred anonymous values (t1 … t14 for Mazur's 2-2-2
network); here each neuron is one box, named as `autograd_tiny.nn` names it (``L1.N1``), with
its bias, its weighted input z, its activation a = f(z) and its error δ = ∂C/∂z. Each edge into
a neuron carries its weight.

The frames: the forward pass one neuron at a time (z, then a), the loss, then the backward pass
one neuron at a time, output layer first, each δ with how it is computed::

    output layer:  δ = ∂C/∂a × f′(z)                       (∂C/∂a straight from the loss)
    hidden layer:  δ = (Σ w·δ of the next layer) × f′(z)

and last every parameter's gradient (∂C/∂w = aᵢₙ × δ, ∂C/∂b = δ, plus any other use such as
an l2 penalty or a shared weight). Every number is read from the neuron view's records, which
are read from the same backward pass as ``backward()`` (`autograd_tiny.show.textbook`), and
written with the page's 4 decimals (`autograd_tiny.show.stepper.page_number`).

The quiz asks, neuron by neuron, for z and a in the forward pass and for δ in the backward
pass, and grades with `autograd_tiny.show.grading`: the right answers and the number each slip
gives on this network (`neuron_slips`): a sign slip, δ without f′(z) (``"no-local"``), f′(z)
without the upstream sum (``"no-upstream"``), δ computed with the weights after one SGD step
(``"updated-weights"``, Mazur's trap: learning rate `TRAP_LEARNING_RATE`), and the sum over one
later neuron only (``"one-path"``).

The page is the value-level page's markup and style with its own script (assets/neurons.js);
the script writes no number: it shows the frames' texts, computed here.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from ..core.value import Value
from .grading import Slip
from .render import Graph
from .stepper import (
    MIN_LABEL_PX,
    TOO_SMALL,
    fill_page,
    graded,
    json_for_script,
    page_number,
    page_operand,
    svg_of,
)
from .text import natural_key, text_label

__all__ = ["neuron_stepper_html", "neuron_slips", "neuron_drawing", "TRAP_LEARNING_RATE"]

# Mazur's trap: a learner who updates the output layer's weights first (lr = 0.5 in his post)
# and then computes the hidden layer's δ with the new weights gets this wrong number.
TRAP_LEARNING_RATE = 0.5
# The drawing's font size in points: at the page's smallest scale (1 px per point at fit) a
# label is MIN_LABEL_PX tall, readable from the back of a room.
FONT_SIZE = str(MIN_LABEL_PX)
# The activation's slope f′(z), written with a: the names the page uses.
PRIMES = {
    "sigmoid": ("σ′(z)", "a(1 − a)"),
    "tanh": ("tanh′(z)", "1 − a²"),
    "relu": ("relu′(z)", "1 if z > 0, else 0"),
    "linear": ("id′(z)", "1"),
}
ACTIVATIONS = {"sigmoid": "σ", "tanh": "tanh", "relu": "relu", "linear": "id"}
INPUT_COLOR, NEURON_COLOR, LOSS_COLOR = "#dbeafe", "#fef3c7", "#bbf7d0"


@dataclass(frozen=True)
class _Ids:
    """The drawing's element ids: ``n3`` for the 4th neuron, ``n3w0`` for the edge of its first
    weight, ``n3c`` for its edge into the loss, ``i0`` for the first input, ``cost`` the loss."""

    neuron: dict  # id(record) -> element id
    by_output: dict  # a neuron's output Value -> its record


def _records(view: Any) -> list:
    """The records the page walks: one per neuron, of one sample."""
    if view.samples > 1 and view.sample is None:
        raise ValueError(
            f"the neuron-level stepper shows one sample, and this loss runs the network on {view.samples} "
            "samples; pick one: explain(loss, group='neuron', sample=0).stepper()"
        )
    return list(view.records)


def _short(weight_name: str, neuron: str) -> str:
    """``w1`` for ``L2.N1.w1`` in neuron L2.N1 (the edge says which neuron); other names as they are."""
    prefix = neuron + "."
    return text_label(weight_name[len(prefix) :] if weight_name.startswith(prefix) else weight_name)


# --------------------------------------------------------------------------------------
# The drawing
# --------------------------------------------------------------------------------------


def _table(rows: list, color: str) -> str:
    """A Graphviz HTML-like label: one cell per row, the first row bold (the name)."""
    cells = [f"<TR><TD><B>{html.escape(rows[0])}</B></TD></TR>"]
    cells += [f"<TR><TD>{html.escape(row)}</TD></TR>" for row in rows[1:]]
    return (
        f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" BGCOLOR="{color}">{"".join(cells)}</TABLE>>'
    )


def _cells(r: Any, *, z: bool, a: bool, delta: bool) -> list[str]:
    """A neuron's last three rows: z, a and δ, each a number once known, else ``?``."""
    return [
        f"z {page_number(r.z) if z else '?'}",
        f"a {page_number(r.a) if a else '?'}",
        f"δ {page_number(r.delta) if delta else '?'}",
    ]


def _input_key(term: Any) -> Any:
    """The same input Value feeds several neurons: one node for it (a plain number: by its name)."""
    return term.source if isinstance(term.source, Value) else term.input_name


def neuron_drawing(view: Any, *, known: bool = True) -> tuple[Graph, _Ids]:
    """The network at neuron level: inputs, one box per neuron, the loss; weights on the edges.

    With `known` False every z, a and δ shows ``?`` and the loss's number too (a quiz's picture).
    """
    import graphviz

    records = _records(view)
    ids = _Ids({id(r): f"n{i}" for i, r in enumerate(records)}, {r.a_node: r for r in records})
    dot = graphviz.Digraph("autograd_tiny_neurons")
    dot.attr(rankdir="LR", fontname="Helvetica", ranksep="0.9", nodesep="0.35")
    dot.attr("node", fontname="Helvetica", fontsize=FONT_SIZE, shape="plain")
    dot.attr("edge", color="#6b7280", fontname="Helvetica", fontsize=FONT_SIZE, fontcolor="#374151")
    inputs: dict = {}
    for r in records:
        for term in r.weights:
            if _from_neuron(term, ids):
                continue
            key = _input_key(term)
            if key not in inputs:
                inputs[key] = f"i{len(inputs)}"
                name = text_label(term.input_name)
                dot.node(inputs[key], label=_table([name, page_number(term.a_in)], INPUT_COLOR), id=inputs[key])
    for r in records:
        here = ids.neuron[id(r)]
        bias = "b (changed since)" if r.stale else f"b {page_number(r.bias_data)}"
        rows = [f"{text_label(r.name)}  {ACTIVATIONS[r.activation]}", bias, *_cells(r, z=known, a=known, delta=known)]
        dot.node(here, label=_table(rows, NEURON_COLOR), id=here)
        for k, term in enumerate(r.weights):
            tail = ids.neuron[id(ids.by_output[term.source])] if _from_neuron(term, ids) else inputs[_input_key(term)]
            label = f"{_short(term.name, r.name)} {page_number(term.data)}"
            # decorate: a line ties each weight to its edge, so crossing edges keep their labels apart.
            dot.edge(tail, here, label=graphviz.nohtml(label), decorate="true", id=f"{here}w{k}")
    cost = text_label(view.names[view.root])
    dot.node(
        "cost", label=_table([cost, f"data {page_number(view.root.data) if known else '?'}"], LOSS_COLOR), id="cost"
    )
    for r in records:
        if _feeds_loss(r):
            dot.edge(ids.neuron[id(r)], "cost", id=f"{ids.neuron[id(r)]}c")
    dot.attr(ordering="out")  # keep each layer's neurons in reading order
    return Graph(dot), ids


def _from_neuron(term: Any, ids: _Ids) -> bool:
    """Whether a weight's input is another neuron's output (else a network input)."""
    return isinstance(term.source, Value) and term.source in ids.by_output


def _feeds_loss(r: Any) -> bool:
    """Whether the neuron's output reaches the loss straight, not only through later neurons."""
    return r.loss_gradient is not None or not r.back_terms


# --------------------------------------------------------------------------------------
# The texts
# --------------------------------------------------------------------------------------


def _forward_text(r: Any) -> str:
    """``L1.N1: z = w1·x1 + w2·x2 + b = 0.1500 × 0.0500 + … = 0.3775;  a = σ(z) = 0.5933``."""
    name = text_label(r.name)
    symbols = " + ".join(f"{_short(t.name, r.name)}·{text_label(t.input_name)}" for t in r.weights)
    if r.stale:
        z = f"z = {symbols} + b = {page_number(r.z)} (with the values w and b had when the graph was built)"
    else:
        products = " + ".join(f"{page_operand(t.data)} × {page_operand(t.a_in)}" for t in r.weights)
        z = f"z = {symbols} + b = {products} + {page_operand(r.bias_data)} = {page_number(r.z)}"
    f = ACTIVATIONS[r.activation]
    a = f"a = z = {page_number(r.a)} (linear)" if r.activation == "linear" else f"a = {f}(z) = {page_number(r.a)}"
    return f"{name}: {z};  {a}"


def _back_sum(r: Any) -> tuple[str, str]:
    """Σ w·δ of the next layer in names and in numbers."""
    names = " + ".join(
        f"{_short(t.weight_name, t.neuron)}({text_label(t.neuron)}) × δ({text_label(t.neuron)})" for t in r.back_terms
    )
    numbers = " + ".join(f"{page_operand(t.w)} × {page_operand(t.delta)}" for t in r.back_terms)
    return names, numbers


def _upstream_line(r: Any) -> str:
    """How ∂C/∂a is made: the later neurons' Σ w·δ, the loss's ∇ₐC, and any other use of a."""
    if len(r.grad_a_terms) == 1 and r.back_terms:
        names, numbers = _back_sum(r)
        return f"∂C/∂a = Σ w·δ of the next layer = {names} = {numbers} = {page_number(r.grad_a)}"
    if len(r.grad_a_terms) == 1 and r.loss_gradient is not None:
        return f"∂C/∂a = {page_number(r.grad_a)}, straight from the loss"
    words = {"Σₖ wₖⱼ δₖ": "Σ w·δ of the next layer", "∇ₐC": "from the loss", "1": "a is C itself"}
    parts = [words.get(t.symbol, t.symbol) for t in r.grad_a_terms]
    values = " + ".join(page_operand(t.value) for t in r.grad_a_terms)
    return f"∂C/∂a = {' + '.join(parts)} = {values} = {page_number(r.grad_a)}"


def _prime_line(r: Any) -> str:
    """``σ′(z) = a(1 − a) = 0.2413``: the activation's slope at z."""
    prime, formula = PRIMES[r.activation]
    return f"{prime} = {formula} = {page_number(r.sigma_prime)}"


def _delta_text(r: Any) -> str:
    """The backward step of one neuron: how its δ is computed, every number shown."""
    name, prime = text_label(r.name), PRIMES[r.activation][0]
    rule = "(Σ w·δ of the next layer)" if r.back_terms else "∂C/∂a"
    rule = "∂C/∂a" if len(r.grad_a_terms) > 1 or not r.back_terms else rule
    others = r.delta_terms[1:]  # other uses of z: their contributions add
    product = f"{page_operand(r.grad_a)} × {page_operand(r.sigma_prime)}"
    extra = "".join(f" + {page_operand(t.value)} {t.symbol}" for t in others)
    return "\n".join(
        [
            f"δ({name}) = ∂C/∂z = {rule} × {prime}" + (" + other uses of z" if others else ""),
            f"  {_upstream_line(r)}",
            f"  {_prime_line(r)}",
            f"  δ({name}) = {product}{extra} = {page_number(r.delta)}",
        ]
    )


def _parameter_lines(view: Any) -> list[str]:
    """Each parameter's gradient: aᵢₙ × δ (a bias: δ), plus every other use, as backward() sums them."""
    lines = []
    if view.samples > 1:
        for r in view.records:
            for t in r.weights:
                lines.append(f"this sample's aᵢₙ × δ for {text_label(t.name)} = {page_number(t.contribution)}")
            lines.append(f"this sample's δ for {text_label(r.bias_name)} = {page_number(r.delta)}")
        return lines
    for p in view.parameters:
        symbols = " + ".join(t.symbol for t in p.terms)
        values = " + ".join(page_operand(t.value) for t in p.terms)
        shown = f" = {values}" if len(p.terms) > 1 else ""
        lines.append(f"∂C/∂{text_label(p.name)} = {symbols}{shown} = {page_number(p.gradient)}")
    return lines


# --------------------------------------------------------------------------------------
# The quiz's slips
# --------------------------------------------------------------------------------------


def neuron_slips(view: Any, r: Any, what: str) -> list[Slip]:
    """The slips a learner can make on neuron `r`'s `what` (``"z"``, ``"a"`` or ``"delta"``),
    each with the number it gives on this network and what to say (never the answer).

    >>> from autograd_tiny import MLP, explain
    >>> model = MLP(1, [1], activation="linear")
    >>> model.parameters()[0].data = 3.0
    >>> view = explain((model([2.0]) - 1.0) ** 2, group="neuron")
    >>> [(s.mistake, s.number) for s in neuron_slips(view, view.neuron("L1.N1"), "delta")]
    [('sign', -10.0), ('no-upstream', 1.0)]
    """
    prime = PRIMES[r.activation][0]
    if what == "z":
        return [
            Slip("sign", -r.z, "Right size, wrong sign: check the sign of each product w·aᵢₙ and of b."),
            Slip("no-bias", r.z - r.bias_data, "That is Σ w·aᵢₙ without the bias: z = Σ w·aᵢₙ + b."),
        ]
    if what == "a":
        return [
            Slip("sign", -r.a, "Right size, wrong sign: check the sign of z."),
            Slip("no-activation", r.z, f"That is z itself: a = {ACTIVATIONS[r.activation]}(z), apply the activation."),
        ]
    if what != "delta":
        raise ValueError(f"what must be 'z', 'a' or 'delta', got {what!r}")
    others = sum(t.value for t in r.delta_terms[1:])
    upstream = "Σ w·δ of the next layer" if r.back_terms else "∂C/∂a from the loss"
    slips = [
        Slip(
            "sign", -r.delta, f"Right size, wrong sign: check the signs of ∂C/∂a and of {prime}, and of their product."
        ),
        Slip(
            "no-upstream",
            r.sigma_prime,
            f"That is {prime} alone: multiply it by the upstream gradient ∂C/∂a ({upstream}).",
        ),
    ]
    if r.activation != "linear":  # a linear neuron's f′ is 1: forgetting it changes nothing
        slips.insert(
            1,
            Slip(
                "no-local",
                r.grad_a + others,
                f"That is ∂C/∂a alone: δ = ∂C/∂z, so multiply by the activation's slope {prime}.",
            ),
        )
    if r.back_terms:
        updated = sum((t.w - TRAP_LEARNING_RATE * view.gradients[t.weight]) * t.delta for t in r.back_terms)
        trap = (r.grad_a - sum(t.w * t.delta for t in r.back_terms) + updated) * r.sigma_prime + others
        slips.append(
            Slip(
                "updated-weights",
                trap,
                f"That uses the weights after the update (w − {TRAP_LEARNING_RATE}·∂C/∂w): δ is computed with the "
                "original weights, the ones the forward pass used (Mazur's trap).",
            )
        )
    if len(r.back_terms) > 1:
        for t in r.back_terms:
            slips.append(
                Slip(
                    "one-path",
                    t.w * t.delta * r.sigma_prime + others,
                    f"That is one path only (through {text_label(t.neuron)}): ∂C/∂a sums w·δ over every neuron of "
                    "the next layer that uses this output.",
                )
            )
    return slips


# --------------------------------------------------------------------------------------
# The frames and the questions
# --------------------------------------------------------------------------------------


def _backward_order(records: list) -> list:
    """Output layer first, each layer's neurons in reading order: the order δ flows in."""
    layers = sorted({r.layer for r in records}, key=natural_key, reverse=True)
    return [r for layer in layers for r in records if r.layer == layer]


def _upstream_marks(r: Any, ids: _Ids, records: list) -> tuple[list, list]:
    """The marks of one backward step: the later neurons (or the loss) whose δ it uses, and the
    edges from this neuron to them, along which its gradient flows back."""
    by_name = {x.name: x for x in records}
    marks, flows = [[ids.neuron[id(r)], "updated"]], []
    for t in r.back_terms:
        later = by_name.get(t.neuron)
        if later is None:
            continue
        marks.append([ids.neuron[id(later)], "upstream"])
        for k, term in enumerate(later.weights):
            if term.source is r.a_node:
                flows.append(f"{ids.neuron[id(later)]}w{k}")
    if _feeds_loss(r):
        marks.append(["cost", "upstream"])
        flows.append(f"{ids.neuron[id(r)]}c")
    return marks + [[edge, "current"] for edge in flows], flows


def _state(records: list, ids: _Ids, forward: int, backward: set, cost: bool, root: Value) -> dict:
    """Every node's cells when the first `forward` neurons are computed and the δ of `backward`
    (ids of records) known."""
    cells = {
        ids.neuron[id(r)]: _cells(r, z=i < forward, a=i < forward, delta=id(r) in backward)
        for i, r in enumerate(records)
    }
    cells["cost"] = [f"data {page_number(root.data) if cost else '?'}"]
    return cells


def _frames(view: Any, records: list, ids: _Ids) -> tuple[list, int]:
    """The stepper's frames, and the number of the one where the backward pass starts."""
    n, root, cost = len(records), view.root, text_label(view.names[view.root])
    frames = [
        {
            "counter": f"forward 0 of {n + 1}",
            "text": "Forward pass, neuron by neuron: each neuron computes its weighted input z = Σ w·aᵢₙ + b, then "
            "its activation a = f(z), the first layer first. Press next (or →) to compute them one by one.",
            "cells": _state(records, ids, 0, set(), False, root),
            "marks": [],
        }
    ]
    for i, r in enumerate(records):
        here = ids.neuron[id(r)]
        edges = [f"{here}w{k}" for k in range(len(r.weights))]
        frames.append(
            {
                "counter": f"forward {i + 1} of {n + 1}",
                "text": _forward_text(r),
                "cells": _state(records, ids, i + 1, set(), False, root),
                "marks": [[here, "computed"]] + [[e, "computed-edge"] for e in edges],
                "follow": here,
            }
        )
    into_loss = [ids.neuron[id(r)] + "c" for r in records if _feeds_loss(r)]
    frames.append(
        {
            "counter": f"forward {n + 1} of {n + 1}",
            "text": f"{cost} = {page_number(root.data)}: the loss, computed from the outputs of "
            + ", ".join(text_label(r.name) for r in records if _feeds_loss(r)),
            "cells": _state(records, ids, n, set(), True, root),
            "marks": [["cost", "computed"]] + [[e, "computed-edge"] for e in into_loss],
            "follow": "cost",
        }
    )
    backward = len(frames)
    frames.append(
        {
            "counter": f"backward 0 of {n}",
            "text": "Backward pass, neuron by neuron: each neuron's error δ = ∂C/∂z. The output layer first, "
            "δ = ∂C/∂a × f′(z) with ∂C/∂a from the loss; then each layer before it, δ = (Σ w·δ of the next "
            "layer) × f′(z), with the weights the forward pass used. Press next (or →) to follow δ back.",
            "cells": _state(records, ids, n, set(), True, root),
            "marks": [["cost", "updated"]],
        }
    )
    known: set = set()
    for i, r in enumerate(_backward_order(records)):
        known.add(id(r))
        marks, flows = _upstream_marks(r, ids, records)
        frames.append(
            {
                "counter": f"backward {i + 1} of {n}",
                "text": _delta_text(r),
                "cells": _state(records, ids, n, set(known), True, root),
                "marks": marks,
                "flows": flows,
                "follow": ids.neuron[id(r)],
            }
        )
    frames.append(
        {
            "counter": "summary",
            "text": "The parameters' gradients (∂C/∂w = aᵢₙ × δ, ∂C/∂b = δ, and any other use adds):\n"
            + "\n".join(_parameter_lines(view)),  # one per line: the panel scrolls
            "cells": _state(records, ids, n, {id(r) for r in records}, True, root),
            "marks": [[ids.neuron[id(r)], "summary"] for r in records],
        }
    )
    return frames, backward


def _questions(view: Any, records: list, ids: _Ids) -> list[dict]:
    """The quiz: z and a of each neuron in the forward pass, then δ of each, output layer first."""
    plan = [(r, what) for r in records for what in ("z", "a")] + [(r, "delta") for r in _backward_order(records)]
    count, questions = len(plan), []
    cost = text_label(view.names[view.root])
    for number, (r, what) in enumerate(plan, start=1):
        name, here = text_label(r.name), ids.neuron[id(r)]
        head = f"Question {number} of {count}. "
        flows: list = []
        if what == "z":
            truth, cell, asked = r.z, 0, "z"
            question = head + f"Neuron {name}: what is its weighted input z = Σ w·aᵢₙ + b?"
            hint = "Hint: multiply each input of the neuron by the weight on its edge, add the products and the bias b."
            answer = _forward_text(r).split(";")[0]
            marks = [[here, "computed"]] + [[f"{here}w{k}", "computed-edge"] for k in range(len(r.weights))]
        elif what == "a":
            truth, cell, asked = r.a, 1, "a"
            f = ACTIVATIONS[r.activation]
            question = head + f"Neuron {name}: what is its activation a = {f}(z)?"
            hint = f"Hint: apply {f} to the z you just found ({'σ(z) = 1 / (1 + e^(−z))' if f == 'σ' else f + '(z)'})."
            answer = f"{name}: " + _forward_text(r).split(";  ")[1]
            marks = [[here, "computed"]]
        else:
            truth, cell, asked = r.delta, 2, "δ"
            given = "" if r.back_terms else f" (∂C/∂a = {page_number(r.grad_a)} comes straight from the loss {cost})"
            question = head + f"Neuron {name}: what is its error δ = ∂C/∂z?{given}"
            hint = (
                f"Hint: δ = ∂C/∂a × {PRIMES[r.activation][0]}, with {_prime_line(r).split(' = ')[0]} = "
                f"{PRIMES[r.activation][1]}"
                + (
                    "; ∂C/∂a = Σ w·δ of the next layer: each weight on an edge out of the neuron × the δ it leads to."
                    if r.back_terms
                    else "."
                )
            )
            answer = _delta_text(r).replace("\n  ", ";  ")
            marks, flows = _upstream_marks(r, ids, records)
        reveal = [[here, cell, _cells(r, z=True, a=True, delta=True)[cell]]]
        if what == "a" and r is records[-1]:  # the last forward answer: the loss is known now
            reveal.append(["cost", 0, f"data {page_number(view.root.data)}"])
        questions.append(
            {
                "asked": asked,
                "question": question,
                "hint": hint,
                "answer": answer,
                "reveal": reveal,
                "marks": marks,
                "flows": flows,
                "follow": here,
                **graded(truth, neuron_slips(view, r, what)),
            }
        )
    return questions


# --------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------


def neuron_page_data(view: Any, *, quiz: bool = False) -> tuple[dict, str]:
    """The page's data (frames, questions) and its drawing's SVG."""
    records = _records(view)
    graph, ids = neuron_drawing(view)
    frames, backward = _frames(view, records, ids)
    data = {
        "quiz": quiz,
        "level": "neuron",
        "rootName": text_label(view.names[view.root]),
        "frames": frames,
        "backward": backward,
        "blank": _state(records, ids, 0, set(), False, view.root),
        "questions": _questions(view, records, ids) if quiz else [],
        "tooSmall": TOO_SMALL,
    }
    return data, svg_of(graph)


def neuron_stepper_html(view: Any, *, quiz: bool = False) -> str:
    """The neuron-level stepper page for a `autograd_tiny.show.textbook.NeuronView`.

    Raises:
        TypeError: `quiz` is not True or False.
        ValueError: the view holds several samples (keep one: ``sample=0``).
    """
    if not isinstance(quiz, bool):
        raise TypeError(f"quiz must be True or False, got {type(quiz).__name__} {quiz!r}")
    data, svg = neuron_page_data(view, quiz=quiz)
    heading = "Quiz: backprop neuron by neuron for" if quiz else "Backprop neuron by neuron for"
    return fill_page(
        "neurons.js", title=f"{heading} {data['rootName']}", svg=svg, data=json_for_script(data), quiz=quiz
    )
