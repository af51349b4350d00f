"""Compiled graphs: trace a graph once, generate straight-line Python for it, run it fast.

`compile_graph(root, inputs)` writes the graph out as one Python function: a forward pass
with one line per value, then a backward pass with one line per edge — the chain rule written
out, each line commented with the step it performs. Calling the result evaluates that code for
new input values, either plain floats or NumPy arrays (every sample at once).

>>> from autograd_tiny import Value
>>> x, w, b = Value(1.0, label="x"), Value(0.5, label="w"), Value(0.1, label="b")
>>> y = (w * x + b).tanh()
>>> f = compile_graph(y, inputs=[x, w, b])
>>> value, grads = f([2.0, 0.5, 0.1])
>>> round(value, 6), [round(g, 6) for g in grads]
(0.800499, [0.179601, 0.718403, 0.359201])

The numbers are exactly those of rebuilding the graph at the new values and calling
``backward()``: the generated code repeats the engine's float operations in the engine's
order, including the order in which a value used several times sums its contributions.

**Training.** Trace *one sample's* loss with the parameters and the sample as inputs, then
evaluate it on the whole batch: parameters as plain numbers, the sample's features and label
as NumPy arrays. Each gradient comes back per sample; with ``reduce="mean"`` you get the
batch mean instead, computed with one matrix product per layer (``f.batch_source(...)`` shows
that code). `autograd_tiny.fast.training.CompiledTrainingStep` packages the whole step:

>>> import numpy as np
>>> from autograd_tiny import MLP
>>> model = MLP(2, [4, 1], seed=0)
>>> params = model.parameters()
>>> x0, x1, label = Value(0.0, label="x0"), Value(0.0, label="x1"), Value(1.0, label="y")
>>> one_sample = (1 + -label * model([x0, x1])).relu()          # one sample's hinge loss
>>> step = compile_graph(one_sample, params + [x0, x1, label])
>>> X0, X1, Y = np.array([0.5, -1.0, 2.0]), np.array([1.0, 0.0, -0.5]), np.array([1.0, -1.0, 1.0])
>>> losses, grads = step([p.data for p in params] + [X0, X1, Y])
>>> losses.shape, len(grads) == len(params) + 3, grads[0].shape
((3,), True, (3,))
>>> mean_loss, mean_grads = step([p.data for p in params] + [X0, X1, Y], reduce="mean")
>>> bool(abs(mean_loss - losses.mean()) < 1e-12), mean_grads.shape
(True, (20,))

Tracing one sample keeps the generated code small (about 700 lines for micrograd's
``MLP(2, [16, 16, 1])``) and lets NumPy do the per-sample work.

**Errors.** With floats, the compiled code raises what the engine raises for the same values
(``ValueError`` for log of x <= 0, ``ZeroDivisionError`` for division by zero,
``OverflowError`` when exp overflows, ...). With arrays it raises the same exception types and
names the first sample that is out of the domain; NumPy warnings never replace an error
by a silent NaN. Plain arithmetic that overflows (``1e200 * 1e200``) gives inf, as with floats.

**Limits: the graph is traced once.** See `compile_graph`.
"""

from __future__ import annotations

import keyword
import math
import operator
import re
import unicodedata
from collections.abc import Mapping, Sequence
from itertools import repeat
from typing import Any

from ..core.graph import topological_order, value_names
from ..core.limits import check_graph_size
from ..core.notation import local_derivative
from ..core.ops import Op, as_number, escape_hidden, rule_of
from ..core.optional import load
from ..core.value import Value, operands
from ..learn.names import layer_of
from .arrays import array_helpers

__all__ = ["CompiledGraph", "compile_graph"]

# What needs NumPy, for the message when it is missing: floats never do.
NUMPY_FEATURE = "compiled code on batches (NumPy arrays, reduce=, batch, CompiledTrainingStep)"

# The largest graph compile_graph compiles: values, and edges (operand uses). Code takes one
# line per value and per edge; at this size compiling takes about a second and 150 MB, and a
# million values take minutes and fail with MemoryError. Real graphs are far smaller:
# micrograd's whole training batch (MLP(2, [16, 16, 1]) on 100 points, as the benchmark
# unrolls it) has 8,112 values and 69,148 edges, and one sample's graph, called with arrays
# of every sample, is the better way to compile a batch anyway.
COMPILE_LIMIT = 100_000


# --------------------------------------------------------------------------------------
# Code generation. Every op's code (forward and local derivatives, as Python expressions over
# the operands' variable names) and the functions that code calls on floats come from its
# registry entry (autograd_tiny.core.ops), their NumPy versions from autograd_tiny.fast.arrays:
# they repeat the engine's float operations in the engine's order and raise its errors, so
# compiled numbers equal eager ones.
# --------------------------------------------------------------------------------------

# Names the generated code may use besides the ops' helpers: inf and nan have no literal.
_CONSTANTS = {"_inf": math.inf, "_nan": math.nan}


def _helper_names(order: list) -> dict[Op, str]:
    """The name each rule's own functions take in the generated code (its ``{op}``).

    Built-in ops call shared functions with fixed names (``_div``, ``_exp``): theirs is "".
    Each op of your own gets ``_op1_NAME``, ``_op2_NAME``, ... in the order the graph first
    uses it. The number makes every name unique, whatever the ops are called (``f`` and
    ``f_d0``, or two versions of one name): an op's name never starts with a digit, so the
    number ends where the name begins. Value names never start with ``_``.
    """
    names: dict[Op, str] = {}
    count = 0
    for node in order:
        if node.parents:
            rule = rule_of(node)
            if rule not in names:
                if not rule.builtin:
                    count += 1
                names[rule] = "" if rule.builtin else f"_op{count}_{rule.name}"
    return names


def _namespace(helper_names: dict[Op, str], kind: str) -> dict:
    """The functions the rules call, under their names, for floats or (kind "array") NumPy arrays."""
    namespace = dict(_CONSTANTS)
    for rule, prefix in helper_names.items():
        helpers = rule.float_helpers if kind == "float" else array_helpers(rule, require_numpy())
        namespace.update({prefix + key: function for key, function in helpers.items()})
    return namespace


def _plain_float(x: Any, what: str) -> float:
    """`x` as a plain ``float``, read from the number itself and never from its ``repr``.

    Accepted: floats and float subclasses, ints, and NumPy scalars (or 0-d arrays) of any
    real dtype. A subclass's own ``__repr__``, ``__format__`` or ``__float__`` is never
    called: ``float.__float__`` reads the stored double directly.

    >>> _plain_float(3, "x"), _plain_float(True, "x")
    (3.0, 1.0)
    >>> _plain_float("3", "the constant x")
    Traceback (most recent call last):
    ...
    TypeError: the constant x must be a number (an int, a float or a NumPy number), got str; set it with float(...)
    """
    if isinstance(x, float):
        return float.__float__(x)  # exact float, even for a subclass (NumPy's float64 is one)
    if isinstance(x, int):
        try:
            return float(int.__index__(x))  # int.__index__: the stored integer, not a subclass's __float__
        except OverflowError:
            raise ValueError(
                f"{what} is an integer too large for a float ({len(str(abs(int.__index__(x))))} "
                f"digits); use a number below 1.8e308"
            ) from None
    kind = getattr(getattr(x, "dtype", None), "kind", "")
    if type(x).__module__ == "numpy" and getattr(x, "ndim", None) == 0 and kind in "biuf":
        value = float(x.item()) if kind in "biu" else float(x)
        return _plain_float(value, what)  # NumPy's conversion gives an exact float; checked anyway
    raise TypeError(
        f"{what} must be a number (an int, a float or a NumPy number), got {type(x).__name__}; set it with float(...)"
    )


def _literal(x: float) -> str:
    """A plain float as Python source: repr round-trips exactly; inf and nan have no literal.

    >>> _literal(2.5), _literal(-0.0), _literal(float("-inf")), _literal(float("nan"))
    ('2.5', '(-0.0)', '(-_inf)', '_nan')
    """
    if type(x) is not float:  # only numbers we converted ourselves are ever written
        raise TypeError(f"internal error: {type(x).__name__} reached the code generator; convert with _plain_float")
    if math.isnan(x):
        return "_nan"
    if math.isinf(x):
        return "_inf" if x > 0 else "(-_inf)"
    text = float.__repr__(x)
    return f"({text})" if math.copysign(1.0, x) < 0 else text


# Everything that ends a line for Python, or for an editor showing the source: a comment
# holding one of them could continue as code on the next line.
def _comment(text: str) -> str:
    r"""`text` as a one-line ``#`` comment, whatever it holds.

    Line breaks, control characters, separators and lone surrogates (which cannot even be
    compiled) are shown as escapes (`ops.escape_hidden`, as every output shows labels).

    >>> print(_comment("a\nb\u2028c"))
    # a\nb\u2028c
    """
    return "# " + escape_hidden(text)


def _identifier(name: str) -> str:
    """A safe Python name for a value's name: letters, digits and underscores only.

    Non-ASCII letters stay (``α``) when Python would not rewrite them (NFKC), so two
    different labels never become the same variable behind our back.
    """
    base = re.sub(r"\W", "_", name)
    if not (base.isidentifier() and unicodedata.normalize("NFKC", base) == base):
        base = re.sub(r"\W", "_", name, flags=re.ASCII)
    # Prefixed: names starting with a digit or "_" (the helpers' names), keywords, and names
    # that look like a gradient variable ("grad_x").
    if not base or not base[0].isalpha() or keyword.iskeyword(base) or base.startswith("grad_"):
        base = "v_" + base
    return base if base.isidentifier() and not keyword.iskeyword(base) else "v"


def _identifiers(order: list) -> dict:
    """A valid, unique Python name for every value, from `graph.value_names` where possible."""
    taken: set = set()
    names = {}
    for node, name in value_names(order).items():
        base = _identifier(name)
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}_{n}"
        taken.add(candidate)
        names[node] = candidate
    return names


def _numbers(order: list, is_input: set, name: dict) -> dict:
    """Every number the source will hold (constants), as plain floats we converted ourselves."""
    numbers = {}
    for node in order:
        if node.const is not None:
            numbers[node] = _plain_float(node.const, f"the constant operand of {name[node]} ({node.op})")
        elif not node.parents and node not in is_input:
            numbers[node] = _plain_float(node.data, f"the value of {name[node]} (a constant: a leaf not in inputs)")
    return numbers


def _generate(root: Value, inputs: list) -> tuple[str, str, dict]:
    """Source of the full function and of a forward-only one, and the rules they use (`_helper_names`)."""
    order = topological_order(root)
    name = _identifiers(order)
    helper = _helper_names(order)
    in_graph = set(order)
    is_input = set(inputs)
    grad = {node: f"grad_{name[node]}" for node in order}

    def text(operand, for_code):
        if isinstance(operand, Value):
            return name[operand]
        return _literal(operand) if for_code else f"{operand:g}"  # a plain float: see `numbers`

    numbers = _numbers(order, is_input, name)

    def operand_list(node):
        return [numbers[node] if not isinstance(o, Value) else o for o in operands(node)]

    arguments = ", ".join(name[v] if v in in_graph else f"_unused{i}" for i, v in enumerate(inputs))
    header = f"def compiled({arguments}):"
    forward = ["    # forward pass: one line per value"]
    for node in order:
        if not node.parents:
            if node not in is_input:
                forward.append(f"    {name[node]} = {_literal(numbers[node])}  # constant")
            continue
        rule = rule_of(node)
        texts = [text(o, True) for o in operand_list(node)]
        template = rule.code_template(len(texts), node.const is None)
        written = rule.write([text(o, False) for o in operand_list(node)], out=name[node])
        forward.append(f"    {name[node]} = {template.format(*texts, op=helper[rule])}  {_comment(written)}")

    backward = [
        "    # backward pass: the chain rule, one line per edge, in backward()'s order",
        "    # contribution = local derivative · upstream gradient; a value's gradient sums them",
        f"    {grad[root]} = 1.0",
    ]
    received: set = {root}
    top = name[root]
    for node in reversed(order):
        if not node.parents:
            continue
        rule = rule_of(node)
        texts = [text(o, True) for o in operand_list(node)]
        symbols = [text(o, False) for o in operand_list(node)]
        operand_indexes = [i for i, o in enumerate(operand_list(node)) if isinstance(o, Value)]
        for parent, operand_index in zip(node.parents, operand_indexes):
            code = rule.derivative_code_template(len(texts), operand_index)
            local = code.format(*texts, out=name[node], op=helper[rule])
            # The engine multiplies local · upstream even when local is ±1; both are exact.
            if local == "1.0":
                contribution = grad[node]
            elif local == "-1.0":
                contribution = f"-{grad[node]}"
            else:
                contribution = f"{local} * {grad[node]}"
            formula = rule.derivative(operand_index, symbols, out=name[node])
            seen = parent in received
            # At the root the chain has one link: ∂out/∂t = (local) · grad_out, not the
            # circular-looking ∂out/∂t = ∂out/∂t · ∂out/∂out.
            local_symbol = local_derivative(name[node], name[parent], operand_index + 1)
            chain = "" if node is root else f"{local_symbol} · ∂{top}/∂{name[node]} = "
            comment = _comment(f"∂{top}/∂{name[parent]} {'+=' if seen else '='} {chain}({formula}) · {grad[node]}")
            if seen:
                # Never `+=`: with arrays that would change in place a gradient that another
                # variable may share (grad_a = grad_b).
                backward.append(f"    {grad[parent]} = {grad[parent]} + {contribution}  {comment}")
            else:
                backward.append(f"    {grad[parent]} = {contribution}  {comment}")
                received.add(parent)
    for node in inputs:
        if node in in_graph and node not in received:  # cannot happen: every node reaches the root
            backward.append(f"    {grad[node]} = 0.0")
    results = ", ".join(grad[v] if v in in_graph else "0.0" for v in inputs)
    result = f"    return {top}, [{results}]"
    full = "\n".join([header, *forward, *backward, result]) + "\n"
    forward_only = "\n".join([header, *forward, f"    return {top}"]) + "\n"
    return full, forward_only, helper


# --------------------------------------------------------------------------------------
# The matrix form, for a batch reduced to its mean or sum (``reduce="mean"``). Parameters
# are shared by every sample, so the neurons of one layer — `affine` nodes that read the
# same inputs — are one matrix product over all samples: z = W @ X + b, and backward
# ∂W = ∂z @ Xᵀ (summed over the samples), ∂b = Σ ∂z, ∂X = Wᵀ @ ∂z. The activation applied
# to each neuron of such a layer is one line too. Everything else is written as in the
# per-sample code, on arrays. Matrix products add in their own order, so the numbers
# agree with the engine's to rounding (about 1e-16 relative), not bit for bit.
# --------------------------------------------------------------------------------------


class _Block:
    """Graph nodes computed by one matrix line: one row per node, one column per sample."""

    def __init__(self, name: str, rows: list, kind: str) -> None:
        self.name = name  # the variable holding the matrix
        self.rows = rows  # the graph's nodes, row by row
        self.kind = kind  # "affine" (z = W @ X + b) or an op applied to each row of `source`
        self.rule: Op | None = None  # that op's rule, when it is one
        self.source: _Block | None = None  # the block an op is applied to
        self.xs: tuple = ()  # affine: the inputs every row reads
        self.start = 0  # affine: position in `inputs` of the first row's first weight

    @property
    def width(self) -> int:
        return len(self.xs)


def _neuron_name(node: Value, fallback: str) -> str:
    return node.scope if isinstance(node.scope, str) and node.scope else fallback


def _span(rows: list, name: dict) -> str:
    """Which nodes a block computes, for its comment: ``L1.N1..L1.N16``."""
    first, last = _neuron_name(rows[0], name[rows[0]]), _neuron_name(rows[-1], name[rows[-1]])
    return first if len(rows) == 1 else f"{first}..{last}"


def _affine_blocks(order: list, input_index: dict, shared: set, uses: dict, name: dict) -> list:
    """The layers of `affine` nodes that can be one matrix product each.

    A node joins when its weights and bias are shared inputs used by it alone, listed
    together in `inputs` as w1..wn, b (the order of ``parameters()``); its layer is the
    run of such nodes reading the same inputs, in the same scope prefix (``L1``), whose
    parameters follow each other in `inputs`.
    """
    blocks: list = []
    open_runs: dict = {}
    for node in order:
        if node.op != "affine" or node.const is not None:
            continue
        n = (len(node.parents) - 1) // 2
        params = (*node.parents[:n], node.parents[2 * n])
        if not all(p in shared and uses[p] == 1 for p in params):
            continue
        start = input_index[params[0]]
        if [input_index[p] for p in params] != list(range(start, start + n + 1)):
            continue
        scope = _neuron_name(node, "")
        key = (node.parents[n : 2 * n], layer_of(scope) or scope)
        run = open_runs.get(key)
        if run is None or run.start + len(run.rows) * (n + 1) != start:
            run = _Block("", [], "affine")
            run.xs, run.start = node.parents[n : 2 * n], start
            open_runs[key] = run
            blocks.append(run)
        run.rows.append(node)
    return blocks


def _op_blocks(blocks: list, consumers: dict, taken: set) -> list:
    """Blocks of one op applied to every row of a block (a layer's activations), repeatedly."""
    new: list = []
    work = list(blocks)
    while work:
        block = work.pop(0)
        firsts = [c for c in consumers[block.rows[0]] if c.const is None and len(c.parents) == 1 and c not in taken]
        if not firsts:
            continue
        rule = rule_of(firsts[0])  # the rule, not the name: two versions of an op are two ops
        rows = []
        for row in block.rows:
            match = [
                c
                for c in consumers[row]
                if c.const is None and len(c.parents) == 1 and c not in taken and rule_of(c) is rule
            ]
            if not match:
                break
            rows.append(match[0])
        if len(rows) != len(block.rows):
            continue
        applied = _Block("", rows, rule.name)
        applied.rule = rule
        applied.source = block
        taken.update(rows)
        new.append(applied)
        work.append(applied)
    return new


def _generate_matrix(root: Value, inputs: list, per_sample: tuple, numbers: dict) -> tuple[str, dict]:
    """Source of the batch function in matrix form for one layout of inputs, and its ops.

    `per_sample[i]` says whether input i is an array (one entry per sample) or shared. The
    function is ``compiled_batch(_shared, <per-sample inputs>, _n, _seed)``: `_shared` holds
    the shared inputs' numbers in order, `_n` is the number of samples and `_seed` the
    gradient of the reduced value with respect to each sample's root (1/n for a mean). It
    returns the root (per sample) and every input's gradient of the reduced value.
    `numbers` are the constants as they were when the graph was compiled.
    """
    order = topological_order(root)
    name = _identifiers(order)
    helper = _helper_names(order)
    is_input = set(inputs)
    in_graph = set(order)
    input_index = {v: i for i, v in enumerate(inputs)}
    shared_at: dict[Value, int] = {}
    for i, v in enumerate(inputs):
        if not per_sample[i]:
            shared_at[v] = len(shared_at)
    uses: dict = {node: 0 for node in order}
    consumers: dict = {node: [] for node in order}
    for node in order:
        for p in node.parents:
            uses[p] += 1
            consumers[p].append(node)

    linear = _affine_blocks(order, input_index, set(shared_at), uses, name)
    blocks = linear + _op_blocks(linear, consumers, {row for b in linear for row in b.rows})
    taken = set(name.values())

    def fresh(base: str) -> str:
        base = _identifier(base)
        candidate, k = base, 1
        # Clear of every name and of every name's derived names (`<block>_x`, `grad_<block>_3`).
        while candidate in taken or any(t.startswith(candidate + "_") or candidate.startswith(t + "_") for t in taken):
            k += 1
            candidate = f"{base}{k}"
        taken.add(candidate)
        return candidate

    row_of = {}
    for block in blocks:
        neuron = _neuron_name(block.rows[0], "")
        prefix = layer_of(neuron) or neuron or "layer"
        block.name = fresh(f"{prefix}_{'z' if block.kind == 'affine' else block.kind}")
        for i, row in enumerate(block.rows):
            row_of[row] = (block, i)
    block_params = {p for b in linear for row in b.rows for p in row.parents if p not in b.xs}

    def expr(operand) -> str:
        if not isinstance(operand, Value):
            return _literal(operand)
        if operand in row_of:
            block, i = row_of[operand]
            return f"{block.name}[{i}]"
        return name[operand]

    def shown(operand) -> str:
        return f"{operand:g}" if not isinstance(operand, Value) else expr(operand)

    def operand_list(node):
        return [numbers[node] if not isinstance(o, Value) else o for o in operands(node)]

    def x_matrix(block) -> str:
        """The block's inputs as a matrix: a block's variable, or (named `<block>_x`) rows stacked."""
        source = row_of.get(block.xs[0], (None, 0))[0]
        if source is not None and list(source.rows) == list(block.xs):
            return source.name
        return f"{block.name}_x"

    batch_arguments = [name[v] if v in in_graph else f"_unused{i}" for i, v in enumerate(inputs) if per_sample[i]]
    arguments = ", ".join(["_shared", *batch_arguments, "_n", "_seed"])
    lines = [f"def compiled_batch({arguments}):", "    # forward pass: one line per value, one matrix line per layer"]
    done: set = set()
    first_row: dict[_Block, Value] = {}
    for node in order:
        if node in row_of:
            block = row_of[node][0]
            first_row.setdefault(block, node)
            if block in done:
                continue
            done.add(block)
            m = len(block.rows)
            if block.kind == "affine":
                n, s = block.width, shared_at[inputs[block.start]]
                if x_matrix(block) == f"{block.name}_x":
                    stacked = ", ".join(expr(x) for x in block.xs)
                    lines.append(f"    {block.name}_x = _rows(_n, {stacked})  # the inputs, one row each")
                lines += [
                    f"    {block.name}_Wb = _shared[{s}:{s + m * (n + 1)}].reshape({m}, {n + 1})"
                    f"  {_comment(f'{_span(block.rows, name)}: weights and bias, one row per neuron')}",
                    f"    {block.name} = {block.name}_Wb[:, :{n}] @ {x_matrix(block)} + {block.name}_Wb[:, {n}:]"
                    f"  {_comment(f'{_span(block.rows, name)}: z = W·x + b, every sample at once')}",
                ]
            else:
                assert block.rule is not None and block.source is not None  # an op's block has both
                code = block.rule.code_template(1, True).format(block.source.name, op=helper[block.rule])
                formula = block.rule.write([block.source.name], out=block.name)
                lines.append(
                    f"    {block.name} = {code}  {_comment(f'{_span(block.rows, name)}: {formula}, row by row')}"
                )
            continue
        if not node.parents:
            if node not in is_input:
                lines.append(f"    {name[node]} = {_literal(numbers[node])}  # constant")
            elif not per_sample[input_index[node]] and node not in block_params:
                lines.append(f"    {name[node]} = _shared.item({shared_at[node]})")
            continue
        rule = rule_of(node)
        texts = [expr(o) for o in operand_list(node)]
        template = rule.code_template(len(texts), node.const is None)
        written = rule.write([shown(o) for o in operand_list(node)], out=expr(node))
        lines.append(f"    {name[node]} = {template.format(*texts, op=helper[rule])}  {_comment(written)}")

    lines += [
        "    # backward pass: each sample's root starts with gradient _seed (1/n for a mean);",
        "    # a matrix line sums its samples' contributions, the rest are summed at the end",
        f"    _grad = _zeros({len(inputs)})",
    ]
    received: set = set()

    def grad_of(node) -> str:
        if node in row_of:
            block, i = row_of[node]
            return f"grad_{block.name}_{i}"
        return f"grad_{name[node]}"

    def add(target: str, contribution: str, comment: str = "") -> None:
        tail = f"  {_comment(comment)}" if comment else ""
        if target in received:
            lines.append(f"    {target} = {target} + {contribution}{tail}")
        else:
            lines.append(f"    {target} = {contribution}{tail}")
            received.add(target)

    add(grad_of(root), "_seed")
    for node in reversed(order):
        if node in row_of:
            block = row_of[node][0]
            if first_row[block] is node:
                _backward_block(block, add, received, lines, name, x_matrix, row_of, grad_of, helper)
            continue
        if not node.parents:
            continue
        rule = rule_of(node)
        texts = [expr(o) for o in operand_list(node)]
        symbols = [shown(o) for o in operand_list(node)]
        operand_indexes = [i for i, o in enumerate(operand_list(node)) if isinstance(o, Value)]
        upstream = grad_of(node)
        for parent, at in zip(node.parents, operand_indexes):
            local = rule.derivative_code_template(len(texts), at).format(*texts, out=expr(node), op=helper[rule])
            contribution = {"1.0": upstream, "-1.0": f"-{upstream}"}.get(local, f"{local} * {upstream}")
            formula = rule.derivative(at, symbols, out=expr(node))
            add(grad_of(parent), contribution, f"∂/∂{shown(parent)} += ({formula}) · {upstream}")
    for i, v in enumerate(inputs):
        if v in in_graph and v not in block_params:
            lines.append(f"    _grad[{i}] = _total({grad_of(v)})  # summed over the samples")
    lines.append(f"    return {expr(root)}, _grad")
    return "\n".join(lines) + "\n", helper


def _backward_block(block, add, received, lines, name, x_matrix, row_of, grad_of, helper) -> None:
    """The backward lines of one block: gather its rows' gradients, then one matrix line."""
    m = len(block.rows)
    rows = [f"grad_{block.name}_{i}" for i in range(m)]
    if any(r in received for r in rows):
        gathered = ", ".join(r if r in received else "0.0" for r in rows)
        add(f"grad_{block.name}", f"_rows(_n, {gathered})", "the rows' gradients as one matrix")
    upstream = f"grad_{block.name}"
    span = _span(block.rows, name)
    if block.kind == "affine":
        n = block.width
        x = x_matrix(block)
        lines += [
            f"    {block.name}_gWb = _grad[{block.start}:{block.start + m * (n + 1)}].reshape({m}, {n + 1})"
            f"  {_comment(f'{span}: where their weights and bias gradients go')}",
            f"    {block.name}_gWb[:, :{n}] = {upstream} @ {x}.T  {_comment('∂/∂W = ∂/∂z · xᵀ, summed over the samples')}",
            f"    {block.name}_gWb[:, {n}] = _total({upstream})  {_comment('∂/∂b = ∂/∂z, summed over the samples')}",
        ]
        contribution = f"{block.name}_Wb[:, :{n}].T @ {upstream}"
        source = row_of.get(block.xs[0], (None, 0))[0]
        if source is not None and x == source.name:
            add(f"grad_{source.name}", contribution, "∂/∂x = Wᵀ · ∂/∂z")
        else:
            add(f"grad_{block.name}_x", contribution, "∂/∂x = Wᵀ · ∂/∂z")
            for j, xj in enumerate(block.xs):
                add(grad_of(xj), f"grad_{block.name}_x[{j}]")
    else:
        source = block.source.name
        rule = block.rule
        local = rule.derivative_code_template(1, 0).format(source, out=block.name, op=helper[rule])
        contribution = {"1.0": upstream, "-1.0": f"-{upstream}"}.get(local, f"{local} * {upstream}")
        formula = rule.derivative(0, [source], out=block.name)
        add(f"grad_{source}", contribution, f"{span}: ∂/∂{source} = ({formula}) · ∂/∂{block.name}, row by row")


def _plain_values(values: Sequence, positions: tuple) -> tuple[list, list] | None:
    """(the numbers, the arrays as float64) if `values` holds arrays at `positions` and plain floats elsewhere.

    None if not, or if there is a NaN: see `CompiledGraph._plain`.
    """
    numbers = list(values)
    for i in reversed(positions):
        del numbers[i]
    # Exactly float, by identity: a float subclass may convert differently (the checked path sees to it).
    if sum(map(operator.is_, map(type, numbers), repeat(float))) != len(numbers):
        return None
    # The sum is NaN when a number is (or when inf meets -inf: rare, and the checked path accepts it).
    total = sum(numbers)
    if total != total:
        return None
    arrays = [_float_array(values[i]) for i in positions]
    if any(a is None for a in arrays) or len({a.shape for a in arrays}) > 1:
        return None
    return numbers, arrays


def _float_array(array: Any) -> Any:
    """`array` as float64 if it is a 1-D NumPy array of real numbers without NaN, else None.

    Not copied when it is float64 already: the generated code never writes into its arguments.
    """
    np = require_numpy()
    if type(array) is not np.ndarray or array.ndim != 1 or array.dtype.kind not in "iuf":
        return None
    array = array.astype(np.float64, copy=False)
    return None if np.isnan(array).any() else array


def _number(i: int, v: Any) -> float:
    """Value number `i` as a float, or the error that says what to pass instead."""
    if type(v).__module__ == "numpy" and getattr(v, "ndim", None) == 0 and v.dtype.kind in "iuf":
        v = v.item()  # a 0-d array is a number
    return as_number(v, f"value {i}", hint="pass a number or a 1-D NumPy array")


class CompiledGraph:
    """A graph compiled to Python: call it with input values to get the value and gradients.

    Made by `compile_graph`. Calling it runs the generated code (`source`); `forward` runs the
    forward part only.

    Attributes:
        source: the generated function, forward then backward, one line per node or edge.
        inputs: the input `Value` objects, in the order their values are passed.
    """

    def __init__(self, root: Value, inputs: list) -> None:
        self.inputs = inputs
        self.source, self._forward_source, self._ops = _generate(root, inputs)
        self._functions: dict = {}
        # The matrix form depends on which inputs are arrays, known only at call time: it is
        # written then, from the graph as it is now and the constants as they are now.
        self._root = root
        order = topological_order(root)
        self._constants = _numbers(order, set(inputs), _identifiers(order))
        self._matrix: dict = {}
        self._layout: tuple = ((), ())  # the last call's array positions and its layout (see `_plain`)

    def batch_source(self, per_sample: Sequence[Value]) -> str:
        """The matrix-form code used by ``reduce="mean"`` when the inputs `per_sample` are arrays.

        Each layer's neurons (`affine` nodes reading the same inputs, with their parameters
        among the shared inputs) are one matrix line, whose comment names them.

        >>> from autograd_tiny import Layer
        >>> x0, x1 = Value(0.0, label="x0"), Value(0.0, label="x1")
        >>> layer = Layer(2, 3, seed=0)
        >>> f = compile_graph(sum(layer([x0, x1])), layer.parameters() + [x0, x1])
        >>> print(f.batch_source([x0, x1]).splitlines()[4])
            L1_z = L1_z_Wb[:, :2] @ L1_z_x + L1_z_Wb[:, 2:]  # L1.N1..L1.N3: z = W·x + b, every sample at once
        """
        arrays = set(per_sample)
        return self._matrix_code(tuple(v in arrays for v in self.inputs))[0]

    def _matrix_code(self, layout: tuple) -> tuple[str, Any]:
        """The matrix-form source and function for `layout` (which inputs are arrays), made once."""
        if layout not in self._matrix:
            source, ops = _generate_matrix(self._root, self.inputs, layout, self._constants)
            np = require_numpy()
            namespace = {
                "__builtins__": {},
                **_namespace(ops, "array"),
                "_rows": _rows_function(np),
                "_zeros": np.zeros,
                "_total": _total,
            }
            exec(compile(source, "<autograd_tiny.compiled_batch>", "exec"), namespace)
            self._matrix[layout] = (source, namespace["compiled_batch"])
        return self._matrix[layout]

    def _function(self, kind: str, forward_only: bool):
        key = (kind, forward_only)
        if key not in self._functions:
            # The helpers are chosen here, at call time: math for floats, NumPy for arrays,
            # so the same source serves both and NumPy is imported only when arrays appear.
            # Only the helpers of the graph's own ops, read from their registry entries.
            namespace = {"__builtins__": {}, **_namespace(self._ops, kind)}
            source = self._forward_source if forward_only else self.source
            # The source is generated from the graph only: names are sanitised identifiers
            # and constants are float literals, so no user text is ever executed.
            exec(compile(source, "<autograd_tiny.compiled>", "exec"), namespace)
            self._functions[key] = namespace["compiled"]
        return self._functions[key]

    def _plain(self, values: Sequence) -> tuple[tuple, tuple, list, list] | None:
        """The common call, checked in bulk: (the arrays' positions, the layout, the numbers, the arrays), or None.

        A training step passes hundreds of parameters as plain floats and a few data arrays;
        checking them one by one (`_prepare_each`) costs more than the step's own arithmetic.
        Here a list or tuple of exactly `float` numbers and 1-D NumPy arrays of real numbers of
        one length, without NaN, is checked with a few whole-list operations (`_plain_values`).
        Anything else gives None: `_prepare_each` then checks input by input and raises the
        error that names the first bad one, so both paths accept, refuse and compute the same.
        The layout (which inputs are arrays) is remembered: it is usually the same every call.
        """
        if (type(values) is not list and type(values) is not tuple) or len(values) != len(self.inputs):
            return None
        positions, layout = self._layout
        checked = _plain_values(values, positions)
        if checked is None:  # other inputs are arrays this time, or something is not plain
            positions = tuple(i for i, v in enumerate(values) if type(v) is not float)
            checked = _plain_values(values, positions)
            if checked is None:
                return None
            layout = tuple(i in positions for i in range(len(values)))
            self._layout = (positions, layout)
        return positions, layout, *checked

    def _prepare(self, values: Sequence) -> tuple[str, list]:
        """("float" or "array", the values ready to pass to the generated code): `_plain`, else `_prepare_each`."""
        plain = self._plain(values)
        if plain is None:
            return self._prepare_each(values)
        positions, _, numbers, arrays = plain
        if not arrays:
            return "float", numbers
        out = list(values)
        for i, array in zip(positions, arrays):
            out[i] = array
        return "array", out

    def _prepare_each(self, values: Sequence) -> tuple[str, list]:
        # A mapping would give its keys and a set an arbitrary order: both would compute silently
        # with the wrong numbers, so only ordered sequences (and a 1-D array) are taken.
        ordered = isinstance(values, (list, tuple)) or (
            type(values).__module__ == "numpy" and getattr(values, "ndim", 0) == 1
        )
        if not ordered:
            shown = (
                "a dict (values are passed by position, not by name)"
                if isinstance(values, Mapping)
                else type(values).__name__
            )
            raise TypeError(
                f"values must be a list with one number or array per input, in the order of `inputs`, got {shown}; "
                f"e.g. f([2.0, 0.5])"
            )
        values = list(values)
        if len(values) != len(self.inputs):
            raise ValueError(
                f"expected {len(self.inputs)} values (one per input, in the order of `inputs`), got {len(values)}"
            )
        is_array = [type(v).__module__ == "numpy" and getattr(v, "ndim", 0) > 0 for v in values]
        # Numbers stay Python floats even in a batch: NumPy broadcasts them, and arithmetic
        # on values shared by every sample (parameters) is done once, not once per sample.
        out: list[Any] = [v if array else _number(i, v) for i, (v, array) in enumerate(zip(values, is_array))]
        if not any(is_array):
            return "float", out
        np = require_numpy()
        shapes = {v.shape for v, array in zip(values, is_array) if array}
        if len(shapes) != 1 or len(next(iter(shapes))) != 1:
            raise ValueError(
                f"array values must be 1-D and of the same length (one entry per sample), got shapes {sorted(shapes)}; "
                f"pass plain numbers for values shared by every sample"
            )
        for i, array in enumerate(is_array):
            if not array:
                continue
            if out[i].dtype.kind not in "iuf":
                raise TypeError(
                    f"values must be numbers or 1-D NumPy arrays of numbers, got {out[i].dtype} for input {i}"
                )
            out[i] = out[i].astype(np.float64)
            nan = np.isnan(out[i])
            if nan.any():
                sample = int(np.flatnonzero(nan)[0])
                raise ValueError(f"value {i} is NaN in sample {sample}; pass numbers (Value() refuses NaN too)")
        return "array", out

    def _run(self, values: Sequence, forward_only: bool):
        kind, values = self._prepare(values)
        function = self._function(kind, forward_only)
        if kind == "float":
            return kind, function(*values), None
        np = require_numpy()
        # Domain errors are checked by the helpers and raised; what is left is what floats
        # do silently too (1e200 * 1e200 = inf, inf - inf = nan), so NumPy need not warn.
        # A division by zero that slipped past the checks would be a bug: raise it.
        with np.errstate(over="ignore", invalid="ignore", under="ignore", divide="raise"):
            result = function(*values)
        length = next(len(v) for v in values if np.ndim(v))
        handed_out = {id(v) for v in values}  # (all alive here, so their ids are unique)

        def spread(x):
            # One fresh array per result, one entry per sample. An array the code made is
            # handed out as it is, once: a copy costs more than the whole backward line.
            # Copied: numbers (a gradient the batch does not change), the caller's own
            # arrays, and an array that is the result twice (grad_a = grad_b).
            if type(x) is np.ndarray and x.shape == (length,) and id(x) not in handed_out:
                handed_out.add(id(x))
                return x
            return np.full(length, x, dtype=np.float64)

        return kind, result, spread

    def __call__(self, values: Sequence, reduce: str | None = None) -> tuple[Any, Any]:
        """The root's value and the gradient for each input, at `values`.

        With arrays, ``reduce="mean"`` gives the mean of the root over the samples and the
        gradients of that mean: ∂mean/∂input = the mean of the per-sample gradients. This is
        how a training step uses it: the parameters shared by every sample, the data as
        arrays. Layers of neurons are then computed as matrix products (see `batch_source`).

        >>> import numpy as np
        >>> x, w = Value(0.0, label="x"), Value(0.0, label="w")
        >>> f = compile_graph(w * x * x, [w, x])
        >>> f([3.0, np.array([1.0, 2.0])], reduce="mean")   # mean of 3·1 and 3·4; of 1 and 4; of 6 and 12
        (7.5, array([2.5, 9. ]))

        Args:
            values: one per input, in the order of `inputs`: numbers, or 1-D NumPy arrays of
                equal length (one entry per sample; numbers are shared by every sample).
            reduce: None (one value and gradient per sample), ``"mean"`` or ``"sum"`` over
                the samples.

        Returns:
            ``(value, grads)``: with ``reduce=None``, floats, or arrays with one entry per
            sample; with a reduction, a float and a NumPy array of one gradient per input.

        Raises:
            TypeError: `values` is not a list, tuple or 1-D array (a dict, a set, a string
                or an iterator would give numbers in the wrong order), or holds something
                other than numbers and 1-D arrays (a ragged list).
            ValueError: wrong number of values, arrays of different lengths, NaN, or an op
                outside its domain (log, sqrt, pow); ZeroDivisionError and OverflowError as
                the engine raises them.
        """
        if reduce is not None:
            _check_reduce(reduce)
            plain = self._plain(values)
            if plain is not None and plain[0]:  # numbers and arrays, checked in bulk
                _, layout, numbers, arrays = plain
                return self._reduced(layout, require_numpy().array(numbers, dtype=float), arrays, reduce)
            kind, values = self._prepare_each(values)
            if kind == "float":  # one sample: its mean and its sum are itself
                value, grads = self._function("float", False)(*values)
                return value, require_numpy().array(grads, dtype=float) + 0.0
            layout = tuple(not isinstance(v, float) for v in values)
            shared = require_numpy().array([v for v, array in zip(values, layout) if not array], dtype=float)
            return self._reduced(layout, shared, [v for v, array in zip(values, layout) if array], reduce)
        kind, (value, grads), spread = self._run(values, False)
        # Each gradient + 0.0, as backward() gives it: its sums start from a gradient of 0.0,
        # and 0.0 + (-0.0) is 0.0. The code's sum starts from the first contribution, so it
        # may end in -0.0 where backward() has 0.0; adding 0.0 changes nothing else.
        if kind == "float":
            return value, [g + 0.0 for g in grads]
        value = spread(value)
        grads = [spread(g) for g in grads]
        for g in grads:
            g += 0.0  # in place: each is an array of ours, handed out once (see `_run`)
        return value, grads

    def batch(self, shared: Any, samples: Sequence, *, reduce: str = "mean") -> tuple[float, Any]:
        """``f(list(shared) + list(samples), reduce=...)``, without going through a list.

        The fast path of a training step: the first ``len(shared)`` inputs (the parameters)
        take the numbers of the vector `shared`, the others one array each from `samples`.

        >>> import numpy as np
        >>> x, w = Value(0.0, label="x"), Value(0.0, label="w")
        >>> compile_graph(w * x * x, [w, x]).batch(np.array([3.0]), [np.array([1.0, 2.0])])
        (7.5, array([2.5, 9. ]))

        Returns:
            ``(value, grads)``: the reduced value and a NumPy array of one gradient per input.

        Raises:
            ValueError: the counts do not add up to the inputs, `shared` is not 1-D, the
                arrays are not 1-D of one length, or hold NaN.
        """
        _check_reduce(reduce)
        np = require_numpy()
        shared = np.asarray(shared, dtype=np.float64)
        samples = [np.asarray(a, dtype=np.float64) for a in samples]
        if shared.ndim != 1 or len(shared) + len(samples) != len(self.inputs) or not samples:
            raise ValueError(
                f"batch needs a 1-D vector for the first inputs and at least one array for the rest, "
                f"{len(self.inputs)} in all; got a vector of shape {shared.shape} and {len(samples)} arrays"
            )
        if len({a.shape for a in samples}) != 1 or samples[0].ndim != 1:
            raise ValueError(
                f"the sample arrays must be 1-D and of one length, got shapes {[a.shape for a in samples]}"
            )
        if np.isnan(shared).any() or any(np.isnan(a).any() for a in samples):
            raise ValueError("batch got NaN in its values; pass numbers (Value() refuses NaN too)")
        layout = (False,) * len(shared) + (True,) * len(samples)
        return self._reduced(layout, shared, samples, reduce)

    def _reduced(self, layout: tuple, shared: Any, samples: list, reduce: str) -> tuple[float, Any]:
        np = require_numpy()
        n = len(samples[0])
        if n == 0 and reduce == "mean":  # the mean of no numbers is not a number
            raise ValueError(
                "reduce='mean' needs at least one sample, got arrays of length 0; pass arrays with one entry per sample"
            )
        scale = 1.0 / n if reduce == "mean" else 1.0
        function = self._matrix_code(layout)[1]
        with np.errstate(over="ignore", invalid="ignore", under="ignore", divide="raise"):
            root, grads = function(shared, *samples, n, np.full(n, scale))
        grads += 0.0  # a zero gradient is 0.0, never -0.0, as backward() gives it (see __call__)
        if np.ndim(root):
            return float(root.sum()) * scale, grads
        return float(root) * (n * scale), grads  # the root is the same for every sample

    def forward(self, values: Sequence) -> Any:
        """The root's value only (no backward pass); takes the same values as calling."""
        kind, value, spread = self._run(values, True)
        return value if kind == "float" else spread(value)

    def __repr__(self) -> str:
        lines = self.source.count("\n")
        return f"<CompiledGraph: {len(self.inputs)} inputs, {lines} lines; print(f.source) to read it>"


def _check_reduce(reduce: Any) -> None:
    if reduce not in ("mean", "sum"):
        raise ValueError(f"reduce must be None, 'mean' or 'sum', got {reduce!r}")


def _total(x: Any) -> Any:
    """Sum over the samples (the last axis); a method call, which needs no builtins in the caller."""
    return x.sum(axis=-1)


def _rows_function(np: Any):
    """`_rows(n, *xs)` for the matrix code: numbers and arrays as the rows of one (len(xs), n) matrix."""

    def rows(n, *xs):
        out = np.empty((len(xs), n))
        for i, x in enumerate(xs):
            out[i] = x  # a number fills its row: it is the same for every sample
        return out

    return rows


def require_numpy() -> Any:
    """NumPy, which compiled code on batches needs (the ``fast`` extra); floats do not.

    Without it: one line that says so and gives the install command (`core.optional`).
    """
    return load("numpy", needed_by=NUMPY_FEATURE)


def _check_compile_size(root: Value) -> None:
    check_graph_size(
        root,
        COMPILE_LIMIT,
        "compile_graph",
        "compile the graph of one sample and call it with NumPy arrays holding every sample, "
        "as CompiledTrainingStep does",
    )


def compile_graph(root: Value, inputs: Sequence[Value]) -> CompiledGraph:
    """Compile the graph of `root` into Python code, a function of the leaves `inputs`.

    Every other leaf becomes a constant at its current value. The result `f` is called with
    one value per input, ``value, grads = f([...])``, and gives what rebuilding the graph at
    those values and calling ``backward()`` gives; ``print(f.source)`` shows the code. Values
    may be NumPy arrays of one entry per sample: then every sample is computed at once.

    **The graph is traced once.** Its structure must not depend on the input values, as with
    any tracing compiler: Python code that looks at ``.data`` while building the graph (an
    ``if``, a ``max()``, a loop that runs until a value is small) is frozen in the branch it
    took when the graph was built. Ops with a kink are fine: ``relu``'s local derivative is a
    mask and ``abs``'s a sign, decided again at every call and for every sample.

    >>> def absolute(x):
    ...     return x if x.data > 0 else -x   # a Python branch on the value
    >>> x = Value(2.0, label="x")
    >>> frozen = compile_graph(absolute(x), [x])
    >>> frozen([-3.0])                       # traced at x = 2: still returns x itself
    (-3.0, [1.0])
    >>> compile_graph(abs(x), [x])([-3.0])   # the op abs decides at every call
    (3.0, [-1.0])

    Args:
        root: the value to compute (a loss, usually).
        inputs: leaves of the graph whose values change between calls (parameters, data).
            An input the root does not depend on gets gradient 0.

    Returns:
        A `CompiledGraph`.

    Raises:
        TypeError: `root` or an input is not a `Value`.
        ValueError: an input is not a leaf, or is listed twice; `root` is a leaf that is not
            an input (a constant: a graph built inside ``no_grad()`` looks like that); or the
            graph has more than `COMPILE_LIMIT` (100,000) values or edges (checked before any
            code is written).
    """
    if not isinstance(root, Value):
        raise TypeError(f"compile_graph needs a Value as root, got {type(root).__name__}; build it from Values first")
    _check_compile_size(root)
    if isinstance(inputs, Value):
        raise TypeError("inputs must be a list of Values, got a single Value; write [x]")
    inputs = list(inputs)
    seen: set = set()
    for i, v in enumerate(inputs):
        if not isinstance(v, Value):
            raise TypeError(f"inputs must be Values (leaves of the graph), got {type(v).__name__} at position {i}")
        if v.parents:
            raise ValueError(
                f"inputs must be leaves; input {i} ({v!r}) was computed by {v.op!r}: pass the leaves it came from"
            )
        if v in seen:
            raise ValueError(f"input {i} ({v!r}) is listed twice; list each input once")
        seen.add(v)
    if not root.parents and root not in seen:
        # What a graph built inside no_grad() looks like: its root remembers no inputs.
        raise ValueError(
            f"compile_graph got a root that is a leaf and not one of the inputs ({root!r}): its compiled value "
            "would be a constant and every gradient 0; was the graph built inside no_grad()? build it with grad "
            "mode on"
        )
    return CompiledGraph(root, inputs)
