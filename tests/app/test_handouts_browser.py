"""The handouts in Chromium with the network blocked: maths drawn, pictures loaded, no script run.

Every request except ``file://`` is aborted (and recorded), so a page that needed a CDN, a
font or a remote picture would show it here. A hostile notebook's payloads set
``window.pwned`` if they ever run; they must not, with the page's Content-Security-Policy
and without it (the escaping alone must hold).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autograd_tiny.app.handouts import write_handouts
from tests.show.test_stepper import browser  # noqa: F401  (the headless Chromium fixture)

pytest.importorskip("mistune")
pytest.importorskip("latex2mathml")

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
RUN = "window.pwned=1"


def open_offline(browser, path: Path, blocked: list, errors: list, width: int = 1024):  # noqa: F811
    """A page at `path`, every request but file:// aborted and listed in `blocked`."""
    page = browser.new_page(viewport={"width": width, "height": 768})

    def route(request_route):
        if request_route.request.url.startswith("file://"):
            request_route.continue_()
        else:
            blocked.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page


# What a reader sees outside code: the prose and the rendered outputs.
VISIBLE_PROSE = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('pre, code, math').forEach(e => e.remove());
  document.body.appendChild(copy); copy.style.position = 'absolute';
  const text = copy.innerText; copy.remove(); return text;
}"""


@pytest.fixture(scope="module")
def repository_handouts(tmp_path_factory):
    out = tmp_path_factory.mktemp("handouts")
    write_handouts(out, source=NOTEBOOKS, solutions=(NOTEBOOKS / "solutions").is_dir())
    return out


def test_the_notebooks_handouts_draw_their_maths_and_pictures_offline(browser, repository_handouts):  # noqa: F811
    maths_seen = 0
    for path in sorted(repository_handouts.rglob("0*.html")):  # the solutions' pages too, once there are any
        blocked: list = []
        errors: list = []
        page = open_offline(browser, path, blocked, errors)
        assert blocked == [] and errors == [], path.name
        # Every formula is drawn as MathML: a box of nonzero size.
        boxes = page.evaluate(
            "Array.from(document.querySelectorAll('math')).map(m => {const r = m.getBoundingClientRect(); "
            "return [r.width, r.height];})"
        )
        assert all(width > 0 and height > 0 for width, height in boxes), path.name
        maths_seen += len(boxes)
        prose = page.evaluate(VISIBLE_PROSE)
        assert "\\frac" not in prose and "\\partial" not in prose and "$" not in prose, path.name
        # Every picture loaded (a data: URL the page holds) and fits the page.
        images = page.evaluate(
            "Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.getBoundingClientRect().right])"
        )
        assert images, path.name  # every notebook of ours draws something
        assert all(complete and natural > 0 and right <= 1024 for complete, natural, right in images), path.name
        page.close()
    assert maths_seen >= 50


def test_the_handouts_are_readable_from_the_back_row(browser, repository_handouts):  # noqa: F811
    page = open_offline(browser, repository_handouts / "05_backprop_by_hand.html", [], [])
    sizes = page.evaluate(
        "({body: getComputedStyle(document.querySelector('section.markdown p')).fontSize, "
        "code: getComputedStyle(document.querySelector('pre.code')).fontSize, "
        "output: getComputedStyle(document.querySelector('pre.stdout')).fontSize})"
    )
    assert float(sizes["body"][:-2]) >= 16 and float(sizes["code"][:-2]) >= 14 and float(sizes["output"][:-2]) >= 14
    # Nothing is wider than the page (long code lines wrap).
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    page.close()


def test_the_index_links_every_handout(browser, repository_handouts):  # noqa: F811
    page = open_offline(browser, repository_handouts / "index.html", [], [])
    links = page.evaluate("Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href'))")
    pages = [p.relative_to(repository_handouts).as_posix() for p in repository_handouts.rglob("0*.html")]
    assert sorted(links) == sorted(pages) and links[0] == min(pages)
    page.click(f"a[href='{links[0]}']")
    assert page.url.endswith(links[0]) and page.evaluate("document.querySelectorAll('nav a').length") == 1
    page.close()


def hostile_notebook() -> dict:
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" onload="{RUN}"><script>{RUN}</script><rect width="40" height="20"/></svg>'
    html_output = (
        f"<script>{RUN}</script><img src=x onerror={RUN}><iframe srcdoc='<script>parent.{RUN}</script>'></iframe>"
    )
    markdown = "\n\n".join(
        [
            "# Hostile <script>" + RUN + "</script>",
            f"<script>{RUN}</script>",
            f"<img src=x onerror={RUN}>",
            f'<a href="javascript:{RUN}">raw link</a>',
            f"[md link](javascript:{RUN}) [tab link](java\tscript:{RUN}) [web](https://example.org/)",
            "![remote](https://example.org/x.png) ![svg](attachment:evil.svg)",
            f"Maths: $\\href{{javascript:{RUN}}}{{x}}$ and $\\text{{<img src=x onerror={RUN}>}}$",
            # A formula in alt text, on a picture that fails to load (so an onerror would fire).
            f'![$\\text{{" onerror="{RUN};//}}$](data:image/png;base64,AAAA)',
            f'$\\color{{red" onmouseover="{RUN}}}{{a}}$ $\\style{{background:url(https://example.org/)}}{{b}}$',
        ]
    )
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [
            {
                "cell_type": "markdown",
                "metadata": {},
                "source": markdown,
                "attachments": {"evil.svg": {"image/svg+xml": svg}},
            },
            {
                "cell_type": "code",
                "metadata": {},
                "execution_count": 1,
                "source": f"print('<script>{RUN}</script>')",
                "outputs": [
                    {"output_type": "stream", "name": "stdout", "text": f"<script>{RUN}</script>\n"},
                    {"output_type": "display_data", "metadata": {}, "data": {"text/html": html_output}},
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {"text/html": html_output, "text/plain": "x"},
                    },
                    {"output_type": "display_data", "metadata": {}, "data": {"image/svg+xml": svg}},
                    {"output_type": "display_data", "metadata": {}, "data": {"image/png": f'" onerror="{RUN}'}},
                    {
                        "output_type": "execute_result",
                        "execution_count": 1,
                        "metadata": {},
                        "data": {"text/markdown": f"<script>{RUN}</script> [x](javascript:{RUN})", "text/plain": "x"},
                    },
                    {"output_type": "error", "ename": "E", "evalue": "", "traceback": [f"<script>{RUN}</script>"]},
                ],
            },
        ],
    }


@pytest.mark.parametrize("policy", [True, False], ids=["with the page's policy", "escaping alone"])
def test_a_hostile_notebook_runs_no_script_and_loads_nothing(browser, tmp_path, policy):  # noqa: F811
    source = tmp_path / "nb"
    source.mkdir()
    (source / "hostile.ipynb").write_text(json.dumps(hostile_notebook()), encoding="utf-8")
    write_handouts(tmp_path / "out", source=source)
    path = tmp_path / "out" / "hostile.html"
    if not policy:  # the Content-Security-Policy would stop a script that got through: take it out
        text = path.read_text(encoding="utf-8")
        start = text.index('<meta http-equiv="Content-Security-Policy"')
        path.write_text(text[:start] + text[text.index(">", start) + 1 :], encoding="utf-8")
    blocked: list = []
    page = open_offline(browser, path, blocked, [])
    # Hover over and click everything a reader could (links are followed by a reader's
    # choice, so they are hovered only: a click would leave the page).
    for element in page.query_selector_all("body *"):
        if element.is_visible():
            element.hover(force=True)
            if not element.evaluate("e => e.closest('a') !== null"):
                element.click(force=True)
    assert page.evaluate("window.pwned") is None
    assert blocked == []
    # No handler attribute, no script element, no frame, no javascript: address anywhere.
    assert (
        page.evaluate(
            "Array.from(document.querySelectorAll('*')).flatMap(e => Array.from(e.attributes))"
            ".filter(a => a.name.startsWith('on') || /^\\s*javascript:/i.test(a.value)).length"
        )
        == 0
    )
    assert page.evaluate("document.querySelectorAll('script, iframe, object, embed').length") == 0
    links = page.evaluate("Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href'))")
    assert links == ["index.html", "https://example.org/"]
    # The SVG attachment and output show as pictures (an <img> runs none of their script).
    svg_sources = page.evaluate("Array.from(document.images).map(i => i.src.slice(0, 26))")
    assert svg_sources.count("data:image/svg+xml;base64,") == 2
    page.close()
