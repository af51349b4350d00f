"""The `autograd-tiny` command: ``demo``, ``graph`` and ``explain``.

Each subcommand is a thin layer over the library: it parses its arguments, calls the
public API and turns expected errors into a one-line message with exit status 2 (bad
input) or 1 (the environment, e.g. no renderer), never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from . import __version__

# Exit statuses.
OK, FAILED, BAD_INPUT = 0, 1, 2


def _add_expression_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("expression", help='an expression, e.g. "tanh(a*b + c)" (quote it)')
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
    demo.add_argument("--steps", type=int, default=100, help="training steps (default: 100)")
    demo.add_argument("--seed", type=int, default=1337, help="seed for data and weights (default: 1337)")
    demo.add_argument(
        "--dataset",
        default="moons",
        choices=["moons", "circles", "xor", "spirals"],
        help="toy dataset (default: moons)",
    )
    demo.add_argument("--hidden", default="16,16", help="hidden layer sizes, comma-separated (default: 16,16)")
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
    graph.add_argument("-o", "--output", default="graph.svg", help="output file: .svg, .png or .pdf (default: graph.svg)")
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
    explain.set_defaults(handler=_run_explain)
    return parser


def _fail(message: str, status: int) -> int:
    print(f"autograd-tiny: error: {message}", file=sys.stderr)
    return status


def _build(args: argparse.Namespace):
    """The expression's root Value, built from the command line's text and values."""
    from .expression import build_expression, parse_values

    return build_expression(args.expression, parse_values(args.values))


def _run_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

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
    from .render import draw_dot

    root = _build(args)
    if not args.no_grad:
        root.backward()
    path = draw_dot(root, rankdir=args.rankdir, show_grad=not args.no_grad).save(args.output)
    print(path)
    return OK


def _run_explain(args: argparse.Namespace) -> int:
    from .explain import explain

    if args.quiz and not args.html:
        # Checked before anything is printed: a quiz is a page, and no page was asked for.
        raise ValueError("--quiz makes the HTML page a quiz: add --html PATH (e.g. --html quiz.html)")
    explanation = explain(_build(args))
    print(explanation.markdown() if args.markdown else str(explanation))
    if args.html:
        print(explanation.save_html(args.html, quiz=args.quiz))
    return OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with `argv` (default: ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return BAD_INPUT
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return _fail("interrupted", FAILED)
    # Bad input (an expression, a value, a path) is the user's to fix: one line, exit 2.
    except (ValueError, TypeError, ZeroDivisionError, OverflowError) as error:
        return _fail(str(error), BAD_INPUT)
    # The environment (a missing renderer, an unwritable folder): one line, exit 1.
    except (RuntimeError, OSError) as error:
        return _fail(str(error), FAILED)
