"""The chain rule, step by step: `explain(root)` narrates the backward pass with real numbers.

For every edge of the graph, in the order `backward()` visits them, an explanation shows
the *local derivative* (∂out/∂input₍ₖ₎: the op's slope with respect to its operand in slot
k alone, see `autograd_tiny.core.notation`; its formula and its value), the *upstream gradient*
(∂root/∂out), their product, the *contribution*, and the input's running *gradient* — the
sum of its contributions, which grows where a value is used more than once.

`Explanation.check` and `Explanation.check_gradient` grade a learner's answer and name the
slip behind a wrong one (a `Feedback`).

Explaining is pure: the backward pass runs in the explanation's own storage (as a fresh
``backward()`` would compute it), and no ``.grad`` nor anything else in the graph changes.

>>> from autograd_tiny import Value
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> c = a * b; c.label = "c"
>>> e = explain(c)
>>> print(e.steps[0].equation)
∂c/∂a₍₁₎ = b = −3
>>> e.gradients[a], e.gradients[b]
(-3.0, 2.0)
>>> a.grad, b.grad  # explain changed nothing: backward() has not run
(0.0, 0.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.forward import sweep_counts, tangent_steps
from ..core.graph import backward_steps, topological_order, value_names
from ..core.limits import check_graph_size
from ..core.notation import local_derivative, local_derivative_tex
from ..core.ops import rule_of
from ..core.value import Value, operands
from ..learn.files import write_atomically
from ..learn.names import layer_of
from . import textbook
from .grading import Feedback, Slip, diagnose
from .render import draw_dot
from .stepper import stepper_html, value_stepper
from .text import (
    chain_text,
    natural_key,
    number,
    operand_texts,
    plural,
    tex,
    tex_fill,
    tex_number,
    tex_operand,
    tex_operands,
    text_label,
)
from .text import operand as display_operand

__all__ = [
    "explain",
    "Explanation",
    "ForwardRecord",
    "ExplainedStep",
    "TangentExplanation",
    "TangentExplainedStep",
    "Feedback",
]

# The largest graph explain narrates edge by edge: values, and edges (one step each). Every
# step is a record with its text, some 25 µs and 2.5 kB: at this size explaining takes under
# a second, where a million values took 55 s and 2.5 GB. A lesson's graphs are far
# smaller (the notebooks' at most a few hundred values; one sample through micrograd's
# MLP(2, [16, 16, 1]) 1,083 values and 2,026 edges), and the narrative shows 60 steps anyway.
EXPLAIN_LIMIT = 20_000
# Past this many steps the text and Markdown narratives show the start and the end only.
NARRATIVE_LIMIT = 60
# The HTML stepper draws the whole graph fitted to the window. Set from screenshots at
# 1024×768 (a projector), text size of the fitted drawing: the lecture neuron (10 values)
# 13.4 px, a 4-input neuron (14) 9.1 px, MLP(2, [3, 1]) (34) 6.9 px: every label still
# readable, and one zoom step makes it comfortable. MLP(2, [4, 1]) (45) 6.2 px: the
# last that reads without zooming. MLP(3, [4, 1]) (57) 4.6 px and MLP(2, [3, 3, 1]) (67)
# 4.3 px: only the graph's shape is visible, every number needs zooming in and panning
# around; MLP(2, [4, 4, 1]) (101) 3.6 px is a picture of specks. Past this many values
# the page is not legible.
HTML_LIMIT = 50
# The note about leaves whose .grad differs from this pass names at most this many.
NOTE_LIMIT = 3
# Said once, at the start of the backward pass: what a contribution is, and what a gradient is.
CONTRIBUTION_TEXT = (
    "Each edge, from an op's output t back to its operand x in slot k, sends x a contribution = local "
    "derivative ∂t/∂x₍ₖ₎ (t's slope in that slot alone) × upstream gradient ∂{root}/∂t.",
    "A value's gradient ∂{root}/∂x is the sum of its contributions.",
)


def _same(x: float, y: float) -> bool:
    """Equal as the narrative sees it: nan equals nan."""
    return x == y or (x != x and y != y)


# --------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForwardRecord:
    """One value of the forward pass: ``t1 = a · b = −6``.

    Attributes:
        node: the value.
        name: its name (the same as in drawings).
        expression: how it was computed, in names (``"a · b"``), or "" for a leaf.
        text: the whole line.
        data: its number when the explanation was made.
        group: the heading it is listed under (``"layer L1 (3 neurons)"``), or None when
            the graph has no layers.
    """

    node: Value
    name: str
    expression: str
    text: str
    data: float
    group: str | None = None


@dataclass(frozen=True)
class ExplainedStep:
    """One edge of the backward pass, with every number a learner needs.

    Attributes:
        number: 1-based position in the backward pass.
        node, parent: the op's output and the input the gradient flows to.
        node_name, parent_name: their names (the same as in drawings).
        op: the op's name.
        parent_index: which entry of ``node.parents`` the parent is.
        operand_index: which operand of the op's written formula the parent is, from 0 (a
            constant operand counts: in ``2 − a``, a is operand 1 while it is parent 0).
        local: the local derivative ∂node/∂parent₍slot₎: the op's slope with respect to
            this operand alone (`autograd_tiny.core.notation`), the slot being operand_index + 1.
        formula: the local derivative's formula in names (``"b"``).
        equation: the local derivative with numbers (``"∂c/∂a₍₁₎ = b = −3"``).
        upstream: ∂root/∂node.
        contribution: local × upstream.
        gradient_before: the parent's gradient in this pass before this step.
        gradient: the parent's gradient after this step (its running sum).
        fan_out: True when the parent had already received a contribution.
    """

    number: int
    node: Value
    parent: Value
    node_name: str
    parent_name: str
    op: str
    parent_index: int
    operand_index: int
    local: float
    formula: str
    equation: str
    upstream: float
    contribution: float
    gradient_before: float
    gradient: float
    fan_out: bool

    @property
    def slot(self) -> int:
        """The parent's operand slot, from 1 in the op's operand order (the ₍₁₎ of ∂c/∂a₍₁₎)."""
        return self.operand_index + 1

    def local_symbol(self) -> str:
        """The local derivative's symbol as plain text: ``∂c/∂a₍₁₎``."""
        return local_derivative(text_label(self.node_name), text_label(self.parent_name), self.slot)

    def text(
        self, root_name: str, *, decimals: int | None = None, equation: str | None = None, running: bool = True
    ) -> str:
        """The step as one line of plain text (`root_name` as the text shows it).

        `decimals` fixes how numbers are written (None: the narrative's short style; the HTML
        page uses 4), `equation` replaces the local-derivative equation (written with those
        numbers), and ``running=False`` leaves out the parent's gradient so far (the quiz
        asks for it next).
        """

        def shown(x: float) -> str:
            return number(x, decimals=decimals)

        def operand(x: float) -> str:
            return display_operand(x, decimals=decimals)

        node, parent = text_label(self.node_name), text_label(self.parent_name)
        line = (
            f"{self.number}. {equation or self.equation};  upstream ∂{root_name}/∂{node} = {shown(self.upstream)};  "
            f"contribution {operand(self.local)} × {operand(self.upstream)} = {shown(self.contribution)}"
        )
        if not running:
            return line
        if self.fan_out:
            return (
                f"{line};  {parent}.grad = {shown(self.gradient_before)} + "
                f"{operand(self.contribution)} = {shown(self.gradient)}  "
                f"(fan-out: {parent} is used more than once, so contributions add)"
            )
        return f"{line};  {parent}.grad = {shown(self.gradient)}"


def _layer_of(node: Value) -> str | None:
    """The layer an `autograd_tiny.nn` value was computed in ("L1" of scope "L1.N3")."""
    return layer_of(node.scope) if isinstance(node.scope, str) else None


def _layer_stages(order: list) -> tuple[dict, dict] | None:
    """The stage of every value when the graph has layers (an MLP), else None.

    A stage is 0 for values before the first layer (the inputs), 2k for layer k, and
    2k + 1 for values computed from layer k outside any layer (a loss). A value's stage is
    never below its operands' stages, so listing the values by stage, in topological order
    within a stage, is still a valid topological order.

    Returns:
        (stage of each value, heading of each stage as (layer name or None, neuron count)).
    """
    layers = sorted({layer for layer in map(_layer_of, order) if layer is not None}, key=natural_key)
    if not layers:
        return None
    rank = {layer: 2 * (i + 1) for i, layer in enumerate(layers)}
    stage: dict = {}
    neurons: dict = {}  # stage -> the neurons (scopes) listed in it
    for node in order:
        here = max((stage[p] for p in node.parents), default=0)
        layer = _layer_of(node)
        if layer is not None:
            here = max(here, rank[layer])
            neurons.setdefault(here, set()).add(node.scope)
        elif node.parents and here and here % 2 == 0:
            here += 1  # computed from a layer's output, outside the layers
        stage[node] = here
    headings = {s: (layers[s // 2 - 1] if s else None, len(neurons.get(s, ()))) for s in set(stage.values())}
    return stage, headings


def _heading(stage: int, heading: tuple, label: Any) -> str:
    """``inputs``, ``layer L1 (3 neurons)``, ``after layer L2``; `label` writes the layer name."""
    layer, neurons = heading
    if stage == 0:
        return "inputs"
    if stage % 2:
        return f"after layer {label(layer)}"
    return f"layer {label(layer)} ({plural(neurons, 'neuron')})"


# --------------------------------------------------------------------------------------
# The explanation
# --------------------------------------------------------------------------------------


class Explanation:
    """The forward and backward pass of a graph, as records, text, Markdown and HTML.

    Making it changes nothing in the graph: the backward pass runs in its own storage.
    Every number is taken when the explanation is made, so printing it again, or after
    training has changed the values, shows the same text.

    Attributes:
        root: the value explained.
        forward: one `ForwardRecord` per value, inputs first; an MLP's values are listed
            layer by layer (still in an order where every value follows its operands).
        steps: one `ExplainedStep` per edge, in the order the chain rule visits them.
        names: the name of every value (as drawings name it).
        order: every value in topological order (as ``backward()`` and drawings walk it).
        gradients: d root / d value for every value, as a fresh ``backward()`` computes it.

    >>> from autograd_tiny import Value
    >>> a = Value(3.0, label="a")
    >>> e = explain(a * a)
    >>> e.gradients[a], [(s.number, s.gradient) for s in e.steps]
    (6.0, [(1, 3.0), (2, 6.0)])
    """

    def __init__(self, root: Value) -> None:
        self.root = root
        order = topological_order(root)
        self.order = order
        self.names = value_names(order)
        self.steps = [self._step(step) for step in backward_steps(root)]
        gradients = {root: 1.0}
        for step in self.steps:
            gradients[step.parent] = step.gradient
        self.gradients: dict = gradients
        # What the leaves' .grad held when explained: the note compares it with this pass.
        self._stored = {node: node.grad for node in order if not node.parents and node is not root}
        self.forward = self._forward_records()

    # ------------------------------------------------------------------ building

    def _forward_records(self) -> list[ForwardRecord]:
        staged = _layer_stages(self.order)
        self._headings: dict = {}  # the forward records' group -> its heading in LaTeX
        if staged is None:
            return [self._forward_record(node, None) for node in self.order]
        stage, headings = staged
        text = {s: _heading(s, h, text_label) for s, h in headings.items()}
        self._headings = {text[s]: _heading(s, h, lambda name: f"${tex(name)}$") for s, h in headings.items()}
        listed = sorted(self.order, key=stage.__getitem__)  # stable: topological within a stage
        return [self._forward_record(node, text[stage[node]]) for node in listed]

    def _forward_record(self, node: Value, group: str | None) -> ForwardRecord:
        name = self.names[node]
        shown = text_label(name)
        if not node.parents:
            return ForwardRecord(node, name, "", f"{shown} = {number(node.data)}", node.data, group)
        as_names, _ = operand_texts(node, self.names)
        expression = rule_of(node).write(as_names, out=shown)
        return ForwardRecord(node, name, expression, f"{shown} = {expression} = {number(node.data)}", node.data, group)

    def _step(self, step: Any) -> ExplainedStep:
        node, parent = step.node, step.parent
        node_name, parent_name = self.names[node], self.names[parent]
        operand_index, formula, equation = local_equation(node, step.parent_index, step.local, self.names)
        return ExplainedStep(
            number=step.index + 1,
            node=node,
            parent=parent,
            node_name=node_name,
            parent_name=parent_name,
            op=node.op,
            parent_index=step.parent_index,
            operand_index=operand_index,
            local=step.local,
            formula=formula,
            equation=equation,
            upstream=step.upstream,
            contribution=step.contribution,
            gradient_before=step.grad_before,
            gradient=step.grad_after,
            fan_out=step.fan_out,
        )

    # ------------------------------------------------------------------ gradients

    def _check_step(self, k: Any) -> int:
        count = len(self.steps)
        if isinstance(k, bool) or not isinstance(k, int):
            raise TypeError(
                f"step must be an int from 0 to {count} (the number of steps), got {type(k).__name__} {k!r}"
            )
        if not 0 <= k <= count:
            raise ValueError(
                f"step must be from 0 (only the root's seed) to {count} (every step of this pass), got {k}"
            )
        return k

    def gradients_after(self, k: int) -> dict:
        """The gradients known after step `k` of the backward pass: a dict Value -> number.

        ``k = 0`` gives the root's seed (1) only; ``k = len(steps)`` gives every gradient
        (`gradients`). A value used more than once shows its running sum so far.

        >>> from autograd_tiny import Value
        >>> a = Value(3.0, label="a")
        >>> b = a * a; b.label = "b"
        >>> e = explain(b)
        >>> [{v.label: g for v, g in e.gradients_after(k).items()} for k in range(3)]
        [{'b': 1.0}, {'b': 1.0, 'a': 3.0}, {'b': 1.0, 'a': 6.0}]
        """
        known = {self.root: 1.0}
        for step in self.steps[: self._check_step(k)]:
            known[step.parent] = step.gradient
        return known

    # ------------------------------------------------------------------ checking answers

    def received(self, value: Value) -> list[ExplainedStep]:
        """The steps that send `value` a contribution, in order (two or more: a fan-out)."""
        return [step for step in self.steps if step.parent is value]

    def _step_number(self, k: Any) -> ExplainedStep:
        """Step `k` as the narrative numbers it (from 1), or the error that says which exist."""
        count = len(self.steps)
        if count == 0:
            raise ValueError(
                f"{text_label(self.names[self.root])} is a lone value: its backward pass has no steps to check"
            )
        if isinstance(k, bool) or not isinstance(k, int):
            raise TypeError(
                f"step must be an int from 1 to {count} (as the narrative numbers them), got {type(k).__name__} {k!r}"
            )
        if not 1 <= k <= count:
            raise ValueError(f"step must be from 1 to {count} (as the narrative numbers them), got {k}")
        return self.steps[k - 1]

    def _value(self, value: Any) -> Value:
        """A value of this graph, given as itself or by its name."""
        if isinstance(value, Value):
            if value not in self.gradients:
                raise ValueError(
                    f"{value!r} is not a value of the graph of {text_label(self.names[self.root])}: "
                    "pass one of its values, or its name"
                )
            return value
        if isinstance(value, str):
            found = [node for node in self.order if self.names[node] == value]
            if len(found) == 1:
                return found[0]
            if found:
                raise ValueError(f"{len(found)} values of this graph are named {value!r}: pass the Value itself")
            listed = ", ".join(repr(self.names[node]) for node in self.order[:10])
            more = " ..." if len(self.order) > 10 else ""
            raise ValueError(f"no value of this graph is named {value!r}; its values are {listed}{more}")
        raise TypeError(f"value must be a Value of the graph or its name (a str), got {type(value).__name__} {value!r}")

    def step_slips(self, step: ExplainedStep) -> list[Slip]:
        """What each slip gives for `step`'s contribution on this graph, with what to tell the learner.

        ``"sign"``: minus the contribution. ``"no-upstream"``: the local derivative alone.
        ``"no-local"``: the upstream gradient alone. ``"one-path"`` (when the op's output is
        used more than once): the local derivative times an upstream gradient that misses
        one of its contributions. ``"running-total"`` (when the parent already had a
        contribution): the parent's gradient so far, this contribution included.
        """
        root, node, parent = (
            text_label(self.names[self.root]),
            text_label(step.node_name),
            text_label(step.parent_name),
        )
        local, upstream = step.local_symbol(), f"∂{root}/∂{node}"
        slips = [
            Slip(
                "sign",
                -step.contribution,
                f"Right size, wrong sign: check the signs of the local derivative {local} and of the "
                f"upstream gradient {upstream}, and of their product.",
            ),
            Slip(
                "no-upstream",
                step.local,
                f"That is the local derivative {local} alone: the chain rule multiplies it by the "
                f"upstream gradient {upstream}.",
            ),
            Slip(
                "no-local",
                step.upstream,
                f"That is the upstream gradient {upstream} alone: the chain rule multiplies it by the "
                f"local derivative {local}.",
            ),
        ]
        into_node = [s.contribution for s in self.received(step.node)]
        if len(into_node) > 1:
            for missing in range(len(into_node)):
                partial = sum(c for i, c in enumerate(into_node) if i != missing)
                slips.append(
                    Slip(
                        "one-path",
                        step.local * partial,
                        f"{node} is used more than once, so its gradient {upstream} is the sum of all its "
                        "contributions: that answer leaves one of them out.",
                    )
                )
        if step.fan_out:
            slips.append(
                Slip(
                    "running-total",
                    step.gradient,
                    f"That is {parent}'s gradient so far, the running sum of its contributions: the question asks "
                    f"for this edge's contribution alone, {local} × {upstream}.",
                )
            )
        return slips

    def gradient_slips(self, value: Value) -> list[Slip]:
        """What each slip gives for `value`'s gradient on this graph, with what to tell the learner.

        ``"sign"``: minus the gradient. ``"no-upstream"``: the sum of the local derivatives
        alone. ``"no-local"``: the sum of the upstream gradients alone. ``"one-path"`` (a value
        used more than once): the gradient with one of its contributions left out.
        """
        steps = self.received(value)
        if not steps:
            return []  # the root: its gradient is the seed
        root, name = text_label(self.names[self.root]), text_label(self.names[value])
        slips = [
            Slip(
                "sign",
                -self.gradients[value],
                f"Right size, wrong sign: check the sign of each contribution to {name}.",
            ),
            Slip(
                "no-upstream",
                sum(s.local for s in steps),
                "That adds up local derivatives alone: each contribution is a local derivative × the "
                "upstream gradient of its edge.",
            ),
            Slip(
                "no-local",
                sum(s.upstream for s in steps),
                "That adds up upstream gradients alone: each contribution is an upstream gradient × the "
                "local derivative of its edge.",
            ),
        ]
        if len(steps) > 1:
            for missing in range(len(steps)):
                slips.append(
                    Slip(
                        "one-path",
                        sum(s.contribution for i, s in enumerate(steps) if i != missing),
                        f"{name} is used more than once, so its gradient ∂{root}/∂{name} is the sum of all its "
                        "contributions: that answer leaves one of them out.",
                    )
                )
        return slips

    def check(self, k: int, answer: Any) -> Feedback:
        """Grade an answer for the contribution of backward step `k` (numbered from 1, as printed).

        Right means right to 4 significant digits (`autograd_tiny.show.grading`). A wrong answer
        is compared with what each slip gives on this graph (`step_slips`), and the
        `Feedback` names the slip it matches, in words, without giving the answer.

        Args:
            k: the step, from 1 to ``len(steps)``.
            answer: the learner's number (inf and nan allowed).

        >>> from autograd_tiny import Value
        >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        >>> c = a * b; c.label = "c"
        >>> L = c * 4.0; L.label = "L"
        >>> e = explain(L)
        >>> e.check(2, -12.0)  # step 2: ∂c/∂a₍₁₎ = b = −3, upstream ∂L/∂c = 4
        Feedback(correct=True, mistake=None, message='Right: that is the contribution ∂c/∂a₍₁₎ × ∂L/∂c this step sends to a.')
        >>> e.check(2, -3.0).mistake, e.check(2, 12.0).mistake, e.check(2, 7.0).mistake
        ('no-upstream', 'sign', None)
        """
        step = self._step_number(k)
        local = step.local_symbol()
        upstream = f"∂{text_label(self.names[self.root])}/∂{text_label(step.node_name)}"
        return diagnose(
            answer,
            step.contribution,
            self.step_slips(step),
            right=f"Right: that is the contribution {local} × {upstream} this step sends to {text_label(step.parent_name)}.",
            wrong=f"Not right: the contribution is the local derivative {local} × the upstream gradient {upstream}.",
        )

    def check_gradient(self, value: Any, answer: Any) -> Feedback:
        """Grade an answer for the gradient of `value` (a Value of this graph, or its name).

        The gradient is ∂root/∂value: the sum of the value's contributions. Right means
        right to 4 significant digits; a wrong answer is diagnosed as in `check`
        (`gradient_slips`), ``"one-path"`` naming a sum that leaves a contribution out.

        >>> from autograd_tiny import Value
        >>> a = Value(3.0, label="a")
        >>> b = a * a; b.label = "b"
        >>> e = explain(b)
        >>> e.check_gradient("a", 6.0).correct, e.check_gradient(a, 3.0).mistake
        (True, 'one-path')
        """
        node = self._value(value)
        root, name = text_label(self.names[self.root]), text_label(self.names[node])
        return diagnose(
            answer,
            self.gradients[node],
            self.gradient_slips(node),
            right=f"Right: that is ∂{root}/∂{name}, the sum of {name}'s contributions.",
            wrong=f"Not right: ∂{root}/∂{name} is the sum of {name}'s contributions, each a local derivative × "
            "an upstream gradient.",
        )

    def draw(self, step: int | None = None, **options: Any) -> Any:
        """Draw the graph with this pass's gradients, as known after `step` (all if None).

        ``draw(step=k)`` shows the gradients known after step k (values not reached yet show
        ``grad ?``) and draws step k's edge and its node (the op's output) in red; ``step=0``
        shows the root's seed and marks the root. Nothing in the graph changes: the drawing
        never reads ``.grad``.

        Args:
            step: 0 to ``len(steps)``, or None for every gradient and no highlight.
            **options: passed to `autograd_tiny.draw_dot` (``rankdir``, ``group``, ...);
                ``highlight`` values are added to the step's.

        Returns:
            A `autograd_tiny.show.render.Graph` (``.source``, ``.svg()``, ``.save(path)``).

        >>> from autograd_tiny import Value
        >>> a = Value(3.0, label="a")
        >>> b = a * a; b.label = "b"
        >>> e = explain(b)
        >>> source = e.draw(step=1).source
        >>> "grad 3.0000" in source, "grad ?" in source, source.count("#dc2626") >= 2
        (True, False, True)
        >>> "grad ?" in e.draw(step=0).source
        True
        """

        if "gradients" in options:
            raise TypeError(
                "draw() shows the explanation's own gradients, so it takes no gradients=; "
                "call draw_dot(root, gradients=...) to draw other numbers"
            )
        highlight = list(options.pop("highlight", None) or ())
        if step is None:
            return draw_dot(self.root, gradients=self.gradients, highlight=highlight, **options)
        gradients = self.gradients_after(step)
        if step == 0:
            highlight.append(self.root)
        else:
            record = self.steps[step - 1]
            highlight += [(record.parent, record.node), record.node]
        return draw_dot(self.root, gradients=gradients, highlight=highlight, **options)

    # ------------------------------------------------------------------ leaves

    def leaf_sums(self) -> list[tuple[str, list[float], float]]:
        """For each leaf: its name, its contributions in order, and its gradient in this pass."""
        contributions: dict = {}
        for step in self.steps:
            contributions.setdefault(step.parent, []).append(step.contribution)
        return [
            (self.names[node], contributions.get(node, []), self.gradients[node])
            for node in self.order
            if not node.parents and node is not self.root
        ]

    def _differing_leaves(self) -> list:
        """The leaves whose ``.grad`` (when explained) is not this pass's gradient."""
        return [node for node, held in self._stored.items() if not _same(held, self.gradients[node])]

    def _note(self, label: Any, num: Any, code: Any, root: str) -> str | None:
        """One line about the leaves whose ``.grad`` differs from this pass, or None.

        `label`, `num` and `code` write a name, a number and a bit of code for the output
        kind (plain text or Markdown).
        """
        differing = self._differing_leaves()
        if not differing:
            return None
        listed = ", ".join(
            f"{label(self.names[n])}{code('.grad')} holds {num(self._stored[n])} (this pass: {num(self.gradients[n])})"
            for n in differing[:NOTE_LIMIT]
        )
        more = len(differing) - NOTE_LIMIT
        if more > 0:
            listed += f" and {more} more {'leaf' if more == 1 else 'leaves'}"
        if all(self._stored[n] == 0.0 for n in differing):
            return (
                f"Note: {listed}: {code('.grad')} is not computed yet. explain computes gradients in its own "
                f"storage and changes no {code('.grad')}; call {code('backward()')} on {root} to store them."
            )
        return (
            f"Note: {listed}. Leaves accumulate over backward() calls: call {code('zero_grad()')} (or set "
            f"{code('.grad = 0.0')}) before {code('backward()')} for a fresh gradient. explain changes no {code('.grad')}."
        )

    @staticmethod
    def _shown(records: list) -> tuple[list, int]:
        """The records a narrative shows (None marks a gap), and how many it leaves out."""
        if len(records) <= NARRATIVE_LIMIT:
            return records, 0
        head, tail = records[: NARRATIVE_LIMIT - 10], records[-10:]
        return head + [None] + tail, len(records) - len(head) - len(tail)

    # ------------------------------------------------------------------ text

    def __str__(self) -> str:
        root = text_label(self.names[self.root])
        grouped = self.forward[0].group is not None
        lines = ["Forward pass, layer by layer:" if grouped else "Forward pass:"]
        shown, omitted = self._shown(self.forward)
        group = None
        for record in shown:
            if record is None:
                lines.append(f"  ... {plural(omitted, 'value')} not shown (Explanation.forward has all of them) ...")
                continue
            if grouped and record.group != group:
                group = record.group
                lines.append(f"  {group}:")
            lines.append(f"{'    ' if grouped else '  '}{record.text}")
        lines += [
            "",
            f"Backward pass ({plural(len(self.steps), 'step')}, one per edge, from {root} back to the inputs):",
        ]
        lines += [f"  {line.format(root=root)}" for line in CONTRIBUTION_TEXT]
        lines.append(f"  {root}.grad = 1  (∂{root}/∂{root}: the output's gradient with respect to itself)")
        shown, omitted = self._shown(self.steps)
        for step in shown:
            if step is None:
                lines.append(f"  ... {plural(omitted, 'step')} not shown (Explanation.steps has all of them) ...")
            else:
                lines.append(f"  {step.text(root)}")
        sums = self.leaf_sums()
        if sums:  # a lone value has no inputs: no section rather than an empty one
            lines += ["", "Gradients of the inputs (each the sum of its contributions):"]
        for name, parts, grad in sums:
            total = " + ".join(display_operand(p) for p in parts) if len(parts) > 1 else ""
            lines.append(f"  ∂{root}/∂{text_label(name)} = {total + ' = ' if total else ''}{number(grad)}")
        note = self._note(text_label, number, str, root)
        if note:
            lines.append(f"  {note}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"<Explanation of {text_label(self.names[self.root])}: {plural(len(self.forward), 'value')}, "
            f"{plural(len(self.steps), 'step')}>"
        )

    # ------------------------------------------------------------------ Markdown

    def markdown(self) -> str:
        r"""The narrative as Markdown with LaTeX, for Jupyter and for notes.

        Every label is escaped (`tex`): no HTML, line break or unbalanced brace of a label
        reaches the page.

        >>> from autograd_tiny import Value
        >>> a = Value(3.0, label="a")
        >>> b = a * a; b.label = "b"
        >>> b.backward()
        >>> print("\n".join(explain(b).markdown().splitlines()[9:11]))
        - $\frac{\partial \mathrm{b}}{\partial \mathrm{b}} = 1$ (the seed)
        1. $\frac{\partial \mathrm{b}}{\partial \mathrm{a}_{(1)}} = \mathrm{a} = 3$; the upstream gradient is the seed $\frac{\partial \mathrm{b}}{\partial \mathrm{b}} = 1$, so this step gives $3 \cdot 1 = 3$
        """
        root = tex(self.names[self.root])
        lines = ["**Forward pass**" + (", layer by layer" if self.forward[0].group is not None else ""), ""]
        shown, omitted = self._shown(self.forward)
        group = None
        for record in shown:
            if record is None:
                lines.append(f"- … {plural(omitted, 'value')} not shown …")
                continue
            if record.group is not None and record.group != group:
                group = record.group
                lines.append(f"- *{self._headings[group]}*")
            node = record.node
            expression = ""
            if node.parents:
                fills = tex_operands(node, self.names)
                template = rule_of(node).formula_template(len(fills))
                expression = tex_fill(template, fills, out=tex(record.name)) + " = "
            indent = "  " if group is not None else ""
            lines.append(f"{indent}- ${tex(record.name)} = {expression}{tex_number(record.data)}$")
        lines += ["", f"**Backward pass** ({plural(len(self.steps), 'step')})", ""]
        lines.append(
            "Each edge, from an op's output $t$ back to its operand $x$ in slot $k$, sends $x$ a *contribution* = "
            f"local derivative ${local_derivative_tex('t', 'x', 'k')}$ ($t$'s slope in that slot alone) × upstream "
            f"gradient $\\frac{{\\partial {root}}}{{\\partial t}}$. A value's gradient "
            f"$\\frac{{\\partial {root}}}{{\\partial x}}$ is the sum of its contributions."
        )
        lines.append("")
        lines.append(f"- $\\frac{{\\partial {root}}}{{\\partial {root}}} = 1$ (the seed)")
        shown, omitted = self._shown(self.steps)
        for step in shown:
            lines.append(
                f"- … {plural(omitted, 'step')} not shown …" if step is None else self._markdown_step(step, root)
            )
        sums = self.leaf_sums()
        if sums:
            lines += ["", "**Gradients**", ""]
        for name, parts, grad in sums:
            total = " + ".join(tex_operand(p) for p in parts) + " = " if len(parts) > 1 else ""
            lines.append(f"- $\\frac{{\\partial {root}}}{{\\partial {tex(name)}}} = {total}{tex_number(grad)}$")
        note = self._note(lambda name: f"${tex(name)}$", lambda x: f"${tex_number(x)}$", _code, f"${root}$")
        if note:
            lines += ["", note]
        return "\n".join(lines)

    def _markdown_step(self, step: ExplainedStep, root: str) -> str:
        """One step as a Markdown list item with LaTeX."""
        node, parent = tex(step.node_name), tex(step.parent_name)
        local = local_derivative_tex(node, parent, step.slot)
        value = tex_number(step.local)
        fills = tex_operands(step.node, self.names)
        formula = tex_fill(rule_of(step.node).derivative_template(len(fills), step.operand_index), fills, out=node)
        formula = f"{formula} = {value}" if formula != value else value
        product = f"{tex_operand(step.local)} \\cdot {tex_operand(step.upstream)} = {tex_number(step.contribution)}"
        fan_out = f" (fan-out: now ${tex_number(step.gradient)}$)" if step.fan_out else ""
        if step.node is self.root:
            # Here ∂root/∂parent *is* the local derivative: the upstream is the root's seed.
            verb = "adds" if step.fan_out else "gives"
            return (
                f"{step.number}. ${local} = {formula}$; the upstream gradient is the seed "
                f"$\\frac{{\\partial {root}}}{{\\partial {root}}} = 1$, so this step {verb} ${product}${fan_out}"
            )
        upstream = f"\\frac{{\\partial {root}}}{{\\partial {node}}}"
        target = f"\\frac{{\\partial {root}}}{{\\partial {parent}}}"
        sign = "\\mathrel{+}=" if step.fan_out else "="
        return f"{step.number}. ${local} = {formula}$; ${target} {sign} {local} \\cdot {upstream} = {product}${fan_out}"

    def _repr_markdown_(self) -> str:
        return self.markdown()

    # ------------------------------------------------------------------ HTML

    def check_html_size(self) -> None:
        """Raise ValueError (saying what to do instead) if the graph is too big for the HTML stepper.

        `save_html` and `stepper` call it; the CLI calls it before printing the narrative, so
        a refusal is not lost below a long text.
        """
        if len(self.order) > HTML_LIMIT:
            raise ValueError(
                f"the HTML stepper shows at most {HTML_LIMIT} values legibly and this graph has "
                f"{len(self.order)}; explain a smaller expression (e.g. one neuron) or use str() / markdown()"
            )

    def save_html(self, path: str, *, quiz: bool = False) -> str:
        """Write a self-contained HTML page that steps through the forward and backward pass.

        The page first computes the values one by one (the forward pass), then follows the
        chain rule back one edge at a time: the edge and its op in red with the gradient
        flowing back against the drawn arrow, the value whose upstream gradient is used in
        orange, the gradients of this pass filled in so far (``grad ?`` where not reached
        yet), the step's equation with the graph's own numbers (4 decimals), and at the end
        the inputs' gradients. The graph fits the window (top to bottom or left to right,
        whichever is larger), with zoom and pan. Buttons, the arrow keys, Home/End and B
        (skip to the backward pass) step it. It needs no network and changes nothing in
        the graph.

        Args:
            path: the file to write (atomically).
            quiz: make the page a quiz: it opens at the first backward step and asks for
                each step's contribution (local derivative × upstream gradient), and for the
                gradient of each value used more than once once its contributions are in. A
                right answer (to 4 significant digits, as `check` grades) reveals the gradient,
                and Enter (or "next question") moves on; a wrong one reveals nothing and
                names the slip where it is one `check` knows. Hint and show-answer buttons
                (off once a question is answered), restart, and a score at the end.

        Returns:
            The path written.

        >>> import os, tempfile
        >>> from autograd_tiny import Value
        >>> a = Value(3.0, label="a")
        >>> b = a * a; b.label = "b"
        >>> path = explain(b).save_html(os.path.join(tempfile.mkdtemp(), "quiz.html"), quiz=True)
        >>> "Quiz: the backward pass of b" in open(path, encoding="utf-8").read()
        True
        """

        self.check_html_size()
        return write_atomically(path, stepper_html(self, quiz=_check_quiz(quiz)))

    def stepper(self, *, quiz: bool = False) -> Any:
        """The stepper page, displayed inline in a notebook (in an iframe holding the whole page).

        Works offline in JupyterLab, the classic notebook, VS Code and an nbconvert HTML
        export; click the frame and the keys step it. ``.save(path)`` writes the page.

        Args:
            quiz: make the page a quiz (see `save_html`).

        Returns:
            A `autograd_tiny.show.stepper.Stepper` (``_repr_html_``, ``.html``, ``.save(path)``).

        >>> from autograd_tiny import Value
        >>> a = Value(3.0, label="a")
        >>> b = a * a; b.label = "b"
        >>> explain(b).stepper(quiz=True)
        <Stepper (quiz): display it in Jupyter, or .save('steps.html') and open it in a browser>
        """

        self.check_html_size()
        quiz = _check_quiz(quiz)
        return value_stepper(self, quiz=quiz)


# --------------------------------------------------------------------------------------
# Forward mode
# --------------------------------------------------------------------------------------

# Said once, at the start of the forward sweep: what a tangent is, and what a contribution is.
TANGENT_TEXT = (
    "Each edge, from an operand x in slot k to an op's output t, carries a contribution = local "
    "derivative ∂t/∂x₍ₖ₎ (t's slope in that slot alone) × x's tangent ∂x/∂{wrt}.",
    "A value's tangent ∂t/∂{wrt} is the sum of its contributions, one per operand.",
)


@dataclass(frozen=True)
class TangentExplainedStep:
    """One edge of the forward sweep, with every number a learner needs.

    Attributes:
        number: 1-based position in the sweep.
        node, parent: the op's output and the operand whose tangent it receives.
        node_name, parent_name: their names (the same as in drawings).
        operand_index: which operand of the op's written formula the parent is, from 0.
        local: the local derivative ∂node/∂parent₍slot₎.
        equation: the local derivative with numbers (``"∂e/∂a₍₁₎ = b = −3"``).
        parent_tangent: ∂parent/∂wrt (final: parents come first).
        contribution: local × parent_tangent.
        tangent_before: the node's tangent before this step (0 at its first operand).
        tangent: the node's tangent after this step (its running sum).
        first: True at the node's first operand.
    """

    number: int
    node: Value
    parent: Value
    node_name: str
    parent_name: str
    operand_index: int
    local: float
    equation: str
    parent_tangent: float
    contribution: float
    tangent_before: float
    tangent: float
    first: bool

    def text(self, wrt: str) -> str:
        """The step as one line of plain text (`wrt` as the text shows it)."""
        node, parent = text_label(self.node_name), text_label(self.parent_name)
        line = (
            f"{self.number}. {self.equation};  tangent ∂{parent}/∂{wrt} = {number(self.parent_tangent)};  "
            f"contribution {display_operand(self.local)} × {display_operand(self.parent_tangent)} = "
            f"{number(self.contribution)}"
        )
        if self.first:
            return f"{line};  ∂{node}/∂{wrt} = {number(self.tangent)}"
        return (
            f"{line};  ∂{node}/∂{wrt} = {number(self.tangent_before)} + {display_operand(self.contribution)} = "
            f"{number(self.tangent)}"
        )


class TangentExplanation:
    """The forward sweep of `root`'s graph along one value `wrt`, edge by edge (``explain(root, mode="forward", wrt=x)``).

    Attributes:
        root, wrt: the output and the value differentiated along (its tangent seeded with 1).
        steps: one `TangentExplainedStep` per edge, inputs first, as `tangent_steps` sweeps.
        forward: the forward pass's values (`ForwardRecord`), as the backward narrative lists them.
        names: the name of every value (as drawings name it).
        tangents: ∂value/∂wrt for every value.
        derivative: ∂root/∂wrt, the sweep's result: what ``root.backward()`` puts in ``wrt.grad``.
        counts: `sweep_counts` of the graph (why reverse mode: the summary line).

    >>> from autograd_tiny import Value
    >>> a = Value(3.0, label="a")
    >>> e = explain(a * a + a, mode="forward", wrt=a)
    >>> e.derivative, [s.tangent for s in e.steps]
    (7.0, [3.0, 6.0, 6.0, 7.0])
    """

    def __init__(self, root: Value, wrt: Value) -> None:
        self.root, self.wrt = root, wrt
        backward = Explanation(root)  # the forward pass's records and names, written as backward's are
        self.order, self.names, self.forward = backward.order, backward.names, backward.forward
        self.tangents: dict = {node: 0.0 for node in self.order if not node.parents}
        self.tangents[wrt] = 1.0
        self.steps = [self._step(step) for step in tangent_steps(root, {wrt: 1.0})]
        for step in self.steps:
            self.tangents[step.node] = step.tangent
        self.derivative: float = self.tangents[root]
        self.counts = sweep_counts(root)

    def _step(self, step: Any) -> TangentExplainedStep:
        operand_index, _, equation = local_equation(step.node, step.parent_index, step.local, self.names)
        return TangentExplainedStep(
            number=step.index + 1,
            node=step.node,
            parent=step.parent,
            node_name=self.names[step.node],
            parent_name=self.names[step.parent],
            operand_index=operand_index,
            local=step.local,
            equation=equation,
            parent_tangent=step.parent_tangent,
            contribution=step.contribution,
            tangent_before=step.tangent_before,
            tangent=step.tangent_after,
            first=step.parent_index == 0,
        )

    def _others(self) -> list[str]:
        """The names of the inputs other than wrt (their tangents are 0)."""
        return [self.names[n] for n in self.order if not n.parents and n is not self.wrt]

    def summary(self, root: str) -> str:
        """Why reverse mode, in one line: the sweeps each way for the full gradient."""
        n = self.counts.inputs
        return (
            f"Why reverse mode: forward mode: 1 sweep per input; to get ∂{root}/∂ all {n} inputs it takes "
            f"{plural(n, 'sweep')}; reverse mode (backward) takes 1."
        )

    def __str__(self) -> str:
        root, wrt = text_label(self.names[self.root]), text_label(self.names[self.wrt])
        lines = ["Forward pass:"]
        shown, omitted = Explanation._shown(self.forward)
        for record in shown:
            text = f"... {plural(omitted, 'value')} not shown ..." if record is None else record.text
            lines.append(f"  {text}")
        lines += [
            "",
            f"Forward-mode sweep along {wrt} ({plural(len(self.steps), 'step')}, one per edge, "
            f"from the inputs to {root}):",
        ]
        lines += [f"  {line.format(wrt=wrt)}" for line in TANGENT_TEXT]
        others = ", ".join(text_label(name) for name in self._others())
        seed = f"  ∂{wrt}/∂{wrt} = 1  (the seed)"
        lines.append(f"{seed}; every other input's tangent is 0: {others}" if others else seed)
        shown, omitted = Explanation._shown(self.steps)
        for step in shown:
            text = f"... {plural(omitted, 'step')} not shown ..." if step is None else step.text(wrt)
            lines.append(f"  {text}")
        lines += [
            "",
            f"Result: ∂{root}/∂{wrt} = {number(self.derivative)}  (what {root}.backward() puts in {wrt}.grad)",
            self.summary(root),
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"<forward-mode Explanation of {text_label(self.names[self.root])} along "
            f"{text_label(self.names[self.wrt])}: {plural(len(self.steps), 'step')}>"
        )

    def markdown(self) -> str:
        r"""The narrative as Markdown with LaTeX (every label escaped, as `Explanation.markdown`).

        >>> from autograd_tiny import Value
        >>> a = Value(3.0, label="a")
        >>> b = a * a; b.label = "b"
        >>> print(explain(b, mode="forward", wrt=a).markdown().splitlines()[-3])
        **Result**: $\frac{\partial \mathrm{b}}{\partial \mathrm{a}} = 6$
        """
        root, wrt = tex(self.names[self.root]), tex(self.names[self.wrt])

        def d(top: str) -> str:
            return f"\\frac{{\\partial {top}}}{{\\partial {wrt}}}"

        lines = ["**Forward pass**", ""]
        shown, omitted = Explanation._shown(self.forward)
        for record in shown:
            if record is None:
                lines.append(f"- … {plural(omitted, 'value')} not shown …")
                continue
            lines.append(f"- ${tex(record.name)} = {tex_number(record.data)}$")
        lines += ["", f"**Forward-mode sweep** along ${wrt}$ ({plural(len(self.steps), 'step')})", ""]
        lines.append(
            "Each edge, from an operand $x$ in slot $k$ to an op's output $t$, carries a *contribution* = "
            f"local derivative ${local_derivative_tex('t', 'x', 'k')}$ × $x$'s tangent ${d('x')}$. "
            f"A value's tangent ${d('t')}$ is the sum of its contributions."
        )
        lines += ["", f"- ${d(wrt)} = 1$ (the seed); every other input's tangent is $0$"]
        shown, omitted = Explanation._shown(self.steps)
        for step in shown:
            if step is None:
                lines.append(f"- … {plural(omitted, 'step')} not shown …")
                continue
            node, parent = tex(step.node_name), tex(step.parent_name)
            local = local_derivative_tex(node, parent, step.operand_index + 1)
            product = f"{tex_operand(step.local)} \\cdot {tex_operand(step.parent_tangent)}"
            sign = "=" if step.first else "\\mathrel{+}="
            lines.append(
                f"{step.number}. ${local} = {tex_number(step.local)}$; "
                f"${d(node)} {sign} {local} \\cdot {d(parent)} = {product} = {tex_number(step.contribution)}$"
                + ("" if step.first else f" (now ${tex_number(step.tangent)}$)")
            )
        lines += ["", f"**Result**: ${d(root)} = {tex_number(self.derivative)}$", "", self.summary(f"${root}$")]
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return self.markdown()


def local_equation(node: Value, parent_index: int, local: float, names: dict) -> tuple[int, str, str]:
    """The local derivative of `node` in its parent `parent_index`'s slot, as the narratives write it.

    Returns (operand_index, formula in names, equation): ``(0, "b", "∂c/∂a₍₁₎ = b = −3")``.
    The backward and the forward narratives both write their edges with it.
    """
    rule = rule_of(node)
    as_names, as_numbers = operand_texts(node, names)
    # The parent's place among the operands (a constant may stand before it).
    operand_index = [i for i, o in enumerate(operands(node)) if isinstance(o, Value)][parent_index]
    shown_node = text_label(names[node])
    parent_name = names[node.parents[parent_index]]
    formula = rule.derivative(operand_index, as_names, out=shown_node)
    substituted = rule.derivative(operand_index, as_numbers, out=display_operand(node.data))
    equation = chain_text(  # "(−3) = −3" and "1 = 1" are written once
        local_derivative(shown_node, text_label(parent_name), operand_index + 1),
        formula,
        substituted,
        number(local),
    )
    return operand_index, formula, equation


def _check_quiz(quiz: Any) -> bool:
    if not isinstance(quiz, bool):
        raise TypeError(f"quiz must be True or False, got {type(quiz).__name__} {quiz!r}")
    return quiz


def _code(text: str) -> str:
    """Our own bit of code in Markdown (never a label)."""
    return f"`{text}`"


def _check_explain_size(root: Value) -> None:
    check_graph_size(
        root,
        EXPLAIN_LIMIT,
        "explain",
        "explain a smaller graph (the loss of one sample, one neuron), or a network built with MLP "
        "neuron by neuron: explain(loss, group='neuron')",
    )


def explain(
    root: Value,
    *,
    group: str | None = None,
    sample: int | None = None,
    mode: str = "backward",
    wrt: Value | None = None,
) -> Any:
    """Explain the backward pass of `root` one edge at a time, changing nothing.

    ``mode="forward", wrt=x`` narrates forward mode instead (a `TangentExplanation`): the
    tangents ∂t/∂x carried from the inputs to `root` edge by edge, ending with the same
    ∂root/∂x that ``backward()`` gives, and a line on why reverse mode is the one for a loss.

    ``group="neuron"`` and ``group="layer"`` explain a graph built with Neuron, Layer or MLP
    the textbook way instead: the error δ of each neuron, or each layer's equations in
    matrix form (see `autograd_tiny.show.textbook`). For a loss over several samples, records are
    per sample and ``sample=k`` keeps sample k only.

    It walks the graph as ``root.backward()`` does and computes the same gradients, in its
    own storage: no ``.grad`` (nor anything else) changes, so explaining before or after
    ``backward()``, once or many times, always tells the same story. Where a leaf's
    ``.grad`` holds something else (accumulated by several ``backward()`` calls, or not
    computed yet) the narrative says so in one line.

    A graph of more than `EXPLAIN_LIMIT` (20,000) values or edges is refused with a
    ValueError before any work (the neuron and layer views: `textbook.TEXTBOOK_LIMIT`).

    >>> from autograd_tiny import Value
    >>> a = Value(3.0, label="a")
    >>> b = a + a; b.label = "b"
    >>> b.backward()
    >>> print(explain(b))
    Forward pass:
      a = 3
      b = a + a = 6
    <BLANKLINE>
    Backward pass (2 steps, one per edge, from b back to the inputs):
      Each edge, from an op's output t back to its operand x in slot k, sends x a contribution = local derivative ∂t/∂x₍ₖ₎ (t's slope in that slot alone) × upstream gradient ∂b/∂t.
      A value's gradient ∂b/∂x is the sum of its contributions.
      b.grad = 1  (∂b/∂b: the output's gradient with respect to itself)
      1. ∂b/∂a₍₁₎ = 1;  upstream ∂b/∂b = 1;  contribution 1 × 1 = 1;  a.grad = 1
      2. ∂b/∂a₍₂₎ = 1;  upstream ∂b/∂b = 1;  contribution 1 × 1 = 1;  a.grad = 1 + 1 = 2  (fan-out: a is used more than once, so contributions add)
    <BLANKLINE>
    Gradients of the inputs (each the sum of its contributions):
      ∂b/∂a = 1 + 1 = 2
    >>> a.grad
    2.0
    """
    if not isinstance(root, Value):
        raise TypeError(f"explain needs a Value, got {type(root).__name__}")
    if mode not in ("backward", "forward"):
        raise ValueError(f"mode must be 'backward' (the default) or 'forward', got {mode!r}")
    if mode == "forward":
        return _explain_forward(root, group, sample, wrt)
    if wrt is not None:
        raise ValueError("wrt= picks the value forward mode differentiates along; pass mode='forward' too")
    if group is None:
        if sample is not None:
            raise ValueError("sample= picks a sample of group='neuron' or group='layer'; pass one of those groups too")
        _check_explain_size(root)
        return Explanation(root)
    if group not in ("neuron", "layer"):
        raise ValueError(f"group must be None (edge by edge), 'neuron' or 'layer', got {group!r}")
    return textbook.explain_neurons(root, sample) if group == "neuron" else textbook.explain_layers(root, sample)


def _explain_forward(root: Value, group: Any, sample: Any, wrt: Any) -> TangentExplanation:
    """``explain(root, mode="forward", wrt=x)``, its arguments checked."""
    if group is not None or sample is not None:
        raise ValueError("group= and sample= belong to the backward narrative; mode='forward' takes wrt= only")
    if wrt is None:
        raise ValueError(
            "mode='forward' needs wrt=, the value to differentiate along, e.g. explain(L, mode='forward', wrt=a)"
        )
    if not isinstance(wrt, Value):
        raise TypeError(f"wrt must be a Value of the graph, got {type(wrt).__name__} {wrt!r}")
    _check_explain_size(root)
    if wrt not in set(topological_order(root)):
        raise ValueError(
            f"wrt={wrt.label or repr(wrt)} is not in the graph of {root.label or 'the output'}, so the output "
            "does not depend on it; pass a value the output was computed from"
        )
    return TangentExplanation(root, wrt)
