"""The numbers the stepper page shows: the minus sign −, 4 decimals, and no number written twice.

Issue 19: one minus sign (U+2212) in display text, and no "= 1 = 1.0000". The page's script
formats no number of its own: every number it shows is written in Python (`page_number`),
so these tests read the page's data. The quiz takes an answer typed either way, "−3" or "-3".
"""

from __future__ import annotations

import json
import re

from autograd_tiny import Value
from autograd_tiny.show.explain import explain
from autograd_tiny.show.stepper import page_number, page_operand, read_asset, stepper_html
from tests.show.test_explain import lecture_example
from tests.show.test_stepper import browser, open_page  # noqa: F401  (browser: the headless Chromium fixture)

# A hyphen-minus where a number starts: "-2", "(-2", "-inf" (not the exponent of 1e-05).
HYPHEN_NUMBER = re.compile(r"(?<![\w.])-(?=\d|inf)")


def page_data(root, quiz=False):
    page = stepper_html(explain(root), quiz=quiz)
    start = page.index('type="application/json">') + len('type="application/json">')
    return json.loads(page[start : page.index("</script>", start)])


def fan_out():
    a = Value(-3.0, label="a")
    b = a * a + a
    b.label = "b"
    return b


def test_page_numbers_are_written_with_the_minus_sign():
    assert (page_number(-2.0), page_number(2.0), page_number(float("-inf"))) == ("−2.0000", "2.0000", "−inf")
    assert (page_operand(-2.0), page_operand(0.5), page_operand(float("-inf"))) == ("(−2.0000)", "0.5000", "(−inf)")
    *_, L = lecture_example()
    data = page_data(L)
    assert [f["text"] for f in data["forward"]] == [
        "a = 2.0000  (an input: given)",
        "b = −3.0000  (an input: given)",
        "e = a · b = 2.0000 · (−3.0000) = −6.0000",
        "c = 10.0000  (an input: given)",
        "d = e + c = (−6.0000) + 10.0000 = 4.0000",
        "f = −2.0000  (an input: given)",
        "L = d · f = 4.0000 · (−2.0000) = −8.0000",
    ]
    assert [f["data"] for f in data["forward"]] == [
        "2.0000",
        "−3.0000",
        "−6.0000",
        "10.0000",
        "4.0000",
        "−2.0000",
        "−8.0000",
    ]
    assert [s["grad"] for s in data["steps"]] == ["−2.0000", "4.0000", "−2.0000", "−2.0000", "6.0000", "−4.0000"]
    assert [line["text"] for line in data["summary"]] == [
        "∂L/∂a = 6.0000",
        "∂L/∂b = −4.0000",
        "∂L/∂c = −2.0000",
        "∂L/∂f = 4.0000",
    ]
    # Each step's local derivative, the part of the step the page writes itself.
    assert [s["text"].split(";")[0] for s in data["steps"]] == [
        "1. ∂L/∂d₍₁₎ = f = −2.0000",
        "2. ∂L/∂f₍₂₎ = d = 4.0000",
        "3. ∂d/∂e₍₁₎ = 1.0000",
        "4. ∂d/∂c₍₂₎ = 1.0000",
        "5. ∂e/∂a₍₁₎ = b = −3.0000",
        "6. ∂e/∂b₍₂₎ = a = 2.0000",
    ]


def test_quiz_numbers_are_written_with_the_minus_sign():
    data = page_data(fan_out(), quiz=True)
    questions = data["questions"]
    assert [q["reveal"] for q in questions] == [
        [["v1", "1.0000"]],
        [["v0", "1.0000"]],
        [["v0", "−2.0000"]],
        [],  # a's last contribution: its sum is the next question
        [["v0", "−5.0000"]],
    ]
    assert questions[-1]["answer"] == "∂b/∂a = 1.0000 + (−3.0000) + (−3.0000) = −5.0000  (the sum of a's contributions)"
    assert "The upstream gradient is ∂b/∂t1 = 1.0000." in questions[2]["question"]
    for question in questions:
        assert not HYPHEN_NUMBER.search(question["question"] + question["hint"]), question
        assert not HYPHEN_NUMBER.search(question["answer"].split(";")[0]), question


def test_a_formula_that_is_a_number_is_written_once():
    # "∂c/∂a₍₁₎ = 1 = 1.0000" said the same number twice; so did a constant factor's "= 2 = 2.0000".
    a, b = Value(-3.0, label="a"), Value(2.0, label="b")
    c = a + b
    c.label = "c"
    y = c * 2
    y.label = "y"
    z = y.tanh()
    z.label = "z"
    assert [s["text"].split(";")[0] for s in page_data(z)["steps"]] == [
        "1. ∂z/∂y₍₁₎ = 1 − z² = 1 − (−0.9640)² = 0.0707",
        "2. ∂y/∂c₍₁₎ = 2.0000",
        "3. ∂c/∂a₍₁₎ = 1.0000",
        "4. ∂c/∂b₍₂₎ = 1.0000",
    ]


def test_the_script_formats_no_number_itself():
    # Every number the page shows comes from the data above; the script writes only counts.
    script = read_asset("stepper.js")
    for formatting in ("toFixed", "toPrecision", "toExponential", "toLocaleString", "NumberFormat"):
        assert formatting not in script


def test_the_quiz_takes_either_minus(browser, tmp_path):  # noqa: F811
    path = tmp_path / "quiz.html"
    path.write_text(stepper_html(explain(fan_out()), quiz=True), encoding="utf-8")
    errors = []
    page = open_page(browser, path, errors, [])
    grads = "Array.from(document.querySelectorAll('g#v0 text')).map(t => t.textContent).pop()"
    for typed in ["1", "1.0"]:  # steps 1 and 2 send 1
        page.keyboard.type(typed)
        page.keyboard.press("Enter")
        assert page.inner_text("#feedback").startswith("✓ Right.")
        page.keyboard.press("Enter")
    page.keyboard.type("two")
    page.keyboard.press("Enter")
    assert page.text_content("#feedback") == (
        "“two” is not a number: type one such as −1.5 or 0.25 (− or - for minus; inf and nan are words)."
    )
    page.keyboard.press("Control+A")
    page.keyboard.type("−3")  # U+2212, as the page writes it
    page.keyboard.press("Enter")
    assert page.inner_text("#feedback").startswith("✓ Right.")
    assert page.evaluate(grads) == "grad −2.0000"
    page.keyboard.press("Enter")
    page.keyboard.type("-3")  # the hyphen-minus on every keyboard
    page.keyboard.press("Enter")
    assert page.inner_text("#feedback").startswith("✓ Right.")
    page.keyboard.press("Enter")
    page.keyboard.type("−5.000")
    page.keyboard.press("Enter")
    assert page.text_content("#feedback") == (
        "✓ Right. ∂b/∂a = 1.0000 + (−3.0000) + (−3.0000) = −5.0000  (the sum of a's contributions)"
    )
    assert page.evaluate(grads) == "grad −5.0000"
    assert errors == []
    page.close()
