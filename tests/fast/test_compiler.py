"""compile_graph: equal to eager at new points, batches, readable and safe source, errors, the demo."""

from __future__ import annotations

import ast
import keyword
import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from autograd_tiny import Value
from autograd_tiny.core.graph import topological_order, value_names
from autograd_tiny.fast.compiler import compile_graph
from tests.core.test_properties import programs, run
from tests.fast.test_compiler_hygiene import check_source

np = pytest.importorskip("numpy")

ERRORS = (ValueError, ZeroDivisionError, OverflowError)

# Every op of the engine, with constants on either side, including ops that leave their
# domain for some inputs (log, sqrt, 1 / x, 0 ** x ...): there the compiled code must raise
# what the engine raises.
UNARY = {
    "neg": lambda x: -x,
    "exp": lambda x: x.exp(),
    "log": lambda x: x.log(),
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "relu": lambda x: x.relu(),
    "sqrt": lambda x: x.sqrt(),
    "abs": lambda x: abs(x),
    "add_c": lambda x: 1.5 + x,
    "sub_c": lambda x: x - 0.5,
    "rsub_c": lambda x: 2 - x,
    "mul_c": lambda x: x * -1.5,
    "div_c": lambda x: x / 4.0,
    "rdiv_c": lambda x: 1 / x,
    "square": lambda x: x**2,
    "root": lambda x: x**0.5,
    "inverse": lambda x: x**-1,
    "rpow": lambda x: 2**x,
    "rpow_0": lambda x: 0.0**x,
}
BINARY = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / y,
    "pow": lambda x, y: x**y,
}
numbers = st.one_of(st.sampled_from([0.0, 1.0, -1.0, 0.5, 2.0]), st.floats(-3.0, 3.0, allow_nan=False))
step = st.one_of(
    st.tuples(st.just(1), st.sampled_from(sorted(UNARY)), st.integers(0, 10**6), st.just(0)),
    st.tuples(st.just(2), st.sampled_from(sorted(BINARY)), st.integers(0, 10**6), st.integers(0, 10**6)),
)
all_ops = st.tuples(st.integers(1, 3), st.lists(step, min_size=1, max_size=10))


def build(program, leaves, keep=None):
    """The program's graph on `leaves`; values may be reused, so leaves get several consumers.

    With `keep` (step numbers), steps the traced root did not use are skipped: an unused
    `1 / x` must not raise at a point where the compiled graph has nothing to refuse.
    """
    nodes = list(leaves)
    for number, (arity, name, i, j) in enumerate(program):
        if keep is not None and number not in keep:
            nodes.append(None)
            continue
        x = nodes[i % len(nodes)]
        nodes.append(UNARY[name](x) if arity == 1 else BINARY[name](x, nodes[j % len(nodes)]))
    root = nodes[-1]
    for extra in nodes[-3:-1]:
        root = root + extra
    return root, nodes[len(leaves) :]


def eager(program, xs, keep):
    """What rebuilding the graph at `xs` and calling backward() gives, or the error it raises."""
    leaves = [Value(x) for x in xs]
    try:
        root, _ = build(program, leaves, keep)
    except ERRORS as error:
        return type(error)
    root.backward()
    return root.data, [leaf.grad for leaf in leaves]


def compiled(f, xs):
    try:
        return f(xs)
    except ERRORS as error:
        return type(error)


def same(a, b):
    """Equal floats, NaN equal to NaN (inf * 0 gives NaN in both)."""
    return a == b or (math.isnan(a) and math.isnan(b))


def trace(program, count, data):
    """Compile the program at a drawn point; also return the steps its root uses."""
    xs = data.draw(st.lists(numbers, min_size=count, max_size=count))
    leaves = [Value(x) for x in xs]
    try:
        root, nodes = build(program, leaves)
    except ERRORS:
        assume(False)
    used = set(topological_order(root))
    return compile_graph(root, leaves), {number for number, node in enumerate(nodes) if node in used}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(all_ops, st.data())
def test_every_op_equals_eager_exactly_at_new_points(case, data):
    count, program = case
    f, keep = trace(program, count, data)
    for _ in range(4):
        point = data.draw(st.lists(numbers, min_size=count, max_size=count))
        expected, got = eager(program, point, keep), compiled(f, point)
        if isinstance(expected, type):  # the engine refuses this point: so must the compiled code
            # (With two ops out of their domain, which one complains first may differ: the
            # engine runs in the order the program was written, compiled code in graph order.)
            assert isinstance(got, type), (point, got, f.source)
            continue
        assert not isinstance(got, type), (point, got, f.source)
        # The same float operations in the same order: equal, not just close.
        assert same(got[0], expected[0])
        assert all(same(g, e) for g, e in zip(got[1], expected[1])), (point, got, expected)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    programs, st.lists(st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=4, max_size=4), min_size=1, max_size=4)
)
def test_random_dags_equal_eager_at_new_points(case, points):
    xs, program = case
    leaves = [Value(x) for x in xs]
    f = compile_graph(run(program, leaves), leaves)
    for point in points:
        point = point[: len(xs)]
        fresh = [Value(x) for x in point]
        root = run(program, fresh)
        root.backward()
        value, grads = f(point)
        assert value == root.data
        assert grads == [leaf.grad for leaf in fresh]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(all_ops, st.data())
def test_batched_evaluation_equals_per_sample(case, data):
    count, program = case
    f, _ = trace(program, count, data)
    samples = data.draw(st.lists(st.lists(numbers, min_size=count, max_size=count), min_size=1, max_size=6))
    shared = data.draw(st.lists(st.booleans(), min_size=count, max_size=count))  # plain numbers broadcast
    batch = [samples[0][k] if shared[k] else np.array([s[k] for s in samples]) for k in range(count)]
    assume(not all(shared))
    points = [[samples[0][k] if shared[k] else s[k] for k in range(count)] for s in samples]
    singles = [compiled(f, point) for point in points]
    errors = {r for r in singles if isinstance(r, type)}
    got = compiled(f, batch)
    if errors:  # some sample is out of a domain: the batch raises what (one of) them raise
        assert got in errors
        return
    values, grads = got
    assert values.shape == (len(samples),) and all(g.shape == (len(samples),) for g in grads)
    for i, (value, single_grads) in enumerate(singles):
        # NumPy's exp/tanh/log/pow may differ from math's in the last bit, and a chain of ops
        # can magnify that (hypothesis found 6e-12 through rpow and div at x = -1e-5): compare to
        # 1e-9, far below any wrong rule's error and far above rounding.
        assert values[i] == pytest.approx(value, rel=1e-9, abs=1e-12, nan_ok=True)
        for g, s in zip(grads, single_grads):
            assert g[i] == pytest.approx(s, rel=1e-9, abs=1e-12, nan_ok=True)


def test_scalars_broadcast_in_a_batch():
    x, w = Value(1.0, label="x"), Value(2.0, label="w")
    f = compile_graph((x * w).relu(), [x, w])
    values, (gx, gw) = f([np.array([-1.0, 0.5, 2.0]), 3.0])
    assert values.tolist() == [0.0, 1.5, 6.0]
    assert gx.tolist() == [0.0, 3.0, 3.0]  # relu's derivative is a mask, per sample
    assert gw.tolist() == [0.0, 0.5, 2.0]
    assert f.forward([np.array([-1.0, 0.5, 2.0]), 3.0]).tolist() == [0.0, 1.5, 6.0]


def test_a_batch_of_scalar_parameters_only_still_has_one_entry_per_sample():
    w = Value(2.0, label="w")
    x = Value(1.0, label="x")
    f = compile_graph(w * w + x, [w, x])  # w * w does not depend on the batch
    values, (gw, gx) = f([3.0, np.array([1.0, 2.0])])
    assert values.tolist() == [10.0, 11.0] and gw.tolist() == [6.0, 6.0] and gx.tolist() == [1.0, 1.0]


def test_batch_results_are_fresh_arrays():
    a, b, x = Value(1.0), Value(2.0), Value(3.0)
    f = compile_graph((a + b) * x, [a, b, x])  # grad_a and grad_b are the same expression
    xs = np.array([1.0, 2.0])
    values, (ga, gb, gx) = f([1.0, 2.0, xs])
    ga[0] = 100.0  # changing one result changes nothing else
    assert gb.tolist() == [1.0, 2.0] and xs.tolist() == [1.0, 2.0] and gx.tolist() == [3.0, 3.0]
    same = compile_graph(x, [x])  # the root is the input itself
    values, (g,) = same([xs])
    values[0] = 7.0
    assert xs.tolist() == [1.0, 2.0] and g.tolist() == [1.0, 1.0]


# ----------------------------------------------------------------------------- the source


def test_source_is_readable_one_line_per_node():
    x, w, b = Value(1.0, label="x"), Value(0.5, label="w"), Value(0.1, label="b")
    y = (w * x + b).tanh()
    y.label = "y"
    f = compile_graph(y, [x, w, b])
    lines = f.source.splitlines()
    assert lines[0] == "def compiled(x, w, b):"
    assert lines[1:5] == [
        "    # forward pass: one line per value",
        "    t1 = w * x  # w · x",
        "    t2 = t1 + b  # t1 + b",
        "    y = _tanh(t2)  # tanh(t2)",
    ]
    assert "    grad_t2 = (1.0 - y * y) * grad_y  # ∂y/∂t2 = (1 − y²) · grad_y" in lines
    assert "    grad_w = x * grad_t1  # ∂y/∂w = ∂t1/∂w₍₁₎ · ∂y/∂t1 = (x) · grad_t1" in lines
    assert lines[-1] == "    return y, [grad_x, grad_w, grad_b]"


def test_fan_out_accumulates_in_backward_order_and_says_so():
    a = Value(3.0, label="a")
    b = a * a + a
    f = compile_graph(b, [a])
    backward = [line.strip() for line in f.source.splitlines() if line.strip().startswith("grad_a")]
    assert backward == [
        "grad_a = grad_out  # ∂out/∂a = (1) · grad_out",
        "grad_a = grad_a + a * grad_t1  # ∂out/∂a += ∂t1/∂a₍₁₎ · ∂out/∂t1 = (a) · grad_t1",
        "grad_a = grad_a + a * grad_t1  # ∂out/∂a += ∂t1/∂a₍₂₎ · ∂out/∂t1 = (a) · grad_t1",
    ]
    assert f([3.0]) == (12.0, [7.0])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(all_ops, st.data(), st.lists(st.text(max_size=8), max_size=30))
def test_source_has_one_forward_line_per_node_named_like_value_names(case, data, labels):
    count, program = case
    xs = data.draw(st.lists(numbers, min_size=count, max_size=count))
    leaves = [Value(x) for x in xs]
    try:
        root, _ = build(program, leaves)
    except ERRORS:
        return
    order = topological_order(root)
    for node, label in zip(order, labels):  # any text at all, even code
        node.label = label
    inputs = leaves[:-1] if len(leaves) > 1 else leaves  # the other leaves become constants
    f = compile_graph(root, inputs)
    tree = ast.parse(f.source)
    body = tree.body[0].body
    assigned = [s.targets[0].id for s in body if isinstance(s, ast.Assign) and not s.targets[0].id.startswith("grad_")]
    names = value_names(order)
    expected_nodes = [n for n in order if n not in set(inputs)]
    assert len(assigned) == len(expected_nodes)  # one forward line per node, in topological order
    assert len(set(assigned)) == len(assigned)
    for variable, node in zip(assigned, expected_nodes):
        name = names[node]
        if (
            name.isidentifier()
            and name.isascii()
            and not keyword.iskeyword(name)
            and not name.startswith(("_", "grad_"))
        ):
            assert variable == name or variable.startswith(name + "_")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=12), min_size=3, max_size=3))
def test_no_label_text_reaches_the_code(labels):
    a, b, k = Value(1.5), Value(-2.0), Value(0.25)
    a.label, b.label, k.label = labels
    root = (a * b + k).tanh() - b.exp() / a
    root.label = labels[0]
    f = compile_graph(root, [a, b])
    # Straight-line arithmetic on names, float literals and our helpers, one-line comments:
    # nothing a label could smuggle in (the whitelist lives with the hostile-label tests).
    check_source(f.source)
    value, _ = f([1.5, -2.0])
    assert value == root.data


def test_labels_become_safe_unique_names():
    a = Value(1.0, label="import os; os.system('x')\n#")
    b = Value(2.0, label="a b")
    c = Value(3.0, label="a_b")
    d = Value(4.0, label="α")
    e = Value(5.0, label="grad_a")
    g = Value(6.0, label="lambda")
    f = compile_graph(a * b + c * d + e * g, [a, b, c, d, e, g])
    assert f.source.splitlines()[0] == ("def compiled(import_os__os_system__x____, a_b, a_b_2, α, v_grad_a, v_lambda):")
    assert f([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])[0] == 44.0


def test_constants_and_other_leaves_are_frozen():
    x, k = Value(2.0, label="x"), Value(3.0, label="k")
    f = compile_graph(x * k + 1, [x])
    assert "    k = 3.0  # constant" in f.source.splitlines()
    k.data = 100.0  # changing it after compiling changes nothing
    assert f([5.0]) == (16.0, [3.0])


def test_special_constants_have_safe_literals():
    x = Value(1.0, label="x")
    inf, nan, minus_zero = Value(math.inf, label="big"), Value(0.0, label="z"), Value(-0.0, label="mz")
    nan.data = math.nan  # Value() refuses NaN, but data can be set
    f = compile_graph(x * inf + x * minus_zero - x * -1e-300 + (x + nan) * 0, [x])
    assert "big = _inf" in f.source and "z = _nan" in f.source and "mz = (-0.0)" in f.source
    assert "x * (-1e-300)" in f.source
    value, (grad,) = f([2.0])
    assert math.isnan(value) and grad == math.inf  # nan * 0 reaches the value; x's gradient is inf + ...


def test_inputs_outside_the_graph_get_zero():
    x, unused = Value(1.0), Value(2.0)
    f = compile_graph(x * 2, [x, unused])
    assert f([3.0, 9.0]) == (6.0, [2.0, 0.0])
    values, grads = f([np.array([1.0, 2.0]), 0.0])
    assert values.tolist() == [2.0, 4.0] and [g.tolist() for g in grads] == [[2.0, 2.0], [0.0, 0.0]]


def test_the_traced_branch_is_frozen_but_kinks_are_not():
    x = Value(2.0)
    frozen = compile_graph(x if x.data > 0 else -x, [x])
    assert frozen([-3.0]) == (-3.0, [1.0])
    assert compile_graph(abs(x), [x])([-3.0]) == (3.0, [-1.0])


# ----------------------------------------------------------------------------- errors


def test_domain_errors_are_raised_not_nan():
    x = Value(1.0)
    f = compile_graph(x.log(), [x])
    with pytest.raises(ValueError, match=r"log is undefined for x = -1\.0"):
        f([-1.0])
    with pytest.raises(ValueError, match=r"log is undefined for x = -1\.0 in sample 1 \(and 1 more\)"):
        f([np.array([1.0, -1.0, 0.0])])
    g = compile_graph(1 / x, [x])
    with pytest.raises(ZeroDivisionError, match=r"^division by zero: 1\.0 / 0\.0 \(divisor is 0\)$"):
        g([0.0])
    with pytest.raises(ZeroDivisionError, match="in sample 2"):
        g([np.array([1.0, 2.0, 0.0])])
    h = compile_graph(x.exp(), [x])
    for values in ([800.0], [np.array([1.0, 800.0])]):
        with pytest.raises(OverflowError, match=r"exp overflows for x = 800\.0"):
            h(values)


def test_pow_with_a_value_exponent_refuses_what_the_engine_refuses():
    a, b = Value(2.0), Value(3.0)
    f = compile_graph(a**b, [a, b])
    cases = (
        ([0.0, 0.0], ZeroDivisionError, r"pow is undefined for 0\.0 \*\* 0\.0", r"\(needs exponent > 0\)"),
        ([-1.0, 2.0], ValueError, r"pow with a Value exponent needs base > 0 \(got base -1\.0", r"\)"),
        ([0.0, -1.0], ZeroDivisionError, r"pow is undefined for 0\.0 \*\* -1\.0", r"\(needs exponent > 0\)"),
    )
    for values, error, start, end in cases:
        with pytest.raises(error, match=f"^{start} ?{end}"):
            Value(values[0]) ** Value(values[1])
        with pytest.raises(error, match=f"^{start} ?{end}"):
            f(values)
        with pytest.raises(error, match=f"^{start} ?{end}"):
            f.forward(values)
        # Batches name the sample: the bad value is at index 1.
        with pytest.raises(error, match=f"^{start} in sample 1 ?{end}"):
            f([np.array([1.0, values[0]]), values[1]])
    assert f([0.0, 2.0]) == (0.0, [0.0, 0.0])


def test_numpy_scalars_and_zero_d_arrays_are_numbers():
    x = Value(1.0)
    f = compile_graph(x * x, [x])
    assert f([np.float32(2.0)]) == (4.0, [4.0])
    assert f([np.array(3.0)]) == (9.0, [6.0])


@pytest.mark.parametrize(
    "values, error, message",
    [
        ([1.0], ValueError, "expected 2 values"),
        ([1.0, 2.0, 3.0], ValueError, "expected 2 values"),
        ([np.zeros(3), np.zeros(4)], ValueError, "same length"),
        ([np.zeros((2, 2)), 1.0], ValueError, "1-D"),
        (["1", 2.0], TypeError, r"^value 0 must be a number, got str '1'; pass a number or a 1-D NumPy array$"),
        ([[1.0, 2.0], 2.0], TypeError, r"^value 0 must be a number, got list \[1\.0, 2\.0\]; pass a number or a 1-D"),
        ([True, 2.0], TypeError, r"^value 0 must be a number, got bool True; pass a number or a 1-D NumPy array$"),
        ([np.array(["a", "b"]), np.zeros(2)], TypeError, "arrays of numbers"),
        ([math.nan, 1.0], ValueError, "NaN"),
        ([np.array([1.0, math.nan]), 1.0], ValueError, "NaN in sample 1"),
        ("ab", TypeError, "list with one number"),
    ],
)
def test_bad_values(values, error, message):
    a, b = Value(1.0), Value(2.0)
    f = compile_graph(a * b, [a, b])
    with pytest.raises(error, match=message):
        f(values)


def test_bad_arguments():
    a = Value(1.0)
    with pytest.raises(TypeError, match="needs a Value as root"):
        compile_graph(1.0, [a])
    with pytest.raises(TypeError, match="list of Values"):
        compile_graph(a * 2, a)
    with pytest.raises(TypeError, match="must be Values"):
        compile_graph(a * 2, [1.0])
    with pytest.raises(ValueError, match="must be leaves"):
        compile_graph(a * 2, [a * 2])
    with pytest.raises(ValueError, match="listed twice"):
        compile_graph(a * 2, [a, a])


def test_pure_floats_work_without_numpy(block_import):
    block_import("numpy")
    x = Value(0.5)
    f = compile_graph(x.sigmoid() * x, [x])
    value, (grad,) = f([0.5])
    s = 1 / (1 + math.exp(-0.5))
    assert value == pytest.approx(s * 0.5) and grad == pytest.approx(s + 0.5 * s * (1 - s))
    assert f.forward([0.5]) == value


# ----------------------------------------------------------------------------- training


def test_full_batch_graph_equals_eager_backward():
    # The whole loss (every sample unrolled) compiled with the parameters as inputs.
    from autograd_tiny import MLP, hinge, l2, make_moons

    X, y = make_moons(n=20, seed=3)
    model = MLP(2, [4, 4, 1], seed=3)
    params = model.parameters()

    def loss():
        return hinge([model(x) for x in X], y) + l2(params, 1e-4)

    f = compile_graph(loss(), params)
    new = [p.data * 0.9 + 0.01 for p in params]
    for p, v in zip(params, new):
        p.data = v
    model.zero_grad()
    eager_loss = loss()
    eager_loss.backward()
    value, grads = f(new)
    assert value == eager_loss.data
    assert grads == [p.grad for p in params]


def test_compiled_demo_matches_the_eager_trajectory():
    from autograd_tiny.app.demo import train

    eager_run = train(steps=25, n=40, hidden=[8, 8])
    compiled_run = train(steps=25, n=40, hidden=[8, 8], compiled=True)
    assert compiled_run.losses == pytest.approx(eager_run.losses, rel=1e-9, abs=1e-12)
    assert compiled_run.accuracies == eager_run.accuracies
    assert [p.data for p in compiled_run.model.parameters()] == pytest.approx(
        [p.data for p in eager_run.model.parameters()], rel=1e-9, abs=1e-12
    )


def test_compiled_demo_refuses_spirals():
    from autograd_tiny.app.demo import train

    with pytest.raises(ValueError, match="two-class datasets"):
        train(steps=1, n=30, hidden=[4], dataset="spirals", compiled=True)
