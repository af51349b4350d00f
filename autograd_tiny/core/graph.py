"""The one graph walk: topological order and the reverse sweep of the chain rule.

`backward()`, the renderer and the explainer all call these functions, so a drawing or an
explanation can never disagree with the gradients that `backward()` computes.

They read a node's ``_edges`` (its parents, then their local derivatives, in one tuple:
see `Value`) and ``grad``, and never import `Value` (the import direction is value -> graph).
"""

from __future__ import annotations

import numbers
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat
from typing import Any

__all__ = ["topological_order", "value_names", "backpropagate", "backward_steps", "Step", "one_pass_at_a_time"]


def topological_order(root: Any) -> list:
    """Return every node that `root` depends on, inputs before the nodes computed from them.

    The walk is iterative (an explicit stack, never recursion), so a chain of a million
    nodes is fine. The order is deterministic: parents are visited in operand order.

    Raises:
        ValueError: the graph has a cycle (a value whose parents were set by hand so that
            it depends on itself); the message names a value on the cycle.

    >>> from autograd_tiny import Value
    >>> a = Value(2.0, label="a")
    >>> b = a * a
    >>> c = b + a
    >>> [v.label or v.op for v in topological_order(c)]
    ['a', 'mul', 'add']
    """
    order: list = []
    done: set = set()  # the nodes already in `order`
    # Nodes of many operands whose operands have been pushed, with the stack's length then.
    expanded: dict = {}
    stack = [root]
    push, pop, emit, mark = stack.append, stack.pop, order.append, done.add
    # A graph with a cycle would keep the walk pushing forever. Testing for that at every
    # step would slow every walk down, so the walk runs in rounds of `budget` steps
    # (`repeat` counts them without a test of its own) and checks between rounds that the
    # stack is no longer than a graph without a cycle allows (_check_no_cycle).
    budget = _STEPS_PER_ROUND
    while True:
        try:
            for _ in repeat(None, budget):
                node = stack[-1]  # an IndexError once the stack is empty: the walk is done
                if node in done:  # listed already, through another path
                    pop()
                    continue
                # A node is listed once all its operands are. If some are not, push them (the
                # last operand first, so the first operand is listed first) and come back to
                # the node. With two operands, a leaf operand is listed at once instead: pushed
                # last, it would be the very next node listed anyway (a * b of two inputs or
                # parameters is common).
                edges = node._edges
                count = len(edges)  # twice the number of parents
                # One and two operands (every built-in op but affine) are spelled out: a loop
                # would allocate an iterator per node, which costs a third of the walk's time.
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
                elif count:
                    # Many operands (a fused neuron has 2n + 1): push those not listed yet,
                    # once. When the node is back on top they are all listed, so it need not
                    # check them again: it is back at the stack length it had then. Found on
                    # top at another length, it was pushed again by one of its own operands.
                    height = expanded.get(node)
                    if height is None:
                        height = len(stack)
                        for parent in reversed(edges[: count >> 1]):
                            if parent not in done:
                                push(parent)
                        if len(stack) != height:
                            expanded[node] = height
                            continue
                    elif height != len(stack):
                        raise _cycle_error(root)
                pop()
                mark(node)
                emit(node)
        except IndexError:
            if stack:  # not the end of the walk: an error of the nodes' own
                raise
            return order
        _check_no_cycle(stack, root)
        budget *= 4  # rounds grow, so the checks cost a small fraction of the walk however long


# Steps of the walk before its first check for a cycle (each later round is 4 times
# longer). A chain of a million op nodes takes about two million steps, so it is checked
# once; a cycle is reported within a second.
_STEPS_PER_ROUND = 1 << 20


def _check_no_cycle(stack: list, root: Any) -> None:
    """Raise the cycle error if the walk's stack has grown beyond what a graph without one allows.

    Without a cycle, every entry of the stack but the root was pushed by a node below it
    that is still waiting for its operands, and each distinct node waits in one place at a
    time, having pushed at most one entry per operand. So the stack holds at most 1 + the
    operand counts of its distinct nodes. With a cycle it grows without end and passes that.
    """
    distinct = set(stack)
    if len(distinct) == len(stack):  # no node twice (a chain): no cycle, and the sum is skipped
        return
    if len(stack) > 1 + sum([len(node._edges) >> 1 for node in distinct]):
        raise _cycle_error(root)


def _cycle_error(root: Any) -> ValueError:
    """The error for a graph with a cycle, naming a value on it and the cycle's length."""
    cycle = _find_cycle(root)
    # Name the value a reader is likeliest to know: the first one on the cycle with a label.
    labelled = [node for node in cycle if getattr(node, "label", "")]
    name = repr(labelled[0].label) if labelled else repr(cycle[0])
    ops = f"{len(cycle)} op{'s' if len(cycle) != 1 else ''}"
    return ValueError(
        f"the graph has a cycle: {name} depends on itself (through {ops}), so it has no gradient; "
        "a value's parents must be computed before it: check the parents set by hand"
    )


def _find_cycle(root: Any) -> list:
    """The nodes of a cycle reachable from `root`, from the one nearest to `root`.

    A depth-first walk that keeps the current path: an operand already on the path closes
    a cycle. Slower than `topological_order`, and run only once a cycle is known to exist.
    """
    on_path: dict = {}  # node -> its position on the path
    path: list = []
    finished: set = set()
    stack = [(root, iter(root._edges[: len(root._edges) >> 1]))]
    on_path[root] = 0
    path.append(root)
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent in on_path:  # back to a node of the path: a cycle
                return path[on_path[parent] :]
            if parent not in finished:
                on_path[parent] = len(path)
                path.append(parent)
                stack.append((parent, iter(parent._edges[: len(parent._edges) >> 1])))
                break
        else:
            stack.pop()
            path.pop()
            del on_path[node]
            finished.add(node)
    raise AssertionError("_find_cycle is called only for a graph with a cycle")  # pragma: no cover


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
        elif node.grad.__class__ is not float:  # rare: an int, a NumPy number, or not a number
            _check_leaf_gradient(node)
    root.grad += 1.0


def _check_leaf_gradient(leaf: Any) -> None:
    """Refuse a leaf whose ``grad`` is not a number (``w.grad = None``), before the pass adds to it.

    A leaf holding a gradient as a Value (``backward(create_graph=True)``) goes on from its
    number: this pass adds to that, as PyTorch's does. Raised before any leaf changes;
    interior nodes may have been reset to 0 by then.
    """
    grad = leaf.grad
    if isinstance(grad, numbers.Real) and not isinstance(grad, bool):
        return
    if grad.__class__ is leaf.__class__:
        leaf.grad = grad.data
        return
    label = getattr(leaf, "label", "")
    name = label if label else repr(leaf)
    raise TypeError(
        f"{name}.grad is {type(grad).__name__} {grad!r}, not a number, so backward() cannot add to it; "
        f"set {name}.grad = 0.0 (or call zero_grad()) first"
    )


# One backward pass at a time, in the whole process. A pass resets the interior nodes'
# gradients and then adds into them, so two passes over one graph in two threads at once
# would add into each other's sums (four threads gave 6e30 for 800). Taking the lock costs
# well under a microsecond per pass; passes cannot run in parallel under the GIL anyway.
# Re-entrant, so a pass that somehow starts another in the same thread cannot deadlock.
one_pass_at_a_time = threading.RLock()


def backpropagate(root: Any) -> list:
    """Run the chain rule from `root` over its graph; return the topological order used.

    Every node's ``grad`` becomes d(root)/d(node) (leaves add it to what they had). Passes
    in several threads at once run one after the other, so each gives what it gives alone.
    """
    with one_pass_at_a_time:
        return _backpropagate(root)


def _backpropagate(root: Any) -> list:
    """`backpropagate`'s pass itself, run while holding the lock."""
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
