"""What the saved teaching notebooks say and show: a teacher can run them as a lab (issue 14).

These tests read the solution notebooks as saved (with their outputs; the student notebooks
are built from them, see test_lab_notebooks.py); `test_notebooks.py` runs both.
The notebooks' own `assert` cells check their numbers; here we check that those cells exist,
that the lecture's names are used everywhere, and that the pictures fit a 1024×768 projector.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest

from tests.show.test_stepper import browser  # noqa: F401  (the headless Chromium fixture)

FOLDER = Path(__file__).resolve().parents[2] / "notebooks" / "solutions"
NOTEBOOKS = sorted(FOLDER.glob("0[1-4]_*.ipynb"))
# notebooks whose checkpoints follow the same pattern (issue 22 turns them into student blanks)
WITH_CHECKPOINTS = [*NOTEBOOKS, *sorted(FOLDER.glob("0[567]_*.ipynb"))]
# 01, 02: four each; 04: update, hinge term, the jump, updates per epoch; 05: six hand computations,
# one per step of Mazur's example; 07: four sections, one each; 08 and 09: see test_notebook_lessons.py;
# the others have 2 or 3
CHECKPOINTS_ALLOWED = {"01": (4, 4), "02": (4, 4), "04": (4, 4), "05": (6, 6), "07": (4, 4), "08": (6, 6), "09": (2, 2)}

# 9.5 inches at 96 px per inch: the widest drawing that fits a notebook cell at 1024 px.
MAX_DRAWING_WIDTH_PX = 912


def _cells(path: Path) -> list[dict]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        cell["text"] = "".join(cell["source"])
    return cells


def _code(cells: list[dict]) -> list[dict]:
    return [c for c in cells if c["cell_type"] == "code"]


def _stdout(cell: dict) -> str:
    return "".join("".join(o.get("text", "")) for o in cell.get("outputs", []) if o["output_type"] == "stream")


def _svgs(cell: dict) -> list[str]:
    return [
        "".join(o["data"]["image/svg+xml"]) for o in cell.get("outputs", []) if "image/svg+xml" in o.get("data", {})
    ]


def _by_name(name: str) -> list[dict]:
    return _cells(FOLDER / name)


def test_the_four_notebooks_are_checked():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04"]
    assert [p.name[:2] for p in WITH_CHECKPOINTS] == ["01", "02", "03", "04", "05", "06", "07"]


@pytest.mark.parametrize("path", WITH_CHECKPOINTS, ids=lambda p: p.name)
def test_checkpoints_each_followed_by_an_asserting_cell(path):
    cells = _cells(path)
    checkpoints = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and "Checkpoint" in c["text"]]
    fewest, most = CHECKPOINTS_ALLOWED.get(path.name[:2], (2, 3))
    assert fewest <= len(checkpoints) <= most, f"{path.name} has {len(checkpoints)} checkpoints"
    for i in checkpoints:
        heading = next(line for line in cells[i]["text"].splitlines() if line.strip())
        assert re.match(
            r"#+ Checkpoint \d: (predict, then run|compute by hand|change one thing and explain|count by hand)$",
            heading,
        ), heading
        answer = cells[i + 1]
        assert answer["cell_type"] == "code" and re.search(r"\bcheck_\w+\(", answer["text"]), f"{path.name}: {heading}"
        assert re.search(r"^my_\w+ = .*# answer", answer["text"], re.MULTILINE), answer["text"]
        assert _stdout(answer).startswith("✓ ")


@pytest.mark.parametrize("path", WITH_CHECKPOINTS, ids=lambda p: p.name)
def test_every_cell_that_prints_numbers_is_checked_by_an_assert(path):
    code = _code(_cells(path))
    unchecked = [
        c["text"].splitlines()[0]
        for k, c in enumerate(code)
        # a check's line (✓/○/✗, autograd_tiny.show.checkpoints) grades an answer: not a number to assert
        if re.search(r"\d", re.sub(r"^[✓○✗] .*$", "", _stdout(c), flags=re.MULTILINE))
        and "assert" not in c["text"]
        and not (k + 1 < len(code) and "assert" in code[k + 1]["text"])
    ]
    assert not unchecked, f"{path.name}: cells print numbers that no assert checks: {unchecked}"
    assert sum(c["text"].count("assert ") for c in code) >= 8


@pytest.mark.parametrize("name", ["01_values_and_graphs.ipynb", "02_chain_rule_step_by_step.ipynb"])
def test_the_lecture_expression_is_named_as_in_the_lecture(name):
    cells = _by_name(name)
    prose = " ".join(" ".join(c["text"].split()) for c in cells if c["cell_type"] == "markdown")
    code = "\n".join(c["text"] for c in _code(cells))
    for formula in ("e = a·b", "d = e + c", "L = d·f"):
        assert formula in prose
    # the lecture's numbers are SEED = 0's, and the prose says so (another SEED gives others)
    assert "a = 2, b = −3, c = 10, f = −2" in prose and "with SEED = 0" in prose
    assert "return 2.0, -3.0, 10.0, -2.0" in code and "a_, b_, c_, f_ = lecture_numbers(SEED)" in code
    for line in (
        'e = a * b; e.label = "e"',
        'd = e + c; d.label = "d"',
        'L = d * f; L.label = "L"',
        'c = Value(c_, label="c")',
        'f = Value(f_, label="f")',
    ):
        assert line in code
    assert "L = e * f" not in code and 'label="c")\nd = Value' not in code


def test_notebook_1_draws_no_gradients_before_notebook_2_defines_them():
    cells = _by_name("01_values_and_graphs.ipynb")
    appendix = next(i for i, c in enumerate(cells) if "## Appendix" in c["text"])
    lesson = cells[:appendix]
    assert not any("backward()" in c["text"] for c in _code(lesson))
    assert not any("grad " in svg for c in _code(lesson) for svg in _svgs(c))
    assert "notebook 2" in cells[0]["text"]
    # the micrograd block is the appendix, at the end
    assert "micrograd" in cells[appendix]["text"] and all(c["cell_type"] == "code" for c in cells[appendix + 1 :])


def test_notebook_1_draws_the_constant_its_text_promises():
    cells = _by_name("01_values_and_graphs.ipynb")
    constants = next(i for i, c in enumerate(cells) if c["text"].startswith("## Constants"))
    drawing = cells[constants + 1]
    assert "* 3" in cells[constants]["text"]
    assert any(">* 3<" in svg for svg in _svgs(drawing))


def test_notebook_2_follows_the_lectures_order():
    headings = [
        line
        for c in _by_name("02_chain_rule_step_by_step.ipynb")
        if c["cell_type"] == "markdown"
        for line in c["text"].splitlines()
        if line.startswith("#")
    ]
    wanted = [
        "## What a derivative is",
        "## Nudging the inputs",
        "## Local derivatives",
        "## The chain rule",
        "## The same numbers from `explain`",
        "## gradcheck",
        "## Nudge the leaves along the gradient",
        "## How `backward()` orders the graph",
        "## Appendix",
    ]
    text = "\n".join(headings)
    positions = [text.find(h) for h in wanted]
    assert -1 not in positions, dict(zip(wanted, positions))
    assert positions == sorted(positions)


def test_notebook_2_plots_the_slope_and_draws_frames_step_by_step():
    cells = _by_name("02_chain_rule_step_by_step.ipynb")
    code = _code(cells)
    assert any("image/png" in o.get("data", {}) for o in code[0]["outputs"]) and "tangent" in code[0]["text"]
    frames = next(c for c in code if "steps.draw(step=" in c["text"])
    drawn = _svgs(frames)
    assert len(drawn) == 7  # step 0 and one frame per edge
    # gradients fill in step by step: one more known value per frame
    assert [svg.count("grad ?") for svg in drawn] == [6, 5, 4, 3, 2, 1, 0]
    # the frames are not shrunk to fit (top to bottom fits), and the red edge's arrowhead points
    # back, the way its gradient flows, as the stepper's red arrow does (and the text says so)
    assert "size=" not in frames["text"] and 'rankdir="TB"' in frames["text"]
    before = " ".join(cells[cells.index(frames) - 1]["text"].split())
    assert "the red edge is the one the gradient flows back along" in before and "Its arrowhead points back" in before


def test_notebook_3_explains_a_grouped_neurons_grad_and_names_a_bias_bias():
    cells = _by_name("03_neuron_layer_mlp.ipynb")
    prose = "\n".join(c["text"] for c in cells if c["cell_type"] == "markdown")
    code = "\n".join(c["text"] for c in _code(cells))
    assert "∂score/∂output" in prose and "dead" in prose and "local\nderivative is 0" in prose
    assert not re.search(r"^\s*w = .*(\.b\b|parameters\(\)\[-1\])", code, re.MULTILINE)
    assert re.search(r"^bias = .*parameters\(\)\[-1\]", code, re.MULTILINE)


def test_notebook_4_labels_losses_after_the_updates_they_follow():
    cells = _by_name("04_training_on_moons.ipynb")
    code = _code(cells)
    summary = next(c for c in code if "after 1 step" in c["text"])
    assert "after 1 step {losses[1]" in summary["text"] and "after 40 steps {losses[40]" in summary["text"]
    printed = dict(
        re.findall(
            r"^(sgd|adam)\s*: loss before training [\d.]+, after 1 step ([\d.]+)", _stdout(summary), re.MULTILINE
        )
    )
    assert set(printed) == {"sgd", "adam"} and printed["sgd"] != printed["adam"]
    # the hand-written update comes before any optimizer
    texts = [c["text"] for c in code]
    hand = next(i for i, t in enumerate(texts) if "p.data -= lr * p.grad" in t)
    assert hand < next(i for i, t in enumerate(texts) if "opt.step()" in t)
    assert "max(0, 1 − yᵢ·scoreᵢ)" in "\n".join(c["text"] for c in cells if c["cell_type"] == "markdown")


def test_notebook_4_plots_use_safe_colours_and_legends():
    code = _code(_by_name("04_training_on_moons.ipynb"))
    source = "\n".join(c["text"] for c in code)
    assert "coolwarm" not in source and "cmap=" not in source
    assert all(k in source for k in ("#0072B2", "#E69F00", "#009E73"))  # Okabe–Ito
    for cell in code:
        if "scatter(" in cell["text"] or ".plot(" in cell["text"]:
            assert "legend(" in cell["text"], cell["text"].splitlines()[0]


def _prose(cells: list[dict]) -> str:
    return " ".join(" ".join(c["text"].split()) for c in cells if c["cell_type"] == "markdown")


def test_notebook_4_says_its_sgd_steps_are_full_batch_and_compares_batch_sizes():
    cells = _by_name("04_training_on_moons.ipynb")
    prose = _prose(cells)
    assert "full-batch gradient descent" in prose and "every update uses the loss over all 60 points" in prose
    assert "## Full batch, mini-batch, stochastic" in "\n".join(c["text"] for c in cells)
    code = _code(cells)
    runs = next(c for c in code if "def train_in_batches" in c["text"])
    printed = re.findall(
        r"^(full batch|mini-batch|stochastic) \(B = (\d+)\)\s*: (\d+) samples seen in\s+(\d+) updates",
        _stdout(runs),
        re.M,
    )
    # the same samples seen, 60 / B updates per epoch for 20 epochs
    assert printed == [
        ("full batch", "60", "1200", "20"),
        ("mini-batch", "10", "1200", "120"),
        ("stochastic", "1", "1200", "1200"),
    ]
    assert any("image/png" in o.get("data", {}) for o in runs["outputs"])
    checkpoint = next(i for i, c in enumerate(cells) if c["text"].startswith("### Checkpoint 4: count by hand"))
    answer = cells[checkpoint + 1]["text"]
    assert "check_count(" in answer and all(s in answer for s in ("samples-not-updates", "dropped-last-batch"))


def test_notebook_4_shows_a_bias_is_a_weight_on_an_input_of_1_and_says_l2_covers_biases():
    cells = _by_name("04_training_on_moons.ipynb")
    prose = _prose(cells)
    assert "### A bias is a weight whose input is always 1" in "\n".join(c["text"] for c in cells)
    bias = next(c for c in _code(cells) if "[w, b] · [x, 1]" in c["text"])
    shown = re.findall(r"= (-?[\d.]+)", _stdout(bias))
    assert len(shown) == 4 and shown[0] == shown[1] and shown[2] == shown[3]
    assert "The L2 penalty covers the biases too." in prose
    l2 = next(c for c in _code(cells) if "weights + biases" in c["text"])
    assert re.search(r"^105 parameters = 88 weights \+ 17 biases$", _stdout(l2), re.M)


def test_notebook_4_quotes_seed_dependent_numbers_only_for_seed_0():
    cells = _by_name("04_training_on_moons.ipynb")
    assert "SEED = 0  # your student number here" in _code(cells)[0]["text"]
    jump = next(c for c in cells if c["text"].startswith("**The jump at step 1"))
    assert jump["text"].startswith("**The jump at step 1 (with SEED = 0).**")
    code = "\n".join(c["text"] for c in _code(cells))
    assert "seed=1337" not in code and "seed=MODEL_SEED" in code


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_drawings_fit_a_1024_by_768_projector(path):
    # Width only: a drawing wider than the page shrinks its labels, while a tall one scrolls at
    # full size (test_notebook_labels.py measures every label at 14 px or more in Chromium).
    for cell in _code(_cells(path)):
        for svg in _svgs(cell):
            width, height = (
                float(x) * 4 / 3 for x in re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
            )
            assert width <= MAX_DRAWING_WIDTH_PX, (
                cell["text"].splitlines()[-1],
                width,
                height,
            )


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if not p.name.startswith("04")], ids=lambda p: p.name)
def test_the_first_drawing_has_its_colours_explained(path):
    cells = _cells(path)
    first = next(i for i, c in enumerate(cells) if c["cell_type"] == "code" and _svgs(c))
    after = cells[first + 1]
    assert "blue: inputs" in _svgs(cells[first])[0] or (
        after["cell_type"] == "markdown" and after["text"].startswith("Colours")
    )


@pytest.mark.parametrize("path", WITH_CHECKPOINTS, ids=lambda p: p.name)
def test_words_have_their_plurals_right(path):
    cells = _cells(path)
    # prose and what the cells printed or drew (code may test for the wrong plural)
    text = "\n".join((c["text"] if c["cell_type"] == "markdown" else _stdout(c) + "".join(_svgs(c))) for c in cells)
    assert not re.search(r"\b1 (neurons|steps|values|updates|layers)\b", text)


def test_notebook_7_follows_the_issue_in_order_and_says_its_times_are_extrapolated():
    cells = _by_name("07_forward_reverse_and_second_derivatives.ipynb")
    headings = "\n".join(
        line for c in cells if c["cell_type"] == "markdown" for line in c["text"].splitlines() if line.startswith("#")
    )
    wanted = [
        "## Dual numbers by hand",
        "## In what sense is backprop fast?",
        "### The one case where forward mode wins: one input, many outputs",
        "## Derivatives of derivatives: Newton's method",
        "## The curvature picture of tanh",
    ]
    positions = [headings.find(h) for h in wanted]
    assert -1 not in positions and positions == sorted(positions), dict(zip(wanted, positions))
    prose = " ".join(" ".join(c["text"].split()) for c in cells if c["cell_type"] == "markdown")
    assert "a = 2, b = −3, c = 10, f = −2" in prose and "Nielsen" in prose
    code = _code(cells)
    source = "\n".join(c["text"] for c in code)
    for call in ("jvp(lecture,", 'explain(L, mode="forward", wrt=a)', "sweep_counts(loss, wrt=params)"):
        assert call in source, call
    assert "grad(grad(f))" in source and "grad(grad(tanh))" in source
    # forward mode is timed on a subset and the notebook says so in its output
    timing = next(c for c in code if "perf_counter" in c["text"])
    printed = _stdout(timing)
    assert "measured on 20 parameters" in printed and "x 337 sweeps" in printed and "(extrapolated)" in printed
    newton = next(c for c in code if "def newton" in c["text"])
    steps = dict(re.findall(r"^(Newton|gradient descent):\s+x = [\d.]+ after (\d+) steps", _stdout(newton), re.M))
    assert int(steps["Newton"]) < 10 < 50 < int(steps["gradient descent"])
    curvature = next(c for c in code if "grad(grad(tanh))(x)" in c["text"])
    assert any("image/png" in o.get("data", {}) for o in curvature["outputs"])
    assert "-2 * t * (1 - t * t)" in curvature["text"]


def test_notebook_6_words_its_bounds_as_the_review_asked():
    cells = _by_name("06_vanishing_gradients.ipynb")
    prose = _prose(cells)
    # the factor is the most that can survive; δ shrinks by at least 4⁶
    assert "at most some fraction of δ survives: what is that largest fraction?" in prose
    assert "it shrinks by a factor of at least $4^n$ ($4^6 = 4096$ for six layers)" in prose
    # "below 1/4" while the cell prints 0.250
    assert "every $\\sigma'(z^l)$ here is at most $1/4$" in prose and "is below $1/4$" not in prose
    # the output layer is as stuck as the first, and why
    assert "**every input gets nearly the same score**" in prose and "as small as the first layer's" in prose
    stuck = next(c for c in _code(cells) if "batch gradient size" in c["text"])
    sigmoid = re.search(
        r"^sigmoid\s+scores from ([-+][\d.]+) to ([-+][\d.]+);.* L1 ([\d.e+-]+), L7 \(output\) ([\d.e+-]+)$",
        _stdout(stuck),
        re.M,
    )
    low, high, first, output = map(float, sigmoid.groups())
    assert high - low < 1e-3 and first < 1e-3 and output < 1e-3
    # the checks use a tolerance (4 significant digits), not an exact ==
    code = "\n".join(c["text"] for c in _code(cells))
    assert "check_number(" in code and not re.search(r"assert my_\w+ ==", code)


def test_notebook_7_checks_name_the_slips_of_their_questions():
    cells = _by_name("07_forward_reverse_and_second_derivatives.ipynb")
    answers = [cells[i + 1]["text"] for i, c in enumerate(cells) if c["text"].startswith("### Checkpoint")]
    wanted = [
        ("check_number(", "local-not-total", "seeded-a"),
        ("check_count(", "forgot-biases", "neurons-not-parameters"),
        ("check_number(", "added-step", "upside-down"),
        ("check_number(", "slope-not-curvature"),
    ]
    assert len(answers) == len(wanted)
    for answer, words in zip(answers, wanted):
        assert all(word in answer for word in words), answer


@pytest.mark.parametrize(
    "path", [*sorted(FOLDER.parent.glob("*.ipynb")), *sorted(FOLDER.glob("*.ipynb"))], ids=lambda p: str(p)[-40:]
)
def test_every_saved_drawing_carries_a_png_for_an_untrusted_notebook(path):
    # JupyterLab hides SVG in an untrusted notebook but shows PNG (issue 22, item 5).
    import base64

    drawings = [o for c in _code(_cells(path)) for o in c["outputs"] if "image/svg+xml" in o.get("data", {})]
    for output in drawings:
        png = base64.b64decode("".join(output["data"].get("image/png", "")))
        assert png.startswith(b"\x89PNG\r\n\x1a\n"), "".join(output["data"]["image/svg+xml"])[:200]
        width, height = (
            float(x) * 4 / 3
            for x in re.search(
                r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', "".join(output["data"]["image/svg+xml"])
            ).groups()
        )
        shown = output["metadata"]["image/png"]
        assert abs(shown["width"] - width) <= 2 and abs(shown["height"] - height) <= 2  # same size as the SVG


# Notebooks 1-3's checkpoints name the slips their questions invite (issue 22): a wrong answer
# typed into the solution (an expression in the notebook's own names, so it holds for any SEED)
# and words the check must print. "Hint:" alone: a wrong answer no slip explains gets the hint.
SLIPS_NAMED = {
    "01_values_and_graphs.ipynb": [
        ("my_L", "L.data", "That is L before the change"),
        ("my_L", "L.data - 1", "That lowers L itself by one"),
        ("my_L", "d.data * (f.data - 1) + 0.5", "Hint: d = a·b + c does not use f"),
        ("my_values", "4", "That counts the inputs only"),
        ("my_values", "len(seen) + len(operations)", "That counts the ovals too"),
        ("my_operations", "2", "That counts the kinds of operation"),
        ("my_count", "5", "That counts the constants as values"),
    ],
    "02_chain_rule_step_by_step.ipynb": [
        ("my_x", "6 / 4", "That divides the wrong way round"),
        ("my_dL_db", "a.data", "That is the local derivative alone"),
        ("my_dL_db", "f.data", "That is one local derivative, not the total derivative"),
        ("my_dc_da", "3 * x.data", "a is used more than once"),
        ("my_dc_da", "2 * x.data + 2", "That adds up local derivatives alone"),
        ("my_direction", '"up"', "You added the step"),
        ("my_direction", '"sideways"', "Answer one of 'up', 'down'."),
        ("my_cube_derivative", "lambda x, out: x**2", "✗ gradcheck on your cube: not yet. Hint: the power rule"),
        ("my_cube_derivative", "lambda x: 3 * x**2", "✗ gradcheck on your cube: not yet."),
    ],
    "03_neuron_layer_mlp.ipynb": [
        ("my_dw2", "x[1].data", "That leaves out tanh's local derivative"),
        ("my_dw2", "-x[1].data * (1 - out.data**2)", "Right size, wrong sign"),
        ("my_dw2", "1 - out.data**2", "That is tanh's slope alone"),
        ("my_count", "sum(n_in * n_out for n_in, n_out in layers)", "You counted the weights but not the biases"),
        ("my_count", "sum(sizes)", "That counts the neurons"),
        ("my_bias_grad", "hidden2[m].grad", "That is ∂score/∂output, the grad in the neuron's box"),
    ],
}


@pytest.mark.parametrize("seed", [0, 20261202])
@pytest.mark.parametrize("name", sorted(SLIPS_NAMED))
def test_notebooks_1_to_3_name_the_slips_their_checkpoints_invite(name, seed):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(FOLDER / name, as_version=4)
    first = next(c for c in notebook.cells if c.cell_type == "code")
    first.source = re.sub(r"^SEED = 0\b", f"SEED = {seed}", first.source, flags=re.MULTILINE)
    tried = []
    for answer, wrong, words in SLIPS_NAMED[name]:
        index = next(
            i for i, c in enumerate(notebook.cells) if re.search(rf"^{answer} = .*# answer", c.source, re.MULTILINE)
        )
        cell = notebook.cells[index]
        source = re.sub(rf"^{answer} = .*$", f"{answer} = {wrong}  # answer", cell.source, flags=re.MULTILINE)
        copy = nbformat.v4.new_code_cell(source)
        notebook.cells.insert(index + 1, copy)  # run right after the checkpoint it changes
        tried.append((copy, words))
    nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(FOLDER.parent)}}
    ).execute()
    for cell, words in tried:
        printed = _stdout(cell).strip()
        assert printed.startswith("✗ ") and words in printed and len(printed.splitlines()) == 1, (cell.source, printed)


def test_notebook_2_says_how_its_quiz_cell_moves_on(browser, tmp_path):  # noqa: F811
    # The quiz does not step with the arrow keys (they would skip questions): Enter answers and
    # Enter again goes on. The text before the cell says so, and the saved cell does so.
    cells = _by_name("02_chain_rule_step_by_step.ipynb")
    index = next(i for i, c in enumerate(cells) if c["cell_type"] == "code" and "stepper(quiz=True)" in c["text"])
    text = " ".join(cells[index - 1]["text"].split())
    assert "press Enter; Enter again" in text and "In a quiz the arrow keys do not step" in text
    (output,) = cells[index]["outputs"]
    page_path = tmp_path / "quiz_cell.html"
    page_path.write_text("<!DOCTYPE html><html><body>" + "".join(output["data"]["text/html"]), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    page.goto(page_path.as_uri())
    quiz = page.frames[1]
    quiz.wait_for_function("document.getElementById('counter').textContent !== ''")
    page.locator("iframe").click(position={"x": 500, "y": 500})
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert quiz.inner_text("#counter") == "question 1 of 6 · score 0"
    quiz.click("#answer")
    page.keyboard.type("-2")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert quiz.inner_text("#counter") == "question 2 of 6 · score 1"
    page.close()


NOTEBOOK_5 = "05_backprop_by_hand.ipynb"


def _run_notebook_5_with(answer: str, typed: str) -> str:
    """Run notebook 05's solution in-process up to the checkpoint that asks for `answer` (a my_
    name), with `typed` as the answer; return what that checkpoint printed."""
    namespace: dict = {}
    for cell in _code(_by_name(NOTEBOOK_5)):
        text = re.sub(rf"^{answer} = .*# answer.*$", f"{answer} = {typed}  # answer", cell["text"], flags=re.M)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(text, NOTEBOOK_5, "exec"), namespace)
        if text != cell["text"]:
            return printed.getvalue()
    raise AssertionError(f"no answer line for {answer}")


# (answer, what a learner types, what the check must say): each checkpoint's slips by name.
NOTEBOOK_5_SLIPS = [
    ("my_z_o2", "w7 * h1 + w8 * h2", "You left out the bias"),
    ("my_z_o2", "sigmoid(w7 * h1 + w8 * h2 + b2)", "That is out_o2 = σ(z)"),
    ("my_z_o2", "w5 * h1 + w6 * h2 + b2", "That is z of L2.N1"),
    ("my_delta_o2", "(t2 - out_o2) * out_o2 * (1 - out_o2)", "Right size, wrong sign"),
    ("my_delta_o2", "out_o2 - t2", "You left out the activation's slope"),
    ("my_delta_o2", "2 * (out_o2 - t2) * out_o2 * (1 - out_o2)", "squared error without its ½"),
    ("my_w5_new", "w5 + lr * h1 * delta_o1", "You added the step"),
    ("my_w5_new", "w5 - h1 * delta_o1", "You subtracted the whole gradient"),
    ("my_w5_new", "lr * h1 * delta_o1", "the step η · ∂E/∂w5 alone"),
    # Mazur's trap, typed as the number the notebook prints for it (SEED = 0): named.
    ("my_delta_h2", "0.008472592", "You used a weight after its update"),
    ("my_delta_h2", "(w6_new * delta_o1 + w8_new * delta_o2) * h2 * (1 - h2)", "You used a weight after its update"),
    ("my_delta_h2", "w6 * delta_o1 + w8 * delta_o2", "You left out the activation's slope"),
    ("my_delta_h2", "w6 * delta_o1 * h2 * (1 - h2)", "That counts one path only"),
    ("my_delta_h2", "w8 * delta_o2 * h2 * (1 - h2)", "That counts one path only"),
    ("my_delta_h2", "(w5 * delta_o1 + w7 * delta_o2) * h2 * (1 - h2)", "Those are h1's weights"),
    ("my_dE_dw3", "i1", "That is one local derivative, not the total derivative"),
    ("my_dE_dw3", "delta_h2", "That is the upstream gradient alone"),
    ("my_dE_dw3", "i1 * trap_h2", "You used a weight after its update"),
    ("my_dE_dw3", "i2 * delta_h2", "That is ∂E/∂w4"),
    ("my_dE_db_h2", "1", "That is one local derivative, not the total derivative"),
    ("my_dE_db_h2", "trap_h2", "You used a weight after its update"),
    ("my_dE_db_h2", "delta_h1 + delta_h2", "Mazur's shared b1"),
]


@pytest.mark.parametrize(("answer", "typed", "named"), NOTEBOOK_5_SLIPS, ids=lambda x: str(x)[:30])
def test_notebook_5_checks_name_each_slip(answer, typed, named):
    printed = _run_notebook_5_with(answer, typed)
    assert printed.startswith("✗ ") and named in printed, printed


def test_notebook_5_checks_accept_a_rounded_answer_and_never_print_the_truth():
    assert _run_notebook_5_with("my_w5_new", "0.3589").startswith("✓ w5⁺: right.")  # 0.35891648 (SEED = 0)
    wrong = _run_notebook_5_with("my_w5_new", "0.5")
    assert wrong == "✗ w5⁺: not yet. Hint: w⁺ = w − η · ∂E/∂w, η = lr.\n"


def test_notebook_5_has_mazurs_trap_and_his_errors_after_1_and_10000_steps():
    cells = _by_name(NOTEBOOK_5)
    headings = [c["text"].splitlines()[0] for c in cells if c["cell_type"] == "markdown"]
    trap = headings.index("## δ of the hidden neurons (equation 2), and Mazur's trap")
    assert headings[trap + 1] == "### Checkpoint 4: compute by hand"  # δ_h2, with the trap named by its check
    assert "## 10,000 steps" in headings
    code = _code(cells)
    printed = "".join(_stdout(c) for c in code)
    assert "updated w5+…w8+ (trap):  δ_h1 = 0.007294458   δ_h2 = 0.008472592" in printed
    assert "E after one step:       0.291027774\nE after a trapped step: 0.291027924" in printed
    assert "after 9,999 steps:  E = 0.0000351085\nafter 10,000 steps: E = 0.0000351019" in printed
    assert re.search(r"^10,000 steps took \d+\.\d s$", printed, re.M)
    # Mazur's published numbers are asserted only for his network (SEED = 0).
    source = "\n".join(c["text"] for c in code)
    for number in ("0.291027924", "0.0000351085", "0.138498562", "0.35891648", "0.298371109"):
        for line in [line for line in source.splitlines() if number in line]:
            block = source[: source.index(line)].rsplit("\nif ", 1)[-1]
            assert block.startswith("SEED == 0:") and line.startswith("    "), line


def test_notebook_5_says_the_mlp_builds_one_sum_node_per_neuron():
    prose = " ".join(" ".join(c["text"].split()) for c in _by_name(NOTEBOOK_5) if c["cell_type"] == "markdown")
    assert "The default MLP builds one Σ node per neuron" in prose
    assert "chain of `*` and `+`" not in prose
    # A number of Mazur's network in the prose says it is his (SEED = 0): a student's differ.
    for cell in _by_name(NOTEBOOK_5):
        if cell["cell_type"] == "markdown" and re.search(r"\d\.\d{5,}", cell["text"]):
            assert "SEED = 0" in cell["text"], cell["text"]


def test_notebook_5_drawing_fits_the_width_at_natural_size():
    # The grouped graph of Mazur's network is a long chain: drawn top to bottom it is narrow enough
    # to show at natural size (labels unscaled) in a notebook at 1024 px; the page scrolls down.
    widths = [
        float(re.search(r'<svg width="([\d.]+)pt"', svg)[1]) * 4 / 3
        for cell in _code(_by_name(NOTEBOOK_5))
        for svg in _svgs(cell)
    ]
    assert widths and all(width <= MAX_DRAWING_WIDTH_PX for width in widths), widths
