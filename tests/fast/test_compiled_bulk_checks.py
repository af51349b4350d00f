"""The generic compiled call checks plain floats and arrays in bulk (issue 20), and still refuses the rest.

`f(values, reduce="mean")` with hundreds of parameters as floats and a few data arrays must
not check its inputs one by one (that cost more than the step). These tests pin that the
bulk path is taken, that it computes exactly what the input-by-input path computes, and that
every refusal keeps its message, also after a call has taught `f` where its arrays are.
"""

import math

import numpy as np
import pytest

from autograd_tiny import MLP, Value, compile_graph, make_moons
from autograd_tiny.fast import compiler


def step_graph():
    model = MLP(2, [4, 4, 1], seed=3)
    xs = [Value(0.0, label="x0"), Value(0.0, label="x1")]
    label = Value(1.0, label="y")
    f = compile_graph((1 + -label * model(xs)).relu(), model.parameters() + xs + [label])
    X, y = make_moons(n=12, seed=1)
    columns = [np.array([p[0] for p in X]), np.array([p[1] for p in X]), np.array(y, dtype=float)]
    return f, [p.data for p in model.parameters()], columns


def each_input(monkeypatch):
    """Force the input-by-input path, as every call went before the bulk check."""
    monkeypatch.setattr(compiler.CompiledGraph, "_plain", lambda self, values: None)


def test_plain_floats_are_not_checked_one_by_one(monkeypatch):
    f, weights, columns = step_graph()
    calls = []
    checked = compiler.as_number
    monkeypatch.setattr(compiler, "as_number", lambda *a, **k: calls.append(a) or checked(*a, **k))
    f(weights + columns, reduce="mean")
    f(weights + columns)
    f.forward(weights + columns)
    assert calls == []


@pytest.mark.parametrize("reduce", [None, "mean", "sum"])
@pytest.mark.parametrize(
    "make",
    [
        lambda w, c: w + c,  # the usual layout
        lambda w, c: tuple(w + c),  # a tuple
        lambda w, c: w + [c[0].astype(np.float32), c[1], c[2].astype(np.int64)],  # other dtypes
        lambda w, c: [math.inf, *w[1:]] + c,  # inf is a number
        lambda w, c: [np.full(len(c[0]), x) for x in w] + [float(v) for v in (0.5, -1.0, 1.0)],  # other layout
        lambda w, c: [3, *w[1:]] + c,  # an int: the checked path
        lambda w, c: [np.float64(w[0]), *w[1:]] + c,  # a NumPy number: the checked path
    ],
)
def test_bulk_and_checked_paths_agree(monkeypatch, make, reduce):
    f, weights, columns = step_graph()
    values = make(weights, columns)
    bulk = f(values, reduce=reduce)
    bulk_again = f(values, reduce=reduce)  # with the layout remembered
    each_input(monkeypatch)
    checked = f(values, reduce=reduce)
    for got in (bulk, bulk_again):
        np.testing.assert_array_equal(np.asarray(got[0]), np.asarray(checked[0]))
        np.testing.assert_array_equal(np.asarray(got[1]), np.asarray(checked[1]))


def test_layout_changes_between_calls():
    """Arrays in other places than last call: found again, never read from the remembered layout."""
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    f = compile_graph(a * b * b, [a, b])
    assert f([2.0, np.array([1.0, 3.0])], reduce="mean") == (10.0, pytest.approx([5.0, 8.0]))
    value, grads = f([np.array([1.0, 3.0]), 2.0], reduce="mean")
    assert value == 8.0 and grads.tolist() == [4.0, 8.0]
    assert f([2.0, 3.0]) == (18.0, [9.0, 12.0])
    value, grads = f([2.0, np.array([1.0, 3.0])])
    assert value.tolist() == [2.0, 18.0] and grads[0].tolist() == [1.0, 9.0] and grads[1].tolist() == [4.0, 12.0]


class Weird(float):
    """A float whose float() is another number: as_number reads float(x), so must every path."""

    def __float__(self):
        return 2.0


def test_float_subclass_is_read_as_float_reads_it():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    f = compile_graph(a * b, [a, b])
    f([1.0, np.array([1.0, 3.0])], reduce="mean")  # the layout is remembered
    value, grads = f([Weird(1.0), np.array([1.0, 3.0])], reduce="mean")
    assert value == 4.0 and grads.tolist() == [2.0, 2.0]


BAD = [
    (lambda w, c: [math.nan, *w[1:]] + c, ValueError, r"^value 0 must be a number, not NaN, got nan; pass a number"),
    (lambda w, c: [True, *w[1:]] + c, TypeError, r"^value 0 must be a number, got bool True; pass a number or"),
    (lambda w, c: [*w[:-1], "1"] + c, TypeError, r"^value \d+ must be a number, got str '1'; pass a number or"),
    (lambda w, c: w + [c[0], c[1], np.append(c[2], 1.0)], ValueError, r"^array values must be 1-D and of the same"),
    (lambda w, c: w + [c[0], np.array([c[1], c[1]]), c[2]], ValueError, r"^array values must be 1-D and of the same"),
    (
        lambda w, c: w + [c[0], c[1] > 0, c[2]],
        TypeError,
        r"^values must be numbers or 1-D NumPy arrays of numbers, got bool",
    ),
    (
        lambda w, c: w + [c[0], c[1] + 0j, c[2]],
        TypeError,
        r"^values must be numbers or 1-D NumPy arrays of numbers, got complex",
    ),
    (
        lambda w, c: w + [c[0], np.where(c[1] > 0, math.nan, c[1]), c[2]],
        ValueError,
        r"^value \d+ is NaN in sample \d+; pass",
    ),
    (lambda w, c: w + c[:2], ValueError, r"^expected \d+ values \(one per input, in the order of `inputs`\), got \d+$"),
    (lambda w, c: dict(enumerate(w + c)), TypeError, r"^values must be a list with one number or array per input"),
    (lambda w, c: w + [c[0], list(c[1]), c[2]], TypeError, r"^value \d+ must be a number, got list"),
]


@pytest.mark.parametrize("reduce", [None, "mean"])
@pytest.mark.parametrize("make, error, message", BAD)
def test_refusals_keep_their_messages_after_a_good_call(make, error, message, reduce):
    f, weights, columns = step_graph()
    f(weights + columns, reduce=reduce)  # the layout is remembered: it must not let anything through
    with pytest.raises(error, match=message):
        f(make(weights, columns), reduce=reduce)
