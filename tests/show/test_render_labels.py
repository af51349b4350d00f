"""Drawings readable from the back row (issue 22, item 4): label sizes, direction, ``size=``."""

from __future__ import annotations

import re
import warnings

import pytest

from autograd_tiny import MLP, Neuron, Value, draw_dot
from autograd_tiny.show import render
from autograd_tiny.show.render import MIN_LABEL_PX, PAGE_WIDTH_PX, PX_PER_PT


def lecture_expression():
    """L = (a·b + c)·f, Karpathy's first expression, after backward()."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c, f = Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    L.backward()
    return L


def lecture_neuron():
    """o = tanh(x1·w1 + x2·w2 + b), the lecture's numbers (notebook 02's last drawing)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    n = x1 * w1 + x2 * w2 + Value(6.8813735870195432, label="b")
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o


def mazur_error():
    """Mazur's 2-2-2 network's error (notebook 05's grouped drawing), weights as the notebook sets them."""
    model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid")
    weights = [0.15, 0.20, 0.35, 0.25, 0.30, 0.35, 0.40, 0.45, 0.60, 0.50, 0.55, 0.60]
    for p, value in zip(model.parameters(), weights):
        p.data = value
    o1, o2 = model([0.05, 0.10])
    return 0.5 * (0.01 - o1) ** 2 + 0.5 * (0.99 - o2) ** 2


def a_neuron():
    """A tanh Neuron of two inputs (notebook 03's first drawing)."""
    out = Neuron(2, activation="tanh", seed=0)([Value(1.0, label="x1"), Value(-2.0, label="x2")])
    out.backward()
    return out


def width_px(graph):
    return float(re.search(r'<svg width="([\d.]+)pt"', graph.svg()).group(1)) * PX_PER_PT


def font_sizes(graph):
    return set(re.findall(r'font-size="([\d.]+)"', graph.svg()))


def test_every_label_is_12_pt_that_is_16_px():
    # Node labels, op symbols, edge roles (numerator), the legend and grouped boxes alike.
    x = Value(0.5, label="x")
    y = (x / (x - 2)).tanh()
    y.backward()
    assert font_sizes(draw_dot(y, legend=True)) == {"12.00"}
    assert font_sizes(draw_dot(mazur_error(), group="neuron", legend=True)) == {"12.00"}
    assert font_sizes(draw_dot(mazur_error(), group="layer", show_grad=False)) == {"12.00"}
    assert 12 * PX_PER_PT == 16


@pytest.mark.parametrize(
    "name, root, options",
    [
        ("lecture expression", lecture_expression, {}),
        ("lecture neuron", lecture_neuron, {"legend": True}),
        ("a Neuron", a_neuron, {"legend": True}),
        ("Mazur by neuron", mazur_error, {"group": "neuron", "show_grad": False}),
        ("Mazur by neuron, legend", mazur_error, {"group": "neuron", "legend": True}),
        ("Mazur by layer", mazur_error, {"group": "layer"}),
    ],
)
def test_the_default_direction_fits_a_notebook_page_at_16_px(name, root, options):
    # Each of these is wider than the 860 px output area of a 1024 px page left to right
    # (notebook 05's grouped drawing: 1,644 px); draw_dot turns it top to bottom.
    graph = draw_dot(root(), **options)
    assert "rankdir=TB" in graph.source
    assert width_px(draw_dot(root(), rankdir="LR", **options)) > PAGE_WIDTH_PX
    assert width_px(graph) <= PAGE_WIDTH_PX
    assert graph.smallest_label_px() == pytest.approx(16.0)


def test_left_to_right_where_it_fits():
    a = Value(2.0, label="a")
    y = a * 3 + 1
    graph = draw_dot(y, show_grad=False)
    assert "rankdir=LR" in graph.source and "<TR><TD><B>a</B></TD><TD>data 2.0000</TD></TR>" in graph.source
    assert width_px(graph) <= PAGE_WIDTH_PX
    model = MLP(2, [4, 4, 1], seed=0)
    score = model([0.5, -1.0])
    score.backward()
    assert "rankdir=LR" in draw_dot(score, group="layer").source


def test_a_chosen_direction_keeps_the_cells_in_a_row():
    source = draw_dot(lecture_neuron(), rankdir="TB").source
    assert "<TR><TD><B>o</B></TD><TD>data 0.7071</TD><TD>grad 1.0000</TD></TR>" in source


def estimate_and_drawing(root, rankdir, **options):
    """draw_dot's width estimate (points) for `rankdir`, and the drawing it makes choosing it."""
    seen = {}

    def choose(wide, tall, links, floor):
        seen["estimate"] = render._estimated_width(tall if rankdir == "TB" else wide, links, rankdir, floor)
        return rankdir

    original = render._direction
    render._direction = choose
    try:
        graph = draw_dot(root, **options)
    finally:
        render._direction = original
    return seen["estimate"], graph


@pytest.mark.parametrize("root", [lecture_expression, lecture_neuron, a_neuron, mazur_error])
@pytest.mark.parametrize("options", [{}, {"legend": True, "group": "neuron"}, {"show_grad": False}])
def test_the_width_estimate_is_never_below_the_drawing(root, options):
    # The direction is chosen without drawing: an estimate that errs wide never picks a
    # direction that then overflows the page.
    for rankdir in ("LR", "TB"):
        estimate, graph = estimate_and_drawing(root(), rankdir, **options)
        assert f"rankdir={rankdir}" in graph.source
        assert estimate * PX_PER_PT >= width_px(graph)


def test_a_size_that_shrinks_labels_below_14_px_warns_once():
    # Notebook 02's frames: size=(9.5, 3) scales the lecture expression down to fit 3 inches.
    graph = draw_dot(lecture_expression(), size=(9.5, 3))
    smallest = graph.smallest_label_px()
    assert smallest < MIN_LABEL_PX
    message = (
        f"this drawing's smallest labels show at {smallest:.1f} px in a notebook on a 1024 px wide page, "
        "under the 14 px that can be read from the back of a room: draw it without size=(9.5, 3), or with a larger size"
    )
    with pytest.warns(UserWarning, match=re.escape(message)):
        graph._repr_mimebundle_()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        graph._repr_mimebundle_()  # once per drawing: shown again, it does not warn again


def test_a_size_that_keeps_labels_readable_does_not_warn():
    graph = draw_dot(lecture_expression(), size=(20, 20))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        graph._repr_mimebundle_()
    assert graph.smallest_label_px() == pytest.approx(16.0)


def test_a_drawing_too_wide_for_the_page_warns_what_to_do():
    # Top to bottom, a neuron of 12 inputs puts its 25 leaves side by side.
    out = Neuron(12, seed=0)([Value(float(i), label=f"x{i}") for i in range(12)])
    out.backward()
    graph = draw_dot(out, rankdir="TB")
    smallest = graph.smallest_label_px()
    assert smallest == pytest.approx(16 * PAGE_WIDTH_PX / width_px(graph))
    with pytest.warns(UserWarning, match=re.escape(f"labels show at {smallest:.1f} px")) as caught:
        graph._repr_mimebundle_()
    assert str(caught[0].message).endswith(
        ": leave rankdir= out (draw_dot then picks the narrower direction), group it (group='neuron'), "
        "or draw a smaller part of it"
    )


def test_rankdir_names_what_it_takes():
    with pytest.raises(ValueError, match=r"rankdir must be LR, TB, RL, BT or None \(chosen to fit a page\), got 'up'"):
        draw_dot(Value(1.0), rankdir="up")


def test_a_long_legend_wraps_within_the_page():
    model = MLP(1, [1], seed=0)
    y = model([Value(2.0, label="x")]) * 3
    y.backward()
    source = draw_dot(y, legend=True).source
    legend = re.search(r'\tlabel="([^"]*)"', source).group(1).split("\n")
    assert legend[0] == "blue: inputs  ·  yellow: parameters  ·  white: intermediate values"
    assert legend[1] == "green: the output  ·  grey ovals: operations"
    assert all(len(line) <= 70 for line in legend)
