"""Limits up front and a robust process: the demo's sizes, --out, names, argv bytes, pipes, encodings."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from autograd_tiny.app import demo
from autograd_tiny.app.cli import BROKEN_PIPE, build_parser, main
from autograd_tiny.app.expression import ExpressionError, build_expression, parse_values

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(*args, env=None, **kwargs):
    """`python -m autograd_tiny ARGS` as a user runs it, importing this checkout."""
    environment = dict(os.environ, PYTHONPATH=ROOT, **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "autograd_tiny", *args], capture_output=True, env=environment, timeout=120, **kwargs
    )


@pytest.fixture
def no_training(monkeypatch):
    """Fail the test if the demo starts training: every check must come first."""

    def refuse(**kwargs):
        raise AssertionError("training started before the options were checked")

    monkeypatch.setattr(demo, "train", refuse)


# ----------------------------------------------------------------------------- demo limits


@pytest.mark.parametrize(
    "args, message",
    [
        (["--hidden", "100000"], "--hidden sizes must be at most 512 neurons per layer, got 100000; try 16,16"),
        (["--hidden", "16,-3"], "--hidden sizes must be at least 1, got '16,-3'"),
        (["--hidden", "0"], "--hidden sizes must be at least 1, got '0'"),
        (["--hidden", ",".join(["4"] * 9)], "--hidden has 9 layers; at most 8 are allowed, e.g. 16,16"),
        (["--hidden", "1," * 10**5 + "1"], "--hidden has 100001 layers; at most 8 are allowed, e.g. 16,16"),
        (
            ["--hidden", "512,512"],
            "--hidden 512,512 makes a model with 264705 weights, more than the demo's limit "
            "of 10000 (each step would build a graph of millions of values); use smaller "
            "layers, e.g. 16,16",
        ),
        (
            ["--hidden", "9" * 5000],
            "--hidden must be whole numbers separated by commas, like 16,16; got "
            "'9999999999999999999999999999999999999999'",
        ),
        (["--steps", str(10**9)], "--steps must be a whole number from 1 to 10000, got 1000000000"),
        (["--steps", "0"], "--steps must be a whole number from 1 to 10000, got 0"),
        (["--steps", "-5"], "--steps must be a whole number from 1 to 10000, got -5"),
        (["--out", ""], "--out is empty; give a folder name, e.g. --out autograd_tiny_demo"),
    ],
)
def test_absurd_demo_options_exit_2_before_anything_is_allocated(
    args, message, no_training, tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    assert main(["demo", *args]) == 2
    assert capsys.readouterr().err == f"autograd-tiny: error: {message}\n"
    assert os.listdir(tmp_path) == []  # not even the default output folder


def test_a_file_in_place_of_out_exits_2(no_training, tmp_path, capsys):
    taken = tmp_path / "results"
    taken.write_text("my notes")
    assert main(["demo", "--out", str(taken)]) == 2
    assert capsys.readouterr().err == (
        f"autograd-tiny: error: --out {str(taken)!r} is a file, not a folder; choose another name or remove the file\n"
    )
    assert taken.read_text() == "my notes"


def test_out_under_a_file_exits_2(no_training, tmp_path, capsys):
    (tmp_path / "file").write_text("")
    out = str(tmp_path / "file" / "sub")
    assert main(["demo", "--out", out]) == 2
    assert capsys.readouterr().err == (
        f"autograd-tiny: error: --out {out!r} cannot be used as the output folder (Not a directory); "
        f"choose another folder\n"
    )


def test_out_is_created_and_writable_before_training(tmp_path, monkeypatch, capsys):
    out = tmp_path / "new" / "folder"
    seen = []

    def train(**kwargs):
        seen.append((out.is_dir(), os.listdir(out)))  # created, and the write test left nothing behind
        raise KeyboardInterrupt

    monkeypatch.setattr(demo, "train", train)
    assert main(["demo", "--out", str(out)]) == 1
    assert seen == [(True, [])]
    assert capsys.readouterr().err == "autograd-tiny: error: interrupted\n"


def test_weight_count_matches_the_model():
    from autograd_tiny import MLP

    for sizes in ([16, 16], [3], [5, 7, 2]):
        assert demo._weight_count(sizes) == len(MLP(2, [*sizes, 1]).parameters())
    assert demo._weight_count([4], outputs=3) == len(MLP(2, [4, 3]).parameters())


# ----------------------------------------------------------------------------- names and expressions


def test_names_are_nfkc_normalised_like_the_expression():
    assert parse_values(["ﬁ=1", "ｘ=2", "x²=3"]) == {"fi": 1.0, "x": 2.0, "x2": 3.0}
    root = build_expression("ﬁ * 2", parse_values(["ﬁ=3"]))  # Python reads ﬁ in the expression as fi
    assert root.data == 6.0 and root.parents[0].label == "fi"
    with pytest.raises(ExpressionError, match=r"^x is given twice \(names are compared after NFKC normalisation\)$"):
        parse_values(["x=1", "ｘ=2"])


def test_names_through_the_command(capsys):
    assert main(["explain", "ﬁ*2", "ﬁ=3"]) == 0
    assert "  fi = 3\n" in capsys.readouterr().out


def test_a_flat_sum_is_not_deep_nesting():
    text = "+".join(["a"] * 500)
    assert len(text) == 999
    root = build_expression(text, {"a": 1.0})
    assert root.data == 500.0
    root.backward()
    assert root.parents[0].parents[0].parents[1].label == "a"
    assert build_expression("a-a*a/a+" * 100 + "a", {"a": 2.0}).data == 2.0 + 100 * (2.0 - 2.0)
    nested = "(" * 50 + "a" + "+a)" * 50
    assert build_expression(nested, {"a": 1.0}).data == 51.0
    deep = "a+(" * 101 + "a" + ")" * 101
    with pytest.raises(ExpressionError, match=r"^the expression is nested more than 100 levels deep$"):
        build_expression(deep, {"a": 1.0})
    with pytest.raises(ExpressionError, match=r"^the expression is nested more than 100 levels deep$"):
        build_expression("-" * 150 + "a", {"a": 1.0})


def test_a_flat_sum_through_the_command(capsys):
    assert main(["explain", "+".join(["a"] * 500), "a=1"]) == 0
    assert "  out = t498 + a = 500\n" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, line",
    [
        (["explain", "-a*b", "a=2", "b=3"], "  out = t1 · b = −6\n"),
        (["explain", "--markdown", "-a*b", "a=2", "b=3"], "-6"),
        (["explain", "--", "-a*b", "a=2", "b=3"], "  out = t1 · b = −6\n"),
        (["explain", "-tanh(x)", "x=0"], "  out = −t1 = 0\n"),
    ],
)
def test_an_expression_starting_with_minus_works(args, line, capsys):
    assert main(args) == 0
    assert line in capsys.readouterr().out


def test_graph_with_a_leading_minus_after_options(tmp_path, capsys):
    out = tmp_path / "g.svg"
    assert main(["graph", "-o", str(out), "--no-grad", "-x", "x=1"]) == 0
    assert "data −1.0000" in out.read_text()  # the minus sign −, which the renderer keeps as is


def test_help_says_how_to_pass_a_minus_expression():
    text = " ".join(build_parser()._subparsers._group_actions[0].choices["explain"].format_help().split())
    assert 'one starting with a minus works as it is, or after --: explain -- "-a*b" a=2 b=3' in text


def test_syntax_errors_give_the_column_and_a_caret(capsys):
    assert main(["explain", "a*+ b)", "a=1", "b=1"]) == 2
    assert capsys.readouterr().err == (
        "autograd-tiny: error: syntax error: unmatched ')' (column 6)\n  a*+ b)\n       ^\n"
    )
    assert main(["graph", "(a +", "a=1"]) == 2
    assert capsys.readouterr().err == (
        "autograd-tiny: error: syntax error: '(' was never closed (column 1)\n  (a +\n  ^\n"
    )
    assert main(["explain", "a*", "a=1"]) == 2  # Python gives no column at the end of the text
    assert capsys.readouterr().err == (
        "autograd-tiny: error: syntax error: the expression ends too early (column 3)\n  a*\n    ^\n"
    )
    assert main(["graph", "a + b.c", "a=1", "b=1"]) == 2  # not a syntax error: one line, with its column
    assert capsys.readouterr().err == "autograd-tiny: error: attribute access is not allowed (column 5)\n"


# ----------------------------------------------------------------------------- non-finite values


def test_graph_warns_about_the_first_non_finite_value(tmp_path):
    out = tmp_path / "g.svg"
    result = run("graph", "(a*1e308 - a*1e308)*b", "a=2", "b=1", "-o", str(out), text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "autograd-tiny: warning: t1 = inf (overflow: the result exceeds 1.8e308)\n"
    svg = out.read_text()
    assert "data inf" in svg and "data nan" in svg


def test_warnings_name_nan_constants_and_slopes(tmp_path, capsys):
    assert main(["graph", "a*1e999", "a=2", "-o", str(tmp_path / "g.svg"), "--no-grad"]) == 0
    assert capsys.readouterr().err == "autograd-tiny: warning: out = inf (the constant inf in it)\n"
    assert main(["graph", "sqrt(a)", "a=0", "-o", str(tmp_path / "g.svg")]) == 0
    assert capsys.readouterr().err == (
        "autograd-tiny: warning: the local derivative ∂out/∂a₍₁₎ = inf (at a = 0); gradients through it are not finite\n"
    )


def test_explain_warns_too():
    result = run("explain", "a*1e308*10", "a=2", text=True)
    # (Whether explain itself then narrates inf is explain.py's business; the warning comes first.)
    assert result.stderr.splitlines()[0] == "autograd-tiny: warning: t1 = inf (overflow: the result exceeds 1.8e308)"


def test_finite_expressions_do_not_warn(capsys):
    assert main(["explain", "a*b", "a=2", "b=3"]) == 0
    assert capsys.readouterr().err == ""


# ----------------------------------------------------------------------------- the process


def test_invalid_utf8_arguments_give_one_line():
    result = run("explain", b"a\xff*2", "a=1")
    assert result.returncode == 2
    assert result.stderr == (
        b"autograd-tiny: error: argument 2 (a\\xff*2) is not valid UTF-8 text; "
        b"type it in UTF-8 (check the terminal's encoding, e.g. LANG=C.UTF-8)\n"
    )
    assert result.stdout == b""


def test_a_broken_pipe_exits_quietly():
    environment = dict(os.environ, PYTHONPATH=ROOT)
    process = subprocess.Popen(
        [sys.executable, "-m", "autograd_tiny", "explain", "+".join(["a"] * 500), "a=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
    )
    process.stdout.close()  # the reader is gone before anything is written: `| head -0`
    _, stderr = process.communicate(timeout=120)
    assert stderr == b""
    assert process.returncode == BROKEN_PIPE == 141


@pytest.mark.parametrize(
    "env",
    [
        {"PYTHONIOENCODING": "ascii"},
        {"PYTHONIOENCODING": "latin-1"},
        {"LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0", "PYTHONIOENCODING": ""},
    ],
)
def test_an_ascii_stdout_prints_escapes_instead_of_crashing(env):
    result = run("explain", "a*b", "a=2", "b=3", env=env)
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr
    assert b"  \\u2202out/\\u2202a = 3\n" in result.stdout
    # latin-1 has ·, ASCII has not
    assert b"  out = a \\xb7 b = 6\n" in result.stdout or b"  out = a \xb7 b = 6\n" in result.stdout


# ------------------------------------------------------------------- a closed standard output

_COMMANDS = [
    ["explain", "a*b", "a=2", "b=3"],
    ["explain", "a*b", "a=2", "b=3", "--markdown"],
    ["graph", "a*b", "a=2", "b=3", "-o", "{tmp}/g.svg"],
    ["demo", "--steps", "1", "--out", "{tmp}/demo"],
]


def _words(command: list, tmp_path) -> list:
    return [word.replace("{tmp}", str(tmp_path)) for word in command]


def run_to(stdout, *args, **kwargs):
    """`python -m autograd_tiny ARGS` with its stdout going to `stdout` (stderr captured)."""
    environment = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run(
        [sys.executable, "-m", "autograd_tiny", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        env=environment,
        timeout=120,
        **kwargs,
    )


@pytest.mark.skipif(os.name != "posix", reason="closes file descriptor 1 before exec")
@pytest.mark.parametrize("command", _COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_closed_stdout_is_one_line_before_any_work(command, tmp_path):
    # `autograd-tiny explain ... >&-`: the command starts with no file descriptor 1 and
    # Python sets sys.stdout to None. It printed into the void, then crashed on flush.
    result = run_to(None, *_words(command, tmp_path), preexec_fn=lambda: os.close(1))
    assert result.stderr == (
        b"autograd-tiny: error: standard output is closed (>&-), so the result cannot be shown; "
        b"send it to a terminal, a file (> out.txt) or /dev/null\n"
    )
    assert result.returncode == 1
    assert os.listdir(tmp_path) == []  # nothing drawn, nothing trained


@pytest.mark.parametrize("command", _COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_pipe_closed_by_the_reader_exits_quietly_with_141(command, tmp_path):
    # `| head -0`: the reader is gone before the command writes.
    reader, writer = os.pipe()
    os.close(reader)
    try:
        result = run_to(writer, *_words(command, tmp_path))
    finally:
        os.close(writer)
    assert b"Traceback" not in result.stderr and b"error" not in result.stderr
    assert result.returncode == BROKEN_PIPE


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_stdout_is_one_line():
    with open("/dev/full", "wb") as full:
        result = run_to(full, "explain", "a*b", "a=2", "b=3")
    assert result.stderr == b"autograd-tiny: error: cannot write to standard output: No space left on device\n"
    assert result.returncode == 1


def test_explain_html_refuses_a_large_graph_before_printing(tmp_path, capsys):
    page = tmp_path / "page.html"
    assert main(["explain", "+".join(["a"] * 60), "a=1", "--html", str(page)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no narrative printed before the refusal
    assert captured.err.startswith("autograd-tiny: error: the HTML stepper shows at most 50 values legibly")
    assert captured.err.count("\n") == 1
    assert not page.exists()
