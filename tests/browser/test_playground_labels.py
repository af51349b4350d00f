"""Readable from the back row: every text of the playground at least 14 px, at 1024×768 and 1920×1080.

Each mode (Type, Step, Quiz, Train with a neuron's graph and its δ view) is opened at both
window sizes and measured in Chromium: every element that shows text of its own, in the page
and in the stepper's frame, by its computed font size times the scale its SVG is drawn at
(`MEASURE`). A screenshot of each is saved to /tmp/playground_<mode>_<size>.png to look at.
"""

from __future__ import annotations

import pytest

from tests.browser.test_playground_page import open_playground, site  # noqa: F401  (the served site)
from tests.show.test_stepper import browser  # noqa: F401  (the headless Chromium fixture)

SMALLEST = 14.0
# The visible texts and their sizes in CSS px, smallest first: [size, tag, text].
MEASURE = """() => {
  const sizes = [];
  for (const element of document.querySelectorAll("body *")) {
    if (!element.getClientRects().length || getComputedStyle(element).visibility === "hidden") continue;
    const own = [...element.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own.length) continue;
    let size = parseFloat(getComputedStyle(element).fontSize);
    const matrix = element instanceof SVGElement ? element.getScreenCTM() : null;
    if (matrix) size *= Math.hypot(matrix.a, matrix.b);
    sizes.push([size, element.tagName, own.map((n) => n.textContent.trim()).join(" ").slice(0, 40)]);
  }
  return sizes.sort((a, b) => a[0] - b[0]);
}"""
SIZES = [(1024, 768), (1920, 1080)]


def too_small(sizes: list) -> list:
    return [entry for entry in sizes if entry[0] < SMALLEST - 0.05]


def open_at(browser, site, width: int, height: int, hash_: str = ""):  # noqa: F811
    page = open_playground(browser, site, hash_)
    page.set_viewport_size({"width": width, "height": height})
    return page


@pytest.mark.parametrize("width,height", SIZES)
def test_type_step_and_quiz_show_no_text_under_14_px(browser, site, width, height):  # noqa: F811
    page = open_at(browser, site, width, height)
    try:
        page.click("#draw")
        sizes = page.evaluate(MEASURE)
        assert any(tag == "text" for _, tag, _ in sizes)  # the graph's labels are measured too
        assert too_small(sizes) == []
        page.screenshot(path=f"/tmp/playground_type_{width}x{height}.png")
        for mode in ("step", "quiz"):
            page.click(f"#{mode}")
            frame = page.frame_locator("#stepper")
            frame.locator("svg text").first.wait_for()
            inner = page.frames[1]
            inner.wait_for_function("document.readyState === 'complete'")
            frame_sizes = inner.evaluate(MEASURE)
            assert any(tag == "text" for _, tag, _ in frame_sizes)
            assert too_small(frame_sizes) == [] and too_small(page.evaluate(MEASURE)) == []
            print(
                f"{mode} at {width}x{height}: smallest graph label {min(s for s, t, _ in frame_sizes if t == 'text'):.1f} px"
            )
            page.screenshot(path=f"/tmp/playground_{mode}_{width}x{height}.png")
    finally:
        page.close()


@pytest.mark.parametrize("width,height", SIZES)
def test_train_shows_no_text_under_14_px_and_a_projector_gets_a_big_plot(browser, site, width, height):  # noqa: F811
    page = open_at(browser, site, width, height, "#mode=train&net=4,4&steps=20")
    try:
        page.wait_for_function("run.steps === 20")
        page.click("#neuron-graph")
        assert too_small(page.evaluate(MEASURE)) == []
        page.screenshot(path=f"/tmp/playground_train_{width}x{height}.png")
        page.click("#neuron-delta")
        assert too_small(page.evaluate(MEASURE)) == []
        plot = page.eval_on_selector("#plot", "canvas => canvas.getBoundingClientRect().width")
        # The plot takes what the window gives: 440 px or so at 1024×768, twice that on a projector.
        assert plot >= (400 if width == 1024 else 780)
        bottom = page.eval_on_selector("#plot", "canvas => canvas.getBoundingClientRect().bottom")
        assert bottom <= height  # the whole plot is on the screen without scrolling
    finally:
        page.close()
