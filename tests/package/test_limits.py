"""Every size limit is checked before the work it guards: a refusal at once, naming the limit.

Most tests lower a limit (monkeypatch) so a graph just over it builds in microseconds; one
test per surface builds a graph just over the real limit, to show the refusal does not
depend on the graph's size (no timing assertion: a slow refusal would show as a slow suite).
"""

from __future__ import annotations

import importlib

import pytest

from autograd_tiny import MLP, Value, compile_graph, explain, hinge, l2, make_moons
from autograd_tiny.core.limits import check_graph_size, graph_size
from autograd_tiny.fast import compiler
from autograd_tiny.show import textbook

# The module, not the function the package exports under the same name.
explain_module = importlib.import_module("autograd_tiny.show.explain")


def chain(ops: int) -> tuple[Value, Value]:
    """x and x·c·c·…·c with `ops` multiplications: ops + 1 values and ops edges."""
    x = Value(1.0, label="x")
    y = x
    for _ in range(ops):
        y = y * 1.0000001
    return x, y


def fan_in(uses: int) -> tuple[Value, Value]:
    """x and x·x·…·x: `uses` values and 2·uses - 2 edges (each product uses x once more)."""
    x = Value(1.0001, label="x")
    y = x
    for _ in range(uses - 1):
        y = y * x
    return x, y


def _forbid(monkeypatch, module, name: str) -> None:
    """Make `module.name` fail the test if called: the work a limit guards must not start."""

    def started(*args, **kwargs):
        raise AssertionError(f"{name} started before the size limit was checked")

    monkeypatch.setattr(module, name, started)


# ----------------------------------------------------------------------------- counting


def test_graph_size_counts_values_and_edges():
    a = Value(2.0)
    b = a * a  # one value used twice: two edges
    assert graph_size(b + a, limit=100) == (3, 4)


def test_graph_size_stops_just_past_the_limit():
    _, y = chain(100_000)
    assert graph_size(y, limit=10) == (11, 10)


def test_graph_size_survives_a_hand_made_cycle():
    a = Value(1.0)
    b = a + 1.0
    a.parents = (b,)  # a cycle: the count must still end
    assert graph_size(b, limit=100) == (2, 2)


def test_check_graph_size_names_the_limit_and_what_to_do():
    _, y = fan_in(30)
    with pytest.raises(ValueError) as caught:
        check_graph_size(y, 40, "the tool", "do something else")
    assert str(caught.value) == (
        "the tool handles graphs of at most 40 values and 40 edges, and this one has more than 40 edges "
        "(counted before any work); do something else"
    )
    check_graph_size(y, 58, "the tool", "unused")  # 30 values, 58 edges: fits


# ----------------------------------------------------------------------------- compile_graph

COMPILE_MESSAGE = (
    "compile_graph handles graphs of at most {limit} values and {limit} edges, and this one has more "
    "than {limit} {what} (counted before any work); compile the graph of one sample and call it with "
    "NumPy arrays holding every sample, as CompiledTrainingStep does"
)


def test_compile_graph_refuses_before_generating_code(monkeypatch):
    monkeypatch.setattr(compiler, "COMPILE_LIMIT", 50)
    _forbid(monkeypatch, compiler, "CompiledGraph")
    x, y = chain(50)
    with pytest.raises(ValueError) as caught:
        compile_graph(y, [x])
    assert str(caught.value) == COMPILE_MESSAGE.format(limit=50, what="values")
    x, y = fan_in(30)
    with pytest.raises(ValueError) as caught:
        compile_graph(y, [x])
    assert str(caught.value) == COMPILE_MESSAGE.format(limit=50, what="edges")


def test_compile_graph_under_the_limit_still_compiles(monkeypatch):
    monkeypatch.setattr(compiler, "COMPILE_LIMIT", 50)
    x, y = chain(49)
    assert compile_graph(y, [x])([2.0])[0] == pytest.approx(y.data * 2.0)


def test_compile_graph_refuses_a_real_size_graph_at_once(monkeypatch):
    _forbid(monkeypatch, compiler, "CompiledGraph")
    x, y = chain(compiler.COMPILE_LIMIT)  # one value more than the limit
    with pytest.raises(ValueError, match=r"^compile_graph handles graphs of at most 100000 values"):
        compile_graph(y, [x])


def test_the_compile_limit_fits_micrograds_full_batch_step():
    # The benchmark's "unrolled" graph: MLP(2, [16, 16, 1]) on 100 moons points, whole batch.
    X, y = make_moons(100, seed=1)
    model = MLP(2, [16, 16, 1], seed=1)
    loss = hinge([model(x) for x in X], y) + l2(model.parameters(), 1e-4)
    assert graph_size(loss, compiler.COMPILE_LIMIT) == (8112, 69148)


# ----------------------------------------------------------------------------- explain

EXPLAIN_MESSAGE = (
    "explain handles graphs of at most {limit} values and {limit} edges, and this one has more than "
    "{limit} values (counted before any work); explain a smaller graph (the loss of one sample, one "
    "neuron), or a network built with MLP neuron by neuron: explain(loss, group='neuron')"
)


def test_explain_refuses_before_building_the_narrative(monkeypatch):
    monkeypatch.setattr(explain_module, "EXPLAIN_LIMIT", 50)
    _forbid(monkeypatch, explain_module, "Explanation")
    _, y = chain(50)
    with pytest.raises(ValueError) as caught:
        explain(y)
    assert str(caught.value) == EXPLAIN_MESSAGE.format(limit=50)


def test_explain_refuses_a_real_size_graph_at_once(monkeypatch, tmp_path):
    # The path: explain(...).save_html(...) reached the HTML limit only after the
    # whole explanation was built (60 s for a million values). Now explain refuses first.
    _forbid(monkeypatch, explain_module, "Explanation")
    _, y = chain(explain_module.EXPLAIN_LIMIT)
    with pytest.raises(ValueError, match=r"^explain handles graphs of at most 20000 values"):
        explain(y).save_html(str(tmp_path / "page.html"))
    assert list(tmp_path.iterdir()) == []


def test_the_explain_limit_fits_one_sample_of_micrograds_network():
    model = MLP(2, [16, 16, 1], seed=1)
    loss = hinge([model([0.5, -1.0])], [1]) + l2(model.parameters(), 1e-4)
    values, edges = graph_size(loss, explain_module.EXPLAIN_LIMIT)
    assert values <= explain_module.EXPLAIN_LIMIT and edges <= explain_module.EXPLAIN_LIMIT


# ----------------------------------------------------------------------------- textbook views


def _loss(samples: int):
    X, y = make_moons(samples, seed=1)
    model = MLP(2, [3, 1], activation="tanh", seed=1)
    return hinge([model(x) for x in X], y)


@pytest.mark.parametrize("group", ["neuron", "layer"])
def test_the_textbook_views_refuse_before_reading_records(group, monkeypatch):
    monkeypatch.setattr(textbook, "TEXTBOOK_LIMIT", 50)
    _forbid(monkeypatch, textbook, "topological_order")
    with pytest.raises(ValueError) as caught:
        explain(_loss(2), group=group)
    assert str(caught.value) == (
        f"explain(group='{group}') handles graphs of at most 50 values and 50 edges, and this one has more "
        "than 50 edges (counted before any work); explain the loss of fewer samples"
    )


def test_the_textbook_views_refuse_a_real_size_graph_at_once(monkeypatch):
    _forbid(monkeypatch, textbook, "topological_order")
    _, y = chain(textbook.TEXTBOOK_LIMIT)
    with pytest.raises(ValueError, match=r"^explain\(group='neuron'\) handles graphs of at most 100000 values"):
        explain(y, group="neuron")


NEURON_MARKDOWN_MESSAGE = (
    "the neuron view's Markdown shows at most {limit} neuron records (more LaTeX than a notebook "
    "renders legibly), and this view has {count} ({samples} samples of {neurons} neurons); keep one "
    "sample with explain(loss, group='neuron', sample=0), or print(view) for plain text"
)


def test_the_neuron_markdown_has_a_size_limit(monkeypatch):
    monkeypatch.setattr(textbook, "NEURON_MARKDOWN_LIMIT", 7)
    view = explain(_loss(2), group="neuron")
    message = NEURON_MARKDOWN_MESSAGE.format(limit=7, count=8, samples=2, neurons=4)
    with pytest.raises(ValueError) as caught:
        view.markdown()
    assert str(caught.value) == message
    # In a notebook the cell shows the message, not a traceback; plain text still works.
    assert view._repr_markdown_() == f"*{message}*"
    assert "neuron L2.N1" in str(view)
    # One sample fits.
    assert explain(_loss(2), group="neuron", sample=0).markdown().startswith("**Backprop neuron by neuron**")


def test_the_neuron_markdown_of_a_real_full_batch_is_refused():
    # MLP(2, [16, 16, 1]) on micrograd's 100 moons: 3300 records, 6.8 MB of LaTeX.
    X, y = make_moons(100, seed=1)
    model = MLP(2, [16, 16, 1], seed=1)
    view = explain(hinge([model(x) for x in X], y), group="neuron")
    with pytest.raises(ValueError) as caught:
        view.markdown()
    assert str(caught.value) == NEURON_MARKDOWN_MESSAGE.format(limit=100, count=3300, samples=100, neurons=33)
