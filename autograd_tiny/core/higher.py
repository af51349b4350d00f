"""The backward pass recorded as a graph: derivatives of derivatives (``create_graph=True``).

`graph.backpropagate` adds floats: fast, and the gradient it leaves has no graph of its own.
`gradient_graph` runs the same chain rule, in the same order, but computes every local
derivative again *on Values*, from the op's own rule (``1 - out * out`` for tanh runs on
floats and on Values alike), so each gradient is a `Value` whose graph computes it, and
``backward()`` on it differentiates again. It is a separate function so the float pass
keeps its speed.

Kinks (relu, abs): the rule's slope is a constant on each side, so a second derivative is
0 away from the kink (and the first derivative's value at the kink, as ``backward()``).

This module never imports `Value`: it makes its Values with the root's own class.
"""

from __future__ import annotations

import numbers
from contextvars import ContextVar
from typing import Any

from .graph import one_pass_at_a_time, topological_order
from .ops import rule_of

__all__ = ["gradient_graph", "set_gradient_graphs", "values_only"]

# True while an op's derivative rule runs on Values: `Value.__float__` then refuses, so a
# rule that hides a float-only function (math.cos(x) turns x into a float) fails loudly
# instead of silently giving a constant, which would make the next derivative wrong.
values_only: ContextVar[bool] = ContextVar("autograd_tiny_values_only", default=False)


def _local_derivatives(node: Any) -> tuple:
    """∂node/∂parent for each parent, as Values: the op's rule run on the operands' Values."""
    rule = rule_of(node)
    parents = node.parents
    if node.const is None:
        xs, positions = list(parents), range(len(parents))
    elif rule.constant_first:  # 3 - a: the constant is operand 0
        xs, positions = [node.const, *parents], range(1, len(parents) + 1)
    else:
        xs, positions = [*parents, node.const], range(len(parents))
    if rule.arity < 0:  # the fused neuron: its rule takes all operands at once
        return rule.local_derivatives(tuple(xs), node)
    token = values_only.set(True)
    try:
        return tuple(rule.derivatives[i](*xs, node) for i in positions)
    except TypeError as error:
        if rule.builtin:  # pragma: no cover - every built-in rule runs on Values (tests/learn)
            raise
        raise TypeError(
            f"op {rule.name!r}: its local derivative cannot run on Values ({type(error).__name__}: {error}), "
            "so it cannot be differentiated twice; write the op's derivatives with Value operations "
            "(x.cos(), x.exp(), 1 - out * out, ...) instead of float-only functions such as math.cos"
        ) from error
    finally:
        values_only.reset(token)


def gradient_graph(root: Any) -> dict:
    """∂root/∂node for every node of `root`'s graph, each a Value built as a graph. Pure.

    No ``.grad`` changes. Contributions are added in `backpropagate`'s order, so the
    numbers are those ``backward()`` gives.

    >>> from autograd_tiny import Value
    >>> x = Value(3.0)
    >>> dx = gradient_graph(x * x * x)[x]
    >>> dx.data, gradient_graph(dx)[x].data  # 3x², 6x
    (27.0, 18.0)
    """
    order = topological_order(root)
    # Gradients stay plain floats while they are constants (the root's 1, a sum's slopes),
    # and a factor of exactly 1 adds no node: the derivative graph of tanh is 1 − out².
    grads: dict = {root: 1.0}
    for node in reversed(order):
        if not node._edges:
            continue
        upstream = grads[node]
        for parent, local in zip(node.parents, _local_derivatives(node)):
            if upstream.__class__ is float and upstream == 1.0:
                contribution = local
            elif local.__class__ is float and local == 1.0:
                contribution = upstream
            else:
                contribution = local * upstream
            before = grads.get(parent)
            grads[parent] = contribution if before is None else before + contribution
    make = root.__class__
    return {node: make(float(g)) if isinstance(g, numbers.Real) else g for node, g in grads.items()}


def set_gradient_graphs(root: Any) -> None:
    """``root.backward(create_graph=True)``: every node's ``.grad`` becomes its gradient as a Value.

    Interior nodes hold this pass's gradient. Leaves accumulate as in ``backward()``: the
    new ``.grad`` is the old one plus this pass's, as a graph (a leaf holding 0.0 gets this
    pass's gradient itself, a leaf holding a Value gets ``old + new``).
    """
    with one_pass_at_a_time:
        grads = gradient_graph(root)
        for node, gradient in grads.items():
            old = node.grad
            if node._edges or (old.__class__ is float and old == 0.0):
                node.grad = gradient
            else:
                node.grad = old + gradient
