"""`gradcheck`: compare `backward()` with finite differences, and say where they disagree.

>>> from autograd_tiny import Value
>>> gradcheck(lambda x, y: (x * y).tanh() + y ** 2, [0.5, -1.2])
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from .engine import Value
from .ops import Number, as_number, format_number

__all__ = ["gradcheck", "GradcheckError"]


class GradcheckError(AssertionError):
    """backward() and finite differences disagree; the message is a table of both."""


def _cell(x: float) -> str:
    """A gradient in the table: 8 significant digits, a space where a minus sign would go."""
    text = format_number(x, digits=8)
    return text if text.startswith("-") else " " + text


def _input(index: int, x: object) -> float:
    """One input of gradcheck as a finite float (a Value gives its data)."""
    if isinstance(x, Value):
        x = x.data
    # Finite differences around inf or nan are inf - inf: no check could pass or mean anything.
    return as_number(
        x, f"gradcheck input x{index}", allow_inf=False, hint="check at a finite point, with numbers or Values"
    )


def _tolerance(name: str, value: object, *, positive: bool = False) -> float:
    """eps, atol or rtol as a finite float (> 0 for eps, >= 0 for the tolerances)."""
    return as_number(
        value,
        name,
        allow_inf=False,
        positive=positive,
        minimum=None if positive else 0.0,
        hint=f"pass e.g. {name}={_TOLERANCE_EXAMPLES[name]}",
    )


_TOLERANCE_EXAMPLES = {"eps": "1e-6", "atol": "1e-5", "rtol": "1e-4"}


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Number | Value],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-4,
) -> bool:
    """Check the gradients of `f` at `inputs` against central differences.

    Args:
        f: takes one Value per input and returns a Value.
        inputs: the point to check at (numbers, or Values whose data is used; the
            Values themselves are not touched).
        eps: the finite-difference step.
        atol, rtol: a gradient passes when ``|analytic - numeric| <= atol + rtol·|numeric|``.

    Returns:
        True when every gradient passes.

    Raises:
        GradcheckError: some gradient fails; the message is a table with each input's
            analytic and numeric gradient and their difference.
        TypeError: `f` does not return a Value, or an input is not a number.
        ValueError: an input is inf, or `eps` is not a finite number > 0, or `atol` or
            `rtol` is not a finite number >= 0.

    >>> gradcheck(lambda x: x.sigmoid(), [0.3])
    True
    """
    if not callable(f):
        raise TypeError(f"gradcheck needs a function, got {type(f).__name__}")
    point = [_input(i, x) for i, x in enumerate(inputs)]
    if not point:
        raise ValueError("gradcheck needs at least one input")
    eps = _tolerance("eps", eps, positive=True)
    atol = _tolerance("atol", atol)
    rtol = _tolerance("rtol", rtol)

    def evaluate(values: list[float]) -> tuple[Value, list[Value]]:
        leaves = [Value(v, label=f"x{i}") for i, v in enumerate(values)]
        out = f(*leaves)
        if not isinstance(out, Value):
            raise TypeError(f"f must return a Value, got {type(out).__name__}; build the result from its arguments")
        return out, leaves

    out, leaves = evaluate(point)
    out.backward()
    rows = []
    failed = False
    for i, leaf in enumerate(leaves):
        up, down = list(point), list(point)
        up[i] += eps
        down[i] -= eps
        numeric = (evaluate(up)[0].data - evaluate(down)[0].data) / (2 * eps)
        difference = abs(leaf.grad - numeric)
        ok = difference <= atol + rtol * abs(numeric) and math.isfinite(leaf.grad)
        failed = failed or not ok
        rows.append((f"x{i} = {point[i]:.6g}", leaf.grad, numeric, difference, ok))
    if failed:
        header = f"{'input':<18}{'analytic':>16}{'numeric':>16}{'difference':>14}"
        lines = [header, "-" * len(header)]
        for name, analytic, numeric, difference, ok in rows:
            mark = "" if ok else "   <-- mismatch"
            lines.append(f"{name:<18}{_cell(analytic):>16}{_cell(numeric):>16}{difference:>14.3g}{mark}")
        raise GradcheckError(
            f"backward() disagrees with finite differences (eps={eps:g}, atol={atol:g}, rtol={rtol:g}):\n"
            + "\n".join(lines)
        )
    return True
