"""Derivatives as functions (as HIPS autograd and JAX): `grad`, `hessian`, `hvp`.

`grad(f)` returns a function that computes f's derivative as a `Value` built as a graph
(by `autograd_tiny.core.higher.gradient_graph`, the backward pass recorded), so
``grad(grad(f))`` is the second derivative and ``grad(grad(grad(f)))`` the third. None of
them changes any ``.grad``.

>>> f = lambda x: x ** 3
>>> grad(f)(2.0).data, grad(grad(f))(2.0).data, grad(grad(grad(f)))(2.0).data
(12.0, 12.0, 6.0)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..core.higher import gradient_graph
from ..core.ops import Number, as_number, as_whole_number
from ..core.value import Value

__all__ = ["grad", "hessian", "hvp"]


def _as_value(x: object, what: str) -> Value:
    """A Value as it is (it may be a graph: grad(grad(f)) passes one), a number as a new input."""
    if isinstance(x, Value):
        return x
    return Value(as_number(x, what, hint="pass numbers or Values"))


def _output(f: Callable, args: Sequence[Value], name: str) -> Value:
    out = f(*args)
    if isinstance(out, Value):
        return out
    as_number(out, f"{name}: f's result", hint="f must return a Value (or a number, whose derivative is 0)")
    return Value(float(out))


def grad(f: Callable[..., Value], *, argnum: int = 0) -> Callable[..., Value]:
    """The derivative of `f` with respect to its argument `argnum`, as a function.

    ``grad(f)(*args)`` calls ``f(*args)`` (numbers become Values) and returns
    ∂f/∂args[argnum] as a `Value` whose graph computes it, so it can be differentiated
    again: ``grad(grad(f))`` is the second derivative, ``grad(grad(f, 1), 0)`` a mixed one.

    Args:
        f: a function of Values returning a Value.
        argnum: which argument to differentiate by (0-based).

    >>> def f(x, y):
    ...     return x * x * y
    >>> grad(f)(3.0, 2.0).data, grad(f, argnum=1)(3.0, 2.0).data, grad(grad(f), argnum=1)(3.0, 2.0).data
    (12.0, 9.0, 6.0)
    """
    if not callable(f):
        raise TypeError(f"grad needs a function, got {type(f).__name__} {f!r}; pass e.g. grad(lambda x: x * x)")
    argnum = as_whole_number(argnum, "argnum", minimum=0, hint="pass the position of the argument, e.g. argnum=0")

    def derivative(*args: Value | Number) -> Value:
        if argnum >= len(args):
            raise ValueError(
                f"argnum={argnum} needs at least {argnum + 1} arguments, got {len(args)}; "
                f"pass them all, or a smaller argnum"
            )
        values = [_as_value(x, f"grad argument {i + 1}") for i, x in enumerate(args)]
        grads = gradient_graph(_output(f, values, "grad"))
        found = grads.get(values[argnum])
        return found if isinstance(found, Value) else Value(0.0)  # f does not depend on it: 0

    derivative.__name__ = f"grad_{getattr(f, '__name__', 'f')}"
    return derivative


def _first_derivatives(f: Callable, xs: Sequence[Number], name: str) -> tuple[list[Value], list[Value]]:
    """New input Values for `xs`, and f's gradient with respect to each, as graphs."""
    values = [Value(as_number(x, f"{name} input x{i + 1}", hint="pass numbers")) for i, x in enumerate(xs)]
    grads = gradient_graph(_output(f, values, name))
    return values, [grads.get(v, Value(0.0)) for v in values]


def _numbers(out: Value, values: list[Value]) -> list[float]:
    """∂out/∂v for each of `values`, as floats (0.0 where out does not depend on v)."""
    grads = gradient_graph(out)
    return [grads[v].data if v in grads else 0.0 for v in values]


def hessian(f: Callable[..., Value]) -> Callable[[Sequence[Number]], list[list[float]]]:
    """The matrix of second derivatives ∂²f/∂xᵢ∂xⱼ, as a function of the point (for small f).

    One backward pass for the gradient as graphs, then one per input for its derivatives.

    >>> hessian(lambda x, y: x * x * y)([3.0, 2.0])
    [[4.0, 6.0], [6.0, 0.0]]
    """

    def matrix(xs: Sequence[Number]) -> list[list[float]]:
        values, first = _first_derivatives(f, xs, "hessian")
        return [_numbers(g, values) for g in first]

    return matrix


def hvp(f: Callable[..., Value]) -> Callable[[Sequence[Number], Sequence[Number]], list[float]]:
    """The Hessian-vector product H·v, by reverse-over-reverse: two backward passes, no matrix.

    The gradient g(x) as graphs, then one pass over ``Σ gᵢ · vᵢ``, whose gradient is H·v.

    >>> hvp(lambda x, y: x * x * y)([3.0, 2.0], [1.0, 0.0])
    [4.0, 6.0]
    """

    def product(xs: Sequence[Number], vs: Sequence[Number]) -> list[float]:
        if len(vs) != len(xs):
            raise ValueError(f"hvp needs one direction number per input: {len(xs)} inputs, got {len(vs)} in vs")
        values, first = _first_derivatives(f, xs, "hvp")
        directional = Value(0.0)
        for i, (g, v) in enumerate(zip(first, vs)):
            directional = directional + g * as_number(v, f"hvp direction v{i + 1}", hint="pass numbers")
        return _numbers(directional, values)

    return product
