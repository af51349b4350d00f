"""The chain rule, step by step: `explain(root)` narrates the backward pass with real numbers.

For every edge of the graph, in the order `backward()` visits them, an explanation shows
the *local derivative* (∂out/∂input, its formula and its value), the *upstream gradient*
(∂root/∂out), their product, the *contribution*, and the input's running *gradient* — the
sum of its contributions, which grows where a value is used more than once.

>>> from autograd_tiny import Value
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> c = a * b; c.label = "c"
>>> e = explain(c)
>>> print(e.steps[0].equation)
∂c/∂a = b = -3
>>> a.grad, b.grad
(-3.0, 2.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .engine import RULES, Value, operands
from .files import write_atomically
from .graph import backward_steps, topological_order, value_names

__all__ = ["explain", "Explanation", "ForwardRecord", "ExplainedStep"]

# Past this many steps the text and Markdown narratives show the start and the end only.
NARRATIVE_LIMIT = 60
# The HTML stepper draws the whole graph; past this many values it is not legible.
HTML_LIMIT = 120


def number(x: float) -> str:
    """A number as the narrative shows it: short, exact where it can be.

    >>> number(6.0), number(-0.7615941559557649), number(1e-9)
    ('6', '-0.761594', '1e-09')
    """
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.6g}"


def _operand(x: float) -> str:
    """A number substituted into a formula: negative numbers in parentheses."""
    text = number(x)
    return f"({text})" if text.startswith("-") else text


@dataclass(frozen=True)
class ForwardRecord:
    """One value of the forward pass: ``t1 = a · b = -6``."""

    node: Value
    name: str
    expression: str  # "a · b", or "" for a leaf
    text: str  # the whole line


@dataclass(frozen=True)
class ExplainedStep:
    """One edge of the backward pass, with every number a learner needs.

    Attributes:
        number: 1-based position in the backward pass.
        node, parent: the op's output and the input the gradient flows to.
        node_name, parent_name: their names (the same as in drawings).
        op: the op's name.
        parent_index: which entry of ``node.parents`` the parent is.
        position: which operand of the op's formula the parent is (constants count).
        local: the local derivative ∂node/∂parent.
        formula: the local derivative's formula in names (``"b"``).
        equation: the local derivative with numbers (``"∂c/∂a = b = -3"``).
        upstream: ∂root/∂node.
        contribution: local × upstream.
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
    position: int
    local: float
    formula: str
    equation: str
    upstream: float
    contribution: float
    gradient_before: float
    gradient: float
    fan_out: bool

    def text(self, root_name: str) -> str:
        """The step as one line of plain text."""
        line = (
            f"{self.number}. {self.equation};  upstream ∂{root_name}/∂{self.node_name} = {number(self.upstream)};  "
            f"contribution {_operand(self.local)} × {_operand(self.upstream)} = {number(self.contribution)}"
        )
        if self.fan_out:
            return (
                f"{line};  {self.parent_name}.grad = {number(self.gradient_before)} + "
                f"{_operand(self.contribution)} = {number(self.gradient)}  "
                f"(fan-out: {self.parent_name} is used more than once, so contributions add)"
            )
        if self.gradient_before != 0.0:
            return (
                f"{line};  {self.parent_name}.grad = {number(self.gradient_before)} + "
                f"{_operand(self.contribution)} = {number(self.gradient)}  "
                f"(adds to the gradient of an earlier backward(): leaves accumulate; zero them for a fresh pass)"
            )
        return f"{line};  {self.parent_name}.grad = {number(self.gradient)}"


def _names_and_numbers(node: Value, names: dict) -> tuple[list[str], list[str]]:
    """The operands of `node`'s op written as names and as numbers."""
    as_names, as_numbers = [], []
    for operand in operands(node):
        if isinstance(operand, Value):
            as_names.append(names[operand])
            as_numbers.append(_operand(operand.data))
        else:
            as_names.append(number(operand))
            as_numbers.append(_operand(operand))
    return as_names, as_numbers


def _chain(*parts: str) -> str:
    """Join ``a = b = c``, dropping a part that repeats the one before it."""
    kept: list[str] = []
    for part in parts:
        if not kept or part != kept[-1]:
            kept.append(part)
    return " = ".join(kept)


class Explanation:
    """The forward and backward pass of a graph, as records, text, Markdown and HTML.

    Attributes:
        root: the value explained.
        forward: one `ForwardRecord` per value, in topological order.
        steps: one `ExplainedStep` per edge, in the order the chain rule visits them.
        names: the name of every value.
    """

    def __init__(self, root: Value) -> None:
        self.root = root
        order = topological_order(root)
        self.names = value_names(order)
        self.order = order
        self.forward = [self._forward_record(node) for node in order]
        self.steps = [self._step(step) for step in backward_steps(root)]

    def _forward_record(self, node: Value) -> ForwardRecord:
        name = self.names[node]
        if not node.parents:
            return ForwardRecord(node, name, "", f"{name} = {number(node.data)}")
        as_names, _ = _names_and_numbers(node, self.names)
        expression = RULES[node.op].write(as_names, out=name)
        return ForwardRecord(node, name, expression, f"{name} = {expression} = {number(node.data)}")

    def _step(self, step: Any) -> ExplainedStep:
        node, parent = step.node, step.parent
        rule = RULES[node.op]
        as_names, as_numbers = _names_and_numbers(node, self.names)
        # The parent's place among the operands (a constant may stand before it).
        position = [i for i, o in enumerate(operands(node)) if isinstance(o, Value)][step.position]
        node_name, parent_name = self.names[node], self.names[parent]
        formula = rule.derivative(position, as_names, out=node_name)
        substituted = rule.derivative(position, as_numbers, out=_operand(node.data))
        if substituted == _operand(step.local):  # "(-3)" says no more than "-3"
            substituted = number(step.local)
        equation = _chain(f"∂{node_name}/∂{parent_name}", formula, substituted, number(step.local))
        return ExplainedStep(
            number=step.index + 1,
            node=node,
            parent=parent,
            node_name=node_name,
            parent_name=parent_name,
            op=node.op,
            parent_index=step.position,
            position=position,
            local=step.local,
            formula=formula,
            equation=equation,
            upstream=step.upstream,
            contribution=step.contribution,
            gradient_before=step.grad_before,
            gradient=step.grad_after,
            fan_out=step.fan_out,
        )

    # ------------------------------------------------------------------ leaves

    def leaf_sums(self) -> list[tuple[str, list[float], float]]:
        """For each leaf: its name, its contributions in order, and its gradient."""
        contributions: dict = {}
        for step in self.steps:
            contributions.setdefault(step.parent, []).append(step.contribution)
        return [
            (self.names[node], contributions.get(node, []), node.grad)
            for node in self.order
            if not node.parents and node is not self.root
        ]

    @staticmethod
    def _shown(records: list) -> tuple[list, int]:
        """The records a narrative shows (None marks a gap), and how many it leaves out."""
        if len(records) <= NARRATIVE_LIMIT:
            return records, 0
        head, tail = records[: NARRATIVE_LIMIT - 10], records[-10:]
        return head + [None] + tail, len(records) - len(head) - len(tail)

    # ------------------------------------------------------------------ text

    def __str__(self) -> str:
        root = self.names[self.root]
        lines = ["Forward pass:"]
        shown, omitted = self._shown(self.forward)
        for record in shown:
            gap = f"  ... {omitted} values not shown (Explanation.forward has all of them) ..."
            lines.append(gap if record is None else f"  {record.text}")
        lines += ["", f"Backward pass ({len(self.steps)} steps, one per edge, from {root} back to the inputs):"]
        lines.append(f"  {root}.grad = 1  (∂{root}/∂{root}: the output's gradient with respect to itself)")
        shown, omitted = self._shown(self.steps)
        for step in shown:
            if step is None:
                lines.append(f"  ... {omitted} steps not shown (Explanation.steps has all of them) ...")
            else:
                lines.append(f"  {step.text(root)}")
        lines += ["", "Gradients of the inputs (each the sum of its contributions):"]
        for name, parts, grad in self.leaf_sums():
            total = " + ".join(_operand(p) for p in parts) if len(parts) > 1 else ""
            lines.append(f"  ∂{root}/∂{name} = {total + ' = ' if total else ''}{number(grad)}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Explanation of {self.names[self.root]}: {len(self.forward)} values, {len(self.steps)} steps>"

    # ------------------------------------------------------------------ Markdown

    def markdown(self) -> str:
        """The narrative as Markdown with LaTeX, for Jupyter and for notes."""
        root = _tex(self.names[self.root])
        lines = ["**Forward pass**", ""]
        shown, omitted = self._shown(self.forward)
        for record in shown:
            if record is None:
                lines.append(f"- … {omitted} values not shown …")
                continue
            lines.append(f"- ${_tex(record.name)} = " + (f"{_tex_formula(record.expression)} = " if record.expression else "") + f"{number(record.node.data)}$")
        lines += ["", f"**Backward pass** ({len(self.steps)} steps)", ""]
        lines.append(f"- $\\frac{{\\partial {root}}}{{\\partial {root}}} = 1$")
        shown, omitted = self._shown(self.steps)
        for step in shown:
            if step is None:
                lines.append(f"- … {omitted} steps not shown …")
                continue
            node, parent = _tex(step.node_name), _tex(step.parent_name)
            local = f"\\frac{{\\partial {node}}}{{\\partial {parent}}}"
            upstream = f"\\frac{{\\partial {root}}}{{\\partial {node}}}"
            target = f"\\frac{{\\partial {root}}}{{\\partial {parent}}}"
            sign = "\\mathrel{+}=" if step.fan_out else "="
            value = number(step.local)
            formula = f"{_tex_formula(step.formula)} = {value}" if step.formula != value else value
            lines.append(
                f"{step.number}. ${local} = {formula}$; "
                f"${target} {sign} {local} \\cdot {upstream} = {_operand(step.local)} \\cdot {_operand(step.upstream)} "
                f"= {number(step.contribution)}$"
                + (f" (fan-out: now ${number(step.gradient)}$)" if step.fan_out else "")
            )
        lines += ["", "**Gradients**", ""]
        for name, parts, grad in self.leaf_sums():
            total = " + ".join(_operand(p) for p in parts) + " = " if len(parts) > 1 else ""
            lines.append(f"- $\\frac{{\\partial {root}}}{{\\partial {_tex(name)}}} = {total}{number(grad)}$")
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return self.markdown()

    # ------------------------------------------------------------------ HTML

    def save_html(self, path: str) -> str:
        """Write a self-contained HTML page that steps through the backward pass.

        The page shows the graph with the current edge highlighted and the gradients filled
        in so far, the step's equation, prev / next / play buttons and the arrow keys. It
        needs no network. Returns the path written.
        """
        from .stepper import stepper_html

        if len(self.order) > HTML_LIMIT:
            raise ValueError(
                f"the HTML stepper shows at most {HTML_LIMIT} values legibly and this graph has "
                f"{len(self.order)}; explain a smaller expression (e.g. one neuron) or use str() / markdown()"
            )
        return write_atomically(path, stepper_html(self))


_TEX_SPECIAL = {"\\": r"\backslash ", "{": r"\{", "}": r"\}", "_": r"\_", "#": r"\#", "%": r"\%", "&": r"\&", "$": r"\$", "^": r"\hat{}", "~": r"\sim "}


def _tex(name: str) -> str:
    """A value's name in LaTeX: upright text, special characters escaped."""
    return "\\mathrm{" + "".join(_TEX_SPECIAL.get(c, c) for c in name) + "}"


def _tex_formula(text: str) -> str:
    """A rule's formula text in LaTeX: the Unicode operators become commands."""
    escaped = "".join(_TEX_SPECIAL.get(c, c) for c in text)
    for plain, tex in (("·", r" \cdot "), ("−", "-"), ("²", "^2"), ("√", r"\sqrt "), ("σ", r"\sigma"), ("ln ", r"\ln ")):
        escaped = escaped.replace(plain, tex)
    return escaped


def explain(root: Value) -> Explanation:
    """Run the backward pass of `root` one edge at a time and explain every step.

    It uses the same graph walk as ``root.backward()``; afterwards every value's ``grad``
    is what ``root.backward()`` gives (leaves accumulate, as with backward()).

    >>> from autograd_tiny import Value
    >>> a = Value(3.0, label="a")
    >>> b = a + a; b.label = "b"
    >>> print(explain(b))
    Forward pass:
      a = 3
      b = a + a = 6
    <BLANKLINE>
    Backward pass (2 steps, one per edge, from b back to the inputs):
      b.grad = 1  (∂b/∂b: the output's gradient with respect to itself)
      1. ∂b/∂a = 1;  upstream ∂b/∂b = 1;  contribution 1 × 1 = 1;  a.grad = 1
      2. ∂b/∂a = 1;  upstream ∂b/∂b = 1;  contribution 1 × 1 = 1;  a.grad = 1 + 1 = 2  (fan-out: a is used more than once, so contributions add)
    <BLANKLINE>
    Gradients of the inputs (each the sum of its contributions):
      ∂b/∂a = 1 + 1 = 2
    """
    if not isinstance(root, Value):
        raise TypeError(f"explain needs a Value, got {type(root).__name__}")
    return Explanation(root)

