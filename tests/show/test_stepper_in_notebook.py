"""The stepper inside a notebook: executed with nbclient, exported with nbconvert, stepped in Chromium."""

from __future__ import annotations

import html

import pytest

from autograd_tiny.show.explain import explain
from autograd_tiny.show.stepper import STILL_LINE
from tests.show.test_explain import lecture_example
from tests.show.test_stepper import browser  # noqa: F401  (the headless Chromium fixture)

CELLS = [
    "from autograd_tiny import Value, explain\n"
    "a, b, c, f = Value(2.0, label='a'), Value(-3.0, label='b'), Value(10.0, label='c'), Value(-2.0, label='f')\n"
    "e = a * b; e.label = 'e'\n"
    "d = e + c; d.label = 'd'\n"
    "L = d * f; L.label = 'L'",
    "explain(L).stepper()",
    "explain(L).stepper(quiz=True)",
]


def test_repr_html_is_an_iframe_with_the_whole_page_escaped():
    *_, L = lecture_example()
    stepper = explain(L).stepper()
    shown = stepper._repr_html_()
    # The still picture and its line first (for an untrusted notebook: test_stepper_untrusted.py).
    assert shown.startswith('<div class="autograd-tiny-stepper"><iframe srcdoc="')
    assert shown.endswith(f"<p>{STILL_LINE}</p></div></div>")
    frame = shown[shown.index('<iframe srcdoc="') : shown.index("</iframe>") + len("</iframe>")]
    srcdoc = frame[len('<iframe srcdoc="') : frame.index('" style=')]
    assert '"' not in srcdoc and "<" not in srcdoc  # nothing can end the attribute or open a tag
    # Scripts run in the frame, in an origin of its own: nothing in it can reach the notebook.
    assert ' sandbox="allow-scripts" ' in frame[len('<iframe srcdoc="') + len(srcdoc) :]
    assert html.unescape(srcdoc) == stepper.html
    assert stepper.html.startswith("<!DOCTYPE html>") and "</html>" in stepper.html


def test_stepper_save_writes_the_same_page(tmp_path):
    *_, L = lecture_example()
    stepper = explain(L).stepper(quiz=True)
    path = stepper.save(tmp_path / "quiz.html")
    assert open(path, encoding="utf-8").read() == stepper.html == explain(L).stepper(quiz=True).html


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nbconvert = pytest.importorskip("nbconvert")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in CELLS])
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    outputs = [cell.outputs for cell in notebook.cells]
    assert outputs[0] == []
    for output in outputs[1:]:
        assert output[0]["output_type"] == "execute_result"
        assert '<iframe srcdoc="&lt;!DOCTYPE html&gt;' in output[0]["data"]["text/html"]
        assert 'sandbox="allow-scripts"' in output[0]["data"]["text/html"]
    body, _ = nbconvert.HTMLExporter().from_notebook_node(notebook)
    path = tmp_path_factory.mktemp("export") / "stepper.html"
    path.write_text(body, encoding="utf-8")
    return path


def test_exported_notebook_steps_inside_the_frame(browser, exported):  # noqa: F811
    page = browser.new_page(viewport={"width": 1024, "height": 900})
    # nbconvert's own page template loads require.js and MathJax from a CDN (unreachable
    # here): only what happens inside the steppers' frames is ours to check.
    errors, requests = [], []
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and m.location["url"] == "about:srcdoc" else None,
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url) if request.frame != page.main_frame else None)
    page.goto(f"file://{exported}")
    frames = page.locator("iframe")
    assert frames.count() == 2
    # The frames are sandboxed (an origin of their own): the page cannot read into them, so
    # the wait runs inside the frame.
    stepper = page.frames[1]
    stepper.wait_for_function("document.getElementById('counter').textContent !== ''")
    assert stepper.inner_text("#counter") == "forward 0 of 7"
    # Click the frame (not a button): from then on the keys step it.
    frames.nth(0).click(position={"x": 500, "y": 400})
    for _ in range(9):  # 7 values, the seed, the first backward step
        page.keyboard.press("ArrowRight")
    assert stepper.inner_text("#counter") == "backward 1 of 6"
    assert stepper.inner_text("#equation").startswith("1. ∂L/∂d₍₁₎ = f = −2.0000;")
    page.keyboard.press("End")
    assert stepper.inner_text("#counter") == "summary"
    # The quiz frame: answer the first question there.
    quiz = page.frames[2]
    assert quiz.inner_text("#counter") == "question 1 of 6 · score 0"
    quiz.click("#answer")
    page.keyboard.type("-2")
    page.keyboard.press("Enter")
    assert quiz.inner_text("#counter") == "question 1 of 6 · score 1"
    page.keyboard.press("Enter")  # answered: Enter goes on to the next question
    assert quiz.inner_text("#counter") == "question 2 of 6 · score 1"
    assert errors == []
    # The steppers load nothing from anywhere: their frames' only documents are about:srcdoc.
    assert all(url == "about:srcdoc" for url in requests), requests
    page.close()
