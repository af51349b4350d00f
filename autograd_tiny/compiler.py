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
as NumPy arrays. Each gradient comes back per sample; average them (and add the gradient of
any penalty on the parameters) — ``autograd_tiny.demo.CompiledStep`` does exactly this:

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
>>> for p, g in zip(params, grads):
...     p.grad = float(g.mean())                                # the batch-mean loss's gradient

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
import numbers
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from .engine import RULES, Value, operands
from .graph import topological_order, value_names

__all__ = ["CompiledGraph", "compile_graph"]


# --------------------------------------------------------------------------------------
# Code generation. Every op's code (forward and local derivatives, as Python expressions over
# the operands' variable names) and the functions that code calls, for floats and for NumPy
# arrays, come from its registry entry (autograd_tiny.ops): they repeat the engine's float
# operations in the engine's order and raise its errors, so compiled numbers equal eager ones.
# --------------------------------------------------------------------------------------

# Names the generated code may use besides the ops' helpers: inf and nan have no literal.
_CONSTANTS = {"_inf": math.inf, "_nan": math.nan}


def _namespace(op_names: set, kind: str) -> dict:
    """The functions the ops `op_names` call, for floats or (kind "array") NumPy arrays."""
    namespace = dict(_CONSTANTS)
    np = _numpy() if kind == "array" else None
    for name in sorted(op_names):
        entry = RULES[name]
        namespace.update(entry.float_helpers if kind == "float" else entry.array_helpers(np))
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
            raise ValueError(f"{what} is an integer too large for a float ({len(str(abs(int.__index__(x))))} "
                             f"digits); use a number below 1.8e308") from None
    dtype = getattr(x, "dtype", None)
    if type(x).__module__ == "numpy" and getattr(x, "ndim", None) == 0 and getattr(dtype, "kind", "") in "biuf":
        value = float(x.item()) if dtype.kind in "biu" else float(x)
        return _plain_float(value, what)  # NumPy's conversion gives an exact float; checked anyway
    raise TypeError(f"{what} must be a number (an int, a float or a NumPy number), got {type(x).__name__}; "
                    f"set it with float(...)")


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
_LINE_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _comment(text: str) -> str:
    """`text` as a one-line ``#`` comment, whatever it holds.

    Removed: control characters (NUL, ``\\n \\r \\x0b \\x0c \\x1c-\\x1e \\x85``), the line and
    paragraph separators ``\\u2028 \\u2029`` and lone surrogates (which cannot be compiled).

    >>> _comment("a\\nb\\u2028c")
    '# abc'
    """
    return "# " + _LINE_BREAKS.sub("", text)


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


def _generate(root: Value, inputs: list) -> tuple[str, str, set]:
    """Source of the full function and of a forward-only one, and the ops they use."""
    order = topological_order(root)
    name = _identifiers(order)
    in_graph = set(order)
    is_input = set(inputs)
    grad = {node: f"grad_{name[node]}" for node in order}

    def text(operand, for_code):
        if isinstance(operand, Value):
            return name[operand]
        return _literal(operand) if for_code else f"{operand:g}"  # a plain float: see `numbers`

    # Every number written into the source, as a plain float we converted ourselves.
    numbers = {}
    for node in order:
        if node.const is not None:
            numbers[node] = _plain_float(node.const, f"the constant operand of {name[node]} ({node.op})")
        elif not node.parents and node not in is_input:
            numbers[node] = _plain_float(node.data, f"the value of {name[node]} (a constant: a leaf not in inputs)")

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
        texts = [text(o, True) for o in operand_list(node)]
        template = RULES[node.op].code_template(len(texts), node.const is None)
        written = RULES[node.op].write([text(o, False) for o in operand_list(node)], out=name[node])
        forward.append(f"    {name[node]} = {template.format(*texts)}  {_comment(written)}")

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
        texts = [text(o, True) for o in operand_list(node)]
        symbols = [text(o, False) for o in operand_list(node)]
        positions = [i for i, o in enumerate(operand_list(node)) if isinstance(o, Value)]
        for parent, position in zip(node.parents, positions):
            local = RULES[node.op].derivative_code_template(len(texts), position).format(*texts, out=name[node])
            # The engine multiplies local · upstream even when local is ±1; both are exact.
            if local == "1.0":
                contribution = grad[node]
            elif local == "-1.0":
                contribution = f"-{grad[node]}"
            else:
                contribution = f"{local} * {grad[node]}"
            formula = RULES[node.op].derivative(position, symbols, out=name[node])
            seen = parent in received
            # At the root the chain has one link: ∂out/∂t = (local) · grad_out, not the
            # circular-looking ∂out/∂t = ∂out/∂t · ∂out/∂out.
            chain = "" if node is root else f"∂{name[node]}/∂{name[parent]} · ∂{top}/∂{name[node]} = "
            comment = _comment(
                f"∂{top}/∂{name[parent]} {'+=' if seen else '='} {chain}({formula}) · {grad[node]}"
            )
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
    return full, forward_only, {node.op for node in order if node.parents}


def _number(i: int, v: Any) -> float:
    """Value number `i` as a float, or the error that says what to pass instead."""
    if type(v).__module__ == "numpy" and getattr(v, "ndim", None) == 0 and v.dtype.kind in "iuf":
        v = float(v)  # a 0-d array is a number
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"values must be numbers or 1-D NumPy arrays, got {type(v).__name__} {v!r} for input {i}")
    v = float(v)
    if math.isnan(v):
        raise ValueError(f"value {i} is NaN; pass a number (Value() refuses NaN too)")
    return v


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
            exec(compile(source, "<autograd_tiny.compiled>", "exec"), namespace)  # noqa: S102
            self._functions[key] = namespace["compiled"]
        return self._functions[key]

    def _prepare(self, values: Sequence) -> tuple[str, list]:
        # A mapping would give its keys and a set an arbitrary order: both would compute silently
        # with the wrong numbers, so only ordered sequences (and a 1-D array) are taken.
        ordered = isinstance(values, (list, tuple)) or (type(values).__module__ == "numpy" and getattr(values, "ndim", 0) == 1)
        if not ordered:
            shown = "a dict (values are passed by position, not by name)" if isinstance(values, Mapping) else type(values).__name__
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
        out = [v if array else _number(i, v) for i, (v, array) in enumerate(zip(values, is_array))]
        if not any(is_array):
            return "float", out
        np = _numpy()
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
                raise TypeError(f"values must be numbers or 1-D NumPy arrays of numbers, got {out[i].dtype} for input {i}")
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
        np = _numpy()
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

    def __call__(self, values: Sequence) -> tuple[Any, list]:
        """The root's value and the gradient for each input, at `values`.

        Args:
            values: one per input, in the order of `inputs`: numbers, or 1-D NumPy arrays of
                equal length (one entry per sample; numbers are shared by every sample).

        Returns:
            ``(value, grads)``: floats, or arrays with one entry per sample.

        Raises:
            TypeError: `values` is not a list, tuple or 1-D array (a dict, a set, a string
                or an iterator would give numbers in the wrong order), or holds something
                other than numbers and 1-D arrays (a ragged list).
            ValueError: wrong number of values, arrays of different lengths, NaN, or an op
                outside its domain (log, sqrt, pow); ZeroDivisionError and OverflowError as
                the engine raises them.
        """
        kind, (value, grads), spread = self._run(values, False)
        if kind == "float":
            return value, grads
        return spread(value), [spread(g) for g in grads]

    def forward(self, values: Sequence) -> Any:
        """The root's value only (no backward pass); takes the same values as calling."""
        kind, value, spread = self._run(values, True)
        return value if kind == "float" else spread(value)

    def __repr__(self) -> str:
        lines = self.source.count("\n")
        return f"<CompiledGraph: {len(self.inputs)} inputs, {lines} lines; print(f.source) to read it>"


def _numpy():
    try:
        import numpy
    except ImportError:
        raise ImportError("batched evaluation needs NumPy: pip install numpy (or pip install autograd_tiny[numpy])") from None
    return numpy


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
        ValueError: an input is not a leaf, or is listed twice.
    """
    if not isinstance(root, Value):
        raise TypeError(f"compile_graph needs a Value as root, got {type(root).__name__}; build it from Values first")
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
    return CompiledGraph(root, inputs)
