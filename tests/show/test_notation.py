"""One notation in every display text (issue 19, item 4 "Names", and item 3 in the CLI).

One minus sign (−, U+2212) for negative numbers in display text, one index base (1-based)
for the names a user sees, no ``= 1 = 1.0000``, and local derivatives named by their
operand slot wherever the package writes one.
"""

from __future__ import annotations

import re

import pytest

from autograd_tiny import MLP, Value
from autograd_tiny.app.cli import main
from autograd_tiny.learn.gradcheck import GradcheckError, gradcheck
from autograd_tiny.show.explain import explain
from autograd_tiny.show.grading import answer_matches, as_answer
from autograd_tiny.show.render import draw_dot
from autograd_tiny.show.stepper import step_text
from autograd_tiny.show.text import chain_text, number

# A hyphen-minus written as a number's sign: "-3", "(-0.5", "= -inf" (not "x - y", not "1e-09").
ASCII_NEGATIVE = re.compile(r"(?<![\w.)\]])-(\d|inf\b)")


def negative_graph():
    a, b = Value(-3.0, label="a"), Value(2.0, label="b")
    c = a * b
    c.label = "c"
    return a, b, c


# ----------------------------------------------------------------------------- one minus sign


def test_number_is_format_number_with_the_minus_sign():
    assert number(-3.0) == "−3" and number(-0.5, decimals=4) == "−0.5000" and number(float("-inf")) == "−inf"
    assert number(2.0) == "2" and number(float("nan")) == "nan" and number(-1e-9) == "−1e-09"


def test_the_narrative_writes_negative_numbers_with_the_minus_sign():
    _, _, c = negative_graph()
    text = str(explain(c))
    assert "a = −3" in text and "c = a · b = −6" in text
    assert "∂c/∂b₍₂₎ = a = −3" in text
    assert not ASCII_NEGATIVE.search(text), ASCII_NEGATIVE.search(text)


def test_the_page_step_text_writes_the_minus_sign_too():
    _, _, c = negative_graph()
    e = explain(c)
    line = e.steps[1].text("c", decimals=4)
    assert "contribution (−3.0000) × 1.0000 = −3.0000" in line and "b.grad = −3.0000" in line


def test_markdown_keeps_latex_minus():
    _, _, c = negative_graph()
    markdown = explain(c).markdown()
    assert "-6" in markdown and "−" not in markdown.replace("−y", "")


def test_textbook_views_write_the_minus_sign():
    m = MLP(2, [2, 1], activation="tanh", seed=3)
    loss = (m([Value(0.5, label="x1"), Value(-1.0, label="x2")]) - 1.0) ** 2
    for group in ("neuron", "layer"):
        text = str(explain(loss, group=group))
        assert "−" in text
        assert not ASCII_NEGATIVE.search(text), (group, ASCII_NEGATIVE.search(text))


def test_drawings_write_the_minus_sign():
    a, _, c = negative_graph()
    d = c + a * -2.0
    d.backward()
    source = draw_dot(d).source
    assert "data −3.0000" in source and "grad −3.0000" in source and "data −6.0000" in source  # a, b, c
    assert 'label="* −2"' in source  # an op's constant too
    assert not ASCII_NEGATIVE.search(source)


def test_cli_warnings_write_the_minus_sign_and_the_slot(tmp_path, capsys):
    assert main(["graph", "a*1e999", "a=-2", "-o", str(tmp_path / "g.svg"), "--no-grad"]) == 0
    assert capsys.readouterr().err == "autograd-tiny: warning: out = −inf (the constant inf in it)\n"
    assert main(["graph", "b*sqrt(a)", "a=0", "b=-1", "-o", str(tmp_path / "g.svg")]) == 0
    assert capsys.readouterr().err == (
        "autograd-tiny: warning: the local derivative ∂t1/∂a₍₁₎ = inf (at a = 0); gradients through it are not finite\n"
    )


def test_cli_explain_prints_the_minus_sign(capsys):
    assert main(["explain", "a*b", "a=-3", "b=2"]) == 0
    out = capsys.readouterr().out
    assert "out = a · b = −6" in out and not ASCII_NEGATIVE.search(out)


def test_gradcheck_table_uses_the_minus_sign_and_names_inputs_from_1():
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda x, y: x * 0.0 + x.data * 1.7976931348623157e308 + y, [-1.0, 2.0])
    table = str(caught.value)
    assert "x1 = −1" in table and "x2 = 2" in table and "x0" not in table
    assert "x1: f(x1 - eps) = −inf: f overflows" in table
    assert "x2: rounding: f's values (about 1.8e+308) are so large that their rounding error overflows" in table


def test_gradcheck_refuses_inputs_by_their_1_based_name():
    with pytest.raises(TypeError, match=r"^gradcheck input x1 must be a number, got str '1'"):
        gradcheck(lambda x: x, ["1"])


def test_quiz_answers_take_either_minus_sign():
    assert as_answer("−3") == -3.0 and as_answer("-3") == -3.0 and as_answer(" −0.5 ") == -0.5
    assert as_answer("−inf") == float("-inf") and as_answer("inf") == float("inf")
    assert as_answer("nan") != as_answer("nan")
    assert answer_matches("−6.000", -6.0) and not answer_matches("6", -6.0)
    _, _, c = negative_graph()
    assert explain(c).check(2, "−3").correct and explain(c).check(2, "-3.0000").correct
    with pytest.raises(
        ValueError, match=r"^answer must be a number, got the text 'three'; pass e\.g\. -1\.5 or '−1\.5'$"
    ):
        as_answer("three")


# ----------------------------------------------------------------------------- no "= 1 = 1.0000"


def test_chain_text_writes_a_number_once():
    assert chain_text("∂b/∂a₍₁₎", "1", "1", "1.0000") == "∂b/∂a₍₁₎ = 1.0000"
    assert chain_text("∂c/∂a₍₁₎", "b", "(−2.0000)", "−2.0000") == "∂c/∂a₍₁₎ = b = −2.0000"
    assert chain_text("δ", "", "11", "11") == "δ = 11"
    assert chain_text("x", "0.5", "0.7") == "x = 0.5 = 0.7"


def repeated_number(text: str) -> str | None:
    """The first ``= p = q`` of `text` where p and q write the same number, else None."""
    for match in re.finditer(r"= (\S+) = (\S+?)[;,]?(?=\s|$)", text):
        p, q = (s.replace("−", "-").strip("()") for s in match.groups())
        try:
            if float(p) == float(q):
                return match.group(0)
        except ValueError:
            continue
    return None


def test_no_step_text_repeats_a_number():
    a = Value(2.0, label="a")
    b = a + a
    b.label = "b"
    c = b * a - 3 * a
    c.label = "c"
    e = explain(c)
    texts = [step_text(s, "c", e.names) for s in e.steps]
    texts += [s.text("c", decimals=4) for s in e.steps] + [str(e)]
    for text in texts:
        assert repeated_number(text) is None, text
    assert step_text(e.steps[5], "c", e.names).startswith("6. ∂b/∂a₍₁₎ = 1.0000;  upstream ∂c/∂b = 2.0000;")
    # The page's equations show the minus sign too (a rule's "−1", the page's "-1.0000": one number).
    assert step_text(e.steps[1], "c", e.names).startswith("2. ∂c/∂t2₍₂₎ = −1.0000;  upstream ∂c/∂c = 1.0000;")


# ----------------------------------------------------------------------------- 1-based names


def test_compiled_training_names_its_inputs_from_1():
    pytest.importorskip("numpy")
    from autograd_tiny.fast.training import CompiledTrainingStep

    step = CompiledTrainingStep(MLP(2, [2, 1], seed=0), [[1.0, 2.0]], [1])
    first = step.loss.source.splitlines()[0]
    assert first.endswith("x1, x2, y):"), first


def test_batch_views_say_samples_count_from_0():
    m = MLP(2, [1], seed=0)
    loss = sum((m([0.1 * i, -0.2 * i]) - 1.0) ** 2 for i in range(2))
    note = "Samples are numbered from 0, as sample=k counts them."
    assert note in str(explain(loss, group="neuron"))
    assert note in str(explain(loss, group="neuron", sample=1))


# ----------------------------------------------------------------------------- README on redefinition


def test_readme_says_what_redefining_an_op_does_and_it_does():
    from pathlib import Path

    from autograd_tiny import define_op

    readme = " ".join((Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8").split())
    assert (
        "Running `define_op` again with a name you defined (a notebook cell run again) makes a new entry: values "
        "computed from then on use it, while a value built before keeps the rule it was built with, in "
        "`backward()`, `explain`, drawings and `compile_graph`; the names of built-in ops (`tanh`, `exp`, ...) "
        "cannot be taken."
    ) in readme
    twice = define_op("notation_twice", lambda x: 2 * x, [lambda x, out: 2.0], formula="2 · {0}")
    x = Value(3.0, label="x")
    old = twice(x)
    define_op("notation_twice", lambda x: 3 * x, [lambda x, out: 3.0], formula="3 · {0}")
    new = twice(x)
    assert (old.data, new.data) == (6.0, 9.0)
    old.backward()
    assert x.grad == 2.0 and "= 2 · x" in str(explain(old))
    with pytest.raises(ValueError, match="'tanh' is a built-in op; choose another name for your op"):
        define_op("tanh", lambda x: x, [lambda x, out: 1.0])
