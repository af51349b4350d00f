"""Hostile labels, op symbols and formulas run no script: the stepper, the quiz and the notebook frame in Chromium.

Each payload sets ``window.pwned`` if it ever runs. The pages are stepped to the end (the quiz
answered, with its hint and its answer shown), every drawn node is clicked, and the flag must
stay unset; no page may hold a link or a ``javascript:`` URL at all.
"""

from __future__ import annotations

import html
import re

from autograd_tiny import MLP, Value, define_op
from autograd_tiny.show.explain import explain
from tests.show.test_stepper import browser  # noqa: F401  (the headless Chromium fixture)

RUN = "window.pwned=1"
SYMBOL = f'<<TABLE><TR><TD HREF="javascript:{RUN}">x</TD></TR></TABLE>>'
LABELS = [
    f"<img src=x onerror={RUN}>",
    f"</script><script>{RUN}</script>",
    f"<svg onload={RUN}>",
    f'"><a href="javascript:{RUN}">x</a>',
]
FORMULA = f"<img src=x onerror={RUN}>" + "{0}" + f"<a href=javascript:{RUN}>y</a>"
DERIVATIVE = f"<svg onload={RUN}>" + "{{out}}" + f"<iframe src=javascript:{RUN}>"


def hostile_root():
    """A graph whose every label, op symbol and formula is a payload."""
    op = define_op(
        "pwn",
        lambda x, y: x * y,
        [lambda x, y, out: y, lambda x, y, out: x],
        symbol=SYMBOL,
        formula=FORMULA + " {1}",
        derivative_formulas=[DERIVATIVE + "{1}", DERIVATIVE + "{0}"],
    )
    a, b = Value(2.0, label=LABELS[0]), Value(-3.0, label=LABELS[1])
    c = op(a, b)
    c.label = LABELS[2]
    out = (c + a) * 2.0
    out.label = LABELS[3]
    return out


def no_links(html: str) -> None:
    """Nothing on the page is a link to anywhere, and no attribute holds a javascript: URL.

    The page's data (JSON in a script element, shown only as text) holds the payloads as
    text, which is what they are: it is left out here.
    """
    markup = re.sub(r'<script id="steps-data" type="application/json">.*?</script>', "", html, flags=re.S)
    assert not re.search(r"<a[\s>]", markup, re.I), "an <a> element"
    assert not re.search(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", markup, re.I)


def test_pages_hold_no_link_from_data(tmp_path):
    root = hostile_root()
    for quiz in (False, True):
        page = open(explain(root).save_html(tmp_path / f"p{quiz}.html", quiz=quiz), encoding="utf-8").read()
        no_links(page)
        frame = explain(root).stepper(quiz=quiz)._repr_html_()
        start = frame.index('<iframe srcdoc="') + len('<iframe srcdoc="')
        end = frame.index('" style=', start)
        assert html.unescape(frame[start:end]) == page  # the frame holds the same page
        no_links(frame[:start] + frame[end:])  # the still picture and its line included


def step_through(frame, quiz: bool, steps: int) -> None:
    """Walk the page to its end, as a learner would; in a quiz ask for every hint and answer."""
    if not quiz:
        frame.click("#next")
        frame.press("body", "End")
        assert frame.inner_text("#counter") == "summary"
        return
    for _ in range(4 * steps):  # (questions may come in more than one per step)
        if frame.inner_text("#counter") == "summary":
            return
        for button in ("#hint", "#show", "#next"):
            if frame.is_visible(button) and frame.is_enabled(button):
                frame.click(button)


def click_every_node(frame) -> None:
    for element in frame.query_selector_all("g.node"):
        element.click(force=True)


def test_hostile_pages_run_no_script_in_chromium(browser, tmp_path):  # noqa: F811
    root = hostile_root()
    steps = len(explain(root).steps)
    for quiz in (False, True):
        path = explain(root).save_html(tmp_path / f"page{quiz}.html", quiz=quiz)
        errors: list = []
        page = browser.new_page(viewport={"width": 1024, "height": 768})
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        page.goto(f"file://{path}")
        counter = page.inner_text("#counter")
        if quiz:  # one question per step, and one more for each value with several contributions
            match = re.fullmatch(r"question 1 of (\d+) · score 0", counter)
            assert match and int(match.group(1)) >= steps, counter
        else:
            assert counter == "forward 0 of 5"
        step_through(page, quiz, steps)
        click_every_node(page)
        assert page.evaluate("window.pwned") is None
        assert page.evaluate("document.querySelectorAll('a, [href], [*|href]').length") == 0
        # The labels show as written, in the equation and in the drawing.
        texts = page.evaluate("Array.from(document.querySelectorAll('svg text')).map(t => t.textContent)")
        assert SYMBOL in texts and LABELS[0] in texts
        assert errors == []
        page.close()


def test_the_notebook_frame_is_sandboxed_and_still_steps(browser, tmp_path):  # noqa: F811
    root = hostile_root()
    frames = "".join([explain(root).stepper()._repr_html_(), explain(root).stepper(quiz=True)._repr_html_()])
    assert frames.count('sandbox="allow-scripts"') == 2 and "allow-same-origin" not in frames
    path = tmp_path / "notebook.html"
    path.write_text(f"<!DOCTYPE html><html><body>{frames}</body></html>", encoding="utf-8")
    errors: list = []
    page = browser.new_page(viewport={"width": 1024, "height": 900})
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"file://{path}")
    stepper, quiz = page.frames[1], page.frames[2]
    stepper.wait_for_function("document.getElementById('counter').textContent !== ''")
    assert stepper.inner_text("#counter") == "forward 0 of 5"
    # Scripts run in the frame, but the frame is an origin of its own: it cannot reach the notebook.
    assert stepper.evaluate("(() => { try { return parent.document.title; } catch (e) { return 'blocked'; } })()") == (
        "blocked"
    )
    page.locator("iframe").nth(0).click(position={"x": 500, "y": 400})
    page.keyboard.press("ArrowRight")
    assert stepper.inner_text("#counter") == "forward 1 of 5"
    step_through(stepper, False, 0)
    step_through(quiz, True, len(explain(root).steps))
    for frame in (stepper, quiz):
        click_every_node(frame)
        assert frame.evaluate("window.pwned") is None
    assert page.evaluate("window.pwned") is None and errors == []
    page.close()


def hostile_network():
    """A network whose inputs, one weight and the loss carry payloads as labels."""
    model = MLP(2, [2, 1], activation="tanh", seed=7)
    model.parameters()[0].label = LABELS[3]
    x = [Value(0.5, label=LABELS[0]), Value(-1.0, label=LABELS[1])]
    loss = (model(x) - 1.0) ** 2
    loss.label = LABELS[2]
    return loss


def test_the_neuron_pages_run_no_script(browser, tmp_path):  # noqa: F811
    loss = hostile_network()
    errors: list = []
    for quiz in (False, True):
        path = explain(loss, group="neuron").save_html(tmp_path / f"neurons{quiz}.html", quiz=quiz)
        page_text = open(path, encoding="utf-8").read()
        no_links(page_text)
        page = browser.new_page(viewport={"width": 1024, "height": 768})
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"file://{path}")
        if quiz:  # every hint and every answer shown, to the end
            for _ in range(9):  # 3 neurons: z, a and δ each
                page.click("#hint")
                page.click("#show")
                page.click("#next-question")
            assert page.inner_text("#counter") == "summary"
        else:
            step_through(page, quiz, 0)
        click_every_node(page)
        assert page.evaluate("window.pwned") is None
        texts = page.evaluate("Array.from(document.querySelectorAll('svg text')).map(t => t.textContent)")
        assert LABELS[0] in texts and LABELS[2] in texts  # shown as written
        assert errors == []
        page.close()
    # The notebook display, its still picture included, holds no link either.
    shown = explain(loss, group="neuron").stepper()._repr_html_()
    no_links(shown[shown.index("</iframe>") :])
