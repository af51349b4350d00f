"""Labels are data: hostile labels through explain's text, Markdown/LaTeX and HTML stepper."""

from __future__ import annotations

import json
import re
import unicodedata
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd_tiny import Value, explain
from autograd_tiny.show.explain import tex, text_label
from autograd_tiny.show.stepper import step_text
from tests.show.test_stepper import browser  # noqa: F401  (the headless Chromium fixture)

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\\end{document}",
    "}}",
    "$",
    "$$x$$",
    "a\n\nb",
    "nul\x00",
    "\ud800",
    "\u2028",
    "\u202e",
    "[x](javascript:alert(1))",
    "grad 5?",
    "?",
    "*em* _u_ `c`",
    "&amp;",
]
HIDDEN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def graph(labels):
    """out = (a*b + c) * a with the given labels on a, b, c and the output."""
    a, b, c = (Value(v, label=label) for v, label in zip((2.0, -3.0, 10.0), labels))
    t = a * b + c
    out = t * a
    out.label = labels[3]
    return out


def plain_graph():
    return graph(["a", "b", "c", "L"])


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def math_spans(line):
    """The inline math of a Markdown line, split as nbconvert does (an escaped $ is not a delimiter)."""
    parts = re.split(r"(?<![$\\])\$", line)
    assert len(parts) % 2 == 1, f"unbalanced $ in {line!r}"
    return parts[1::2]


def balanced(tex):
    depth = 0
    for token in re.findall(r"\\.|[{}]", tex):
        depth += {"{": 1, "}": -1}.get(token, 0)
        if depth < 0:
            return False
    return depth == 0


def check_markdown(md, reference):
    assert md.count("\n") == reference.count("\n")  # no label adds a line, blank or not
    assert not any(unicodedata.category(ch) in HIDDEN for ch in md.replace("\n", ""))
    md.encode("utf-8")  # no lone surrogate
    assert "<" not in md and ">" not in md
    for line in md.splitlines():
        for span in math_spans(line):
            assert balanced(span), span
            assert "\\\\" not in span  # no line break, no \\[ or \\( delimiter


def check_text(text, reference):
    assert text.count("\n") == reference.count("\n")
    assert not any(unicodedata.category(ch) in HIDDEN for ch in text.replace("\n", ""))
    text.encode("utf-8")


def test_escaping_functions():
    assert text_label("a\nb\x00\ud800\u2028") == "a\\nb\\x00\\ud800\\u2028"
    assert tex("\\end{document}") == r"\mathrm{\backslash end\{document\}}"
    assert tex("}}$") == r"\mathrm{\}\}\$}"
    assert tex("<img>") == r"\mathrm{\lt img\gt }"
    assert tex("nul\x00 \ud800") == r"\mathrm{nul\backslash x00\ \backslash ud800}"


@pytest.mark.parametrize("label", HOSTILE)
def test_each_hostile_label_in_every_position(label):
    reference = explain(plain_graph())
    for position in range(4):
        labels = ["a", "b", "c", "L"]
        labels[position] = label
        e = explain(graph(labels))
        check_text(str(e), str(reference))
        check_markdown(e.markdown(), reference.markdown())
        repr(e).encode("utf-8")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(max_size=12), min_size=4, max_size=4))
def test_hypothesis_labels_text_and_markdown(labels):
    reference = explain(plain_graph())
    e = explain(graph(labels))
    check_text(str(e), str(reference))
    check_markdown(e.markdown(), reference.markdown())


def test_markdown_rendered_by_nbconvert_keeps_no_label_html():
    markdown2html = pytest.importorskip("nbconvert.filters.markdown_mistune").markdown2html_mistune
    allowed = {"p", "strong", "em", "ul", "ol", "li", "code"}
    for label in HOSTILE:
        for position in range(4):
            labels = ["a", "b", "c", "L"]
            labels[position] = label
            rendered = markdown2html(explain(graph(labels)).markdown())
            parser = Tags()
            parser.feed(rendered)
            assert set(parser.tags) <= allowed, (label, set(parser.tags) - allowed)
            assert "javascript:" not in rendered.replace("(javascript:alert(1))", "")  # never an href


# The drawing (render.draw_dot) does not yet escape control characters and lone surrogates:
# the stepper is tested with every other character here.
PRINTABLE = st.text(st.characters(blacklist_categories=tuple(HIDDEN)), max_size=12)


def page_data(text):
    start = text.index('type="application/json">') + len('type="application/json">')
    data = text[start : text.index("</script>", start)]
    assert "<" not in data
    return json.loads(data)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PRINTABLE, min_size=4, max_size=4))
def test_hypothesis_labels_html_page(tmp_path, labels):
    e = explain(graph(labels))
    text = open(e.save_html(tmp_path / "page.html"), encoding="utf-8").read()
    data = page_data(text)
    root = text_label(e.names[e.root])
    assert [step["text"] for step in data["steps"]] == [step_text(step, root, e.names) for step in e.steps]
    parser = Tags()
    parser.feed(text)
    assert parser.tags.count("script") == 2  # the data and our code, nothing from a label


def test_stepper_is_not_confused_by_labels_with_question_marks_or_starting_with_grad(browser, tmp_path):  # noqa: F811
    out = graph(["grad 5?", "?", "grad ?", "grad L"])
    path = explain(out).save_html(tmp_path / "odd.html")
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"file://{path}")
    page.keyboard.press("b")  # skip the forward pass: every value's data is shown
    cells = "Array.from(document.querySelectorAll('g.node')).filter(g => /^v\\d+$/.test(g.id)).map(g => Array.from(g.getElementsByTagName('text')).map(t => t.textContent))"
    start = page.evaluate(cells)
    assert ["grad 5?", "data 2.0000", "grad ?"] in start and ["grad L", "data 8.0000", "grad 1.0000"] in start
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    last = page.evaluate(cells)
    # out = (a*b + c)*a: d/da = 2ab + c = -2, d/db = a² = 4, d/dc = a = 2.
    assert ["grad 5?", "data 2.0000", "grad −2.0000"] in last
    assert ["?", "data −3.0000", "grad 4.0000"] in last
    assert ["grad ?", "data 10.0000", "grad 2.0000"] in last
    assert ["grad L", "data 8.0000", "grad 1.0000"] in last
    assert errors == []
    page.close()
