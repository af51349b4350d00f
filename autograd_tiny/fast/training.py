"""A compiled full-batch training step: the loss and its gradient from graphs the engine traced.

`CompiledTrainingStep` traces, once, one sample's loss (the model on symbolic inputs) and one
parameter's penalty, and compiles both with `compile_graph`. Each call then evaluates the
batch-mean loss with ``reduce="mean"`` (each layer one matrix product over all samples) and
the penalty on every parameter at once, and returns the total and its gradient as a NumPy
vector. No gradient is written by hand: both come from the engine's rules.

>>> import numpy as np
>>> from autograd_tiny import MLP, make_moons
>>> X, y = make_moons(n=20, seed=0)
>>> model = MLP(2, [4, 1], seed=0)
>>> step = CompiledTrainingStep(model, X, y)
>>> weights = step.weights()              # the parameters' values, in parameters() order
>>> loss, gradient = step(weights)
>>> gradient.shape
(17,)
>>> weights -= 0.5 * gradient             # one SGD step on the vector
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence, Set
from typing import Any

from ..core.ops import as_number
from ..core.value import Value, enable_grad
from ..learn.losses import hinge_term, l2
from ..learn.nn import MLP
from .compiler import compile_graph, require_numpy

__all__ = ["CompiledTrainingStep", "hinge_term"]


class CompiledTrainingStep:
    """The batch-mean of a per-sample loss plus a penalty on each parameter, and its gradient.

    Args:
        model: an `MLP` with one output (a score per sample).
        X: the samples, one list of numbers per sample.
        y: their labels (numbers).
        term: one sample's loss from its score and label, built with Values (traced once).
        alpha: the weight of the L2 penalty ``l2(parameters, alpha)``; 0 for none.

    Calling it with the parameters' values (a NumPy vector, in ``model.parameters()``
    order) returns ``(loss, gradient)``: a float and a vector of the same length.
    """

    def __init__(
        self,
        model: MLP,
        X: Sequence[Sequence[float]],
        y: Sequence[float],
        *,
        term: Callable[[Value, Value], Value] = hinge_term,
        alpha: float = 1e-4,
    ) -> None:
        np = require_numpy()

        self.parameters = model.parameters()
        nin = len(model.layers[0].neurons[0].w)
        rows = _samples(X, nin)
        labels = _labels(y, len(rows))
        # Tracing builds the graphs to compile, so it needs grad mode on whatever the
        # caller's: inside no_grad() every result would be a constant, the loss too.
        with enable_grad():
            # Named from 1 (x1, x2), as every name the package shows (the generated code's too).
            xs = [Value(0.0, label=f"x{i}") for i in range(1, nin + 1)]
            label = Value(1.0, label="y")
            score = model(xs)
            if not isinstance(score, Value):
                raise ValueError(f"the model must have one output (a score per sample), got {len(score)} outputs")
            self.loss = compile_graph(term(score, label), self.parameters + xs + [label])
            self.score = compile_graph(score, self.parameters + xs)
            p = Value(0.0, label="p")
            self.penalty = compile_graph(l2([p], alpha), [p]) if alpha else None
        self.columns = [np.array([row[i] for row in rows]) for i in range(nin)]
        self.labels = np.array(labels, dtype=float)

    def weights(self) -> Any:
        """The parameters' current values as a NumPy vector (a fresh copy)."""
        np = require_numpy()

        return np.array([p.data for p in self.parameters])

    def __call__(self, weights: Any) -> tuple[float, Any]:
        """The loss (batch mean + penalty) and its gradient at `weights`."""
        loss, gradient = self.loss.batch(weights, [*self.columns, self.labels], reduce="mean")
        gradient = gradient[: len(weights)]  # the data's own gradients are not needed
        if self.penalty is not None:
            # The penalty of one parameter, evaluated on all of them at once: one per "sample".
            terms, (slope,) = self.penalty([weights])
            loss += float(terms.sum())
            gradient += slope
        return loss, gradient

    def scores(self, weights: Any) -> Any:
        """The model's score for every sample at `weights` (a NumPy array)."""
        return self.score.forward([*weights.tolist(), *self.columns])


def _is_list_like(x: Any) -> bool:
    """A sequence with a length and an order (a list, a tuple, a NumPy array), not text."""
    return hasattr(x, "__len__") and not isinstance(x, (str, bytes, Mapping, Set, Value))


def _samples(X: Any, nin: int) -> list[list[float]]:
    """`X` as rows of `nin` floats, or one error that names the first bad sample."""
    if not _is_list_like(X):
        raise TypeError(f"X must be a list of samples (each a list of {nin} numbers), got {type(X).__name__}")
    if len(X) == 0:
        raise ValueError(f"X has no samples; pass at least one sample, a list of {nin} numbers")
    rows = []
    for i, sample in enumerate(X):
        if not _is_list_like(sample):
            raise TypeError(
                f"X[{i}] must be one sample, a list of {nin} numbers, got {type(sample).__name__} {sample!r}"
            )
        if len(sample) != nin:
            raise ValueError(
                f"X[{i}] has {len(sample)} number{'s' if len(sample) != 1 else ''}; every sample needs {nin}, "
                f"one per model input (the model was made with nin={nin})"
            )
        rows.append([as_number(v, f"X[{i}][{j}]", hint="pass numbers") for j, v in enumerate(sample)])
    return rows


def _labels(y: Any, count: int) -> list[float]:
    """`y` as `count` floats, one per sample, or one error that says what is wrong."""
    if not _is_list_like(y):
        raise TypeError(f"y must be a list of labels, one per sample of X, got {type(y).__name__}")
    if len(y) != count:
        raise ValueError(
            f"y has {len(y)} label{'s' if len(y) != 1 else ''} for {count} sample{'s' if count != 1 else ''}; "
            "pass one label per sample of X"
        )
    return [as_number(v, f"y[{i}]", hint="pass numbers") for i, v in enumerate(y)]
