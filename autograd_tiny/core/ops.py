"""The registry of ops, `RULES`: every op's rule, stated once, as an entry (`Op`).

An entry holds everything the package knows about one op: its forward function and local
derivatives (with the domain checks and their messages), how drawings and explanations
show it, and the code `compile_graph` writes for it. `Value` (value.py) builds nodes from
the entries, the renderer draws their symbols, the explainer prints their formulas and the
compiler writes their code: none of them restates a rule. `define_op` adds an entry for an
op of your own, as the built-in entries below are made. Each reads a node's entry with
`rule_of(node)`: a node keeps the rule it was built with, even when its op's name is
defined again; built-ins cannot be replaced.

>>> RULES["mul"].forward(2.0, 3.0), RULES["mul"].derivatives[0](2.0, 3.0, 6.0)
(6.0, 3.0)
>>> RULES["mul"].write(["a", "b"]), RULES["mul"].derivative(0, ["a", "b"])
('a · b', 'b')
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import numbers
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Op",
    "OpName",
    "RULES",
    "register",
    "rule_of",
    "AFFINE",
    "format_number",
    "Number",
    "as_number",
    "as_whole_number",
]

# A plain number, as the public API takes it (the one definition; other modules import it).
Number = int | float


# --------------------------------------------------------------------------------------
# Input checking: the one place user input becomes a float (or a whole number), with one
# message style: "<what> must be <what is allowed>, got <the value>; <what to do>".
# --------------------------------------------------------------------------------------


def _short_repr(x: Any) -> str:
    """`repr(x)`, cut to 40 characters so a huge list does not flood the message."""
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


def _ending(hint: str | None) -> str:
    return f"; {hint}" if hint else ""


def as_number(
    x: Any,
    what: str,
    *,
    allow_nan: bool = False,
    allow_inf: bool = True,
    minimum: float | None = None,
    positive: bool = False,
    below: float | None = None,
    hint: str | None = None,
) -> float:
    """User input `x` as a float, or a TypeError/ValueError that names it and says what to do.

    Accepted: any real number (int, float, NumPy real scalars, ``fractions.Fraction``);
    refused: bool (``True`` is a flag, never meant as 1.0), strings, containers and the rest.
    NaN is refused unless `allow_nan`; inf and -inf are accepted unless ``allow_inf=False``.

    Args:
        x: the input to check.
        what: how the message names it, e.g. ``"lr"`` or ``"input 2"``.
        allow_nan: accept NaN (default: refuse it, NaN is never a meaningful input).
        allow_inf: accept inf and -inf (default: yes, they follow float arithmetic).
        minimum: the smallest allowed value, inclusive.
        positive: require a value > 0.
        below: the exclusive upper bound.
        hint: what to do instead, ending the message, e.g. ``"pass e.g. lr=0.01"``.

    >>> as_number(2, "lr"), as_number(0.5, "momentum", minimum=0.0, below=1.0)
    (2.0, 0.5)
    >>> as_number("0.1", "lr", hint="pass e.g. lr=0.01")
    Traceback (most recent call last):
    ...
    TypeError: lr must be a number, got str '0.1'; pass e.g. lr=0.01
    >>> as_number(-1, "lr", allow_inf=False, minimum=0.0, hint="pass e.g. lr=0.01")
    Traceback (most recent call last):
    ...
    ValueError: lr must be a finite number >= 0, got -1.0; pass e.g. lr=0.01
    """
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what} must be a number, got {type(x).__name__} {_short_repr(x)}{_ending(hint)}")
    try:
        value = float(x)
    except OverflowError:
        raise ValueError(
            f"{what} is an integer too large for a float ({len(str(abs(math.trunc(x))))} digits), "
            f"got {_short_repr(x)}; use a number below 1.8e308"
        ) from None
    # NaN fails every comparison, so each bound below refuses it as well.
    bounded = minimum is not None or positive or below is not None
    if (
        (value != value and not allow_nan)
        or (not allow_inf and value in (math.inf, -math.inf))
        or (bounded and not _in_bounds(value, minimum, positive, below))
    ):
        raise ValueError(
            f"{what} must be {_allowed(allow_nan, allow_inf, minimum, positive, below)}, got {value!r}{_ending(hint)}"
        )
    return value


def _in_bounds(value: float, minimum: float | None, positive: bool, below: float | None) -> bool:
    return (minimum is None or value >= minimum) and (not positive or value > 0.0) and (below is None or value < below)


def _allowed(allow_nan: bool, allow_inf: bool, minimum: float | None, positive: bool, below: float | None) -> str:
    """What `as_number` accepts, in words: "a finite number >= 0", "a number in [0, 1)"."""
    kind = "a number" if allow_inf else "a finite number"
    if minimum is not None and below is not None:
        return f"{kind} in [{format_number(minimum)}, {format_number(below)})"
    if positive and below is not None:
        return f"{kind} in (0, {format_number(below)})"
    if positive:
        return f"{kind} > 0"
    if minimum is not None:
        return f"{kind} >= {format_number(minimum)}"
    if below is not None:
        return f"{kind} < {format_number(below)}"
    return kind if allow_nan or not allow_inf else f"{kind}, not NaN"  # "finite" already excludes NaN


def as_whole_number(x: Any, what: str, *, minimum: int = 1, hint: str | None = None) -> int:
    """User input `x` as a whole number >= `minimum` (a count or a size), or the error to fix it.

    Accepted: int and its subclasses (NumPy integers too), bool refused; 2.0 is refused as
    well, since a count written as a float is usually a mistake elsewhere.

    Args:
        x: the input to check.
        what: how the message names it, e.g. ``"nin"``.
        minimum: the smallest allowed value.
        hint: what to do instead, ending the message.

    >>> as_whole_number(3, "nin")
    3
    >>> as_whole_number(0, "nin")
    Traceback (most recent call last):
    ...
    ValueError: nin must be a whole number >= 1, got 0
    """
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        raise TypeError(f"{what} must be a whole number, got {type(x).__name__} {_short_repr(x)}{_ending(hint)}")
    if x < minimum:
        raise ValueError(f"{what} must be a whole number >= {minimum}, got {x}{_ending(hint)}")
    return int(x)


# --------------------------------------------------------------------------------------
# Domain checks. Each message is written once, with a {where} slot: empty for one number
# (the engine, compiled floats), " in sample 3 (and 2 more)" for NumPy arrays (fast/arrays.py).
# --------------------------------------------------------------------------------------

DIVISION_BY_ZERO = "division by zero: {0} / 0.0{where} (divisor is 0)"
EXP_OVERFLOW = "exp overflows for x = {0}{where} (the result exceeds 1.8e308; needs x <= 709.78); scale the input down"
LOG_DOMAIN = "log is undefined for x = {0}{where} (needs x > 0)"
SQRT_DOMAIN = "sqrt is undefined for x = {0}{where} (needs x >= 0)"
POW_ZERO_NEGATIVE = "pow is undefined for 0.0 ** {1}{where} (0 to a negative power)"
POW_NEGATIVE_BASE = "pow is undefined for {0} ** {1}{where} (a negative base needs an integer exponent)"
POW_OVERFLOW = "pow overflows for {0} ** {1}{where} (the result exceeds 1.8e308)"
POW_VALUE_BASE = (
    "pow with a Value exponent needs base > 0 (got base {0}{where}); "
    "use a plain number as the exponent for a negative base"
)
POW_VALUE_ZERO = "pow is undefined for 0.0 ** {1}{where} (needs exponent > 0)"
NOT_FINITE = "{name} is undefined for x = {0}{where} (needs a finite x)"


def format_number(x: float, *, decimals: int | None = None, digits: int = 6) -> str:
    """A number as every display writes it (explanations, drawings, pages, tables).

    Two styles, chosen by the keyword options:

    * short (``decimals=None``, the default): a whole number without a point, ``6``; any
      other to `digits` significant digits, ``-0.761594``;
    * fixed (``decimals=n``): exactly n decimals, ``2.0000``, the grid of a drawing's cells;
      from 1e15 on in exponent form, ``3.0000e+300`` (fixed would write 300 digits).

    inf, -inf and nan are written as such in both styles: every output shows them legibly.

    Args:
        x: the number.
        decimals: the number of decimals of the fixed style (None: the short style).
        digits: the significant digits of the short style.

    >>> format_number(6.0), format_number(-0.7615941559557649), format_number(1e-9)
    ('6', '-0.761594', '1e-09')
    >>> format_number(2.0, decimals=4), format_number(3e300, decimals=4), format_number(float("nan"), decimals=4)
    ('2.0000', '3.0000e+300', 'nan')
    >>> format_number(123456789.5, digits=8), format_number(float("-inf"))
    ('1.2345679e+08', '-inf')
    """
    x = float(x)
    if x != x:
        return "nan"
    if x in (math.inf, -math.inf):
        return "inf" if x > 0 else "-inf"
    if decimals is not None:
        return f"{x:.{decimals}e}" if abs(x) >= 1e15 else f"{x:.{decimals}f}"
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.{digits}g}"


def format_operand(x: float, *, decimals: int | None = None) -> str:
    """`format_number`, ready to stand in a formula: a negative number in parentheses.

    >>> format_operand(-3.0), format_operand(2.5), format_operand(-0.5, decimals=4)
    ('(-3)', '2.5', '(-0.5000)')
    """
    text = format_number(x, decimals=decimals)
    return f"({text})" if text.startswith("-") else text


# Labels are data. Characters no output may pass on as they are: control and format
# characters, lone surrogates, line and paragraph separators, private use and unassigned code
# points (they break lines, reorder text, crash renderers, or cannot be encoded at all).
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def is_hidden(c: str) -> bool:
    """True for a character that every output shows as an escape (see `escape_hidden`)."""
    return unicodedata.category(c) in _HIDDEN_CATEGORIES


def escape_code(c: str) -> str:
    r"""A character as a Python-style escape: ``\n``, ``\x00``, ``\ud800``, ``\U000e0001``."""
    if c in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[c]
    code = ord(c)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def escape_hidden(text: str, *, keep: str = "") -> str:
    r"""`text` with every hidden character (`is_hidden`) shown as its escape, except those in `keep`.

    The one mechanism behind every output's label escaping: plain text and the HTML page
    (`explain.text_label`), DOT (`render.visible`, which keeps newlines as line breaks) and
    LaTeX (`explain.tex`).

    >>> print(escape_hidden("a\nb\x00\ud800"))
    a\nb\x00\ud800
    >>> escape_hidden("a\nb", keep="\n") == "a\nb"
    True
    """
    if text.isprintable():  # the common case: nothing to escape
        return text
    return "".join(escape_code(c) if c not in keep and is_hidden(c) else c for c in text)


def shown(x: float) -> str:
    """A number as error messages show it: 2.0 -> '2.0', 1e-300 -> '1e-300'."""
    return repr(float(x))


def fail(error: type, message: str, *xs: float, **extra: str) -> None:
    """Raise `error` with `message` filled for single numbers (no sample to name)."""
    raise error(message.format(*map(shown, xs), where="", **extra))


# --------------------------------------------------------------------------------------
# The float functions: what the engine computes, and what compiled code calls on floats.
# --------------------------------------------------------------------------------------


def divide(a: float, b: float) -> float:
    """a / b; dividing by zero raises ZeroDivisionError naming both numbers."""
    if b == 0.0:
        fail(ZeroDivisionError, DIVISION_BY_ZERO, a)
    return a / b


def power(a: float, k: float) -> float:
    """a ** k with domain errors that name the op and the values."""
    if a == 0.0 and k < 0.0:
        fail(ZeroDivisionError, POW_ZERO_NEGATIVE, a, k)
    if a < 0.0 and not float(k).is_integer():
        fail(ValueError, POW_NEGATIVE_BASE, a, k)
    try:
        return a**k
    except OverflowError:
        fail(OverflowError, POW_OVERFLOW, a, k)
        raise  # unreachable: fail() raised


def power_slope(a: float, k: float) -> float:
    """d(a ** k)/da = k * a ** (k - 1), with its limits at a = 0 spelled out; on Values too."""
    if (a.__class__ is not float or k.__class__ is not float) and not _both_numbers(a, k):
        return _values_power_slope(a, k)  # Values: derivatives of derivatives
    if k == 0.0:
        return 0.0
    if a == 0.0 and k < 1.0:
        return math.inf  # the slope of a**k at 0 is infinite for 0 < k < 1 (e.g. sqrt)
    return k * power(a, k - 1.0)


def _values_power_slope(a: Any, k: Any) -> Any:
    """`power_slope` when a or k is a Value: the same rule, as a graph (limits from the numbers)."""
    if _number(k) == 0.0:
        return 0.0
    if _number(a) == 0.0 and _number(k) < 1.0:
        return math.inf
    return k * a ** (k - 1.0)


def _both_numbers(a: Any, k: Any) -> bool:
    return isinstance(a, numbers.Real) and isinstance(k, numbers.Real)


def _number(x: Any) -> Any:
    """The number of a plain number or a Value (its ``data``), without `float()`, which rules must not call."""
    return x if x.__class__ is float or isinstance(x, numbers.Real) else x.data


def power_log(a: Any, out: Any) -> Any:
    """d(a ** b)/db = out * ln a; at a = 0 (where b > 0) the limit, 0, as in PyTorch. On Values too."""
    if _number(a) == 0.0:
        return 0.0
    return out * (math.log(a) if isinstance(a, numbers.Real) else a.log())


def power_constant(a: float, k: float) -> float:
    """a ** k for a constant k, checking the local derivative too (it may overflow alone)."""
    out = power(a, k)
    power_slope(a, k)
    return out


def power_value(a: float, b: float) -> float:
    """a ** b when the exponent is a Value: the base must be > 0 (ln a is its derivative)."""
    if a < 0.0:
        fail(ValueError, POW_VALUE_BASE, a, b)
    if a == 0.0:
        if b <= 0.0:
            fail(ZeroDivisionError, POW_VALUE_ZERO, a, b)
        return 0.0
    return power_constant(a, b)


def rpow(k: float, b: float) -> float:
    """k ** b for a constant base k: the base rules of ``a ** b`` (no slope of k to check)."""
    if k <= 0.0:
        return power_value(k, b)
    return power(k, b)


def exp(x: float) -> float:
    """e ** x; overflow raises OverflowError rather than giving inf."""
    try:
        return math.exp(x)
    except OverflowError:
        fail(OverflowError, EXP_OVERFLOW, x)
        raise  # unreachable: fail() raised


def log(x: float) -> float:
    """ln x for x > 0."""
    if x <= 0.0:
        fail(ValueError, LOG_DOMAIN, x)
    return math.log(x)


def sqrt(x: float) -> float:
    """√x for x >= 0."""
    if x < 0.0:
        fail(ValueError, SQRT_DOMAIN, x)
    return math.sqrt(x)


def sqrt_slope(r: float) -> float:
    """d√x/dx = 1 / (2√x) from r = √x; infinite at 0 (for a Value r too)."""
    if r.__class__ is not float and _number(r) == 0.0:
        return math.inf
    return 0.5 / r if r else math.inf


def sigmoid(x: float) -> float:
    """1 / (1 + e**-x), without overflow for any x."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # e**-x would overflow for very negative x; e**x is safe there
    return e / (1.0 + e)


def relu(x: float) -> float:
    # The test x > 0, not max(): max(0.0, nan) is 0.0 but max(nan, 0.0) is nan.
    return x if x > 0.0 else 0.0


def step(x: float) -> float:
    """relu's local derivative: 1 where x > 0, else 0 (for a Value too: a constant, so relu'' = 0)."""
    return 1.0 if _number(x) > 0.0 else 0.0


def absolute(x: float) -> float:
    # +0.0 for both zeros, as abs() on floats (-x would give -0.0 for 0.0).
    return x if x > 0.0 else (-x if x < 0.0 else 0.0)


def sign(x: float) -> float:
    """abs's local derivative (for a Value too: a constant, so abs'' = 0 away from 0)."""
    if x.__class__ is not float:
        x = _number(x)
    return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)


def maximum(a: float, b: float) -> float:
    """The larger of a and b; a tie gives the first operand, a (the node that gets the gradient)."""
    return a if a >= b else b


def minimum(a: float, b: float) -> float:
    """The smaller of a and b; a tie gives the first operand, a."""
    return a if a <= b else b


def max_first(a: Any, b: Any) -> float:
    """∂max(a, b)/∂a: 1 if a ≥ b else 0 (∂/∂b is 1 minus it). The subgradient convention: a tie
    routes the whole gradient to the first operand. On Values too: a constant, so max'' = 0."""
    return 1.0 if _number(a) >= _number(b) else 0.0


def min_first(a: Any, b: Any) -> float:
    """∂min(a, b)/∂a: 1 if a ≤ b else 0 (∂/∂b is 1 minus it); a tie goes to a, as for `max_first`."""
    return 1.0 if _number(a) <= _number(b) else 0.0


def cosine(x: Any) -> Any:
    """cos x: sin's local derivative, on floats (math.cos) and on Values (``x.cos()``)."""
    return math.cos(x) if isinstance(x, numbers.Real) else x.cos()


def sine(x: Any) -> Any:
    """sin x: −sin x is cos's local derivative, on floats and on Values."""
    return math.sin(x) if isinstance(x, numbers.Real) else x.sin()


def _finite_only(name: str, function: Callable) -> Callable:
    """`function` of one number, refusing inf with a message naming the op (math raises a bare one)."""

    def checked(x: float) -> float:
        if math.isinf(x):
            fail(ValueError, NOT_FINITE, x, name=name)
        return function(x)

    checked.__name__ = name
    return checked


_FLOAT_FUNCTIONS: dict[str, Callable[..., float]] = {
    "_div": divide,
    "_pow": power_constant,
    "_pow_value": power_value,
    "_rpow": rpow,
    "_pow_slope": power_slope,
    "_pow_log": power_log,
    "_exp": exp,
    "_log": log,
    "_sqrt": sqrt,
    "_sqrt_slope": sqrt_slope,
    "_tanh": math.tanh,
    "_sigmoid": sigmoid,
    "_relu": relu,
    "_step": step,
    "_abs": absolute,
    "_sign": sign,
    "_max": maximum,
    "_max_first": max_first,
    "_min": minimum,
    "_min_first": min_first,
    "_sin": _finite_only("sin", math.sin),
    "_cos": _finite_only("cos", math.cos),
}


# --------------------------------------------------------------------------------------
# The entry
# --------------------------------------------------------------------------------------


class OpName(str):
    """An op's name as a node stores it (``Value.op``): a str that also carries the op's rule.

    It compares, prints and hashes as the plain name (``node.op == "mul"``), and `rule_of`
    reads its ``rule``: a node built by an op keeps that op's rule even after the name is
    given to another op (a notebook cell defining it again, edited). Each entry makes one
    OpName, shared by every node it builds, so a node costs no extra memory.
    """

    rule: Op

    def __reduce__(self) -> tuple:
        # Pickled and copied as the plain name (an entry's functions may be lambdas, which
        # cannot be pickled); such a copy finds its rule in the registry by name.
        return (str, (str(self),))


@dataclass(frozen=True, eq=False)
class Op:
    """One op's rule: how to compute it, differentiate it, show it and compile it.

    Templates refer to the operands in written order as ``{0}``, ``{1}``, ... and to the
    op's result as ``{out}``; a constant operand (``a * 2``) is one of them.

    Attributes:
        name: the name stored in ``Value.op`` (``"mul"``): an `OpName`, which carries this entry.
        arity: the number of operands (-1: any number, as for ``affine``).
        forward: ``forward(*xs) -> float``, raising the op's domain errors.
        derivatives: one function per operand, ``derivatives[i](*xs, out)`` = ∂out/∂xᵢ.
        symbol: what a drawing shows inside the op node (``"*"``).
        formula: how the result is written (``"{0} · {1}"``).
        derivative_formulas: the local derivative of each operand, as text.
        code: the compiled forward expression, over the operands' variable names. An op of
            your own writes ``{op}`` for its own functions' name, which `compile_graph`
            chooses (``_op1_cube``): unique in the generated code.
        derivative_code: the compiled local derivative of each operand.
        float_helpers: the functions `code` calls, by name, for floats; for an op with
            ``{op}`` in its code, names follow that prefix (``""`` is ``{op}`` itself,
            ``"_d0"`` is ``{op}_d0``).
        array_forward, array_derivatives: an op of your own's `forward` and `derivatives` on
            NumPy arrays, if `define_op` was given them (`autograd_tiny.fast.arrays` uses them).
        constant_first: a constant operand stands first (``2 - a`` is ``rsub``).
        roles: for two Value operands that cannot be swapped, what each one is (edge labels).
        values_forward: `forward` when *every* operand is a Value, if that differs (``a ** b``
            checks its base, since ln a is the exponent's derivative); ``values_code`` likewise.
        builtin: False for ops added with `define_op`.
    """

    name: str
    arity: int
    forward: Callable
    derivatives: tuple
    symbol: str
    formula: str
    derivative_formulas: tuple
    code: str
    derivative_code: tuple
    float_helpers: dict = field(default_factory=dict)
    array_forward: Callable | None = None
    array_derivatives: tuple | None = None
    constant_first: bool = False
    roles: tuple | None = None
    values_forward: Callable | None = None
    values_code: str | None = None
    builtin: bool = True

    def __post_init__(self) -> None:
        # The entry's name becomes an OpName that carries the entry: the nodes it builds
        # store this very object (frozen dataclass: set once, here, as dataclasses allow).
        name = OpName(self.name)
        name.rule = self
        object.__setattr__(self, "name", name)

    # The templates take the number of operands, so that an op of any arity (`affine`)
    # can write its own; fixed-arity ops return their stored text.

    def formula_template(self, count: int) -> str:
        """The formula for `count` operands."""
        return self.formula

    def derivative_template(self, count: int, position: int) -> str:
        """The local-derivative formula of operand `position`."""
        return self.derivative_formulas[position]

    def code_template(self, count: int, all_values: bool) -> str:
        """The compiled forward expression; `all_values`: no operand is a constant."""
        return self.values_code if all_values and self.values_code else self.code

    def derivative_code_template(self, count: int, position: int) -> str:
        """The compiled local derivative of operand `position`."""
        return self.derivative_code[position]

    def operand_roles(self, count: int) -> tuple | None:
        """Edge labels for the Value operands, or None when their order does not matter."""
        return self.roles if count == 2 else None

    def local_derivatives(self, xs: tuple, out: float) -> tuple:
        """∂out/∂xᵢ for every operand, as floats."""
        return tuple(d(*xs, out) for d in self.derivatives)

    def write(self, operands: list, out: str = "out") -> str:
        """Fill the formula with operand names or numbers.

        >>> RULES["mul"].write(["a", "b"])
        'a · b'
        """
        return self.formula_template(len(operands)).format(*operands, out=out)

    def derivative(self, position: int, operands: list, out: str = "out") -> str:
        """Fill the local-derivative formula of operand `position`.

        >>> RULES["tanh"].derivative(0, ["x"], out="y")
        '1 − y²'
        """
        return self.derivative_template(len(operands), position).format(*operands, out=out)


class _Affine(Op):
    """``affine``: a neuron's weighted input Σ wᵢ·xᵢ + b as one node, operands w1..wn, x1..xn, b.

    Summed in micrograd's order, ((b + w1·x1) + w2·x2) + ..., so values and gradients are
    bit for bit those of micrograd's ``*`` and ``+`` graph.
    """

    def formula_template(self, count: int) -> str:
        n = (count - 1) // 2
        return " + ".join([*(f"{{{i}}} · {{{n + i}}}" for i in range(n)), f"{{{2 * n}}}"])

    def derivative_template(self, count: int, position: int) -> str:
        n = (count - 1) // 2
        if position == 2 * n:
            return "1"
        return f"{{{position + n}}}" if position < n else f"{{{position - n}}}"

    def code_template(self, count: int, all_values: bool) -> str:
        # b first, then each product: micrograd's order. Python's + groups from the left,
        # so b + w0 * x0 + w1 * x1 is ((b + w0·x0) + w1·x1) without nested parentheses
        # (which Python limits to 200 levels: a neuron may have more inputs).
        n = (count - 1) // 2
        return "(" + " + ".join([f"{{{2 * n}}}", *(f"{{{i}}} * {{{n + i}}}" for i in range(n))]) + ")"

    def derivative_code_template(self, count: int, position: int) -> str:
        return "1.0" if position == count - 1 else self.derivative_template(count, position)

    def operand_roles(self, count: int) -> tuple:
        n = (count - 1) // 2
        return (*(f"w{i + 1}" for i in range(n)), *(f"x{i + 1}" for i in range(n)), "b")

    def local_derivatives(self, xs: tuple, out: float) -> tuple:
        n = (len(xs) - 1) // 2
        return (*xs[n : 2 * n], *xs[:n], 1.0)


def _affine_forward(*xs: float) -> float:
    n = (len(xs) - 1) // 2
    total = xs[2 * n]
    for i in range(n):
        total = total + xs[i] * xs[n + i]
    return total


# --------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------

RULES: dict[str, Op] = {}


def register(op: Op) -> Op:
    """Add `op` to the registry under its name; a built-in op cannot be replaced.

    An earlier op of your own with that name is replaced for the graphs built from now on;
    a node built before keeps the rule it was built with (`rule_of`).
    """
    existing = RULES.get(op.name)
    if existing is not None and existing.builtin:
        raise ValueError(f"{op.name!r} is a built-in op and cannot be replaced; register your op under another name")
    if not op.builtin:  # made without define_op, perhaps: the checks its name and texts need
        _check_name(op.name)
        texts = [("symbol", op.symbol), ("formula", op.formula)]
        texts += [(f"derivative_formulas[{i}]", text) for i, text in enumerate(op.derivative_formulas)]
        for what, text in texts:
            _check_visible(op.name, what, text)
    RULES[str(op.name)] = op
    return op


def rule_of(node: Any) -> Op:
    """The rule `node` was computed with: the entry that built it, even if its name was redefined since.

    Every reader of a node's rule (drawings, explanations, compiled code) asks here. A node
    an op built carries its entry (`OpName`); a node whose ``op`` was set by hand to a plain
    name is looked up in the registry.

    >>> from autograd_tiny import Value
    >>> a = Value(2.0)
    >>> rule_of(a * 3).formula
    '{0} · {1}'
    """
    op = node.op
    if op.__class__ is OpName:
        return op.rule
    rule = RULES.get(op)
    if rule is None:
        raise ValueError(
            f"unknown op {op!r}: a node's op must name an entry of the registry, one of {', '.join(sorted(RULES))}"
        )
    return rule


def _builtin(
    name: str,
    forward: Callable,
    derivatives: tuple,
    symbol: str,
    formula: str,
    derivative_formulas: tuple,
    code: str,
    derivative_code: tuple,
    helpers: tuple = (),
    **options: Any,
) -> Op:
    return register(
        Op(
            name,
            len(derivatives),
            forward,
            derivatives,
            symbol,
            formula,
            derivative_formulas,
            code,
            derivative_code,
            {helper: _FLOAT_FUNCTIONS[helper] for helper in helpers},
            **options,
        )
    )


def _one(_a: float, _b: float, _out: float) -> float:
    return 1.0


def _minus_one(_a: float, _b: float, _out: float) -> float:
    return -1.0


def _constant_first(op: Op, name: str, **changes: Any) -> Op:
    """The twin of `op` for a constant written first (``3 - a``): the same rule, one statement.

    Templates and derivatives number the operands in written order, so ``3 - a`` and
    ``a - 3`` share them; the node records which operand the constant is.
    """
    return register(dataclasses.replace(op, name=name, constant_first=True, roles=None, **changes))


# The built-in rules, one statement each, laid out as a table: name, forward, the local
# derivatives ∂out/∂xᵢ (functions of the operands and out); then symbol, formula and the
# derivatives' formulas (what drawings and explanations print); then the compiled code, its
# derivatives, and the helper functions the code calls. `Value`'s operators and methods
# compute the cheap ones inline (see value.py); tests tie them to these rows.
# fmt: off
_builtin("add", lambda a, b: a + b, (_one, _one),
         "+", "{0} + {1}", ("1", "1"),
         "{0} + {1}", ("1.0", "1.0"))
_builtin("sub", lambda a, b: a - b, (_one, _minus_one),
         "-", "{0} − {1}", ("1", "−1"),
         "{0} - {1}", ("1.0", "-1.0"), roles=("+", "−"))
_builtin("mul", lambda a, b: a * b, (lambda a, b, out: b, lambda a, b, out: a),
         "*", "{0} · {1}", ("{1}", "{0}"),
         "{0} * {1}", ("{1}", "{0}"))
_builtin("div", divide, (lambda a, b, out: 1.0 / b, lambda a, b, out: -out / b),
         "/", "{0} / {1}", ("1 / {1}", "−{0} / {1}²"),
         "_div({0}, {1})", ("(1.0 / {1})", "(-{out} / {1})"), ("_div",), roles=("numerator", "denominator"))
# a ** b: with a Value exponent, the base must be > 0 (ln a is the exponent's derivative).
_builtin("pow", power_constant, (lambda a, b, out: power_slope(a, b), lambda a, b, out: power_log(a, out)),
         "**", "{0}^{1}", ("{1} · {0}^({1} − 1)", "{out} · ln {0}"),
         "_pow({0}, {1})", ("_pow_slope({0}, {1})", "_pow_log({0}, {out})"),
         ("_pow", "_pow_value", "_rpow", "_pow_slope", "_pow_log"), roles=("base", "exponent"),
         values_forward=power_value, values_code="_pow_value({0}, {1})")
_constant_first(RULES["sub"], "rsub")
_constant_first(RULES["div"], "rdiv")
_constant_first(RULES["pow"], "rpow", forward=rpow, code="_rpow({0}, {1})", values_forward=None, values_code=None)
_builtin("neg", lambda x: -x, (lambda x, out: -1.0,),
         "-", "−{0}", ("−1",),
         "-{0}", ("-1.0",))
_builtin("exp", exp, (lambda x, out: out,),
         "exp", "exp({0})", ("exp({0}) = {out}",),
         "_exp({0})", ("{out}",), ("_exp",))
_builtin("log", log, (lambda x, out: 1.0 / x,),
         "log", "ln({0})", ("1 / {0}",),
         "_log({0})", ("(1.0 / {0})",), ("_log",))
_builtin("tanh", math.tanh, (lambda x, out: 1.0 - out * out,),
         "tanh", "tanh({0})", ("1 − {out}²",),
         "_tanh({0})", ("(1.0 - {out} * {out})",), ("_tanh",))
_builtin("sigmoid", sigmoid, (lambda x, out: out * (1.0 - out),),
         "σ", "σ({0})", ("{out} · (1 − {out})",),
         "_sigmoid({0})", ("({out} * (1.0 - {out}))",), ("_sigmoid",))
_builtin("relu", relu, (lambda x, out: step(x),),
         "ReLU", "relu({0})", ("1 ({0} > 0), 0 ({0} ≤ 0)",),
         "_relu({0})", ("_step({0})",), ("_relu", "_step"))
_builtin("sqrt", sqrt, (lambda x, out: sqrt_slope(out),),
         "√", "√{0}", ("1 / (2 · √{0})",),
         "_sqrt({0})", ("_sqrt_slope({out})",), ("_sqrt", "_sqrt_slope"))
_builtin("abs", absolute, (lambda x, out: sign(x),),
         "abs", "|{0}|", ("sign({0})",),
         "_abs({0})", ("_sign({0})",), ("_abs", "_sign"))
_builtin("sin", _FLOAT_FUNCTIONS["_sin"], (lambda x, out: cosine(x),),
         "sin", "sin({0})", ("cos({0})",),
         "_sin({0})", ("_cos({0})",), ("_sin", "_cos"))
_builtin("cos", _FLOAT_FUNCTIONS["_cos"], (lambda x, out: -sine(x),),
         "cos", "cos({0})", ("−sin({0})",),
         "_cos({0})", ("-_sin({0})",), ("_sin", "_cos"))
# max and min route the gradient to the operand they chose; a tie goes to the first.
_builtin("max", maximum, (lambda a, b, out: max_first(a, b), lambda a, b, out: 1.0 - max_first(a, b)),
         "max", "max({0}, {1})", ("1 ({0} ≥ {1}, a tie goes to {0}), 0 ({0} < {1})", "0 ({0} ≥ {1}), 1 ({0} < {1})"),
         "_max({0}, {1})", ("_max_first({0}, {1})", "(1.0 - _max_first({0}, {1}))"), ("_max", "_max_first"))
_builtin("min", minimum, (lambda a, b, out: min_first(a, b), lambda a, b, out: 1.0 - min_first(a, b)),
         "min", "min({0}, {1})", ("1 ({0} ≤ {1}, a tie goes to {0}), 0 ({0} > {1})", "0 ({0} ≤ {1}), 1 ({0} > {1})"),
         "_min({0}, {1})", ("_min_first({0}, {1})", "(1.0 - _min_first({0}, {1}))"), ("_min", "_min_first"))
# fmt: on

# The fused neuron: any (odd) number of operands, so its templates are written per count.
AFFINE = register(_Affine("affine", -1, _affine_forward, (), "Σ", "", (), "", ()))


# --------------------------------------------------------------------------------------
# Ops of your own (engine.define_op registers what this makes)
# --------------------------------------------------------------------------------------

NOT_FINITE_RESULT = (
    "op {name!r}: {what} returned {0}{where}; an op must give finite numbers: "
    "check the formula, or refuse such inputs with a ValueError"
)


def call_checked(name: str, what: str, function: Callable, xs: tuple, *extra: float) -> float:
    """Call a user's function of op `name` on numbers; its errors and bad results name the op.

    >>> call_checked("f", "forward", lambda x: 1 / x, (0.0,))
    Traceback (most recent call last):
    ...
    ZeroDivisionError: op 'f': forward failed for x = (0.0,): float division by zero
    """
    try:
        result = function(*xs, *extra)
    except Exception as error:
        raise naming_the_op(error, f"op {name!r}: {what} failed for x = {tuple(map(float, xs))}: {error}") from error
    return checked_result(name, what, result, xs)


def naming_the_op(error: Exception, message: str) -> Exception:
    """An error of `error`'s type with `message` (the op's name in it), for raising in its place.

    A type that cannot be made from one message (UnicodeDecodeError wants five arguments)
    gives way to its nearest base class that can; KeyError would show the message in quotes.
    """
    for kind in type(error).__mro__:
        if not issubclass(kind, Exception) or kind is KeyError:
            continue
        try:
            return kind(message)
        except Exception:  # this type wants other arguments: try its base
            continue
    return RuntimeError(message)


def checked_result(name: str, what: str, result: Any, xs: tuple) -> float:
    """What a user's function returned, as a finite float, or an error naming the op.

    >>> checked_result("f", "forward", 1e400, (2.0,))
    Traceback (most recent call last):
    ...
    ValueError: op 'f': forward returned inf for x = (2.0,); an op must give finite numbers: check the formula, or refuse such inputs with a ValueError
    """
    if isinstance(result, bool) or not isinstance(result, numbers.Real):
        raise TypeError(
            f"op {name!r}: {what} must return a number (a float), got {type(result).__name__} {result!r} "
            f"for x = {tuple(map(float, xs))}; return a float computed from the inputs' numbers"
        )
    where = f" for x = {tuple(map(float, xs))}"
    try:
        number = float(result)
    except OverflowError:  # an int (or Fraction) beyond the floats: 10 ** 400
        digits = len(str(abs(math.trunc(result))))
        too_large = f"an integer too large for a float ({digits} digits)"
        raise ValueError(NOT_FINITE_RESULT.format(too_large, name=name, what=what, where=where)) from None
    if not math.isfinite(number):
        raise ValueError(NOT_FINITE_RESULT.format(shown(number), name=name, what=what, where=where))
    return number


def _check_callables(name: str, what: str, functions: Any, count: int | None = None) -> tuple:
    if callable(functions) or isinstance(functions, (str, bytes)) or not hasattr(functions, "__len__"):
        raise TypeError(
            f"define_op({name!r}): {what} must be a list of functions, one per operand; got {type(functions).__name__}"
        )
    functions = tuple(functions)
    if count is not None and len(functions) != count:
        raise ValueError(f"define_op({name!r}): {what} needs {count} functions (one per operand), got {len(functions)}")
    for i, f in enumerate(functions):
        if not callable(f):
            raise TypeError(f"define_op({name!r}): {what}[{i}] must be a function, got {type(f).__name__}")
    return functions


def _check_signature(name: str, what: str, function: Callable, count: int, takes: str, call: str) -> None:
    """`function` must accept `count` positional numbers: say so now, not at its first call."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):  # some built-in functions publish no signature: trust them
        return
    try:
        signature.bind(*range(count))
    except TypeError:
        numbers = "number" if count == 1 else "numbers"
        raise TypeError(
            f"define_op({name!r}): {what} must take {count} {numbers} ({takes}), as {call}; its signature is {signature}"
        ) from None


def _check_visible(name: str, what: str, text: str) -> None:
    """Op texts are shown in every output: refuse the characters no output can show as they are."""
    for i, c in enumerate(text):
        if is_hidden(c):
            raise ValueError(
                f"define_op({name!r}): {what} {text!r} holds an invisible character, {escape_code(c)} at position {i}; "
                f"use visible characters only"
            )


def _check_texts(name: str, what: str, texts: Any, count: int) -> tuple:
    if isinstance(texts, str) or not hasattr(texts, "__len__") or len(texts) != count:
        raise ValueError(f"define_op({name!r}): {what} needs {count} strings (one per operand), got {texts!r}")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"define_op({name!r}): {what} must be strings, got {type(text).__name__} {text!r}")
        _check_visible(name, f"{what}[{i}]", text)
        _check_template(name, what, text, count)
    return tuple(texts)


def _check_template(name: str, what: str, text: str, count: int) -> None:
    """A template must fill with `count` operands and {out}: try it now, not at explain time."""
    try:
        text.format(*(f"x{i}" for i in range(count)), out="out")
    except (IndexError, KeyError, ValueError) as error:
        raise ValueError(
            f"define_op({name!r}): {what} {text!r} does not fill ({error}); refer to the operands "
            f"as {{0}} .. {{{count - 1}}} and to the result as {{out}}, and write braces as {{{{ }}}}"
        ) from None


def _check_name(name: Any) -> None:
    """An op's name is a Python identifier that Python reads as written (compiled code uses it)."""
    if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
        raise ValueError(f"define_op: the name must be a Python identifier not starting with _, got {name!r}")
    # Python reads identifiers in NFKC form (ﬁ as fi): two such names would be one to it.
    normal = unicodedata.normalize("NFKC", name)
    if normal != name:
        raise ValueError(
            f"define_op: the name {name!r} is written {normal!r} by Python (its NFKC form); name the op {normal!r}"
        )


def custom_op(
    name: str,
    forward: Callable,
    derivatives: Any,
    *,
    symbol: str | None = None,
    formula: str | None = None,
    derivative_formulas: Any = None,
    array_forward: Callable | None = None,
    array_derivatives: Any = None,
) -> Op:
    """The registry entry for an op of your own (see `engine.define_op`); checks everything.

    The compiled code calls it as ``{op}(...)`` and ``{op}_d0(..., out)``, where `compile_graph`
    names ``{op}`` (``_op1_twice``); for floats these are `forward` and `derivatives` with the
    engine's finiteness check; for arrays, `autograd_tiny.fast.arrays` makes them from the
    array versions kept on the entry (or the float ones per sample), with the same check.

    >>> op = custom_op("twice", lambda x: 2 * x, [lambda x, out: 2.0])
    >>> op.arity, op.symbol, op.write(["a"]), op.derivative(0, ["a"]), op.code
    (1, 'twice', 'twice(a)', '∂twice/∂a', '{op}({0})')
    """
    _check_name(name)
    if not callable(forward):
        raise TypeError(f"define_op({name!r}): forward must be a function, got {type(forward).__name__}")
    derivatives = _check_callables(name, "derivatives", derivatives)
    arity = len(derivatives)
    if arity == 0:
        raise ValueError(f"define_op({name!r}): derivatives is empty; give one function per operand")
    operand_names = [f"x{i + 1}" for i in range(arity)]
    per_operand = "one per operand"
    _check_signature(name, "forward", forward, arity, per_operand, f"forward({', '.join(operand_names)})")
    for i, d in enumerate(derivatives):
        call = f"derivatives[{i}]({', '.join([*operand_names, 'out'])})"
        _check_signature(name, f"derivatives[{i}]", d, arity + 1, "the operands and out", call)
    if symbol is None:
        symbol = name
    if not isinstance(symbol, str) or not symbol:
        raise TypeError(f"define_op({name!r}): symbol must be a non-empty str, got {symbol!r}")
    _check_visible(name, "symbol", symbol)
    if formula is None:
        formula = f"{name}({', '.join(f'{{{i}}}' for i in range(arity))})"
    if not isinstance(formula, str):
        raise TypeError(f"define_op({name!r}): formula must be a str, got {type(formula).__name__}")
    _check_visible(name, "formula", formula)
    _check_template(name, "formula", formula, arity)
    if derivative_formulas is None:
        derivative_formulas = tuple(f"∂{name}/∂{{{i}}}" for i in range(arity))
    derivative_formulas = _check_texts(name, "derivative_formulas", derivative_formulas, arity)
    if array_forward is not None and not callable(array_forward):
        raise TypeError(f"define_op({name!r}): array_forward must be a function, got {type(array_forward).__name__}")
    if array_derivatives is not None:
        array_derivatives = _check_callables(name, "array_derivatives", array_derivatives, arity)

    operands = ", ".join(f"{{{i}}}" for i in range(arity))
    # Helper names relative to the op's own name in compiled code, {op} (see `Op`).
    helpers = ["", *(f"_d{i}" for i in range(arity))]
    what = ["forward", *(f"derivatives[{i}]" for i in range(arity))]

    def checked_float(function: Callable, label: str) -> Callable:
        if label == "forward":
            return lambda *xs: call_checked(name, label, function, xs)
        return lambda *args: call_checked(name, label, function, args[:-1], args[-1])  # (*xs, out)

    return Op(
        name,
        arity,
        forward,
        derivatives,
        symbol,
        formula,
        derivative_formulas,
        f"{{op}}({operands})",
        tuple(f"{{op}}_d{i}({operands}, {{out}})" for i in range(arity)),
        {key: checked_float(f, label) for key, label, f in zip(helpers, what, (forward, *derivatives))},
        array_forward=array_forward,
        array_derivatives=array_derivatives,
        builtin=False,
    )
