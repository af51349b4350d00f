"""The core's line budget (issue 20): autograd_tiny/core/ stays small enough to read after minimal.py.

The budget held: at most 2,400 lines in all of core/*.py, of which at most 1,200 are code
(lines that are not docstring, comment-only or blank).

Why not the ~1,500 the issue suggests: counted when this test was written, core/ had 2,439
lines, of which 1,232 code, 736 docstring (each public function's doctested example, what
each message and rule means), 140 comment and 331 blank lines. The code holds what the core
must hold: the checking of every plain-number input with one message style (`as_number`),
the number and label formatting every output shares, the op table and its float
functions, define_op's checks of a user's functions and texts, grad mode and scope per
thread and task, and the iterative graph walk that refuses cycles. Reaching 1,500 would mean
cutting the docstrings that teach, which the issue rules out; the duplication was cut
instead (one registry name, the constant-first twins made from their ops, the built-in rules
as a table of one row each, one block for no_grad and enable_grad).

The NumPy versions of the float functions then left ops.py for fast/arrays.py, and core/
gained optional.py (loading optional packages by name, 97 lines): 2,394 lines, 1,169 of code,
when the budget was lowered to 2,400 and 1,200. Lower it again whenever core shrinks.

Issue 21 (forward mode) added core/forward.py, 198 lines of which 95 code: the forward
sweep of tangents (`tangents`, `jvp`, the step by step `tangent_steps` the narrative reads)
and `sweep_counts`. It belongs in core beside the backward sweep, reading the same local
derivatives; the rest is docstring that teaches why reverse mode wins. Core then had 2,592
lines, 1,264 of code.

Derivatives of derivatives (issue 21) then added core/higher.py (the
backward pass recorded as a graph, kept apart from the float pass so that one keeps its
speed: about 100 lines, half of them code), the Value forms of the float rules in ops.py (power_slope,
power_log, step, sign, cos and sin dispatching on Values, so no rule is stated twice) and
backward(create_graph=True) in value.py and graph.py.

With both, core had 2,760 lines, 1,354 of code: the budget was 2,770 and 1,360.

Issue 22 added the built-in ops max and min (CS231n's "max routes"): their float functions
and registry rows in ops.py, `Value.max`/`Value.min` in value.py, 63 lines of which 29 code.
Core then had 2,823 lines, 1,383 of code: the budget is 2,830 and 1,390.
"""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

import autograd_tiny

CORE = Path(autograd_tiny.__file__).parent / "core"
LINE_BUDGET = 2830
CODE_BUDGET = 1390


def _counts(source: str) -> tuple[int, int]:
    """(all lines, code lines) of one file: code lines are neither docstring, comment nor blank."""
    lines = source.splitlines()
    text_lines: set = set()
    previous = None
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and token.line.lstrip().startswith("#"):  # a comment on its own line
            text_lines.add(token.start[0])
        elif token.type == tokenize.STRING and previous in (None, tokenize.INDENT, tokenize.DEDENT, tokenize.NEWLINE):
            text_lines.update(range(token.start[0], token.end[0] + 1))  # a docstring: a string standing alone
        if token.type not in (tokenize.NL, tokenize.COMMENT):
            previous = token.type
    blank = {i + 1 for i, line in enumerate(lines) if not line.strip()}
    return len(lines), len(lines) - len(text_lines | blank)


def test_core_holds_its_line_budget():
    files = sorted(CORE.glob("*.py"))
    assert {f.name for f in files} >= {"value.py", "ops.py", "graph.py"}
    counts = {f.name: _counts(f.read_text(encoding="utf-8")) for f in files}
    total = sum(lines for lines, _ in counts.values())
    code = sum(code for _, code in counts.values())
    assert total <= LINE_BUDGET, f"core/ has {total} lines, the budget is {LINE_BUDGET}: {counts}"
    assert code <= CODE_BUDGET, f"core/ has {code} lines of code, the budget is {CODE_BUDGET}: {counts}"


def test_the_counter_tells_code_from_text():
    source = '"""Doc."""\n\n# why\nx = 1  # note\n\n\ndef f():\n    """Doc\n    more."""\n    return "a string"\n'
    assert _counts(source) == (10, 3)  # x = 1 (with its note), def f():, return
