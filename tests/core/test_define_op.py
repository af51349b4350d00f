"""define_op: an op of your own works everywhere a built-in op does, or says clearly why not."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from autograd_tiny import Value, compile_graph, define_op, draw_dot, explain, gradcheck
from autograd_tiny.core.ops import RULES

square = define_op(
    "square", lambda x: x * x, [lambda x, out: 2 * x], symbol="²", formula="{0}²", derivative_formulas=["2 · {0}"]
)
# Two operands, no display options, no array versions: every default is used.
weighted = define_op("weighted", lambda a, b: 3 * a - a * b, [lambda a, b, out: 3 - b, lambda a, b, out: -a])
huge = define_op("huge", lambda x: 1e300 * x, [lambda x, out: 1e300])


def test_value_gradient_and_graph_of_a_custom_op():
    a = Value(3.0, label="a")
    y = square(a)
    y.backward()
    assert (y.data, a.grad, y.op, y.parents, y.local_derivatives) == (9.0, 6.0, "square", (a,), (6.0,))
    b = Value(2.0)
    z = weighted(a, b)
    z.backward()
    assert (z.data, a.grad, b.grad) == (3.0, 6.0 + 1.0, -3.0)  # a accumulates: 6 before, 3 - 2 now


def test_plain_numbers_are_constant_leaves():
    a = Value(2.0)
    z = weighted(a, 4)
    z.backward()
    assert (z.data, a.grad, z.parents[1].data, z.parents[1].parents) == (-2.0, -1.0, 4.0, ())


def test_custom_ops_pass_gradcheck_inside_bigger_expressions():
    assert gradcheck(lambda x, y: square(x * y).tanh() + weighted(x, y.exp()), [0.3, -0.7])


def test_drawing_shows_the_symbol_and_explain_the_formulas():
    a = Value(3.0, label="a")
    y = square(a)
    y.label = "y"
    assert 'v1op [label="²"' in draw_dot(y).source
    text = str(explain(y))
    assert "  y = a² = 9\n" in text
    assert "1. ∂y/∂a₍₁₎ = 2 · a = 2 · 3 = 6;" in text
    assert r"\mathrm{y} = \mathrm{a}^2 = 9" in explain(y).markdown()
    b = Value(2.0, label="b")
    z = weighted(a, b)
    z.label = "z"
    text = str(explain(z))
    assert "z = weighted(a, b) = 3" in text
    assert "∂z/∂a₍₁₎ = ∂weighted/∂a" in text and "∂z/∂b₍₂₎ = ∂weighted/∂b" in text
    assert r"\operatorname{weighted}(\mathrm{a}, \mathrm{b})" in explain(z).markdown()


def test_compiled_custom_ops_equal_eager_on_floats_and_arrays():
    a, b = Value(1.5, label="a"), Value(-2.0, label="b")
    root = square(a) * weighted(a, b) + weighted(b, 0.5)
    f = compile_graph(root, [a, b])
    # Each op of your own gets a numbered name in the code, unique whatever the ops are called.
    assert "_op1_square(a)" in f.source and "_op2_weighted_d1(a, b, " in f.source
    points = [(1.5, -2.0), (0.25, 3.0), (-4.0, 0.5)]
    for xs in points:
        fresh = [Value(x) for x in xs]
        eager = square(fresh[0]) * weighted(*fresh) + weighted(fresh[1], 0.5)
        eager.backward()
        assert f(list(xs)) == (eager.data, [v.grad for v in fresh])
    values, grads = f([np.array([p[0] for p in points]), np.array([p[1] for p in points])])
    for k, xs in enumerate(points):
        assert (values[k], grads[0][k], grads[1][k]) == f(list(xs))[:1] + tuple(f(list(xs))[1])


def test_array_versions_are_used_when_given():
    calls = []

    def array_forward(x):
        calls.append(len(x))
        return x * x

    cube = define_op(
        "arrsq",
        lambda x: x * x,
        [lambda x, out: 2 * x],
        array_forward=array_forward,
        array_derivatives=[lambda x, out: 2 * x],
    )
    x = Value(1.0, label="x")
    f = compile_graph(cube(x), [x])
    values, grads = f([np.array([1.0, 2.0, 3.0])])
    assert values.tolist() == [1.0, 4.0, 9.0] and grads[0].tolist() == [2.0, 4.0, 6.0] and calls == [3]


def test_wrong_arity_names_the_op():
    with pytest.raises(TypeError, match=r"^op 'square' takes 1 operand, got 2; call it as square\(x1\)$"):
        square(1.0, 2.0)
    with pytest.raises(TypeError, match=r"^op 'weighted' takes 2 operands, got 1; call it as weighted\(x1, x2\)$"):
        weighted(Value(1.0))


def test_a_non_finite_result_names_the_op_eager_and_compiled():
    message = (
        r"op 'huge': forward returned inf for x = \(10000000000\.0,\); an op must give finite numbers: "
        r"check the formula, or refuse such inputs with a ValueError$"
    )
    with pytest.raises(ValueError, match="^" + message):
        huge(1e10)
    x = Value(1.0, label="x")
    f = compile_graph(huge(x), [x])
    with pytest.raises(ValueError, match="^" + message):
        f([1e10])
    with pytest.raises(ValueError, match=r"^op 'huge': forward returned inf in sample 1 \(and 1 more\);"):
        f([np.array([1.0, 1e10, -1e11])])


def test_errors_raised_by_the_user_function_name_the_op():
    inverse = define_op("inverse", lambda x: 1 / x, [lambda x, out: -out * out])
    with pytest.raises(
        ZeroDivisionError, match=r"^op 'inverse': forward failed for x = \(0\.0,\): float division by zero$"
    ):
        inverse(0.0)
    nan_slope = define_op("nan_slope", lambda x: x, [lambda x, out: math.nan])
    with pytest.raises(ValueError, match=r"^op 'nan_slope': derivatives\[0\] returned nan for x = \(1\.0,\)"):
        nan_slope(1.0)
    text = define_op("text", lambda x: "1", [lambda x, out: 1.0])
    with pytest.raises(TypeError, match=r"^op 'text': forward must return a number \(a float\), got str '1'"):
        text(1.0)


def test_definition_errors():
    with pytest.raises(ValueError, match=r"^'mul' is a built-in op; choose another name for your op$"):
        define_op("mul", lambda a, b: a * b, [lambda a, b, out: b, lambda a, b, out: a])
    with pytest.raises(
        ValueError, match=r"^define_op: the name must be a Python identifier not starting with _, got 'my op'$"
    ):
        define_op("my op", abs, [lambda x, out: 1.0])
    with pytest.raises(
        TypeError, match=r"^define_op\('f'\): derivatives must be a list of functions, one per operand; got function$"
    ):
        define_op("f", abs, lambda x, out: 1.0)
    with pytest.raises(
        ValueError,
        match=r"^define_op\('f'\): derivative_formulas needs 1 strings \(one per operand\), got \['a', 'b'\]$",
    ):
        define_op("f", abs, [lambda x, out: 1.0], derivative_formulas=["a", "b"])
    with pytest.raises(ValueError, match=r"^define_op\('f'\): formula '\{1\}' does not fill"):
        define_op("f", abs, [lambda x, out: 1.0], formula="{1}")
    with pytest.raises(ValueError, match=r"^define_op\('f'\): array_derivatives needs 1 functions"):
        define_op("f", abs, [lambda x, out: 1.0], array_derivatives=[abs, abs])
    assert "f" not in RULES and "my_op" not in RULES


def test_redefining_an_op_replaces_it_for_the_function_already_made():
    first = define_op("again", lambda x: x + 1, [lambda x, out: 1.0])
    assert first(1.0).data == 2.0
    define_op("again", lambda x: x + 2, [lambda x, out: 1.0])  # a notebook cell run again, edited
    assert first(1.0).data == 3.0


# --------------------------------------------------------------------------------------
# A node keeps the rule it was built with (issue 19): redefining a name never changes what an
# existing graph computes, explains, draws or compiles.
# --------------------------------------------------------------------------------------


def test_an_old_graph_keeps_its_rule_after_the_op_is_redefined():
    define_op("kept", lambda x: 2 * x, [lambda x, out: 2.0], symbol="K2", formula="twice({0})")
    x = Value(1.5, label="x")
    old = define_op("kept", lambda x: 2 * x, [lambda x, out: 2.0], symbol="K2", formula="twice({0})")(x)
    old.label = "y"
    define_op("kept", lambda x: 5 * x, [lambda x, out: 5.0], symbol="K5", formula="five({0})")
    assert compile_graph(old, [x])([1.0]) == (2.0, [2.0])
    assert "y = twice(x) = 3" in str(explain(old)) and "five" not in str(explain(old))
    assert "v1op [label=K2 " in draw_dot(old).source
    new = define_op("kept", lambda x: 5 * x, [lambda x, out: 5.0])(x)
    assert (new.data, old.data) == (7.5, 3.0)
    both = old + new  # one graph holding both versions: each node computes with its own
    assert compile_graph(both, [x])([1.0]) == (7.0, [7.0])
    assert compile_graph(both, [x])([np.array([1.0, 2.0])])[0].tolist() == [7.0, 14.0]


def test_redefining_with_another_arity_leaves_old_graphs_working():
    x = Value(2.0, label="x")
    old = define_op("arity", lambda x: x * x, [lambda x, out: 2 * x])(x)
    old.label = "y"
    binary = define_op("arity", lambda a, b: a * b, [lambda a, b, out: b, lambda a, b, out: a])
    assert "y = arity(x) = 4" in str(explain(old))
    assert r"\operatorname{arity}(\mathrm{x})" in explain(old).markdown()
    assert compile_graph(old, [x])([3.0]) == (9.0, [6.0])
    draw_dot(old)
    with pytest.raises(TypeError, match=r"^op 'arity' takes 2 operands, got 1; call it as arity\(x1, x2\)$"):
        binary(x)
    assert binary(x, 3.0).data == 6.0


def test_a_forward_that_raises_type_error_names_the_op():
    broken = define_op("broken", lambda x: None + x, [lambda x, out: 1.0])
    with pytest.raises(
        TypeError,
        match=r"^op 'broken': forward failed for x = \(1\.0,\): unsupported operand type\(s\) for \+: 'NoneType' and 'float'$",
    ):
        broken(1.0)


def test_a_function_with_the_wrong_signature_is_refused_when_defined():
    with pytest.raises(
        TypeError,
        match=r"^define_op\('nullary'\): forward must take 1 number \(one per operand\), "
        r"as forward\(x1\); its signature is \(\)$",
    ):
        define_op("nullary", lambda: 1.0, [lambda x, out: 1.0])
    with pytest.raises(
        TypeError,
        match=r"^define_op\('noout'\): derivatives\[1\] must take 3 numbers \(the operands and out\), "
        r"as derivatives\[1\]\(x1, x2, out\); its signature is \(a, b\)$",
    ):
        define_op("noout", lambda a, b: a * b, [lambda a, b, out: b, lambda a, b: a])
    assert "nullary" not in RULES and "noout" not in RULES


def test_a_result_too_large_for_a_float_names_the_op():
    giant = define_op("giant", lambda x: 10**400, [lambda x, out: 1.0])
    with pytest.raises(
        ValueError,
        match=r"^op 'giant': forward returned an integer too large for a float \(401 digits\) for x = \(1\.0,\); "
        r"an op must give finite numbers",
    ):
        giant(1.0)
    steep = define_op("steep", lambda x: x, [lambda x, out: 10**400])
    with pytest.raises(ValueError, match=r"^op 'steep': derivatives\[0\] returned an integer too large for a float"):
        steep(1.0)


@pytest.mark.parametrize(
    "text, code, at", [("a\x00", r"\x00", 1), ("\ud800", r"\ud800", 0), ("x\ny", r"\n", 1), ("\u202eab", r"\u202e", 0)]
)
def test_invisible_characters_in_op_texts_are_refused(text, code, at):
    ending = rf" holds an invisible character, {re.escape(code)} at position {at}; use visible characters only$"
    with pytest.raises(ValueError, match=rf"^define_op\('hidden'\): symbol {re.escape(repr(text))}" + ending):
        define_op("hidden", abs, [lambda x, out: 1.0], symbol=text)
    with pytest.raises(ValueError, match=rf"^define_op\('hidden'\): formula .*{re.escape(code)} at position {at}"):
        define_op("hidden", abs, [lambda x, out: 1.0], formula=text + "{0}")
    with pytest.raises(ValueError, match=r"^define_op\('hidden'\): derivative_formulas\[0\] .* holds an invisible"):
        define_op("hidden", abs, [lambda x, out: 1.0], derivative_formulas=[text])
    assert "hidden" not in RULES


@pytest.mark.parametrize("text", ["a\\", "\\N", "\\", "<b>&</b>", '"', "{{}}$x$", "a\\\\"])
def test_backslashes_and_markup_in_op_texts_show_everywhere(text):
    shown = text.replace("{{", "{").replace("}}", "}")
    op = define_op(
        "marked", lambda x: x, [lambda x, out: 1.0], symbol=shown, formula=text + "{0}", derivative_formulas=[text]
    )
    x = Value(1.0, label="x")
    y = op(x)
    y.label = "y"
    assert f"y = {shown}x = 1" in str(explain(y))
    explain(y).markdown()
    assert compile_graph(y * 2, [x])([3.0]) == (6.0, [2.0])
    draw_dot(y)


def test_hostile_formulas_stay_text_in_markdown():
    op = define_op(
        "mdpwn",
        lambda x: x,
        [lambda x, out: 1.0],
        formula="<img src=x onerror=alert(1)>{0}[a](javascript:alert(1))",
        derivative_formulas=["$\\href{{javascript:alert(1)}}{{x}}$ `{0}` <script>"],
    )
    x = Value(1.0, label="x")
    y = op(x)
    y.label = "y"
    markdown = explain(y).markdown()
    assert "<" not in markdown and "\\href" not in markdown and "](" not in markdown
    assert r"\lt img src=x onerror=\operatorname{alert}(1)\gt \mathrm{x}\lbrack a\rbrack (javascript:" in markdown
    assert r"\$\backslash href\{\{javascript:" in markdown  # (a template's {{ shows doubled: harmless)
    assert r"\backprime \mathrm{x}\backprime" in markdown  # no code span: a backtick is a LaTeX symbol
