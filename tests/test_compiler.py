"""compile_graph: equal to eager at new points, batches, readable source, errors, the demo."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from autograd_tiny import Value
from autograd_tiny.compiler import compile_graph
from tests.test_properties import programs, run

np = pytest.importorskip("numpy")


def eager(program, xs):
    leaves = [Value(x) for x in xs]
    root = run(program, leaves)
    root.backward()
    return root.data, [leaf.grad for leaf in leaves]


def close(a, b):
    return a == pytest.approx(b, rel=1e-12, abs=1e-12)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs, st.lists(st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=4, max_size=4), min_size=1, max_size=4))
def test_random_dags_equal_eager_at_new_points(case, points):
    xs, program = case
    leaves = [Value(x) for x in xs]
    f = compile_graph(run(program, leaves), leaves)
    for point in points:
        point = point[: len(xs)]
        try:
            expected = eager(program, point)
        except (ValueError, ZeroDivisionError, OverflowError):
            continue
        # A kink (relu, abs) exactly at 0 is where tracing and eager agree anyway; skip inf.
        assume(math.isfinite(expected[0]))
        value, grads = f(point)
        assert close(value, expected[0])
        assert all(close(g, e) for g, e in zip(grads, expected[1]))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs, st.integers(0, 2**31))
def test_batched_evaluation_equals_per_sample(case, seed):
    xs, program = case
    leaves = [Value(x) for x in xs]
    f = compile_graph(run(program, leaves), leaves)
    rng = np.random.default_rng(seed)
    batch = [rng.uniform(-2, 2, size=7) for _ in xs]
    try:
        singles = [f([float(column[i]) for column in batch]) for i in range(7)]
    except (ValueError, ZeroDivisionError, OverflowError):
        return
    values, grads = f(batch)
    assert values.shape == (7,) and all(g.shape == (7,) for g in grads)
    for i, (value, single_grads) in enumerate(singles):
        assert values[i] == pytest.approx(value, rel=1e-12, abs=1e-12)
        for g, s in zip(grads, single_grads):
            assert g[i] == pytest.approx(s, rel=1e-12, abs=1e-12)


def test_scalars_broadcast_in_a_batch():
    x, w = Value(1.0, label="x"), Value(2.0, label="w")
    f = compile_graph((x * w).relu(), [x, w])
    values, (gx, gw) = f([np.array([-1.0, 0.5, 2.0]), 3.0])
    assert values.tolist() == [0.0, 1.5, 6.0]
    assert gx.tolist() == [0.0, 3.0, 3.0]  # relu's derivative is a mask, per sample
    assert gw.tolist() == [0.0, 0.5, 2.0]


def test_source_is_readable_one_line_per_node():
    x, w, b = Value(1.0, label="x"), Value(0.5, label="w"), Value(0.1, label="b")
    y = (w * x + b).tanh()
    y.label = "y"
    f = compile_graph(y, [x, w, b])
    lines = f.source.splitlines()
    assert lines[0] == "def compiled(x, w, b):"
    forward = [l for l in lines if "=" in l and not l.strip().startswith(("#", "grad_", "return"))]
    assert [l.split(" = ")[0].strip() for l in forward] == ["t1", "t2", "y"]
    assert "    y = _tanh(t2)  # tanh(t2)" in lines
    assert "    grad_t2 = (1.0 - y * y) * grad_y  # ∂y/∂t2 = ∂y/∂t2 · ∂y/∂y = (1 − y²) · grad_y" in lines
    assert lines[-1] == "    return y, [grad_x, grad_w, grad_b]"
    compile(f.source, "<test>", "exec")


def test_constants_and_other_leaves_are_frozen():
    x, k = Value(2.0, label="x"), Value(3.0, label="k")
    f = compile_graph(x * k + 1, [x])
    assert "k = 3.0  # constant" in f.source
    k.data = 100.0  # changing it after compiling changes nothing
    assert f([5.0]) == (16.0, [3.0])


def test_odd_labels_become_safe_names():
    a = Value(1.0, label="import os; os.system('x')\n#")
    b = Value(2.0, label="a b")
    c = Value(3.0, label="a_b")
    f = compile_graph(a * b + c, [a, b, c])
    assert "os.system" not in f.source.replace("import_os__os_system", "")
    assert f([1.0, 2.0, 3.0])[0] == 5.0
    assert "a_b_2" in f.source


def test_inputs_outside_the_graph_get_zero():
    x, unused = Value(1.0), Value(2.0)
    f = compile_graph(x * 2, [x, unused])
    assert f([3.0, 9.0]) == (6.0, [2.0, 0.0])


def test_domain_errors_are_raised_not_nan():
    x = Value(1.0)
    f = compile_graph(x.log(), [x])
    with pytest.raises(ValueError, match="log is undefined"):
        f([-1.0])
    with pytest.raises(ValueError, match="log is undefined"):
        f([np.array([1.0, -1.0])])
    g = compile_graph(1 / x, [x])
    with pytest.raises(ZeroDivisionError):
        g([0.0])


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda f: f([1.0]), ValueError, "expected 2 values"),
        (lambda f: f([np.zeros(3), np.zeros(4)]), ValueError, "same length"),
        (lambda f: f(["1", 2.0]), TypeError, "numbers or NumPy arrays"),
    ],
)
def test_bad_values(call, error, message):
    a, b = Value(1.0), Value(2.0)
    with pytest.raises(error, match=message):
        call(compile_graph(a * b, [a, b]))


def test_bad_arguments():
    a = Value(1.0)
    with pytest.raises(TypeError):
        compile_graph(1.0, [a])
    with pytest.raises(ValueError, match="must be leaves"):
        compile_graph(a * 2, [a * 2])
    with pytest.raises(ValueError, match="listed twice"):
        compile_graph(a * 2, [a, a])


def test_pure_floats_work_without_numpy(block_import):
    x = Value(0.5)
    f = compile_graph(x.sigmoid() * x, [x])
    block_import("numpy")
    value, (grad,) = f([0.5])
    s = 1 / (1 + math.exp(-0.5))
    assert value == pytest.approx(s * 0.5) and grad == pytest.approx(s + 0.5 * s * (1 - s))


def test_compiled_demo_matches_the_eager_trajectory():
    from autograd_tiny.demo import train

    eager_run = train(steps=25, n=40, hidden=[8, 8])
    compiled_run = train(steps=25, n=40, hidden=[8, 8], compiled=True)
    assert compiled_run.losses == pytest.approx(eager_run.losses, rel=1e-9, abs=1e-12)
    assert compiled_run.accuracies == eager_run.accuracies
    assert [p.data for p in compiled_run.model.parameters()] == pytest.approx(
        [p.data for p in eager_run.model.parameters()], rel=1e-9, abs=1e-12
    )


def test_compiled_demo_refuses_spirals():
    from autograd_tiny.demo import train

    with pytest.raises(ValueError, match="two-class datasets"):
        train(steps=1, n=30, hidden=[4], dataset="spirals", compiled=True)
