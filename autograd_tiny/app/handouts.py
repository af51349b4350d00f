"""`autograd-tiny handouts DIR`: the notebooks as HTML pages that need no network.

A teacher hands these pages out (or projects them) where Jupyter is not at hand and the
network may not be: each page holds everything it shows. Markdown becomes HTML through
mistune; maths (``$...$``, ``$$...$$``, ``\\(...\\)``, ``\\[...\\]``) becomes MathML through
latex2mathml, which browsers draw natively, so no MathJax and no CDN are needed; pictures
are embedded as ``data:`` URLs. Both packages come with the ``handouts`` extra.

A notebook is file input, so nothing in it runs: raw HTML in Markdown is shown as text,
links go only to http(s), mailto or relative addresses, SVG is shown through ``<img>``
(which runs no script and loads nothing), an output's ``text/html`` is replaced by its
picture or its text, and a Content-Security-Policy forbids scripts and remote loads anyway.

>>> page = notebook_page({"nbformat": 4, "cells": [{"cell_type": "markdown", "source": "Slope $\\\\frac{a}{b}$"}]},
...                      title="t")
>>> "<mfrac>" in page and "$" not in page.split("<body>")[1]
True
"""

from __future__ import annotations

import base64
import binascii
import bisect
import functools
import html
import json
import os
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from ..core.optional import check_installed, load
from ..learn.files import FileTooLarge, read_regular_file, write_atomically

__all__ = ["write_handouts", "notebook_page", "markdown_html", "latex_mathml", "split_math", "read_notebook"]

NEEDED_BY = "autograd-tiny handouts"
PACKAGES = ("mistune", "latex2mathml.converter")

# A notebook with its pictures is a few MB; past this it is not one of ours.
MAX_NOTEBOOK_BYTES = 64 * 2**20

# Where a formula was taken out of the Markdown: private-use characters, which no notebook
# text needs (any found in the input are replaced before the formulas are taken out).
OPEN, CLOSE = "\ue000", "\ue001"
PLACEHOLDER = re.compile(f"{OPEN}(\\d+){CLOSE}")
MAX_FORMULA = 5000  # characters of one formula, delimiters included

# Which of an output's representations a page shows, best first. text/html is never shown:
# it is file input that could hold a script; our own views (the stepper) carry a picture or
# text beside it.
PREFERRED = ("image/svg+xml", "image/png", "image/jpeg", "image/gif", "text/markdown", "text/latex", "text/plain")
IMAGE_TYPES = ("image/svg+xml", "image/png", "image/jpeg", "image/gif", "image/webp")


# ----------------------------------------------------------------------------- maths


def split_math(text: str) -> tuple[str, list[tuple[str, bool]]]:
    """Take the formulas out of Markdown `text`, before the Markdown parser sees them.

    Returns the text with each formula replaced by a placeholder, and the formulas as
    (LaTeX, displayed?) in order. Underscores and stars in maths would otherwise become
    emphasis. Code (fenced blocks, backtick spans) keeps its dollars, and ``\\$`` is a dollar.
    An inline ``$`` formula follows pandoc's rule: no space inside either dollar, and no
    digit right after the closing one, so "$5 and $6" stays text.

    >>> split_math("a $x_1$ and $$y$$ in `$z$`")
    ('a \\ue0000\\ue001 and \\ue0001\\ue001 in `$z$`', [('x_1', False), ('y', True)])
    """
    text = text.replace(OPEN, "\ufffd").replace(CLOSE, "\ufffd")
    scanner = _Scanner(text)
    out: list[str] = []
    formulas: list[tuple[str, bool]] = []
    i = 0
    while i < len(text):
        found = scanner.formula_at(i) or scanner.verbatim_at(i)
        if found is None:
            out.append(text[i])
            i += 1
            continue
        stop, formula = found
        if formula is None:
            out.append(text[i:stop])
        else:
            out.append(f"{OPEN}{len(formulas)}{CLOSE}")
            formulas.append(formula)
        i = stop
    return "".join(out), formulas


# A closing $: no space (and no backslash: \$ is a dollar sign) before it, no digit after it.
CLOSING_DOLLAR = re.compile(r"(?<=[^\s\\])\$(?!\d)")
FENCE = re.compile(r" {0,3}(`{3,}|~{3,})[^\n]*")
BACKTICKS = re.compile(r"`+")


class _Scanner:
    """Finds where a formula or a piece of code that starts at a position ends, in `text`.

    Neither a formula nor a code span crosses a blank line, and a formula is at most
    `MAX_FORMULA` characters long: the places of blank lines and of closing dollars are
    listed once, so a text of many lone delimiters is still read in about linear time.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.blank_lines = [m.start() for m in re.finditer(r"\n[ \t]*\n", text)]
        self.closing_dollars = [m.start() for m in CLOSING_DOLLAR.finditer(text)]

    def _paragraph_end(self, i: int) -> int:
        k = bisect.bisect_left(self.blank_lines, i)
        return self.blank_lines[k] if k < len(self.blank_lines) else len(self.text)

    def formula_at(self, i: int) -> tuple[int, tuple[str, bool]] | None:
        """The formula at `i` (``\\(``, ``\\[``, ``$$`` or ``$``): (where it ends, (LaTeX, displayed?))."""
        text, limit = self.text, min(i + MAX_FORMULA, self._paragraph_end(i))
        if text.startswith(("\\(", "\\["), i):
            end = text.find("\\)" if text[i + 1] == "(" else "\\]", i + 2, limit)
            return None if end == -1 else (end + 2, (text[i + 2 : end].strip(), text[i + 1] == "["))
        if text.startswith("$$", i):
            end = text.find("$$", i + 2, limit)
            return None if end == -1 or not text[i + 2 : end].strip() else (end + 2, (text[i + 2 : end].strip(), True))
        if text.startswith("$", i) and i + 1 < len(text) and not text[i + 1].isspace():
            # pandoc's rule: no space after the opening $, and a closing $ as CLOSING_DOLLAR says.
            k = bisect.bisect_right(self.closing_dollars, i + 1)
            if k < len(self.closing_dollars) and self.closing_dollars[k] < limit:
                close = self.closing_dollars[k]
                return close + 1, (text[i + 1 : close], False)
        return None

    def verbatim_at(self, i: int) -> tuple[int, None] | None:
        """Text at `i` that keeps its dollars: a fenced code block, a code span, an escape."""
        text = self.text
        fence = FENCE.match(text, i) if i == 0 or text[i - 1] == "\n" else None
        if fence:  # up to the closing fence: the same character, at least as many
            mark = fence.group(1)
            close = re.compile(rf"(?m)^ {{0,3}}{re.escape(mark[0])}{{{len(mark)},}}[ \t]*$")
            end = close.search(text, fence.end())
            return (len(text) if end is None else end.end()), None
        run = BACKTICKS.match(text, i)
        if run:  # a code span: a run of backticks up to the same run, within the paragraph
            width = len(run.group(0))
            end = re.compile(rf"(?<!`)`{{{width}}}(?!`)").search(text, run.end(), self._paragraph_end(i))
            return (run.end() if end is None else end.end()), None
        if text.startswith("\\", i):  # an escaped character (\$, \\): both stay for the Markdown parser
            return i + 2, None
        return None


# MathML that a page may hold: the elements latex2mathml writes, and attributes that only
# shape the maths. Anything else (an href, a style, a tag from \text{<b/>}) is not maths.
MATH_ELEMENTS = frozenset(
    "math mrow mi mn mo ms mtext mspace msub msup msubsup mfrac msqrt mroot mstyle mtable mtr mtd "
    "munder mover munderover mpadded mphantom menclose merror mfenced mmultiscripts mprescripts none "
    "semantics annotation".split()
)
MATH_ATTRIBUTES = frozenset(
    "display mathvariant stretchy minsize maxsize fence separator separators lspace rspace columnalign "
    "rowalign columnlines rowlines columnspacing rowspacing width height depth linethickness accent "
    "accentunder movablelimits largeop symmetric form notation mathsize scriptlevel displaystyle frame "
    "open close mathcolor mathbackground".split()
)
MATH_VALUE = re.compile(r"[\w .#%+,-]*")
MATHML = "{http://www.w3.org/1998/Math/MathML}"


def latex_mathml(latex: str, *, display: bool = False) -> str:
    """The MathML of a LaTeX formula, or the formula as code if it is not maths we can show.

    latex2mathml writes what the formula says, including ``\\href`` targets and the raw text of
    ``\\text{...}``; the result is read back as XML and rebuilt from allowed elements and
    attributes only, every text escaped, so a formula can add maths to a page and nothing else.

    >>> latex_mathml("x^2")
    '<math display="inline"><mrow><msup><mi>x</mi><mn>2</mn></msup></mrow></math>'
    >>> latex_mathml("\\\\text{<b/>}")
    '<code class="latex">\\\\text{&lt;b/&gt;}</code>'
    """
    converter = load("latex2mathml.converter", needed_by=NEEDED_BY)
    try:
        tree = ElementTree.fromstring(converter.convert(latex, display="block" if display else "inline"))
        return _clean_mathml(tree)
    # A third-party parser reading file input: whatever it cannot read (an unknown command,
    # a brace left open, nesting too deep), the page shows the formula as written.
    except Exception:
        shown = f"$${latex}$$" if display else latex
        return f'<code class="latex">{html.escape(shown)}</code>'


class _NotMaths(ValueError):
    """The converter's output holds an element that is not MathML."""


def _clean_mathml(element: ElementTree.Element) -> str:
    """`element` written back as MathML, with allowed elements and attributes only."""
    if not element.tag.startswith(MATHML) or element.tag[len(MATHML) :] not in MATH_ELEMENTS:
        raise _NotMaths(element.tag)
    tag = element.tag[len(MATHML) :]
    if tag == "mo" and element.text == "." and "lspace" not in element.attrib:
        # LaTeX spaces no dot (L1.N1.w1 is one name); MathML would space it as an operator.
        element.attrib.update(lspace="0", rspace="0")
    attributes = "".join(
        f' {name}="{html.escape(value)}"'
        for name, value in element.attrib.items()
        if name in MATH_ATTRIBUTES and MATH_VALUE.fullmatch(value)
    )
    inner = html.escape(element.text or "", quote=False)
    inner += "".join(_clean_mathml(child) + html.escape(child.tail or "", quote=False) for child in element)
    return f"<{tag}{attributes}>{inner}</{tag}>"


# ----------------------------------------------------------------------------- Markdown


def markdown_html(text: str, attachments: Mapping[str, Any] | None = None) -> str:
    """HTML of a Markdown cell: maths as MathML, raw HTML as text, only safe links and pictures.

    `attachments` are the cell's own (``![x](attachment:name.png)``), embedded as data.

    >>> markdown_html("**x** <script>alert(1)</script> [go](javascript:alert(1))")
    '<p><strong>x</strong> &lt;script&gt;alert(1)&lt;/script&gt; go</p>\\n'
    """
    source, formulas = split_math(text)
    mistune = load("mistune", needed_by=NEEDED_BY)
    renderer = _renderer_class(mistune)(dict(attachments or {}))
    rendered = mistune.create_markdown(renderer=renderer, plugins=["table", "strikethrough"])(source)
    return _put_back(rendered, formulas)


def _put_back(rendered: str, formulas: list[tuple[str, bool]]) -> str:
    """Replace the placeholders with the formulas: MathML in text, the LaTeX in an attribute.

    mistune escapes ``<``, ``>`` and ``"`` in attribute values, so every ``<...>`` in its
    output is one tag; a placeholder inside one (an image's alt text) must not receive markup.
    """

    def formula(match: re.Match, *, in_tag: bool) -> str:
        index = int(match.group(1))
        if index >= len(formulas):
            return ""
        latex, display = formulas[index]
        return html.escape(latex) if in_tag else latex_mathml(latex, display=display)

    parts = re.split(r"(<[^>]*>)", rendered)
    return "".join(PLACEHOLDER.sub(functools.partial(formula, in_tag=part.startswith("<")), part) for part in parts)


@functools.cache
def _renderer_class(mistune: ModuleType) -> type:
    """mistune's HTML renderer with our policy for links and pictures (made once mistune is loaded)."""

    class HandoutRenderer(mistune.HTMLRenderer):  # type: ignore[name-defined]
        def __init__(self, attachments: dict) -> None:
            super().__init__(escape=True)
            self.attachments = attachments

        def link(self, text: str, url: str, title: str | None = None) -> str:
            target = safe_link(url)
            if target is None:
                return text  # a javascript: or unknown kind of link: its text only
            title_attribute = f' title="{html.escape(title)}"' if title else ""
            return f'<a href="{html.escape(target)}"{title_attribute}>{text}</a>'

        def image(self, text: str, url: str, title: str | None = None) -> str:
            alt = html.escape(html.unescape(re.sub(r"<[^>]*>", "", text)))
            source = embedded_image(url, self.attachments)
            if source is None:  # a picture on the web or on a disk: a page loads nothing
                return f'<span class="missing">[picture not included: {alt} ({html.escape(url)})]</span>'
            return f'<img src="{source}" alt="{alt}">'

    return HandoutRenderer


def safe_link(url: str) -> str | None:
    """A link a page may hold: http(s), mailto or relative (a notebook's ``.ipynb`` → ``.html``).

    >>> safe_link("02_chain_rule.ipynb#fan-out"), safe_link(" JaVa\\tScript:alert(1)")
    ('02_chain_rule.html#fan-out', None)
    """
    # Browsers ignore control characters and spaces inside a scheme ("java\\tscript:").
    plain = re.sub(r"[\x00-\x20]", "", unquote(html.unescape(url)))
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", plain)
    if scheme:
        return url.strip() if scheme.group(1).lower() in ("http", "https", "mailto") else None
    parts = urlsplit(url.strip())
    if parts.path.endswith(".ipynb"):
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        return parts.path[: -len(".ipynb")] + ".html" + fragment
    return url.strip()


def embedded_image(url: str, attachments: Mapping[str, Any]) -> str | None:
    """A ``data:`` URL for a cell's attachment or an embedded picture; None for anything else."""
    if url.startswith("attachment:"):
        bundle = attachments.get(unquote(url[len("attachment:") :]))
        if not isinstance(bundle, dict):
            return None
        for kind in IMAGE_TYPES:
            content = bundle.get(kind)
            if isinstance(content, list) and all(isinstance(line, str) for line in content):
                content = "".join(content)
            if isinstance(content, str):
                return _data_url(kind, content, encoded=kind != "image/svg+xml")
        return None
    match = re.fullmatch(r"data:(image/(?:png|jpeg|gif|webp));base64,(.*)", url.strip(), re.S)
    return _data_url(match.group(1), match.group(2), encoded=True) if match else None


def _data_url(kind: str, data: str, *, encoded: bool) -> str | None:
    """``data:KIND;base64,...`` from base64 text (checked) or from text (SVG, encoded here)."""
    if encoded:
        try:
            payload = base64.b64decode(re.sub(r"\s", "", data), validate=True)
        except (binascii.Error, ValueError):
            return None
    else:
        payload = data.encode("utf-8")
    # Written again from the bytes: the URL holds base64 characters only, whatever the file held.
    return f"data:{kind};base64,{base64.b64encode(payload).decode('ascii')}"


# ----------------------------------------------------------------------------- notebooks


class NotebookError(ValueError):
    """A notebook file that cannot be shown; the message names the file."""


def read_notebook(path: str) -> dict:
    """The notebook at `path` as a dict, checked to be nbformat 4 with cells we can read."""
    try:
        raw = read_regular_file(path, MAX_NOTEBOOK_BYTES)
    except FileTooLarge as error:
        raise NotebookError(f"{path}: {error}; a notebook for a handout is at most a few MB") from None
    try:
        notebook = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise NotebookError(f"{path} is not a notebook: it is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise NotebookError(
            f"{path} is not a notebook: it is not valid JSON ({error.msg} at line {error.lineno}, "
            f"column {error.colno}); open it in Jupyter and save it again"
        ) from None
    version = notebook.get("nbformat") if isinstance(notebook, dict) else None
    if version != 4:
        raise NotebookError(
            f"{path} is not a Jupyter notebook of format 4 (its nbformat is {version!r}); "
            f"convert it with: jupyter nbconvert --to notebook --nbformat 4 {path}"
        )
    cells = notebook.get("cells")
    if not isinstance(cells, list) or not all(isinstance(cell, dict) for cell in cells):
        raise NotebookError(f"{path}: its 'cells' is not a list of cells; open it in Jupyter and save it again")
    return notebook


def _joined(value: Any, where: str) -> str:
    """Notebook text: a str, or a list of lines (nbformat stores both)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return "".join(value)
    raise ValueError(f"{where} is neither text nor a list of lines")


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _terminal_text(text: str) -> str:
    """Printed text as a terminal would leave it: no colour codes, a ``\\r`` overwrites its line."""
    text = ANSI.sub("", text)
    return "\n".join(line.rsplit("\r", 1)[-1] if "\r" in line.rstrip("\r") else line for line in text.split("\n"))


def _pre(text: str, kind: str) -> str:
    return f'<pre class="{kind}">{html.escape(_terminal_text(text), quote=False)}</pre>\n'


def output_html(output: Mapping[str, Any], where: str) -> str:
    """One cell output: printed text, an error's traceback, or the best of its representations."""
    kind = output.get("output_type")
    if kind == "stream":
        name = "stderr" if output.get("name") == "stderr" else "stdout"
        return _pre(_joined(output.get("text", ""), f"{where}'s text"), name)
    if kind == "error":
        lines = output.get("traceback") or [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return _pre("\n".join(_joined(line, f"{where}'s traceback") for line in lines), "error")
    if kind not in ("display_data", "execute_result"):
        return ""
    data, metadata = output.get("data", {}), output.get("metadata", {})
    if not isinstance(data, dict):
        raise ValueError(f"{where}'s data is not a mapping of types to contents")
    for mime in PREFERRED:
        if mime in data:
            return _representation(mime, _joined(data[mime], f"{where}'s {mime}"), metadata)
    if data:
        return '<p class="interactive">(an interactive output: open the notebook in Jupyter to use it)</p>\n'
    return ""


def _representation(mime: str, content: str, metadata: Any) -> str:
    if mime.startswith("image/"):
        source = _data_url(mime, content, encoded=mime != "image/svg+xml")
        if source is None:
            return _pre(f"(a {mime} picture that is not valid base64)", "error")
        size = metadata.get(mime, {}) if isinstance(metadata, dict) else {}
        width = size.get("width") if isinstance(size, dict) else None
        width_attribute = f' width="{int(width)}"' if isinstance(width, (int, float)) and 0 < width < 1e5 else ""
        return f'<div class="picture"><img src="{source}" alt="a picture the cell drew"{width_attribute}></div>\n'
    if mime in ("text/markdown", "text/latex"):  # text/latex is a formula in dollars, which Markdown reads
        return f'<div class="rendered">{markdown_html(content)}</div>\n'
    return _pre(content, "result")


def cell_html(cell: Mapping[str, Any], where: str) -> str:
    """One cell: Markdown as HTML, code as escaped text followed by its outputs."""
    kind = cell.get("cell_type")
    source = _joined(cell.get("source", ""), f"{where}'s source")
    if kind == "markdown":
        attachments = cell.get("attachments")
        return f'<section class="markdown">{markdown_html(source, attachments if isinstance(attachments, dict) else {})}</section>\n'
    if kind != "code":
        return ""  # raw cells are meant for other formats
    outputs = cell.get("outputs", [])
    if not isinstance(outputs, list) or not all(isinstance(o, dict) for o in outputs):
        raise ValueError(f"{where}'s outputs are not a list of outputs")
    shown = "".join(output_html(output, f"{where}, output {k}") for k, output in enumerate(outputs, 1))
    code = f'<pre class="code"><code>{html.escape(source, quote=False)}</code></pre>\n' if source.strip() else ""
    return f'<section class="code">{code}{shown}</section>\n'


def notebook_page(notebook: Mapping[str, Any], *, title: str, back: str = "index.html", where: str = "") -> str:
    """The whole HTML page of one notebook (see the module's docstring for what it holds)."""
    cells = "".join(cell_html(cell, f"{where}cell {k}") for k, cell in enumerate(notebook["cells"], 1))
    nav = f'<nav><a href="{html.escape(back)}">← all handouts</a></nav>\n'
    return _page(title, nav + cells)


def notebook_title(notebook: Mapping[str, Any], fallback: str, where: str = "") -> str:
    """The first heading of the notebook's first Markdown cell, or `fallback`.

    >>> notebook_title({"cells": [{"cell_type": "markdown", "source": "# 01 · Values\\n\\ntext"}]}, "x")
    '01 · Values'
    """
    for cell in notebook["cells"]:
        if cell.get("cell_type") == "markdown" and isinstance(cell.get("source"), (str, list)):
            heading = re.search(r"(?m)^#{1,6}\s+(.+?)\s*#*\s*$", _joined(cell["source"], f"{where}its title's source"))
            return heading.group(1) if heading else fallback
    return fallback


# Scripts never run and nothing is fetched: pictures are data: URLs, styles are inline.
POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

STYLE = """
html { font-size: 18px; }
body { font-family: Georgia, "DejaVu Serif", serif; line-height: 1.5; color: #111;
  max-width: 54rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1, h2, h3 { font-family: system-ui, "DejaVu Sans", sans-serif; line-height: 1.25; }
pre, code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 15px; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; padding: 0.6rem 0.8rem; margin: 0.4rem 0;
  border-radius: 4px; }
pre.code { background: #f3f4f6; border-left: 4px solid #2563eb; }
pre.stdout, pre.result { background: #fff; border-left: 4px solid #9ca3af; }
pre.stderr, pre.error { background: #fef2f2; border-left: 4px solid #dc2626; }
section.code { margin: 1rem 0; }
img { max-width: 100%; height: auto; }
.picture { margin: 0.5rem 0; }
li { margin: 0.2em 0; }  /* room for the fractions of one line of maths under another */
math { font-size: 1.1em; math-style: normal; }  /* inline fractions at full size: readable from the back row */
math[display="block"] { margin: 0.6rem 0; }
table { border-collapse: collapse; } th, td { border: 1px solid #d1d5db; padding: 0.2rem 0.6rem; }
nav { font-family: system-ui, sans-serif; font-size: 16px; margin-bottom: 1rem; }
.missing, .interactive { color: #6b7280; font-style: italic; }
@media print {
  html { font-size: 16px; } body { max-width: none; padding: 0; } nav { display: none; }
  math { font-size: 1em; }  /* a line of maths does not wrap: keep long ones on the paper */
  pre, img, table, math[display="block"] { break-inside: avoid; }
  pre.code { border: 1px solid #9ca3af; border-left: 4px solid #555; }
}
"""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


# ----------------------------------------------------------------------------- the command


@dataclass
class Handout:
    """One page to write: where it goes, its title, its HTML."""

    path: str
    title: str
    page: str


def _notebook_files(folder: str, what: str, hint: str) -> list[str]:
    """The notebooks directly in `folder`, sorted; an error naming `what` and a `hint` if none."""
    if not os.path.exists(folder):
        raise ValueError(f"{what} {folder}: there is no such folder; {hint}")
    if not os.path.isdir(folder):
        raise ValueError(f"{what} {folder}: it is a file, not a folder; {hint}")
    names = sorted(
        name
        for name in os.listdir(folder)
        if name.endswith(".ipynb") and not name.startswith(".") and os.path.isfile(os.path.join(folder, name))
    )
    if not names:
        raise ValueError(f"{what} {folder}: the folder holds no notebooks (.ipynb files); {hint}")
    if "index.ipynb" in names:  # its page would be overwritten by the index
        raise ValueError(
            f"{what} {folder}: a notebook is named index.ipynb, the name of the handouts' index; rename it"
        )
    return [os.path.join(folder, name) for name in names]


def _handouts(files: list[str], out: str, back: str) -> list[Handout]:
    handouts = []
    for path in files:
        notebook = read_notebook(path)
        stem = os.path.splitext(os.path.basename(path))[0]
        try:
            title = notebook_title(notebook, stem, where=f"{path}: ")
            page = notebook_page(notebook, title=title, back=back, where=f"{path}: ")
        except ValueError as error:  # a cell whose contents are not what nbformat 4 allows
            raise NotebookError(f"{error}; open the notebook in Jupyter and save it again") from None
        handouts.append(Handout(os.path.join(out, stem + ".html"), title, page))
    return handouts


def index_page(student: list[Handout], solutions: list[Handout], out: str) -> str:
    """The page that links every handout (and the solutions, if written)."""

    def items(handouts: list[Handout]) -> str:
        return "".join(
            f'<li><a href="{html.escape(quote(os.path.relpath(h.path, out).replace(os.sep, "/")))}">'
            f"{html.escape(h.title)}</a></li>\n"
            for h in handouts
        )

    body = f"<h1>Handouts</h1>\n<ul>\n{items(student)}</ul>\n"  # a list without numbers: titles carry theirs
    if solutions:
        body += f"<h2>Solutions</h2>\n<ul>\n{items(solutions)}</ul>\n"
    return _page("Handouts", body)


def _refuse_a_file(path: str) -> None:
    if os.path.exists(path) and not os.path.isdir(path):
        raise ValueError(f"{path} is a file, not a folder; give a folder for the handouts (it is created if missing)")


def write_handouts(out: str, *, source: str = "notebooks", solutions: bool = False) -> list[str]:
    """Write one page per notebook of `source` into `out`, and an index; return the paths written.

    With `solutions`, the notebooks of ``source/solutions`` go to ``out/solutions``. Every
    notebook is read and converted before anything is written, so a bad one writes nothing.

    Raises:
        ValueError: `source` (or its ``solutions`` folder) is missing, not a folder or holds
            no notebooks; `out` is a file; a notebook is not valid nbformat 4 (named).
        MissingDependencyError: mistune or latex2mathml is not installed (the ``handouts`` extra).
    """
    out, source = os.fspath(out), os.fspath(source)
    check_installed(PACKAGES, needed_by=NEEDED_BY)
    _refuse_a_file(out)
    files = _notebook_files(source, "--from", "give the folder of the student notebooks: --from NOTEBOOK_DIR")
    student = _handouts(files, out, "index.html")
    answers: list[Handout] = []
    if solutions:
        _refuse_a_file(os.path.join(out, "solutions"))
        files = _notebook_files(
            os.path.join(source, "solutions"),
            "--solutions:",
            "the solutions are read from NOTEBOOK_DIR/solutions; leave out --solutions for the student pages only",
        )
        answers = _handouts(files, os.path.join(out, "solutions"), "../index.html")
    os.makedirs(os.path.dirname(answers[0].path) if answers else out, exist_ok=True)  # out too, if missing
    written = [write_atomically(h.path, h.page) for h in student + answers]
    written.append(write_atomically(os.path.join(out, "index.html"), index_page(student, answers, out)))
    return written
