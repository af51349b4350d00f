"""`gradcheck`: compare `backward()` with finite differences, and say where they disagree.

>>> from autograd_tiny import Value
>>> gradcheck(lambda x, y: (x * y).tanh() + y ** 2, [0.5, -1.2])
True
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..core.graph import topological_order
from ..core.ops import Number, as_number, format_number
from ..core.value import Value
from .derivatives import grad

__all__ = ["gradcheck", "GradcheckError"]


class GradcheckError(AssertionError):
    """backward() and finite differences disagree; the message is a table of both."""


def _minus(text: str) -> str:
    """A formatted number as every display writes it: the minus sign − (U+2212).

    The same sign as `autograd_tiny.show.text.number` writes, which this layer (learn,
    below show) cannot import.

    >>> _minus("-1.5"), _minus("2"), _minus("-inf")
    ('−1.5', '2', '−inf')
    """
    return "\u2212" + text[1:] if text.startswith("-") else text


def _cell(x: float) -> str:
    """A gradient in the table: 8 significant digits, a space where a minus sign would go."""
    text = _minus(format_number(x, digits=8))
    return text if text.startswith("\u2212") else " " + text


def _input(index: int, x: object) -> float:
    """One input of gradcheck as a finite float (a Value gives its data)."""
    if isinstance(x, Value):
        x = x.data
    # Finite differences around inf or nan are inf - inf: no check could pass or mean anything.
    return as_number(
        x, f"gradcheck input x{index + 1}", allow_inf=False, hint="check at a finite point, with numbers or Values"
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
    order: int = 1,
) -> bool:
    """Check the gradients of `f` at `inputs` against central differences.

    Args:
        f: takes one Value per input and returns a Value.
        inputs: the point to check at (numbers, or Values whose data is used; the
            Values themselves are not touched).
        eps: the finite-difference step.
        atol, rtol: a gradient passes when ``|analytic - numeric| <= atol + rtol·|numeric|``.
        order: 1 checks ``backward()``; 2 checks second derivatives: for each input i, the
            gradient of ∂f/∂xᵢ (built by `grad`, the backward pass recorded) against finite
            differences of ∂f/∂xᵢ.

    A check the finite differences cannot make is not passed: where f(x ± eps) is inf or
    nan, where x ± eps rounds back to x, or where rounding alone makes the numeric gradient
    uncertain by more than the tolerance (each value v computing f is exact only to about
    2.2e-16·|v|, which reaches f times ∂f/∂v, an error the division by the step magnifies:
    for f = x + 1e12, about 2.2e-16·1e12/eps).

    Returns:
        True when every gradient passes.

    Raises:
        GradcheckError: some gradient fails, or cannot be checked; the message is a table
            with each input's analytic and numeric gradient and their difference, then one
            line for each input that could not be checked, saying why and what to do.
        TypeError: `f` does not return a Value, or an input is not a number.
        ValueError: an input is inf, or `eps` is not a finite number > 0, or `atol` or
            `rtol` is not a finite number >= 0.

    >>> gradcheck(lambda x: x.sigmoid(), [0.3])
    True
    >>> gradcheck(lambda x, y: (x * y).tanh(), [0.3, -0.8], order=2)
    True
    """
    if order == 2 and not isinstance(order, bool):
        return _second_order(f, inputs, eps=eps, atol=atol, rtol=rtol)
    if order != 1 or isinstance(order, bool):
        raise ValueError(f"gradcheck's order must be 1 or 2, got {order!r}; pass order=2 to check second derivatives")
    if not callable(f):
        raise TypeError(f"gradcheck needs a function, got {type(f).__name__}")
    point = [_input(i, x) for i, x in enumerate(inputs)]
    if not point:
        raise ValueError("gradcheck needs at least one input")
    eps = _tolerance("eps", eps, positive=True)
    atol = _tolerance("atol", atol)
    rtol = _tolerance("rtol", rtol)

    def evaluate(values: list[float]) -> tuple[Value, list[Value]]:
        # Inputs are named from 1 (x1, x2), as every name the package shows.
        leaves = [Value(v, label=f"x{i}") for i, v in enumerate(values, start=1)]
        out = f(*leaves)
        if not isinstance(out, Value):
            raise TypeError(f"f must return a Value, got {type(out).__name__}; build the result from its arguments")
        return out, leaves

    out, leaves = evaluate(point)
    out.backward()
    rounding = _rounding_error(out)
    rows = [_row(i, point, leaf.grad, rounding, evaluate, eps, atol, rtol) for i, leaf in enumerate(leaves)]
    if all(row.ok for row in rows):
        return True
    raise GradcheckError(_report(rows, eps, atol, rtol))


@dataclass(frozen=True)
class _Row:
    """One input's line of the table: its gradients, and why it fails (if it does)."""

    name: str
    analytic: float
    numeric: float
    difference: float
    mismatch: bool  # the numeric gradient is trustworthy and disagrees
    cannot_check: str | None  # why the numeric gradient means nothing here, or None

    @property
    def ok(self) -> bool:
        return not self.mismatch and self.cannot_check is None


def _rounding_error(out: Value) -> float:
    """About how far rounding puts the computed f from the exact one, from f's own graph.

    Every computed value v is exact only to about machine epsilon × |v|, and an error in v
    reaches f multiplied by ∂f/∂v, which backward() has just computed: the sum over the
    graph is a first-order estimate. It sees what |f| alone hides: (x + 1e12) - 1e12 is
    about 1, yet rounded like 1e12. Inputs and constants are exact: only op outputs count.
    """
    terms = (abs(v.data * v.grad) for v in topological_order(out) if v.parents)
    try:
        return _MACHINE_EPSILON * math.fsum(t for t in terms if math.isfinite(t))
    except OverflowError:  # finite terms whose sum exceeds the largest float: no check can pass
        return math.inf


def _row(
    i: int, point: list, analytic: float, rounding: float, evaluate: Callable, eps: float, atol: float, rtol: float
) -> _Row:
    """Compare input i's analytic gradient with the central difference around it."""
    up, down = list(point), list(point)
    up[i] += eps
    down[i] -= eps
    # The step actually taken: x + eps is rounded to a float, so it can differ from 2·eps
    # (and is 0 where eps is below the spacing of floats at x).
    step = up[i] - down[i]
    plus, minus = evaluate(up)[0].data, evaluate(down)[0].data
    numeric = (plus - minus) / step if step else 0.0
    difference = abs(analytic - numeric)
    name = f"x{i + 1}"
    why = _cannot_check(name, point[i], eps, step, plus, minus, rounding, atol + rtol * abs(numeric))
    mismatch = why is None and not (difference <= atol + rtol * abs(numeric) and math.isfinite(analytic))
    return _Row(f"{name} = {_minus(f'{point[i]:.6g}')}", analytic, numeric, difference, mismatch, why)


def _cannot_check(
    name: str, x: float, eps: float, step: float, plus: float, minus: float, rounding: float, tolerance: float
) -> str | None:
    """Why finite differences cannot judge this input's gradient, or None when they can.

    A central difference (f(x + eps) - f(x - eps)) / 2·eps means nothing when a neighbour
    is inf or nan, when x ± eps rounds back to x, or when rounding makes it uncertain by
    more than the tolerance: each of f(x ± eps) is off by about `rounding` (see
    `_rounding_error`), and dividing their difference by the small step magnifies that.
    """
    for sign, value in (("+", plus), ("-", minus)):
        if not math.isfinite(value):
            return (
                f"{name}: f({name} {sign} eps) = {_minus(format_number(value))}: f overflows (or is undefined) next to "
                "this point, so the finite difference means nothing; check at a point where f and its "
                "neighbours are finite"
            )
    if step == 0:
        return (
            f"{name}: eps={eps:g} is below the spacing of floats at {name} = {_minus(f'{x:g}')}, so {name} + eps and "
            f"{name} - eps round to the same number; pass a larger eps, e.g. eps={abs(x) * 1e-6:.0e}"
        )
    # At least the rounding of f(x ± eps) themselves, whatever the graph at x said.
    rounding = max(rounding, _MACHINE_EPSILON * max(abs(plus), abs(minus)))
    uncertainty = 2 * rounding / step
    if math.isinf(uncertainty):
        return (
            f"{name}: rounding: f's values (about {max(abs(plus), abs(minus)):.2g}) are so large that their "
            "rounding error overflows, so the numeric gradient means nothing; check where the values are "
            "smaller (subtract a constant part)"
        )
    if uncertainty > tolerance:
        return (
            f"{name}: rounding: f (about {max(abs(plus), abs(minus)):.2g}) is computed exact only to about "
            f"{rounding:.2g}, so over the step {step:.2g} the numeric gradient is uncertain by about "
            f"{uncertainty:.2g}, more than the tolerance {tolerance:.2g}; check where the values are "
            "smaller (subtract a constant part) or pass a larger eps"
        )
    return None


# The relative spacing of floats: each value of f is exact only to about this × |f|.
_MACHINE_EPSILON = sys.float_info.epsilon


def _report(rows: list[_Row], eps: float, atol: float, rtol: float) -> str:
    """The table of every input, then one line per input that could not be checked."""
    settings = f"(eps={eps:g}, atol={atol:g}, rtol={rtol:g})"
    if any(row.mismatch for row in rows):
        title = f"backward() disagrees with finite differences {settings}:"
    else:
        title = f"finite differences cannot check backward() at this point {settings}:"
    header = f"{'input':<18}{'analytic':>16}{'numeric':>16}{'difference':>14}"
    lines = [title, header, "-" * len(header)]
    for row in rows:
        mark = "   <-- mismatch" if row.mismatch else "   <-- cannot check (see below)" if row.cannot_check else ""
        lines.append(f"{row.name:<18}{_cell(row.analytic):>16}{_cell(row.numeric):>16}{row.difference:>14.3g}{mark}")
    lines += [row.cannot_check for row in rows if row.cannot_check]
    return "\n".join(lines)


def _second_order(
    f: Callable[..., Value], inputs: Sequence[Number | Value], *, eps: float, atol: float, rtol: float
) -> bool:
    """gradcheck(order=2): each first derivative ∂f/∂xᵢ checked as a function of its own."""
    for i in range(len(inputs)):
        try:
            gradcheck(grad(f, argnum=i), inputs, eps=eps, atol=atol, rtol=rtol)
        except GradcheckError as error:
            raise GradcheckError(f"second derivatives: the gradient of ∂f/∂x{i + 1}\n{error}") from None
    return True
