"""`autograd-tiny explain`: text, Markdown, HTML, and bad input."""

from __future__ import annotations

import subprocess
import sys

import pytest

from autograd_tiny.app.cli import main


def test_text(capsys):
    assert main(["explain", "(a*b + c)*f", "a=2", "b=-3", "c=10", "f=-2"]) == 0
    out = capsys.readouterr().out
    assert "out = t2 · f = −8" in out
    assert "∂out/∂a = 6" in out and "∂out/∂b = −4" in out and "∂out/∂c = −2" in out and "∂out/∂f = 4" in out
    assert "Backward pass (6 steps" in out


def test_markdown_and_html(tmp_path, capsys):
    html = tmp_path / "steps.html"
    assert main(["explain", "a*a", "a=3", "--markdown", "--html", str(html)]) == 0
    out = capsys.readouterr().out
    assert r"\frac{\partial \mathrm{out}}{\partial \mathrm{a}} = 3 + 3 = 6" in out
    assert out.strip().endswith(str(html))
    assert "<svg" in html.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "args, message",
    [
        (["(a*b", "a=1", "b=2"], "syntax error: '(' was never closed (column 1)"),
        (["a*b", "a=1"], "unknown name 'b'; give it a value, e.g. b=1 (column 3)"),
        (["a", "a=one"], "the value of a must be a number, got 'one'"),
        (["a.real", "a=1"], "attribute access is not allowed (column 1)"),
        (["[a for a in a]", "a=1"], "a comprehension is not allowed (column 1)"),
        (["lambda: a", "a=1"], "a lambda is not allowed (column 1)"),
        (
            ["__import__('os')", "a=1"],
            "unknown function '__import__'; available: neg, exp, log, tanh, sigmoid, relu, sqrt, abs, sin, cos, max, min (column 1)",
        ),
        (["a**1e9", "a=2"], "exponent 1e+09 is too large (the limit is 1000) (column 1)"),
        (["sqrt(a)", "a=-4"], "sqrt is undefined for x = -4.0 (needs x >= 0)"),
        (["sin(a, a)", "a=1"], "sin() takes exactly one argument (column 1)"),
    ],
)
def test_bad_input_exits_2_without_traceback(args, message):
    result = subprocess.run(
        [sys.executable, "-m", "autograd_tiny", "explain", *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    # Our message on one line, no traceback; a syntax error adds the expression and a caret.
    first, *rest = result.stderr.splitlines()
    assert first == f"autograd-tiny: error: {message}"
    assert len(rest) == (2 if message.startswith("syntax error") else 0)
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_sin_is_an_op_of_the_command_line_too(capsys):
    """Issue 20: every built-in op of one operand is callable, sin(a)*b among them."""
    assert main(["explain", "sin(a)*b", "a=0", "b=2"]) == 0
    out = capsys.readouterr().out
    assert "t1 = sin(a) = 0" in out and "∂out/∂a = 2" in out and "∂out/∂b = 0" in out


def test_forward_prints_the_forward_narrative(capsys):
    assert main(["explain", "--forward", "a", "(a*b + c)*f", "a=2", "b=-3", "c=10", "f=-2"]) == 0
    out = capsys.readouterr().out
    assert "Forward-mode sweep along a (6 steps, one per edge, from the inputs to out):" in out
    assert "  1. ∂t1/∂a₍₁₎ = b = −3;  tangent ∂a/∂a = 1;  contribution (−3) × 1 = −3;  ∂t1/∂a = −3" in out
    assert out.splitlines()[-2:] == [
        "Result: ∂out/∂a = 6  (what out.backward() puts in a.grad)",
        "Why reverse mode: forward mode: 1 sweep per input; to get ∂out/∂ all 4 inputs it takes 4 sweeps; "
        "reverse mode (backward) takes 1.",
    ]


def test_forward_after_the_expression_and_in_markdown(capsys):
    assert main(["explain", "-a*b", "a=2", "b=-3", "--forward=b", "--markdown"]) == 0
    out = capsys.readouterr().out
    assert r"**Result**: $\frac{\partial \mathrm{out}}{\partial \mathrm{b}} = -2$" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--forward", "z", "a*b", "a=1", "b=2"],
            "--forward z: the expression has no input named 'z'; its inputs: a, b",
        ),
        (
            ["--forward", "a", "a*b", "a=1", "b=2", "--html", "s.html"],
            "--html draws the backward pass's stepper; leave out --forward for it (or --html)",
        ),
    ],
)
def test_forward_bad_input_exits_2(args, message):
    result = subprocess.run(
        [sys.executable, "-m", "autograd_tiny", "explain", *args], capture_output=True, text=True, timeout=60
    )
    assert (result.returncode, result.stderr, result.stdout) == (2, f"autograd-tiny: error: {message}\n", "")
