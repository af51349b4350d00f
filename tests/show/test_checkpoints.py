"""The notebooks' checkpoints: unanswered, right, each named slip, a hint, and never the answer."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_tiny import Value, explain
from autograd_tiny.show.checkpoints import (
    SLIPS,
    check_choice,
    check_count,
    check_gradient,
    check_number,
    check_step,
    grade_choice,
    grade_count,
    grade_number,
)


def printed(capsys, check, *args, **kwargs) -> str:
    check(*args, **kwargs)
    out = capsys.readouterr().out
    assert out.count("\n") == 1, "a check prints exactly one line"
    return out.strip()


def test_unanswered_prints_a_line_and_no_error(capsys):
    assert printed(capsys, check_number, "slope", ..., truth=14.0) == "○ slope: not answered yet."
    assert printed(capsys, check_count, "n", ..., truth=3) == "○ n: not answered yet."
    assert printed(capsys, check_choice, "way", ..., truth="down", choices=["up", "down"]) == "○ way: not answered yet."


def test_right_to_the_printed_digits_is_right(capsys):
    assert grade_number(0.0004386, 0.000438568).correct  # rounded to 4 significant digits
    assert grade_number("−4", -4.0).correct  # the minus sign the views print
    assert not grade_number(0.000439, 0.000438568).correct  # 3 digits is not enough
    assert printed(capsys, check_number, "x", 2.0, truth=2.0, why="6x − 4 = 0.") == "✓ x: right. 6x − 4 = 0."


def test_each_named_slip_is_named_with_the_hint(capsys):
    line = printed(capsys, check_number, "w5⁺", 0.44, truth=0.35891648, slips={"added-step": 0.44}, hint="lr = 0.5")
    assert line == f"✗ w5⁺: not yet. {SLIPS['added-step']} Hint: lr = 0.5"
    assert grade_number(-0.2, 0.2).mistake == "sign"
    assert grade_number(5.0, 2.0, {"no-upstream": 5.0}).mistake == "no-upstream"
    assert grade_number(5.0, 2.0, {"mine": (5.0, "Your own slip.")}).message == "Your own slip."
    assert grade_count(32, 41, {"forgot-biases": 32}).mistake == "forgot-biases"
    assert grade_choice(True, False, [True, False], {True: "added-step"}).mistake == "added-step"


def test_an_unknown_wrong_answer_gets_the_hint_only(capsys):
    assert printed(capsys, check_number, "x", 7.0, truth=2.0, hint="where is the slope 0?") == (
        "✗ x: not yet. Hint: where is the slope 0?"
    )


@given(
    truth=st.floats(-1e6, 1e6, allow_nan=False).filter(lambda t: abs(t) > 1e-3),
    answer=st.floats(-1e6, 1e6, allow_nan=False),
)
def test_a_wrong_answer_never_prints_the_truth(truth, answer):
    feedback = grade_number(answer, truth, {"no-local": truth * 3})
    if feedback.correct:
        return
    from autograd_tiny.show.checkpoints import feedback_line

    line = feedback_line("q", feedback, hint="look again")
    for digits in (3, 4, 6):
        assert f"{abs(truth):.{digits}g}" not in line


def test_sign_slip_is_not_looked_for_when_the_truth_is_zero():
    assert grade_number(-0.0, 0.0).correct
    assert grade_number(1.0, 0.0).mistake is None


def test_not_a_number_says_what_to_type(capsys):
    line = printed(capsys, check_number, "x", Value(2.0), truth=2.0)
    assert line.startswith("✗ x: not yet. answer must be a number") and "(its number is .data)" in line
    assert "answer must be a number, got the text 'two'" in printed(capsys, check_number, "x", "two", truth=2.0)
    assert grade_number(True, 1.0).mistake == "not-a-number"
    assert grade_count(float("nan"), 3).mistake == "not-a-count"
    assert grade_count(2.5, 3).message == "A count is a whole number."
    assert grade_choice(1, True, [True, False]).mistake == "not-a-choice"


def test_a_notebook_authors_mistakes_raise():
    with pytest.raises(ValueError, match="unknown slip 'typo'; name one of sign, no-upstream"):
        grade_number(1.0, 2.0, {"typo": 3.0})
    with pytest.raises(ValueError, match=r"the truth 'left' is not one of the choices \['up', 'down'\]"):
        grade_choice("up", "left", ["up", "down"])
    with pytest.raises(TypeError, match=r"a count.s truth must be an int, got float 3\.0"):
        grade_count(3, 3.0)


def _fan_out():
    a = Value(3.0, label="a")
    b = a * a
    b.label = "b"
    c = b + a
    c.label = "c"
    return a, explain(c)


def test_graph_checks_use_the_explanations_diagnosis(capsys):
    a, story = _fan_out()
    truth = story.gradients[a]  # 2a + 1 = 7
    assert truth == 7.0
    assert printed(capsys, check_gradient, "dc/da", 7.0, story, a) == "✓ dc/da: right."
    line = printed(capsys, check_gradient, "dc/da", 6.0, story, a, hint="count the paths")
    assert line.startswith("✗ dc/da: not yet. a is used more than once") and line.endswith("Hint: count the paths")
    assert "7" not in line
    assert printed(capsys, check_gradient, "dc/da", ..., story, a) == "○ dc/da: not answered yet."
    first = story.steps[0]
    assert printed(capsys, check_step, "step 1", -first.contribution, story, 1).startswith(
        "✗ step 1: not yet. Right size"
    )
    assert printed(capsys, check_step, "step 1", first.contribution, story, 1) == "✓ step 1: right."


def test_named_slip_messages_hold_no_number():
    assert not any(ch in "0123456789" for message in SLIPS.values() for ch in message)
