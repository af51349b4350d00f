"""One meaning per name: modules share only public names, and display numbers have one formatter."""

import ast
import math
import pathlib

import pytest

import autograd_tiny
from autograd_tiny import Value, draw_dot
from autograd_tiny.ops import format_number
from autograd_tiny.stepper import page_number

PACKAGE = pathlib.Path(autograd_tiny.__file__).parent


def private_imports():
    """(module, imported name) for every `from .x import _y` in the package (dunders aside)."""
    found = []
    for path in sorted(PACKAGE.glob("*.py")):
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
