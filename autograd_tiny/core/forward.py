"""Forward mode: push tangents from the inputs to the output over the recorded local derivatives.

Backward mode (`graph.backpropagate`) starts at the output and sends gradients back: one
sweep gives ∂root/∂(every input). Forward mode starts at the inputs and carries, for every
node t, its *tangent* ṫ = dt/dx along a chosen direction: ṫ = Σ ∂t/∂parent₍ₖ₎ × (parent's
tangent), in topological order (dual numbers, in effect). One sweep gives the derivative of
every node along ONE direction, so ∂root/∂(all n inputs) takes n sweeps where backward takes 1.
Forward mode wins in the opposite case: one input and many outputs (a curve's x, y, z
along a time t): one forward sweep gives them all, reverse mode needs one per output.

Both read the same local derivatives, so they agree (tests tie them on generated graphs).
Everything here is pure: tangents live in a dict of the sweep, no ``.grad`` changes.

>>> jvp(lambda a, b: a * b + a, [2.0, -3.0], [1.0, 0.0])  # (f, ∂f/∂a): b + 1
(-4.0, -2.0)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .graph import topological_order
from .value import Value

__all__ = ["tangents", "jvp", "tangent_steps", "TangentStep", "sweep_counts", "SweepCounts"]


def _seeds(order: list, seeds: Mapping) -> dict:
    """Check `seeds` (Value -> number, every Value in the graph) and return them as floats."""
    if not isinstance(seeds, Mapping):
        raise TypeError(f"seeds must be a dict Value -> number, e.g. {{x: 1.0}}, got {type(seeds).__name__}")
    members = set(order)
    checked = {}
    for node, seed in seeds.items():
        if not isinstance(node, Value):
            raise TypeError(f"seeds' keys must be Values of the graph, got {type(node).__name__} {node!r}")
        if node not in members:
            raise ValueError(
                f"{node.label or repr(node)} is not in the graph of this output, so it has no tangent to seed; "
                "seed a value the output was computed from"
            )
        if isinstance(seed, bool) or not isinstance(seed, (int, float)):
            raise TypeError(f"the seed of {node.label or repr(node)} must be a number, got {type(seed).__name__}")
        checked[node] = float(seed)
    return checked


def tangents(root: Value, seeds: Mapping) -> dict:
    """The tangent of every node of `root`'s graph along `seeds`, in one forward sweep.

    `seeds` gives the inputs' tangents (``{x: 1.0}``: differentiate along x); every other
    input's tangent is 0. A seeded interior value is treated as an input (its own parents
    are not followed into it), as ``.grad`` of an interior value treats it after ``backward()``.
    Returns a dict Value -> tangent for every node in topological order; the root's entry
    is d root along the seeds: with ``{x: 1.0}`` exactly ∂root/∂x, what ``backward()`` puts
    in ``x.grad``. No ``.grad`` changes.

    >>> from autograd_tiny import Value
    >>> x = Value(3.0, label="x")
    >>> y = x * x + x
    >>> tangents(y, {x: 1.0})[y], x.grad  # 2x + 1; x.grad untouched
    (7.0, 0.0)
    """
    order = topological_order(root)
    seeded = _seeds(order, seeds)
    tangent: dict = {}
    for node in order:
        if node in seeded:
            tangent[node] = seeded[node]
            continue
        edges = node._edges
        half = len(edges) >> 1
        total = 0.0
        for i in range(half):  # Σ local derivative × parent's tangent, in operand order
            total += edges[half + i] * tangent[edges[i]]
        tangent[node] = total
    return tangent


def jvp(f: Callable[..., Value], xs: Sequence, vs: Sequence) -> tuple[float, float]:
    """``(f(*xs), the derivative of f at xs along vs)``: a Jacobian-vector product, as JAX's jvp.

    `xs` are numbers (or Values, used as they are), `vs` one tangent per input; ``f`` builds
    its output from Values. The derivative Σ ∂f/∂xᵢ · vᵢ comes from ONE forward sweep of
    tangents (`tangents`), never from ``backward()``. Both results are floats.

    >>> jvp(lambda a, b: a * b, [2.0, -3.0], [1.0, 0.0])  # ∂(a·b)/∂a = b
    (-6.0, -3.0)
    """
    xs, vs = list(xs), list(vs)
    if len(xs) != len(vs):
        raise ValueError(f"jvp needs one tangent per input: {len(xs)} inputs, {len(vs)} tangents")
    inputs = [x if isinstance(x, Value) else Value(x) for x in xs]
    if len(set(inputs)) != len(inputs):  # one node has one tangent: two directions for it are ambiguous
        raise ValueError("jvp got the same Value twice among xs; pass it once (or pass numbers, one Value each)")
    out = f(*inputs)
    if not isinstance(out, Value):
        raise TypeError(f"jvp needs f to return a Value, got {type(out).__name__}")
    order = set(topological_order(out))
    # An input f ignores has no effect (its derivative is 0), and is not in the graph to seed.
    seeds = {x: v for x, v in zip(inputs, vs) if x in order}
    return out.data, tangents(out, seeds)[out]


@dataclass(frozen=True)
class TangentStep:
    """One edge of the forward sweep: `parent`'s tangent carried into `node`.

    Attributes:
        index: 0-based position of the step in the sweep.
        node, parent: the op's output and its operand.
        parent_index: which entry of ``node.parents`` the parent is.
        local: the local derivative ∂node/∂parent in that slot.
        parent_tangent: the parent's tangent (final: parents come first).
        contribution: local × parent_tangent.
        tangent_before, tangent_after: the node's tangent before and after this step.
    """

    index: int
    node: Any
    parent: Any
    parent_index: int
    local: float
    parent_tangent: float
    contribution: float
    tangent_before: float
    tangent_after: float


def tangent_steps(root: Value, seeds: Mapping) -> Iterator[TangentStep]:
    """The forward sweep of `tangents`, one `TangentStep` per edge, summed in the same order.

    >>> from autograd_tiny import Value
    >>> x = Value(3.0, label="x")
    >>> [(s.local, s.tangent_after) for s in tangent_steps(x * x, {x: 1.0})]
    [(3.0, 3.0), (3.0, 6.0)]
    """
    order = topological_order(root)
    seeded = _seeds(order, seeds)
    tangent: dict = {}
    index = 0
    for node in order:
        if node in seeded or not node.parents:
            tangent[node] = seeded.get(node, 0.0)
            continue
        total = 0.0
        for parent_index, (parent, local) in enumerate(zip(node.parents, node.local_derivatives)):
            contribution = local * tangent[parent]
            before, total = total, total + contribution
            yield TangentStep(index, node, parent, parent_index, local, tangent[parent], contribution, before, total)
            index += 1
        tangent[node] = total


@dataclass(frozen=True)
class SweepCounts:
    """The work of getting ∂(outputs)/∂(inputs) for a graph, both ways.

    Attributes:
        inputs: the graph's inputs (leaves that are Values: data and parameters alike).
        outputs: the outputs differentiated (1: the root).
        edges: the edges one sweep visits (each one multiply-add), either way.
        forward_sweeps: sweeps forward mode needs for the full gradient (one per input).
        reverse_sweeps: sweeps reverse mode needs (one per output).
    """

    inputs: int
    outputs: int
    edges: int
    forward_sweeps: int
    reverse_sweeps: int


def sweep_counts(root: Value, *, wrt: Sequence | None = None) -> SweepCounts:
    """Count the work of the full gradient ∂root/∂(every input) in forward and in reverse mode.

    Forward mode needs one sweep per input, reverse mode (``backward()``) one per output,
    and a sweep visits every edge either way. A loss has one output and many inputs, so
    reverse mode wins by a factor of the number of inputs; with one input and many
    outputs it is the other way around. ``wrt=`` counts only the inputs wanted (e.g.
    ``model.parameters()``: a model's gradient needs none with respect to its data);
    default: every leaf of the graph.

    >>> from autograd_tiny import Value
    >>> a, b, c = Value(1.0), Value(2.0), Value(3.0)
    >>> sweep_counts(a * b + c)
    SweepCounts(inputs=3, outputs=1, edges=4, forward_sweeps=3, reverse_sweeps=1)
    """
    order = topological_order(root)
    if wrt is None:
        inputs = sum(1 for node in order if not node._edges)
    else:
        members = set(order)
        inputs = len({node for node in wrt if node in members})  # one sweep per distinct input of the graph
    edges = sum(len(node._edges) >> 1 for node in order)
    return SweepCounts(inputs=inputs, outputs=1, edges=edges, forward_sweeps=inputs, reverse_sweeps=1)
