"""Build the student notebooks from the solutions: one source, so the two never drift.

The solutions (``notebooks/solutions/*.ipynb``) are the source a teacher edits. Each
checkpoint's answer line ends with ``# answer`` (what follows is the reasoning)::

    my_slope = 6 * 3 - 4  # answer: the derivative 6x − 4 at x = 3

and the student notebook (``notebooks/NAME.ipynb``) gets, in its place::

    my_slope = ...  # your answer

Two more markers keep reasoning out of the student version: a comment line starting with
``# why:`` is dropped, and so is a whole cell tagged ``solution`` (in the cell's metadata).

Usage, from the repository's root::

    python tools/build_notebooks.py            # write and execute every student notebook
    python tools/build_notebooks.py --check    # exit 1 if a student notebook differs from its solution
    python tools/build_notebooks.py --execute-solutions   # re-execute the solutions first, too

>>> student_source("x = 1\\nmy_x = 2 / 3  # answer: where 6x − 4 = 0\\n# why: solve 6x = 4\\ncheck(my_x)")
'x = 1\\nmy_x = ...  # your answer\\ncheck(my_x)'
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SOLUTIONS = NOTEBOOKS / "solutions"

# `my_name = <the answer>  # answer...`: the learner's one line per checkpoint.
ANSWER_LINE = re.compile(r"^(?P<indent>[ \t]*)(?P<name>my_\w+)[ \t]*=[ \t]*\S.*?[ \t]*#[ \t]*answer\b.*$")
WHY_LINE = re.compile(r"^[ \t]*#[ \t]*why:")
SOLUTION_TAG = "solution"


def student_source(source: str) -> str:
    """A code cell's text for students: answers blanked to ``...``, ``# why:`` lines dropped."""
    lines = []
    for line in source.split("\n"):
        if WHY_LINE.match(line):
            continue
        answer = ANSWER_LINE.match(line)
        lines.append(f"{answer['indent']}{answer['name']} = ...  # your answer" if answer else line)
    return "\n".join(lines)


def answer_names(notebook: dict[str, Any]) -> list[str]:
    """The ``my_...`` names a notebook's checkpoints ask for, in order."""
    return [
        match["name"]
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
        for line in _text(cell["source"]).split("\n")
        if (match := ANSWER_LINE.match(line))
    ]


def student_notebook(solution: dict[str, Any]) -> dict[str, Any]:
    """The student version of a solution notebook, without outputs (run it to fill them)."""
    student = copy.deepcopy(solution)
    cells = []
    for cell in student["cells"]:
        if SOLUTION_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        if cell["cell_type"] == "code":
            cell["source"] = _lines(student_source(_text(cell["source"])))
            cell["outputs"], cell["execution_count"] = [], None
        cells.append(cell)
    student["cells"] = cells
    return student


def sources(notebook: dict[str, Any]) -> list[tuple[str, str]]:
    """Each cell's type and text: what must agree between a student notebook and its build."""
    return [(cell["cell_type"], _text(cell["source"])) for cell in notebook["cells"]]


def _text(source: str | list[str]) -> str:
    return source if isinstance(source, str) else "".join(source)


def _lines(text: str) -> list[str]:
    """Text as nbformat stores it on disk: a list of lines, each but the last ending in \\n."""
    return text.splitlines(keepends=True)


def read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def write(path: Path, notebook: dict[str, Any]) -> None:
    """Write a notebook atomically, formatted as Jupyter saves it (one-space indent)."""
    text = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def execute(path: Path) -> None:
    """Run a notebook top to bottom in a fresh kernel, in its own folder, and save its outputs."""
    import nbclient
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()
    write(path, json.loads(nbformat.writes(notebook)))


def stale(solutions: list[Path]) -> list[str]:
    """The student notebooks that are missing or differ from their solution's build."""
    found = []
    for solution in solutions:
        student = NOTEBOOKS / solution.name
        if not student.exists() or sources(read(student)) != sources(student_notebook(read(solution))):
            found.append(student.name)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build notebooks/*.ipynb from notebooks/solutions/*.ipynb.")
    parser.add_argument("names", nargs="*", help="only these notebooks (file names), default all")
    parser.add_argument("--check", action="store_true", help="only check that no student notebook drifted")
    parser.add_argument("--execute-solutions", action="store_true", help="re-execute the solutions first")
    options = parser.parse_args(argv)
    solutions = sorted(SOLUTIONS.glob("*.ipynb"))
    if options.names:
        solutions = [path for path in solutions if path.name in options.names]
    if options.check:
        drifted = stale(solutions)
        for name in drifted:
            print(f"notebooks/{name} differs from notebooks/solutions/{name}: run python tools/build_notebooks.py")
        return 1 if drifted else 0
    for solution in solutions:
        if options.execute_solutions:
            print(f"executing solutions/{solution.name}", flush=True)
            execute(solution)
        student = NOTEBOOKS / solution.name
        write(student, student_notebook(read(solution)))
        print(f"executing {student.name}", flush=True)
        execute(student)
    return 0


if __name__ == "__main__":
    sys.exit(main())
