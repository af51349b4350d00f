"""What the saved teaching notebooks say and show: a teacher can run them as a lab (issue 14).

These tests read the solution notebooks as saved (with their outputs; the student notebooks
are built from them, see test_lab_notebooks.py); `test_notebooks.py` runs both.
The notebooks' own `assert` cells check their numbers; here we check that those cells exist,
that the lecture's names are used everywhere, and that the pictures fit a 1024×768 projector.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

FOLDER = Path(__file__).resolve().parents[2] / "notebooks" / "solutions"
NOTEBOOKS = sorted(FOLDER.glob("0[1-4]_*.ipynb"))
# notebooks whose checkpoints follow the same pattern (issue 22 turns them into student blanks)
WITH_CHECKPOINTS = [*NOTEBOOKS, *sorted(FOLDER.glob("07_*.ipynb"))]
# 07: four sections, one checkpoint each; 08 and 09: see test_notebook_lessons.py; the others have 2 or 3
CHECKPOINTS_ALLOWED = {"07": (4, 4), "08": (6, 6), "09": (2, 2)}

# 9.5 inches at 96 px per inch: the widest drawing that fits a notebook cell at 1024 px.
MAX_DRAWING_WIDTH_PX = 912
MAX_DRAWING_HEIGHT_PX = 700


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
    assert [p.name[:2] for p in WITH_CHECKPOINTS] == ["01", "02", "03", "04", "07"]


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
        if re.search(r"\d", _stdout(c))
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
    assert "a = 2, b = −3, c = 10, f = −2" in prose
    for line in (
        'e = a * b; e.label = "e"',
        'd = e + c; d.label = "d"',
        'L = d * f; L.label = "L"',
        'c = Value(10.0, label="c")',
        'f = Value(-2.0, label="f")',
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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_drawings_fit_a_1024_by_768_projector(path):
    for cell in _code(_cells(path)):
        for svg in _svgs(cell):
            width, height = (
                float(x) * 4 / 3 for x in re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
            )
            assert width <= MAX_DRAWING_WIDTH_PX and height <= MAX_DRAWING_HEIGHT_PX, (
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
