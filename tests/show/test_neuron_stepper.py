"""The neuron-level stepper and quiz: one step per neuron, named, legible, and every number backward()'s.

``explain(loss, group="neuron").stepper()`` / ``.save_html(path)`` / ``quiz=True``, on Mazur's
2-2-2 network (his numbers: tests/paths/test_mazur.py) and on generated networks.
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_tiny import MLP, explain
from autograd_tiny.learn.losses import mse
from autograd_tiny.show.grading import diagnose
from autograd_tiny.show.neuron_stepper import TRAP_LEARNING_RATE, neuron_page_data, neuron_slips
from autograd_tiny.show.stepper import MIN_LABEL_PX, WINDOW_MAX_SCALE, page_number, page_template, read_asset
from tests.paths.test_mazur import mazur
from tests.show.test_stepper import browser  # noqa: F401  (the headless Chromium fixture)
from tests.show.test_stepper_window import TEXTS, open_at
from tests.show.test_textbook_truth import _random_case


def page_data(path):
    text = open(path, encoding="utf-8").read()
    start = text.index('type="application/json">') + len('type="application/json">')
    return json.loads(text[start : text.index("</script>", start)])


def mazur_view():
    _, E = mazur()
    return explain(E, group="neuron")


# --------------------------------------------------------------------------------------
# The page's text, with Mazur's numbers
# --------------------------------------------------------------------------------------


def test_one_frame_per_neuron_forward_then_backward_by_name(tmp_path):
    data = page_data(mazur_view().save_html(tmp_path / "mazur.html"))
    frames = data["frames"]
    # Start, 4 neurons, the loss; the backward start, 4 neurons; the summary.
    assert [f["counter"] for f in frames] == [
        "forward 0 of 5",
        "forward 1 of 5",
        "forward 2 of 5",
        "forward 3 of 5",
        "forward 4 of 5",
        "forward 5 of 5",
        "backward 0 of 4",
        "backward 1 of 4",
        "backward 2 of 4",
        "backward 3 of 4",
        "backward 4 of 4",
        "summary",
    ]
    assert data["backward"] == 6
    assert frames[1]["text"] == (
        "L1.N1: z = w1·x1 + w2·x2 + b = 0.1500 × 0.0500 + 0.2000 × 0.1000 + 0.3500 = 0.3775;  a = σ(z) = 0.5933"
    )
    assert frames[5]["text"] == "E = 0.2984: the loss, computed from the outputs of L2.N1, L2.N2"
    # The output layer first: ∂C/∂a from the loss (Mazur's ∂E/∂out_o1 = 0.74136507) × σ′(z).
    assert frames[7]["text"] == (
        "δ(L2.N1) = ∂C/∂z = ∂C/∂a × σ′(z)\n"
        "  ∂C/∂a = 0.7414, straight from the loss\n"
        "  σ′(z) = a(1 − a) = 0.1868\n"
        "  δ(L2.N1) = 0.7414 × 0.1868 = 0.1385"
    )
    # A hidden neuron: Σ w·δ of the next layer (w5 δo1 + w7 δo2 = 0.036350306) × σ′(z).
    assert frames[9]["text"] == (
        "δ(L1.N1) = ∂C/∂z = (Σ w·δ of the next layer) × σ′(z)\n"
        "  ∂C/∂a = Σ w·δ of the next layer = w1(L2.N1) × δ(L2.N1) + w1(L2.N2) × δ(L2.N2) = "
        "0.4000 × 0.1385 + 0.5000 × (−0.0381) = 0.0364\n"
        "  σ′(z) = a(1 − a) = 0.2413\n"
        "  δ(L1.N1) = 0.0364 × 0.2413 = 0.0088"
    )
    # Mazur's ∂E/∂w5 = 0.082167041 and ∂E/∂w1 = 0.000438568, at the page's 4 decimals.
    assert "∂C/∂L2.N1.w1 = aᵢₙ × δ = 0.0822" in frames[-1]["text"]
    assert "∂C/∂L1.N1.w1 = aᵢₙ × δ = 0.0004" in frames[-1]["text"]
    # The drawing: one node per neuron, named; no anonymous t1 … t14.
    svg = open(tmp_path / "mazur.html", encoding="utf-8").read()
    for name in ("L1.N1", "L1.N2", "L2.N1", "L2.N2"):
        assert f">{name} &#160;σ<" in svg  # the name and its activation, in its own box
    assert not re.search(r">t\d+<", svg)


def test_the_quiz_asks_z_and_a_forward_then_each_delta(tmp_path):
    data = page_data(mazur_view().save_html(tmp_path / "quiz.html", quiz=True))
    asked = [(q["asked"], q["question"].split(". ", 1)[1].split(":")[0]) for q in data["questions"]]
    assert asked == [
        ("z", "Neuron L1.N1"),
        ("a", "Neuron L1.N1"),
        ("z", "Neuron L1.N2"),
        ("a", "Neuron L1.N2"),
        ("z", "Neuron L2.N1"),
        ("a", "Neuron L2.N1"),
        ("z", "Neuron L2.N2"),
        ("a", "Neuron L2.N2"),
        ("δ", "Neuron L2.N1"),
        ("δ", "Neuron L2.N2"),
        ("δ", "Neuron L1.N1"),
        ("δ", "Neuron L1.N2"),
    ]
    assert data["questions"][8]["question"] == (
        "Question 9 of 12. Neuron L2.N1: what is its error δ = ∂C/∂z? (∂C/∂a = 0.7414 comes straight from the loss E)"
    )


def test_the_hidden_deltas_slips_are_named_with_mazurs_numbers():
    view = mazur_view()
    h1 = view.neuron("L1.N1")
    slips = {s.mistake: s.number for s in neuron_slips(view, h1, "delta") if s.mistake != "one-path"}
    # Mazur's trap: his w5, w7 after one step of lr 0.5, then the hidden δ with them.
    w5, w7 = 0.40 - 0.5 * 0.082167041, 0.50 - 0.5 * (-0.02260254)
    assert TRAP_LEARNING_RATE == 0.5
    assert slips["updated-weights"] == pytest.approx((w5 * 0.138498562 + w7 * -0.0380982366) * 0.241300709, abs=1e-9)
    assert slips["sign"] == -h1.delta
    assert slips["no-local"] == pytest.approx(0.036350306, abs=1e-9)  # ∂E/∂out_h1, without σ′
    assert slips["no-upstream"] == pytest.approx(0.241300709, abs=1e-9)  # σ′(z) alone
    one_path = [s.number for s in neuron_slips(view, h1, "delta") if s.mistake == "one-path"]
    assert one_path == pytest.approx([0.40 * 0.138498562 * 0.241300709, 0.50 * -0.0380982366 * 0.241300709], abs=1e-9)
    # grading.diagnose names each one, and the right answer rounded to 4 digits is right.
    all_slips = neuron_slips(view, h1, "delta")
    for mistake, number in [*slips.items(), ("one-path", one_path[0])]:
        feedback = diagnose(round(number, 6), h1.delta, all_slips, right="Right.", wrong="Not right.")
        assert (feedback.correct, feedback.mistake) == (False, mistake)
    assert diagnose(0.008771, h1.delta, all_slips, right="Right.", wrong="Not right.").correct
    assert "0.0088" not in " ".join(s.message for s in all_slips)  # a slip's message never gives the answer


def test_forward_slips():
    view = mazur_view()
    o1 = view.neuron("L2.N1")
    z = {s.mistake: s.number for s in neuron_slips(view, o1, "z")}
    a = {s.mistake: s.number for s in neuron_slips(view, o1, "a")}
    assert z == {"sign": -o1.z, "no-bias": pytest.approx(o1.z - 0.60)}
    assert a == {"sign": -o1.a, "no-activation": o1.z}
    with pytest.raises(ValueError, match="what must be 'z', 'a' or 'delta', got 'b'"):
        neuron_slips(view, o1, "b")


def test_several_samples_need_one_picked(tmp_path):
    model = MLP(2, [2, 1], activation="tanh", seed=1)
    loss = mse([model([0.5, 1.0]), model([-1.0, 0.2])], [0.5, 0.5])
    with pytest.raises(
        ValueError,
        match=r"this loss runs the network on 2 samples; pick one: explain\(loss, group='neuron', sample=0\)",
    ):
        explain(loss, group="neuron").stepper()
    data = page_data(explain(loss, group="neuron", sample=1).save_html(tmp_path / "one.html"))
    assert data["frames"][1]["text"].startswith("L1.N1: z = ")
    with pytest.raises(TypeError, match="quiz must be True or False, got str 'yes'"):
        explain(loss, group="neuron", sample=1).stepper(quiz="yes")


# --------------------------------------------------------------------------------------
# Every number the page shows is backward()'s
# --------------------------------------------------------------------------------------


def _cells_match(cells, view, ids):
    for r in view.records:
        z, a, delta = cells[ids[r.name]]
        for text, word, value in [(z, "z", r.z_node.data), (a, "a", r.a_node.data), (delta, "δ", r.z_node.grad)]:
            assert text in (f"{word} ?", f"{word} {page_number(value)}"), (r.name, text, value)


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_every_number_on_the_page_is_backwards(data):
    model, loss = _random_case(data)
    samples = explain(loss, group="neuron").samples
    view = explain(loss, group="neuron", sample=0 if samples > 1 else None)
    page, _ = neuron_page_data(view, quiz=True)
    model.zero_grad()
    loss.backward()
    ids = {r.name: f"n{i}" for i, r in enumerate(view.records)}
    for frame in page["frames"]:
        _cells_match(frame["cells"], view, ids)
    final = page["frames"][-2]["cells"]  # after the last δ: every cell known
    assert all("?" not in text for key, cells in final.items() for text in cells)
    for r in view.records:
        backward = next(f["text"] for f in page["frames"] if f["text"].startswith(f"δ({r.name}) = "))
        assert backward.endswith(f"= {page_number(r.z_node.grad)}")
        assert f"= {page_number(r.a_node.grad)}" in backward.splitlines()[1]  # ∂C/∂a
    summary = page["frames"][-1]["text"]
    if samples == 1:
        for p in model.parameters():
            assert re.search(
                re.escape(f"∂C/∂{p.label} = ") + r"[^\n]*? = " + re.escape(page_number(p.grad)) + r"(\n|$)", summary
            ), p.label
    # The quiz grades against the same truths.
    truths = [v for r in view.records for v in (r.z_node.data, r.a_node.data)]
    truths += [r.z_node.grad for r in sorted(view.records, key=lambda r: r.layer, reverse=True)]
    for question, truth in zip(page["questions"], truths):
        low, high = question["right"]
        assert low <= truth <= high


# --------------------------------------------------------------------------------------
# In Chromium: legible at 1024×768, steps, quiz
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("quiz", [False, True])
def test_mazurs_network_is_legible_at_1024_by_768(browser, tmp_path, quiz):  # noqa: F811
    path = mazur_view().save_html(tmp_path / "mazur.html", quiz=quiz)
    page = open_at(browser, path, 1024, 768)
    texts = page.evaluate(TEXTS)
    assert min(t["px"] for t in texts) >= 14
    assert all(0 <= t["left"] and t["right"] <= 1024 and 0 <= t["top"] and t["bottom"] <= 768 for t in texts)
    assert page.inner_text("#too-small") == ""
    assert "a neuron: bias b" in page.inner_text("#legend") and "intermediate values" not in page.inner_text("#legend")
    assert page.errors == []
    page.close()


def test_the_neuron_stepper_steps_with_the_keys(browser, tmp_path):  # noqa: F811
    path = mazur_view().save_html(tmp_path / "mazur.html")
    page = open_at(browser, path, 1024, 768)
    cells = "Array.from(document.querySelectorAll('#n0 text')).slice(-3).map(t => t.textContent)"
    assert page.evaluate(cells) == ["z ?", "a ?", "δ ?"]
    page.keyboard.press("ArrowRight")
    assert page.inner_text("#counter") == "forward 1 of 5"
    assert page.evaluate(cells) == ["z 0.3775", "a 0.5933", "δ ?"]
    assert page.evaluate("document.getElementById('n0').classList.contains('computed')")
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")  # the last δ: L1.N2's, flowing back from L2.N1 and L2.N2
    assert page.inner_text("#counter") == "backward 4 of 4"
    assert page.inner_text("#equation").startswith("δ(L1.N2) = ∂C/∂z = (Σ w·δ of the next layer) × σ′(z)")
    assert page.evaluate("document.querySelectorAll('path.flow').length") == 2
    marked = page.evaluate("Array.from(document.querySelectorAll('.upstream')).map(e => e.id).sort()")
    assert marked == ["n2", "n3"]
    page.keyboard.press("b")
    assert page.inner_text("#counter") == "backward 0 of 4"
    assert page.errors == []
    page.close()


def answer(page, text):
    page.fill("#answer", "")
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def test_the_neuron_quiz_grades_and_names_the_slips(browser, tmp_path):  # noqa: F811
    view = mazur_view()
    path = view.save_html(tmp_path / "quiz.html", quiz=True)
    page = open_at(browser, path, 1024, 768)
    assert page.inner_text("#counter") == "question 1 of 12 · score 0"
    assert page.inner_text("#asked") == "z"
    answer(page, "0.0275")  # without the bias
    assert page.inner_text("#feedback") == (
        "✗ 0.0275 is not right. That is Σ w·aᵢₙ without the bias: z = Σ w·aᵢₙ + b. Try again."
    )
    answer(page, "0.3775")
    assert page.inner_text("#feedback").startswith("✓ Right. L1.N1: z = w1·x1 + w2·x2 + b")
    assert page.evaluate("Array.from(document.querySelectorAll('#n0 text')).slice(-3).map(t => t.textContent)") == [
        "z 0.3775",
        "a ?",
        "δ ?",
    ]
    page.keyboard.press("Enter")
    for _ in range(7):  # a of L1.N1 … a of L2.N2: shown
        page.click("#show")
        page.click("#next-question")
    assert page.inner_text("#counter") == "question 9 of 12 · score 1"
    assert page.evaluate("document.querySelector('#cost text:last-of-type').textContent") == "data 0.2984"
    page.click("#show")
    page.click("#next-question")
    page.click("#show")
    page.click("#next-question")
    assert page.inner_text("#counter") == "question 11 of 12 · score 1"  # δ of L1.N1, hidden
    h1 = view.neuron("L1.N1")
    for slip in neuron_slips(view, h1, "delta"):
        answer(page, repr(round(slip.number, 7)))
        assert page.inner_text("#feedback") == f"✗ {round(slip.number, 7)!r} is not right. {slip.message} Try again."
    trap = next(s for s in neuron_slips(view, h1, "delta") if s.mistake == "updated-weights")
    assert trap.message.endswith("the ones the forward pass used (Mazur's trap).")
    answer(page, "0.008771")
    assert page.inner_text("#feedback").startswith("✓ Right. δ(L1.N1) = ∂C/∂z")
    page.keyboard.press("Enter")
    page.click("#show")
    page.click("#next-question")
    assert page.inner_text("#counter") == "summary"
    assert page.inner_text("#equation").startswith(
        "Score: 2 of 12 answered right (7 wrong tries, 0 with a hint, 10 shown). "
    )
    assert page.errors == []
    page.close()


def test_the_neuron_page_is_page_js_with_its_own_player(tmp_path):
    text = open(mazur_view().save_html(tmp_path / "mazur.html"), encoding="utf-8").read()
    for name in ("page.js", "neurons.js"):
        script = read_asset(name).replace("__MAX_SCALE__", repr(WINDOW_MAX_SCALE))
        assert script.replace("__MIN_LABEL_PX__", repr(MIN_LABEL_PX)) in text
    assert read_asset("stepper.js") not in text and '<body class="steps neurons">' in text
    with pytest.raises(
        ValueError, match=r"the stepper page has no player 'x\.js'; its players are stepper\.js, neurons\.js"
    ):
        page_template("x.js")
