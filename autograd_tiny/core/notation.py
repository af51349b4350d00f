r"""How the package writes a local derivative, apart from a total one.

A *local derivative* is the slope of one op with respect to one of its operand slots,
the other operands held fixed (slots are numbered from 1 in the op's operand order, a
constant counting: in ``2 − a``, a is in slot 2): for ``c = b · a`` it is ∂c/∂a₍₂₎ = b, the ₍₂₎ saying "a
as the op's 2nd operand". It is not the total derivative ∂c/∂a when a also reaches c
another way (here through b), nor when a fills two slots (``b = a + a``: ∂b/∂a₍₁₎ = 1 and
∂b/∂a₍₂₎ = 1, while the total ∂b/∂a is 2). Totals, the gradients, are written without a
slot: ∂L/∂a. The text narrative, the Markdown, the stepper page and the compiled code's
comments all write local derivatives with this module.

>>> print(local_derivative("c", "a", 2), local_derivative_tex("c", "a", 2))
∂c/∂a₍₂₎ \frac{\partial c}{\partial a_{(2)}}
"""

from __future__ import annotations

__all__ = ["slot_mark", "local_derivative", "local_derivative_tex"]

_SUBSCRIPT_DIGITS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def slot_mark(slot: int | str) -> str:
    """An operand slot (numbered from 1 in the op's operand order) as a subscript: ``₍₂₎``.

    >>> slot_mark(1), slot_mark(12)
    ('₍₁₎', '₍₁₂₎')
    """
    return f"₍{str(slot).translate(_SUBSCRIPT_DIGITS)}₎"


def local_derivative(out: str, operand: str, slot: int | str) -> str:
    """The local derivative of `out` with respect to its operand in `slot` (names as shown)."""
    return f"∂{out}/∂{operand}{slot_mark(slot)}"


def local_derivative_tex(out: str, operand: str, slot: int | str) -> str:
    """The same in LaTeX, `out` and `operand` already in LaTeX."""
    return f"\\frac{{\\partial {out}}}{{\\partial {operand}_{{({slot})}}}}"
