"""Drawing graphs: golden DOT, real renders, odd labels, grouping, renderer lookup errors."""

from __future__ import annotations

import os
import re
import time
import xml.etree.ElementTree as ET

import pytest

from autograd_tiny import MLP, Value, draw_dot
from autograd_tiny.show.render import INSTALL_HELP, RENDERER_ENV, find_renderer

PNG = b"\x89PNG\r\n\x1a\n"


def small():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    d = c + 1
    return a, b, c, d


GOLDEN = """\
digraph autograd_tiny {
\tfontname=Helvetica fontsize=12 rankdir=LR
\tnode [fontname=Helvetica fontsize=12]
\tedge [color="#6b7280" fontname=Helvetica fontsize=12]
\tv0 [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" BGCOLOR="#dbeafe"><TR><TD><B>a</B></TD><TD>data 2.0000</TD><TD>grad −3.0000</TD></TR></TABLE>> id=v0 shape=plain]
\tv1 [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" BGCOLOR="#dbeafe"><TR><TD><B>b</B></TD><TD>data −3.0000</TD><TD>grad 2.0000</TD></TR></TABLE>> id=v1 shape=plain]
\tv2 [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" BGCOLOR="#ffffff"><TR><TD><B>t1</B></TD><TD>data −6.0000</TD><TD>grad 1.0000</TD></TR></TABLE>> id=v2 shape=plain]
\tv2op [label="*" fillcolor="#e5e7eb" id=v2op shape=ellipse style=filled]
\tv2op -> v2 [id=v2out]
\tv0 -> v2op [id=e2_0]
\tv1 -> v2op [id=e2_1]
\tv3 [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" BGCOLOR="#bbf7d0"><TR><TD><B>out</B></TD><TD>data −5.0000</TD><TD>grad 1.0000</TD></TR></TABLE>> id=v3 shape=plain]
\tv3op [label="+ 1" fillcolor="#e5e7eb" id=v3op shape=ellipse style=filled]
\tv3op -> v3 [id=v3out]
\tv2 -> v3op [id=e3_0]
}
"""


def test_golden_dot_text():
    *_, d = small()
    d.backward()
    assert draw_dot(d, rankdir="LR").source == GOLDEN


def test_golden_dot_text_of_the_default_direction():
    # Left to right this drawing is about 800 pt (1,065 px) wide, more than a notebook page: by
    # default it runs top to bottom, each value's name, data and grad stacked (rows, not cells).
    *_, d = small()
    d.backward()
    stacked = re.sub(
        r"<TR><TD>(.*?)</TD><TD>(.*?)</TD><TD>(.*?)</TD></TR>",
        r"<TR><TD>\1</TD></TR><TR><TD>\2</TD></TR><TR><TD>\3</TD></TR>",
        GOLDEN.replace("rankdir=LR", "rankdir=TB"),
    )
    assert draw_dot(d).source == stacked


def test_identical_programs_give_identical_text():
    def program():
        a, b = Value(0.5, label="a"), Value(-1.5)
        out = (a * b + a).tanh() / (b - 2) ** 2
        out.backward()
        return draw_dot(out, rankdir="LR").source  # cells in a row, as the pattern below reads them

    first = program()
    assert program() == first
    # Ids come from topological position, names from roles, numbers from the values. By hand:
    # a·b = −0.75, + a = −0.25, tanh = −0.2449, b − 2 = −3.5, squared 12.25, out = −0.0200;
    # grads: 1/12.25 = 0.0816 into tanh, 0.0816 · (1 − 0.2449²) = 0.0767 into the sum, so
    # a gets 0.0767 · (b + 1) = −0.0384 and b gets 0.0767 · a − 0.0114 (through b − 2).
    nodes = re.findall(r"^\t(v\d+) \[label=<.*?<B>(.*?)</B></TD><TD>data (\S+)</TD><TD>grad (\S+)</TD>", first, re.M)
    assert nodes == [
        ("v0", "a", "0.5000", "−0.0384"),
        ("v1", "x1", "−1.5000", "0.0269"),
        ("v2", "t1", "−0.7500", "0.0767"),
        ("v3", "t2", "−0.2500", "0.0767"),
        ("v4", "t3", "−0.2449", "0.0816"),
        ("v5", "t4", "−3.5000", "−0.0114"),
        ("v6", "t5", "12.2500", "0.0016"),
        ("v7", "out", "−0.0200", "1.0000"),
    ]
    ops = re.findall(r'^\t(v\d+op) \[label=("[^"]*"|\S+)', first, re.M)
    assert ops == [
        ("v2op", '"*"'),
        ("v3op", '"+"'),
        ("v4op", "tanh"),
        ("v5op", '"- 2"'),
        ("v6op", '"** 2"'),
        ("v7op", '"/"'),
    ]


def test_before_backward_gradients_are_marked_unknown():
    *_, d = small()
    source = draw_dot(d).source
    assert "grad ?" in source and "grad 0.0000" not in source
    assert "gradients not computed yet" in source
    d.backward()
    source = draw_dot(d).source
    assert "grad ?" not in source and "not computed" not in source
    assert "grad ?" not in draw_dot(d, show_grad=False).source


def test_true_zero_gradients_show_as_zero_after_backward():
    x = Value(-1.0, label="x")
    y = x.relu() + 2
    y.backward()
    assert "grad 0.0000" in draw_dot(y).source


def test_colours_tell_kinds_apart():
    model = MLP(1, [1], seed=0)
    x = Value(1.0, label="x")
    out = model([x])
    source = draw_dot(out).source
    line = {
        name: next(line for line in source.splitlines() if f"<B>{name}</B>" in line)
        for name in ("x", "L1.N1.w1", "L1.N1.b")
    }
    assert "#dbeafe" in line["x"]  # input
    assert "#fde68a" in line["L1.N1.w1"] and "#fde68a" in line["L1.N1.b"]  # parameters


def test_constants_are_visible():
    a = Value(3.0, label="a")
    out = 2 - a * 0.5
    source = draw_dot(out).source
    assert 'label="* 0.5"' in source and 'label="2 -"' in source


def test_svg_and_png_render(tmp_path):
    _a, _b, _c, d = small()
    d.backward()
    graph = draw_dot(d)
    svg_path = graph.save(tmp_path / "graph.svg")
    root = ET.parse(svg_path).getroot()
    assert root.tag.endswith("svg")
    text = open(svg_path).read()
    texts = [element.text for element in root.iter() if element.tag.endswith("text")]
    for expected in ("data −6.0000", "grad −3.0000", "a", "out", "+ 1"):
        assert expected in texts
    ids = {element.get("id") for element in root.iter()}
    assert {"v0", "v2op", "e2_0", "e2_1", "v2out", "v3"} <= ids
    png = open(graph.save(tmp_path / "graph.png"), "rb").read()
    assert png.startswith(PNG) and len(png) > 2000
    assert sorted(os.listdir(tmp_path)) == ["graph.png", "graph.svg"]
    assert graph.svg() == text
    assert graph._repr_mimebundle_()[0]["image/svg+xml"] == text


@pytest.mark.parametrize("label", ["a | b", "{x}", "<y>", 'say "hi" & go', "∂L/∂a × 2", "two\nlines"])
def test_odd_labels_render(label, tmp_path):
    a = Value(1.5, label=label)
    out = a * 2
    out.backward()
    svg = draw_dot(out).svg()
    texts = [element.text for element in ET.fromstring(svg).iter() if element.tag.endswith("text")]
    for line in label.split("\n"):
        assert line in texts
    assert draw_dot(out).save(tmp_path / "odd.png")


def test_highlight_values_and_edges():
    a, b, c, d = small()
    source = draw_dot(d, highlight=[a, (b, c)]).source
    v0 = next(line for line in source.splitlines() if line.strip().startswith("v0 "))
    e21 = next(line for line in source.splitlines() if "id=e2_1" in line)
    e20 = next(line for line in source.splitlines() if "id=e2_0" in line)
    assert "#dc2626" in v0 and "#dc2626" in e21 and "#dc2626" not in e20
    with pytest.raises(TypeError, match="highlight takes Values"):
        draw_dot(d, highlight=["a"])


@pytest.mark.parametrize("expand", [True, False])
def test_grouped_mlp_is_small_and_fast(expand):
    # expand=True: micrograd's * and + graph; False: one fused "affine" node per neuron.
    model = MLP(2, [16, 16, 1], seed=0, expand=expand)
    x = [Value(0.3, label="x0"), Value(-0.8, label="x1")]
    out = model(x)
    out.backward()
    from autograd_tiny import topological_order

    assert len(topological_order(out)) > (800 if expand else 400)
    start = time.perf_counter()
    graph = draw_dot(out, group="neuron")
    svg = graph.svg()
    elapsed = time.perf_counter() - start
    nodes = [line for line in graph.source.splitlines() if "[label=" in line]
    assert len(nodes) == 2 + 33  # two inputs, 16 + 16 + 1 neurons
    assert "L1.N16" in svg and "L3.N1" in svg
    print(f"grouped MLP drawing: {len(nodes)} nodes, rendered in {elapsed:.2f} s")
    layer_nodes = [line for line in draw_dot(out, group="layer").source.splitlines() if "[label=" in line]
    assert len(layer_nodes) == 2 + 3


def test_big_ungrouped_graph_is_refused_with_advice():
    model = MLP(2, [16, 16, 1], seed=0, expand=True)
    out = model([0.3, -0.8])
    with pytest.raises(ValueError, match=r"more than max_nodes=500.*group='neuron'"):
        draw_dot(out)
    source = draw_dot(out, max_nodes=5000).source
    # By hand: layer 1 has 16 neurons of 3 parameters and 5 ops (2 products, 2 sums, relu),
    # layer 2 has 16 of 17 parameters and 33 ops, the output 17 parameters and 32 ops.
    values = 16 * (3 + 5) + 16 * (17 + 33) + (17 + 32)
    assert len(re.findall(r"^\tv\d+ \[label=<", source, re.M)) == values == 977
    assert len(re.findall(r"^\tv\d+op \[label=", source, re.M)) == 16 * 5 + 16 * 33 + 32


def test_grouped_graph_still_too_big_is_refused():
    model = MLP(2, [4, 1], seed=0)
    from autograd_tiny import hinge, l2

    loss = hinge([model([0.1 * i, 0.2]) for i in range(30)], [1] * 30) + l2(model.parameters())
    with pytest.raises(ValueError, match=r"even grouped by neuron, this graph has \d+ nodes.*one sample"):
        draw_dot(loss, group="neuron", max_nodes=100)


def test_bad_arguments():
    *_, d = small()
    with pytest.raises(TypeError, match="needs a Value"):
        draw_dot(3.0)
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(d, rankdir="up")
    with pytest.raises(ValueError, match="group"):
        draw_dot(d, group="neurons")
    with pytest.raises(ValueError, match=r"use a \.svg, \.png or \.pdf"):
        draw_dot(d).save("graph.jpg")


def test_no_renderer_gives_install_commands(monkeypatch, tmp_path):
    monkeypatch.delenv(RENDERER_ENV, raising=False)
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr("autograd_tiny.show.render._scripts_folders", lambda: [])
    *_, d = small()
    with pytest.raises(RuntimeError, match=re.escape(INSTALL_HELP)) as info:
        draw_dot(d).save(tmp_path / "graph.svg")
    assert str(info.value) == INSTALL_HELP
    assert "pip install graphviz-pure" in INSTALL_HELP and "apt install graphviz" in INSTALL_HELP
    assert not os.listdir(tmp_path)
    assert "cannot draw" in draw_dot(d)._repr_mimebundle_()["text/plain"]


def test_renderer_found_in_interpreter_scripts_folder_without_path(monkeypatch):
    monkeypatch.delenv(RENDERER_ENV, raising=False)
    monkeypatch.setenv("PATH", "")
    assert os.path.basename(find_renderer("svg")).startswith("graphviz-pure")


def test_override_pointing_at_missing_file(monkeypatch, tmp_path):
    monkeypatch.setenv(RENDERER_ENV, str(tmp_path / "no-such-dot"))
    with pytest.raises(RuntimeError, match=f"{RENDERER_ENV} is set to .*not an executable"):
        find_renderer()


def test_pdf_without_system_dot_says_so(monkeypatch, tmp_path):
    monkeypatch.delenv(RENDERER_ENV, raising=False)
    monkeypatch.setattr("shutil.which", lambda name: None)
    *_, d = small()
    with pytest.raises(RuntimeError, match="PDF needs the system Graphviz"):
        draw_dot(d).save(tmp_path / "graph.pdf")


def test_a_failing_renderer_reports_its_error(monkeypatch, tmp_path):
    script = tmp_path / "bad-dot"
    script.write_text("#!/bin/sh\necho 'syntax error in line 1' >&2\nexit 3\n")
    script.chmod(0o755)
    monkeypatch.setenv(RENDERER_ENV, str(script))
    *_, d = small()
    with pytest.raises(RuntimeError, match="failed to render svg: syntax error in line 1"):
        draw_dot(d).svg()


def test_saved_files_get_normal_permissions(tmp_path):
    *_, d = small()
    mask = os.umask(0o022)
    try:
        path = draw_dot(d).save(tmp_path / "graph.svg")
    finally:
        os.umask(mask)
    assert os.stat(path).st_mode & 0o777 == 0o644


def test_gradients_option_shows_the_given_numbers_and_question_marks_elsewhere():
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    c.backward()  # .grad is set, but the drawing must show the mapping's numbers only
    source = draw_dot(c, gradients={c: 1.0, a: -3.0}).source
    assert "grad 1.0000" in source and "grad −3.0000" in source
    assert source.count("grad ?") == 1  # b: not in the mapping
    assert "grad 2.0000" not in source  # b's real .grad is not shown
    assert "not computed yet" not in source


def test_jupyter_display_holds_a_png_beside_the_svg():
    # An untrusted notebook in JupyterLab hides SVG but shows PNG (issue 22, item 5).
    import base64
    import struct

    *_, d = small()
    d.backward()
    graph = draw_dot(d)
    data, metadata = graph._repr_mimebundle_()
    assert data["image/svg+xml"] == graph.svg()
    png = base64.b64decode(data["image/png"])
    assert png.startswith(PNG)
    width, height = struct.unpack(">II", png[16:24])
    # drawn at twice the resolution, shown at the SVG's own size (its points are 4/3 CSS px)
    svg_width, svg_height = (
        float(x) * 4 / 3 for x in re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', graph.svg()).groups()
    )
    assert metadata == {"image/png": {"width": round(width / 2), "height": round(height / 2)}}
    assert abs(width / 2 - svg_width) <= 2 and abs(height / 2 - svg_height) <= 2
    assert graph.render("png") != png  # `save("x.png")` keeps its own 1x resolution


def test_jupyter_display_keeps_the_svg_when_only_png_fails(tmp_path, monkeypatch):
    # A renderer that writes SVG but no PNG: the drawing still shows, as SVG only.
    script = tmp_path / "svg-only"
    script.write_text("#!/bin/sh\ncat >/dev/null\ncase \"$1\" in -Tsvg) echo '<svg></svg>';; *) exit 1;; esac\n")
    script.chmod(0o755)
    monkeypatch.setenv(RENDERER_ENV, str(script))
    *_, d = small()
    assert draw_dot(d)._repr_mimebundle_() == ({"image/svg+xml": "<svg></svg>\n"}, {})


def test_a_highlighted_edge_points_back_the_way_its_gradient_flows():
    # A backward step's edge: its arrowhead turned toward the operand, as the stepper draws it;
    # the other edges keep the forward pass's arrowheads.
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    source = draw_dot(c, highlight=[(a, c)]).source
    marked = [line for line in source.splitlines() if "->" in line and "#dc2626" in line]
    plain = [line for line in source.splitlines() if "->" in line and "#dc2626" not in line]
    assert len(marked) == 1 and "dir=back" in marked[0]
    assert plain and not any("dir=back" in line for line in plain)
