"""`Value`: a scalar that remembers how it was computed, and `backward()` over its graph.

Every operation creates a new node that records

* ``parents``: the `Value` operands, in operand order (``a * a`` has two entries);
* ``local_derivatives``: d(out)/d(parent) for each parent, computed in the forward pass;
* ``op``: the operation's name (``"mul"``), and ``const``: a plain-number operand, if any.

There are no per-node closures: the rule of each op is written once, in its method, and
registered in `RULES` with the formula text that drawings and explanations print.

>>> a = Value(2.0, label="a")
>>> b = Value(-3.0, label="b")
>>> L = (a * b + a.tanh()) ** 2
>>> L.backward()
>>> round(a.grad, 4), round(b.grad, 4)
(29.5042, -20.1439)
"""

from __future__ import annotations

import math
import numbers
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Union

from .graph import backpropagate

__all__ = ["Value", "no_grad", "is_grad_enabled", "operands", "Rule", "RULES"]

Number = Union[int, float]

# Local derivatives that are the same for every node are shared, not allocated per node.
_ONE = (1.0,)
_ZERO = (0.0,)
_MINUS_ONE = (-1.0,)
_ONE_ONE = (1.0, 1.0)
_ONE_MINUS_ONE = (1.0, -1.0)
_NO_PARENTS: tuple = ()


class _GradMode:
    """One thread's grad mode: False while the thread is inside `no_grad()`."""

    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = True


# Grad mode is per thread, as in PyTorch. `_node` runs for every op, so it first reads one
# flag: True while no thread at all is inside `no_grad()` (a bool: the fastest test there
# is). Only when it is False does `_node` look up its own thread's mode. The flag follows a
# count of threads with grad mode off. (A thread that ends inside `no_grad()` without leaving
# it keeps the count up: results stay right, `_node` just takes the slower look-up.)
_threads_without_grad = 0
_every_thread_has_grad = True
_count_lock = threading.Lock()


class _ThreadMode(threading.local):
    """`.mode`: the current thread's _GradMode, made on the thread's first use.

    Made in __init__, which threading.local runs once in each thread, so reading `.mode`
    never misses (a miss raises and catches an AttributeError: about ten times slower).
    """

    def __init__(self) -> None:
        self.mode = _GradMode()


_thread_mode = _ThreadMode()


# --------------------------------------------------------------------------------------
# The rule table: how each op is written and differentiated, for drawings and explanations.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """How one op is written and differentiated, as text.

    Templates refer to the operands in written order as ``{0}``, ``{1}`` and to the
    op's result as ``{out}``; a constant operand is one of them.

    Attributes:
        op: the name stored in ``Value.op`` (``"mul"``).
        symbol: what a drawing shows inside the op node (``"*"``).
        expression: how the result is written (``"{0} · {1}"``).
        derivatives: the local derivative d(out)/d(operand i), one template per operand.
    """

    op: str
    symbol: str
    expression: str
    derivatives: tuple

    def write(self, operands: list, out: str = "out") -> str:
        """Fill the expression with operand names or numbers.

        >>> RULES["mul"].write(["a", "b"])
        'a · b'
        """
        return self.expression.format(*operands, out=out)

    def derivative(self, position: int, operands: list, out: str = "out") -> str:
        """Fill the local-derivative formula of operand `position`.

        >>> RULES["mul"].derivative(0, ["a", "b"])
        'b'
        """
        return self.derivatives[position].format(*operands, out=out)


RULES: dict[str, Rule] = {}


def _rule(op: str, symbol: str, expression: str, *derivatives: str):
    """Register an op's text in `RULES`; used as a decorator next to the op's code."""
    RULES[op] = Rule(op, symbol, expression, tuple(derivatives))

    def keep(method):
        return method

    return keep


# --------------------------------------------------------------------------------------
# Input checking
# --------------------------------------------------------------------------------------


def _as_number(x: object, what: str) -> float:
    """Return `x` as a float, or raise a TypeError that says what to pass instead."""
    if isinstance(x, numbers.Real) and not isinstance(x, Value):
        return float(x)
    shown = repr(x)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    raise TypeError(
        f"{what} needs an int, a float or a Value, got {type(x).__name__} {shown}; "
        f"convert it first, e.g. float(...)"
    )


def _constant(x: object, symbol: str) -> float:
    """A plain-number operand of `symbol` as a float; NaN is refused like any bad input.

    The ops' fast path takes a float that equals itself (every float but NaN) without a call.

    >>> _constant(2, "*")
    2.0
    >>> _constant(float("nan"), "+")
    Traceback (most recent call last):
    ...
    ValueError: + got NaN as a constant operand; NaN is never a valid input, pass a number
    """
    value = _as_number(x, symbol)
    if value != value:
        raise ValueError(f"{symbol} got NaN as a constant operand; NaN is never a valid input, pass a number")
    return value


def _name(x: float) -> str:
    """A number as it appears in error messages: 2.0 -> '2.0', 1e-300 -> '1e-300'."""
    return repr(float(x))


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

    __slots__ = ("data", "grad", "parents", "local_derivatives", "op", "const", "label", "scope")

    def __init__(self, data: Number, label: str = "") -> None:
        if isinstance(data, Value):
            raise TypeError(
                "Value() needs a number, got a Value; use that Value directly "
                "(or its .data for the number)"
            )
        value = _as_number(data, "Value()")
        if value != value:
            raise ValueError("Value() got NaN; pass a finite number")
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, got {type(label).__name__} {label!r}")
        self.data = value
        self.grad = 0.0
        self.parents = _NO_PARENTS
        self.local_derivatives = _NO_PARENTS
        self.op = ""
        self.const = None
        self.label = label
        self.scope = None

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # ------------------------------------------------------------------ backward

    def backward(self) -> None:
        """Compute d(self)/d(v) for every value v that `self` depends on.

        The root's gradient is seeded with 1 and the chain rule runs over the graph in
        reverse topological order (`autograd_tiny.graph.topological_order`).

        Calling it again: leaves (inputs, parameters) *accumulate* into ``.grad``, as in
        PyTorch, so gradients of several losses add up; call ``zero_grad()`` (or set
        ``.grad = 0.0``) between training steps. Interior values hold the latest pass only.

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
        return RULES[self.op].symbol

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

    @_rule("add", "+", "{0} + {1}", "1", "1")
    def __add__(self, other: Value | Number) -> Value:
        if other.__class__ is Value:
            return _node(self.data + other.data, (self, other), _ONE_ONE, "add")
        k = other if other.__class__ is float and other == other else _constant(other, "+")
        return _node(self.data + k, (self,), _ONE, "add", k)

    __radd__ = __add__

    @_rule("sub", "-", "{0} − {1}", "1", "−1")
    def __sub__(self, other: Value | Number) -> Value:
        if other.__class__ is Value:
            return _node(self.data - other.data, (self, other), _ONE_MINUS_ONE, "sub")
        k = other if other.__class__ is float and other == other else _constant(other, "-")
        return _node(self.data - k, (self,), _ONE, "sub", k)

    @_rule("rsub", "-", "{0} − {1}", "1", "−1")
    def __rsub__(self, other: Number) -> Value:
        k = other if other.__class__ is float and other == other else _constant(other, "-")
        return _node(k - self.data, (self,), _MINUS_ONE, "rsub", k)

    @_rule("mul", "*", "{0} · {1}", "{1}", "{0}")
    def __mul__(self, other: Value | Number) -> Value:
        if other.__class__ is Value:
            return _node(self.data * other.data, (self, other), (other.data, self.data), "mul")
        k = other if other.__class__ is float and other == other else _constant(other, "*")
        return _node(self.data * k, (self,), (k,), "mul", k)

    __rmul__ = __mul__

    @_rule("div", "/", "{0} / {1}", "1 / {1}", "−{0} / {1}²")
    def __truediv__(self, other: Value | Number) -> Value:
        if other.__class__ is Value:
            b = other.data
            if b == 0.0:
                raise ZeroDivisionError(f"division by zero: {_name(self.data)} / 0.0 (divisor is 0)")
            out = self.data / b
            return _node(out, (self, other), (1.0 / b, -out / b), "div")
        k = other if other.__class__ is float and other == other else _constant(other, "/")
        if k == 0.0:
            raise ZeroDivisionError(f"division by zero: {_name(self.data)} / 0 (divisor is 0)")
        return _node(self.data / k, (self,), (1.0 / k,), "div", k)

    @_rule("rdiv", "/", "{0} / {1}", "1 / {1}", "−{0} / {1}²")
    def __rtruediv__(self, other: Number) -> Value:
        k = other if other.__class__ is float and other == other else _constant(other, "/")
        b = self.data
        if b == 0.0:
            raise ZeroDivisionError(f"division by zero: {_name(k)} / 0.0 (divisor is 0)")
        out = k / b
        return _node(out, (self,), (-out / b,), "rdiv", k)

    @_rule("pow", "**", "{0}^{1}", "{1} · {0}^({1} − 1)", "{out} · ln {0}")
    def __pow__(self, other: Value | Number) -> Value:
        a = self.data
        if other.__class__ is Value:
            b = other.data
            if a < 0.0:
                raise ValueError(
                    f"pow with a Value exponent needs base > 0 (got base {_name(a)}); "
                    f"use a plain number as the exponent for a negative base"
                )
            if a == 0.0:
                if b <= 0.0:
                    raise ZeroDivisionError(f"pow is undefined for 0.0 ** {_name(b)} (needs exponent > 0)")
                # d/db 0**b = 0 * ln 0: the limit is 0 for b > 0, as in PyTorch.
                return _node(0.0, (self, other), (_power_slope(a, b), 0.0), "pow")
            out = _power(a, b)
            return _node(out, (self, other), (_power_slope(a, b), out * math.log(a)), "pow")
        k = other if other.__class__ is float and other == other else _constant(other, "**")
        return _node(_power(a, k), (self,), (_power_slope(a, k),), "pow", k)

    @_rule("rpow", "**", "{0}^{1}", "{1} · {0}^({1} − 1)", "{out} · ln {0}")
    def __rpow__(self, other: Number) -> Value:
        k = other if other.__class__ is float and other == other else _constant(other, "**")
        b = self.data
        if k < 0.0:
            raise ValueError(
                f"pow with a Value exponent needs base > 0 (got base {_name(k)}); "
                f"use a plain number as the exponent for a negative base"
            )
        if k == 0.0:
            if b <= 0.0:
                raise ZeroDivisionError(f"pow is undefined for 0.0 ** {_name(b)} (needs exponent > 0)")
            return _node(0.0, (self,), _ZERO, "rpow", k)
        out = _power(k, b)
        return _node(out, (self,), (out * math.log(k),), "rpow", k)

    # ------------------------------------------------------------------ unary ops

    @_rule("neg", "-", "−{0}", "−1")
    def __neg__(self) -> Value:
        return _node(-self.data, (self,), _MINUS_ONE, "neg")

    @_rule("exp", "exp", "exp({0})", "exp({0}) = {out}")
    def exp(self) -> Value:
        """e ** self. Overflow (self > 709.78) raises OverflowError rather than giving inf.

        >>> Value(0.0).exp()
        Value(data=1.0, grad=0.0)
        """
        try:
            out = math.exp(self.data)
        except OverflowError:
            raise OverflowError(
                f"exp overflows for x = {_name(self.data)} (the result exceeds 1.8e308; "
                f"needs x <= 709.78); scale the input down"
            ) from None
        return _node(out, (self,), (out,), "exp")

    @_rule("log", "log", "ln({0})", "1 / {0}")
    def log(self) -> Value:
        """The natural logarithm; needs self > 0.

        >>> Value(1.0).log()
        Value(data=0.0, grad=0.0)
        """
        x = self.data
        if x <= 0.0:
            raise ValueError(f"log is undefined for x = {_name(x)} (needs x > 0)")
        return _node(math.log(x), (self,), (1.0 / x,), "log")

    @_rule("tanh", "tanh", "tanh({0})", "1 − {out}²")
    def tanh(self) -> Value:
        """The hyperbolic tangent; exact and finite for any input (tanh(1000) = 1).

        >>> round(Value(0.5).tanh().data, 4)
        0.4621
        """
        t = math.tanh(self.data)
        return _node(t, (self,), (1.0 - t * t,), "tanh")

    @_rule("sigmoid", "σ", "σ({0})", "{out} · (1 − {out})")
    def sigmoid(self) -> Value:
        """1 / (1 + e**-self), computed without overflow for any input.

        >>> Value(0.0).sigmoid()
        Value(data=0.5, grad=0.0)
        """
        x = self.data
        if x >= 0.0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            # e**-x would overflow for very negative x; e**x is safe there.
            e = math.exp(x)
            s = e / (1.0 + e)
        return _node(s, (self,), (s * (1.0 - s),), "sigmoid")

    @_rule("relu", "ReLU", "relu({0})", "1 if {0} > 0 else 0")
    def relu(self) -> Value:
        """max(0, self). Its local derivative is 1 where self > 0, else 0.

        >>> Value(-2.0).relu(), Value(3.0).relu()
        (Value(data=0.0, grad=0.0), Value(data=3.0, grad=0.0))
        """
        x = self.data
        if x > 0.0:
            return _node(x, (self,), _ONE, "relu")
        return _node(0.0, (self,), _ZERO, "relu")

    @_rule("sqrt", "√", "√{0}", "1 / (2 · √{0})")
    def sqrt(self) -> Value:
        """The square root; needs self >= 0 (the local derivative at 0 is inf).

        >>> Value(9.0).sqrt()
        Value(data=3.0, grad=0.0)
        """
        x = self.data
        if x < 0.0:
            raise ValueError(f"sqrt is undefined for x = {_name(x)} (needs x >= 0)")
        r = math.sqrt(x)
        return _node(r, (self,), (0.5 / r if r else math.inf,), "sqrt")

    @_rule("abs", "abs", "|{0}|", "sign({0})")
    def __abs__(self) -> Value:
        x = self.data
        if x > 0.0:
            return _node(x, (self,), _ONE, "abs")
        if x < 0.0:
            return _node(-x, (self,), _MINUS_ONE, "abs")
        # abs(0.0) and abs(-0.0) are +0.0, as for floats (-x would give -0.0 for 0.0).
        return _node(0.0, (self,), _ZERO, "abs")

    def __pos__(self) -> Value:
        return self


def _power(a: float, k: float) -> float:
    """a ** k with domain errors that name the op and the values."""
    if a == 0.0 and k < 0.0:
        raise ZeroDivisionError(f"pow is undefined for 0.0 ** {_name(k)} (0 to a negative power)")
    if a < 0.0 and not float(k).is_integer():
        raise ValueError(
            f"pow is undefined for {_name(a)} ** {_name(k)} "
            f"(a negative base needs an integer exponent)"
        )
    try:
        return a**k
    except OverflowError:
        raise OverflowError(f"pow overflows for {_name(a)} ** {_name(k)} (the result exceeds 1.8e308)") from None


def _power_slope(a: float, k: float) -> float:
    """d(a ** k)/da = k * a ** (k - 1), with its limits at a = 0 spelled out."""
    if k == 0.0:
        return 0.0
    if a == 0.0 and k < 1.0:
        return math.inf  # the slope of a**k at 0 is infinite for 0 < k < 1 (e.g. sqrt)
    return k * _power(a, k - 1.0)


# Ops whose constant operand stands on the left (``2 - a``, ``1 / a``, ``2 ** a``).
_CONSTANT_FIRST = frozenset({"rsub", "rdiv", "rpow"})


def operands(value: Value) -> list:
    """The operands of `value`'s op in written order: its parents, with the constant in place.

    ``RULES[value.op]`` templates number their operands in this order. A leaf has none.

    >>> a = Value(3.0, label="a")
    >>> operands(2 - a) == [2.0, a], operands(a - 2) == [a, 2.0]
    (True, True)
    """
    if value.const is None:
        return list(value.parents)
    if value.op in _CONSTANT_FIRST:
        return [value.const, *value.parents]
    return [*value.parents, value.const]


_new = object.__new__


def _node(data: float, parents: tuple, local_derivatives: tuple, op: str, const=None) -> Value:
    """Create an op's output node (no input checks: the op has already validated)."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    if _every_thread_has_grad or _thread_mode.mode.enabled:
        out.parents = parents
        out.local_derivatives = local_derivatives
        out.op = op
        out.const = const
    else:
        out.parents = out.local_derivatives = _NO_PARENTS
        out.op = ""
        out.const = None
    out.label = ""
    out.scope = None
    return out


def _set_grad_mode(mode: _GradMode, enabled: bool) -> None:
    """Switch one thread's mode, keeping the count of threads without grad exact."""
    global _threads_without_grad, _every_thread_has_grad
    with _count_lock:
        if mode.enabled != enabled:
            _threads_without_grad += -1 if enabled else 1
            mode.enabled = enabled
            _every_thread_has_grad = _threads_without_grad == 0


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block, operations build no graph: their results are plain leaves.

    Use it for inference and for parameter updates. Grad mode is per thread, as in
    PyTorch: the block affects only the thread that enters it, and on leaving it restores
    that thread's previous mode (so blocks nest, and blocks in several threads may overlap).

    A generator that yields inside ``with no_grad():`` leaves the block in force, while
    it is suspended, for the thread that entered it: that thread builds no graph until the
    generator is resumed and leaves the block (or is closed). Other threads are never
    affected. PyTorch behaves the same way.

    >>> w = Value(1.0)
    >>> with no_grad():
    ...     y = w * 2
    >>> y.parents, y.op
    ((), '')
    """
    mode = _thread_mode.mode
    # Restore this very thread's mode on leaving, even if the block is left from another
    # thread (a generator closed elsewhere).
    previous = mode.enabled
    _set_grad_mode(mode, False)
    try:
        yield
    finally:
        _set_grad_mode(mode, previous)


def is_grad_enabled() -> bool:
    """True unless this thread is inside `no_grad()`.

    >>> is_grad_enabled()
    True
    >>> with no_grad():
    ...     is_grad_enabled()
    False
    """
    return _thread_mode.mode.enabled
