"""The HTML stepper: a self-contained page, tested in headless Chromium with Playwright."""

from __future__ import annotations

import os
import shutil

import pytest

from autograd_tiny import Value
from autograd_tiny.explain import HTML_LIMIT, explain
from tests.test_explain import lecture_example

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


def test_stepping_in_the_browser(browser, tmp_path):
    *_, L = lecture_example()
    path = explain(L).save_html(tmp_path / "steps.html")
    page = browser.new_page()
    errors, requests = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"file://{path}")

    def state():
        return {
            "equation": page.inner_text("#equation"),
            "counter": page.inner_text("#counter"),
            "current": page.evaluate("Array.from(document.querySelectorAll('.current')).map(e => e.id)"),
            "grads": page.evaluate(
                "Array.from(document.querySelectorAll('g.node text')).map(t => t.textContent).filter(t => t.startsWith('grad '))"
            ),
        }

    start = state()
    assert start["counter"] == "step 0 of 6" and start["current"] == []
    assert start["grads"].count("grad ?") == 6 and "grad 1.0000" in start["grads"]
    page.click("#next")
    first = state()
    assert first["current"] == ["e6_0"] and first["equation"].startswith("1. ∂L/∂d = f = -2")
    assert "grad -2.0000" in first["grads"] and first["grads"].count("grad ?") == 5
    page.keyboard.press("ArrowRight")
    second = state()
    assert second["current"] == ["e6_1"] and second["equation"] != first["equation"]
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    last = state()
    assert last["counter"] == "step 6 of 6" and last["current"] == ["e2_1"]
    assert "grad ?" not in last["grads"] and "grad 6.0000" in last["grads"]
    page.keyboard.press("ArrowLeft")
    assert state()["current"] == ["e2_0"]
    page.click("#prev")
    assert state()["current"] == ["e4_1"]
    assert errors == []
    assert all(url.startswith("file://") for url in requests)
    page.screenshot(path=str(tmp_path / "stepper.png"))
    page.close()


def test_play_button_advances(browser, tmp_path):
    *_, L = lecture_example()
    path = explain(L).save_html(tmp_path / "steps.html")
    page = browser.new_page()
    page.goto(f"file://{path}")
    page.click("#play")
    page.wait_for_function("document.getElementById('counter').textContent === 'step 2 of 6'", timeout=10_000)
    page.click("#play")  # pause
    assert "play" in page.inner_text("#play")
    page.close()
