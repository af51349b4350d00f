"""`Value`: a scalar that remembers how it was computed, and `backward()` over its graph.

Read `autograd_tiny/minimal.py` first: this file tells the same story with the same words.
A node records its ``parents`` (the Value operands, in operand order: ``a * a`` has two),
the ``local_derivatives`` ∂out/∂parent worked out in the forward pass, its ``op`` and a
``label``. What this file adds: a plain-number operand is kept as ``const`` (drawn, never
differentiated), every op's rule is an entry of the registry `RULES` (core/ops.py) that
drawings, explanations and compiled code read too, grad mode (`no_grad`) and `scope`, clear
errors, and speed. The chain rule itself runs in `autograd_tiny.core.graph.backpropagate`.

The file reads top down: `Value` and its ops; applying any registry entry (`apply`,
`affine`, `define_op`); then what every op shares: node creation, grad mode and scope.

>>> a = Value(2.0, label="a")
>>> b = Value(-3.0, label="b")
>>> L = (a * b + a.tanh()) ** 2
>>> L.backward()
>>> round(a.grad, 4), round(b.grad, 4)
(29.5042, -20.1439)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar, Token
from typing import cast

from . import ops
from .graph import backpropagate
from .higher import set_gradient_graphs, values_only
from .ops import RULES, Number, Op, as_number, power, power_log, power_slope, power_value, rpow, rule_of

__all__ = [
    "Value",
    "Number",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "scope",
    "current_scope",
    "operands",
    "apply",
    "define_op",
    "affine",
    "RULES",
]


class Value:
    """A scalar that remembers how it was computed, so `backward()` can differentiate it.

    Args:
        data: an int or a float (stored as float).
        label: a name shown in drawings and explanations; can be set later.

    Attributes:
        data: the number.
        grad: ∂root/∂self after ``root.backward()``; 0.0 on creation.
        label: the name shown in drawings and explanations ("" if none).
        op: the name of the operation that produced this value ("" for an input).
        parents: the `Value` operands, in operand order.
        local_derivatives: ∂self/∂parent for each parent.
        const: the plain-number operand of the op (None if there is none).
        scope: where the value was computed, e.g. ``"L1.N3"`` inside a neuron (None if not).

    Plain numbers mixed with Values are constants: they take part in the arithmetic and are
    shown in drawings, but never get a gradient.

    >>> a = Value(2.0, label="a")
    >>> b = a * 3 + 1
    >>> b
    Value(data=7.0, grad=0.0)
    >>> b.op, b.const, b.parents[0].op, b.parents[0].const
    ('add', 1.0, 'mul', 3.0)
    """

    # Where this file differs from minimal.py for speed, it says so here, once:
    #
    # * `_edges`: a node keeps its parents and their local derivatives in ONE tuple,
    #   (p0, p1, d0, d1); `parents` and `local_derivatives` are its two halves. Every tuple
    #   holding Values is an object the garbage collector tracks and visits, so one tuple
    #   per node instead of two builds big graphs markedly faster (benchmarks/README.md).
    # * Inline arithmetic: each operator below computes its registry entry's rule (ops.py:
    #   "add", "mul", ...) itself, since a call to the entry's functions would cost more than
    #   the arithmetic. The entry stays the one statement of the rule, and
    #   tests/core/test_ops_registry.py checks on random inputs that every operator gives
    #   exactly its entry's values and local derivatives.
    # * Exact class tests: ``other.__class__ is Value`` (then ``is float``) are the cheapest
    #   tests there are. A subclass of Value fails the exact test and takes `isinstance`,
    #   so it works everywhere; a float constant that equals itself (not NaN) skips the
    #   checks of `_constant`.
    # * `_make` builds every op's node without `__init__` (whose checks the op has done).
    __slots__ = ("_edges", "_label", "const", "data", "grad", "op", "scope")

    def __init__(self, data: Number, *, label: str = "") -> None:
        if isinstance(data, Value):
            raise TypeError(
                "Value() needs a number, got a Value; use that Value directly (or its .data for the number)"
            )
        self.data = as_number(data, "Value's data", hint="pass an int or a float, e.g. float(...)")
        self.grad = 0.0  # ∂root/∂self, filled in by backward()
        self._edges = _NO_EDGES  # an input: no parents, no local derivatives
        self.op = ""  # "" for an input
        self._label = _checked_label(label)
        self.const: float | None = None
        self.scope: str | None = None

    def __repr__(self) -> str:
        label = f", label={self._label!r}" if self._label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    @property
    def label(self) -> str:
        """The name shown in drawings and explanations ("" if none); a str, checked when set.

        >>> y = Value(2.0) * 3
        >>> y.label = "y"
        >>> y
        Value(data=6.0, grad=0.0, label='y')
        """
        return self._label

    @label.setter
    def label(self, label: str) -> None:
        self._label = _checked_label(label)

    @property
    def parents(self) -> tuple:
        """The `Value` operands, in operand order (``a * a`` has two entries); () for an input.

        Setting it by hand builds a node as an op does (a lesson, or a test of the graph
        walk): first the parents, then `local_derivatives` (until then each counts 0.0).

        >>> a = Value(2.0)
        >>> (a * 3).parents == (a,), (a * a).parents == (a, a)
        (True, True)
        """
        edges = self._edges
        return edges[: len(edges) >> 1]

    @parents.setter
    def parents(self, parents: tuple) -> None:
        parents = tuple(parents)
        if not all(isinstance(p, Value) for p in parents):
            raise TypeError("parents must be Values")
        kept = self.local_derivatives
        self._edges = parents + (kept if len(kept) == len(parents) else (0.0,) * len(parents))

    @property
    def local_derivatives(self) -> tuple:
        """∂self/∂parent for each parent, computed in the forward pass.

        >>> a, b = Value(2.0), Value(-3.0)
        >>> (a * b).local_derivatives
        (-3.0, 2.0)
        """
        edges = self._edges
        return edges[len(edges) >> 1 :]

    @local_derivatives.setter
    def local_derivatives(self, local_derivatives: tuple) -> None:
        numbers = tuple(float(d) for d in local_derivatives)
        parents = self.parents
        if len(numbers) != len(parents):
            raise ValueError(
                f"local_derivatives needs one number per parent ({len(parents)}), got {len(numbers)}; set parents first"
            )
        self._edges = parents + numbers

    # ------------------------------------------------------------------ the ops
    # Each op computes its result AND its local derivatives, right away, from plain numbers
    # (as in minimal.py); `_make(data, (parents..., local derivatives...), op, const)`
    # creates the node. A constant operand is not a parent: ``a * 3`` has one parent, a,
    # with local derivative 3, and keeps 3.0 as ``const``. The constant-first twins
    # (``3 - a``: "rsub", ``3 / a``: "rdiv", ``3 ** a``: "rpow") record where it stood.

    def __add__(self, other: Value | Number) -> Value:
        if other.__class__ is Value or (other.__class__ is not float and isinstance(other, Value)):
            return _make(self.data + other.data, (self, other, 1.0, 1.0), "add")
        k = other if other.__class__ is float and other == other else _constant(other, "+")
        return _make(self.data + k, (self, 1.0), "add", k)

    __radd__ = __add__

    def __sub__(self, other: Value | Number) -> Value:
        if other.__class__ is Value or (other.__class__ is not float and isinstance(other, Value)):
            return _make(self.data - other.data, (self, other, 1.0, -1.0), "sub")
        k = other if other.__class__ is float and other == other else _constant(other, "-")
        return _make(self.data - k, (self, 1.0), "sub", k)

    def __rsub__(self, other: Number) -> Value:
        k = other if other.__class__ is float and other == other else _constant(other, "-")
        return _make(k - self.data, (self, -1.0), "rsub", k)

    def __mul__(self, other: Value | Number) -> Value:
        # ∂(a·b)/∂a = b and ∂(a·b)/∂b = a
        if other.__class__ is Value or (other.__class__ is not float and isinstance(other, Value)):
            return _make(self.data * other.data, (self, other, other.data, self.data), "mul")
        k = other if other.__class__ is float and other == other else _constant(other, "*")
        return _make(self.data * k, (self, k), "mul", k)

    __rmul__ = __mul__

    def __truediv__(self, other: Value | Number) -> Value:
        # ∂(a/b)/∂a = 1/b and ∂(a/b)/∂b = −a/b² = −out/b
        if other.__class__ is Value or (other.__class__ is not float and isinstance(other, Value)):
            out = ops.divide(self.data, other.data)
            return _make(out, (self, other, 1.0 / other.data, -out / other.data), "div")
        k = other if other.__class__ is float and other == other else _constant(other, "/")
        return _make(ops.divide(self.data, k), (self, 1.0 / k), "div", k)

    def __rtruediv__(self, other: Number) -> Value:
        k = other if other.__class__ is float and other == other else _constant(other, "/")
        out = ops.divide(k, self.data)
        return _make(out, (self, -out / self.data), "rdiv", k)

    def __pow__(self, other: Value | Number) -> Value:
        # ∂(a**b)/∂a = b · a**(b − 1) and ∂(a**b)/∂b = out · ln a
        a = self.data
        if other.__class__ is Value or (other.__class__ is not float and isinstance(other, Value)):
            b = other.data
            out = power_value(a, b)  # checks the base: ln a is the exponent's derivative
            return _make(out, (self, other, power_slope(a, b), power_log(a, out)), "pow")
        k = other if other.__class__ is float and other == other else _constant(other, "**")
        return _make(power(a, k), (self, power_slope(a, k)), "pow", k)

    def __rpow__(self, other: Number) -> Value:
        k = other if other.__class__ is float and other == other else _constant(other, "**")
        out = rpow(k, self.data)
        return _make(out, (self, power_log(k, out)), "rpow", k)

    def __neg__(self) -> Value:
        return _make(-self.data, (self, -1.0), "neg")

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        x = self.data  # abs(0.0) and abs(-0.0) are +0.0, as for floats
        return _make(ops.absolute(x), (self, ops.sign(x)), "abs")

    def exp(self) -> Value:
        """e ** self. Overflow (self > 709.78) raises OverflowError rather than giving inf.

        >>> Value(0.0).exp()
        Value(data=1.0, grad=0.0)
        """
        out = ops.exp(self.data)
        return _make(out, (self, out), "exp")  # exp′ = exp

    def log(self) -> Value:
        """The natural logarithm; needs self > 0.

        >>> Value(1.0).log()
        Value(data=0.0, grad=0.0)
        """
        x = self.data
        return _make(ops.log(x), (self, 1.0 / x), "log")

    def tanh(self) -> Value:
        """The hyperbolic tangent; exact and finite for any input (tanh(1000) = 1).

        >>> round(Value(0.5).tanh().data, 4)
        0.4621
        """
        t = math.tanh(self.data)
        return _make(t, (self, 1.0 - t * t), "tanh")  # tanh′ = 1 − tanh²

    def sigmoid(self) -> Value:
        """1 / (1 + e**-self), computed without overflow for any input.

        >>> Value(0.0).sigmoid()
        Value(data=0.5, grad=0.0)
        """
        s = ops.sigmoid(self.data)
        return _make(s, (self, s * (1.0 - s)), "sigmoid")  # σ′ = σ · (1 − σ)

    def relu(self) -> Value:
        """max(0, self). Its local derivative is 1 where self > 0, else 0.

        >>> Value(-2.0).relu(), Value(3.0).relu()
        (Value(data=0.0, grad=0.0), Value(data=3.0, grad=0.0))
        """
        x = self.data
        if x > 0.0:
            return _make(x, (self, 1.0), "relu")
        return _make(0.0, (self, 0.0), "relu")

    def sqrt(self) -> Value:
        """The square root; needs self >= 0 (the local derivative at 0 is inf).

        >>> Value(9.0).sqrt()
        Value(data=3.0, grad=0.0)
        """
        r = ops.sqrt(self.data)
        return _make(r, (self, ops.sqrt_slope(r)), "sqrt")

    # sin and cos have no inline form: they are applied from their entries, as an op of
    # `define_op` is (slower, and the one form of their rule).

    def sin(self) -> Value:
        """The sine; its local derivative is cos(self).

        >>> Value(0.0).sin()
        Value(data=0.0, grad=0.0)
        """
        return apply(RULES["sin"], self)

    def cos(self) -> Value:
        """The cosine; its local derivative is −sin(self).

        >>> Value(0.0).cos()
        Value(data=1.0, grad=0.0)
        """
        return apply(RULES["cos"], self)

    def max(self, other: Value | Number) -> Value:
        """The larger of self and other (a Value or a number); the gradient goes to the one chosen.

        The subgradient convention at a tie (self == other): self, the first operand, gets it all.
        ∂max(a, b)/∂a = 1 if a ≥ b else 0, and ∂/∂b = 0 if a ≥ b else 1.

        >>> a, b = Value(2.0), Value(2.0)
        >>> out = a.max(b)
        >>> out.backward()
        >>> out.data, a.grad, b.grad
        (2.0, 1.0, 0.0)
        """
        return self._chosen(other, "max", ops.maximum, ops.max_first)

    def min(self, other: Value | Number) -> Value:
        """The smaller of self and other; a tie gives the gradient to self, as `max` does.

        >>> Value(3.0).min(1.0)
        Value(data=1.0, grad=0.0)
        """
        return self._chosen(other, "min", ops.minimum, ops.min_first)

    def _chosen(self, other: Value | Number, op: str, forward: Callable, first: Callable) -> Value:
        """max or min: the node, whose local derivatives route the gradient (1 to the chosen, 0 to the other)."""
        a = self.data
        if isinstance(other, Value):
            d = first(a, other.data)
            return _make(forward(a, other.data), (self, other, d, 1.0 - d), op)
        k = other if other.__class__ is float and other == other else _constant(other, op)
        return _make(forward(a, k), (self, first(a, k)), op, k)

    # ------------------------------------------------------------------ other engines' spellings
    # Code written for micrograd-style engines and PyTorch calls these.

    def pow(self, exponent: Value | Number) -> Value:
        """``self ** exponent``, spelled as a method.

        >>> Value(3.0).pow(2)
        Value(data=9.0, grad=0.0)
        """
        return self**exponent

    def __float__(self) -> float:
        """``float(v)`` is ``v.data`` (refused while an op's rule runs on Values: see core/higher.py)."""
        if values_only.get():
            raise TypeError(f"float() of {self!r} would drop its graph: the rule must use Value operations")
        return self.data

    def item(self) -> float:
        """The number, ``v.data`` (PyTorch's spelling).

        >>> Value(2.5).item(), float(Value(2.5))
        (2.5, 2.5)
        """
        return self.data

    # ------------------------------------------------------------------ backward

    def backward(self, *, create_graph: bool = False) -> None:
        """Compute ∂self/∂v for every value v that `self` depends on.

        The root's gradient is seeded with 1 and the chain rule runs over the graph in
        reverse topological order (`autograd_tiny.core.graph.topological_order`).

        Unlike minimal.py, calling it again makes inputs (leaves: parameters) *accumulate*
        into ``.grad``, as in PyTorch, so gradients of several losses add up; call
        ``zero_grad()`` (or set ``.grad = 0.0``) between training steps. Interior values hold
        the latest pass only. Passes started in several threads at once run one after the
        other, so each gives what it gives alone.

        With ``create_graph=True`` the pass itself is recorded (as PyTorch's): every ``.grad``
        it sets is a `Value` whose graph computes that derivative, so ``x.grad.backward()``
        differentiates again. Leaves accumulate as a graph: ``.grad`` becomes old + new (just
        the new Value if the leaf held 0.0). A plain ``backward()`` adds into a leaf holding
        such a Value as into its number, so for a clean second derivative take the Value
        and zero the leaf first: ``g = x.grad; x.grad = 0.0; g.backward()`` (or use `grad`).

        Raises:
            ValueError: the graph has a cycle (parents set by hand so that a value depends
                on itself); create_graph inside ``no_grad()``, which would record nothing
                (every .grad a Value without a graph, so its backward() would give 0). TypeError: a leaf's ``grad`` is not a number (``w.grad = None``);
                with create_graph, an op of your own whose derivative runs on floats only.

        >>> x = Value(3.0)
        >>> y = x * x
        >>> y.backward(); x.grad
        6.0
        >>> y.backward(); x.grad
        12.0
        >>> x.grad = 0.0
        >>> (x * x * x).backward(create_graph=True); x.grad  # 3x², a Value with a graph
        Value(data=27.0, grad=0.0)
        >>> g = x.grad; x.grad = 0.0; g.backward(); x.grad  # 6x
        18.0
        """
        if create_graph:
            if not is_grad_enabled():
                raise ValueError(
                    "backward(create_graph=True) inside no_grad() records nothing, so the gradients would have "
                    "no graph to differentiate; call it outside the no_grad() block (or inside enable_grad())"
                )
            set_gradient_graphs(self)
        else:
            backpropagate(self)

    # ------------------------------------------------------------------ micrograd's internals
    # Karpathy's lecture inspects these and steps the chain rule by hand with them, so code
    # copied from it runs unchanged. They are views: nothing is stored twice.

    @property
    def _prev(self) -> set:
        """The operand Values as a set, as micrograd stores them (``parents`` keeps order).

        >>> a = Value(2.0)
        >>> (a * a)._prev == {a}
        True
        """
        return set(self.parents)

    @property
    def _op(self) -> str:
        """The op as micrograd writes it: ``'+'``, ``'*'``, ``'**2'``, ``'tanh'``, ``''`` for a leaf.

        >>> a = Value(2.0)
        >>> (a + 1)._op, (a * a)._op, (a ** 2)._op, a.relu()._op, a._op
        ('+', '*', '**2', 'ReLU', '')
        """
        if not self.op:
            return ""
        if self.op == "pow" and self.const is not None:
            k = self.const
            return f"**{int(k) if k.is_integer() else k}"
        return rule_of(self).symbol

    def _backward(self) -> None:
        """This node's step of the chain rule: each parent's ``grad += local derivative × self.grad``.

        ``backward()`` does this for every node in reverse topological order; the lecture
        calls it by hand, one node at a time. A leaf has nothing to pass on.

        >>> a, b = Value(2.0), Value(-3.0)
        >>> c = a * b
        >>> c.grad = 1.0
        >>> c._backward()
        >>> a.grad, b.grad
        (-3.0, 2.0)
        """
        for parent, local in zip(self.parents, self.local_derivatives):
            parent.grad += local * self.grad


def operands(value: Value) -> list:
    """The operands of `value`'s op in written order: its parents, with the constant in place.

    The templates of ``rule_of(value)`` number their operands in this order. A leaf has none.

    >>> a = Value(3.0, label="a")
    >>> operands(2 - a) == [2.0, a], operands(a - 2) == [a, 2.0]
    (True, True)
    """
    if value.const is None:
        return list(value.parents)
    if rule_of(value).constant_first:
        return [value.const, *value.parents]
    return [*value.parents, value.const]


# --------------------------------------------------------------------------------------
# Applying any registry entry: ops without an inline form (and define_op's) go through here.
# --------------------------------------------------------------------------------------


def _operand_value(x: object, op: str, index: int) -> Value:
    """Operand `index` (0-based) of `op` as a Value: a plain number becomes a constant leaf."""
    if isinstance(x, Value):  # a Value, or a subclass of it: used as it is
        return x
    return Value(as_number(x, f"{op} operand {index + 1}", hint="pass a number or a Value"))


def apply(op: Op, *args: Value | Number) -> Value:
    """Apply registry entry `op` to its operands (Values or numbers); return the new node.

    Plain numbers become constant leaves. Built-in entries are trusted; the functions of an
    op from `define_op` are checked: each must give a finite float.

    >>> apply(RULES["tanh"], 0.0)
    Value(data=0.0, grad=0.0)
    """
    if op.arity >= 0 and len(args) != op.arity:
        raise TypeError(
            f"op {op.name!r} takes {op.arity} operand{'s' if op.arity != 1 else ''}, got {len(args)}; "
            f"call it as {op.name}({', '.join(f'x{i + 1}' for i in range(op.arity))})"
        )
    parents = tuple([_operand_value(x, op.name, i) for i, x in enumerate(args)])
    xs = tuple([p.data for p in parents])
    if op.builtin:
        out = op.forward(*xs)
        return _node(out, parents, op.local_derivatives(xs, out), op.name)
    out = ops.call_checked(op.name, "forward", op.forward, xs)
    local = tuple([ops.call_checked(op.name, f"derivatives[{i}]", d, xs, out) for i, d in enumerate(op.derivatives)])
    return _node(out, parents, local, op.name)


def affine(
    weights: Sequence[Value],
    inputs: Sequence[Value | Number],
    bias: Value,
    *,
    input_data: Sequence[float] | None = None,
) -> Value:
    """A neuron's weighted input Σ wᵢ·xᵢ + b as one node (op ``"affine"``).

    Its parents are ``w1..wn, x1..xn, b`` (plain-number inputs become constant leaves) and
    its local derivatives ``x1..xn, w1..wn, 1``. The sum runs in micrograd's order,
    ((b + w1·x1) + w2·x2) + ..., so value and gradients equal those of the ``*`` and ``+``
    graph bit for bit, with one node instead of 2n. (Not the activation "linear", which
    means "no activation": an affine node is what every neuron computes before its activation.)

    Args:
        weights: the Values w1..wn.
        inputs: n Values or numbers.
        bias: the Value b.
        input_data: the inputs' numbers, already read by the caller, who has checked that
            `inputs` are n Values (a `Layer` reads them once for all its neurons). Nothing
            is checked then.

    >>> w, b = [Value(2.0), Value(-1.0)], Value(0.5)
    >>> z = affine(w, [3.0, 4.0], b)
    >>> z.data, z.op, z.local_derivatives
    (2.5, 'affine', (3.0, 4.0, 2.0, -1.0, 1.0))
    """
    if input_data is None:
        if len(weights) != len(inputs) or not weights:
            raise ValueError(
                f"affine needs as many inputs as weights (at least one), got {len(weights)} weights "
                f"and {len(inputs)} inputs"
            )
        for x in inputs:
            if x.__class__ is not Value:  # rare: a number (or a subclass of Value, kept as it is)
                inputs = [_operand_value(x, "affine", i) for i, x in enumerate(inputs)]
                break
        # Every input is a Value now; mypy cannot follow the fast `__class__ is` check above.
        input_data = [x.data for x in cast("Sequence[Value]", inputs)]
    w_data = [w.data for w in weights]
    total = bias.data
    for w, x in zip(w_data, input_data):
        total = total + w * x
    return _make(total, (*weights, *inputs, bias, *input_data, *w_data, 1.0), "affine")


def define_op(
    name: str,
    forward: Callable[..., float],
    derivatives: Sequence[Callable[..., float]],
    *,
    symbol: str | None = None,
    formula: str | None = None,
    derivative_formulas: Sequence[str] | None = None,
    array_forward: Callable | None = None,
    array_derivatives: Sequence[Callable] | None = None,
) -> Callable[..., Value]:
    """Add an op of your own to the registry, and get the function that applies it.

    The op then works everywhere a built-in op does: ``backward()``, drawings (its
    `symbol`), `explain` (its formulas), the command line's expressions, `compile_graph`
    (its array functions, or the float ones applied per sample) and `gradcheck`.

    Args:
        name: the op's name, a Python identifier (stored in ``Value.op``).
        forward: ``forward(*xs) -> float``, the op on the operands' numbers.
        derivatives: one function per operand, ``derivatives[i](*xs, out) -> float`` is the
            local derivative ∂out/∂xᵢ (``out`` is forward's result). Their count is the arity.
        symbol: what a drawing shows in the op node (default: `name`).
        formula: the result as text, operands as ``{0}``, ``{1}`` (default ``name({0}, ...)``).
        derivative_formulas: each local derivative as text; may use ``{out}``.
        array_forward, array_derivatives: the same on NumPy arrays, for compiled graphs
            evaluated on a batch (default: the float functions, applied per sample).

    Returns:
        A function of Values and numbers (numbers are constants) that returns a `Value`.

    Defining a name again (a notebook cell run again, edited) replaces the op for every
    value computed from then on, through the function made before too; a value computed
    before keeps the rule it was computed with, in `explain`, drawings and `compile_graph`.

    Raises:
        TypeError: an argument of the wrong type, or a function that cannot take one number
        per operand (and ``out``, for a derivative); ValueError: a name that is taken by a
        built-in op or is not an identifier as Python reads it, formulas of the wrong count,
        or texts with invisible characters.

    >>> cube = define_op("cube", lambda x: x ** 3, [lambda x, out: 3 * x ** 2],
    ...                  symbol="³", formula="{0}³", derivative_formulas=["3 · {0}²"])
    >>> a = Value(2.0, label="a")
    >>> y = cube(a)
    >>> y.backward()
    >>> y.data, a.grad, y.op
    (8.0, 12.0, 'cube')
    """
    spec = ops.custom_op(
        name,
        forward,
        derivatives,
        symbol=symbol,
        formula=formula,
        derivative_formulas=derivative_formulas,
        array_forward=array_forward,
        array_derivatives=array_derivatives,
    )
    existing = RULES.get(name)
    if existing is not None and existing.builtin:
        raise ValueError(f"{name!r} is a built-in op; choose another name for your op")
    ops.register(spec)

    def apply_op(*args: Value | Number) -> Value:
        # Look the entry up at call time: redefining the op (a re-run notebook cell) updates it
        # for new values; each node stores the entry that built it (ops.rule_of).
        return apply(RULES[name], *args)

    apply_op.__name__ = apply_op.__qualname__ = name
    apply_op.__doc__ = f"The op {name!r}: {spec.write([f'x{i + 1}' for i in range(spec.arity)])} (made by define_op)."
    return apply_op


# --------------------------------------------------------------------------------------
# Node creation, grad mode and scope: read by every op
# --------------------------------------------------------------------------------------

_NO_EDGES: tuple = ()


class _Mode:
    """Grad mode and scope name, as one `no_grad`, `enable_grad` or `scope` block sets them.

    Each block entered makes a mode and sets it as the current one of its thread or task
    (`_current`, a ContextVar); leaving the block puts back the mode it found, with the
    ContextVar's token. ``outer`` is the mode the block was entered in.

    ``left`` becomes True when the block is left, and a left mode is passed over in favour
    of its ``outer``. That covers what a token cannot: a block left from another thread or
    task than the one that entered it (a generator closed elsewhere), and a task started
    inside a block that outlives it. A block's mode is in force only while the block is.
    """

    __slots__ = ("enabled", "left", "outer", "scope")

    def __init__(self, enabled: bool, scope: str | None, outer: _Mode | None) -> None:
        self.enabled = enabled
        self.scope = scope
        self.outer = outer
        self.left = False


# Grad mode and scope follow the thread and the asyncio task, through a ContextVar: a new
# thread starts with grad on and no scope (as in PyTorch, per thread), and a task starts
# in the mode of the code that created it, then goes its own way.
_PLAIN = _Mode(True, None, None)
_current: ContextVar[_Mode] = ContextVar("autograd_tiny_grad_mode", default=_PLAIN)

# The fast flag. `_make` runs for every op, so it first tests one module-level list: empty
# while no thread or task at all is inside a `no_grad()`, `enable_grad()` or `scope` block
# (the test costs what a bool's does). Only when a block is open somewhere does `_make` look
# up its own mode. Every block appends on entering and pops on leaving: both are atomic, so
# no lock is needed, and the list is never empty while some block is in force. (A block
# never left, such as a generator suspended inside one and never closed, keeps an entry:
# results stay right, `_make` just takes the slower look-up.)
_open_blocks: list = []


def _current_mode() -> _Mode:
    """The mode in force in this thread or task: the current one, past any block that was left."""
    mode = _current.get()
    while mode.left:
        mode = cast(_Mode, mode.outer)  # _PLAIN is never left, so the walk ends there
    return mode


def _enter(enabled: bool | None, scope: str | None) -> tuple[_Mode, Token]:
    """Start a block: make its mode current here; return it and the token to leave with.

    ``None`` keeps what the block is entered in: grad mode for a scope, the scope for
    `no_grad`.
    """
    outer = _current_mode()
    mode = _Mode(outer.enabled if enabled is None else enabled, outer.scope if scope is None else scope, outer)
    _open_blocks.append(None)  # first: the fast path is off before the mode is in force
    return mode, _current.set(mode)


def _leave(mode: _Mode, token: Token) -> None:
    """End the block of `mode`: its mode is over everywhere, and the one it found is back."""
    mode.left = True
    try:
        _current.reset(token)
    except ValueError:
        # Left from another thread or task (a generator closed elsewhere): that context's
        # variable cannot be set from here, but `left` makes it pass over this mode.
        pass
    _open_blocks.pop()


_new = object.__new__


def _make(data: float, edges: tuple, op: str, const: float | None = None) -> Value:
    """Create an op's output node from its edges: parents, then their local derivatives.

    No input checks: the op has already validated. Inside `no_grad()` the node is a leaf;
    inside `scope(name)` its ``scope`` is that name.
    """
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out._label = ""
    if not _open_blocks:  # the fast flag: no block open anywhere
        out._edges = edges
        out.op = op
        out.const = const
        out.scope = None
        return out
    mode = _current.get()
    if mode.left:
        mode = _current_mode()
    if mode.enabled:
        out._edges = edges
        out.op = op
        out.const = const
    else:
        out._edges = _NO_EDGES
        out.op = ""
        out.const = None
    out.scope = mode.scope
    return out


def _node(data: float, parents: tuple, local_derivatives: tuple, op: str, const: float | None = None) -> Value:
    """Create an op's output node from its parents and their local derivatives.

    >>> a = Value(2.0)
    >>> _node(6.0, (a,), (3.0,), "mul", 3.0).local_derivatives
    (3.0,)
    """
    return _make(data, parents + local_derivatives, op, const)


@contextmanager
def _grad_mode(enabled: bool) -> Iterator[None]:
    """The block of `no_grad` (False) and `enable_grad` (True)."""
    mode, token = _enter(enabled, None)
    try:
        yield
    finally:
        _leave(mode, token)


def no_grad() -> AbstractContextManager[None]:
    """Inside this block, operations build no graph: their results are plain leaves.

    Use it for inference and for parameter updates. Grad mode follows the thread and the
    asyncio task (a ContextVar), as PyTorch's follows the thread: the block affects only
    the thread or task that enters it (and tasks it starts while inside), and leaving it
    always restores the mode it found, so blocks nest, and blocks in several threads or
    tasks may overlap in any order.

    A generator that yields inside ``with no_grad():`` leaves the block in force, while
    it is suspended, for the code that resumed it: that code builds no graph until the
    generator is resumed and leaves the block (or is closed, from anywhere). PyTorch
    behaves the same way.

    >>> w = Value(1.0)
    >>> with no_grad():
    ...     y = w * 2
    >>> y.parents, y.op
    ((), '')
    """
    return _grad_mode(False)


def enable_grad() -> AbstractContextManager[None]:
    """Inside this block, operations build a graph again, even within `no_grad()`.

    For code that must trace a graph whatever its caller's mode, as
    `CompiledTrainingStep` does. Like `no_grad`, it follows the thread and the task.

    >>> with no_grad():
    ...     with enable_grad():
    ...         y = Value(1.0) * 2
    >>> y.op
    'mul'
    """
    return _grad_mode(True)


def is_grad_enabled() -> bool:
    """True unless this thread or task is inside `no_grad()`.

    >>> is_grad_enabled()
    True
    >>> with no_grad():
    ...     is_grad_enabled()
    False
    """
    return _current_mode().enabled


class scope:
    """``with scope(name):`` every value an op computes in the block records ``scope == name``.

    Drawings group a graph by scope (``draw_dot(..., group="neuron")``) and explanations
    name what they show by it; a `Neuron` gives its values its name, ``"L1.N3"``. Like grad
    mode, a scope follows the thread and the asyncio task: it never affects another thread,
    nor a task it did not start. Blocks nest: the innermost name is the one recorded, and
    leaving a block restores the name around it. Only op results take the scope; a leaf you
    make with ``Value(...)`` is yours to place.

    Args:
        name: the scope's name, e.g. ``"L1.N3"`` (a str).

    >>> a = Value(2.0)
    >>> with scope("N1"):
    ...     y = a * 3
    ...     with scope("N2"):
    ...         z = y + 1
    ...     w = z.tanh()
    >>> y.scope, z.scope, w.scope, (w * 2).scope
    ('N1', 'N2', 'N1', None)
    """

    def __init__(self, name: str) -> None:
        if not isinstance(name, str):
            raise TypeError(f'scope needs a name as a str, e.g. scope("L1.N3"), got {type(name).__name__} {name!r}')
        self.name = name
        self._entered: tuple[_Mode, Token] | None = None  # the mode and token while inside

    def __enter__(self) -> scope:
        if self._entered is not None:
            raise RuntimeError(f"scope({self.name!r}) is already entered; make a new scope(...) to nest one")
        self._entered = _enter(None, self.name)
        return self

    def __exit__(self, *exc_info: object) -> None:
        # `with` calls __exit__ only after __enter__, which set `_entered`.
        mode, token = cast("tuple[_Mode, Token]", self._entered)
        self._entered = None
        _leave(mode, token)

    def __repr__(self) -> str:
        return f"scope({self.name!r})"


def current_scope() -> str | None:
    """The name of the innermost `scope` block of this thread or task, or None outside any.

    >>> current_scope() is None
    True
    >>> with scope("L1.N1"):
    ...     current_scope()
    'L1.N1'
    """
    return _current_mode().scope


# --------------------------------------------------------------------------------------
# Checking plain-number input
# --------------------------------------------------------------------------------------


def _checked_label(label: object) -> str:
    """`label` if it is a str (it is shown as text everywhere), else a TypeError."""
    if not isinstance(label, str):
        raise TypeError(f'label must be a str, got {type(label).__name__} {label!r}; pass a str, e.g. "w1"')
    return label


def _constant(x: object, symbol: str) -> float:
    """A plain-number operand of `symbol` as a float, checked by `ops.as_number`.

    The operators take a float that equals itself (every float but NaN) without this call;
    everything else (ints, NumPy numbers, NaN, wrong types) comes here.

    >>> _constant(2, "*")
    2.0
    >>> _constant(float("nan"), "+")
    Traceback (most recent call last):
    ...
    ValueError: the constant operand of + must be a number, not NaN, got nan; pass a number or a Value
    """
    return as_number(x, f"the constant operand of {symbol}", hint="pass a number or a Value")
