"""The one graph walk: topological order and the reverse sweep of the chain rule.

`backward()`, the renderer and the explainer all call these functions, so a drawing or an
explanation can never disagree with the gradients that `backward()` computes.

The functions work on any object with ``_edges`` (one tuple: the parent nodes, then a float
local derivative for each, ``(p0, p1, d0, d1)``; ``()`` for a leaf) and a ``grad``
attribute, which is how `Value` stores them (its ``parents`` and ``local_derivatives`` are the
two halves). They never import `Value`, which keeps the import direction one way
(engine -> graph).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["topological_order", "value_names", "backpropagate", "backward_steps", "Step"]


def topological_order(root: Any) -> list:
    """Return every node that `root` depends on, inputs before the nodes computed from them.

    The walk is iterative (an explicit stack, never recursion), so a chain of a million
    nodes is fine. The order is deterministic: parents are visited in operand order.

    >>> from autograd_tiny import Value
    >>> a = Value(2.0, label="a")
    >>> b = a * a
    >>> c = b + a
    >>> [v.label or v.op for v in topological_order(c)]
    ['a', 'mul', 'add']
    """
    order: list = []
    done: set = set()  # the nodes already in `order`
    expanded: set = set()  # nodes of many operands whose operands have been pushed
    stack = [root]
    push, pop, emit, mark = stack.append, stack.pop, order.append, done.add
    while stack:
        node = stack[-1]
        if node in done:  # listed already, through another path
            pop()
            continue
        # A node is listed once all its operands are. If some are not, push them (the last
        # operand first, so the first operand is listed first) and come back to the node.
        # With two operands, a leaf operand is listed at once instead: pushed last, it would
        # be the very next node listed anyway (a * b of two inputs or parameters is common).
        edges = node._edges
        count = len(edges)  # twice the number of parents
        # One and two operands (every built-in op but linear) are spelled out: a loop would
        # allocate an iterator per node, which costs a third of the walk's time.
        if count == 2:
            # One operand: mostly the previous op of a chain, so no test for a leaf here.
            if edges[0] not in done:
                push(edges[0])
                continue
        elif count == 4:
            first = edges[0]
            second = edges[1]
            if first not in done:
                if first._edges:
                    if second not in done:
                        push(second)
                    push(first)
                    continue
                mark(first)
                emit(first)
            if second not in done:
                if second._edges:
                    push(second)
                    continue
                mark(second)
                emit(second)
        elif count and node not in expanded:
            # Many operands (a fused neuron has 2n + 1): push those not listed yet, once. When
            # the node is back on top they are all listed, so it need not check them again.
            waiting = False
            for parent in reversed(edges[: count >> 1]):
                if parent not in done:
                    push(parent)
                    waiting = True
            if waiting:
                expanded.add(node)
                continue
        pop()
        mark(node)
        emit(node)
    return order


def value_names(order: list) -> dict:
    """A name for every node of `order`: its label, or a generated one.

    Drawings, explanations and the HTML stepper all name values with this function, so a
    value has the same name everywhere. Unlabelled values are named by role, numbered in
    topological order: leaves ``x1, x2, ...``, intermediate values ``t1, t2, ...``, and the
    last node (the root) ``out``.

    >>> from autograd_tiny import Value
    >>> a = Value(2.0, label="a")
    >>> out = (a * Value(3.0) + 1).tanh()
    >>> list(value_names(topological_order(out)).values())
    ['a', 'x1', 't1', 't2', 'out']
    """
    names = {}
    leaves = interior = 0
    last = len(order) - 1
    for position, node in enumerate(order):
        if node.label:
            names[node] = node.label
        elif position == last and node.parents:
            names[node] = "out"
        elif node.parents:
            interior += 1
            names[node] = f"t{interior}"
        else:
            leaves += 1
            names[node] = f"x{leaves}"
    return names


def _reset_gradients(order: list, root: Any) -> None:
    """Prepare a backward pass: interior nodes start from 0, leaves keep what they have.

    Leaves (inputs, parameters) accumulate across passes, as in PyTorch, so gradient
    accumulation works and ``zero_grad()`` stays a lesson. Interior nodes hold only the
    gradient of the latest pass. The root's own gradient is seeded with 1.
    """
    for node in order:
        if node._edges:
            node.grad = 0.0
    root.grad += 1.0


def backpropagate(root: Any) -> list:
    """Run the chain rule from `root` over its graph; return the topological order used.

    Every node's ``grad`` becomes d(root)/d(node) (leaves add it to what they had).
    """
    order = topological_order(root)
    _reset_gradients(order, root)
    for node in reversed(order):
        edges = node._edges
        if not edges:
            continue
        upstream = node.grad
        # The chain rule: each parent receives local derivative x upstream gradient.
        # Edges are (p0, ..., d0, ...). Most ops have one or two parents; indexing them
        # directly is about twice as fast as zip(), which allocates an iterator per node.
        count = len(edges)
        if count == 2:
            edges[0].grad += edges[1] * upstream
        elif count == 4:
            edges[0].grad += edges[2] * upstream
            edges[1].grad += edges[3] * upstream
        else:
            half = count >> 1
            for i in range(half):
                edges[i].grad += edges[half + i] * upstream
    return order


@dataclass(frozen=True)
class Step:
    """One edge of the backward pass: the gradient flowing from `node` into `parent`.

    Attributes:
        index: 0-based position of the step in the backward pass.
        node: the op's output value.
        parent: the input value the gradient flows to.
        parent_index: which entry of ``node.parents`` the parent is (0 for the first).
        local: the local derivative d(node)/d(parent).
        upstream: the upstream gradient d(root)/d(node).
        contribution: local * upstream, the amount added to the parent's gradient.
        grad_before: the parent's gradient in this pass before this step (0 at its first).
        grad_after: the parent's gradient in this pass after this step (its running total).
        fan_out: True when the parent had already received a contribution in this pass.
    """

    index: int
    node: Any
    parent: Any
    parent_index: int
    local: float
    upstream: float
    contribution: float
    grad_before: float
    grad_after: float
    fan_out: bool


def backward_steps(root: Any) -> Iterator[Step]:
    """Run the backward pass of `backpropagate` in its own storage, yielding one `Step` per edge.

    The gradients live in a dict of this pass (the root seeded with 1, every other value
    starting from 0), so no attribute of any node changes: explaining or drawing a pass is
    pure, whatever ``.grad`` holds from earlier ``backward()`` calls. The edges are visited
    and summed in the same order as `backpropagate`, so each final gradient is bit for bit
    what a ``backward()`` on freshly zeroed gradients stores in ``.grad``.

    >>> from autograd_tiny import Value
    >>> a = Value(3.0, label="a")
    >>> b = a * a
    >>> [(s.parent_index, s.contribution, s.grad_after) for s in backward_steps(b)]
    [(0, 3.0, 3.0), (1, 3.0, 6.0)]
    >>> a.grad, b.grad  # untouched
    (0.0, 0.0)
    """
    order = topological_order(root)
    grads: dict = {root: 1.0}  # this pass's gradients; a value absent has received nothing yet
    index = 0
    for node in reversed(order):
        parents = node.parents
        if not parents:
            continue
        upstream = grads[node]
        for parent_index, (parent, local) in enumerate(zip(parents, node.local_derivatives)):
            fan_out = parent in grads
            before = grads[parent] if fan_out else 0.0
            contribution = local * upstream
            # `before + contribution` with before = 0.0 at the first contribution, exactly
            # as backpropagate adds into a zeroed .grad, so the sums agree bit for bit.
            after = before + contribution
            grads[parent] = after
            yield Step(
                index=index,
                node=node,
                parent=parent,
                parent_index=parent_index,
                local=local,
                upstream=upstream,
                contribution=contribution,
                grad_before=before,
                grad_after=after,
                fan_out=fan_out,
            )
            index += 1
