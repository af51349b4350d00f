"""The registry of ops: every op, built-in or user-defined, through its one entry.

For each op: the entry's derivatives agree with finite differences of its forward; the engine
builds exactly the entry's numbers (the operators' inline fast paths included); the formula
text fills; a drawing shows the symbol; compiled code equals eager on floats and on arrays.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_tiny
from autograd_tiny import Value, compile_graph, define_op, draw_dot, explain, gradcheck
from autograd_tiny.core.ops import RULES, Op
from autograd_tiny.core.value import affine, apply, operands
from tests.core.test_engine import OPS

# Two custom ops, defined once for the whole module: one with array versions, one without
# (its compiled arrays apply the float functions per sample).
softplus = define_op(
    "softplus_r",
    lambda x: math.log1p(math.exp(-abs(x))) + max(x, 0.0),
    [lambda x, out: 1.0 / (1.0 + math.exp(-x))],
    symbol="softplus",
    formula="softplus({0})",
    derivative_formulas=["σ({0})"],
    array_forward=lambda x: np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0.0),
    array_derivatives=[lambda x, out: 1.0 / (1.0 + np.exp(-x))],
)
hypot = define_op(
    "hypot_r",
    lambda a, b: math.hypot(a, b),
    [lambda a, b, out: a / out, lambda a, b, out: b / out],
    symbol="hypot",
    formula="√({0}² + {1}²)",
    derivative_formulas=["{0} / {out}", "{1} / {out}"],
)

# How to build each op from Values, and points inside its domain (one tuple per operand).
BUILD = {
    **OPS,  # every built-in op of the engine tests, with their points
    "sin": (lambda a: a.sin(), [(0.5,), (-2.0,)]),
    "cos": (lambda a: a.cos(), [(0.5,), (-2.0,)]),
    "affine": (lambda w0, w1, x0, x1, b: affine([w0, w1], [x0, x1], b), [(0.5, -1.5, 2.0, 0.25, 0.1)]),
    "softplus_r": (softplus, [(0.5,), (-3.0,)]),
    "hypot_r": (hypot, [(3.0, 4.0), (-1.0, 0.5)]),
}
BUILTINS = {name for name, op in RULES.items() if op.builtin}


def test_every_registered_op_is_tested_here():
    assert set(BUILD) == set(RULES) - {name for name in RULES if not RULES[name].builtin} | {
        "softplus_r",
        "hypot_r",
    }
    assert BUILTINS == set(BUILD) - {"softplus_r", "hypot_r"}


def _central(f, xs, i, eps=1e-6):
    up, down = list(xs), list(xs)
    up[i] += eps
    down[i] -= eps
    return (f(*up) - f(*down)) / (2 * eps)


def _numbers(node):
    """The numbers of a node's operands, constants included, in the entry's operand order."""
    return tuple(o.data if isinstance(o, Value) else o for o in operands(node))


@pytest.mark.parametrize("name", sorted(BUILD))
def test_entry_derivatives_match_finite_differences_of_its_forward(name):
    op = RULES[name]
    build, points = BUILD[name]
    for xs in points:
        numbers = _numbers(build(*[Value(x) for x in xs]))  # 3.0 - a: the 3.0 is operand 1 (index 0)
        out = op.forward(*numbers)
        local = op.local_derivatives(numbers, out)
        assert len(local) == len(numbers)
        for i in range(len(numbers)):
            expected = _central(op.forward, numbers, i)
            assert local[i] == pytest.approx(expected, rel=1e-6, abs=1e-7), (name, numbers, i)


@pytest.mark.parametrize("name", sorted(BUILD))
def test_engine_builds_exactly_the_entry_numbers(name):
    """The operators' inline fast paths and the engine's methods give the entry's values bit for bit."""
    build, points = BUILD[name]
    op = RULES[name]
    for xs in points:
        node = build(*[Value(x) for x in xs])
        assert node.op == name
        numbers = _numbers(node)
        forward = op.values_forward if (op.values_forward and node.const is None) else op.forward
        assert node.data == forward(*numbers)
        local = op.local_derivatives(numbers, node.data)
        positions = [i for i, o in enumerate(operands(node)) if isinstance(o, Value)]
        assert node.local_derivatives == tuple(local[i] for i in positions)


@pytest.mark.parametrize("x", [-2.5, -1.0, -0.0, 0.0, 1e-300, 0.3, 2.0, 40.0, -800.0, 1e308])
def test_unary_fast_paths_equal_their_entries_at_edge_points(x):
    for name, build in (
        ("neg", lambda a: -a),
        ("tanh", Value.tanh),
        ("sigmoid", Value.sigmoid),
        ("relu", Value.relu),
        ("abs", abs),
    ):
        node = build(Value(x))
        op = RULES[name]
        assert math.copysign(1.0, node.data) == math.copysign(1.0, op.forward(x)) and node.data == op.forward(x)
        assert node.local_derivatives == op.local_derivatives((x,), node.data), name


@pytest.mark.parametrize("a, b", [(2.0, 3.0), (-2.0, 3.0), (0.0, 2.0), (2.0, 0.5), (1.5, -2.0), (-0.5, 0.0)])
def test_binary_fast_paths_equal_their_entries(a, b):
    for name, build in (("add", lambda p, q: p + q), ("sub", lambda p, q: p - q), ("mul", lambda p, q: p * q)):
        node = build(Value(a), Value(b))
        assert node.data == RULES[name].forward(a, b)
        assert node.local_derivatives == RULES[name].local_derivatives((a, b), node.data)
    node = Value(a) ** b  # a constant exponent
    assert node.data == RULES["pow"].forward(a, b)
    assert node.local_derivatives == (RULES["pow"].derivatives[0](a, b, node.data),)


def test_domain_errors_are_the_entry_messages_for_engine_floats_and_arrays():
    x = Value(-1.0, label="x")
    with pytest.raises(ValueError, match=r"^sqrt is undefined for x = -1\.0 \(needs x >= 0\)$"):
        x.sqrt()
    with pytest.raises(ValueError, match=r"^sqrt is undefined for x = -1\.0 \(needs x >= 0\)$"):
        RULES["sqrt"].forward(-1.0)
    f = compile_graph((x * x).sqrt(), [x])  # traced at x = -1: sqrt(1) is in the domain
    with pytest.raises(ZeroDivisionError, match=r"^division by zero: 1\.0 / 0\.0 \(divisor is 0\)$"):
        Value(1.0) / 0
    y = Value(2.0, label="y")
    g = compile_graph(y.log(), [y])
    with pytest.raises(ValueError, match=r"^log is undefined for x = -2\.0 \(needs x > 0\)$"):
        g([-2.0])
    with pytest.raises(ValueError, match=r"^log is undefined for x = -2\.0 in sample 1 \(needs x > 0\)$"):
        g([np.array([1.0, -2.0])])
    assert f([3.0]) == (3.0, [1.0])


def test_sin_and_cos_refuse_infinity_everywhere_with_the_same_message():
    big = Value(1e308) * 10  # inf, as float arithmetic gives
    with pytest.raises(ValueError, match=r"^sin is undefined for x = inf \(needs a finite x\)$"):
        big.sin()
    x = Value(0.0, label="x")
    f = compile_graph(x.cos(), [x])
    with pytest.raises(ValueError, match=r"^cos is undefined for x = inf \(needs a finite x\)$"):
        f([math.inf])
    with pytest.raises(ValueError, match=r"^cos is undefined for x = -inf in sample 2 \(needs a finite x\)$"):
        f([np.array([0.0, 1.0, -math.inf])])


def test_formula_text_of_every_op():
    expected = {
        "add": ("a + b", ["1", "1"]),
        "sub": ("a − b", ["1", "−1"]),
        "mul": ("a · b", ["b", "a"]),
        "div": ("a / b", ["1 / b", "−a / b²"]),
        "pow": ("a^b", ["b · a^(b − 1)", "out · ln a"]),
        "exp": ("exp(a)", ["exp(a) = out"]),
        "log": ("ln(a)", ["1 / a"]),
        "tanh": ("tanh(a)", ["1 − out²"]),
        "sigmoid": ("σ(a)", ["out · (1 − out)"]),
        "relu": ("relu(a)", ["1 (a > 0), 0 (a ≤ 0)"]),
        "sqrt": ("√a", ["1 / (2 · √a)"]),
        "abs": ("|a|", ["sign(a)"]),
        "max": ("max(a, b)", ["1 (a ≥ b, a tie goes to a), 0 (a < b)", "0 (a ≥ b), 1 (a < b)"]),
        "min": ("min(a, b)", ["1 (a ≤ b, a tie goes to a), 0 (a > b)", "0 (a ≤ b), 1 (a > b)"]),
        "neg": ("−a", ["−1"]),
        "sin": ("sin(a)", ["cos(a)"]),
        "cos": ("cos(a)", ["−sin(a)"]),
        "softplus_r": ("softplus(a)", ["σ(a)"]),
        "hypot_r": ("√(a² + b²)", ["a / out", "b / out"]),
    }
    for name, (formula, derivatives) in expected.items():
        op = RULES[name]
        names = ["a", "b"][: len(derivatives)]
        assert op.write(names) == formula
        assert [op.derivative(i, names) for i in range(len(names))] == derivatives
    # affine writes itself for any number of inputs, in its operand order w..., x..., b.
    five = ["w0", "w1", "x0", "x1", "b"]
    assert RULES["affine"].write(five) == "w0 · x0 + w1 · x1 + b"
    assert [RULES["affine"].derivative(i, five) for i in range(5)] == ["x0", "x1", "w0", "w1", "1"]


@pytest.mark.parametrize("name", sorted(BUILD))
def test_drawing_shows_the_entry_symbol(name):
    build, points = BUILD[name]
    node = build(*[Value(x, label=f"v{i}") for i, x in enumerate(points[0])])
    source = draw_dot(node).source
    symbol = RULES[name].symbol
    op_nodes = [line for line in source.splitlines() if re.match(r"\s*v\d+op \[label=", line)]
    assert len(op_nodes) == 1 and symbol in op_nodes[0], (name, symbol, op_nodes)


@pytest.mark.parametrize("name", sorted(BUILD))
def test_explanation_prints_the_entry_formulas(name):
    build, points = BUILD[name]
    leaves = [Value(x, label=f"v{i}") for i, x in enumerate(points[0])]
    node = build(*leaves)
    node.label = "out"
    text = str(explain(node))
    names = [o.label if isinstance(o, Value) else f"{o:g}" for o in operands(node)]
    assert RULES[name].write(names) in text
    first_value = next(i for i, o in enumerate(operands(node)) if isinstance(o, Value))
    assert RULES[name].derivative(first_value, names, out="out") in text
    explain(node).markdown()  # the LaTeX conversion copes with every formula


@pytest.mark.parametrize("name", sorted(BUILD))
def test_compiled_equals_eager_on_floats_and_arrays(name):
    build, points = BUILD[name]
    leaves = [Value(x) for x in points[0]]
    root = build(*leaves)
    f = compile_graph(root, leaves)
    for xs in points:
        fresh = [Value(x) for x in xs]
        eager = build(*fresh)
        eager.backward()
        value, grads = f(list(xs))
        assert value == eager.data
        assert grads == [v.grad for v in fresh]
    batch = [np.array([xs[i] for xs in points]) for i in range(len(points[0]))]
    values, grads = f(batch)
    for k, xs in enumerate(points):
        fresh = [Value(x) for x in xs]
        eager = build(*fresh)
        eager.backward()
        assert values[k] == pytest.approx(eager.data, rel=1e-15, abs=1e-300)
        assert [g[k] for g in grads] == pytest.approx([v.grad for v in fresh], rel=1e-15, abs=1e-300)


@pytest.mark.parametrize("name", sorted(BUILD))
def test_every_op_passes_gradcheck(name):
    build, points = BUILD[name]
    for xs in points:
        assert gradcheck(build, list(xs))


def test_apply_takes_numbers_as_constant_leaves_and_checks_arity():
    y = apply(RULES["mul"], Value(2.0), 3)
    assert (y.data, y.op, len(y.parents), y.parents[1].parents) == (6.0, "mul", 2, ())
    with pytest.raises(TypeError, match=r"^op 'mul' takes 2 operands, got 1; call it as mul\(x1, x2\)$"):
        apply(RULES["mul"], Value(2.0))
    with pytest.raises(TypeError, match=r"^tanh operand 1 must be a number, got str 'a'; pass a number or a Value$"):
        apply(RULES["tanh"], "a")


def test_sin_and_cos_are_named_in_the_registry_only():
    """The compiler, renderer and explainer know no op by name: they read the registry.

    `Value` names them once, as real methods (so type checkers see them), each applying its
    entry: its rule is stated in the registry only.
    """
    package = Path(autograd_tiny.__file__).parent
    value_text = (package / "core" / "value.py").read_text(encoding="utf-8")
    assert 'return apply(RULES["sin"], self)' in value_text and 'return apply(RULES["cos"], self)' in value_text
    assert "math.sin" not in value_text and "math.cos" not in value_text and "setattr" not in value_text
    assert "sin" in Value.__dict__ and "cos" in Value.__dict__
    for module in (
        "fast/compiler",
        "show/render",
        "show/explain",
        "learn/nn",
        "core/graph",
        "learn/gradcheck",
        "__init__",
    ):
        text = (package / f"{module}.py").read_text(encoding="utf-8")
        assert not re.search(r"\b(sin|cos)\b", text), module
    assert re.search(r"\bsin\b", (package / "core" / "ops.py").read_text(encoding="utf-8"))


def test_the_compiler_restates_no_rule():
    text = (Path(autograd_tiny.__file__).parent / "fast" / "compiler.py").read_text(encoding="utf-8")
    code = text.split('"""', 2)[2]  # past the module docstring, which shows an example
    for word in ("math.exp", "math.log", "np.exp", "_tanh", "_sigmoid", "undefined for", "overflows for"):
        assert word not in code, word
    assert isinstance(RULES["tanh"], Op) and RULES["tanh"].code == "_tanh({0})"


# --------------------------------------------------------------------------------------
# Built-ins cannot be replaced; a node keeps the rule it was built with (issue 19)
# --------------------------------------------------------------------------------------


def test_register_refuses_to_replace_a_built_in():
    plus = dict(RULES["add"].__dict__)
    with pytest.raises(
        ValueError, match=r"^'mul' is a built-in op and cannot be replaced; register your op under another name$"
    ):
        autograd_tiny.core.ops.register(Op(**{**plus, "name": "mul"}))
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    assert RULES["mul"].symbol == "*"
    assert compile_graph(a * b, [a, b])([2.0, 3.0]) == (6.0, [3.0, 2.0])


def test_register_checks_an_op_made_without_define_op():
    plus = {**RULES["add"].__dict__, "builtin": False}
    with pytest.raises(
        ValueError, match=r"^define_op: the name must be a Python identifier not starting with _, got 'my op'$"
    ):
        autograd_tiny.core.ops.register(Op(**{**plus, "name": "my op"}))
    with pytest.raises(ValueError, match=r"^define_op\('plus2'\): symbol '\\x00' holds an invisible character"):
        autograd_tiny.core.ops.register(Op(**{**plus, "name": "plus2", "symbol": "\x00"}))
    assert "my op" not in RULES and "plus2" not in RULES


def test_rule_of_gives_the_rule_a_node_was_built_with():
    from autograd_tiny.core.ops import rule_of

    first = define_op("versioned", lambda x: x + 1, [lambda x, out: 1.0])
    node = first(1.0)
    rule = rule_of(node)
    define_op("versioned", lambda x: x + 2, [lambda x, out: 1.0])
    assert rule_of(node) is rule and rule_of(first(1.0)) is RULES["versioned"] is not rule
    assert node.op == "versioned" and isinstance(node.op, str) and repr(node.op) == "'versioned'"
    a = Value(2.0)
    assert rule_of(a * a) is RULES["mul"] and rule_of(a.sin()) is RULES["sin"]
    hand_made = Value(1.0)
    hand_made.op = "nosuchop"
    with pytest.raises(ValueError, match=r"^unknown op 'nosuchop'"):
        rule_of(hand_made)


def test_names_python_would_rewrite_are_refused():
    # Python reads identifiers in NFKC form: ﬁ is fi, so two ops would share a compiled name.
    with pytest.raises(
        ValueError,
        match=r"^define_op: the name 'ﬁx' is written 'fix' by Python \(its NFKC form\); name the op 'fix'$",
    ):
        define_op("ﬁx", lambda x: x, [lambda x, out: 1.0])
    assert "ﬁx" not in RULES


# --------------------------------------------------------------------------------------
# The inline fast paths equal their entries on random inputs (issue 20): every operator
# and method of `Value` that computes its rule itself, with Value and constant operands.
# --------------------------------------------------------------------------------------

# name -> (build from the operands in written order, which operands are Values)
INLINE = {
    "add": [(lambda a, b: a + b, (True, True)), (lambda a, k: a + k, (True, False)), (lambda k, a: k + a, None)],
    "sub": [(lambda a, b: a - b, (True, True)), (lambda a, k: a - k, (True, False))],
    "rsub": [(lambda k, a: k - a, (False, True))],
    "mul": [(lambda a, b: a * b, (True, True)), (lambda a, k: a * k, (True, False)), (lambda k, a: k * a, None)],
    "div": [(lambda a, b: a / b, (True, True)), (lambda a, k: a / k, (True, False))],
    "rdiv": [(lambda k, a: k / a, (False, True))],
    "pow": [(lambda a, b: a**b, (True, True)), (lambda a, k: a**k, (True, False))],
    "rpow": [(lambda k, a: k**a, (False, True))],
    "neg": [(lambda a: -a, (True,))],
    "abs": [(lambda a: abs(a), (True,))],
    "exp": [(lambda a: a.exp(), (True,))],
    "log": [(lambda a: a.log(), (True,))],
    "tanh": [(lambda a: a.tanh(), (True,))],
    "sigmoid": [(lambda a: a.sigmoid(), (True,))],
    "relu": [(lambda a: a.relu(), (True,))],
    "sqrt": [(lambda a: a.sqrt(), (True,))],
    "max": [(lambda a, b: a.max(b), (True, True)), (lambda a, k: a.max(k), (True, False))],
    "min": [(lambda a, b: a.min(b), (True, True)), (lambda a, k: a.min(k), (True, False))],
}
_numbers_strategy = st.floats(min_value=-50.0, max_value=50.0, allow_nan=False).map(lambda x: round(x, 3))


def _make_operands(xs, values):
    return [Value(x) if is_value else x for x, is_value in zip(xs, values)]


def test_every_op_with_an_inline_form_is_tested_on_random_inputs():
    inline = {n for n in RULES if RULES[n].builtin and n not in ("sin", "cos", "affine")}
    assert set(INLINE) == inline


@pytest.mark.parametrize("name", sorted(INLINE))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_inline_fast_paths_equal_their_entries_on_random_inputs(name, data):
    op = RULES[name]
    for build, values in INLINE[name]:
        arity = op.arity
        xs = data.draw(st.lists(_numbers_strategy, min_size=arity, max_size=arity))
        if values is None:  # k + a, k * a: Python calls the reflected operator, a stays the parent
            values = (False, True)
        try:
            expected_out = (op.values_forward if op.values_forward and all(values) else op.forward)(*xs)
            # A constant operand has no local derivative: only the Values' are computed.
            expected_local = tuple(d(*xs, expected_out) for d, v in zip(op.derivatives, values) if v)
        except (ValueError, ZeroDivisionError, OverflowError) as error:  # outside the domain
            with pytest.raises(type(error), match=re.escape(str(error))):
                build(*_make_operands(xs, values))
            continue
        node = build(*_make_operands(xs, values))
        assert node.op == name
        assert node.data == expected_out or (math.isnan(node.data) and math.isnan(expected_out))
        assert node.local_derivatives == expected_local, (xs, values)


@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 6), data=st.data())
def test_inline_affine_equals_its_entry_on_random_inputs(n, data):
    w = data.draw(st.lists(_numbers_strategy, min_size=n, max_size=n))
    x = data.draw(st.lists(_numbers_strategy, min_size=n, max_size=n))
    b = data.draw(_numbers_strategy)
    node = affine([Value(v) for v in w], [Value(v) for v in x], Value(b))
    xs = (*w, *x, b)
    op = RULES["affine"]
    assert node.data == op.forward(*xs)
    assert node.local_derivatives == op.local_derivatives(xs, node.data)
