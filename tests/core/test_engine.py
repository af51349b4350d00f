"""The engine: every op's value and local derivatives, bad input, and the backward rules."""

from __future__ import annotations

import math
import operator

import pytest

from autograd_tiny import Value, no_grad
from autograd_tiny.core.value import RULES, is_grad_enabled, operands

# --------------------------------------------------------------------------------------
# Every op, as a function of Values, with points inside its domain.
# Each entry: op name -> (function, list of argument tuples).
# --------------------------------------------------------------------------------------

OPS = {
    "add": (lambda a, b: a + b, [(2.0, -3.0), (0.5, 0.25)]),
    "sub": (lambda a, b: a - b, [(2.0, -3.0), (-1.5, 4.0)]),
    "mul": (lambda a, b: a * b, [(2.0, -3.0), (0.5, 8.0)]),
    "div": (lambda a, b: a / b, [(2.0, -3.0), (-1.0, 0.5)]),
    "pow": (lambda a, b: a**b, [(2.0, 1.5), (0.7, -2.0)]),
    "neg": (lambda a: -a, [(2.0,), (-0.3,)]),
    "exp": (lambda a: a.exp(), [(0.5,), (-2.0,)]),
    "log": (lambda a: a.log(), [(0.5,), (3.0,)]),
    "tanh": (lambda a: a.tanh(), [(0.5,), (-1.2,)]),
    "sigmoid": (lambda a: a.sigmoid(), [(0.5,), (-1.2,)]),
    "relu": (lambda a: a.relu(), [(0.5,), (-1.2,)]),
    "sqrt": (lambda a: a.sqrt(), [(0.5,), (4.0,)]),
    "abs": (lambda a: abs(a), [(0.5,), (-1.2,)]),
    # max and min away from ties (there the slope jumps; tests/core/test_max_min.py holds the ties).
    "max": (lambda a, b: a.max(b), [(2.0, -3.0), (-1.5, 4.0)]),
    "min": (lambda a, b: a.min(b), [(2.0, -3.0), (-1.5, 4.0)]),
    # A plain number on the left makes the reflected ops.
    "rsub": (lambda a: 3.0 - a, [(2.0,), (-0.5,)]),
    "rdiv": (lambda a: 3.0 / a, [(2.0,), (-0.5,)]),
    "rpow": (lambda a: 3.0**a, [(2.0,), (-0.5,)]),
}

# Constants on the right go through the same ops.
CONSTANT_OPS = {
    "add": (lambda a: a + 2.5, [(1.0,)]),
    "sub": (lambda a: a - 2.5, [(1.0,)]),
    "mul": (lambda a: a * 2.5, [(1.0,)]),
    "div": (lambda a: a / 2.5, [(1.0,)]),
    "pow": (lambda a: a**3, [(1.5,), (-2.0,)]),
    "max": (lambda a: a.max(2.5), [(1.0,), (3.0,)]),
    "min": (lambda a: a.min(2.5), [(1.0,), (3.0,)]),
}


def numeric_partials(f, args, eps=1e-6):
    """Central differences of f's data with respect to each argument."""
    partials = []
    for i in range(len(args)):
        up = list(args)
        down = list(args)
        up[i] += eps
        down[i] -= eps
        plus = f(*[Value(x) for x in up]).data
        minus = f(*[Value(x) for x in down]).data
        partials.append((plus - minus) / (2 * eps))
    return partials


def analytic_partials(f, args):
    leaves = [Value(x) for x in args]
    out = f(*leaves)
    out.backward()
    return [leaf.grad for leaf in leaves]


def derivatives_match(f, args):
    """The op tests' check: backward() agrees with central differences at `args`.

    tests/core/test_rule_checks.py proves this check fails on a wrong rule.
    """
    return analytic_partials(f, args) == pytest.approx(numeric_partials(f, args), rel=1e-6, abs=1e-7)


def test_every_op_is_covered_and_has_formula_text():
    # The registry's other ops (sin, cos, affine) are covered in test_ops_registry.py.
    assert set(OPS) <= set(RULES)
    for name in OPS:
        rule = RULES[name]
        assert rule.name == name
        assert rule.symbol and rule.formula
        arity = 2 if "{1}" in rule.formula else 1
        assert len(rule.derivative_formulas) == arity == rule.arity, name
        assert all(d.strip() for d in rule.derivative_formulas), name


@pytest.mark.parametrize("name", sorted(OPS))
def test_local_derivatives_match_finite_differences(name):
    f, points = OPS[name]
    for args in points:
        leaves = [Value(x) for x in args]
        out = f(*leaves)
        assert out.op == name
        assert out.parents == tuple(leaves)
        assert derivatives_match(f, args), (name, args, analytic_partials(f, args), numeric_partials(f, args))


@pytest.mark.parametrize("name", sorted(CONSTANT_OPS))
def test_constant_operands_match_finite_differences(name):
    f, points = CONSTANT_OPS[name]
    for args in points:
        out = f(Value(args[0]))
        assert out.op == name and len(out.parents) == 1
        assert analytic_partials(f, args) == pytest.approx(numeric_partials(f, args), rel=1e-6)


def test_hand_computed_values():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.backward()
    assert (c.data, a.grad, b.grad) == (-6.0, -3.0, 2.0)

    x = Value(0.5)
    y = x.tanh()
    y.backward()
    assert y.data == pytest.approx(0.46211715726000974)
    assert x.grad == pytest.approx(1 - 0.46211715726000974**2)

    x = Value(2.0)
    y = x**3
    y.backward()
    assert (y.data, x.grad) == (8.0, 12.0)

    x = Value(2.0)
    y = 2**x
    y.backward()
    assert y.data == 4.0 and x.grad == pytest.approx(4 * math.log(2))

    x = Value(4.0)
    y = 1 / x
    y.backward()
    assert (y.data, x.grad) == (0.25, -1 / 16)


def test_micrograd_readme_example():
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    assert f"{g.data:.4f}" == "24.7041"
    g.backward()
    assert f"{a.grad:.4f}" == "138.8338"
    assert f"{b.grad:.4f}" == "645.5773"


# --------------------------------------------------------------------------------------
# Attributes and constants
# --------------------------------------------------------------------------------------


def test_leaf_attributes_and_repr():
    v = Value(3, label="x")
    assert isinstance(v.data, float) and v.data == 3.0
    assert (v.grad, v.label, v.op, v.parents, v.const, v.scope) == (0.0, "x", "", (), None, None)
    assert repr(v) == "Value(data=3.0, grad=0.0, label='x')"
    assert repr(Value(1.5)) == "Value(data=1.5, grad=0.0)"
    v.label = "renamed"
    assert v.label == "renamed"


def test_op_outputs_have_fresh_attributes():
    a = Value(2.0)
    out = (a * a).tanh()
    assert (out.grad, out.label, out.scope, out.const) == (0.0, "", None, None)
    out.label = "y"
    assert out.label == "y"


def test_constants_are_recorded_not_wrapped():
    a = Value(3.0, label="a")
    for expr, op, const, order in [
        (a + 2, "add", 2.0, [a, 2.0]),
        (2 + a, "add", 2.0, [a, 2.0]),
        (a * 2, "mul", 2.0, [a, 2.0]),
        (2 * a, "mul", 2.0, [a, 2.0]),
        (a - 2, "sub", 2.0, [a, 2.0]),
        (2 - a, "rsub", 2.0, [2.0, a]),
        (a / 2, "div", 2.0, [a, 2.0]),
        (2 / a, "rdiv", 2.0, [2.0, a]),
        (a**2, "pow", 2.0, [a, 2.0]),
        (2**a, "rpow", 2.0, [2.0, a]),
    ]:
        assert expr.op == op and expr.const == const and expr.parents == (a,)
        assert operands(expr) == order
    # Constants never get a gradient: there is no node for them to live in.
    y = a * 2 + 1
    y.backward()
    assert a.grad == 2.0


def test_a_times_a_has_two_parents_and_gradient_two_a():
    a = Value(3.0)
    b = a * a
    assert b.parents == (a, a)
    b.backward()
    assert a.grad == 6.0


def test_fan_out_gradients_add_up():
    a = Value(1.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0
    assert b.grad == 2.0


def test_rule_text():
    assert RULES["mul"].write(["a", "b"]) == "a · b"
    assert RULES["mul"].derivative(1, ["a", "b"]) == "a"
    assert RULES["tanh"].derivative(0, ["x"], out="y") == "1 − y²"
    assert RULES["rsub"].write(["3", "a"]) == "3 − a"


# --------------------------------------------------------------------------------------
# Bad input: every case gets its documented error and a message that says what to do.
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["3", None, [1.0], {"a": 1}, 1j])
def test_value_rejects_non_numbers(bad):
    with pytest.raises(TypeError, match=type(bad).__name__) as info:
        Value(bad)
    assert "int" in str(info.value) and "float" in str(info.value)


def test_value_of_a_value_says_what_to_do():
    with pytest.raises(TypeError, match=r"use that Value directly"):
        Value(Value(1.0))


def test_value_rejects_nan_and_bad_label():
    with pytest.raises(ValueError, match="NaN"):
        Value(float("nan"))
    with pytest.raises(TypeError, match="label must be a str"):
        Value(1.0, label=3)


@pytest.mark.parametrize("op", [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow])
def test_arithmetic_with_a_string_raises_type_error(op):
    a = Value(2.0)
    with pytest.raises(TypeError, match=r"got str 'x'"):
        op(a, "x")
    with pytest.raises(
        TypeError, match=r"^the constant operand of .* must be a number, got str 'x'; pass a number or a Value$"
    ):
        op("x", a)


def test_numpy_scalars_are_numbers():
    np = pytest.importorskip("numpy")
    a = Value(np.float64(2.0)) * np.int64(3)
    assert a.data == 6.0 and type(a.data) is float


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: Value(-1.0).log(), ValueError, r"log is undefined for x = -1\.0 \(needs x > 0\)"),
        (lambda: Value(0.0).log(), ValueError, r"log is undefined for x = 0\.0"),
        (lambda: Value(-4.0).sqrt(), ValueError, r"sqrt is undefined for x = -4\.0 \(needs x >= 0\)"),
        (lambda: Value(1.0) / 0, ZeroDivisionError, r"^division by zero: 1\.0 / 0\.0 \(divisor is 0\)$"),
        (lambda: Value(1.0) / Value(0.0), ZeroDivisionError, r"^division by zero: 1\.0 / 0\.0 \(divisor is 0\)$"),
        (lambda: 1 / Value(0.0), ZeroDivisionError, r"^division by zero: 1\.0 / 0\.0 \(divisor is 0\)$"),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, r"0\.0 \*\* -1\.0"),
        (lambda: Value(-2.0) ** 0.5, ValueError, r"-2\.0 \*\* 0\.5 .*integer exponent"),
        (lambda: Value(-2.0) ** Value(2.0), ValueError, r"base > 0"),
        (lambda: (-2) ** Value(2.0), ValueError, r"base > 0"),
        (lambda: Value(0.0) ** Value(-1.0), ZeroDivisionError, r"needs exponent > 0"),
        (lambda: Value(1000.0).exp(), OverflowError, r"exp overflows for x = 1000\.0"),
        (lambda: Value(10.0) ** 1000, OverflowError, r"pow overflows"),
    ],
)
def test_domain_errors_name_the_op_and_value(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_sigmoid_and_tanh_are_finite_and_exact_at_extremes():
    for x, s, t in [(1000.0, 1.0, 1.0), (-1000.0, 0.0, -1.0)]:
        a, b = Value(x), Value(x)
        ys, yt = a.sigmoid(), b.tanh()
        ys.backward()
        yt.backward()
        assert (ys.data, yt.data) == (s, t)
        assert (a.grad, b.grad) == (0.0, 0.0)
    assert Value(-50.0).sigmoid().data == pytest.approx(1.928749847963918e-22, rel=1e-12)


def test_edge_derivatives_at_the_boundary():
    x = Value(0.0)
    y = x.sqrt()
    y.backward()
    assert y.data == 0.0 and x.grad == math.inf
    x = Value(0.0)
    y = x**2
    y.backward()
    assert x.grad == 0.0
    x = Value(0.0)
    y = abs(x) + x.relu()
    y.backward()
    assert x.grad == 0.0
    # 0 ** w with w > 0: the value is 0 and, as in PyTorch, d/dw is 0.
    b, w = Value(0.0), Value(2.0)
    y = b**w
    y.backward()
    assert (y.data, b.grad, w.grad) == (0.0, 0.0, 0.0)


def test_negative_base_with_integer_exponent_is_fine():
    x = Value(-2.0)
    y = x**3
    y.backward()
    assert (y.data, x.grad) == (-8.0, 12.0)


# --------------------------------------------------------------------------------------
# backward() rules
# --------------------------------------------------------------------------------------


def test_repeated_backward_accumulates_in_leaves_only():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + a
    d.backward()
    assert (a.grad, b.grad, c.grad, d.grad) == (-2.0, 2.0, 1.0, 1.0)
    d.backward()
    # Leaves accumulate (gradient accumulation); interior nodes hold the latest pass.
    assert (a.grad, b.grad, c.grad, d.grad) == (-4.0, 4.0, 1.0, 1.0)
    a.grad = b.grad = 0.0
    d.backward()
    assert (a.grad, b.grad) == (-2.0, 2.0)


def test_backward_of_a_leaf_seeds_its_gradient():
    a = Value(5.0)
    a.backward()
    assert a.grad == 1.0


def test_backward_from_a_subgraph_sets_only_its_part():
    a = Value(2.0)
    b = a * 3
    c = b * 4
    b.backward()
    assert (a.grad, b.grad, c.grad) == (3.0, 1.0, 0.0)


def test_no_grad_builds_no_graph_and_restores():
    w = Value(2.0)
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        y = w * 3 + 1
        with no_grad():
            pass
        assert not is_grad_enabled()
    assert is_grad_enabled()
    assert (y.data, y.parents, y.op, y.const) == (7.0, (), "", None)
    y.backward()
    assert w.grad == 0.0


def test_no_grad_restores_after_an_error():
    with pytest.raises(ValueError, match=r"^log is undefined for x = -1\.0 \(needs x > 0\)$"):
        with no_grad():
            Value(-1.0).log()
    assert is_grad_enabled()


def test_deterministic_structure():
    from autograd_tiny import topological_order

    def build():
        a, b = Value(1.5, label="a"), Value(-0.5, label="b")
        c = (a * b + a).tanh() * (b - a).exp()
        c.backward()
        return [(v.op, v.label, v.data, v.grad, len(v.parents)) for v in topological_order(c)]

    # By hand: s = a·b + a = 0.75, t = tanh(s), d = b − a = −2, e = exp(d), c = t · e.
    t, e = math.tanh(0.75), math.exp(-2.0)
    g_s = e * (1 - t * t)  # dc/ds = e · tanh'(s)
    g_d = t * e  # dc/dd = t · exp'(d)
    expected = [
        ("", "a", 1.5, g_s * -0.5 + g_s - g_d, 0),  # through a·b (slope b), + a, and b − a
        ("", "b", -0.5, g_s * 1.5 + g_d, 0),
        ("mul", "", -0.75, g_s, 2),
        ("add", "", 0.75, g_s, 2),
        ("tanh", "", t, e, 1),
        ("sub", "", -2.0, g_d, 2),
        ("exp", "", e, t, 1),
        ("mul", "", t * e, 1.0, 2),
    ]
    first = build()
    assert [row[:3] + row[4:] for row in first] == [row[:3] + row[4:] for row in expected]
    assert [row[3] for row in first] == pytest.approx([row[3] for row in expected], rel=1e-14)
    assert build() == first  # and the same, bit for bit, every time


# --------------------------------------------------------------------------------------
# Other engines' spellings (issue 20): suites written for micrograd-style engines and
# PyTorch call these.
# --------------------------------------------------------------------------------------


def test_pow_method_is_the_operator():
    a, b = Value(3.0, label="a"), Value(2.0, label="b")
    for y, expected in ((a.pow(2), a**2), (a.pow(b), a**b), (a.pow(0.5), a**0.5)):
        assert (y.data, y.op, y.const, y.local_derivatives) == (
            expected.data,
            expected.op,
            expected.const,
            expected.local_derivatives,
        )
    y = a.pow(2)
    y.backward()
    assert a.grad == 6.0


def test_float_and_item_give_data():
    y = Value(2.0) * 3.5
    assert float(y) == 7.0 and y.item() == 7.0
    assert type(float(y)) is float and type(y.item()) is float
    assert math.isclose(math.tanh(Value(0.5)), math.tanh(0.5))  # a math function takes a Value as its number


def test_float_of_a_value_does_not_make_it_a_number_input():
    """`as_number` still refuses a Value where a plain number is needed (e.g. a constant leaf's data)."""
    with pytest.raises(TypeError, match=r"^Value\(\) needs a number, got a Value"):
        Value(Value(1.0))
