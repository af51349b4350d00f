"""The notebook stepper as shipped, untrusted: a still picture and one line until trusted or run.

A stepper's display data holds one HTML block: the still picture (a PNG of the graph) with the
line "interactive stepper: trust the notebook or run the cell", then the iframe holding the
page, whose ``onload`` removes the still picture. JupyterLab sanitizes an untrusted notebook's
HTML: it drops the iframe and every ``on*`` attribute and keeps ``<img>`` with a ``data:`` source
(packages/apputils/src/sanitizer.ts: ``allowedSchemesAppliedToAttributes: ['href', 'cite']``),
so the picture and the line stay. Trusted (or run), the iframe loads and the picture goes.
The bundle also holds "image/png" and "text/plain" for front ends that show no HTML.
"""

from __future__ import annotations

import base64

import pytest

from autograd_tiny.show.explain import explain
from autograd_tiny.show.neuron_stepper import neuron_drawing
from autograd_tiny.show.stepper import STILL_LINE, still_picture
from tests.paths.test_mazur import mazur
from tests.show.test_explain import lecture_example
from tests.show.test_stepper import browser  # noqa: F401  (the headless Chromium fixture)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def steppers():
    *_, L = lecture_example()
    _, E = mazur()
    return [
        explain(L).stepper(),
        explain(L).stepper(quiz=True),
        explain(E, group="neuron").stepper(),
        explain(E, group="neuron").stepper(quiz=True),
    ]


def test_the_bundle_holds_html_a_png_and_a_line_of_text():
    for stepper in steppers():
        data, metadata = stepper._repr_mimebundle_()
        assert set(data) == {"text/html", "image/png", "text/plain"}
        assert base64.b64decode(data["image/png"]).startswith(PNG_SIGNATURE)
        assert data["text/plain"] == STILL_LINE == "interactive stepper: trust the notebook or run the cell"
        assert set(metadata["image/png"]) == {"width", "height"}
        html = data["text/html"]
        assert html == stepper._repr_html_()
        # The frame, then the still picture (the same PNG) and the line.
        assert html.index("<iframe srcdoc=") < html.index(f'src="data:image/png;base64,{data["image/png"]}"')
        assert html.index(f'src="data:image/png;base64,{data["image/png"]}"') < html.index(STILL_LINE)
        assert 'sandbox="allow-scripts"' in html and "<script" not in html


def test_a_quiz_still_picture_gives_no_answer_away():
    *_, L = lecture_example()
    _, E = mazur()
    value_quiz = still_picture(explain(L), quiz=True)
    neuron_quiz, _ = neuron_drawing(explain(E, group="neuron"), known=False)
    assert "grad −2.0000" not in value_quiz.source and "grad 1.0000" in value_quiz.source  # only the seed
    assert "δ ?" in neuron_quiz.source and "δ 0.1385" not in neuron_quiz.source
    assert "grad −2.0000" in still_picture(explain(L), quiz=False).source  # the stepper shows everything


# JupyterLab's sanitizer, as bleach rules: its tags (no iframe, no script), its attributes (no
# on*; style too, which it keeps, but bleach needs tinycss2 for it), and src not checked for
# its scheme (a data: image stays).
JUPYTERLAB_TAGS = ["div", "p", "span", "img", "b", "i", "code", "pre", "table", "tr", "td"]
JUPYTERLAB_ATTRIBUTES = {"*": ["class", "id", "title"], "img": ["src", "alt", "width", "height"]}


def untrusted(html):
    bleach = pytest.importorskip("bleach")
    return bleach.clean(
        html, tags=JUPYTERLAB_TAGS, attributes=JUPYTERLAB_ATTRIBUTES, protocols=["data", "http", "https"], strip=True
    )


def test_untrusted_the_picture_and_the_line_show(browser, tmp_path):  # noqa: F811
    for k, stepper in enumerate(steppers()):
        cleaned = untrusted(stepper._repr_html_())
        assert "<iframe" not in cleaned and "onload" not in cleaned and "srcdoc" not in cleaned
        path = tmp_path / f"untrusted{k}.html"
        path.write_text(f"<!DOCTYPE html><html><body>{cleaned}</body></html>", encoding="utf-8")
        page = browser.new_page(viewport={"width": 1024, "height": 768})
        page.goto(f"file://{path}")
        assert page.evaluate("document.querySelector('img').naturalWidth") > 100
        assert page.inner_text("body").strip() == STILL_LINE
        page.close()


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The steppers in a notebook, executed, exported by nbconvert trusted and sanitized."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nbconvert = pytest.importorskip("nbconvert")
    cells = [
        "from autograd_tiny import explain\nfrom tests.paths.test_mazur import mazur\n_, E = mazur()",
        "explain(E, group='neuron').stepper()",
        "explain(E).stepper(quiz=True)",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    nbclient.NotebookClient(notebook, timeout=180, kernel_name="python3").execute()
    for cell in notebook.cells[1:]:
        assert set(cell.outputs[0]["data"]) == {"text/html", "image/png", "text/plain"}
    folder = tmp_path_factory.mktemp("export")
    paths = {}
    for sanitize in (False, True):
        body, _ = nbconvert.HTMLExporter(sanitize_html=sanitize).from_notebook_node(notebook)
        paths[sanitize] = folder / f"sanitized_{sanitize}.html"
        paths[sanitize].write_text(body, encoding="utf-8")
    return paths


def test_trusted_the_stepper_runs_and_the_still_picture_is_gone(browser, exported):  # noqa: F811
    page = browser.new_page(viewport={"width": 1024, "height": 900})
    page.goto(f"file://{exported[False]}")
    stepper = page.frames[1]
    stepper.wait_for_function("document.getElementById('counter').textContent !== ''")
    assert stepper.inner_text("#counter") == "forward 0 of 5"
    page.wait_for_function("document.querySelectorAll('.autograd-tiny-still').length === 0")
    assert STILL_LINE not in page.inner_text("body")
    assert page.locator("iframe").count() == 2
    page.close()


def test_nbconvert_sanitized_runs_nothing_and_says_what_to_do(exported):
    text = exported[True].read_text(encoding="utf-8")
    # nbconvert's sanitizer (bleach) escapes what it does not allow: nothing of the frame runs.
    assert "<iframe" not in text
    assert text.count(STILL_LINE) == 2
