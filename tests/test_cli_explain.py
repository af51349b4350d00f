"""`autograd-tiny explain`: text, Markdown, HTML, and bad input."""

from __future__ import annotations

import subprocess
import sys

import pytest

from autograd_tiny.cli import main


def test_text(capsys):
    assert main(["explain", "(a*b + c)*f", "a=2", "b=-3", "c=10", "f=-2"]) == 0
    out = capsys.readouterr().out
    assert "out = t2 · f = -8" in out
    assert "∂out/∂a = 6" in out and "∂out/∂b = -4" in out and "∂out/∂c = -2" in out and "∂out/∂f = 4" in out
    assert "Backward pass (6 steps" in out


def test_markdown_and_html(tmp_path, capsys):
    html = tmp_path / "steps.html"
    assert main(["explain", "a*a", "a=3", "--markdown", "--html", str(html)]) == 0
    out = capsys.readouterr().out
    assert r"\frac{\partial \mathrm{out}}{\partial \mathrm{a}} = 3 + 3 = 6" in out
    assert out.strip().endswith(str(html))
    assert "<svg" in html.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "args",
    [
        ["(a*b", "a=1", "b=2"],
        ["a*b", "a=1"],
        ["a", "a=one"],
        ["a.real", "a=1"],
        ["[a for a in a]", "a=1"],
        ["lambda: a", "a=1"],
        ["__import__('os')", "a=1"],
        ["a**1e9", "a=2"],
        ["sqrt(a)", "a=-4"],
    ],
)
def test_bad_input_exits_2_without_traceback(args):
    result = subprocess.run([sys.executable, "-m", "autograd_tiny", "explain", *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    # One line; a syntax error adds the expression and a caret under the column.
    lines = 3 if result.stderr.startswith("autograd-tiny: error: syntax error") else 1
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == lines
