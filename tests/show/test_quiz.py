"""Quiz mode of the stepper page: wrong answers reveal nothing and name the slip, right ones reveal, a score.

The page grades with the sets of right answers that autograd_tiny.show.grading computes, and each
slip's number comes from Explanation.step_slips / gradient_slips: the page holds data, not a
second implementation of the rule or of the maths.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from autograd_tiny import Value
from autograd_tiny.app.cli import main
from autograd_tiny.show.explain import explain
from autograd_tiny.show.grading import accepted
from tests.show.test_explain import lecture_example
from tests.show.test_grading import CASES
from tests.show.test_stepper import browser, open_page  # noqa: F401  (browser: the headless Chromium fixture)

# The lecture example's steps send, in order: d ← -2, f ← 4, e ← -2, c ← -2, a ← 6, b ← -4.
RIGHT = ["-2", "4", "-2.000", "−2", "6", "-4"]
FINAL = ["grad 6.0000", "grad −4.0000", "grad −2.0000", "grad −2.0000", "grad −2.0000", "grad 4.0000", "grad 1.0000"]
GRADS = (
    "Array.from(document.querySelectorAll('g.node')).filter(g => /^v\\d+$/.test(g.id))"
    ".map(g => { var t = g.getElementsByTagName('text'); return t[t.length - 1].textContent; })"
)


def quiz_page(browser, tmp_path, errors, requests):  # noqa: F811
    *_, L = lecture_example()
    path = explain(L).save_html(tmp_path / "quiz.html", quiz=True)
    return open_page(browser, path, errors, requests)


def answer(page, text):
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def next_question(page):
    page.keyboard.press("Enter")  # on an answered question, Enter goes on


def page_data(path):
    text = open(path, encoding="utf-8").read()
    start = text.index('type="application/json">') + len('type="application/json">')
    return json.loads(text[start : text.index("</script>", start)])


def test_wrong_answers_reveal_nothing_right_ones_reveal_everything(browser, tmp_path):  # noqa: F811
    errors, requests = [], []
    page = quiz_page(browser, tmp_path, errors, requests)
    # It opens at the first backward step's question, every value known, every gradient but the seed '?'.
    assert page.inner_text("#counter") == "question 1 of 6 · score 0"
    assert page.inner_text("#equation").startswith(
        "Question 1 of 6. The gradient flows back from L to d through the * node."
    )
    assert page.evaluate(GRADS) == ["grad ?"] * 6 + ["grad 1.0000"]
    assert page.evaluate("document.activeElement.id") == "answer"
    before = page.content()
    for wrong in ["-2.1", "-1.99", "nan", "inf"]:
        page.fill("#answer", "")
        answer(page, wrong)
        assert page.evaluate(GRADS) == ["grad ?"] * 6 + ["grad 1.0000"]
        assert page.inner_text("#feedback") == f"✗ {wrong} is not right. Try again (or ask for a hint)."
        assert page.inner_text("#counter") == "question 1 of 6 · score 0"
        assert "wrong" in page.get_attribute("#answer", "class")
    page.fill("#answer", "")
    answer(page, "2")  # a slip the page names
    assert page.inner_text("#feedback") == (
        "✗ 2 is not right. Right size, wrong sign: check the signs of the local derivative ∂L/∂d₍₁₎ and of the "
        "upstream gradient ∂L/∂L, and of their product. Try again."
    )
    page.fill("#answer", "")
    answer(page, "two")
    assert page.inner_text("#feedback").startswith("“two” is not a number")
    assert page.content().count("grad −2.0000") == before.count("grad −2.0000")  # nothing revealed in the drawing
    # Right answers, typed one after another with no click: the input keeps the focus.
    page.fill("#answer", "")
    for k, text in enumerate(RIGHT):
        answer(page, text)
        grads = page.evaluate(GRADS)
        assert grads.count("grad ?") == 6 - (k + 1)  # one more gradient revealed each time
        assert page.inner_text("#feedback").startswith(f"✓ Right. {k + 1}. ")
        assert page.is_disabled("#hint") and page.is_disabled("#show")  # answered: no hint, no answer to show
        assert page.evaluate("document.activeElement.id") == "answer"
        next_question(page)
    assert page.evaluate(GRADS) == FINAL
    assert page.inner_text("#counter") == "summary"
    text = page.inner_text("#equation")
    assert text.startswith("Score: 6 of 6 answered right (5 wrong tries, 0 with a hint, 0 shown).")
    assert "∂L/∂a = 6.0000" in text and "∂L/∂b = −4.0000" in text
    assert page.is_disabled("#answer") and page.is_disabled("#hint") and page.is_disabled("#show")
    # Restart: question 1 again, score 0, every gradient hidden again.
    page.click("#restart")
    assert page.inner_text("#counter") == "question 1 of 6 · score 0"
    assert page.evaluate(GRADS) == ["grad ?"] * 6 + ["grad 1.0000"]
    assert not page.is_disabled("#answer") and not page.is_disabled("#hint") and not page.is_disabled("#show")
    assert page.inner_text("#feedback") == ""
    answer(page, "-2")
    assert page.inner_text("#counter") == "question 1 of 6 · score 1"
    assert errors == [] and all(url.startswith("file://") for url in requests)
    page.close()


def test_four_significant_digits_hint_and_show_answer(browser, tmp_path):  # noqa: F811
    from tests.show.test_stepper_layout import lecture_neuron

    path = explain(lecture_neuron()).save_html(tmp_path / "neuron.html", quiz=True)
    errors = []
    page = browser.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"file://{path}")
    # Step 1: ∂o/∂n = 1 − o² = 0.49999999999999956..., upstream 1.
    page.click("#hint")
    assert page.inner_text("#hinttext") == (
        "Hint: the local derivative is ∂o/∂n₍₁₎ = 1 − o²; read the numbers from the graph "
        "and multiply by the upstream gradient ∂o/∂o."
    )
    assert page.evaluate("document.activeElement.id") == "answer"  # the hint button gives the focus back
    answer(page, "0.4990")  # off in the 4th significant digit
    assert page.inner_text("#feedback").startswith("✗")
    page.fill("#answer", "")
    answer(page, "0.5")
    assert page.inner_text("#counter") == "question 1 of 9 · score 1"
    assert "wrong" not in page.get_attribute("#answer", "class")  # the last try was right
    assert page.is_disabled("#hint") and page.is_disabled("#show") and not page.is_disabled("#next-question")
    page.click("#next-question")
    assert page.inner_text("#counter") == "question 2 of 9 · score 1"
    assert page.inner_text("#hinttext") == "" and not page.is_disabled("#hint")
    page.click("#show")  # step 2: shown, no point
    assert page.inner_text("#feedback").startswith("Answer: 2. ")
    assert page.inner_text("#counter") == "question 2 of 9 · score 1"
    assert page.is_disabled("#show")
    for _ in range(7):
        page.click("#next-question")
        page.click("#show")
    page.click("#next-question")
    assert page.inner_text("#equation").startswith(
        "Score: 1 of 9 answered right (1 wrong try, 1 with a hint, 8 shown)."
    )
    assert errors == []
    page.close()


def test_quiz_data_and_page_title(tmp_path):
    *_, L = lecture_example()
    path = explain(L).save_html(tmp_path / "quiz.html", quiz=True)
    text = open(path, encoding="utf-8").read()
    data = page_data(path)
    assert data["quiz"] is True
    # The right answers are the sets autograd_tiny.show.grading computes for each contribution.
    questions = data["questions"]
    assert [q["right"] for q in questions] == [list(accepted(c)) for c in [-2.0, 4.0, -2.0, -2.0, 6.0, -4.0]]
    assert questions[4]["hint"].startswith("Hint: the local derivative is ∂e/∂a₍₁₎ = b;")
    assert "-3" not in questions[4]["question"]  # the question never gives the local derivative's value
    assert [s["mistake"] for s in questions[4]["slips"]] == ["sign", "no-upstream", "no-local"]
    assert "<title>Quiz: the backward pass of L: autograd_tiny</title>" in text
    assert '<body class="quiz values">' in text


def test_quiz_must_be_a_bool(tmp_path):
    *_, L = lecture_example()
    with pytest.raises(TypeError, match="quiz must be True or False, got str 'yes'"):
        explain(L).save_html(tmp_path / "q.html", quiz="yes")
    with pytest.raises(TypeError, match="quiz must be True or False, got int 1"):
        explain(L).stepper(quiz=1)


def test_cli_quiz(tmp_path, capsys):
    html = tmp_path / "quiz.html"
    assert main(["explain", "a*b", "a=2", "b=-3", "--html", str(html), "--quiz"]) == 0
    assert capsys.readouterr().out.strip().endswith(str(html))
    assert '<body class="quiz values">' in html.read_text(encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "autograd_tiny", "explain", "a*b", "a=2", "b=-3", "--quiz"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert (
        result.stderr
        == "autograd-tiny: error: --quiz makes the HTML page a quiz: add --html PATH (e.g. --html quiz.html)\n"
    )


def tiny_local_page(browser, tmp_path, big, errors):  # noqa: F811
    """L = (a · s) · big with s = 1e-5: step 2's local derivative ∂t/∂a₍₁₎ = s shows as 0.0000 on the page."""
    a, s = Value(2.0, label="a"), Value(1e-5, label="s")
    t = a * s
    t.label = "t"
    L = t * big
    L.label = "L"
    path = explain(L).save_html(tmp_path / "tiny.html", quiz=True)
    page = open_page(browser, path, errors, [])
    answer(page, repr(big) if math.isfinite(big) else "inf")  # step 1: t receives big × 1
    next_question(page)
    assert page.inner_text("#counter") == "question 2 of 3 · score 1"
    return page


def test_zero_is_not_right_for_40(browser, tmp_path):  # noqa: F811
    # Issue 19: the page also accepted the product of the numbers it shows, 0.0000 × 4000000.0000 = 0.
    errors = []
    page = tiny_local_page(browser, tmp_path, 4e6, errors)
    answer(page, "0")
    assert page.inner_text("#feedback").startswith("✗ 0 is not right.")
    page.fill("#answer", "")
    answer(page, "40")
    assert page.inner_text("#feedback").startswith("✓ Right. 2. ")
    assert errors == []
    page.close()


def test_nan_is_not_right_for_inf(browser, tmp_path):  # noqa: F811
    # Issue 19: 0.0000 × inf = nan made "nan" right where the contribution is 1e-5 × inf = inf.
    errors = []
    page = tiny_local_page(browser, tmp_path, math.inf, errors)
    answer(page, "nan")
    assert page.inner_text("#feedback").startswith("✗ nan is not right.")
    page.fill("#answer", "")
    answer(page, "inf")
    assert page.inner_text("#feedback").startswith("✓ Right. 2. ")
    assert errors == []
    page.close()


def _js_number(x):
    return "NaN" if x != x else ("Infinity" if x == math.inf else "-Infinity" if x == -math.inf else repr(float(x)))


def test_the_page_grades_the_shared_table_as_python_does(browser, tmp_path):  # noqa: F811
    # The cases of tests/show/test_grading.py, each through the page's own grading function.
    *_, L = lecture_example()
    errors = []
    page = open_page(browser, explain(L).save_html(tmp_path / "quiz.html", quiz=True), errors, [])
    verdicts = page.evaluate(
        "cases => cases.map(([typed, right]) => window.autogradTinyGrade(Number(typed), {right: right, slips: []}).correct)",
        [[_js_number(answer_), accepted(truth)] for answer_, truth, _ in CASES],
    )
    assert verdicts == [right for _, _, right in CASES]
    assert errors == []
    page.close()


def test_the_page_names_each_slip_and_asks_for_a_fan_out_gradient(browser, tmp_path):  # noqa: F811
    # b = a + a; c = b · a at a = 3: steps c→b (3), c→a (6), b→a (3), b→a (3), then ∂c/∂a = 12.
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    c = b * a
    c.label = "c"
    errors = []
    page = open_page(browser, explain(c).save_html(tmp_path / "fan.html", quiz=True), errors, [])
    named = {}

    def slip(text):
        page.fill("#answer", text)
        page.press("#answer", "Enter")
        return page.inner_text("#feedback")

    def right(text):
        assert slip(text).startswith("✓ Right.")
        next_question(page)

    named["sign"] = slip("-3")
    right("3")
    named["no-local"] = slip("1")  # ∂c/∂c alone
    right("6")
    named["no-upstream"] = slip("1")  # ∂b/∂a₍₁₎ alone
    right("3")
    named["running-total"] = slip("12")  # a's gradient so far
    assert slip("3") == (
        "✓ Right. 4. ∂b/∂a₍₂₎ = 1.0000;  upstream ∂c/∂b = 3.0000;  contribution 1.0000 × 3.0000 = 3.0000"
    ).replace("  ", " ")  # the sum is left to the next question
    next_question(page)
    assert page.inner_text("#equation") == (
        "Question 5 of 5. a is used more than once: steps 2, 3 and 4 each sent it a contribution, and that is "
        "all of them. What is its gradient ∂c/∂a?"
    )
    assert page.inner_text("#asked") == "Gradient"
    named["one-path"] = slip("9")
    assert slip("12") == "✓ Right. ∂c/∂a = 6.0000 + 3.0000 + 3.0000 = 12.0000 (the sum of a's contributions)"
    e = explain(c)
    expected = {
        "sign": e.check(1, -3.0),
        "no-local": e.check(2, 1.0),
        "no-upstream": e.check(3, 1.0),
        "running-total": e.check(4, 12.0),
        "one-path": e.check_gradient(a, 9.0),
    }
    for mistake, feedback in expected.items():  # the page says what check() says
        assert feedback.mistake == mistake
        assert named[mistake].startswith("✗ ")
        assert named[mistake].endswith(feedback.message + " Try again.")
    next_question(page)
    assert page.inner_text("#equation").startswith("Score: 5 of 5 answered right (5 wrong tries,")
    assert errors == []
    page.close()
