"""One meaning per name: modules share only public names, and display numbers have one formatter."""

import ast
import math
import pathlib
from fractions import Fraction

import numpy as np
import pytest

import autograd_tiny
from autograd_tiny import SGD, Value, draw_dot, gradcheck, make_moons
from autograd_tiny.core.ops import Number, as_number, as_whole_number, format_number
from autograd_tiny.learn.nn import Layer
from autograd_tiny.show.stepper import page_number

PACKAGE = pathlib.Path(autograd_tiny.__file__).parent


def private_imports():
    """(module, imported name) for every `from .x import _y` in the package (dunders aside)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.level > 0 or (node.module or "").startswith("autograd_tiny")):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append((path.name, alias.name))
    return found


def test_no_module_imports_another_modules_private_names():
    assert private_imports() == []


@pytest.mark.parametrize(
    "x, short, fixed",
    [
        (6.0, "6", "6.0000"),
        (-0.7615941559557649, "-0.761594", "-0.7616"),
        (1e-9, "1e-09", "0.0000"),
        (3e300, "3e+300", "3.0000e+300"),
        (math.inf, "inf", "inf"),
        (-math.inf, "-inf", "-inf"),
        (math.nan, "nan", "nan"),
    ],
)
def test_one_formatter_two_styles(x, short, fixed):
    assert format_number(x) == short
    assert format_number(x, decimals=4) == fixed


def test_the_page_and_the_drawing_write_huge_numbers_alike():
    # page_number used to write 3e300 with 301 digits while the drawing wrote 3.0000e+300.
    y = Value(3e300, label="y") * 1.0
    assert page_number(3e300) == "3.0000e+300"
    assert "data 3.0000e+300" in draw_dot(y).source


def test_formatter_options_are_keyword_only():
    with pytest.raises(TypeError, match=r"takes 1 positional argument but 2 were given"):
        format_number(1.0, 4)


# --- one input checker ------------------------------------------------------------------


@pytest.mark.parametrize(
    "x, expected",
    [(3, 3.0), (2.5, 2.5), (np.float32(0.5), 0.5), (np.int64(7), 7.0), (Fraction(1, 4), 0.25), (math.inf, math.inf)],
)
def test_as_number_takes_every_real_number_as_a_plain_float(x, expected):
    value = as_number(x, "x")
    assert (value, type(value)) == (expected, float)


@pytest.mark.parametrize(
    "x, options, error, message",
    [
        (True, {}, TypeError, r"^x must be a number, got bool True$"),
        ("1", {"hint": "pass 1.0"}, TypeError, r"^x must be a number, got str '1'; pass 1\.0$"),
        (math.nan, {}, ValueError, r"^x must be a number, not NaN, got nan$"),
        (math.inf, {"allow_inf": False}, ValueError, r"^x must be a finite number, got inf$"),
        (-1, {"minimum": 0.0}, ValueError, r"^x must be a number >= 0, got -1\.0$"),
        (0, {"positive": True, "allow_inf": False}, ValueError, r"^x must be a finite number > 0, got 0\.0$"),
        (1.0, {"minimum": 0.0, "below": 1.0}, ValueError, r"^x must be a number in \[0, 1\), got 1\.0$"),
        (1.0, {"positive": True, "below": 1.0}, ValueError, r"^x must be a number in \(0, 1\), got 1\.0$"),
        (10**400, {}, ValueError, r"^x is an integer too large for a float \(401 digits\), got 1000"),
        (["a"] * 30, {}, TypeError, r"^x must be a number, got list \['a', .*\.\.\.$"),
    ],
)
def test_as_number_refuses_with_one_message_style(x, options, error, message):
    with pytest.raises(error, match=message):
        as_number(x, "x", **options)


def test_as_number_may_let_nan_through_when_asked():
    assert math.isnan(as_number(math.nan, "x", allow_nan=True))


@pytest.mark.parametrize(
    "x, error, message",
    [
        (2.0, TypeError, r"^n must be a whole number, got float 2\.0$"),
        (False, TypeError, r"got bool False"),
        (1, ValueError, r"^n must be a whole number >= 2, got 1$"),
    ],
)
def test_as_whole_number_refuses_non_counts(x, error, message):
    assert as_whole_number(np.int64(5), "n", minimum=2) == 5
    with pytest.raises(error, match=message):
        as_whole_number(x, "n", minimum=2)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: Value(True), TypeError, r"^Value's data must be a number, got bool True"),
        (lambda: Value(1.0) * "x", TypeError, r"^the constant operand of \* must be a number, got str 'x'"),
        (lambda: SGD([Value(1.0)], lr=True), TypeError, r"^lr must be a number, got bool True; pass e\.g\. lr=0\.01$"),
        (lambda: gradcheck(lambda x: x, [True]), TypeError, r"^gradcheck input x1 must be a number, got bool True"),
        (lambda: make_moons(5, noise="0.1"), TypeError, r"^noise must be a number, got str '0\.1'$"),
        (lambda: Layer(2, 2, seed=0)([1.0, math.nan]), ValueError, r"^input 2 must be a number, not NaN, got nan"),
    ],
)
def test_every_module_checks_numbers_with_the_one_checker(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_number_is_defined_once():
    definitions = [path.name for path in sorted(PACKAGE.rglob("*.py")) if "\nNumber = " in path.read_text("utf-8")]
    assert definitions == ["ops.py"]
    assert autograd_tiny.Number is Number


# --- display text is maths, code text is Python -------------------------------------------

PYTHON_ONLY = (" if ", " else ", "**", " * ", "math.", "_")


def test_display_formulas_never_read_as_python():
    from autograd_tiny.core.ops import RULES

    # The built-in ops only: other test files register ops of their own while the suite runs.
    for name, entry in RULES.items():
        if not entry.builtin:
            continue
        for text in (entry.formula, *entry.derivative_formulas):
            assert not any(token in text for token in PYTHON_ONLY), (name, text)
    assert RULES["relu"].derivative(0, ["x"]) == "1 (x > 0), 0 (x ≤ 0)"
    assert RULES["relu"].derivative_code == ("_step({0})",)


def test_step_records_use_one_name_per_meaning():
    """parent_index: the entry of node.parents; operand_index: the place in the written formula."""
    from autograd_tiny import Value, explain
    from autograd_tiny.core.graph import backward_steps

    a = Value(3.0, label="a")
    y = 2 - a  # a is parent 0 but operand 1 (the constant 2 stands before it)
    (step,) = backward_steps(y)
    (explained,) = explain(y).steps
    assert step.parent_index == explained.parent_index == 0
    assert explained.operand_index == 1
    assert not hasattr(step, "position") and not hasattr(explained, "position")
