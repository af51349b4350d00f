"""The one rule for a right answer (autograd_tiny.show.grading): 4 significant digits, non-finite only for itself."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_tiny.show.grading import Feedback, accepted, answer_matches

INF, NAN = math.inf, math.nan

# (answer, truth, right?): the table the quiz page is driven on too (tests/show/test_quiz.py).
CASES = [
    (0.0, 40.0, False),  # issue 19: the quiz marked 0 right for 40
    (NAN, INF, False),  # issue 19: and nan right for inf
    (40.0, 40.0, True),
    (40.004, 40.0, True),  # within half a unit of the 4th digit (0.005)
    (40.01, 40.0, False),
    (9.0004, 9.0, True),
    (9.004, 9.0, False),  # off by 4 in the 4th digit
    (0.5, 0.49999999999999956, True),
    (0.499, 0.49999999999999956, False),
    (0.4990, 0.5, False),
    (-2.0, -2.0000000001, True),
    (2.0, -2.0, False),
    (1.235, 1.2345, True),  # 1.2345 rounded half up...
    (1.234, 1.2345, True),  # ...and half down: both right to the shown digits
    (1.2346, 1.2345, True),
    (1.236, 1.2345, False),
    (0.0001235, 0.00012345, True),  # significant digits, not decimals
    (0.0001, 0.00012345, False),
    (123500.0, 123456.0, True),
    (123000.0, 123456.0, False),
    (0.0, 0.0, True),
    (-0.0, 0.0, True),
    (0.0, -0.0, True),
    (1e-12, 0.0, True),  # float noise around an exact 0
    (-1e-10, 0.0, True),
    (1e-6, 0.0, False),
    (0.0, 1e-12, False),  # a tiny truth still needs its digits
    (1e-12, 1e-12, True),
    (INF, INF, True),
    (-INF, -INF, True),
    (NAN, NAN, True),
    (INF, -INF, False),
    (-INF, INF, False),
    (INF, NAN, False),
    (0.0, NAN, False),
    (1.7976931348623157e308, INF, False),
    (INF, 1.7976931348623157e308, False),  # inf is never right for a number
    (1.7976931348623157e308, 1.7976931348623157e308, True),
    (NAN, 0.0, False),
    (NAN, 1.0, False),
    (3, 3.0, True),  # an int answer
]


@pytest.mark.parametrize(("answer", "truth", "right"), CASES)
def test_the_table(answer, truth, right):
    assert answer_matches(answer, truth) is right


# Away from the ends of the float range, where rounding 1.7975e308 up to 1.798e308 overflows.
SIZES = st.floats(min_value=1e-300, max_value=1e300)


@given(SIZES, st.sampled_from([1, -1]), st.integers(4, 15))
def test_the_truth_rounded_to_4_or_more_significant_digits_is_right(size, sign, digits):
    truth = sign * size
    rounded = float(f"{truth:.{digits - 1}e}")
    assert answer_matches(rounded, truth)


@given(SIZES, st.sampled_from([1, -1]))
def test_an_answer_off_by_a_unit_in_the_4th_digit_is_wrong(size, sign):
    truth = sign * size
    exponent = math.floor(math.log10(abs(truth)))
    unit = 10.0 ** (exponent - 3)
    assert not answer_matches(truth + 1.01 * unit, truth)
    assert not answer_matches(truth - 1.01 * unit, truth)
    assert not answer_matches(-truth, truth)


def test_accepted_is_finite_or_a_word():
    assert accepted(INF) == "inf" and accepted(-INF) == "-inf" and accepted(NAN) == "nan"
    low, high = accepted(1.7976931348623157e308)
    assert math.isfinite(low) and math.isfinite(high)


def test_answers_must_be_numbers():
    # A number's text is read as the page reads a typed answer (either minus sign).
    assert answer_matches("2", 2.0) and answer_matches("−2", -2.0) and answer_matches("-2", -2.0)
    with pytest.raises(ValueError, match=r"^answer must be a number, got the text '2x'; pass e\.g\. -1\.5 or '−1\.5'$"):
        answer_matches("2x", 2.0)
    with pytest.raises(TypeError, match=r"answer must be a number \(int or float, inf and nan allowed\), got list"):
        answer_matches([2], 2.0)
    with pytest.raises(TypeError, match="got bool True"):
        answer_matches(True, 1.0)


def test_feedback_is_a_frozen_record():
    feedback = Feedback(False, "sign", "Right size, wrong sign.")
    assert (feedback.correct, feedback.mistake) == (False, "sign")
    with pytest.raises(AttributeError):
        feedback.correct = True  # type: ignore[misc]
