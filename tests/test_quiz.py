"""Quiz mode of the stepper page: wrong answers reveal nothing, right ones reveal everything, a score."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from autograd_tiny.cli import main
from autograd_tiny.explain import explain
from tests.test_explain import lecture_example
from tests.test_stepper import browser, open_page  # noqa: F401  (browser: the headless Chromium fixture)

# The lecture example's steps send, in order: d ← -2, f ← 4, e ← -2, c ← -2, a ← 6, b ← -4.
RIGHT = ["-2", "4", "-2.000", "−2", "6", "-4"]
FINAL = ["grad 6.0000", "grad -4.0000", "grad -2.0000", "grad -2.0000", "grad -2.0000", "grad 4.0000", "grad 1.0000"]
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
    for wrong in ["2", "-2.1", "-1.99", "nan", "inf"]:
        page.fill("#answer", "")
        answer(page, wrong)
        assert page.evaluate(GRADS) == ["grad ?"] * 6 + ["grad 1.0000"]
        assert page.inner_text("#feedback") == f"✗ {wrong} is not right. Try again (or ask for a hint)."
        assert page.inner_text("#counter") == "question 1 of 6 · score 0"
        assert "wrong" in page.get_attribute("#answer", "class")
    page.fill("#answer", "")
    answer(page, "two")
    assert page.inner_text("#feedback").startswith("“two” is not a number")
    assert page.content().count("grad -2.0000") == before.count("grad -2.0000")  # nothing revealed in the drawing
    # Right answers, typed one after another with no click: the input keeps the focus.
    page.fill("#answer", "")
    for k, text in enumerate(RIGHT):
        answer(page, text)
        grads = page.evaluate(GRADS)
        assert grads.count("grad ?") == 6 - (k + 1)  # one more gradient revealed each time
        assert page.inner_text("#feedback").startswith(f"✓ Right. {k + 1}. ")
    assert page.evaluate(GRADS) == FINAL
    assert page.inner_text("#counter") == "summary"
    text = page.inner_text("#equation")
    assert text.startswith("Score: 6 of 6 answered right (5 wrong tries, 0 with a hint, 0 shown).")
    assert "∂L/∂a = 6.0000" in text and "∂L/∂b = -4.0000" in text
    assert page.is_disabled("#answer")
    assert errors == [] and all(url.startswith("file://") for url in requests)
    page.close()


def test_four_significant_digits_hint_and_show_answer(browser, tmp_path):  # noqa: F811
    from tests.test_stepper_layout import lecture_neuron

    path = explain(lecture_neuron()).save_html(tmp_path / "neuron.html", quiz=True)
    errors = []
    page = browser.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"file://{path}")
    # Step 1: ∂o/∂n = 1 − o² = 0.49999999999999956..., upstream 1.
    page.click("#hint")
    assert page.inner_text("#hinttext") == (
        "Hint: the local derivative is ∂o/∂n = 1 − o²; read the numbers from the graph "
        "and multiply by the upstream gradient ∂o/∂o."
    )
    assert page.evaluate("document.activeElement.id") == "answer"  # the hint button gives the focus back
    answer(page, "0.4990")  # off in the 4th significant digit
    assert page.inner_text("#feedback").startswith("✗")
    page.fill("#answer", "")
    answer(page, "0.5")
    assert page.inner_text("#counter") == "question 2 of 9 · score 1"
    assert page.inner_text("#hinttext") == ""
    page.click("#show")  # step 2: shown, no point
    assert page.inner_text("#feedback").startswith("Answer: 2. ")
    assert page.inner_text("#counter") == "question 3 of 9 · score 1"
    for _ in range(7):
        page.click("#show")
    assert page.inner_text("#equation").startswith(
        "Score: 1 of 9 answered right (1 wrong try, 1 with a hint, 8 shown)."
    )
    assert errors == []
    page.close()


def test_quiz_data_and_page_title(tmp_path):
    *_, L = lecture_example()
    text = open(explain(L).save_html(tmp_path / "quiz.html", quiz=True), encoding="utf-8").read()
    start = text.index('type="application/json">') + len('type="application/json">')
    data = json.loads(text[start : text.index("</script>", start)])
    assert data["quiz"] is True
    assert [step["contribution"] for step in data["steps"]] == ["-2.0", "4.0", "-2.0", "-2.0", "6.0", "-4.0"]
    assert data["steps"][4]["hint"].startswith("Hint: the local derivative is ∂e/∂a = b;")
    assert "-3" not in data["steps"][4]["question"]  # the question never gives the local derivative's value
    assert "<title>Quiz: the backward pass of L: autograd_tiny</title>" in text
    assert '<body class="quiz">' in text


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
    assert '<body class="quiz">' in html.read_text(encoding="utf-8")
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
