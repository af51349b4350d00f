"""Bugs that once passed the whole suite: each test here fails when its bug is put back.

Issue 16 injected 47 realistic bugs into the package one at a time; five went unnoticed.
Each section names the bug it catches, so a reader knows what it guards. The last section
gives a second, independent test to checks that hung on one test only.
"""

from __future__ import annotations

import math
import os
import signal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_tiny import Value, binary_cross_entropy, cross_entropy, hinge, l2, mse, no_grad, topological_order
from autograd_tiny.core.graph import backpropagate, backward_steps
from autograd_tiny.fast.compiler import compile_graph
from autograd_tiny.learn.files import write_atomically
from tests.show.test_explain import lecture_example

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
    # backward_steps computes in its own storage (explain is pure): its final running sums
    # are the gradients backward() gives on a fresh copy of the graph.
    final = {}
    for s in steps:
        final[s.parent.label] = s.grad_after
    *_, again = three_parent_graph()
    again.backward()
    assert final == {v.label: v.grad for v in topological_order(again) if v is not again}


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


# --------------------------------------------------------------------------------------
# Second, independent tests for checks that hung on a single test (issue 16).
# --------------------------------------------------------------------------------------

finite = st.floats(min_value=-50.0, max_value=50.0, allow_nan=False)


@given(finite)
def test_relu_slope_is_one_above_zero_and_zero_elsewhere(x):
    leaf = Value(x)
    out = leaf.relu()
    out.backward()
    assert (out.data, leaf.grad) == ((x, 1.0) if x > 0 else (0.0, 0.0))


@pytest.mark.parametrize("zero", [0.0, -0.0])
def test_relu_at_zero_by_hand_eager_and_compiled(zero):
    x = Value(zero, label="x")
    y = x.relu() * 5
    y.backward()
    assert (y.data, x.grad) == (0.0, 0.0)  # the kink takes the left slope, 0, as PyTorch does
    assert compile_graph(x.relu() * 5, [x])([zero]) == (0.0, [0.0])


@given(finite, finite)
def test_no_grad_results_are_leaves_with_the_same_numbers(a, b):
    x, y = Value(a), Value(b)
    with_graph = (x * y + x).tanh() - y
    with no_grad():
        without = (x * y + x).tanh() - y
    assert without.data == with_graph.data
    assert (without.parents, without.local_derivatives, without.op, without.const) == ((), (), "", None)
    without.backward()  # a leaf: only its own gradient is seeded
    assert (x.grad, y.grad, without.grad) == (0.0, 0.0, 1.0)


def test_an_sgd_style_update_under_no_grad_keeps_the_parameter_a_leaf():
    w = Value(3.0, label="w")
    (w * w).backward()
    with no_grad():
        stepped = w - 0.1 * w.grad  # 3 − 0.1 · 6
    assert (stepped.data, stepped.parents, w.grad) == (pytest.approx(2.4), (), 6.0)
    (stepped * 2).backward()
    assert (w.grad, stepped.grad) == (6.0, 2.0)  # nothing flowed back into w


@pytest.mark.parametrize("nan", [float("nan"), -math.nan, math.inf - math.inf])
def test_nan_is_refused_as_input_from_any_source(nan):
    with pytest.raises(
        ValueError,
        match=r"^Value's data must be a number, not NaN, got nan; pass an int or a float, e\.g\. float\(\.\.\.\)$",
    ):
        Value(nan)


def test_numpy_nan_is_refused_and_infinities_are_accepted():
    np = pytest.importorskip("numpy")
    with pytest.raises(
        ValueError,
        match=r"^Value's data must be a number, not NaN, got nan; pass an int or a float, e\.g\. float\(\.\.\.\)$",
    ):
        Value(np.float64("nan"))
    assert (Value(math.inf).data, Value(-math.inf).data) == (math.inf, -math.inf)


def test_nan_is_refused_as_a_constant():
    with pytest.raises(
        ValueError, match=r"^the constant operand of \+ must be a number, not NaN, got nan; pass a number or a Value$"
    ):
        Value(1.0) + math.nan


lecture = lecture_example  # L = (a·b + c)·f with e and d labelled


def test_explain_after_backward_gives_the_same_steps_as_on_a_fresh_graph():
    from autograd_tiny import explain

    *_, fresh = lecture()
    expected = [(s.node_name, s.parent_name, s.local, s.upstream, s.contribution) for s in explain(fresh).steps]
    *_, used = lecture()
    used.backward()
    steps = [(s.node_name, s.parent_name, s.local, s.upstream, s.contribution) for s in explain(used).steps]
    assert steps == expected
    # By hand: dL/da = f · b = 6, dL/db = f · a = -4, dL/dc = f = -2, dL/df = d = 4.
    by_parent = {name: contribution for _, name, _, _, contribution in expected}
    assert {k: by_parent[k] for k in "abcf"} == {"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0}


def test_explain_leaves_every_grad_untouched():
    from autograd_tiny import explain

    a, b, c, f, L = lecture()
    L.backward()
    before = [v.grad for v in (a, b, c, f, L)]
    explain(L)
    assert [v.grad for v in (a, b, c, f, L)] == before


# The loss formulas, as properties: each loss against its textbook formula in plain floats,
# and its gradient against the closed form.

small = st.floats(min_value=-5.0, max_value=5.0, allow_nan=False)


@given(st.lists(st.tuples(small, small), min_size=1, max_size=5))
def test_mse_is_the_mean_square_and_its_gradient_is_two_errors_over_n(pairs):
    predictions = [Value(p) for p, _ in pairs]
    loss = mse(predictions, [t for _, t in pairs])
    n = len(pairs)
    assert loss.data == pytest.approx(sum((p - t) ** 2 for p, t in pairs) / n, rel=1e-12, abs=1e-12)
    loss.backward()
    assert [v.grad for v in predictions] == pytest.approx([2 * (p - t) / n for p, t in pairs], rel=1e-12, abs=1e-12)


@given(st.lists(st.tuples(small, st.sampled_from([-1, 1])), min_size=1, max_size=5))
def test_hinge_is_the_mean_margin_violation(pairs):
    scores = [Value(s) for s, _ in pairs]
    loss = hinge(scores, [y for _, y in pairs])
    n = len(pairs)
    assert loss.data == pytest.approx(sum(max(0.0, 1 - y * s) for s, y in pairs) / n, rel=1e-12, abs=1e-12)
    loss.backward()
    assert [v.grad for v in scores] == pytest.approx([(-y / n if 1 - y * s > 0 else 0.0) for s, y in pairs])


@given(st.lists(st.tuples(small, st.sampled_from([0, 1])), min_size=1, max_size=5))
def test_binary_cross_entropy_is_the_log_loss_of_the_sigmoid(pairs):
    logits = [Value(x) for x, _ in pairs]
    loss = binary_cross_entropy(logits, [y for _, y in pairs])
    n = len(pairs)

    def sigmoid(x):
        return 1 / (1 + math.exp(-x))

    expected = sum(-y * math.log(sigmoid(x)) - (1 - y) * math.log(1 - sigmoid(x)) for x, y in pairs) / n
    assert loss.data == pytest.approx(expected, rel=1e-9, abs=1e-12)
    loss.backward()
    # d/dx of the log loss is σ(x) − y (away from the kink of relu and abs at 0).
    for leaf, (x, y) in zip(logits, pairs):
        if x != 0.0:
            assert leaf.grad == pytest.approx((sigmoid(x) - y) / n, rel=1e-9, abs=1e-12)


@given(st.lists(small, min_size=2, max_size=5), st.data())
def test_cross_entropy_is_minus_log_softmax_and_its_gradient_softmax_minus_one_hot(logits, data):
    label = data.draw(st.integers(min_value=0, max_value=len(logits) - 1))
    leaves = [Value(z) for z in logits]
    loss = cross_entropy(leaves, label)
    total = sum(math.exp(z) for z in logits)
    softmax = [math.exp(z) / total for z in logits]
    assert loss.data == pytest.approx(-math.log(softmax[label]), rel=1e-9, abs=1e-12)
    loss.backward()
    one_hot = [1.0 if k == label else 0.0 for k in range(len(logits))]
    assert [v.grad for v in leaves] == pytest.approx([s - o for s, o in zip(softmax, one_hot)], rel=1e-9, abs=1e-12)


@given(st.lists(small, min_size=1, max_size=5), st.floats(min_value=0.0, max_value=1.0))
def test_l2_is_alpha_times_the_sum_of_squares(params, alpha):
    leaves = [Value(p) for p in params]
    penalty = l2(leaves, alpha=alpha)
    assert penalty.data == pytest.approx(alpha * sum(p * p for p in params), rel=1e-12, abs=1e-12)
    penalty.backward()
    assert [v.grad for v in leaves] == pytest.approx([2 * alpha * p for p in params], rel=1e-12, abs=1e-12)


# --------------------------------------------------------------------------------------
# Survivors of the first mutmut run (tests/README.md) that were real gaps.
# --------------------------------------------------------------------------------------


def test_backward_of_a_leaf_twice_accumulates_its_seed():
    a = Value(5.0)
    a.backward()
    a.backward()
    assert a.grad == 2.0  # a leaf accumulates, even when it is the root


def test_backward_steps_are_numbered_and_name_the_operand_position():
    a = Value(3.0, label="a")
    b = Value(2.0, label="b")
    out = a * b - a  # sub(mul(a, b), a)
    steps = list(backward_steps(out))
    assert [(s.index, s.node.op, s.parent_index, s.parent.label or s.parent.op) for s in steps] == [
        (0, "sub", 0, "mul"),
        (1, "sub", 1, "a"),
        (2, "mul", 0, "a"),
        (3, "mul", 1, "b"),
    ]


def test_a_new_file_gets_the_mode_of_a_normal_new_file(tmp_path):
    mask = os.umask(0o022)
    os.umask(mask)
    path = write_atomically(tmp_path / "new.txt", b"\x00\x01")
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~mask
    assert open(path, "rb").read() == b"\x00\x01"
