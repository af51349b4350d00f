"""The whole idea of autograd_tiny in one sitting: read this file first.

A `Value` remembers the values it was computed from (its *parents*) and, for each parent,
the *local derivative* ∂out/∂parent, worked out when the value is computed. `backward()`
then applies the chain rule from the output back to the inputs:

    parent.grad += local derivative × node.grad        (one *contribution* per edge)

visiting the nodes in reverse topological order, so that a node's gradient is complete
(every contribution added) before it is passed on. That is all of reverse-mode autodiff.

The real engine (`autograd_tiny.core.value`) uses the same node layout and the same words, and adds
more ops, error messages, constants, speed and tools; tests check that both give the same
values and gradients on random graphs.

>>> a = Value(2.0, label="a")
>>> b = Value(-3.0, label="b")
>>> L = (a * b + 10) * -2
>>> L.backward()
>>> L.data, a.grad, b.grad
(-8.0, 6.0, -4.0)
"""

from __future__ import annotations

import math

__all__ = ["Value", "topological_order"]


class Value:
    """A number that remembers how it was computed."""

    def __init__(self, data: float, parents: tuple = (), local_derivatives: tuple = (), op: str = "", label: str = ""):
        self.data = float(data)
        self.grad = 0.0  # ∂root/∂self, filled in by backward()
        self.parents = parents  # the Values this one was computed from, in operand order
        self.local_derivatives = local_derivatives  # ∂self/∂parent, one per parent
        self.op = op  # "add", "mul", ...; "" for an input
        self.label = label

    def __repr__(self) -> str:
        return f"Value(data={self.data!r}, grad={self.grad!r})"

    # Each op computes its result AND its local derivatives, right away, from plain numbers.

    def __add__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "add")

    def __mul__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        # ∂(a·b)/∂a = b and ∂(a·b)/∂b = a
        return Value(self.data * other.data, (self, other), (other.data, self.data), "mul")

    def __pow__(self, k: float) -> Value:
        # ∂(a**k)/∂a = k · a**(k − 1), for a plain-number exponent k
        return Value(self.data**k, (self,), (k * self.data ** (k - 1),), "pow")

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        return Value(t, (self,), (1.0 - t * t,), "tanh")  # tanh′ = 1 − tanh²

    def exp(self) -> Value:
        e = math.exp(self.data)
        return Value(e, (self,), (e,), "exp")  # exp′ = exp

    def relu(self) -> Value:
        return Value(max(0.0, self.data), (self,), (1.0 if self.data > 0 else 0.0,), "relu")

    # The other arithmetic, written with the ops above.
    def __neg__(self) -> Value:
        return self * -1.0

    def __sub__(self, other: Value | float) -> Value:
        return self + (-other)

    def __truediv__(self, other: Value | float) -> Value:
        return self * other**-1.0

    __radd__ = __add__
    __rmul__ = __mul__

    def backward(self) -> None:
        """Fill in ``grad`` of every value this one depends on: ∂self/∂value."""
        order = topological_order(self)
        for node in order:
            node.grad = 0.0  # a fresh pass (the real engine lets inputs accumulate)
        self.grad = 1.0  # ∂self/∂self
        for node in reversed(order):  # outputs first, inputs last
            for parent, local in zip(node.parents, node.local_derivatives):
                parent.grad += local * node.grad  # the chain rule, one edge at a time


def topological_order(root: Value) -> list:
    """Every value `root` depends on, each listed after all of its parents.

    Iterative (an explicit stack instead of recursion), so a chain of a million values works.

    >>> x = Value(1.0, label="x")
    >>> y = x * x + x
    >>> [v.label or v.op for v in topological_order(y)]
    ['x', 'mul', 'add']
    """
    order, done, stack = [], set(), [root]
    while stack:
        node = stack[-1]
        if node in done:  # already listed, reached again along another path
            stack.pop()
            continue
        waiting = [p for p in node.parents if p not in done]
        if waiting:
            stack.extend(reversed(waiting))  # list the parents first, the first one first
        else:
            stack.pop()
            done.add(node)
            order.append(node)
    return order
