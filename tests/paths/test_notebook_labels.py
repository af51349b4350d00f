"""Every drawing in the notebooks is readable from the back row (issue 22, item 4).

Shown in a JupyterLab output area on a 1024 px wide page (860 px: see
`tests.paths.label_sizes`), every Graphviz drawing, and the PNG shown in its place in an
untrusted notebook, has labels of at least 14 px and is not cut off. The notebooks are
measured as saved; to measure executed copies, set ``LABEL_SIZES_NOTEBOOKS`` to their folder.

Matplotlib figures are measured by `label_sizes` too, from their default font sizes, but not
held to 14 px here: what fonts a figure uses is not in its PNG.
"""

from __future__ import annotations

import base64
import json
import os
import warnings

import pytest

from autograd_tiny import Value, draw_dot
from autograd_tiny.show.render import PX_PER_PT
from tests.paths.label_sizes import OUTPUT_WIDTH, drawings, measure_notebook, notebook_paths
from tests.show.test_stepper import browser  # noqa: F401  (the headless Chromium fixture)


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda path: os.path.relpath(path, "notebooks"))
def test_every_drawing_is_readable_at_1024_px(browser, path):  # noqa: F811
    measures = [found for found in measure_notebook(browser, path) if found.drawing.kind != "figure"]
    assert [str(found) for found in measures if not found.readable()] == []


def lecture_expression():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c, f = Value(10.0, label="c"), Value(-2.0, label="f")
    L = (a * b + c) * f
    L.backward()
    return L


def notebook_of(tmp_path, *graphs, unconfined=False):
    """A notebook whose one code cell displays `graphs`, as Jupyter saves them."""
    outputs = []
    for graph in graphs:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # small labels are what some of these drawings are for
            data, metadata = graph._repr_mimebundle_()
        if unconfined:
            metadata["image/svg+xml"] = {"unconfined": True}
            metadata["image/png"]["unconfined"] = True
        outputs.append({"output_type": "display_data", "data": data, "metadata": metadata})
    cells = [{"cell_type": "code", "source": "", "metadata": {}, "outputs": outputs, "execution_count": 1}]
    path = tmp_path / "drawings.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return str(path)


def test_the_measure_reads_label_sizes_as_the_drawing_has_them(browser, tmp_path):  # noqa: F811
    # 16 px at natural size; scaled by size=; shrunk to the area by max-width: 100%.
    natural = draw_dot(lecture_expression())
    fitted = draw_dot(lecture_expression(), size=(9.5, 3))
    wide = draw_dot(lecture_expression(), rankdir="LR")
    path = notebook_of(tmp_path, natural, fitted, wide)
    assert [(d.cell, d.output, d.kind) for d in drawings(path)] == [
        (0, 0, "svg"),
        (0, 0, "png"),
        (0, 1, "svg"),
        (0, 1, "png"),
        (0, 2, "svg"),
        (0, 2, "png"),
    ]
    measures = measure_notebook(browser, path)
    for found, graph in zip(measures, [natural, natural, fitted, fitted, wide, wide]):
        assert found.smallest_px == pytest.approx(graph.smallest_label_px(OUTPUT_WIDTH), abs=0.05)
        assert not found.cut_off
    assert measures[0].smallest_px == pytest.approx(16.0, abs=0.05)
    assert measures[2].smallest_px < 14 and not measures[2].readable()
    # Left to right the expression is wider than the area: shown at the area's width, smaller.
    assert measures[4].shown_width == pytest.approx(OUTPUT_WIDTH, abs=0.1)
    assert measures[4].smallest_px == pytest.approx(16.0 * OUTPUT_WIDTH / measures[4].natural_width, abs=0.05)
    assert measures[5].shown_width == pytest.approx(OUTPUT_WIDTH, abs=0.1)  # the PNG twin, from its metadata width


def test_an_unconfined_drawing_wider_than_the_area_is_cut_off(browser, tmp_path):  # noqa: F811
    wide = draw_dot(lecture_expression(), rankdir="LR")
    assert float(wide.svg().split('width="')[1].split("pt")[0]) * PX_PER_PT > OUTPUT_WIDTH
    measures = measure_notebook(browser, notebook_of(tmp_path, wide, unconfined=True))
    assert [found.cut_off for found in measures] == [True, True]
    assert [found.smallest_px for found in measures] == pytest.approx([16.0, 16.0], abs=0.05)
    assert not measures[0].readable()


def test_a_matplotlib_figure_is_measured_from_its_dpi(browser, tmp_path):  # noqa: F811
    import matplotlib

    matplotlib.use("Agg")
    import io

    import matplotlib.pyplot as plt

    figure = plt.figure(figsize=(5, 3), dpi=100)
    plt.plot([0, 1], [0, 1])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    png = base64.b64encode(buffer.getvalue()).decode("ascii")
    output = {"output_type": "display_data", "data": {"image/png": png}, "metadata": {}}
    cells = [{"cell_type": "code", "source": "", "metadata": {}, "outputs": [output], "execution_count": 1}]
    path = tmp_path / "figure.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    (found,) = measure_notebook(browser, str(path))
    assert found.drawing.kind == "figure" and found.shown_width == 500
    assert found.smallest_px == pytest.approx(10 * 100 / 72, abs=0.05)  # 10 pt at 100 dpi, shown 1:1
