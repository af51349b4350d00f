"""The stepper uses its window: 14 px labels at fit, it grows on a big screen, zoom never crops,
dragging pans without selecting text, the wheel scrolls (Ctrl+wheel zooms), the arrow keys step.

Measured in headless Chromium: a label's rendered size is its font-size (SVG user units) times
the SVG's current scale on the screen (``getScreenCTM().a``).
"""

from __future__ import annotations

import pytest

from autograd_tiny.show.explain import explain
from tests.paths.test_lecture import lecture_neuron as lecture_values
from tests.paths.test_mazur import mazur
from tests.show.test_stepper import browser  # noqa: F401  (the headless Chromium fixture)

# Every text of the drawing: its font size in CSS px as drawn, and its box on the screen.
TEXTS = """Array.from(document.querySelectorAll('#graph svg text')).map(t => {
  var box = t.getBoundingClientRect();
  return {text: t.textContent, px: parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a,
          left: box.left, top: box.top, right: box.right, bottom: box.bottom};
})"""
# The box of the drawing, of the graph's frame, and the top of the legend, on the screen.
BOXES = """(() => {
  var r = e => { var b = e.getBoundingClientRect(); return {left: b.left, top: b.top, right: b.right,
                 bottom: b.bottom, width: b.width, height: b.height}; };
  return {svg: r(document.querySelector('#graph svg')), graph: r(document.getElementById('graph')),
          legend: r(document.getElementById('legend')), width: document.documentElement.clientWidth};
})()"""


def lecture():
    """Karpathy's neuron, o = tanh(x1·w1 + x2·w2 + b), with the lecture's numbers."""
    return lecture_values()["o"]


def open_at(browser, path, width, height):  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": height})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"file://{path}")
    page.errors = errors
    return page


@pytest.mark.parametrize("quiz", [False, True])
def test_the_lecture_neuron_has_14_px_labels_and_fits_at_1024_by_768(browser, tmp_path, quiz):  # noqa: F811
    path = explain(lecture()).save_html(tmp_path / "neuron.html", quiz=quiz)
    page = open_at(browser, path, 1024, 768)
    texts = page.evaluate(TEXTS)
    assert len(texts) == 10 * 3 + 5  # 10 values (name, data, grad) and 5 ops
    assert min(t["px"] for t in texts) >= 14
    # The whole drawing inside the window: at fit a lecture neuron needs no scrolling.
    assert all(0 <= t["left"] and t["right"] <= 1024 and 0 <= t["top"] and t["bottom"] <= 768 for t in texts)
    assert page.evaluate("document.documentElement.scrollHeight") <= 768
    assert page.inner_text("#too-small") == ""
    page.screenshot(path=str(tmp_path / "shot.png"))
    assert page.errors == []
    page.close()


@pytest.mark.parametrize("quiz", [False, True])
def test_a_big_value_graph_stays_at_14_px_and_says_so(browser, tmp_path, quiz):  # noqa: F811
    _, E = mazur()
    path = explain(E).save_html(tmp_path / "mazur.html", quiz=quiz)
    page = open_at(browser, path, 1024, 768)
    assert 14 <= min(t["px"] for t in page.evaluate(TEXTS)) < 14.1
    assert page.inner_text("#too-small") == (
        "Shown at the smallest legible size (14 px labels): scroll or drag to see the rest. For a network, "
        "explain(loss, group='neuron').stepper() draws one node per neuron."
    )
    # Scrolled, not shrunk: the drawing is larger than its frame, and the frame scrolls.
    boxes = page.evaluate(BOXES)
    assert boxes["svg"]["width"] > boxes["graph"]["width"] or boxes["svg"]["height"] > boxes["graph"]["height"]
    assert page.evaluate("getComputedStyle(document.getElementById('graph')).overflow") == "auto"
    assert page.errors == []
    page.close()


def mazur_neurons():
    """Mazur's 2-2-2 network at neuron level."""
    return explain(mazur()[1], group="neuron")


@pytest.mark.parametrize("quiz", [False, True])
@pytest.mark.parametrize("view", [lambda: explain(lecture()), mazur_neurons], ids=["lecture", "mazur-neurons"])
def test_on_a_big_screen_the_graph_fills_the_free_space(browser, tmp_path, quiz, view):  # noqa: F811
    path = view().save_html(tmp_path / "page.html", quiz=quiz)
    page = open_at(browser, path, 1920, 1080)
    boxes = page.evaluate(BOXES)
    free_width = boxes["graph"]["width"]
    free_height = boxes["legend"]["top"] - boxes["graph"]["top"]
    assert free_width >= 1850 and boxes["legend"]["bottom"] <= 1080
    filled = max(boxes["svg"]["width"] / free_width, boxes["svg"]["height"] / free_height)
    assert filled >= 0.85
    assert min(t["px"] for t in page.evaluate(TEXTS)) >= 18
    page.close()


def test_zooming_in_never_crops(browser, tmp_path):  # noqa: F811
    _, E = mazur()
    path = explain(E).save_html(tmp_path / "mazur.html")
    page = open_at(browser, path, 1024, 768)
    for _ in range(3):
        page.click("#zoom-in")
    # The extreme nodes of the drawing: leftmost, rightmost, topmost, bottommost.
    extremes = page.evaluate(
        """(() => {
      var nodes = Array.from(document.querySelectorAll('#graph svg g.node'));
      var box = n => n.getBBox();
      var pick = f => nodes.reduce((a, b) => f(box(a)) <= f(box(b)) ? a : b).id;
      return {left: pick(b => b.x), right: pick(b => -(b.x + b.width)), top: pick(b => b.y),
              bottom: pick(b => -(b.y + b.height))};
    })()"""
    )
    graph = page.locator("#graph").bounding_box()
    for corner, (dx, dy) in {
        "top left": (1, 1),
        "top right": (-1, 1),
        "bottom left": (1, -1),
        "bottom right": (-1, -1),
    }.items():
        # Drag as far as the drawing goes toward this corner (dragging right shows what is left).
        scrolled = "[document.getElementById('graph').scrollLeft, document.getElementById('graph').scrollTop]"
        for _ in range(40):
            before = page.evaluate(scrolled)
            x, y = graph["x"] + graph["width"] / 2, graph["y"] + graph["height"] / 2
            page.mouse.move(x, y)
            page.mouse.down()
            page.mouse.move(x + dx * 300, y + dy * 150, steps=4)
            page.mouse.up()
            if page.evaluate(scrolled) == before:
                break
        # The drawing's extreme node on each side of this corner is in sight along that side's axis.
        for side in (["left"] if dx > 0 else ["right"]) + (["top"] if dy > 0 else ["bottom"]):
            node = page.locator(f"#graph svg #{extremes[side]}").bounding_box()
            if side in ("left", "right"):
                inside = graph["x"] - 1 <= node["x"] and node["x"] + node["width"] <= graph["x"] + graph["width"] + 1
            else:
                inside = graph["y"] - 1 <= node["y"] and node["y"] + node["height"] <= graph["y"] + graph["height"] + 1
            assert inside, (corner, side, node, graph)
    page.close()


def test_dragging_pans_and_selects_no_text(browser, tmp_path):  # noqa: F811
    _, E = mazur()
    path = explain(E).save_html(tmp_path / "mazur.html")
    page = open_at(browser, path, 1024, 768)
    where = "document.querySelector('#graph svg g.node text').getBoundingClientRect().left"
    before = page.evaluate(where)
    # The drag starts on a label, where a plain page would start selecting its text.
    text = page.locator("#graph svg g.node text").nth(3).bounding_box()
    x, y = text["x"] + text["width"] / 2, text["y"] + text["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 100, y, steps=5)
    page.mouse.up()
    assert page.evaluate(where) == pytest.approx(before - 100, abs=1)
    assert page.evaluate("window.getSelection().toString()") == ""
    page.close()


WHEEL_WATCH = """window.wheels = [];
window.addEventListener('wheel', e => window.wheels.push(e.defaultPrevented));"""


def test_the_wheel_scrolls_and_ctrl_wheel_zooms(browser, tmp_path):  # noqa: F811
    path = explain(lecture()).save_html(tmp_path / "neuron.html")
    page = open_at(browser, path, 1024, 768)
    page.evaluate(WHEEL_WATCH)
    scale = "document.querySelector('#graph svg text').getScreenCTM().a"
    fitted = page.evaluate(scale)
    box = page.locator("#graph").bounding_box()
    page.mouse.move(box["x"] + 500, box["y"] + 300)
    page.mouse.wheel(0, 100)
    page.wait_for_function("window.wheels.length === 1")
    assert page.evaluate("window.wheels") == [False]  # not prevented: a notebook around it scrolls
    assert page.evaluate(scale) == pytest.approx(fitted, rel=1e-4)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -100)
    page.keyboard.up("Control")
    page.wait_for_function("window.wheels.length === 2")
    assert page.evaluate("window.wheels") == [False, True]
    assert page.evaluate(scale) == pytest.approx(fitted * 1.2, rel=1e-4)
    page.click("#zoom-out")
    assert page.evaluate(scale) == pytest.approx(fitted * 1.2 / 1.25, rel=1e-4)
    page.click("#zoom-fit")
    assert page.evaluate(scale) == pytest.approx(fitted, rel=1e-4)
    page.close()


def test_the_arrow_keys_still_step(browser, tmp_path):  # noqa: F811
    path = explain(lecture()).save_html(tmp_path / "neuron.html")
    page = open_at(browser, path, 1024, 768)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.inner_text("#counter") == "forward 2 of 10"
    page.keyboard.press("ArrowLeft")
    assert page.inner_text("#counter") == "forward 1 of 10"
    page.close()


def test_inside_a_notebook_the_wheel_scrolls_the_notebook(browser, tmp_path):  # noqa: F811
    # A notebook: two stepper cells, taller together than the window.
    shown = explain(lecture()).stepper()._repr_html_() + explain(lecture()).stepper(quiz=True)._repr_html_()
    path = tmp_path / "notebook.html"
    path.write_text(
        f"<!DOCTYPE html><html><body><h1>Notebook</h1>{shown}<p>the end</p></body></html>", encoding="utf-8"
    )
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    page.goto(f"file://{path}")
    stepper = page.locator("iframe").nth(0).element_handle().content_frame()
    stepper.wait_for_function("document.getElementById('counter').textContent !== ''")
    stepper.evaluate(WHEEL_WATCH)
    quiz = page.locator("iframe").nth(1).element_handle().content_frame()
    quiz.wait_for_function("document.getElementById('counter').textContent !== ''")
    # Opening, the quiz took no focus from the notebook (the keys stay where the learner is).
    assert page.evaluate("document.activeElement.tagName") == "BODY"
    scale = "document.querySelector('#graph svg text').getScreenCTM().a"
    fitted = stepper.evaluate(scale)
    box = page.locator("iframe").nth(0).bounding_box()
    page.mouse.move(box["x"] + 500, box["y"] + 400)
    page.mouse.wheel(0, 300)
    page.wait_for_function("window.scrollY > 0")
    stepper.wait_for_function("window.wheels.length > 0")
    assert set(stepper.evaluate("window.wheels")) == {False}  # (one wheel turn may come as several events)
    assert stepper.evaluate(scale) == pytest.approx(fitted, rel=1e-4)  # scrolled, not zoomed
    page.close()
