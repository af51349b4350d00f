"""`gradcheck`: compare `backward()` with finite differences, and say where they disagree.

>>> from autograd_tiny import Value
>>> gradcheck(lambda x, y: (x * y).tanh() + y ** 2, [0.5, -1.2])
True
"""

from __future__ import annotations

import math
from typing import Callable, Sequence, Union

from .engine import Value

__all__ = ["gradcheck", "GradcheckError"]

Number = Union[int, float]


class GradcheckError(AssertionError):
    """backward() and finite differences disagree; the message is a table of both."""


def _number(x: float) -> str:
    return f"{x: .8g}"


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Union[Number, Value]],
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

    >>> gradcheck(lambda x: x.sigmoid(), [0.3])
    True
    """
    if not callable(f):
        raise TypeError(f"gradcheck needs a function, got {type(f).__name__}")
    point = []
    for x in inputs:
        if isinstance(x, Value):
            point.append(x.data)
        elif isinstance(x, (int, float)) and not isinstance(x, bool):
            point.append(float(x))
        else:
            raise TypeError(f"gradcheck inputs must be numbers or Values, got {type(x).__name__} {x!r}")
    if not point:
        raise ValueError("gradcheck needs at least one input")
    if not eps > 0:
        raise ValueError(f"eps must be > 0, got {eps!r}")

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
            lines.append(f"{name:<18}{_number(analytic):>16}{_number(numeric):>16}{difference:>14.3g}{mark}")
        raise GradcheckError(
            f"backward() disagrees with finite differences (eps={eps:g}, atol={atol:g}, rtol={rtol:g}):\n" + "\n".join(lines)
        )
    return True
