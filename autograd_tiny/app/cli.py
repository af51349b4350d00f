"""The `autograd-tiny` command: ``demo``, ``graph``, ``explain`` (``--forward NAME``: forward mode),
``handouts`` (the notebooks as offline HTML pages), ``playground`` (a static site that runs the
package in the browser) and ``serve`` (a quick look at it).

Each subcommand is a thin layer over the library: it parses its arguments, calls the
public API and turns expected errors into a one-line message with exit status 2 (bad
input) or 1 (the environment, e.g. no renderer), never a traceback.
"""

from __future__ import annotations

import argparse
import codecs
import io
import math
import os
import signal
import sys
from collections.abc import Sequence

from .. import __version__
from ..core.graph import topological_order, value_names
from ..core.notation import local_derivative
from ..core.optional import MissingDependencyError
from ..core.value import Value, operands
from ..show.explain import explain
from ..show.render import draw_dot, visible
from ..show.text import number
from .demo import run_demo
from .expression import ExpressionError, build_expression, parse_values
from .handouts import write_handouts
from .playground import PYODIDE_CDN, error_caret, make_server, write_site

# Exit statuses. A closed pipe (``| head -1``) ends the command as SIGPIPE ends other tools.
OK, FAILED, BAD_INPUT = 0, 1, 2
BROKEN_PIPE = 128 + getattr(signal, "SIGPIPE", 13)

EXPRESSION_HELP = (
    'an expression, e.g. "tanh(a*b + c)" (quote it); one starting with a minus works as it is, '
    'or after --: explain -- "-a*b" a=2 b=3'
)


def _add_expression_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("expression", help=EXPRESSION_HELP)
    parser.add_argument("values", nargs="*", metavar="NAME=NUMBER", help="a value for each name, e.g. a=2 b=-3")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `autograd-tiny` command."""
    parser = argparse.ArgumentParser(
        prog="autograd-tiny",
        description="A scalar autodiff engine for learning backpropagation.",
    )
    parser.add_argument("--version", action="version", version=f"autograd-tiny {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="train a small MLP on a toy dataset and save plots",
        description="Train an MLP on a toy dataset with micrograd's recipe; save plots and a graph.",
    )
    demo.add_argument("--steps", type=int, default=100, help="training steps, 1 to 10000 (default: 100)")
    demo.add_argument("--seed", type=int, default=1337, help="seed for data and weights (default: 1337)")
    demo.add_argument(
        "--dataset",
        default="moons",
        choices=["moons", "circles", "xor", "spirals"],
        help="toy dataset (default: moons)",
    )
    demo.add_argument(
        "--hidden",
        default="16,16",
        help="hidden layer sizes, comma-separated: up to 8 layers of up to 512 neurons, 10000 weights in all "
        "(default: 16,16)",
    )
    demo.add_argument("--optimizer", default="sgd", choices=["sgd", "adam"], help="optimizer (default: sgd)")
    demo.add_argument("--out", default="autograd_tiny_demo", help="output folder (default: ./autograd_tiny_demo/)")
    demo.add_argument("--compiled", action="store_true", help="train with compile_graph: the same losses, much faster")
    demo.set_defaults(handler=_run_demo)

    graph = commands.add_parser(
        "graph",
        help="draw the computation graph of an expression",
        description="Evaluate an expression, run backward(), and draw its graph to a file.",
    )
    _add_expression_arguments(graph)
    graph.add_argument(
        "-o", "--output", default="graph.svg", help="output file: .svg, .png or .pdf (default: graph.svg)"
    )
    graph.add_argument("--no-grad", action="store_true", help="draw values only, without running backward()")
    graph.add_argument("--rankdir", default="LR", choices=["LR", "TB", "RL", "BT"], help="layout direction")
    graph.set_defaults(handler=_run_graph)

    explain = commands.add_parser(
        "explain",
        help="explain the backward pass of an expression step by step",
        description="Evaluate an expression and narrate the chain rule, one edge at a time.",
    )
    _add_expression_arguments(explain)
    explain.add_argument("--markdown", action="store_true", help="print Markdown with LaTeX instead of plain text")
    explain.add_argument("--html", metavar="PATH", help="also write an interactive HTML stepper to PATH")
    explain.add_argument(
        "--quiz",
        action="store_true",
        help="make the HTML page (--html) a quiz: it asks for each step's contribution before showing it",
    )
    explain.add_argument(
        "--forward",
        metavar="NAME",
        help="narrate forward mode instead: the tangents d(value)/d(NAME) from the inputs to the output",
    )
    explain.set_defaults(handler=_run_explain)

    handouts = commands.add_parser(
        "handouts",
        help="write the notebooks as HTML pages that need no network",
        description="Write each notebook as an HTML page (maths as MathML, pictures embedded) and an index.html.",
    )
    handouts.add_argument("out", metavar="DIR", help="the folder to write the pages to (created if missing)")
    handouts.add_argument(
        "--from",
        dest="source",
        metavar="NOTEBOOK_DIR",
        default="notebooks",
        help="the folder of the student notebooks (default: ./notebooks)",
    )
    handouts.add_argument(
        "--solutions",
        action="store_true",
        help="also write the notebooks of NOTEBOOK_DIR/solutions to DIR/solutions/",
    )
    handouts.set_defaults(handler=_run_handouts)

    playground = commands.add_parser(
        "playground",
        help="write the browser playground, a static site, into a folder",
        description="Write a static site where the package runs in the browser (Pyodide): type an expression, "
        "see its graph with data and grad, step through it; a link carries the exercise.",
    )
    playground.add_argument("dir", metavar="DIR", help="the site's folder (made if missing)")
    playground.add_argument(
        "--pyodide",
        metavar="URL",
        default=PYODIDE_CDN,
        help="where the page loads Pyodide from: http(s), or a path relative to the page for an offline "
        f"classroom (default: {PYODIDE_CDN})",
    )
    playground.set_defaults(handler=_run_playground)

    serve = commands.add_parser(
        "serve",
        help="serve a folder (the playground) on 127.0.0.1",
        description="Serve DIR on 127.0.0.1 only, for a quick look at the playground; Ctrl-C stops it.",
    )
    serve.add_argument("dir", metavar="DIR", help="the folder to serve")
    serve.add_argument("--port", type=int, default=8000, help="the port, 0 for any free one (default: 8000)")
    serve.set_defaults(handler=_run_serve)
    return parser


def _fail(message: str, status: int) -> int:
    print(f"autograd-tiny: error: {message}", file=sys.stderr)
    return status


def _warn(message: str) -> None:
    print(f"autograd-tiny: warning: {message}", file=sys.stderr)


def _build(args: argparse.Namespace):
    """The expression's root Value, built from the command line's text and values."""

    return build_expression(args.expression, parse_values(args.values))


def _first_non_finite(root) -> str | None:
    """A one-line description of the first value (in computing order) that is inf or nan.

    Checks the values, then the local derivatives (``sqrt`` at 0 has slope inf), so a learner
    is told where a non-finite number first appears rather than finding nan at the end.
    """

    order = topological_order(root)
    names = value_names(order)
    for node in order:
        if not math.isfinite(node.data):
            if node.const is not None and not math.isfinite(node.const):
                reason = f"the constant {number(node.const)} in it"
            elif math.isnan(node.data):
                reason = "undefined, e.g. inf - inf or 0 * inf"
            else:
                reason = "overflow: the result exceeds 1.8e308"
            return f"{visible(names[node])} = {number(node.data, decimals=4)} ({reason})"
    for node in order:
        # A local derivative is named by its operand slot (a constant operand counts), as explain does.
        slots = [slot for slot, each in enumerate(operands(node), start=1) if isinstance(each, Value)]
        for parent, slot, slope in zip(node.parents, slots, node.local_derivatives):
            if not math.isfinite(slope):
                symbol = local_derivative(visible(names[node]), visible(names[parent]), slot)
                return (
                    f"the local derivative {symbol} = {number(slope, decimals=4)} "
                    f"(at {visible(names[parent])} = {number(parent.data)}); gradients through it are not finite"
                )
    return None


def _warn_non_finite(root) -> None:
    found = _first_non_finite(root)
    if found is not None:
        _warn(found)


def _run_demo(args: argparse.Namespace) -> int:

    return run_demo(
        steps=args.steps,
        seed=args.seed,
        dataset=args.dataset,
        hidden=args.hidden,
        optimizer=args.optimizer,
        out=args.out,
        compiled=args.compiled,
    )


def _run_graph(args: argparse.Namespace) -> int:

    root = _build(args)
    _warn_non_finite(root)
    if not args.no_grad:
        root.backward()
    path = draw_dot(root, rankdir=args.rankdir, show_grad=not args.no_grad).save(args.output)
    print(path)
    return OK


def _run_explain(args: argparse.Namespace) -> int:

    if args.quiz and not args.html:
        # Checked before anything is printed: a quiz is a page, and no page was asked for.
        raise ValueError("--quiz makes the HTML page a quiz: add --html PATH (e.g. --html quiz.html)")
    if args.forward is not None and args.html:
        raise ValueError("--html draws the backward pass's stepper; leave out --forward for it (or --html)")
    root = _build(args)
    _warn_non_finite(root)
    if args.forward is not None:
        forward = explain(root, mode="forward", wrt=_named_input(root, args.forward))
        print(forward.markdown() if args.markdown else str(forward))
        return OK
    # The command's values are fresh: backward() stores the gradients the narrative derives,
    # so it has nothing to say about .grad differing from them.
    root.backward()
    explanation = explain(root)
    if args.html:
        explanation.check_html_size()  # before printing: a refusal after the narrative is easily missed
    print(explanation.markdown() if args.markdown else str(explanation))
    if args.html:
        print(explanation.save_html(args.html, quiz=args.quiz))
    return OK


def _run_handouts(args: argparse.Namespace) -> int:
    for path in write_handouts(args.out, source=args.source, solutions=args.solutions):
        print(path)
    return OK


def _run_playground(args: argparse.Namespace) -> int:
    written = write_site(args.dir, args.pyodide)
    print(f"wrote {len(written)} files to {args.dir}; look at it with: autograd-tiny serve {args.dir}")
    return OK


def _run_serve(args: argparse.Namespace) -> int:
    server = make_server(args.dir, args.port)
    port = server.server_address[1]
    print(f"serving {args.dir} at http://127.0.0.1:{port}/ (Ctrl-C stops it)", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return OK


def _named_input(root: Value, name: str) -> Value:
    """The input of the expression called `name` (for ``explain --forward NAME``)."""
    inputs = [node for node in topological_order(root) if not node.parents and node.label]
    for node in inputs:
        if node.label == name:
            return node
    names = ", ".join(sorted(node.label for node in inputs)) or "none"
    raise ValueError(f"--forward {name}: the expression has no input named {name!r}; its inputs: {names}")


# Options of `graph` and `explain`, and those of them that take a value.
_EXPRESSION_OPTIONS = {
    "-h",
    "--help",
    "-o",
    "--output",
    "--no-grad",
    "--rankdir",
    "--markdown",
    "--html",
    "--quiz",
    "--forward",
}
_TAKES_VALUE = {"-o", "--output", "--rankdir", "--html", "--forward"}


def _protect_expression(argv: list[str]) -> list[str]:
    """Let ``graph``/``explain`` take an expression that starts with ``-`` (``"-a*b"``).

    argparse reads any word starting with ``-`` as an option. The first word in the
    expression's place that is not one of the command's options is the expression: a space
    in front hides its minus from argparse (the expression is stripped before parsing).

    >>> _protect_expression(["explain", "-a*b", "a=1", "b=2", "--markdown"])
    ['explain', ' -a*b', 'a=1', 'b=2', '--markdown']
    >>> _protect_expression(["graph", "-o", "g.svg", "-x", "x=1"])
    ['graph', '-o', 'g.svg', ' -x', 'x=1']
    """
    if not argv or argv[0] not in ("graph", "explain"):
        return argv
    words = list(argv)
    i = 1
    while i < len(words):
        word = words[i]
        if word == "--" or not word.startswith("-"):
            break  # the expression comes next (after --) or is this word
        option = word.split("=", 1)[0]
        if option in _EXPRESSION_OPTIONS or (word[:2] == "-o" and not word.startswith("--")):
            i += 2 if word in _TAKES_VALUE else 1  # -o g.svg, or -og.svg / --output=g.svg in one word
            continue
        if not word.startswith("--"):
            words[i] = " " + word  # an expression: -a*b, -1, -tanh(x)
        break
    return words


def _check_arguments(argv: list[str]) -> str | None:
    """What is wrong with words that are not valid text (bytes that are not UTF-8), if any."""
    for position, word in enumerate(argv, 1):
        try:
            word.encode("utf-8")
        except UnicodeEncodeError:
            # os.fsencode gives back the bytes the shell passed (decoded with surrogateescape).
            try:
                raw = os.fsencode(word)
            except UnicodeEncodeError:
                raw = word.encode("utf-8", "backslashreplace")
            return (
                f"argument {position} ({ascii(raw)[2:-1]}) is not valid UTF-8 text; "
                f"type it in UTF-8 (check the terminal's encoding, e.g. LANG=C.UTF-8)"
            )
    return None


def _tolerant_output() -> None:
    """Print, rather than crash, where stdout cannot encode ∂ or · (PYTHONIOENCODING=ascii).

    Characters the encoding lacks are written as escapes (``\\u2202``) instead of raising
    UnicodeEncodeError.
    """
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None)
        if not encoding or not hasattr(stream, "reconfigure"):
            continue  # a replaced stream (tests, notebooks) handles text itself
        # "strict", or "surrogateescape" (Python's choice under LANG=C), would raise on ∂.
        if codecs.lookup(encoding).name not in ("utf-8", "utf-16", "utf-32") and stream.errors != "backslashreplace":
            stream.reconfigure(errors="backslashreplace")


def _show_error_position(text: str, column: int | None) -> None:
    """Under an expression error, the expression and a caret under the column it names."""
    caret = error_caret(text, column)
    if caret:  # none under text with tabs or control characters: it would point elsewhere
        print(caret, file=sys.stderr)


def _silence_stdout() -> None:
    """Point file descriptor 1 at /dev/null, so Python's own flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _quiet_broken_pipe() -> int:
    """The reader of stdout went away (``| head -1``): stop without a traceback."""
    _silence_stdout()
    return BROKEN_PIPE


def _closed_stdout() -> str | None:
    """Why the command's output could not be written at all (stdout closed), or None.

    Started with ``>&-``, a process has no file descriptor 1 and Python sets ``sys.stdout`` to
    None: every print would vanish. Checked before any work, so nothing is computed in vain.
    """
    stream = sys.stdout
    if stream is not None:
        try:
            os.fstat(stream.fileno())
            return None
        except (AttributeError, ValueError, io.UnsupportedOperation):
            return None  # a replaced stream (tests, notebooks) without a file descriptor
        except OSError:
            pass  # descriptor 1 was closed after Python started
    return (
        "standard output is closed (>&-), so the result cannot be shown; "
        "send it to a terminal, a file (> out.txt) or /dev/null"
    )


class _OutputError(Exception):
    """Writing to standard output failed (a full disk, an I/O error); holds the OSError."""


class _Output:
    """sys.stdout while a command runs: a failed write is reported as standard output's.

    Without it, ``> /dev/full`` gives a bare "[Errno 28] No space left on device" that does
    not say which of the command's outputs (stdout, the drawing, the page) failed.
    """

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise  # the reader went away: quiet, handled by main
        except OSError as error:
            raise _OutputError(error) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as error:
            raise _OutputError(error) from None

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with `argv` (default: ``sys.argv[1:]``); return the exit status."""

    _tolerant_output()
    argv = list(sys.argv[1:] if argv is None else argv)
    problem = _check_arguments(argv)
    if problem is not None:
        return _fail(problem, BAD_INPUT)
    parser = build_parser()
    args = parser.parse_args(_protect_expression(argv))
    if args.command is None:
        parser.print_help()
        return BAD_INPUT
    closed = _closed_stdout()
    if closed is not None:
        return _fail(closed, FAILED)
    stdout = sys.stdout
    sys.stdout = _Output(stdout)
    try:
        status = args.handler(args)
        sys.stdout.flush()  # a closed pipe shows here, not in Python's flush at exit
        return status
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except _OutputError as error:
        _silence_stdout()
        cause = error.args[0]
        return _fail(f"cannot write to standard output: {cause.strerror or cause}", FAILED)
    except KeyboardInterrupt:
        return _fail("interrupted", FAILED)
    except ExpressionError as error:
        status = _fail(str(error), BAD_INPUT)
        if str(error).startswith("syntax error"):  # the other errors name what is wrong in words
            _show_error_position(args.expression, error.column)
        return status
    # An optional package the command needs (the demo's matplotlib): one line with the
    # install command, exit 1, as for the environment below.
    except MissingDependencyError as error:
        return _fail(str(error), FAILED)
    # Bad input (an expression, a value, a path) is the user's to fix: one line, exit 2.
    except (ValueError, TypeError, ZeroDivisionError, OverflowError) as error:
        return _fail(str(error), BAD_INPUT)
    # The environment (a missing renderer, an unwritable folder): one line, exit 1.
    except (RuntimeError, OSError) as error:
        return _fail(str(error), FAILED)
    finally:
        if sys.stdout is not stdout and isinstance(sys.stdout, _Output):
            sys.stdout = stdout
