"""The stepper page's layout at 1024×768 (a projector): direction, fit, text size, zoom and pan."""

from __future__ import annotations

import json

import pytest

from autograd_tiny import Value
from autograd_tiny.show.explain import HTML_LIMIT, explain
from autograd_tiny.show.stepper import MAX_SCALE, fit_scale
from tests.paths.test_lecture import lecture_neuron as lecture_values
from tests.show.test_stepper import browser  # noqa: F401  (the headless Chromium fixture)


def lecture_neuron():
    """Karpathy's neuron: o = tanh(x1·w1 + x2·w2 + b), with the lecture's numbers and labels."""
    return lecture_values()["o"]


def page_data(path):
    text = open(path, encoding="utf-8").read()
    start = text.index('type="application/json">') + len('type="application/json">')
    return json.loads(text[start : text.index("</script>", start)])


# Every text of the drawing: its font size in CSS px as drawn (font-size × the screen scale),
# and its box on the screen.
TEXTS = """Array.from(document.querySelectorAll('#graph0 text')).map(t => {
  var box = t.getBoundingClientRect();
  return {text: t.textContent, px: parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a,
          left: box.left, top: box.top, right: box.right, bottom: box.bottom};
})"""


def test_the_lecture_neuron_is_legible_and_fits_at_1024_by_768(browser, tmp_path):  # noqa: F811
    path = explain(lecture_neuron()).save_html(tmp_path / "neuron.html")
    assert page_data(path)["rankdir"] == "TB"  # left to right would be too wide for a projector
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"file://{path}")
    page.keyboard.press("b")  # every value's number shown
    texts = page.evaluate(TEXTS)
    assert len(texts) == 10 * 3 + 5  # 10 values (name, data, grad) and 5 ops
    assert min(t["px"] for t in texts) >= 14
    # Glyphs at least 14 px tall on the screen, too (a text's box is about 1.2 em).
    assert min(t["bottom"] - t["top"] for t in texts) >= 14
    # The whole drawing, and every text in it, inside the viewport: nothing to scroll to.
    svg = page.evaluate(
        "(() => { var b = document.querySelector('#graph svg').getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; })()"
    )
    assert svg[0] >= 0 and svg[1] >= 0 and svg[2] <= 1024 and svg[3] <= 768
    assert all(0 <= t["left"] and t["right"] <= 1024 and 0 <= t["top"] and t["bottom"] <= 768 for t in texts)
    legend = page.evaluate("document.getElementById('legend').getBoundingClientRect().bottom")
    assert legend <= 768 and page.evaluate("document.documentElement.scrollHeight") <= 768
    assert "upstream gradient used" in page.inner_text("#legend")
    page.screenshot(path=str(tmp_path / "neuron.png"))
    assert errors == []
    page.close()


def test_zoom_and_pan(browser, tmp_path):  # noqa: F811
    path = explain(lecture_neuron()).save_html(tmp_path / "neuron.html")
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    page.goto(f"file://{path}")
    scale = "document.querySelector('#graph0 text').getScreenCTM().a"
    fitted = page.evaluate(scale)
    page.click("#zoom-in")
    assert page.evaluate(scale) == pytest.approx(fitted * 1.25, rel=1e-4)
    page.keyboard.press("+")
    assert page.evaluate(scale) == pytest.approx(fitted * 1.25**2, rel=1e-4)
    page.keyboard.press("-")
    assert page.evaluate(scale) == pytest.approx(fitted * 1.25, rel=1e-4)
    # Drag to pan: the drawing moves with the pointer, at the same scale.
    where = "document.querySelector('#v0 text').getBoundingClientRect().left"
    before = page.evaluate(where)
    box = page.locator("#graph").bounding_box()
    page.mouse.move(box["x"] + 300, box["y"] + 200)
    page.mouse.down()
    page.mouse.move(box["x"] + 400, box["y"] + 200, steps=5)
    page.mouse.up()
    assert page.evaluate(where) == pytest.approx(before + 100, abs=1)
    assert page.evaluate(scale) == pytest.approx(fitted * 1.25, rel=1e-4)
    page.keyboard.press("0")  # fit again
    assert page.evaluate(scale) == pytest.approx(fitted, rel=1e-4)
    # Ctrl+wheel zooms about the pointer (the plain wheel scrolls: test_stepper_window.py).
    page.mouse.move(box["x"] + 500, box["y"] + 300)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -100)
    page.keyboard.up("Control")
    page.wait_for_function(f"Math.abs({scale} - {fitted * 1.2}) < 1e-3")
    page.close()


def test_direction_follows_the_shape(tmp_path):
    # A small graph shows at the largest scale either way: left to right, the drawings' default.
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    assert page_data(explain(c).save_html(tmp_path / "small.html"))["rankdir"] == "LR"
    # A chain of one-operand ops: left to right it is one long strip (about 1700 × 60 pt,
    # scaled to 0.6 px/pt); top to bottom one narrow column that fits at a larger scale.
    x = Value(0.5, label="x")
    y = x
    for _ in range(6):
        y = y.tanh()
    assert page_data(explain(y).save_html(tmp_path / "chain.html"))["rankdir"] == largest_fit(explain(y)) == "TB"
    assert largest_fit(explain(lecture_neuron())) == "TB"


def largest_fit(e):
    """The direction whose drawing is larger once fitted, measured here from draw_dot's SVG."""
    import re

    from autograd_tiny.show.render import Graph, draw_dot
    from autograd_tiny.show.stepper import RANK_SEPARATION

    scales = {}
    for rankdir in ("LR", "TB"):
        drawing = draw_dot(e.root, gradients=e.gradients, rankdir=rankdir)
        drawing.digraph.attr(ranksep=RANK_SEPARATION)
        width, height = map(
            float, re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', Graph(drawing.digraph).svg()).groups()
        )
        scales[rankdir] = fit_scale(width, height)
    return "TB" if scales["TB"] > scales["LR"] * 1.001 else "LR"


def test_fit_scale_is_the_smaller_ratio_capped():
    assert fit_scale(990, 270) == pytest.approx(1.0)  # width-bound
    assert fit_scale(495, 540) == pytest.approx(1.0)  # height-bound
    assert fit_scale(10, 10) == MAX_SCALE


def test_the_limit_is_the_legibility_limit(tmp_path):
    x = Value(0.1)
    y = x
    for _ in range(HTML_LIMIT - 1):
        y = y * 1.01
    assert len(explain(y).order) == HTML_LIMIT
    explain(y).save_html(tmp_path / "at_limit.html")  # exactly at the limit: drawn
    with pytest.raises(
        ValueError, match=f"shows at most {HTML_LIMIT} values legibly and this graph has {HTML_LIMIT + 1}"
    ):
        explain(y * 1.01).save_html(tmp_path / "big.html")
    with pytest.raises(ValueError, match=f"at most {HTML_LIMIT} values"):
        explain(y * 1.01).stepper()
