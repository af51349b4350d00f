"""Checkpoints for the lab notebooks: grade a learner's answer, name the slip, never give the answer.

A checkpoint cell holds one answer line and one check::

    my_slope = ...  # your answer
    check_number("slope", my_slope, truth=slope, hint="where is 6x − 4 zero?")

Each check prints one line and never raises on a learner's answer:

- ``...`` (the Ellipsis the student notebooks ship with): "not answered yet", so a notebook
  runs top to bottom before anyone has typed a thing;
- a right answer (to 4 significant digits, the rule of `autograd_tiny.show.grading`, so a
  number rounded as the notebook prints it is right): "right", and the `why` if one is given;
- a wrong answer that matches a known slip: the slip's name and what it means, then the hint;
- any other wrong answer: the hint. The true number is never printed.

The slips are computed from the learner's own numbers (the notebooks compute the truth
with the engine, so a student who sets their own SEED gets checks that still work). A sign
slip (the right size with the wrong sign) is always looked for; the others are passed in,
by their names in `SLIPS`, with the number each gives on this question.

>>> check_number("slope", ..., truth=14.0)
○ slope: not answered yet.
>>> check_number("slope", 14.0004, truth=14.0, why="6x − 4 at x = 3.")
✓ slope: right. 6x − 4 at x = 3.
>>> check_number("slope", -14.0, truth=14.0, hint="what is 6·3 − 4?")
✗ slope: not yet. Right size, wrong sign: check the sign of each factor. Hint: what is 6·3 − 4?
>>> check_count("parameters", 32, truth=41, slips={"forgot-biases": 32})
✗ parameters: not yet. You counted the weights but not the biases: each neuron has one bias too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from numbers import Integral
from typing import Any

from .grading import Feedback, Slip, as_answer, diagnose

__all__ = [
    "SLIPS",
    "check_number",
    "check_count",
    "check_choice",
    "check_gradient",
    "check_step",
    "grade_number",
    "grade_count",
    "grade_choice",
    "feedback_line",
]

# Every slip a checkpoint can name, with what it says. A message says what the answer
# looks like and points at the fix, and never contains the right number.
SLIPS: dict[str, str] = {
    "sign": "Right size, wrong sign: check the sign of each factor.",
    "no-upstream": "That is the local derivative alone: multiply it by the upstream gradient (the chain rule).",
    "no-local": "That is the upstream gradient alone: multiply it by the local derivative.",
    "local-not-total": (
        "That is one local derivative, not the total derivative: multiply the local derivatives along "
        "the path from the output down to this value."
    ),
    "one-path": "That counts one path only: a value used more than once gets the sum of its paths' contributions.",
    "running-total": "That is the gradient so far, not this step's contribution.",
    "forgot-biases": "You counted the weights but not the biases: each neuron has one bias too.",
    "added-step": "You added the step: gradient descent subtracts learning rate × gradient (it goes downhill).",
    "forgot-lr": "You subtracted the whole gradient: the step is the learning rate × the gradient.",
    "updated-weight": (
        "You used a weight after its update: backprop computes every δ with the original weights, "
        "and only then updates them all."
    ),
    "no-activation-slope": "You left out the activation's slope f′(z): δ is the upstream sum × f′(z).",
    "squared-not-halved": "That is the squared error without its ½: this loss is ½ (target − output)².",
}

_UNANSWERED = "not answered yet."


def feedback_line(name: str, feedback: Feedback | None, hint: str = "", why: str = "") -> str:
    """The one line a check prints: ○ not answered, ✓ right, ✗ not yet (with the slip and hint).

    >>> feedback_line("x", None)
    '○ x: not answered yet.'
    >>> feedback_line("x", Feedback(False, "sign", SLIPS["sign"]), hint="look at b.")
    '✗ x: not yet. Right size, wrong sign: check the sign of each factor. Hint: look at b.'
    """
    if feedback is None:
        return f"○ {name}: {_UNANSWERED}"
    if feedback.correct:
        return f"✓ {name}: right." + (f" {why}" if why else "")
    parts = [f"✗ {name}: not yet."]
    if feedback.mistake is not None or feedback.message:
        parts.append(feedback.message)
    if hint:
        parts.append(f"Hint: {hint}")
    return " ".join(parts)


def _slips(truth: float, slips: Mapping[str, Any] | None) -> list[Slip]:
    """The slips to look for: each named one with its number, then the sign slip.

    A slip is ``name: number`` for a name in `SLIPS`, or ``name: (number, message)`` for a
    slip of the notebook's own.
    """
    found = []
    for mistake, given in (slips or {}).items():
        if isinstance(given, tuple):
            number, message = given
        elif mistake in SLIPS:
            number, message = given, SLIPS[mistake]
        else:
            raise ValueError(
                f"unknown slip {mistake!r}; name one of {', '.join(SLIPS)}, or pass (number, message) for a new one"
            )
        found.append(Slip(mistake, float(as_answer(number)), message))
    if truth != 0 and not any(slip.mistake == "sign" for slip in found):
        found.append(Slip("sign", -truth, SLIPS["sign"]))
    return found


def _unanswered(answer: Any) -> bool:
    return answer is Ellipsis


def _not_a_number(answer: Any) -> Feedback | None:
    """A Feedback saying what to type, when `answer` is not a number (None when it is)."""
    try:
        as_answer(answer)
    except (TypeError, ValueError) as error:
        return Feedback(False, "not-a-number", f"{error}.")
    return None


def grade_number(answer: Any, truth: float, slips: Mapping[str, Any] | None = None) -> Feedback | None:
    """Grade a number: None when unanswered, else right (4 significant digits) or the slip it matches.

    >>> grade_number(-0.5, 0.5).mistake, grade_number(0.50001, 0.5).correct, grade_number(..., 0.5)
    ('sign', True, None)
    """
    if _unanswered(answer):
        return None
    truth = float(as_answer(truth))
    return _not_a_number(answer) or diagnose(answer, truth, _slips(truth, slips), right="", wrong="")


def grade_count(answer: Any, truth: int, slips: Mapping[str, Any] | None = None) -> Feedback | None:
    """Grade a whole number exactly: 40 is wrong for 41, and 41.0 is right.

    >>> grade_count(41.0, 41).correct, grade_count(40, 41).correct, grade_count(-41, 41).mistake
    (True, False, 'sign')
    """
    if not isinstance(truth, Integral) or isinstance(truth, bool):
        raise TypeError(f"a count's truth must be an int, got {type(truth).__name__} {truth!r}")
    if _unanswered(answer):
        return None
    problem = _not_a_number(answer)
    if problem:
        return problem
    number = as_answer(answer)
    if number == truth:
        return Feedback(True, None, "")
    for slip in _slips(float(truth), slips):
        if number == slip.number:
            return Feedback(False, slip.mistake, slip.message)
    if not number.is_integer():  # also nan and ±inf
        return Feedback(False, "not-a-count", "A count is a whole number.")
    return Feedback(False, None, "")


def grade_choice(
    answer: Any, truth: Any, choices: Sequence[Any], slips: Mapping[Any, str] | None = None
) -> Feedback | None:
    """Grade a choice among `choices`; `slips` maps a wrong choice to the slip it shows.

    >>> grade_choice("up", "down", ["up", "down"], {"up": "added-step"}).mistake
    'added-step'
    >>> grade_choice("sideways", "down", ["up", "down"]).message
    "Answer one of 'up', 'down'."
    """
    if truth not in choices:
        raise ValueError(f"the truth {truth!r} is not one of the choices {list(choices)!r}")
    if _unanswered(answer):
        return None
    # `True == 1` in Python: compare types too, so 1 is not taken for True.
    if not any(answer == choice and type(answer) is type(choice) for choice in choices):
        return Feedback(False, "not-a-choice", f"Answer one of {', '.join(map(repr, choices))}.")
    if answer == truth:
        return Feedback(True, None, "")
    mistake = (slips or {}).get(answer)
    if mistake is None:
        return Feedback(False, None, "")
    return Feedback(False, mistake, SLIPS[mistake])


def check_number(
    name: str, answer: Any, *, truth: float, slips: Mapping[str, Any] | None = None, hint: str = "", why: str = ""
) -> None:
    """Print whether `answer` is right for `truth` (see the module's docstring); never prints `truth`.

    Args:
        name: what the question asks for, as the learner sees it (``"dL/db"``).
        answer: the learner's number (or ``...`` while unanswered); text such as ``"−4"`` is read too.
        truth: the right number, computed by the notebook with the engine.
        slips: ``{slip name: the number that slip gives}`` (names from `SLIPS`), or
            ``{new name: (number, message)}``. The sign slip is always looked for.
        hint: what to look at when the answer is wrong for no known reason (or has the wrong sign).
        why: one sentence shown with a right answer.
    """
    print(feedback_line(name, grade_number(answer, truth, slips), hint, why))


def check_count(
    name: str, answer: Any, *, truth: int, slips: Mapping[str, Any] | None = None, hint: str = "", why: str = ""
) -> None:
    """Print whether the whole number `answer` equals `truth` exactly (counting questions)."""
    print(feedback_line(name, grade_count(answer, truth, slips), hint, why))


def check_choice(
    name: str,
    answer: Any,
    *,
    truth: Any,
    choices: Sequence[Any],
    slips: Mapping[Any, str] | None = None,
    hint: str = "",
    why: str = "",
) -> None:
    """Print whether `answer` is the right one of `choices` (``"up"``/``"down"``, True/False).

    `slips` maps a wrong choice to the name of the slip it shows (a name in `SLIPS`).
    """
    print(feedback_line(name, grade_choice(answer, truth, choices, slips), hint, why))


def check_gradient(name: str, answer: Any, explanation: Any, value: Any, *, hint: str = "", why: str = "") -> None:
    """Print the grade of a gradient ∂root/∂value, with `Explanation.check_gradient`'s diagnosis.

    The slips (sign, one path, local derivative alone, ...) are computed on the learner's own graph.
    """
    if _unanswered(answer):
        feedback = None
    else:
        feedback = _not_a_number(answer) or explanation.check_gradient(value, answer)
    print(feedback_line(name, _plain(feedback), hint, why))


def check_step(name: str, answer: Any, explanation: Any, k: int, *, hint: str = "", why: str = "") -> None:
    """Print the grade of backward step `k`'s contribution, with `Explanation.check`'s diagnosis."""
    if _unanswered(answer):
        feedback = None
    else:
        feedback = _not_a_number(answer) or explanation.check(k, answer)
    print(feedback_line(name, _plain(feedback), hint, why))


def _plain(feedback: Feedback | None) -> Feedback | None:
    """An `Explanation` feedback without its own "Right: ..." / "Not right: ..." sentence.

    Those sentences restate the rule for the stepper page; a checkpoint line says right or
    not yet itself, and keeps only a named slip's message (which never gives the number).
    """
    if feedback is None or feedback.mistake is not None:
        return feedback
    return Feedback(feedback.correct, None, "")
