"""compile_graph writes only what it wrote itself: numbers it formatted, sanitized names and comments."""

from __future__ import annotations

import ast
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_tiny import Value
from autograd_tiny.core.ops import escape_code
from autograd_tiny.fast.compiler import _comment, _literal, _plain_float, compile_graph

np = pytest.importorskip("numpy")

# Straight-line arithmetic on names, float literals and our helpers: nothing else may appear.
ALLOWED = (
    ast.Module,
    ast.FunctionDef,
    ast.arguments,
    ast.arg,
    ast.Assign,
    ast.Return,
    ast.Name,
    ast.Load,
    ast.Store,
    ast.Constant,
    ast.BinOp,
    ast.UnaryOp,
    ast.Call,
    ast.Tuple,
    ast.List,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.USub,
)
HELPERS = {"_div", "_exp", "_tanh", "_log", "_pow", "_pow_slope", "_pow_log", "_relu", "_step"}
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x00"


def check_source(source: str) -> None:
    """The source parses, has only whitelisted nodes, float constants, our helpers, one-line comments."""
    for node in ast.walk(ast.parse(source)):
        assert isinstance(node, ALLOWED), ast.dump(node)
        if isinstance(node, ast.Constant):
            assert type(node.value) is float
        if isinstance(node, ast.Call):
            assert node.func.id in HELPERS
        if isinstance(node, ast.Name):
            assert node.id.isidentifier() and not node.id.startswith("__")
    for line in source.splitlines():  # str.splitlines splits at every Unicode line break
        assert line.startswith(("def compiled(", "    "))
    assert not any(c in source for c in LINE_BREAKS.replace("\n", ""))


# Labels made of anything: surrogates, control characters, line separators, quotes, code.
hostile_text = st.text(
    alphabet=st.one_of(st.characters(blacklist_categories=()), st.sampled_from(LINE_BREAKS + "#'\"\\()")),
    max_size=12,
)


@settings(max_examples=80, deadline=None)
@given(st.lists(hostile_text, min_size=4, max_size=4))
def test_hostile_labels_give_source_with_only_whitelisted_nodes(labels):
    a, b, k = Value(1.5), Value(-2.0), Value(0.25)
    a.label, b.label, k.label = labels[:3]
    root = ((a * b + k).tanh() - b.exp() / a + (k**2).log()) * -math.inf
    root.label = labels[3]
    f = compile_graph(root, [a, b])
    check_source(f.source)
    value, _grads = f([1.5, -2.0])
    assert value == root.data  # the same numbers as the eager graph


def test_a_float_subclass_repr_never_reaches_the_source():
    class Evil(float):
        def __repr__(self):
            return '__import__("os").system("echo pwned")'

        def __format__(self, spec):
            return "1\nimport os"

    x, k = Value(1.0, label="x"), Value(0.0, label="k")
    k.data = Evil(2.0)
    f = compile_graph(x * k, [x])
    check_source(f.source)
    assert "    k = 2.0  # constant" in f.source.splitlines()
    assert f([3.0]) == (6.0, [2.0])


def test_a_float_subclass_constant_operand_is_formatted_by_us():
    class Evil(float):
        def __repr__(self):
            return "__import__('os')"

    x = Value(1.0, label="x")
    y = x * 3.0
    y.const = Evil(3.0)  # const is normally a plain float; set by hand here
    f = compile_graph(y, [x])
    check_source(f.source)
    assert "    out = x * 3.0  # x · 3" in f.source.splitlines()


@pytest.mark.parametrize(
    "number",
    [
        np.float16(0.5),
        np.float32(0.5),
        np.float64(0.5),
        np.longdouble(0.5),
        np.int8(1) / np.int8(2),
        np.array(0.5),
        np.float64(0.5).astype(np.float32),
    ],
)
def test_numpy_scalars_in_data_compile(number):
    """Weights copied from an array: `v.data = arr[i]` kept a NumPy scalar (NameError 'np' before)."""
    x, w = Value(2.0, label="x"), Value(0.0, label="w")
    w.data = number
    f = compile_graph(x * w, [x])
    assert "    w = 0.5  # constant" in f.source.splitlines()
    assert f([4.0]) == (2.0, [0.5])


@pytest.mark.parametrize(
    "number, shown",
    [(np.int64(3), "3.0"), (np.uint8(200), "200.0"), (np.bool_(True), "1.0"), (7, "7.0"), (True, "1.0")],
)
def test_integer_data_is_written_as_a_float(number, shown):
    x, w = Value(2.0, label="x"), Value(0.0, label="w")
    w.data = number
    f = compile_graph(x * w, [x])
    assert f"    w = {shown}  # constant" in f.source.splitlines()
    assert type(f([1.0])[0]) is float


def test_numpy_scalar_from_the_engine_is_a_plain_float():
    assert type(Value(np.float32(0.5)).data) is float


@pytest.mark.parametrize(
    "data, error, message",
    [
        (
            "2.0",
            TypeError,
            r"^the value of w \(a constant: a leaf not in inputs\) must be a number \(an int, a float "
            r"or a NumPy number\), got str; set it with float\(\.\.\.\)$",
        ),
        (Fraction(1, 2), TypeError, "got Fraction"),
        (np.complex128(1 + 2j), TypeError, "got complex128"),
        (np.array([1.0, 2.0]), TypeError, "got ndarray"),
        (
            10**400,
            ValueError,
            r"^the value of w .* is an integer too large for a float \(401 digits\); "
            r"use a number below 1\.8e308$",
        ),
    ],
)
def test_other_data_is_refused(data, error, message):
    x, w = Value(2.0, label="x"), Value(0.0, label="w")
    root = x * w
    w.data = data  # set after building: the engine itself refuses these
    with pytest.raises(error, match=message):
        compile_graph(root, [x])


def test_infinite_constants_keep_their_sign():
    x = Value(1.0, label="x")
    minus, plus = Value(-math.inf, label="m"), Value(math.inf, label="p")
    root = x * minus + -minus * x - x * -math.inf + plus
    f = compile_graph(root, [x])
    lines = f.source.splitlines()
    assert "    m = (-_inf)  # constant" in lines and "    p = _inf  # constant" in lines
    assert "    t5 = x * (-_inf)  # x · -inf" in lines
    assert "    grad_x = (-_inf) * grad_t5  # ∂out/∂x = ∂t5/∂x₍₁₎ · ∂out/∂t5 = (-inf) · grad_t5" in lines
    check_source(f.source)
    # At x = 2: -inf + inf - (-inf) + inf = nan, as eager; x's gradient: -inf·(-1) + -inf... = nan too.
    assert all(math.isnan(v) for v in (root.data, f([2.0])[0], f([2.0])[1][0]))
    g = compile_graph(-(x * minus), [x])  # -(x · -inf) at x = 2 is +inf, its gradient +inf
    assert g([2.0]) == (math.inf, [math.inf])


def test_minus_inf_gradient_through_a_constant():
    x, m = Value(1.0, label="x"), Value(-math.inf, label="m")
    f = compile_graph(x * m, [x])
    assert f([2.0]) == (-math.inf, [-math.inf])
    values, (grads,) = f([np.array([1.0, -1.0])])
    assert values.tolist() == [-math.inf, math.inf] and grads.tolist() == [-math.inf, -math.inf]


def test_literals_round_trip_exactly():
    for x in (0.1, -0.0, 5e-324, -1.7976931348623157e308, 1e16, 2.5):
        assert eval(_literal(x)) == x and math.copysign(1, eval(_literal(x))) == math.copysign(1, x)
    with pytest.raises(TypeError, match="internal error: float64 reached the code generator"):
        _literal(np.float64(1.0))


def test_plain_float_reads_the_stored_number_not_the_subclass_methods():
    class Liar(float):
        def __float__(self):
            return 99.0

    class BigInt(int):
        def __float__(self):
            return 99.0

    assert _plain_float(Liar(1.5), "x") == 1.5 and type(_plain_float(Liar(1.5), "x")) is float
    assert _plain_float(BigInt(3), "x") == 3.0


@pytest.mark.parametrize(
    "text",
    [
        "a\nb",
        "a\rb",
        "a\x0bb",
        "a\x0cb",
        "a\x1cb",
        "a\x1db",
        "a\x1eb",
        "a\x85b",
        "a\u2028b",
        "a\u2029b",
        "a\x00b",
        "a\ud800b",
    ],
)
def test_comments_stay_on_one_line(text):
    middle = text[1]
    assert _comment(text) == "# a" + escape_code(middle) + "b"  # shown as an escape, never passed on
    assert len(_comment(text).splitlines()) == 1 and middle not in _comment(text)


@pytest.mark.parametrize(
    "values, message",
    [
        (
            {"x": 1.0, "y": 2.0},
            r"got a dict \(values are passed by position, not by name\); e\.g\. f\(\[2\.0, 0\.5\]\)",
        ),
        ({0: 1.0, 1: 2.0}, r"got a dict"),
        ("12", r"in the order of `inputs`, got str"),
        (b"12", r"got bytes"),
        ({1.0, 2.0}, r"got set"),
        (iter([1.0, 2.0]), r"got list_iterator"),
        (3.0, r"got float"),
    ],
)
def test_call_refuses_unordered_or_non_list_values(values, message):
    a, b = Value(1.0), Value(2.0)
    f = compile_graph(a * b, [a, b])
    with pytest.raises(TypeError, match=message):
        f(values)
    with pytest.raises(TypeError, match=message):
        f.forward(values)


def test_call_refuses_ragged_lists():
    a, b = Value(1.0), Value(2.0)
    f = compile_graph(a * b, [a, b])
    with pytest.raises(
        TypeError, match=r"^value 0 must be a number, got list \[1\.0, 2\.0\]; pass a number or a 1-D NumPy array$"
    ):
        f([[1.0, 2.0], [3.0]])
    with pytest.raises(ValueError, match=r"same length .* got shapes \[\(2,\), \(3,\)\]"):
        f([np.zeros(2), np.zeros(3)])


def test_a_one_d_array_of_values_and_a_tuple_are_accepted():
    a, b = Value(1.0), Value(2.0)
    f = compile_graph(a * b, [a, b])
    assert f(np.array([3.0, 4.0])) == (12.0, [4.0, 3.0])
    assert f((3.0, 4.0)) == (12.0, [4.0, 3.0])


# --------------------------------------------------------------------------------------
# Generated names never collide, and compiled numbers keep eager's signs (issue 19)
# --------------------------------------------------------------------------------------


def test_op_names_that_look_like_helper_names_compile_to_their_own_functions():
    from autograd_tiny import define_op

    f = define_op("hyg", lambda x: 3 * x, [lambda x, out: 3.0])
    f_d0 = define_op("hyg_d0", lambda x: x * x, [lambda x, out: 2 * x])
    x = Value(2.0, label="x")
    root = f(x) + f_d0(x)
    root.backward()
    assert (root.data, x.grad) == (10.0, 7.0)
    compiled = compile_graph(root, [x])
    assert compiled([2.0]) == (10.0, [7.0])
    assert compiled([np.array([2.0, -1.0])])[1][0].tolist() == [7.0, 1.0]


def test_two_versions_of_one_op_in_a_graph_get_two_names():
    from autograd_tiny import define_op

    x = Value(1.0, label="x")
    old = define_op("hyg_v", lambda x: 2 * x, [lambda x, out: 2.0])(x)
    new = define_op("hyg_v", lambda x: 5 * x, [lambda x, out: 5.0])(x)
    f = compile_graph(old * new, [x])
    assert f([1.0]) == (10.0, [20.0])
    assert "_op1_hyg_v(x)" in f.source and "_op2_hyg_v(x)" in f.source


def eager(build, xs):
    values = [Value(x) for x in xs]
    root = build(*values)
    root.backward()
    return root.data, [v.grad for v in values]


def signs(numbers):
    return [math.copysign(1.0, x) for x in numbers]


@pytest.mark.parametrize(
    "build, xs",
    [
        (lambda x: x * -0.0, [1.0]),
        (lambda x: x * -0.0, [-1.0]),
        (lambda x: x * x, [-0.0]),
        (lambda x, y: x * y, [-0.0, 0.0]),
        (lambda x, y: x * y + x * -0.0, [0.0, -0.0]),
        (lambda x: (x * -0.0).tanh() * 2.0, [3.0]),
        (lambda x: -(x * 0.0), [1.0]),
        (lambda x: x.relu(), [-0.0]),
    ],
)
def test_compiled_gradients_keep_the_sign_of_zero_as_eager(build, xs):
    value, grads = eager(build, xs)
    points = [Value(x, label=f"x{i}") for i, x in enumerate(xs)]
    f = compile_graph(build(*points), points)
    c_value, c_grads = f(xs)
    assert (c_value, c_grads) == (value, grads)
    assert signs([c_value, *c_grads]) == signs([value, *grads])
    arrays = f([np.array([x, x]) for x in xs])
    assert signs([arrays[0][0], *(g[0] for g in arrays[1])]) == signs([value, *grads])
    # The mean of a batch's gradients (its root's mean is a sum, which starts at 0.0 as Python's sum does).
    assert signs(f([np.array([x]) for x in xs], reduce="mean")[1]) == signs(grads)
