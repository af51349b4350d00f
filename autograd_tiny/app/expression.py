"""A safe parser for expressions typed on the command line, e.g. ``"tanh(a*b + c)"``.

The text is parsed with Python's `ast` module and only a whitelist is accepted: names,
numbers, ``+ - * / **``, unary minus and plus, parentheses, and calls to the ops of the
registry (`functions`): every built-in op of one operand (``tanh(a)``, ``sin(a)``, ...) and
every op made with `define_op`. Nothing is ever passed to ``eval``: the tree is walked and
each allowed node becomes a Value operation, applied from the op's registry entry.
Anything else raises `ExpressionError`, a ValueError with a one-line message.

>>> L = build_expression("(a*b + c)*f", {"a": 2, "b": -3, "c": 10, "f": -2})
>>> L.data
-8.0
>>> build_expression("a.__class__", {"a": 1})
Traceback (most recent call last):
...
autograd_tiny.app.expression.ExpressionError: attribute access is not allowed (column 1)
"""

from __future__ import annotations

import ast
import keyword
import math
import unicodedata
from collections.abc import Iterable, Mapping

from ..core.ops import RULES, Number, Op
from ..core.value import Value, apply

__all__ = ["ExpressionError", "build_expression", "parse_values", "functions"]


def functions() -> dict[str, Op]:
    """The ops an expression may call, by name: read from the registry at each call.

    Built-in ops of one operand, ``max(a, b)`` and ``min(a, b)`` (the other built-in ops are
    the operators ``+ - * / **``, and the fused neuron ``affine``), and every op of your own
    made with `define_op`, whatever its arity.

    >>> list(functions())[:4]
    ['neg', 'exp', 'log', 'tanh']
    """
    return {name: op for name, op in RULES.items() if op.arity == 1 or not op.builtin or name in _CALLED_BINARY}


_CALLED_BINARY = ("max", "min")  # built-in ops of two operands that have no operator


MAX_LENGTH = 1000  # characters
MAX_DEPTH = 100  # nested operations; a chain a + b - c + ... counts as one level
MAX_EXPONENT = 1000.0  # |constant exponent|; larger ones only overflow or vanish

_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}

# What to call a forbidden node in an error message.
_FORBIDDEN = {
    ast.Attribute: "attribute access",
    ast.Subscript: "indexing",
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.Compare: "a comparison",
    ast.BoolOp: "and/or",
    ast.IfExp: "if/else",
    ast.NamedExpr: ":=",
    ast.Starred: "a starred argument",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.JoinedStr: "a string",
    ast.Await: "await",
    ast.Yield: "yield",
}


class ExpressionError(ValueError):
    """A bad expression or value; the message is one line and says what to change."""

    def __init__(self, message: str, column: int | None = None) -> None:
        if column is not None:
            message = f"{message} (column {column})"
        super().__init__(message)
        self.column = column


def parse_values(pairs: Iterable[str]) -> dict[str, float]:
    """Values from ``NAME=NUMBER`` words, as typed after an expression.

    Names are NFKC-normalised, as Python normalises names in the expression itself, so
    ``ﬁ=2`` (a ligature) gives the value of the name ``fi``.

    >>> parse_values(["a=2", "b=-3.5"])
    {'a': 2.0, 'b': -3.5}
    >>> parse_values(["ﬁ=1", "ｘ=2"])
    {'fi': 1.0, 'x': 2.0}
    """
    values: dict[str, float] = {}
    for pair in pairs:
        name, equals, number = pair.partition("=")
        name, number = unicodedata.normalize("NFKC", name.strip()), number.strip()
        if not equals or not name:
            raise ExpressionError(f"expected NAME=NUMBER, got {pair!r} (e.g. a=2)")
        if not name.isidentifier() or keyword.iskeyword(name):
            raise ExpressionError(f"{name!r} is not a valid name (use letters, digits and _, e.g. a or x1)")
        if name in values:
            raise ExpressionError(f"{name} is given twice (names are compared after NFKC normalisation)")
        try:
            value = float(number)
        except ValueError:
            raise ExpressionError(f"the value of {name} must be a number, got {number!r}") from None
        if not math.isfinite(value):
            raise ExpressionError(f"the value of {name} must be finite, got {number!r}")
        values[name] = value
    return values


def build_expression(text: str, values: Mapping[str, Number]) -> Value:
    """Evaluate `text` with `values` and return the result as a Value with a graph.

    Each name becomes one leaf Value labelled with the name, shared wherever the name
    appears (so ``a*a`` uses ``a`` twice). Every name must have a value, and every value
    must be used.

    >>> y = build_expression("tanh(x) * 2", {"x": 0.5})
    >>> y.op, y.const, y.parents[0].op
    ('mul', 2.0, 'tanh')
    """
    if not isinstance(text, str):
        raise TypeError(f"the expression must be a str, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    if not text.strip():
        raise ExpressionError("the expression is empty; write one like a*b + c")
    stripped = text.strip()
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError as error:
        reason = (error.msg or "invalid syntax").split("\n")[0]
        column = error.offset
        if not column or error.lineno != 1 or column > len(stripped):  # Python says 0 at the end of the text
            column = len(stripped) + 1 if error.lineno == 1 else None
            if reason == "invalid syntax":
                reason = "the expression ends too early"
        raise ExpressionError(f"syntax error: {reason}", column) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("the expression is nested too deeply or is too large") from None
    leaves = {name: Value(float(value), label=name) for name, value in values.items()}
    used: set = set()
    try:
        result = _evaluate(tree.body, leaves, used, 0)
    except ExpressionError:
        raise
    except (ValueError, ZeroDivisionError, OverflowError, TypeError) as error:
        raise ExpressionError(str(error)) from None
    unused = [name for name in values if name not in used]
    if unused:
        raise ExpressionError(
            f"{', '.join(unused)} {'is' if len(unused) == 1 else 'are'} given but not used in the expression"
        )
    if not isinstance(result, Value):
        raise ExpressionError("the expression uses no names, so there is nothing to differentiate; e.g. a*2 a=3")
    return result


def _evaluate(node: ast.AST, leaves: dict, used: set, depth: int):
    """Turn one allowed syntax node into a number or a Value; refuse everything else."""
    column = getattr(node, "col_offset", -1) + 1
    if depth > MAX_DEPTH:
        raise ExpressionError(f"the expression is nested more than {MAX_DEPTH} levels deep")
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExpressionError(f"only numbers are allowed as constants, got {node.value!r}", column)
        if isinstance(node.value, int) and abs(node.value) > 10**300:
            raise ExpressionError("number too large", column)
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id not in leaves:
            hint = (
                f"; {node.id}(...) is a function, call it"
                if node.id in functions()
                else f"; give it a value, e.g. {node.id}=1"
            )
            raise ExpressionError(f"unknown name {node.id!r}{hint}", column)
        used.add(node.id)
        return leaves[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _evaluate(node.operand, leaves, used, depth + 1)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        if not isinstance(node.op, ast.Pow):
            return _chain(node, leaves, used, depth)
        left = _evaluate(node.left, leaves, used, depth + 1)
        right = _evaluate(node.right, leaves, used, depth + 1)
        if isinstance(node.op, ast.Pow) and not isinstance(right, Value) and abs(right) > MAX_EXPONENT:
            raise ExpressionError(f"exponent {right:g} is too large (the limit is {MAX_EXPONENT:g})", column)
        if not isinstance(left, Value) and not isinstance(right, Value):
            return _constant_power(left, right, column)
        return left**right
    if isinstance(node, ast.Call):
        return _call(node, leaves, used, depth, column)
    if isinstance(node, (ast.BinOp, ast.UnaryOp)):
        raise ExpressionError("only + - * / ** and unary minus are allowed", column)
    what = _FORBIDDEN.get(type(node), type(node).__name__)
    raise ExpressionError(f"{what} is not allowed", column)


def _chain(node: ast.BinOp, leaves: dict, used: set, depth: int):
    """Evaluate a left-leaning chain ``a + b - c * d ...`` without recursing along it.

    Python parses ``a + a + ... + a`` (500 terms) as 499 nested BinOps, but it is one flat
    sum: each operand is one level deeper than the chain, whatever the chain's length.
    The operations are applied left to right, as Python would.
    """
    links = []  # (operator node, right operand), innermost first after reversing
    operand: ast.expr = node  # walks down the left operands to the chain's first term
    while isinstance(operand, ast.BinOp) and type(operand.op) in _OPERATORS and not isinstance(operand.op, ast.Pow):
        links.append(operand)
        operand = operand.left
    result = _evaluate(operand, leaves, used, depth + 1)
    for link in reversed(links):
        right = _evaluate(link.right, leaves, used, depth + 1)
        result = _apply(link.op, result, right, link.col_offset + 1)
    return result


def _apply(op: ast.operator, left, right, column: int):
    """``left <op> right`` for + - * /, with a clear error for a constant division by zero."""
    if isinstance(op, ast.Add):
        return left + right
    if isinstance(op, ast.Sub):
        return left - right
    if isinstance(op, ast.Mult):
        return left * right
    if not isinstance(left, Value) and not isinstance(right, Value) and right == 0:
        raise ExpressionError("division by zero", column)
    return left / right


def _constant_power(base: float, exponent: float, column: int) -> float:
    try:
        result = base**exponent
    except (OverflowError, ZeroDivisionError) as error:
        raise ExpressionError(f"{base:g} ** {exponent:g}: {error}", column) from None
    if isinstance(result, complex):
        raise ExpressionError(f"{base:g} ** {exponent:g} is not a real number", column)
    return result


def _call(node: ast.Call, leaves: dict, used: set, depth: int, column: int):
    """A call of a registry op by its name: the op's entry applied to the evaluated arguments."""
    available = functions()
    if not isinstance(node.func, ast.Name):
        raise ExpressionError(f"only calls to {', '.join(available)} are allowed", column)
    name = node.func.id
    op = available.get(name)
    if op is None:
        raise ExpressionError(f"unknown function {name!r}; available: {', '.join(available)}", column)
    if node.keywords or len(node.args) != op.arity:
        count = "exactly one argument" if op.arity == 1 else f"exactly {op.arity} arguments"
        raise ExpressionError(f"{name}() takes {count}", column)
    # A function of constants only: the constants are drawn as leaves.
    arguments = [_evaluate(a, leaves, used, depth + 1) for a in node.args]
    return apply(op, *[a if isinstance(a, Value) else Value(a) for a in arguments])
