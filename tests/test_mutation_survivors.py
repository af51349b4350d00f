"""Bugs that once passed the whole suite: each test here fails when its bug is put back.

Issue 16 injected 47 realistic bugs into the package one at a time; five went unnoticed.
Each test names the bug it catches, so a reader knows what it guards.
"""

from __future__ import annotations

import math
import os
import signal

import pytest

from autograd_tiny import Value, topological_order
from autograd_tiny.compiler import compile_graph
from autograd_tiny.files import write_atomically
from autograd_tiny.graph import backpropagate, backward_steps

# --------------------------------------------------------------------------------------
# Bug 1: `Value / Value` without our zero check. Python then raises its own
# "float division by zero", so only the exact message tells the two apart.
# --------------------------------------------------------------------------------------


def test_value_divided_by_a_zero_value_raises_our_message():
    with pytest.raises(ZeroDivisionError, match=r"^division by zero: 1\.5 / 0\.0 \(divisor is 0\)$"):
        Value(1.5) / Value(0.0)


def test_value_divided_by_minus_zero_value_raises_our_message():
    # -0.0 == 0.0, so the same check must catch it (Python's own message would differ).
    with pytest.raises(ZeroDivisionError, match=r"^division by zero: -2\.0 / 0\.0 \(divisor is 0\)$"):
        Value(-2.0) / Value(-0.0)


# --------------------------------------------------------------------------------------
# Bugs 2 and 3: nodes with three or more parents. No built-in op has them yet (the fused
# neuron op will), so the node is built by hand: the graph walk only reads `parents`,
# `local_derivatives` and `grad`, whatever the op.
# --------------------------------------------------------------------------------------


def hand_node(parents: tuple, local_derivatives: tuple, label: str) -> Value:
    """A node that sums its parents weighted by `local_derivatives` (a linear op)."""
    out = Value(sum(w * p.data for w, p in zip(local_derivatives, parents)), label=label)
    out.parents = parents
    out.local_derivatives = local_derivatives
    out.op = "add"
    return out


def three_parent_graph():
    """root = 3 · n, n = 1.5·p1 − 2·p2 + 4·p3, p1 = 2x, p2 = x + 1, p3 = tanh(y)."""
    x, y = Value(2.0, label="x"), Value(0.5, label="y")
    p1 = x * 2
    p1.label = "p1"
    p2 = x + 1
    p2.label = "p2"
    p3 = y.tanh()
    p3.label = "p3"
    n = hand_node((p1, p2, p3), (1.5, -2.0, 4.0), "n")
    root = n * 3
    root.label = "root"
    return x, y, p1, p2, p3, n, root


def test_topological_order_lists_three_parents_before_their_node():
    *_, root = three_parent_graph()
    # By hand: the walk visits operands in order, each after its own inputs.
    assert [v.label for v in topological_order(root)] == ["x", "p1", "p2", "y", "p3", "n", "root"]


def test_topological_order_with_four_parents_that_are_computed():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    ops = [a * b, a + b, b.exp(), a.tanh()]
    for i, v in enumerate(ops):
        v.label = f"q{i}"
    n = hand_node(tuple(ops), (1.0, 1.0, 1.0, 1.0), "n")
    order = [v.label for v in topological_order(n)]
    assert order == ["a", "b", "q0", "q1", "q2", "q3", "n"]


def test_backward_reaches_the_third_parent():
    x, y, p1, p2, p3, n, root = three_parent_graph()
    root.backward()
    tanh_slope = 1 - math.tanh(0.5) ** 2
    assert (root.grad, n.grad) == (1.0, 3.0)
    assert (p1.grad, p2.grad) == (4.5, -6.0)  # 3 · 1.5 and 3 · (−2)
    assert p3.grad == 12.0  # 3 · 4: the third parent gets its gradient
    assert x.grad == 4.5 * 2 - 6.0  # through p1 (slope 2) and p2 (slope 1)
    assert y.grad == pytest.approx(12.0 * tanh_slope, rel=1e-15)


def test_backward_reaches_the_fourth_parent_and_adds_repeats():
    a, b = Value(3.0, label="a"), Value(-1.0, label="b")
    # a is the 1st and 4th parent, b the 2nd, 3rd and 5th: contributions add up.
    n = hand_node((a, b, b, a, b), (2.0, 5.0, 7.0, 11.0, 13.0), "n")
    backpropagate(n)
    assert (a.grad, b.grad) == (2.0 + 11.0, 5.0 + 7.0 + 13.0)


def test_backward_steps_agree_with_backward_on_a_three_parent_node():
    *_, root = three_parent_graph()
    steps = list(backward_steps(root))
    # One step per edge: root->n, n->p1, n->p2, n->p3, p3->y, p2->x, p1->x.
    assert [(s.node.label, s.parent.label, s.contribution) for s in steps[:4]] == [
        ("root", "n", 3.0),
        ("n", "p1", 4.5),
        ("n", "p2", -6.0),
        ("n", "p3", 12.0),
    ]
    grads = {v.label: v.grad for v in topological_order(root)}
    *_, again = three_parent_graph()
    again.backward()
    assert grads == {v.label: v.grad for v in topological_order(again)}


# --------------------------------------------------------------------------------------
# Bug 4: a −inf constant written into compiled code as +inf.
# --------------------------------------------------------------------------------------


def test_compiled_minus_inf_constant_stays_negative():
    x = Value(2.0, label="x")
    f = compile_graph(x + -math.inf, [x])
    assert f([5.0]) == (-math.inf, [1.0])
    assert f.forward([5.0]) == (x + -math.inf).data == -math.inf


def test_compiled_minus_inf_leaf_stays_negative():
    # A leaf that is not an input is frozen into the code as a constant too.
    x, floor = Value(2.0, label="x"), Value(-math.inf, label="floor")
    out = (x * floor).exp()  # exp(−inf) = 0; with +inf it would overflow
    f = compile_graph(out, [x])
    value, (grad,) = f([3.0])
    assert (value, out.data) == (0.0, 0.0)
    out.backward()
    # d/dx = exp'(−inf) · floor = 0 · (−inf), which is NaN in both.
    assert math.isnan(x.grad) and math.isnan(grad)


def test_compiled_minus_inf_times_input_keeps_the_sign():
    x = Value(1.0, label="x")
    f = compile_graph(x * -math.inf, [x])
    value, (grad,) = f([2.0])
    assert (value, grad) == (-math.inf, -math.inf)


# --------------------------------------------------------------------------------------
# Bug 5: `write_atomically` replaced by a plain in-place write. A write that fails
# midway must leave the old file whole, and no temporary file behind.
# --------------------------------------------------------------------------------------


def test_a_failed_rename_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "model.json"
    target.write_text("old contents")

    def refuse(*args):
        raise OSError("simulated crash before the rename")

    monkeypatch.setattr(os, "replace", refuse)
    monkeypatch.setattr(os, "rename", refuse)
    with pytest.raises(OSError, match="simulated crash before the rename"):
        write_atomically(target, "new contents")
    assert target.read_text() == "old contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs RLIMIT_FSIZE (POSIX)")
def test_a_write_that_fails_midway_keeps_the_old_file(tmp_path):
    resource = pytest.importorskip("resource")
    target = tmp_path / "model.json"
    target.write_text("old contents")
    # A file-size limit makes the write itself fail partway (EFBIG), as a full disk would.
    limit = 64 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        with pytest.raises(OSError, match="File too large"):
            write_atomically(target, "x" * (16 * limit))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous_handler)
    assert target.read_text() == "old contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]


def test_a_successful_write_replaces_the_whole_file(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("a much longer old text than the new one")
    assert write_atomically(target, "new") == str(target)
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
