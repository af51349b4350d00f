"""The lessons notebooks 08 and 09 teach, as saved, and the slips their checkpoints name (issue 22).

- 08: CS231n's gradient patterns (add distributes, multiply swaps, max routes), tanh rebuilt
  from exp, −, + and / with the same gradients, the `=` instead of `+=` bug at fan-out and
  forgetting `zero_grad`, each shown failing and fixed, and PyTorch's numbers (a cell that
  skips in one line without torch).
- 09: softmax and cross-entropy, ∂C/∂z = p − y derived and checked against the engine, and a
  3-class network trained with the package's `cross_entropy`.

The checkpoints follow the lab's pattern (`test_notebook_content.py`'s checks, run here on these
two notebooks); each wrong answer a student may type is run through the notebook's own cells
and must be named by its slip.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import re
import sys
from pathlib import Path

import pytest

from . import test_notebook_content as content

FOLDER = Path(__file__).resolve().parents[2] / "notebooks" / "solutions"
PATTERNS = FOLDER / "08_gradient_patterns_and_bugs.ipynb"
SOFTMAX = FOLDER / "09_softmax_and_cross_entropy.ipynb"
LESSONS = [PATTERNS, SOFTMAX]


def _cells(path: Path) -> list[dict]:
    return content._cells(path)


def _headings(cells: list[dict]) -> list[str]:
    return [
        line for c in cells if c["cell_type"] == "markdown" for line in c["text"].splitlines() if line.startswith("#")
    ]


def _printed_by(cells: list[dict], fragment: str) -> str:
    """What the one code cell whose source holds `fragment` printed."""
    (cell,) = [c for c in content._code(cells) if fragment in c["text"]]
    return content._stdout(cell)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_checkpoints_follow_the_lab_pattern(path):
    content.test_checkpoints_each_followed_by_an_asserting_cell(path)
    content.test_every_cell_that_prints_numbers_is_checked_by_an_assert(path)
    content.test_words_have_their_plurals_right(path)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_drawings_fit_a_1024_by_768_projector(path):
    sizes = [
        tuple(float(x) * 4 / 3 for x in re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
        for cell in content._code(_cells(path))
        for svg in content._svgs(cell)
    ]
    # Width only, as for notebooks 01-04: a tall drawing scrolls at full size (labels measured by
    # test_notebook_labels.py), a wide one would shrink its labels.
    too_big = [(w, h) for w, h in sizes if w > content.MAX_DRAWING_WIDTH_PX]
    assert not too_big, too_big
    assert len(sizes) == (6 if path == PATTERNS else 0)


def test_notebook_8_teaches_its_sections_in_order():
    wanted = [
        "## Three patterns you can read off a graph",
        "### Add distributes",
        "### Multiply swaps",
        "### Max routes",
        "## Granularity: tanh rebuilt from exp, −, + and /",
        "## The `=` instead of `+=` bug at fan-out",
        "## Forgetting `zero_grad()`",
        "## The same numbers in PyTorch",
    ]
    headings = _headings(_cells(PATTERNS))
    positions = [headings.index(h) for h in wanted]
    assert positions == sorted(positions)
    checkpoints = [h for h in headings if "Checkpoint" in h]
    # one checkpoint after each pattern, and one in each later section but the last
    between = [sum(1 for h in headings[a:b] if "Checkpoint" in h) for a, b in itertools.pairwise(positions)]
    assert len(checkpoints) == 6 and between == [0, 1, 1, 1, 1, 1, 1]


def test_notebook_8_shows_each_pattern_with_its_numbers():
    cells = _cells(PATTERNS)
    assert "x.grad = -2.0, y.grad = -2.0, ∂L/∂s = -2.0" in _printed_by(cells, "s = x + y")  # add copies u = −2
    assert "x.grad = -8.0 = y · u, y.grad = 6.0 = x · u" in _printed_by(cells, "t = x * y")  # multiply swaps
    routes = _printed_by(cells, "L = m * 3.0")
    assert "z.grad = 3.0, w.grad = 0.0" in routes and "a tie: first.grad = 1.0, second.grad = 0.0" in routes
    # every pattern's cell lists its backward steps with explain
    for fragment in ("s = x + y", "t = x * y"):
        assert "explain(L).steps" in next(c["text"] for c in content._code(cells) if fragment in c["text"])
    assert "(2·y)" in _printed_by(cells, "f.backward()")


def test_notebook_8_compares_every_leaf_of_tanh_and_its_small_ops_and_draws_both():
    cells = _cells(PATTERNS)
    printed = _printed_by(cells, "o_op.backward()")
    rows = re.findall(r"^∂o/∂(\w+): tanh op ([+-][\d.]+)   exp, −, \+, / ([+-][\d.]+)$", printed, re.MULTILINE)
    assert [name for name, _, _ in rows] == ["x", "w", "b"]
    assert all(one == small for _, one, small in rows)
    drawings = next(c for c in content._code(cells) if "draw_dot(o_from_exp" in c["text"])
    one_op, small_ops = content._svgs(drawings)
    assert ">tanh<" in one_op and ">exp<" not in one_op
    assert all(op in small_ops for op in (">exp<", ">/<", ">* 2<", ">+ 1<", ">&#45; 1<"))  # Graphviz writes − as &#45;
    assert "grad 0.5000" in one_op and "grad 0.5000" in small_ops  # the same ∂o/∂n in both


def test_notebook_8_shows_both_bugs_failing_then_fixed():
    cells = _cells(PATTERNS)
    fan_out = next(c for c in content._code(cells) if "def mul_backward_wrong" in c["text"])
    assert "x.grad = y.data * out.grad" in fan_out["text"] and "x.grad += y.data * out.grad" in fan_out["text"]
    printed = content._stdout(fan_out)
    assert "mul_backward_wrong: a.grad = 3.0" in printed and "mul_backward_right: a.grad = 6.0" in printed
    table = _printed_by(cells, "def train(zero_grad")
    rows = [tuple(map(float, row)) for row in re.findall(r"^\s*\d+\s+([\d.]+)\s+([\d.]+)$", table, re.MULTILINE)]
    assert len(rows) == 6  # the start and five steps
    fixed, broken = zip(*rows)
    assert list(fixed) == sorted(fixed, reverse=True) and broken[1] == fixed[1] and broken[-1] > broken[0]


def test_notebook_8_compares_with_pytorch_in_float64():
    cells = _cells(PATTERNS)
    cell = next(c for c in content._code(cells) if "import torch" in c["text"])
    assert "except ImportError:" in cell["text"] and "torch.float64" in cell["text"] and "pip" not in cell["text"]
    printed = content._stdout(cell)
    if printed.strip() != "PyTorch is not installed: skipped":
        rows = re.findall(r"^∂o/∂(\w+): engine ([+-][\d.]+)   PyTorch ([+-][\d.]+)$", printed, re.MULTILINE)
        assert [name for name, _, _ in rows] == ["x1", "x2", "w1", "w2", "b"]
        assert all(engine == torch for _, engine, torch in rows)


def _run(path: Path, answers: dict[str, str], *, until: str) -> dict[str, str]:
    """Run the solution's code cells in this process, up to the cell holding `until`, with the
    answers replaced; what each checkpoint cell printed, by its answer's name."""
    namespace: dict = {}
    printed = {}
    for cell in content._code(_cells(path)):
        text = cell["text"]
        for name, answer in answers.items():
            text = re.sub(rf"^{name} = .*# answer\b", f"{name} = {answer}  # answer", text, flags=re.MULTILINE)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(text, path.name, "exec"), namespace)
        names = re.findall(r"^(my_\w+) = ", text, re.MULTILINE)
        if names:
            printed[names[0]] = out.getvalue()
        if until in text:
            return printed
    raise AssertionError(f"no cell holds {until!r}")


# A wrong answer a student may type, and the words of the slip its check must name.
PATTERN_SLIPS = {
    "my_dL_dp": ("1.0", "local derivatives alone"),  # the + node's local 1, without the upstream k
    "my_dL_da": ("-2.0", "local derivatives alone"),  # b alone: the swap, without the upstream c
    "my_df_dz": ("1.0", "local derivatives alone"),  # max's 1, without the 2 from above
    "my_do_dw": ("2.0", "local derivatives alone"),  # x alone: the swap, without ∂o/∂(x·w)
    "my_dL_dg": ("-6.0", "is used more than once"),  # one path of g·g: the = instead of += bug
    "my_a_grad": ("-3.0", "That is the gradient of one backward()"),  # forgot that backward() accumulates
}


def test_notebook_8_names_each_checkpoints_slip():
    printed = _run(PATTERNS, {name: answer for name, (answer, _) in PATTERN_SLIPS.items()}, until="my_a_grad")
    assert set(printed) == set(PATTERN_SLIPS)
    for name, (answer, words) in PATTERN_SLIPS.items():
        assert printed[name].startswith("✗ ") and words in printed[name], (name, answer, printed[name])
        assert printed[name].count("\n") == 1


SOFTMAX_SLIPS = [  # (answer to the first checkpoint, to the second, the two slips' words)
    ("0.8247", "math.log(10) / 10", "Right size, wrong sign", None),  # y − p; the second: no slip, a hint
    ("-0.5", "1 / 3", "That is z − y", "That is the probability p of the true class"),
    ("-5.705", "math.log10(3)", "That is one local derivative, not the total derivative", "log to base ten"),
    ("0.1753", "-math.log(3)", "That is p alone", "Right size, wrong sign"),
]


@pytest.mark.parametrize("first, second, first_words, second_words", SOFTMAX_SLIPS)
def test_notebook_9_names_each_checkpoints_slip(first, second, first_words, second_words):
    printed = _run(SOFTMAX, {"my_dC_dz_true": first, "my_C_equal": second}, until="my_C_equal")
    assert printed["my_dC_dz_true"].startswith("✗ ") and first_words in printed["my_dC_dz_true"]
    assert printed["my_C_equal"].startswith("✗ ")
    if second_words is None:
        assert printed["my_C_equal"] == (
            "✗ C for equal scores: not yet. Hint: equal scores give equal probabilities; then take −log of the true "
            "class's.\n"
        )
    else:
        assert second_words in printed["my_C_equal"]


def test_without_pytorch_the_torch_cell_prints_one_line_and_skips(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` raises ImportError
    namespace: dict = {}
    for cell in content._code(_cells(PATTERNS)):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(cell["text"], PATTERNS.name, "exec"), namespace)
        if "import torch" in cell["text"]:
            break
    assert out.getvalue() == "PyTorch is not installed: skipped\n"


def test_notebook_9_derives_p_minus_y_and_checks_it_on_huge_scores():
    cells = _cells(SOFTMAX)
    prose = "\n".join(c["text"] for c in cells if c["cell_type"] == "markdown")
    for formula in (
        r"p_i = \frac{e^{z_i}}{\sum_j e^{z_j}}",
        r"C = -\sum_i y_i \log p_i = -\log p_k",
        r"C = -z_k + \log \sum_j e^{z_j}",
        r"\frac{\partial C}{\partial z_i} = p_i - y_i",
    ):
        assert formula in prose, formula
    softmax = next(c["text"] for c in content._code(cells) if "def softmax(" in c["text"])
    assert "top = max(z.data for z in scores)" in softmax and "(z - top).exp()" in softmax
    printed = _printed_by(cells, "examples = [")
    checked = re.findall(r"^z = \[(.*)\], class \d:\n   engine (\[.*\])   p − y (\[.*\])$", printed, re.MULTILINE)
    assert len(checked) == 4 and any("1000.0" in scores for scores, _, _ in checked)
    assert all(engine == expected for _, engine, expected in checked)


def test_notebook_9_trains_a_three_class_mlp_with_the_packages_cross_entropy():
    cells = _cells(SOFTMAX)
    training = next(c for c in content._code(cells) if "optimizer.step()" in c["text"])
    assert "MLP(2, [16, 3]" in training["text"] and "cross_entropy([model(x) for x in X], Y)" in training["text"]
    assert "classes=3" in training["text"] and "range(100)" in training["text"]
    loss = re.search(r"loss ([\d.]+) before training, ([\d.]+) after 100 steps", content._stdout(training))
    assert loss and float(loss[2]) < float(loss[1]) / 5
    accuracy = re.search(r"accuracy on the 60 points: (\d+)%", content._stdout(training))
    assert accuracy and int(accuracy[1]) > 90
    plot = next(c for c in content._code(cells) if "plt.show()" in c["text"])
    assert any("image/png" in o.get("data", {}) for o in plot["outputs"]) and "legend(" in plot["text"]
