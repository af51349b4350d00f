"""The lab as a teacher hands it out: student notebooks with blanks, solutions apart, one source.

- ``notebooks/solutions/*.ipynb`` are the source; ``tools/build_notebooks.py`` makes each
  ``notebooks/*.ipynb`` from its solution (answers blanked to ``...``), so the two never drift.
- A student notebook runs top to bottom unanswered: every check prints "not answered yet".
- A solution passes every check.
- A sign slip typed into any number checkpoint is named by the check.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))
STUDENTS = sorted((ROOT / "notebooks").glob("*.ipynb"))

_spec = importlib.util.spec_from_file_location("build_notebooks", ROOT / "tools" / "build_notebooks.py")
assert _spec and _spec.loader
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

# What each check prints first (autograd_tiny.show.checkpoints).
UNANSWERED, RIGHT, WRONG = "○ ", "✓ ", "✗ "
SIGN_SLIP = "Right size, wrong sign"
# Checks of a number, where typing the answer with the other sign is a slip to be named.
NUMBER_CHECKS = re.compile(r"\bcheck_(number|count|gradient|step)\(")


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _check_lines(cell: dict) -> list[str]:
    text = "".join("".join(o.get("text", "")) for o in cell.get("outputs", []) if o.get("output_type") == "stream")
    return [line for line in text.splitlines() if line[:2] in (UNANSWERED, RIGHT, WRONG)]


def _code(notebook: dict) -> list[dict]:
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def test_every_student_notebook_has_its_solution_and_back():
    assert SOLUTIONS, "notebooks/solutions/ holds the source notebooks"
    assert [p.name for p in STUDENTS] == [p.name for p in SOLUTIONS]


def test_student_source_blanks_answers_and_drops_reasoning():
    text = "a = 1\n    my_x = 2 / 3   # answer: 6x − 4 = 0\n# why: solve it\nmy_y = f(a)  # answers are here"
    assert build.student_source(text) == "a = 1\n    my_x = ...  # your answer\nmy_y = f(a)  # answers are here"
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {"tags": ["solution"]}, "source": ["Why: ..."]},
            {
                "cell_type": "code",
                "metadata": {},
                "source": ["my_n = 41  # answer\n", "check(my_n)"],
                "outputs": [{"output_type": "stream", "text": "✓"}],
                "execution_count": 3,
            },
        ]
    }
    student = build.student_notebook(notebook)
    assert build.sources(student) == [("code", "my_n = ...  # your answer\ncheck(my_n)")]
    assert student["cells"][0]["outputs"] == [] and student["cells"][0]["execution_count"] is None
    assert notebook["cells"][1]["outputs"], "the solution itself is left as it was"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.name)
def test_the_student_notebook_is_built_from_its_solution(solution):
    assert build.stale([solution]) == [], "run: python tools/build_notebooks.py " + solution.name


@pytest.mark.parametrize("path", STUDENTS, ids=lambda p: p.name)
def test_student_notebooks_ship_without_answers(path):
    for cell in _code(_read(path)):
        for line in _source(cell).splitlines():
            if re.match(r"\s*my_\w+\s*=", line):
                assert re.fullmatch(r"\s*my_\w+ = \.\.\.  # your answer", line), line


@pytest.mark.parametrize("path", STUDENTS, ids=lambda p: p.name)
def test_unanswered_each_check_says_not_answered_yet(path):
    notebook = _read(path)
    lines = [line for cell in _code(notebook) for line in _check_lines(cell)]
    assert len(lines) == len(build.answer_names(_read(ROOT / "notebooks" / "solutions" / path.name)))
    assert all(line.startswith(UNANSWERED) and line.endswith("not answered yet.") for line in lines), lines


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_solutions_pass_every_check(path):
    notebook = _read(path)
    lines = [line for cell in _code(notebook) for line in _check_lines(cell)]
    assert len(lines) == len(build.answer_names(notebook)), "one check per answer line"
    assert all(line.startswith(RIGHT) for line in lines), [line for line in lines if not line.startswith(RIGHT)]


def _with_sign_slips(notebook: dict) -> tuple[dict, dict[int, bool]]:
    """The solution with every number answer negated; changed cells' indices, each with whether
    its answer is a literal 0 (which has no sign to get wrong: -0.0 is right)."""
    changed = {}
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code" or not NUMBER_CHECKS.search(_source(cell)):
            continue
        lines = _source(cell).split("\n")
        for k, line in enumerate(lines):
            answer = re.match(r"^(\s*my_\w+\s*=\s*)(.+?)(\s*#\s*answer\b.*)$", line)
            if answer:
                lines[k] = f"{answer[1]}-({answer[2]}){answer[3]}"
                changed[index] = bool(re.fullmatch(r"-?0(\.0*)?", answer[2]))
        cell["source"] = "\n".join(lines)
    return notebook, changed


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_a_sign_slip_in_any_number_checkpoint_is_named(path, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    source, changed = _with_sign_slips(_read(path))
    if not changed:
        pytest.skip(f"{path.name} has no number checkpoints")
    notebook = nbformat.reads(json.dumps(source), as_version=4)
    nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}
    ).execute()
    for index, zero in changed.items():
        lines = _check_lines(notebook.cells[index])
        assert len(lines) == 1, f"cell {index} printed {lines}"
        assert lines[0].startswith(RIGHT) if zero else SIGN_SLIP in lines[0], lines[0]


# Notebooks 01-05 give each student numbers of their own: SEED in the first code cell.
WITH_SEED = [p for p in SOLUTIONS if p.name[:2] in {"01", "02", "03", "04", "05"}]
STUDENT_SEED = 20261202


@pytest.mark.parametrize("path", WITH_SEED, ids=lambda p: p.name)
def test_a_students_own_seed_gives_new_numbers_and_the_checks_still_work(path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    source = _read(path)
    first = _code(source)[0]
    assert re.search(r"^SEED = 0\b", _source(first), re.MULTILINE), "the first code cell sets SEED = 0"
    first["source"] = re.sub(r"^SEED = 0\b", f"SEED = {STUDENT_SEED}", _source(first), flags=re.MULTILINE)
    notebook = nbformat.reads(json.dumps(source), as_version=4)
    nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}
    ).execute()
    lines = [line for cell in notebook.cells if cell.cell_type == "code" for line in _check_lines(cell)]
    assert len(lines) == len(build.answer_names(source)) and all(line.startswith(RIGHT) for line in lines), lines
    # the numbers are the student's own: some printed output differs from the SEED = 0 run
    printed = ["".join(o.get("text", "")) for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    saved = ["".join(o.get("text", "")) for c in _code(_read(path)) for o in c.get("outputs", [])]
    assert printed != saved
