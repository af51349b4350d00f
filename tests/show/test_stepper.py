"""The HTML stepper: a self-contained page, tested in headless Chromium with Playwright."""

from __future__ import annotations

import os
import shutil

import pytest

from autograd_tiny import Value
from autograd_tiny.show.explain import HTML_LIMIT, explain
from tests.show.test_explain import lecture_example

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def test_page_is_self_contained(tmp_path):
    *_, L = lecture_example()
    path = explain(L).save_html(tmp_path / "steps.html")
    page = open(path, encoding="utf-8").read()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    for external in ("http://", "https://", "<link", "src="):
        assert external not in page.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
            'xmlns:xlink="http://www.w3.org/1999/xlink"', ""
        ).replace("http://www.w3.org/1999/xlink", "")
    assert os.listdir(tmp_path) == ["steps.html"]


def test_labels_cannot_break_out_of_the_script(tmp_path):
    a = Value(2.0, label="</script><script>alert(1)</script>")
    page = open(explain(a * 3).save_html(tmp_path / "odd.html"), encoding="utf-8").read()
    data = page[page.index('id="steps-data"') :]
    data = data[: data.index("</script>")]
    assert "</script" not in data[1:]
    assert "<script>alert(1)" not in page


def test_too_big_graphs_are_refused(tmp_path):
    x = Value(0.1)
    y = x
    for _ in range(HTML_LIMIT):
        y = y * 1.01
    with pytest.raises(ValueError, match=f"at most {HTML_LIMIT} values"):
        explain(y).save_html(tmp_path / "big.html")


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM) and not os.environ.get("CI"):
        pytest.skip("no chromium (apt install chromium); CI installs it")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("playwright is not installed (pip install playwright)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


def open_page(browser, path, errors, requests):
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"file://{path}")
    return page


CELLS = (
    "Array.from(document.querySelectorAll('g.node')).filter(g => /^v\\d+$/.test(g.id))"
    ".map(g => { var t = g.getElementsByTagName('text'); return [t[t.length - 2].textContent, t[t.length - 1].textContent]; })"
)


def state(page):
    return {
        "equation": page.inner_text("#equation"),
        "counter": page.inner_text("#counter"),
        "marked": page.evaluate(
            "Object.fromEntries(['computed', 'computed-edge', 'current', 'current-node', 'upstream', 'updated', 'summary']"
            ".map(c => [c, Array.from(document.querySelectorAll('.' + c)).map(e => e.id).sort()]))"
        ),
        "cells": page.evaluate(CELLS),
        "flows": page.evaluate("document.querySelectorAll('path.flow').length"),
    }


def test_stepping_in_the_browser(browser, tmp_path):
    # Lecture example: a, b, e = a·b, c, d = e + c, f, L = d·f (ids v0..v6 in topological order).
    *_, L = lecture_example()
    path = explain(L).save_html(tmp_path / "steps.html")
    errors, requests = [], []
    page = open_page(browser, path, errors, requests)

    start = state(page)
    assert start["counter"] == "forward 0 of 7" and start["equation"].startswith("Forward pass")
    assert start["cells"] == [["data ?", "grad ?"]] * 7  # nothing computed yet

    # Forward phase: values appear in topological order.
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    third = state(page)
    assert third["counter"] == "forward 3 of 7"
    assert third["equation"] == "e = a · b = 2.0000 · (−3.0000) = −6.0000"
    assert third["marked"]["computed"] == ["v2", "v2op"]
    assert third["marked"]["computed-edge"] == ["e2_0", "e2_1", "v2out"]
    assert [data for data, _ in third["cells"]] == ["data 2.0000", "data −3.0000", "data −6.0000"] + ["data ?"] * 4
    for _ in range(4):
        page.click("#next")
    assert state(page)["equation"] == "L = d · f = 4.0000 · (−2.0000) = −8.0000"

    # The seed, then the backward steps.
    page.click("#next")
    seed = state(page)
    assert seed["counter"] == "backward 0 of 6" and seed["marked"]["updated"] == ["v6"]
    assert [grad for _, grad in seed["cells"]] == ["grad ?"] * 6 + ["grad 1.0000"]
    page.keyboard.press("ArrowRight")
    first = state(page)
    assert first["counter"] == "backward 1 of 6"
    assert first["equation"] == (
        "1. ∂L/∂d₍₁₎ = f = −2.0000;  upstream ∂L/∂L = 1.0000;  contribution (−2.0000) × 1.0000 = −2.0000;  d.grad = −2.0000"
    )
    # The edge and the op in red, the node whose upstream gradient is used (L) and the one updated (d).
    assert first["marked"]["current"] == ["e6_0", "v6out"] and first["marked"]["current-node"] == ["v6op"]
    assert first["marked"]["upstream"] == ["v6"] and first["marked"]["updated"] == ["v4"]
    assert first["cells"][4] == ["data 4.0000", "grad −2.0000"]
    # The flow overlay runs backward: copies of both edges, with an arrowhead at their start turned back.
    assert first["flows"] == 2
    marker = page.evaluate("getComputedStyle(document.querySelector('path.flow')).markerStart")
    assert marker.endswith('#flow-arrow")')
    assert page.get_attribute("#flow-arrow", "orient") == "auto-start-reverse"
    # Same digits in the equation and on the graph: every number on the page has 4 decimals.
    assert "d.grad = −2.0000" in first["equation"] and "grad −2.0000" in first["cells"][4]
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    last = state(page)
    assert last["counter"] == "backward 6 of 6" and last["marked"]["current"] == ["e2_1", "v2out"]
    assert [grad for _, grad in last["cells"]] == [
        "grad 6.0000",
        "grad −4.0000",
        "grad −2.0000",
        "grad −2.0000",
        "grad −2.0000",
        "grad 4.0000",
        "grad 1.0000",
    ]
    page.keyboard.press("ArrowLeft")
    assert state(page)["marked"]["current"] == ["e2_0", "v2out"]

    # The summary: the inputs' gradients, marked in green.
    page.keyboard.press("End")
    summary = state(page)
    assert summary["counter"] == "summary" and summary["flows"] == 0
    assert summary["equation"] == (
        "Gradients of the inputs (each the sum of its contributions):\n"
        "∂L/∂a = 6.0000     ∂L/∂b = −4.0000     ∂L/∂c = −2.0000     ∂L/∂f = 4.0000"
    )
    assert summary["marked"]["summary"] == ["v0", "v1", "v3", "v5"]
    page.keyboard.press("Home")
    assert state(page)["counter"] == "forward 0 of 7"
    page.click("#to-backward")
    assert state(page)["counter"] == "backward 0 of 6"
    assert errors == []
    assert all(url.startswith("file://") for url in requests)
    page.close()


def test_a_value_used_twice_adds_its_contributions_on_the_page(browser, tmp_path):
    a = Value(3.0, label="a")
    b = a * a
    b.label = "b"
    errors = []
    page = open_page(browser, explain(b).save_html(tmp_path / "fan.html"), errors, [])
    page.keyboard.press("b")
    page.keyboard.press("ArrowRight")
    assert state(page)["cells"][0] == ["data 3.0000", "grad 3.0000"]
    page.keyboard.press("ArrowRight")
    second = state(page)
    assert second["cells"][0] == ["data 3.0000", "grad 6.0000"]
    assert "a.grad = 3.0000 + 3.0000 = 6.0000  (fan-out" in second["equation"]
    page.keyboard.press("ArrowRight")
    assert state(page)["equation"].endswith("∂b/∂a = 3.0000 + 3.0000 = 6.0000")
    assert errors == []
    page.close()


def test_play_button_advances(browser, tmp_path):
    *_, L = lecture_example()
    path = explain(L).save_html(tmp_path / "steps.html")
    page = browser.new_page()
    page.goto(f"file://{path}")
    page.click("#play")
    page.wait_for_function("document.getElementById('counter').textContent === 'forward 2 of 7'", timeout=10_000)
    page.click("#play")  # pause
    assert "play" in page.inner_text("#play")
    page.close()
