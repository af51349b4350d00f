"""Labels and group names are data: a drawing shows them as written and the renderer never chokes."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from autograd_tiny import Value
from autograd_tiny.core.ops import format_number
from autograd_tiny.learn.nn import Neuron
from autograd_tiny.show.render import _escape, _plain, draw_dot, find_renderer, visible

try:
    find_renderer("svg")
    has_renderer = True
except RuntimeError:
    has_renderer = False
needs_renderer = pytest.mark.skipif(not has_renderer, reason="no Graphviz renderer")

SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(svg: str) -> list[str]:
    """The text of every <text> element of an SVG, as shown."""
    return [element.text or "" for element in ET.fromstring(svg).iter(f"{SVG}text")]


@pytest.mark.parametrize(
    "text, shown",
    [
        ("a\x00b", "a\\x00b"),
        ("\ud800", "\\ud800"),
        ("\udfff!", "\\udfff!"),
        ("tab\there", "tab\\there"),
        ("\x7f\x85\x9f", "\\x7f\\x85\\x9f"),
        ("line\u2028para\u2029", "line\\u2028para\\u2029"),
        ("\x0b\x0c\r\x1c\x1d\x1e", "\\x0b\\x0c\\r\\x1c\\x1d\\x1e"),
        ("\ufffe", "\\ufffe"),
        ("α β ∂ 😀", "α β ∂ 😀"),
    ],
)
def test_unshowable_characters_are_shown_as_escapes(text, shown):
    assert visible(text) == shown


def test_html_escaping_is_complete():
    assert _escape("<b>x</b> & \"q\" 'p'") == "&lt;b&gt;x&lt;/b&gt; &amp; &quot;q&quot; &#x27;p&#x27;"
    assert _escape("\\N \\G \\L \\") == "\\\\N \\\\G \\\\L \\\\"
    assert _escape("a\nb") == 'a<BR ALIGN="CENTER"/>b'
    assert _escape("a\x00\ud800") == "a\\\\x00\\\\ud800"  # the escape's backslash shows too


def test_plain_labels_double_backslashes():
    assert _plain("L1\\N") == "L1\\\\N"
    assert _plain("end\\") == "end\\\\"  # a final backslash cannot escape the closing quote
    assert _plain("a\x00") == "a\\\\x00"


def test_numbers_show_inf_and_nan_legibly():
    assert [format_number(x, decimals=4) for x in (math.inf, -math.inf, math.nan, 1.5, -2e20)] == [
        "inf",
        "-inf",
        "nan",
        "1.5000",
        "-2.0000e+20",
    ]


def test_dot_source_has_no_raw_unshowable_characters():
    a = Value(1.0, label="a\x00\ud800\u2028\\N")
    source = draw_dot(a * 2).source
    source.encode("utf-8")  # lone surrogates would make this raise
    assert "\x00" not in source and "\u2028" not in source
    assert "<B>a\\\\x00\\\\ud800\\\\u2028\\\\N</B>" in source


@needs_renderer
@pytest.mark.parametrize("label", ["\\N", "\\G", "\\L", "\\E", "\\T\\H", "a\\", "\\\\", "x\x00y", "\ud800", "<&>\"'"])
def test_backslash_sequences_and_controls_render_literally(label):
    a = Value(2.0, label=label)
    svg = draw_dot(a * 3, show_grad=False).svg()
    assert visible(label) in svg_texts(svg)


@needs_renderer
def test_group_names_are_escaped():
    neuron = Neuron(1, name="L1\\N\x00<g>")
    out = neuron([Value(0.5, label="x")])
    graph = draw_dot(out, group="neuron", show_grad=False)
    assert '"L1\\\\N\\\\x00<g>\n' in graph.source
    assert "L1\\N\\x00<g>" in svg_texts(graph.svg())


# Any text: surrogates, control characters, separators, markup, backslash sequences.
label_text = st.lists(
    st.one_of(
        st.characters(blacklist_categories=()),
        st.sampled_from(["\\N", "\\G", "\\L", "\\", "<", ">", "&", '"', "\x00", "\ud800", "\u2028", "\x85"]),
    ),
    min_size=1,
    max_size=10,
).map("".join)


@needs_renderer
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(label_text)
@example("0  0")  # Graphviz keeps a run of spaces in SVG as space + no-break space
def test_any_label_renders_and_shows(label):
    a = Value(-1.5, label=label)
    b = a * math.inf
    b.backward()
    svg = draw_dot(b).svg()
    # SVG collapses runs of spaces, so Graphviz writes every space after the first as a
    # no-break space (U+00A0): "0  0" shows as written. Compare what a reader sees.
    texts = [t.replace("\xa0", " ") for t in svg_texts(svg)]
    # A newline is a line break: each line is its own <text>. Renderers drop outer spaces.
    for line in visible(label).replace("\xa0", " ").split("\n"):
        if line.strip():
            assert any(line.strip() in t for t in texts), (line, texts)
    assert "data −inf" in texts and "grad inf" in texts  # d(a·inf)/da = inf


@needs_renderer
def test_non_finite_values_render():
    x = Value(1e308, label="x")
    y = x * 10
    z = y - y
    z.backward()
    texts = svg_texts(draw_dot(z).svg())
    assert "data inf" in texts and "data nan" in texts and "data 1.0000e+308" in texts


# --------------------------------------------------------------------------------------
# Op symbols are data too (issue 19): an op of your own cannot put markup into a drawing
# --------------------------------------------------------------------------------------

HOSTILE_SYMBOL = '<<TABLE><TR><TD HREF="javascript:alert(1)">x</TD></TR></TABLE>>'


def hostile_graph(symbol: str):
    from autograd_tiny import define_op

    op = define_op("drawn_op", lambda x: 2 * x, [lambda x, out: 2.0], symbol=symbol)
    a = Value(1.0, label="a")
    y = op(a) * 3
    y.backward()
    return y


def test_an_html_like_symbol_is_drawn_as_text():
    source = draw_dot(hostile_graph(HOSTILE_SYMBOL)).source
    # A quoted label (its quotes escaped), never an HTML-like <...> one: Graphviz reads no markup in it.
    assert 'v1op [label="<<TABLE><TR><TD HREF=\\"javascript:alert(1)\\">x</TD></TR></TABLE>>"' in source


@needs_renderer
@pytest.mark.parametrize("symbol", [HOSTILE_SYMBOL, "<b>", "a\\", "\\N", "\\", '"', "a\\\\", "<<x>>", "<a href='x'>"])
def test_symbols_render_literally_and_add_no_links(symbol):
    svg = draw_dot(hostile_graph(symbol)).svg()
    assert symbol in svg_texts(svg)
    root = ET.fromstring(svg)
    assert not list(root.iter(f"{SVG}a"))  # Graphviz writes HREF/URL as <a xlink:href=...>
    for element in root.iter():
        assert not any(key.endswith("href") or key in ("URL", "href") for key in element.attrib), element.attrib


@needs_renderer
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(label_text.filter(lambda s: s.isprintable()))
def test_any_printable_symbol_renders_and_shows(symbol):
    svg = draw_dot(hostile_graph(symbol), show_grad=False).svg()
    if symbol.strip():
        assert any(symbol.strip() in t for t in svg_texts(svg)), (symbol, svg_texts(svg))
