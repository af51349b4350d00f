"""When an answer counts as right: the one rule the quiz page, `Explanation.check` and the tests share.

An answer is right when it agrees with the true number to 4 significant digits: it may
differ from it by at most half a unit in the 4th significant digit. So the true number
rounded to 4 significant digits (or to more) is always right, whichever way the last
digit was rounded; 9.004 is wrong for 9 while 9.0004 is right. When the true number is
exactly 0 it has no significant digits, and an answer within `ZERO_FLOOR` of 0 is right
(the rounding noise a calculator or float arithmetic leaves, never a real number a
learner would type). inf, -inf and nan are right only for themselves, and only they are
right for them.

The rule is written once, as the set of answers it accepts (`accepted`): a closed
interval of finite numbers, or one of the words ``"inf"``, ``"-inf"``, ``"nan"``. The quiz
page receives these sets as data, computed here, and only tests membership, so the page
and `answer_matches` cannot disagree about where the boundary is.

>>> answer_matches(-2.0, -2.0000000001), answer_matches(0.5, 0.49999999999999956)
(True, True)
>>> answer_matches(0.0, 40.0), answer_matches(float("nan"), float("inf"))
(False, False)
>>> [round(bound, 9) for bound in accepted(2.0)]  # 2 ± half a unit of the 4th digit
[1.9995, 2.0005]
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass
from decimal import Decimal
from numbers import Real
from typing import Any

__all__ = [
    "Feedback",
    "Slip",
    "MISTAKES",
    "answer_matches",
    "accepted",
    "in_accepted",
    "diagnose",
    "telling_slips",
    "SIGNIFICANT_DIGITS",
    "ZERO_FLOOR",
]

# How many significant digits an answer must get right.
SIGNIFICANT_DIGITS = 4
# An answer this close to 0 is right when the truth is exactly 0 (and only then).
ZERO_FLOOR = 1e-9
# Rounding half way (1.2345 -> 1.235) is exactly half a unit off; the bounds are widened by
# this relative amount so that float noise in that subtraction never rejects it.
_SLACK = 1e-9

# The answers that count as right for one true number: an interval, or a non-finite word.
Accepted = tuple[float, float] | str


def _leading_exponent(x: float) -> int:
    """The power of ten of `x`'s first significant digit: 2 for 345.6, -3 for 0.00123.

    Read from the float's exact decimal value (no log10, which rounds near powers of ten).
    """
    return Decimal(x).adjusted()


def accepted(truth: float) -> Accepted:
    """The answers that count as right when the true number is `truth`.

    Returns:
        ``(low, high)``: every finite number from low to high (both included) is right;
        or ``"inf"``, ``"-inf"``, ``"nan"``: only that value is right.

    >>> [round(bound, 9) for bound in accepted(-6.0)], accepted(0.0), accepted(float("-inf"))
    ([-6.0005, -5.9995], (-1e-09, 1e-09), '-inf')
    """
    truth = float(truth)
    if truth != truth:
        return "nan"
    if math.isinf(truth):
        return "inf" if truth > 0 else "-inf"
    if truth == 0.0:
        return (-ZERO_FLOOR, ZERO_FLOOR)
    half_unit = 0.5 * 10.0 ** (_leading_exponent(truth) - SIGNIFICANT_DIGITS + 1)
    low = truth - half_unit * (1 + _SLACK)
    high = truth + half_unit * (1 + _SLACK)
    # Near the largest float the bounds stay finite: an answer of inf is never right for a number.
    biggest = sys.float_info.max
    return (max(low, -biggest), min(high, biggest))


def in_accepted(answer: float, allowed: Accepted) -> bool:
    """Whether `answer` is one of the answers `allowed` (as `accepted` returns them).

    This is all the quiz page does with an answer; its script does the same comparisons.
    """
    if isinstance(allowed, str):
        if allowed == "nan":
            return answer != answer
        return answer == (math.inf if allowed == "inf" else -math.inf)
    low, high = allowed
    return low <= answer <= high  # nan and ±inf are outside every finite interval


# A typed number, as the quiz page's script reads one: 1.5, -2, .5, 1e-3, inf, nan.
_TYPED_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?|[+-]?(inf|infinity)|nan", re.IGNORECASE)


def as_answer(answer: Any) -> float:
    """A learner's answer as a float, or the error that says what to pass.

    A number, or a number written as text the way the views print it or a learner types
    it: the minus sign − and the hyphen - are the same sign (the page reads typed answers
    with the same rule).

    >>> as_answer(-3), as_answer("−3"), as_answer("-3.0000"), as_answer(" −inf ")
    (-3.0, -3.0, -3.0, -inf)
    """
    if isinstance(answer, str):
        typed = re.sub(r"\s+", "", answer.replace("\u2212", "-"))
        if not _TYPED_NUMBER.fullmatch(typed):
            raise ValueError(f"answer must be a number, got the text {answer!r}; pass e.g. -1.5 or '−1.5'")
        return float(typed)
    if isinstance(answer, bool) or not isinstance(answer, Real):
        hint = " (its number is .data)" if hasattr(answer, "data") and hasattr(answer, "grad") else ""
        raise TypeError(
            f"answer must be a number (int or float, inf and nan allowed), got {type(answer).__name__} "
            f"{answer!r}{hint}; pass e.g. -1.5"
        )
    return float(answer)


def answer_matches(answer: float, truth: float) -> bool:
    """Whether `answer` is right for the true number `truth` (see the module's rule).

    >>> answer_matches(9.0004, 9.0), answer_matches(9.004, 9.0), answer_matches(1e-12, 0.0)
    (True, False, True)
    >>> answer_matches(float("inf"), float("inf")), answer_matches(1e308, float("inf"))
    (True, False)
    """
    return in_accepted(as_answer(answer), accepted(as_answer(truth)))


@dataclass(frozen=True)
class Feedback:
    """What `Explanation.check` and `Explanation.check_gradient` say about an answer.

    Attributes:
        correct: whether the answer is right (to 4 significant digits, see `answer_matches`).
        mistake: None when the answer is right or the slip is not recognised; else the slip:
            ``"sign"`` (right size, wrong sign), ``"no-upstream"`` (the local derivative
            alone), ``"no-local"`` (the upstream gradient alone), ``"one-path"`` (a gradient
            with one of its contributions missing), ``"running-total"`` (the value's gradient
            so far instead of this edge's contribution).
        message: the feedback in words, which never gives the answer.
    """

    correct: bool
    mistake: str | None
    message: str


# The slips a diagnosis can name, in the order they are tried.
MISTAKES = ("sign", "no-upstream", "no-local", "one-path", "running-total")


@dataclass(frozen=True)
class Slip:
    """One slip a learner can make on a question: its key, the number it gives, and what to say.

    Computed on the learner's own graph (`Explanation.step_slips`), so a wrong answer is
    recognised by the number the slip gives there, with the same rule as a right one.
    """

    mistake: str
    number: float
    message: str


def telling_slips(truth: float, slips: list) -> list:
    """The slips whose number is not itself a right answer: only those can be told apart."""
    right = accepted(truth)
    return [slip for slip in slips if not in_accepted(slip.number, right)]


def diagnose(answer: Any, truth: float, slips: list, *, right: str, wrong: str) -> Feedback:
    """Grade `answer`: right, or the first of `slips` it matches, or wrong for no known reason.

    >>> slips = [Slip("sign", 2.0, "Right size, wrong sign.")]
    >>> diagnose(2.0, -2.0, slips, right="Right.", wrong="Not right.")
    Feedback(correct=False, mistake='sign', message='Right size, wrong sign.')
    >>> diagnose(-2.0001, -2.0, slips, right="Right.", wrong="Not right.").correct
    True
    """
    answer = as_answer(answer)
    if in_accepted(answer, accepted(truth)):
        return Feedback(True, None, right)
    for slip in telling_slips(truth, slips):
        if in_accepted(answer, accepted(slip.number)):
            return Feedback(False, slip.mistake, slip.message)
    return Feedback(False, None, wrong)
