"""`Value`: a scalar that remembers how it was computed, and `backward()` over its graph.

New here? Read `autograd_tiny/minimal.py` first: the whole idea in one sitting, with the
same node layout and names as this file.

Every operation creates a new node that records

* ``parents``: the `Value` operands, in operand order (``a * a`` has two entries);
* ``local_derivatives``: d(out)/d(parent) for each parent, computed in the forward pass;
* ``op``: the operation's name (``"mul"``), and ``const``: a plain-number operand, if any.

The chain rule itself lives in one function, `autograd_tiny.core.graph.backpropagate`: it walks
the graph in reverse topological order and adds local derivative × upstream gradient into
each parent's ``grad``; `Value.backward` calls it.

There are no per-node closures: the rule of each op is stated once, in its entry of the
registry (`autograd_tiny.core.ops`), which drawings, explanations and compiled graphs read too.
The arithmetic operators compute their entry's rule inline, for speed (tests check that both
agree); other ops, including those of `define_op`, are applied from their entry.

This file reads top down: `Value` and its ops first, then applying registry entries
(`apply`, `linear`, `define_op`), then the machinery every op shares: node creation, grad
mode (`no_grad`), `scope`, and checking plain-number inputs.

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
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import cast

from . import ops
from .graph import backpropagate
from .ops import REGISTRY, Number, Op, as_number, power, power_log, power_slope, power_value, rpow, rule_of

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
    "linear",
    "Rule",
    "RULES",
]


# --------------------------------------------------------------------------------------
# The node
# --------------------------------------------------------------------------------------


class Value:
    """A scalar that remembers how it was computed, so `backward()` can differentiate it.

    Args:
        data: an int or a float (stored as float).
        label: a name shown in drawings and explanations; can be set later.

    Attributes:
        data: the number.
        grad: d(root)/d(self) after ``root.backward()``; 0.0 on creation.
        label: the name shown in drawings and explanations ("" if none).
        op: the name of the operation that produced this value ("" for a leaf).
        parents: the `Value` operands, in operand order.
        local_derivatives: d(self)/d(parent) for each parent.
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

    # A node keeps its parents and their local derivatives in ONE tuple, `_edges`: (p0, p1,
    # d0, d1). Every tuple that holds Values is an object the cyclic garbage collector tracks
    # and visits; one tuple per node instead of two makes building big graphs markedly
    # faster (benchmarks/README.md). `parents` and `local_derivatives` read it as tuples.
    __slots__ = ("_edges", "_label", "const", "data", "grad", "op", "scope")

    def __init__(self, data: Number, *, label: str = "") -> None:
        if isinstance(data, Value):
            raise TypeError(
                "Value() needs a number, got a Value; use that Value directly (or its .data for the number)"
            )
        value = as_number(data, "Value's data", hint="pass an int or a float, e.g. float(...)")
        _check_label(label)
        self.data = value
        self.grad = 0.0
        self._edges = _NO_EDGES
        self.op = ""
        self.const: float | None = None
        self._label = label
        self.scope: str | None = None

    def __repr__(self) -> str:
        label = f", label={self._label!r}" if self._label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # `label` is checked when set, since drawings, explanations and compiled code all show
    # it as text. Ops write the slot `_label` directly: a property setter per node would
    # cost more than the check is worth there, where the label is always "".
    @property
    def label(self) -> str:
        """The name shown in drawings and explanations ("" if none); a str.

        >>> y = Value(2.0) * 3
        >>> y.label = "y"
        >>> y
        Value(data=6.0, grad=0.0, label='y')
        """
        return self._label

    @label.setter
    def label(self, label: str) -> None:
        _check_label(label)
        self._label = label

    @property
    def parents(self) -> tuple:
        """The `Value` operands, in operand order (``a * a`` has two entries); () for a leaf.

        >>> a = Value(2.0)
        >>> (a * 3).parents == (a,), (a * a).parents == (a, a)
        (True, True)
        """
        edges = self._edges
        return edges[: len(edges) >> 1]

    # Setting them by hand builds a node the way an op does (a lesson, or a test of the graph
    # walk): first the parents, then one local derivative per parent. Each setter sits right
    # after its getter, the layout type checkers recognise as one property.
    @parents.setter
    def parents(self, parents: tuple) -> None:
        parents = tuple(parents)
        if not all(isinstance(p, Value) for p in parents):
            raise TypeError("parents must be Values")
        kept = self.local_derivatives
        # Until local_derivatives is set for the new parents, each counts 0.0.
        self._edges = parents + (kept if len(kept) == len(parents) else (0.0,) * len(parents))

    @property
    def local_derivatives(self) -> tuple:
        """d(self)/d(parent) for each parent, computed in the forward pass.

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

    # ------------------------------------------------------------------ backward

    def backward(self) -> None:
        """Compute d(self)/d(v) for every value v that `self` depends on.

        The root's gradient is seeded with 1 and the chain rule runs over the graph in
        reverse topological order (`autograd_tiny.core.graph.topological_order`).

        Calling it again: leaves (inputs, parameters) *accumulate* into ``.grad``, as in
        PyTorch, so gradients of several losses add up; call ``zero_grad()`` (or set
        ``.grad = 0.0``) between training steps. Interior values hold the latest pass only.
        Passes started in several threads at once run one after the other, so each gives
        what it gives alone.

        Raises:
            ValueError: the graph has a cycle (parents set by hand so that a value depends
                on itself). TypeError: a leaf's ``grad`` is not a number (``w.grad = None``).

        >>> x = Value(3.0)
        >>> y = x * x
        >>> y.backward(); x.grad
        6.0
        >>> y.backward(); x.grad
        12.0
        """
        backpropagate(self)

    # ------------------------------------------------------------------ micrograd's internals
    # Karpathy's lecture inspects these and steps the chain rule by hand with them, so code
    # copied from it runs unchanged. They are views of `parents`, `op` and
    # `local_derivatives`; nothing is stored twice.

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
        upstream = self.grad
        for parent, local in zip(self.parents, self.local_derivatives):
            parent.grad += local * upstream

    # ------------------------------------------------------------------ binary ops
    # Each operator computes its registry entry's rule (ops.py: "add", "mul", ...) inline:
    # they run for every node of every graph, and a call to the entry's forward and
    # derivative functions would cost more than the arithmetic. The entry is still the one
    # statement of the rule (drawings, explanations and compiled code read it), and
    # tests/test_ops_registry.py checks that every operator gives exactly its entry's values.
    #
    # The operand tests compare classes exactly first (`other.__class__ is Value`, then `is
    # float`): they are the cheapest tests there are, and these lines run once per node. A
    # subclass of Value fails the exact test and takes `isinstance`, so it works in every op;
    # a float constant never pays for that call.

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
        if other.__class__ is Value or (other.__class__ is not float and isinstance(other, Value)):
            return _make(self.data * other.data, (self, other, other.data, self.data), "mul")
        k = other if other.__class__ is float and other == other else _constant(other, "*")
        return _make(self.data * k, (self, k), "mul", k)

    __rmul__ = __mul__

    def __truediv__(self, other: Value | Number) -> Value:
        if other.__class__ is Value or (other.__class__ is not float and isinstance(other, Value)):
            b = other.data
            if b == 0.0:
                ops.fail(ZeroDivisionError, ops.DIVISION_BY_ZERO, self.data)
            out = self.data / b
            return _make(out, (self, other, 1.0 / b, -out / b), "div")
        k = other if other.__class__ is float and other == other else _constant(other, "/")
        if k == 0.0:
            ops.fail(ZeroDivisionError, ops.DIVISION_BY_ZERO, self.data)
        return _make(self.data / k, (self, 1.0 / k), "div", k)

    def __rtruediv__(self, other: Number) -> Value:
        k = other if other.__class__ is float and other == other else _constant(other, "/")
        b = self.data
        if b == 0.0:
            ops.fail(ZeroDivisionError, ops.DIVISION_BY_ZERO, k)
        out = k / b
        return _make(out, (self, -out / b), "rdiv", k)

    def __pow__(self, other: Value | Number) -> Value:
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

    # ------------------------------------------------------------------ unary ops
    # The domain checks and their messages are the entry's functions (ops.exp, ops.log,
    # ...); the cheap rules are inline, as for the operators above, and tested equal.

    def __neg__(self) -> Value:
        return _make(-self.data, (self, -1.0), "neg")

    def exp(self) -> Value:
        """e ** self. Overflow (self > 709.78) raises OverflowError rather than giving inf.

        >>> Value(0.0).exp()
        Value(data=1.0, grad=0.0)
        """
        out = ops.exp(self.data)
        return _make(out, (self, out), "exp")

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
        return _make(t, (self, 1.0 - t * t), "tanh")

    def sigmoid(self) -> Value:
        """1 / (1 + e**-self), computed without overflow for any input.

        >>> Value(0.0).sigmoid()
        Value(data=0.5, grad=0.0)
        """
        s = ops.sigmoid(self.data)
        return _make(s, (self, s * (1.0 - s)), "sigmoid")

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

    def __abs__(self) -> Value:
        x = self.data
        if x > 0.0:
            return _make(x, (self, 1.0), "abs")
        if x < 0.0:
            return _make(-x, (self, -1.0), "abs")
        # abs(0.0) and abs(-0.0) are +0.0, as for floats (-x would give -0.0 for 0.0).
        return _make(0.0, (self, 0.0), "abs")

    def __pos__(self) -> Value:
        return self


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
# Applying any registry entry: ops without an operator (and define_op's) go through here.
# --------------------------------------------------------------------------------------


def _operand_value(x: object, op: str, position: int) -> Value:
    """Operand `position` of `op` as a Value: a plain number becomes a constant leaf."""
    if isinstance(x, Value):  # a Value, or a subclass of it: used as it is
        return x
    return Value(as_number(x, f"{op} operand {position}", hint="pass a number or a Value"))


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
            f"call it as {op.name}({', '.join(f'x{i}' for i in range(op.arity))})"
        )
    parents = tuple([_operand_value(x, op.name, i) for i, x in enumerate(args)])
    xs = tuple([p.data for p in parents])
    if op.builtin:
        out = op.forward(*xs)
        return _node(out, parents, op.local_derivatives(xs, out), op.name)
    out = ops.call_checked(op.name, "forward", op.forward, xs)
    local = tuple([ops.call_checked(op.name, f"derivative {i}", d, xs, out) for i, d in enumerate(op.derivatives)])
    return _node(out, parents, local, op.name)


def _method(op: Op, name: str) -> Callable[[Value], Value]:
    """The `Value` method `name` of a one-operand entry that asks for one (its `method` name)."""

    def method(self: Value) -> Value:
        return apply(op, self)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"{op.write(['self'])}; its local derivative is {op.derivative(0, ['self'], out='out')}."
    return method


for _entry in list(REGISTRY.values()):
    if _entry.method and not hasattr(Value, _entry.method):
        setattr(Value, _entry.method, _method(_entry, _entry.method))


def linear(
    weights: Sequence[Value],
    inputs: Sequence[Value | Number],
    bias: Value,
    *,
    input_data: Sequence[float] | None = None,
) -> Value:
    """A neuron's weighted sum Σ wᵢ·xᵢ + b as one node (op ``"linear"``).

    Its parents are ``w1..wn, x1..xn, b`` (plain-number inputs become constant
    leaves) and its local derivatives ``x1..xn, w1..wn, 1``. The sum runs in
    micrograd's order, ((b + w1·x1) + w2·x2) + ..., so value and gradients equal those of the
    ``*`` and ``+`` graph bit for bit, with one node instead of 2n.

    Args:
        weights: the Values w1..wn.
        inputs: n Values or numbers.
        bias: the Value b.
        input_data: the inputs' numbers, already read by the caller, who has checked that
            `inputs` are n Values (a `Layer` reads them once for all its neurons). Nothing
            is checked then.

    >>> w, b = [Value(2.0), Value(-1.0)], Value(0.5)
    >>> z = linear(w, [3.0, 4.0], b)
    >>> z.data, z.op, z.local_derivatives
    (2.5, 'linear', (3.0, 4.0, 2.0, -1.0, 1.0))
    """
    if input_data is None:
        if len(weights) != len(inputs) or not weights:
            raise ValueError(
                f"linear needs as many inputs as weights (at least one), got {len(weights)} weights "
                f"and {len(inputs)} inputs"
            )
        for x in inputs:
            if x.__class__ is not Value:  # rare: a number (or a subclass of Value, kept as it is)
                inputs = [_operand_value(x, "linear", i) for i, x in enumerate(inputs)]
                break
        # Every input is a Value now; mypy cannot follow the fast `__class__ is` check above.
        input_data = [x.data for x in cast("Sequence[Value]", inputs)]
    # The registry entry LINEAR states this rule; this is its inline form (tested equal).
    w_data = [w.data for w in weights]
    total = bias.data
    for w, x in zip(w_data, input_data):
        total = total + w * x
    return _make(total, (*weights, *inputs, bias, *input_data, *w_data, 1.0), "linear")


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
    `symbol`), `explain` (its formulas), `compile_graph` (its array functions, or the float
    ones applied per sample) and `gradcheck`.

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
    existing = REGISTRY.get(name)
    if existing is not None and existing.builtin:
        raise ValueError(f"{name!r} is a built-in op; choose another name for your op")
    ops.register(spec)

    def apply_op(*args: Value | Number) -> Value:
        # Look the entry up at call time: redefining the op (a re-run notebook cell) updates it
        # for new values; each node stores the entry that built it (ops.rule_of).
        return apply(REGISTRY[name], *args)

    apply_op.__name__ = apply_op.__qualname__ = name
    apply_op.__doc__ = f"The op {name!r}: {spec.write([f'x{i}' for i in range(spec.arity)])} (made by define_op)."
    return apply_op


# The registry (ops.py) states every op's rule; `RULES` is its name here, as drawings and
# explanations have always read it. `Rule` is the entry's type.
RULES = REGISTRY
Rule = Op


# --------------------------------------------------------------------------------------
# Node creation, grad mode and scope: read by every op
# --------------------------------------------------------------------------------------

_NO_EDGES: tuple = ()


class _Mode:
    """Grad mode and scope name, as one `no_grad` or `scope` block sets them.

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

# `_make` runs for every op, so it first tests one module-level list: empty while no thread
# or task at all is inside a `no_grad()` or `scope` block (the test costs what a bool's
# does). Only when a block is open somewhere does `_make` look up its own mode. Every block
# appends on entering and pops on leaving: both are atomic, so no lock is needed, and the
# list is never empty while some block is in force. (A block never left, such as a
# generator suspended inside one and never closed, keeps an entry: results stay right,
# `_make` just takes the slower look-up.)
_open_blocks: list = []
# The same functions bound once, for `scope`, which Neuron enters on every call.
_get_mode, _set_mode, _reset_mode = _current.get, _current.set, _current.reset
_open_block, _close_block = _open_blocks.append, _open_blocks.pop


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


def _make(data: float, edges: tuple, op: str, const=None) -> Value:
    """Create an op's output node from its edges: parents, then their local derivatives.

    No input checks: the op has already validated. Inside `no_grad()` the node is a leaf;
    inside `scope(name)` its ``scope`` is that name.
    """
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out._label = ""
    if not _open_blocks:
        out._edges = edges
        out.op = op
        out.const = const
        out.scope = None
        return out
    mode = _get_mode()
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


def _node(data: float, parents: tuple, local_derivatives: tuple, op: str, const=None) -> Value:
    """Create an op's output node from its parents and their local derivatives.

    >>> a = Value(2.0)
    >>> _node(6.0, (a,), (3.0,), "mul", 3.0).local_derivatives
    (3.0,)
    """
    return _make(data, parents + local_derivatives, op, const)


@contextmanager
def no_grad() -> Iterator[None]:
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
    mode, token = _enter(False, None)
    try:
        yield
    finally:
        _leave(mode, token)


@contextmanager
def enable_grad() -> Iterator[None]:
    """Inside this block, operations build a graph again, even within `no_grad()`.

    For code that must trace a graph whatever its caller's mode, as
    `CompiledTrainingStep` does. Like `no_grad`, it follows the thread and the task.

    >>> with no_grad():
    ...     with enable_grad():
    ...         y = Value(1.0) * 2
    >>> y.op
    'mul'
    """
    mode, token = _enter(True, None)
    try:
        yield
    finally:
        _leave(mode, token)


def is_grad_enabled() -> bool:
    """True unless this thread or task is inside `no_grad()`.

    >>> is_grad_enabled()
    True
    >>> with no_grad():
    ...     is_grad_enabled()
    False
    """
    return _current_mode().enabled


class scope(_Mode):
    """``with scope(name):`` every value an op computes in the block records ``scope == name``.

    Drawings group a graph by scope (``draw_dot(..., group="neuron")``) and explanations
    name what they show by it; `Neuron` runs its maths inside ``scope("L1.N3")``. Like grad
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

    # A class, not a generator: Neuron enters one per call, and these few lines cost a
    # fraction of @contextmanager's generator machinery. For the same reason a scope is its
    # own block's mode the first time it is entered (no second object to make), `_enter` and
    # `_leave` are written out inline, and no attribute is set before it is needed.
    __slots__ = ("_entered", "_token")

    def __init__(self, name: str) -> None:
        if not isinstance(name, str):
            raise TypeError(f'scope needs a name as a str, e.g. scope("L1.N3"), got {type(name).__name__} {name!r}')
        self.scope = name
        self.outer = None  # None until first entered; `enabled` and `left` are set then too
        self._token: Token | None = None  # not None while inside the block

    @property
    def name(self) -> str:
        """The scope's name, e.g. ``"L1.N3"``."""
        return cast(str, self.scope)

    def __enter__(self) -> scope:
        if self._token is not None:
            raise RuntimeError(f"scope({self.scope!r}) is already entered; make a new scope(...) to nest one")
        outer = _get_mode()
        if outer.left:
            outer = _current_mode()
        if self.outer is None:
            mode: _Mode = self
            self.enabled = outer.enabled
            self.outer = outer
            self.left = False
        else:
            # Entered again: a fresh mode, since a task started inside the earlier block
            # may still hold that one, which must stay left.
            mode = _Mode(outer.enabled, self.scope, outer)
        _open_block(None)
        self._entered = mode
        self._token = _set_mode(mode)
        return self

    def __exit__(self, *exc_info: object) -> None:
        token = self._token
        # `with` calls __exit__ only after __enter__, which set the mode and the token.
        assert token is not None
        self._entered.left = True
        self._token = None
        try:
            _reset_mode(token)
        except ValueError:  # left from another thread or task: see _leave
            pass
        _close_block()

    def __repr__(self) -> str:
        return f"scope({self.scope!r})"


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
# Input checking
# --------------------------------------------------------------------------------------


def _check_label(label: object) -> None:
    """Refuse a label that is not a str: it is shown as text everywhere."""
    if not isinstance(label, str):
        raise TypeError(f'label must be a str, got {type(label).__name__} {label!r}; pass a str, e.g. "w1"')


def _constant(x: object, symbol: str) -> float:
    """A plain-number operand of `symbol` as a float, checked by `ops.as_number`.

    The operators' fast path takes a float that equals itself (every float but NaN) without
    this call; everything else (ints, NumPy numbers, NaN, wrong types) comes here.

    >>> _constant(2, "*")
    2.0
    >>> _constant(float("nan"), "+")
    Traceback (most recent call last):
    ...
    ValueError: the constant operand of + must be a number, not NaN, got nan; pass a number or a Value
    """
    return as_number(x, f"the constant operand of {symbol}", hint="pass a number or a Value")
