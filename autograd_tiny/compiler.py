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

**Limits: the graph is traced once.** Its structure must not depend on the input values, as
with any tracing compiler. Code that branches on ``.data`` while building the graph freezes
the branch taken at trace time::

    def f(x):
        return x * 2 if x.data > 0 else -x   # the branch is chosen when the graph is built
    x = Value(1.0); g = compile_graph(f(x), [x])
    g([-3.0])   # gives -6.0 (x * 2, the traced branch), not 3.0

Ops with a kink are fine: ``relu``'s derivative is a mask and ``abs``'s a sign, computed per
sample. Leaves that are not inputs are constants at the value they had when compiled.
"""

from __future__ import annotations

import keyword
import math
import re
from typing import Any, Sequence

from . import engine
from .engine import RULES, Value, operands
from .graph import topological_order, value_names

__all__ = ["compile_graph", "CompiledGraph"]


# --------------------------------------------------------------------------------------
# The functions generated code calls, for floats and for NumPy arrays. Both raise the
# engine's errors (log of x <= 0, division by zero, ...) instead of returning NaN.
# --------------------------------------------------------------------------------------


def _float_helpers() -> dict:
    def exp(x):
        try:
            return math.exp(x)
        except OverflowError:
            raise OverflowError(f"exp overflows for x = {x!r} (needs x <= 709.78)") from None

    def log(x):
        if x <= 0.0:
            raise ValueError(f"log is undefined for x = {x!r} (needs x > 0)")
        return math.log(x)

    def sqrt(x):
        if x < 0.0:
            raise ValueError(f"sqrt is undefined for x = {x!r} (needs x >= 0)")
        return math.sqrt(x)

    def sigmoid(x):
        if x >= 0.0:
            return 1.0 / (1.0 + math.exp(-x))
        e = math.exp(x)
        return e / (1.0 + e)

    def div(a, b):
        if b == 0.0:
            raise ZeroDivisionError(f"division by zero: {a!r} / 0.0 (divisor is 0)")
        return a / b

    def pow_log(out, a):
        if a < 0.0:
            raise ValueError(f"pow with a Value exponent needs base > 0 (got base {a!r})")
        return out * math.log(a) if a > 0.0 else 0.0

    return {
        "_exp": exp,
        "_log": log,
        "_tanh": math.tanh,
        "_sigmoid": sigmoid,
        "_relu": lambda x: x if x > 0.0 else 0.0,
        "_step": lambda x: 1.0 if x > 0.0 else 0.0,
        "_sqrt": sqrt,
        "_sqrt_slope": lambda r: 0.5 / r if r else math.inf,
        "_abs": lambda x: x if x > 0.0 else -x,
        "_sign": lambda x: 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0),
        "_div": div,
        "_pow": engine._power,
        "_pow_slope": engine._power_slope,
        "_pow_log": pow_log,
        "_inf": math.inf,
    }


def _array_helpers(np: Any) -> dict:
    def check(bad, message):
        if np.any(bad):
            raise ValueError(message)

    def exp(x):
        check(x > 709.782712893384, "exp overflows for some samples (needs x <= 709.78)")
        return np.exp(x)

    def log(x):
        check(x <= 0.0, "log is undefined for some samples (needs x > 0)")
        return np.log(x)

    def sqrt(x):
        check(x < 0.0, "sqrt is undefined for some samples (needs x >= 0)")
        return np.sqrt(x)

    def sigmoid(x):
        e = np.exp(-np.abs(x))  # never overflows; the same formulas as the engine per sign
        return np.where(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))

    def div(a, b):
        if np.any(b == 0.0):
            raise ZeroDivisionError("division by zero in some samples (divisor is 0)")
        return a / b

    def power(a, k):
        check((a == 0.0) & (k < 0.0), "pow is undefined for 0 to a negative power in some samples")
        check((a < 0.0) & (np.floor(k) != k), "pow of a negative base needs an integer exponent")
        return np.power(a, k)

    def pow_slope(a, k):
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = k * np.power(a, k - 1.0)
        slope = np.where(k == 0.0, 0.0, slope)
        return np.where((a == 0.0) & (k < 1.0) & (k != 0.0), np.inf, slope)

    def pow_log(out, a):
        check(a < 0.0, "pow with a Value exponent needs base > 0")
        return np.where(a > 0.0, out * np.log(np.where(a > 0.0, a, 1.0)), 0.0)

    def sqrt_slope(r):
        with np.errstate(divide="ignore"):
            return np.where(r != 0.0, 0.5 / np.where(r != 0.0, r, 1.0), np.inf)

    return {
        "_exp": exp,
        "_log": log,
        "_tanh": np.tanh,
        "_sigmoid": sigmoid,
        "_relu": lambda x: np.where(x > 0.0, x, 0.0),
        "_step": lambda x: np.where(x > 0.0, 1.0, 0.0),
        "_sqrt": sqrt,
        "_sqrt_slope": sqrt_slope,
        "_abs": np.abs,
        "_sign": np.sign,
        "_div": div,
        "_pow": power,
        "_pow_slope": pow_slope,
        "_pow_log": pow_log,
        "_inf": math.inf,
    }


# --------------------------------------------------------------------------------------
# Code generation
# --------------------------------------------------------------------------------------

# Forward expressions and local derivatives per op, over the operand texts {0}, {1} and the
# op's result {out}. They repeat the engine's arithmetic operation for operation, so the
# compiled numbers equal the eager ones.
_FORWARD = {
    "add": "{0} + {1}",
    "sub": "{0} - {1}",
    "rsub": "{0} - {1}",
    "mul": "{0} * {1}",
    "div": "_div({0}, {1})",
    "rdiv": "_div({0}, {1})",
    "pow": "_pow({0}, {1})",
    "rpow": "_pow({0}, {1})",
    "neg": "-{0}",
    "exp": "_exp({0})",
    "log": "_log({0})",
    "tanh": "_tanh({0})",
    "sigmoid": "_sigmoid({0})",
    "relu": "_relu({0})",
    "sqrt": "_sqrt({0})",
    "abs": "_abs({0})",
}
_LOCAL = {
    "add": ("1.0", "1.0"),
    "sub": ("1.0", "-1.0"),
    "rsub": (None, "-1.0"),
    "mul": ("{1}", "{0}"),
    "div": ("(1.0 / {1})", "(-{out} / {1})"),
    "rdiv": (None, "(-{out} / {1})"),
    "pow": ("_pow_slope({0}, {1})", "_pow_log({out}, {0})"),
    "rpow": (None, "_pow_log({out}, {0})"),
    "neg": ("-1.0",),
    "exp": ("{out}",),
    "log": ("(1.0 / {0})",),
    "tanh": ("(1.0 - {out} * {out})",),
    "sigmoid": ("({out} * (1.0 - {out}))",),
    "relu": ("_step({0})",),
    "sqrt": ("_sqrt_slope({out})",),
    "abs": ("_sign({0})",),
}


def _literal(x: float) -> str:
    """A float as Python source; repr round-trips exactly."""
    if math.isinf(x):
        return "_inf" if x > 0 else "(-_inf)"
    return f"({x!r})" if x < 0 else repr(x)


def _identifiers(order: list) -> dict:
    """A valid, unique Python name for every value, from its label where possible."""
    taken: set = set()
    names = {}
    for node, name in value_names(order).items():
        base = re.sub(r"\W", "_", name, flags=re.ASCII) or "v"
        if not base[0].isalpha() or keyword.iskeyword(base) or base.startswith("grad_"):
            base = "v_" + base
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}_{n}"
        taken.add(candidate)
        names[node] = candidate
    return names


def _generate(root: Value, inputs: list) -> tuple[str, str]:
    """Source of the full function and of a forward-only one."""
    order = topological_order(root)
    name = _identifiers(order)
    in_graph = set(order)
    grad = {node: f"grad_{name[node]}" for node in order}
    for node in inputs:
        if node not in in_graph:
            grad[node] = "0.0"

    header = f"def compiled({', '.join(name[v] if v in in_graph else f'_unused{i}' for i, v in enumerate(inputs))}):"
    forward = ["    # forward pass: one line per value"]
    for node in order:
        if not node.parents:
            if node not in inputs:
                forward.append(f"    {name[node]} = {_literal(node.data)}  # constant")
            continue
        texts = [name[o] if isinstance(o, Value) else _literal(o) for o in operands(node)]
        written = RULES[node.op].write([name[o] if isinstance(o, Value) else f"{o:g}" for o in operands(node)])
        forward.append(f"    {name[node]} = {_FORWARD[node.op].format(*texts)}  # {written}")

    backward = [
        "    # backward pass: the chain rule, one line per edge",
        "    # contribution = local derivative × upstream gradient; a value's gradient sums them",
        f"    {grad[root]} = 1.0",
    ]
    received: set = {root}
    for node in reversed(order):
        texts = [name[o] if isinstance(o, Value) else _literal(o) for o in operands(node)]
        symbols = [name[o] if isinstance(o, Value) else f"{o:g}" for o in operands(node)]
        positions = [i for i, o in enumerate(operands(node)) if isinstance(o, Value)]
        for parent, position in zip(node.parents, positions):
            local = _LOCAL[node.op][position].format(*texts, out=name[node])
            if local == "1.0":
                contribution = grad[node]
            elif local == "-1.0":
                contribution = f"-{grad[node]}"
            else:
                contribution = f"{local} * {grad[node]}"
            formula = RULES[node.op].derivative(position, symbols, out=name[node])
            step = "+=" if parent in received else "="
            comment = (
                f"# ∂{name[root]}/∂{name[parent]} {step} ∂{name[node]}/∂{name[parent]} · "
                f"∂{name[root]}/∂{name[node]} = ({formula}) · {grad[node]}"
            )
            if parent in received:
                # Never `+=`: with arrays that would change a gradient shared by reference.
                backward.append(f"    {grad[parent]} = {grad[parent]} + {contribution}  {comment}")
            else:
                backward.append(f"    {grad[parent]} = {contribution}  {comment}")
                received.add(parent)
    for node in inputs:
        if node in in_graph and node not in received:
            backward.append(f"    {grad[node]} = 0.0  # {name[node]} does not reach {name[root]}")
            received.add(node)
    result = f"    return {name[root]}, [{', '.join(grad[v] for v in inputs)}]"
    full = "\n".join([header, *forward, *backward, result]) + "\n"
    forward_only = "\n".join([header, *forward, f"    return {name[root]}"]) + "\n"
    return full, forward_only


class CompiledGraph:
    """A graph compiled to Python: call it with input values to get the value and gradients.

    Attributes:
        source: the generated function, forward then backward, one line per node or edge.
    """

    def __init__(self, root: Value, inputs: list) -> None:
        self.inputs = inputs
        self.source, self._forward_source = _generate(root, inputs)
        self._functions: dict = {}

    def _function(self, kind: str, forward_only: bool):
        key = (kind, forward_only)
        if key not in self._functions:
            helpers = _float_helpers() if kind == "float" else _array_helpers(_numpy())
            namespace = {"__builtins__": {}, **helpers}
            source = self._forward_source if forward_only else self.source
            # The source is generated from the graph only: names are sanitised identifiers
            # and constants are float literals, so no user text is ever executed.
            exec(compile(source, "<autograd_tiny.compiled>", "exec"), namespace)
            self._functions[key] = namespace["compiled"]
        return self._functions[key]

    def _prepare(self, values: Sequence) -> tuple[str, list]:
        values = list(values)
        if len(values) != len(self.inputs):
            raise ValueError(f"expected {len(self.inputs)} values (one per input), got {len(values)}")
        arrays = [v for v in values if type(v).__module__ == "numpy" and getattr(v, "ndim", 0) > 0]
        if not arrays:
            out = []
            for v in values:
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    raise TypeError(f"values must be numbers or NumPy arrays, got {type(v).__name__} {v!r}")
                out.append(float(v))
            return "float", out
        np = _numpy()
        lengths = {a.shape for a in arrays}
        if len(lengths) != 1 or len(arrays[0].shape) != 1:
            raise ValueError(f"array values must be 1-D and of the same length, got shapes {sorted(lengths)}")
        return "array", [np.asarray(v, dtype=np.float64) for v in values]

    def __call__(self, values: Sequence) -> tuple[Any, list]:
        """The root's value and the gradient for each input, at `values`.

        With NumPy arrays (equal length; plain numbers broadcast), every sample is computed
        at once and the results are arrays.
        """
        kind, values = self._prepare(values)
        if kind == "float":
            return self._function(kind, False)(*values)
        np = _numpy()
        with np.errstate(over="ignore", invalid="ignore"):
            value, grads = self._function(kind, False)(*values)
        length = next(len(v) for v in values if np.ndim(v))
        return np.broadcast_to(value, (length,)).copy(), [np.broadcast_to(g, (length,)).copy() for g in grads]

    def forward(self, values: Sequence) -> Any:
        """The root's value only (no backward pass)."""
        kind, values = self._prepare(values)
        value = self._function(kind, True)(*values)
        if kind == "array":
            np = _numpy()
            length = next(len(v) for v in values if np.ndim(v))
            return np.broadcast_to(value, (length,)).copy()
        return value

    def __repr__(self) -> str:
        lines = self.source.count("\n")
        return f"<CompiledGraph: {len(self.inputs)} inputs, {lines} lines; print(f.source) to read it>"


def _numpy():
    try:
        import numpy
    except ImportError:
        raise ImportError("batched evaluation needs NumPy: pip install numpy (or autograd_tiny[numpy])") from None
    return numpy


def compile_graph(root: Value, inputs: Sequence[Value]) -> CompiledGraph:
    """Compile the graph of `root` into a function of `inputs` (leaves of the graph).

    Every other leaf becomes a constant at its current value. See the module docstring for
    an example and for the limits of tracing.
    """
    if not isinstance(root, Value):
        raise TypeError(f"compile_graph needs a Value as root, got {type(root).__name__}")
    inputs = list(inputs)
    for v in inputs:
        if not isinstance(v, Value):
            raise TypeError(f"inputs must be Values (leaves of the graph), got {type(v).__name__}")
        if v.parents:
            raise ValueError(f"inputs must be leaves; {v!r} was computed by {v.op!r}")
    if len(set(inputs)) != len(inputs):
        raise ValueError("an input is listed twice")
    return CompiledGraph(root, inputs)
