"""The playground page in Chromium: Type, Step, the link that carries the exercise, hostile links.

The site is written by `write_site` with ``--pyodide pyodide/``: the pinned npm package's files
(browser/node_modules/pyodide, from ``npm ci``) beside the page, served from 127.0.0.1 by the
`serve` command's server. Every other request is aborted, so the page is shown to work offline,
as in a classroom. Where the npm package or Chromium is missing the tests skip (fail under CI).
"""

from __future__ import annotations

import os
import re
import threading
from urllib.parse import urlencode

import pytest

from autograd_tiny.app import playground
from autograd_tiny.app.cli import main
from autograd_tiny.app.expression import build_expression
from autograd_tiny.core.graph import topological_order
from autograd_tiny.show.explain import explain
from autograd_tiny.show.render import draw_dot
from tests.browser.conftest import BROWSER
from tests.show.test_stepper import browser  # noqa: F401  (the headless Chromium fixture)

PYODIDE = BROWSER / "node_modules" / "pyodide"
# Starting Pyodide and unpacking the wheels takes ~4 s here; allow a slow machine plenty.
READY_TIMEOUT_MS = 180_000


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The address of a playground site served from 127.0.0.1, Pyodide beside the page."""
    if not (PYODIDE / "pyodide.asm.wasm").exists():
        reason = f"the pyodide npm package is not installed: run `npm ci` in {BROWSER}"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the playground tests, but {reason}")
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("playground")
    assert main(["playground", str(folder), "--pyodide", "pyodide/"]) == 0
    (folder / "pyodide").symlink_to(PYODIDE, target_is_directory=True)
    server = playground.make_server(folder, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def open_playground(browser, site, hash_: str = "", blocked: list | None = None):  # noqa: F811
    """A 1024×768 page of the site, ready (Pyodide started); requests elsewhere are aborted."""
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    blocked = [] if blocked is None else blocked

    def route(request_route):
        if request_route.request.url.startswith(site):
            request_route.continue_()
        else:
            blocked.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.goto(site + "index.html" + hash_)
    page.wait_for_function("document.documentElement.dataset.readyMs", timeout=READY_TIMEOUT_MS)
    ready = page.evaluate("document.documentElement.dataset.readyMs")
    assert ready != "failed", page.text_content("#status")
    print(f"playground ready in {ready} ms (Pyodide started, wheels unpacked, viz loaded)")
    return page


def python_numbers(expression: str, values: dict) -> list[list[str]]:
    """The numbers table the page should show, from CPython: inputs by name, then the output."""
    root = build_expression(expression, values)
    root.backward()
    inputs = sorted((n for n in topological_order(root) if not n.parents), key=lambda n: n.label)
    return [[n.label, n.data, n.grad] for n in inputs] + [["output", root.data, root.grad]]


def page_numbers(page) -> list[list]:
    rows = page.eval_on_selector_all("#numbers tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    # the table writes the minus sign −, as every view does
    return [[name, float(data.replace("−", "-")), float(grad.replace("−", "-"))] for name, data, grad in rows]


def test_type_draws_the_graph_with_the_numbers_of_python(browser, site):  # noqa: F811
    blocked: list = []
    page = open_playground(browser, site, blocked=blocked)
    try:
        # The default exercise is drawn on opening; then a new one is typed.
        assert page_numbers(page) == python_numbers("tanh(a*b + c)", {"a": 2, "b": -3, "c": 10})
        page.fill("#expression", "(a*b + c)*f - a**2")
        page.fill("#values", "a=2, b=-3 c=10 f=-2")
        page.click("#draw")  # draws at once: the page's Python is synchronous
        values = {"a": 2, "b": -3, "c": 10, "f": -2}
        # Pyodide's floats are CPython's: the very same numbers, not merely close ones.
        assert page_numbers(page) == python_numbers("(a*b + c)*f - a**2", values)
        root = build_expression("(a*b + c)*f - a**2", values)
        root.backward()
        source = draw_dot(root).source
        assert page.text_content("#dot") == source
        # The drawing is viz's rendering of that DOT: every label's text is in the SVG.
        svg_texts = page.eval_on_selector_all("#graph svg text", "ts => ts.map(t => t.textContent)")
        cells = re.findall(r"<TD>(?:<B>)?([^<]+)(?:</B>)?</TD>", source)
        assert "data −2.0000" in cells and "grad 4.0000" in cells  # f's data, and its grad a*b + c = 4
        assert [cell for cell in cells if cell not in svg_texts] == []
        page.screenshot(path="/tmp/playground_type.png")
        assert blocked == []  # nothing was fetched from anywhere but 127.0.0.1
    finally:
        page.close()


def test_a_parse_error_shows_its_message_and_caret(browser, site):  # noqa: F811
    page = open_playground(browser, site)
    try:
        page.fill("#expression", "a * * b")
        page.fill("#values", "a=2 b=3")
        page.click("#draw")
        assert page.is_visible("#error")
        assert page.text_content("#error") == "error: syntax error: invalid syntax (column 5)\n  a * * b\n      ^"
        assert page.eval_on_selector_all("#graph svg", "s => s.length") == 0
        page.screenshot(path="/tmp/playground_error.png")
    finally:
        page.close()


def test_step_shows_the_stepper_in_a_sandboxed_frame(browser, site):  # noqa: F811
    page = open_playground(browser, site)
    try:
        page.fill("#expression", "a*b + b")
        page.fill("#values", "a=3 b=-2")
        page.click("#step")
        assert page.get_attribute("#stepper", "sandbox") == "allow-scripts"  # no same origin: no reach into the page
        # The stepper replaces the Type panel (hidden panels stay hidden whatever their CSS display).
        assert page.is_visible("#stepper") and not page.is_visible("#type-panel")
        frame = page.frame_locator("#stepper")
        frame.locator("svg g#v0").wait_for()
        assert frame.locator("title").first.text_content() is not None
        texts = frame.locator("svg text").all_text_contents()
        assert "grad ?" in texts  # the stepper starts with the gradients unknown, as save_html's page does
        frame.get_by_text("forward 0 of 4").wait_for()  # its script runs in the frame
        frame.get_by_role("button", name="next ▶").click()
        frame.get_by_text("forward 1 of 4").wait_for()
        # Sandboxed without same origin: the stepper's script cannot reach the playground page.
        inner = page.frames[1]
        assert inner.evaluate("() => { try { return parent.document.title } catch (e) { return e.name } }") == (
            "SecurityError"
        )
        page.screenshot(path="/tmp/playground_step.png")
    finally:
        page.close()


def test_copy_link_opens_the_same_exercise(browser, site):  # noqa: F811
    page = open_playground(browser, site)
    try:
        page.fill("#expression", "relu(x*w + b)")
        page.fill("#values", "x=1.5 w=-0.25 b=0.75")
        page.click("#draw")
        page.click("#copy-link")
        link = page.input_value("#link")
        # URLSearchParams leaves * as it is (application/x-www-form-urlencoded).
        state = {"expr": "relu(x*w + b)", "values": "x=1.5 w=-0.25 b=0.75", "mode": "type"}
        assert link == site + "index.html#" + urlencode(state, safe="*")
        numbers = page_numbers(page)
    finally:
        page.close()
    opened = open_playground(browser, site, link[len(site + "index.html") :])
    try:
        assert opened.input_value("#expression") == "relu(x*w + b)"
        assert opened.input_value("#values") == "x=1.5 w=-0.25 b=0.75"
        assert page_numbers(opened) == numbers == python_numbers("relu(x*w + b)", {"x": 1.5, "w": -0.25, "b": 0.75})
    finally:
        opened.close()


HOSTILE = {
    "an expression of HTML": (
        {"expr": '<img src=x onerror="window.pwned=1">', "values": ""},
        'error: syntax error: invalid syntax (column 1)\n  <img src=x onerror="window.pwned=1">\n  ^',
    ),
    "an expression calling Python": (
        {"expr": "__import__('js').eval('window.pwned=1')", "values": ""},
        "error: only calls to neg, exp, log, tanh, sigmoid, relu, sqrt, abs, sin, cos, max, min are allowed (column 1)",
    ),
    "a value of HTML": (
        {"expr": "a*b", "values": "a=1 b=<svg/onload=window.pwned=1>"},
        "error: the value of b must be a number, got '<svg/onload=window.pwned=1>'",
    ),
    "an unknown key": (
        {"expr": "a", "values": "a=1", "<script>window.pwned=1</script>": "1"},
        (
            'error: the link has an unknown key "<script>window.pwned=1</script>"; it may hold only expr, values, '
            "mode, dataset, net, act, opt, lr, seed, add, steps, neuron, sample, view, hide"
        ),
    ),
    "a mode that is a URL": (
        {"expr": "a", "values": "a=1", "mode": "javascript:window.pwned=1"},
        'error: the link\'s mode "javascript:window.pwned=1" is not one of type, step, quiz, train',
    ),
    "a key given twice": ("expr=a&expr=b&values=a%3D1", "error: the link gives expr 2 times; give it once"),
    "a long expression": (
        {"expr": "a+" * 600 + "a"},
        "error: the link's expr is 1201 characters long; the limit is 1000",
    ),
}


def check_hostile_link(browser, site, state, message: str) -> None:  # noqa: F811
    """Open a link holding `state` (a dict, or the hash's text): it shows exactly `message`,
    runs no script (window.pwned stays unset), and makes no element from the link's text."""
    hash_ = "#" + (state if isinstance(state, str) else urlencode(state))
    page = open_playground(browser, site, hash_)
    try:
        assert page.is_visible("#error")
        assert page.text_content("#error") == message
        assert page.evaluate("window.pwned") is None
        assert page.eval_on_selector_all("#graph svg, img, script:not([src])", "s => s.length") == 0
    finally:
        page.close()


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_link_runs_no_script_and_says_what_is_wrong(browser, site, name):  # noqa: F811
    check_hostile_link(browser, site, *HOSTILE[name])


def test_a_link_made_while_stepping_opens_the_stepper(browser, site):  # noqa: F811
    page = open_playground(browser, site)
    try:
        page.fill("#expression", "a*b + b")
        page.fill("#values", "a=3 b=-2")
        page.click("#step")
        page.click("#copy-link")
        link = page.input_value("#link")
        assert link.endswith("&mode=step")
    finally:
        page.close()
    opened = open_playground(browser, site, link[len(site + "index.html") :])
    try:
        assert opened.is_visible("#stepper") and not opened.is_visible("#type-panel")
        opened.frame_locator("#stepper").get_by_text("forward 0 of 4").wait_for()
    finally:
        opened.close()


def test_a_missing_pyodide_is_said_on_the_page(browser, tmp_path):  # noqa: F811
    """A site whose --pyodide URL holds nothing says so instead of staying blank."""
    playground.write_site(tmp_path, "no-pyodide-here/")
    server = playground.make_server(tmp_path, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    try:
        address = f"http://127.0.0.1:{server.server_address[1]}/"
        page.goto(address + "index.html")
        page.wait_for_function("document.documentElement.dataset.readyMs === 'failed'", timeout=READY_TIMEOUT_MS)
        assert page.text_content("#status") == (
            f"Could not start Python in this page: cannot load {address}no-pyodide-here/pyodide.js"
        )
        assert page.is_disabled("#draw")
    finally:
        page.close()
        server.shutdown()
        server.server_close()


def test_quiz_names_a_slip_grades_a_right_answer_and_its_link_reopens_it(browser, site):  # noqa: F811
    page = open_playground(browser, site)
    try:
        page.fill("#expression", "a*b + b")
        page.fill("#values", "a=3 b=-2")
        page.click("#quiz")
        assert page.is_visible("#stepper") and not page.is_visible("#type-panel")
        frame = page.frame_locator("#stepper")
        frame.locator("#answer").wait_for()
        # Question 1: the + node sends its upstream 1 back to a*b with local derivative 1: contribution 1.
        assert frame.locator("#equation").inner_text().startswith("Question 1 of")
        frame.locator("#answer").fill("-1")
        frame.locator("#answer").press("Enter")
        assert "Right size, wrong sign" in frame.locator("#feedback").inner_text()
        frame.locator("#answer").fill("1")
        frame.locator("#answer").press("Enter")
        assert frame.locator("#feedback").inner_text().startswith("✓ Right.")
        page.screenshot(path="/tmp/playground_quiz.png")
        page.click("#copy-link")
        link = page.input_value("#link")
        assert link.endswith("&mode=quiz")
    finally:
        page.close()
    opened = open_playground(browser, site, link[len(site + "index.html") :])
    try:
        assert opened.is_visible("#stepper")
        opened.frame_locator("#stepper").locator("#answer").wait_for()
    finally:
        opened.close()


def test_the_quiz_names_each_slip_as_explain_check_does(browser, site):  # noqa: F811
    """(a + a)·a at a = 3: steps c→t1 (3), c→a (6), t1→a (3), t1→a (3), then ∂c/∂a = 12; one
    slip typed at each question, each named as `Explanation.check` names it in CPython."""
    page = open_playground(browser, site)
    try:
        page.fill("#expression", "(a + a)*a")
        page.fill("#values", "a=3")
        page.click("#quiz")
        frame = page.frame_locator("#stepper")
        frame.locator("#answer").wait_for()

        def typed(text):
            frame.locator("#answer").fill(text)
            frame.locator("#answer").press("Enter")
            return frame.locator("#feedback").inner_text()

        def right(text):
            assert typed(text).startswith("✓ Right.")
            frame.locator("#answer").press("Enter")  # on an answered question, Enter goes on

        named = {"sign": typed("-3")}
        right("3")
        named["no-local"] = typed("1")  # ∂c/∂c alone
        right("6")
        named["no-upstream"] = typed("1")  # ∂t1/∂a alone
        right("3")
        named["running-total"] = typed("12")  # a's gradient so far
        right("3")
        assert frame.locator("#asked").inner_text() == "Gradient"
        named["one-path"] = typed("9")
        assert typed("12").startswith("✓ Right. ∂out/∂a = 6.0000 + 3.0000 + 3.0000 = 12.0000")
    finally:
        page.close()
    root = build_expression("(a + a)*a", {"a": 3})
    checks = explain(root)
    a = next(node for node in topological_order(root) if node.label == "a")
    expected = {
        "sign": checks.check(1, -3.0),
        "no-local": checks.check(2, 1.0),
        "no-upstream": checks.check(3, 1.0),
        "running-total": checks.check(4, 12.0),
        "one-path": checks.check_gradient(a, 9.0),
    }
    answers = {"sign": "-3", "no-local": "1", "no-upstream": "1", "running-total": "12", "one-path": "9"}
    for mistake, feedback in expected.items():
        assert feedback.mistake == mistake
        assert named[mistake] == f"✗ {answers[mistake]} is not right. {feedback.message} Try again.", mistake
