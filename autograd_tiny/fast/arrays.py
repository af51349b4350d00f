"""The ops' functions on NumPy arrays: what compiled code calls when it computes every sample at once.

A registry entry (`autograd_tiny.core.ops`) holds an op's rule for floats: the engine needs
nothing else, and the core imports no NumPy. Compiled code on arrays calls the same functions
by the same names (`Op.float_helpers`: ``_div``, ``_exp``, ...); this module gives each its array
version, with the float version's results and errors, naming the first sample out of the
domain. An op of your own (`define_op`) runs its ``array_forward`` and ``array_derivatives``
if it was given them, else its float functions once per sample; either way a non-finite result
is refused, as the engine refuses it.

NumPy is passed in (`array_helpers(rule, np)`), never imported here: the package imports the
compiler, and only a call with arrays needs NumPy.

>>> import numpy as np
>>> from autograd_tiny.core.ops import RULES
>>> array_helpers(RULES["log"], np)["_log"](np.array([1.0, 0.0, -1.0]))
Traceback (most recent call last):
...
ValueError: log is undefined for x = 0.0 in sample 1 (and 1 more) (needs x > 0)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.ops import (
    DIVISION_BY_ZERO,
    EXP_OVERFLOW,
    LOG_DOMAIN,
    NOT_FINITE,
    NOT_FINITE_RESULT,
    POW_NEGATIVE_BASE,
    POW_OVERFLOW,
    POW_VALUE_BASE,
    POW_VALUE_ZERO,
    POW_ZERO_NEGATIVE,
    SQRT_DOMAIN,
    Op,
    naming_the_op,
    shown,
)

__all__ = ["array_helpers", "refuse"]


def array_helpers(rule: Op, np: Any) -> dict:
    """The functions `rule`'s compiled code calls, by name, for NumPy arrays (one entry per sample).

    The same names as its ``float_helpers``: a built-in op's shared functions (``_div``), or an
    op of your own's ``""`` (its forward, written ``{op}`` in its code) and ``"_d0"``, ``"_d1"``, ...
    """
    if not rule.builtin:
        return _custom_helpers(rule, np)
    table = _builtin_cache.get(id(np))
    if table is None:
        table = _builtin_cache[id(np)] = _array_functions(np)
    return {name: table[name] for name in rule.float_helpers}


_builtin_cache: dict = {}  # the built-ins' array functions, made once per NumPy module


def _custom_helpers(rule: Op, np: Any) -> dict:
    """An op of your own on arrays: its array functions, or its float ones per sample; results checked."""
    name = rule.name
    arity = len(rule.derivatives)

    def per_sample(function: Callable) -> Callable:
        vectorized = np.vectorize(function, otypes=[np.float64])
        return lambda *xs: vectorized(*xs)

    given = [rule.array_forward, *(rule.array_derivatives or (None,) * arity)]
    keys = ["", *(f"_d{i}" for i in range(arity))]
    labels = ["forward", *(f"derivative {i}" for i in range(arity))]
    table = {}
    for key, label, float_function, array_function in zip(keys, labels, (rule.forward, *rule.derivatives), given):
        function = array_function or per_sample(float_function)

        def run(*xs: Any, _function: Callable = function, _label: str = label) -> Any:
            try:
                result = np.asarray(_function(*xs), dtype=np.float64)
            except Exception as error:
                raise naming_the_op(error, f"op {name!r}: {_label} failed on arrays: {error}") from error
            refuse(np, ValueError, ~np.isfinite(result), NOT_FINITE_RESULT, result, name=name, what=_label)
            return result

        table[key] = run
    return table


def refuse(np: Any, error: type, bad: Any, message: str, *xs: Any, **extra: str) -> None:
    """Raise `error` if any sample is `bad`, naming the first such sample and its values."""
    if not np.any(bad):
        return
    if np.ndim(bad) == 0:  # only broadcast scalars were involved: every sample is bad
        where, i = " in every sample", 0
    else:
        hits = np.flatnonzero(bad)
        i = int(hits[0])
        where = f" in sample {i}" + (f" (and {len(hits) - 1} more)" if len(hits) > 1 else "")
    values = [shown(x if np.ndim(x) == 0 else x[i]) for x in xs]
    raise error(message.format(*values, where=where, **extra))


def _array_functions(np: Any) -> dict:
    """The float functions above, per sample: same results, same errors (naming the sample)."""

    def a_exp(x):
        r = np.exp(x)
        refuse(np, OverflowError, np.isinf(r) & ~np.isinf(x), EXP_OVERFLOW, x)
        return r

    def a_log(x):
        refuse(np, ValueError, x <= 0.0, LOG_DOMAIN, x)
        return np.log(x)

    def a_sqrt(x):
        refuse(np, ValueError, x < 0.0, SQRT_DOMAIN, x)
        return np.sqrt(x)

    def a_sigmoid(x):
        e = np.exp(-np.abs(x))  # never overflows; per sign, the same formulas as for floats
        return np.where(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))

    def a_div(a, b):
        refuse(np, ZeroDivisionError, b == 0.0, DIVISION_BY_ZERO, a, b)
        return a / b

    def a_power(a, k):
        refuse(np, ZeroDivisionError, (a == 0.0) & (k < 0.0), POW_ZERO_NEGATIVE, a, k)
        # Not an integer, as float.is_integer() says: inf is not one either (floor(inf) == inf).
        integer = (np.floor(k) == k) & np.isfinite(k)
        refuse(np, ValueError, (a < 0.0) & ~integer, POW_NEGATIVE_BASE, a, k)
        r = np.power(a, k)
        refuse(np, OverflowError, np.isinf(r) & np.isfinite(a) & np.isfinite(k), POW_OVERFLOW, a, k)
        return r

    def a_pow_slope(a, k):
        a, k = np.asarray(a), np.asarray(k)  # so that ~ is "not", even for two plain numbers
        zero = k == 0.0
        infinite = (a == 0.0) & (k < 1.0) & ~zero
        safe = np.where(zero | infinite, 1.0, a)  # keeps 0 ** negative out of a_power()
        slope = k * a_power(safe, k - 1.0)
        return np.where(zero, 0.0, np.where(infinite, np.inf, slope))

    def a_power_constant(a, k):
        out = a_power(a, k)
        a_pow_slope(a, k)  # raises where the local derivative would overflow
        return out

    def a_pow_value(a, b):
        refuse(np, ValueError, a < 0.0, POW_VALUE_BASE, a, b)
        refuse(np, ZeroDivisionError, (a == 0.0) & (b <= 0.0), POW_VALUE_ZERO, a, b)
        return a_power_constant(a, b)  # 0 ** b is 0 for b > 0, as for floats

    def a_rpow(k, b):
        refuse(np, ValueError, k < 0.0, POW_VALUE_BASE, k, b)
        refuse(np, ZeroDivisionError, (k == 0.0) & (b <= 0.0), POW_VALUE_ZERO, k, b)
        return np.where(k == 0.0, 0.0, a_power(np.where(k == 0.0, 1.0, k), b))

    def a_pow_log(a, out):
        return np.where(a == 0.0, 0.0, out * np.log(np.where(a == 0.0, 1.0, a)))

    def a_sqrt_slope(r):
        return np.where(r != 0.0, 0.5 / np.where(r != 0.0, r, 1.0), np.inf)

    def finite_only(name, function):
        def checked(x):
            refuse(np, ValueError, np.isinf(x), NOT_FINITE, x, name=name)
            return function(x)

        return checked

    return {
        "_div": a_div,
        "_pow": a_power_constant,
        "_pow_value": a_pow_value,
        "_rpow": a_rpow,
        "_pow_slope": a_pow_slope,
        "_pow_log": a_pow_log,
        "_exp": a_exp,
        "_log": a_log,
        "_sqrt": a_sqrt,
        "_sqrt_slope": a_sqrt_slope,
        "_tanh": np.tanh,
        "_sigmoid": a_sigmoid,
        "_relu": lambda x: np.where(x > 0.0, x, 0.0),
        "_step": lambda x: np.where(x > 0.0, 1.0, 0.0),
        "_abs": lambda x: np.where(x > 0.0, x, np.where(x < 0.0, -x, 0.0)),
        "_sign": lambda x: np.where(x > 0.0, 1.0, np.where(x < 0.0, -1.0, 0.0)),
        "_max": lambda a, b: np.where(a >= b, a, b),  # ties: the first operand, as for floats
        "_max_first": lambda a, b: np.where(a >= b, 1.0, 0.0),
        "_min": lambda a, b: np.where(a <= b, a, b),
        "_min_first": lambda a, b: np.where(a <= b, 1.0, 0.0),
        "_sin": finite_only("sin", np.sin),
        "_cos": finite_only("cos", np.cos),
    }
