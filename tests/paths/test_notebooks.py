"""The teaching notebooks run top to bottom in a fresh kernel, with no system Graphviz."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

FOLDER = Path(__file__).resolve().parents[2] / "notebooks"
STUDENTS = sorted(FOLDER.glob("*.ipynb"))
# The student notebooks and their solutions (notebooks/solutions/): both must run.
NOTEBOOKS = [*STUDENTS, *sorted((FOLDER / "solutions").glob("*.ipynb"))]


def test_there_are_nine_notebooks():
    assert [p.name for p in STUDENTS] == [
        "01_values_and_graphs.ipynb",
        "02_chain_rule_step_by_step.ipynb",
        "03_neuron_layer_mlp.ipynb",
        "04_training_on_moons.ipynb",
        "05_backprop_by_hand.ipynb",
        "06_vanishing_gradients.ipynb",
        "07_forward_reverse_and_second_derivatives.ipynb",
        "08_gradient_patterns_and_bugs.ipynb",
        "09_softmax_and_cross_entropy.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(FOLDER).as_posix())
def test_saved_with_outputs_and_no_errors(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code and all(c["execution_count"] is not None for c in code)
    assert not any(o["output_type"] == "error" for c in code for o in c["outputs"])
    assert any(
        "image/svg+xml" in o.get("data", {}) or "image/png" in o.get("data", {}) for c in code for o in c["outputs"]
    )
    assert not any("sys.path" in "".join(c["source"]) for c in code)


def _path_without_graphviz_or_venv() -> str:
    """PATH minus folders holding a system `dot` and minus this interpreter's folder.

    A kernel started from a Jupyter that was not launched from the venv has no venv on PATH;
    the renderer must still find graphviz-pure next to the interpreter.
    """
    here = os.path.dirname(sys.executable)
    keep = []
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        if folder and os.path.abspath(folder) != os.path.abspath(here) and not shutil.which("dot", path=folder):
            keep.append(folder)
    return os.pathsep.join(keep)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(FOLDER).as_posix())
def test_runs_top_to_bottom_in_a_fresh_kernel(path, monkeypatch, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("PATH", _path_without_graphviz_or_venv())
    monkeypatch.delenv("AUTOGRAD_TINY_DOT", raising=False)
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not any(o.output_type == "error" for o in outputs)
    assert not any("cannot draw" in str(o.get("data", {}).get("text/plain", "")) for o in outputs)
