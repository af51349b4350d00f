"""The `autograd-tiny` command: graph and explain-free basics, exit codes, no tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from autograd_tiny.app.cli import main

PNG = b"\x89PNG\r\n\x1a\n"


def run(*args):
    return subprocess.run([sys.executable, "-m", "autograd_tiny", *args], capture_output=True, text=True, timeout=120)


def test_graph_writes_a_png_and_prints_its_path(tmp_path):
    out = tmp_path / "graph.png"
    result = run("graph", "tanh(a*b + c)", "a=2", "b=-3", "c=1", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    assert out.read_bytes().startswith(PNG)


def test_graph_without_grad(tmp_path, capsys):
    out = tmp_path / "graph.svg"
    assert main(["graph", "a*2", "a=3", "-o", str(out), "--no-grad"]) == 0
    svg = out.read_text()
    assert "grad " not in svg and "data 6.0000" in svg


@pytest.mark.parametrize(
    "args",
    [
        ["graph", "a*", "a=1"],
        ["graph", "a*b", "a=1"],
        ["graph", "a", "a=x"],
        ["graph", "a.__class__", "a=1"],
        ["graph", "__import__('os').system('echo hacked')", "a=1"],
        ["graph", "log(a)", "a=-1"],
        ["graph", "a", "a=1", "-o", "graph.gif"],
        ["graph", "a**10**10", "a=2"],
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_traceback(args, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "autograd_tiny", *args], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "hacked" not in result.stdout
    # One line; a syntax error adds the expression and a caret under the column.
    lines = 3 if result.stderr.startswith("autograd-tiny: error: syntax error") else 1
    assert result.stderr.startswith("autograd-tiny: error: ") and result.stderr.count("\n") == lines
    assert os.listdir(tmp_path) == []


def test_missing_renderer_exits_1(tmp_path, monkeypatch):
    env = dict(os.environ, AUTOGRAD_TINY_DOT=str(tmp_path / "missing"))
    result = subprocess.run(
        [sys.executable, "-m", "autograd_tiny", "graph", "a*2", "a=1", "-o", str(tmp_path / "g.svg")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1 and "AUTOGRAD_TINY_DOT" in result.stderr and "Traceback" not in result.stderr


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "demo" in capsys.readouterr().out


def test_version(capsys):
    with pytest.raises(SystemExit, match=r"^0$"):  # argparse exits with code 0 after printing
        main(["--version"])
    assert "0.1.0" in capsys.readouterr().out
