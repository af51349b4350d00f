"""`autograd-tiny handouts DIR`: the conversion of notebooks to offline HTML pages, and the command's errors.

The pages are checked in Chromium (network blocked, hostile input) in test_handouts_browser.py.
"""

from __future__ import annotations

import base64
import json
import os
import re
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from autograd_tiny.app import handouts
from autograd_tiny.app.cli import main
from autograd_tiny.app.handouts import (
    MATH_ELEMENTS,
    NotebookError,
    latex_mathml,
    markdown_html,
    notebook_page,
    output_html,
    read_notebook,
    safe_link,
    split_math,
    write_handouts,
)
from autograd_tiny.core.optional import EXTRAS, MissingDependencyError

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

pytest.importorskip("mistune")
pytest.importorskip("latex2mathml")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="  # 1x1 pixel


def notebook(*cells: dict, version: int = 4) -> dict:
    return {"nbformat": version, "nbformat_minor": 5, "metadata": {}, "cells": list(cells)}


def markdown(source: str, **extra) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": source, **extra}


def code(source: str, *outputs: dict) -> dict:
    return {"cell_type": "code", "metadata": {}, "source": source, "outputs": list(outputs), "execution_count": 1}


def save(folder: Path, name: str, content: dict | str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def body(page: str) -> str:
    """The page without its head (whose style sheet holds words like `math`)."""
    return page.split("<body>", 1)[1]


# ----------------------------------------------------------------------------- maths


def test_split_math_takes_out_every_kind_of_formula_in_order():
    text, formulas = split_math(r"a $x_1$, \(y^2\), $$\sum_i z_i$$ and \[w\] end")
    assert formulas == [("x_1", False), ("y^2", False), (r"\sum_i z_i", True), ("w", True)]
    assert text == "a \ue0000\ue001, \ue0001\ue001, \ue0002\ue001 and \ue0003\ue001 end"


def test_split_math_leaves_code_escaped_dollars_and_prices_alone():
    source = "`$a$` and ``x `$b$` y``\n\n```\n$c$\n```\n\nit costs \\$5, or $5 and $6 \n\n~~~python\n$d$\n~~~\n"
    assert split_math(source) == (source, [])


def test_split_math_follows_pandocs_rule_for_inline_dollars():
    # No space after the opening dollar nor before the closing one; no digit right after it.
    assert split_math("$ x$ and $x $ stay")[1] == []
    assert split_math("$x$2 stays")[1] == []
    assert split_math(r"$a\$b$")[1] == [(r"a\$b", False)]
    assert split_math("$a\n\nb$")[1] == []  # a formula does not cross a blank line


def test_split_math_replaces_placeholder_characters_found_in_the_input():
    text, formulas = split_math("\ue0000\ue001 $x$")
    assert text == "\ufffd0\ufffd \ue0000\ue001" and formulas == [("x", False)]


def test_split_math_reads_many_lone_delimiters_without_quadratic_time():
    # Each text is 300,000 characters of openings that never close as a formula.
    for text in ("$a " * 100_000, "$$ " * 100_000, "\\( " * 100_000, "``a `" * 60_000):
        assert split_math(text)[1] == []


def test_latex_becomes_mathml():
    assert latex_mathml("x^2") == '<math display="inline"><mrow><msup><mi>x</mi><mn>2</mn></msup></mrow></math>'
    assert latex_mathml(r"\frac{\partial L}{\partial a}", display=True).startswith(
        '<math display="block"><mrow><mfrac>'
    )


HOSTILE_LATEX = [
    r"\href{javascript:window.pwned=1}{x}",
    r"\text{<img src=x onerror=window.pwned=1>}",
    r"\text{<b/>}",
    r"\text{<script>window.pwned=1</script>}",
    r"\mathrm{</math><script>window.pwned=1</script>}",
    r'\color{red" onclick="window.pwned=1}{a}',
    r"\style{background:url(http://example.com/x)}{y}",
    r"\text{" + '"' + " onload=" + '"' + "window.pwned=1}",
    "{" * 3000 + "x" + "}" * 3000,
    r"\frac{a",
]


@pytest.mark.parametrize("latex", HOSTILE_LATEX, ids=range(len(HOSTILE_LATEX)))
def test_hostile_latex_gives_only_maths_or_escaped_text(latex):
    shown = latex_mathml(latex)
    if shown.startswith("<code"):  # not maths we can show: the formula as escaped text
        assert shown == f'<code class="latex">{__import__("html").escape(latex)}</code>'
        return
    tree = ElementTree.fromstring(shown)
    for element in tree.iter():
        assert element.tag in MATH_ELEMENTS
        assert not {"href", "style", "onclick", "onload", "onerror"} & set(element.attrib)
    assert "<script" not in shown and "<img" not in shown and "javascript" not in shown.split(">", 1)[0]


def test_latex_that_would_write_markup_is_shown_as_its_source():
    assert latex_mathml(r"\text{<img src=x onerror=alert(1)>}") == (
        r'<code class="latex">\text{&lt;img src=x onerror=alert(1)&gt;}</code>'
    )
    # \href's target and \style's style are dropped; the maths stays.
    assert latex_mathml(r"\href{javascript:alert(1)}{x}") == (
        '<math display="inline"><mrow><mrow><mrow><mi>x</mi></mrow></mrow></mrow></math>'
    )


# ----------------------------------------------------------------------------- Markdown


def test_markdown_maths_keeps_its_underscores_and_stars():
    shown = markdown_html("Both $a_1 * b_1$ and $c_2 * d_2$ are products.")
    assert "<em>" not in shown and shown.count("<math") == 2
    assert "<msub><mi>a</mi><mn>1</mn></msub>" in shown


def test_markdown_display_maths_is_a_block():
    shown = markdown_html("Before\n\n$$\\delta^L = \\nabla_a C \\odot \\sigma'(z^L)$$\n\nafter")
    assert '<math display="block">' in shown and "$" not in shown


def test_markdown_escapes_raw_html():
    shown = markdown_html('<script>window.pwned=1</script>\n\nText <img src=x onerror="window.pwned=1"> end')
    assert "<script" not in shown and "<img" not in shown
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in shown


def test_markdown_links_go_to_the_web_mail_or_a_relative_page_only():
    shown = markdown_html(
        "[a](javascript:window.pwned=1) [b](JaVaScRiPt:x) [c](java%0Ascript:x) [d](data:text/html,<b>x</b>) "
        "[e](vbscript:x) [f](https://example.org/?q=1&r=2) [g](mailto:t@example.org) [h](02_chain.ipynb#fan-out)"
    )
    assert re.findall(r'href="([^"]*)"', shown) == [
        "https://example.org/?q=1&amp;r=2",
        "mailto:t@example.org",
        "02_chain.html#fan-out",
    ]
    assert "<p>a b c d e " in shown  # the refused links keep their text


def test_safe_link_ignores_control_characters_and_entities_in_the_scheme():
    assert safe_link("\tjava\nscript:alert(1)") is None
    assert safe_link("&#106;avascript:alert(1)") is None
    assert safe_link("../notebooks/01_values.ipynb") == "../notebooks/01_values.html"
    assert safe_link("#checkpoint-1") == "#checkpoint-1"


def test_markdown_pictures_are_embedded_or_left_out_never_fetched():
    cell_attachments = {"plot.png": {"image/png": PNG}}
    shown = markdown_html(
        f"![web](https://example.org/x.png) ![disk](pictures/x.png) ![attached](attachment:plot.png) "
        f'![inline](data:image/png;base64,{PNG}) ![bad](data:image/png;base64,not"base64) '
        f"![svg](data:image/svg+xml;base64,PHN2Zy8+)",
        cell_attachments,
    )
    sources = re.findall(r'<img src="([^"]*)"', shown)
    assert sources == [f"data:image/png;base64,{PNG}"] * 2
    assert shown.count('class="missing"') == 4
    assert "[picture not included: web (https://example.org/x.png)]" in shown


def test_attachments_in_lines_svg_or_broken():
    attachments = {
        "lines.png": {"image/png": [PNG[:20], PNG[20:]]},  # nbformat may store text as a list of lines
        "drawing.svg": {"image/svg+xml": "<svg xmlns='http://www.w3.org/2000/svg'/>"},
        "broken.png": {"image/png": [1, 2]},
        "text.txt": {"text/plain": "x"},
    }
    shown = markdown_html(
        "![a](attachment:lines.png) ![b](attachment:drawing.svg) ![c](attachment:broken.png) "
        "![d](attachment:text.txt) ![e](attachment:absent.png)",
        attachments,
    )
    svg = base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'/>").decode()
    assert re.findall(r'<img src="([^"]*)"', shown) == [
        f"data:image/png;base64,{PNG}",
        f"data:image/svg+xml;base64,{svg}",
    ]
    assert shown.count('class="missing"') == 3


def test_a_formula_in_an_attribute_is_its_escaped_source_not_markup():
    shown = markdown_html(f'![$\\text{{" onerror="window.pwned=1}}$ and $x<y$](data:image/png;base64,{PNG})')
    alt = re.search(r'alt="([^"]*)"', shown).group(1)
    assert alt == r"\text{&quot; onerror=&quot;window.pwned=1} and x&lt;y"
    assert "<math" not in shown and "onerror=" not in shown.replace("onerror=&quot;", "")


def test_markdown_tables_and_headings():
    shown = markdown_html("# Title\n\n| a | b |\n|---|---|\n| $x_1$ | 2 |\n")
    assert "<h1>Title</h1>" in shown and "<table>" in shown and "<msub>" in shown


# ----------------------------------------------------------------------------- outputs


def test_printed_text_is_escaped_without_colour_codes_and_with_progress_lines_overwritten():
    shown = output_html(
        {"output_type": "stream", "name": "stdout", "text": ["<b>bold</b>\n", "\x1b[31mred\x1b[0m 10%\r100%\n"]}, "x"
    )
    assert shown == '<pre class="stdout">&lt;b&gt;bold&lt;/b&gt;\n100%\n</pre>\n'  # a progress bar redraws its line


def test_an_error_shows_its_traceback_as_text():
    output = {
        "output_type": "error",
        "ename": "ValueError",
        "evalue": "x",
        "traceback": ["\x1b[31mValueError\x1b[0m: <x>"],
    }
    assert output_html(output, "x") == '<pre class="error">ValueError: &lt;x&gt;</pre>\n'


def test_html_output_is_never_shown_its_picture_or_text_is():
    script = '<script>window.pwned=1</script><iframe srcdoc="x"></iframe>'
    with_text = {
        "output_type": "display_data",
        "data": {"text/html": script, "text/plain": "<Stepper>"},
        "metadata": {},
    }
    assert output_html(with_text, "x") == '<pre class="result">&lt;Stepper&gt;</pre>\n'
    with_picture = {"output_type": "display_data", "data": {"text/html": script, "image/png": PNG}, "metadata": {}}
    assert output_html(with_picture, "x").startswith(f'<div class="picture"><img src="data:image/png;base64,{PNG}"')
    alone = {"output_type": "display_data", "data": {"text/html": script}, "metadata": {}}
    assert output_html(alone, "x") == (
        '<p class="interactive">(an interactive output: open the notebook in Jupyter to use it)</p>\n'
    )


def test_pictures_are_data_urls_svg_included_and_png_at_its_metadata_width():
    svg = '<svg xmlns="http://www.w3.org/2000/svg" onload="window.pwned=1"><script>x</script></svg>'
    output = {
        "output_type": "display_data",
        "data": {"image/svg+xml": svg, "image/png": PNG, "text/plain": "<Graph>"},
        "metadata": {"image/png": {"width": 300, "height": 100}},
    }
    shown = output_html(output, "x")  # the SVG is preferred: sharp when printed; <img> runs none of its script
    encoded = base64.b64encode(svg.encode()).decode()
    assert (
        shown
        == f'<div class="picture"><img src="data:image/svg+xml;base64,{encoded}" alt="a picture the cell drew"></div>\n'
    )
    del output["data"]["image/svg+xml"]
    assert ' width="300">' in output_html(output, "x")


def test_a_png_that_is_not_base64_cannot_break_out_of_its_attribute():
    output = {"output_type": "display_data", "data": {"image/png": '" onerror="window.pwned=1'}, "metadata": {}}
    assert output_html(output, "x") == '<pre class="error">(a image/png picture that is not valid base64)</pre>\n'
    odd_width = {
        "output_type": "display_data",
        "data": {"image/png": PNG},
        "metadata": {"image/png": {"width": '1" onload="x'}},
    }
    assert " width=" not in output_html(odd_width, "x")


def test_markdown_output_is_rendered_with_its_maths():
    output = {
        "output_type": "execute_result",
        "data": {"text/markdown": "**Forward** $a = 2$", "text/plain": "x"},
        "metadata": {},
    }
    assert output_html(output, "x") == (
        '<div class="rendered"><p><strong>Forward</strong> <math display="inline"><mrow><mi>a</mi><mo>&#x0003D;</mo>'
        "<mn>2</mn></mrow></math></p>\n</div>\n"
    ).replace("&#x0003D;", "=")


def test_a_page_forbids_scripts_and_remote_loads_and_links_back_to_the_index():
    page = notebook_page(notebook(markdown("# Title $x$"), code("print(1)")), title="A <title>")
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:;' in page
    assert "<title>A &lt;title&gt;</title>" in page
    assert '<nav><a href="index.html">← all handouts</a></nav>' in page
    assert '<pre class="code"><code>print(1)</code></pre>' in page


def test_the_style_is_readable_on_a_projector_and_on_paper():
    style = handouts.STYLE
    assert "html { font-size: 18px; }" in style and "font-size: 15px;" in style  # body 18 px, code 15 px
    assert "img { max-width: 100%; height: auto; }" in style and "@media print" in style


# ----------------------------------------------------------------------------- reading notebooks


def test_a_file_that_is_not_json_is_named_with_the_place_of_the_error(tmp_path):
    path = save(tmp_path, "broken.ipynb", '{"nbformat": 4,\n "cells": [}')
    with pytest.raises(
        NotebookError,
        match=rf"^{re.escape(str(path))} is not a notebook: it is not valid JSON \(.* at line 2, column 12\); open it in Jupyter and save it again$",
    ):
        read_notebook(str(path))


def test_a_notebook_of_another_format_is_named_with_the_command_that_converts_it(tmp_path):
    path = save(tmp_path, "old.ipynb", {"nbformat": 3, "worksheets": []})
    with pytest.raises(
        NotebookError,
        match=rf"^{re.escape(str(path))} is not a Jupyter notebook of format 4 \(its nbformat is 3\); convert it with: jupyter nbconvert --to notebook --nbformat 4 ",
    ):
        read_notebook(str(path))
    for content in ("[1, 2]", '"text"', "{}"):
        save(tmp_path, "odd.ipynb", content)
        with pytest.raises(NotebookError, match="is not a Jupyter notebook of format 4"):
            read_notebook(str(tmp_path / "odd.ipynb"))


def test_a_notebook_that_is_not_utf8_or_has_no_cell_list_is_named(tmp_path):
    path = tmp_path / "latin.ipynb"
    path.write_bytes('{"nbformat": 4, "cells": [], "x": "café"}'.encode("latin-1"))
    with pytest.raises(NotebookError, match=rf"^{re.escape(str(path))} is not a notebook: it is not UTF-8 text$"):
        read_notebook(str(path))
    save(tmp_path, "nocells.ipynb", {"nbformat": 4, "cells": "none"})
    with pytest.raises(NotebookError, match=r"nocells.ipynb: its 'cells' is not a list of cells"):
        read_notebook(str(tmp_path / "nocells.ipynb"))


# ----------------------------------------------------------------------------- writing the handouts


def test_the_repositorys_notebooks_become_pages_and_an_index(tmp_path):
    written = write_handouts(tmp_path / "out", source=NOTEBOOKS)
    names = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
    assert written == [str(tmp_path / "out" / f"{name}.html") for name in names] + [
        str(tmp_path / "out" / "index.html")
    ]
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<a href="([^"]+)"', index) == [f"{name}.html" for name in names]
    # Each title is the notebook's first heading.
    first = re.search(
        r"(?m)^#+ (.+)$", "".join(json.loads((NOTEBOOKS / f"{names[0]}.ipynb").read_text())["cells"][0]["source"])
    )
    assert f'<li><a href="{names[0]}.html">{first.group(1)}</a></li>' in index
    for path in written:
        page = Path(path).read_text(encoding="utf-8")
        assert "<script" not in page and "<iframe" not in page
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing remote to load
        assert "Content-Security-Policy" in page


def test_the_maths_of_the_notebooks_converts_without_a_formula_left_as_latex(tmp_path):
    write_handouts(tmp_path, source=NOTEBOOKS)
    for path in sorted(tmp_path.glob("0*.html")):
        page = body(path.read_text(encoding="utf-8"))
        assert 'class="latex"' not in page, path.name  # no formula fell back to its source
        prose = re.sub(r"<pre.*?</pre>|<code>.*?</code>", "", page, flags=re.S)
        assert not re.search(r"\\(frac|partial|delta|sigma|mathrm)\b", prose), path.name
    notebook_05 = (tmp_path / "05_backprop_by_hand.html").read_text(encoding="utf-8")
    assert notebook_05.count("<math") >= 10 and "<mfrac>" in notebook_05


def test_handouts_are_the_same_bytes_every_time(tmp_path):
    first, second = write_handouts(tmp_path / "a", source=NOTEBOOKS), write_handouts(tmp_path / "b", source=NOTEBOOKS)
    assert [Path(p).read_bytes() for p in first] == [Path(p).read_bytes() for p in second]


def test_solutions_go_to_their_own_folder_and_the_index_links_both(tmp_path):
    source = tmp_path / "nb"
    save(source, "01_a.ipynb", notebook(markdown("# One"), code("x = ...  # your answer")))
    save(source / "solutions", "01_a.ipynb", notebook(markdown("# One (solution)"), code("x = 2")))
    written = write_handouts(tmp_path / "out", source=source, solutions=True)
    out = tmp_path / "out"
    assert written == [str(out / "01_a.html"), str(out / "solutions" / "01_a.html"), str(out / "index.html")]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', index) == [
        ("01_a.html", "One"),
        ("solutions/01_a.html", "One (solution)"),
    ]
    assert "<h2>Solutions</h2>" in index
    solution = (out / "solutions" / "01_a.html").read_text(encoding="utf-8")
    assert '<a href="../index.html">' in solution and "x = 2" in solution


def test_files_are_written_through_the_atomic_helper(tmp_path):
    # write_atomically keeps a symlink a link and replaces the file it points to.
    source = save(tmp_path / "nb", "01_a.ipynb", notebook(markdown("# One")))
    out = tmp_path / "out"
    out.mkdir()
    target = tmp_path / "elsewhere.html"
    target.write_text("old", encoding="utf-8")
    os.symlink(target, out / "index.html")
    write_handouts(out, source=source.parent)
    assert os.path.islink(out / "index.html") and "<h1>Handouts</h1>" in target.read_text(encoding="utf-8")


def test_a_bad_notebook_writes_nothing(tmp_path):
    source = tmp_path / "nb"
    save(source, "01_good.ipynb", notebook(markdown("# Good")))
    save(source, "02_bad.ipynb", notebook(code(42)))
    with pytest.raises(
        NotebookError,
        match=r"02_bad.ipynb: cell 1's source is neither text nor a list of lines; open the notebook in Jupyter and save it again$",
    ):
        write_handouts(tmp_path / "out", source=source)
    assert not (tmp_path / "out").exists()


def test_bad_outputs_are_named_by_notebook_cell_and_output(tmp_path):
    save(
        tmp_path / "nb",
        "x.ipynb",
        notebook(markdown("# x"), code("1", {"output_type": "stream", "name": "stdout", "text": 5})),
    )
    with pytest.raises(NotebookError, match=r"x.ipynb: cell 2, output 1's text is neither text nor a list of lines"):
        write_handouts(tmp_path / "out", source=tmp_path / "nb")


# ----------------------------------------------------------------------------- the command


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_the_command_writes_the_pages_and_prints_their_paths(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)  # the default source is ./notebooks
    status, out, err = run(capsys, "handouts", str(tmp_path / "h"))
    assert (status, err) == (0, "")
    assert out.splitlines()[-1] == str(tmp_path / "h" / "index.html")
    assert len(out.splitlines()) == len(list(NOTEBOOKS.glob("*.ipynb"))) + 1


FROM_HINT = "give the folder of the student notebooks: --from NOTEBOOK_DIR"
SOLUTIONS_HINT = "the solutions are read from NOTEBOOK_DIR/solutions; leave out --solutions for the student pages only"


@pytest.mark.parametrize(
    ("setup", "arguments", "message"),
    [
        (lambda t: None, ["--from", "{t}/missing"], f"--from {{t}}/missing: there is no such folder; {FROM_HINT}"),
        (
            lambda t: (t / "file").write_text("x"),
            ["--from", "{t}/file"],
            f"--from {{t}}/file: it is a file, not a folder; {FROM_HINT}",
        ),
        (
            lambda t: (t / "empty").mkdir(),
            ["--from", "{t}/empty"],
            f"--from {{t}}/empty: the folder holds no notebooks (.ipynb files); {FROM_HINT}",
        ),
        (
            lambda t: save(t / "nb", "index.ipynb", notebook(markdown("# a"))),
            ["--from", "{t}/nb"],
            "--from {t}/nb: a notebook is named index.ipynb, the name of the handouts' index; rename it",
        ),
        (
            lambda t: save(t / "nb", "a.ipynb", notebook(markdown("# a"))),
            ["--from", "{t}/nb", "--solutions"],
            f"--solutions: {{t}}/nb/solutions: there is no such folder; {SOLUTIONS_HINT}",
        ),
        (
            lambda t: save(t / "nb", "a.ipynb", "{"),
            ["--from", "{t}/nb"],
            "{t}/nb/a.ipynb is not a notebook: it is not valid JSON (Expecting property name enclosed in double "
            "quotes at line 1, column 2); open it in Jupyter and save it again",
        ),
        (
            lambda t: save(t / "nb", "a.ipynb", notebook(markdown(["# a", 1]))),
            ["--from", "{t}/nb"],
            "{t}/nb/a.ipynb: its title's source is neither text nor a list of lines; "
            "open the notebook in Jupyter and save it again",
        ),
    ],
    ids=["missing", "a file", "no notebooks", "index", "no solutions", "not json", "bad title"],
)
def test_the_command_says_what_is_wrong_with_the_source(tmp_path, capsys, setup, arguments, message):
    setup(tmp_path)
    status, out, err = run(capsys, "handouts", str(tmp_path / "out"), *[a.format(t=tmp_path) for a in arguments])
    assert (status, out) == (2, "")
    assert err == f"autograd-tiny: error: {message.format(t=tmp_path)}\n"
    assert not (tmp_path / "out").exists()


def test_the_command_refuses_a_file_as_its_folder(tmp_path, capsys):
    (tmp_path / "out.html").write_text("x")
    status, out, err = run(capsys, "handouts", str(tmp_path / "out.html"), "--from", str(NOTEBOOKS))
    assert (status, out) == (2, "")
    assert err == (
        f"autograd-tiny: error: {tmp_path / 'out.html'} is a file, not a folder; "
        "give a folder for the handouts (it is created if missing)\n"
    )
    # The same for the solutions' folder inside it, before anything is written.
    save(tmp_path / "nb", "a.ipynb", notebook(markdown("# a")))
    save(tmp_path / "nb" / "solutions", "a.ipynb", notebook(markdown("# a")))
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "solutions").write_text("x")
    status, out, err = run(capsys, "handouts", str(tmp_path / "out"), "--from", str(tmp_path / "nb"), "--solutions")
    assert (status, out) == (2, "")
    assert err.startswith(f"autograd-tiny: error: {tmp_path / 'out' / 'solutions'} is a file, not a folder")
    assert sorted(os.listdir(tmp_path / "out")) == ["solutions"]


@pytest.mark.parametrize("package", ["mistune", "latex2mathml"])
def test_without_the_extra_the_command_says_how_to_install_it(tmp_path, capsys, monkeypatch, package):
    for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, package, None)
    status, out, err = run(capsys, "handouts", str(tmp_path / "out"), "--from", str(NOTEBOOKS))
    assert (status, out) == (1, "")
    assert err == (
        f"autograd-tiny: error: autograd-tiny handouts needs {package}, which is not installed; "
        f'install it with: {sys.executable} -m pip install "autograd_tiny[handouts]"\n'
    )
    with pytest.raises(MissingDependencyError):
        markdown_html("a formula: $x$")


def test_the_handouts_extra_holds_the_two_packages_and_dev_holds_the_extra():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    assert extras["handouts"] == ["mistune>=3.0.2,<4", "latex2mathml>=3.77,<4"]
    assert set(extras["handouts"]) <= set(extras["dev"])
    assert EXTRAS["mistune"] == EXTRAS["latex2mathml"] == "handouts"
