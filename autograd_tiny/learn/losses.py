"""Loss functions, each a short composition of Value ops, so it can be drawn and explained.

Every loss averages over the samples. Labels are plain numbers; predictions are Values.

>>> from autograd_tiny import Value
>>> round(mse([Value(1.0), Value(3.0)], [0.0, 3.0]).data, 4)
0.5
>>> hinge([Value(2.0), Value(-0.5)], [1, 1]).data
0.75
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

from ..core.ops import as_number
from ..core.value import Value

__all__ = ["mse", "hinge", "hinge_term", "binary_cross_entropy", "cross_entropy", "l2"]

Prediction = Value | float | int


def _total(terms: list) -> Value:
    """Sum Values starting from the first term, so no extra 0 node enters the graph."""
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def _pairs(predictions, targets, what: str) -> tuple[list, list]:
    """The samples as two lists of equal length, targets checked; a single Value is one sample."""
    if isinstance(targets, Value) and not isinstance(predictions, Value):
        _swapped(what)
    if isinstance(predictions, Value):
        predictions, targets = [predictions], [targets]
    predictions, targets = list(predictions), list(targets)
    if not predictions:
        raise ValueError(f"{what} needs at least one prediction, got none")
    if len(predictions) != len(targets):
        raise ValueError(
            f"{what}: {len(predictions)} predictions but {len(targets)} targets; pass one target per prediction"
        )
    if any(isinstance(t, Value) for t in targets) and not any(isinstance(p, Value) for p in predictions):
        _swapped(what)
    for i, t in enumerate(targets):
        # A NaN or infinite target makes the loss and every gradient NaN or inf, silently.
        as_number(t, f"{what} targets[{i}]", allow_inf=False, hint="drop or fix that sample")
    return predictions, targets


def _swapped(what: str) -> None:
    """Refuse Values as targets next to plain-number predictions: the caller swapped the two."""
    raise TypeError(
        f"{what}: the targets are Values and the predictions plain numbers, so the arguments look swapped; "
        f"pass the model's outputs first: {what}(predictions, targets)"
    )


def mse(predictions: Sequence[Prediction], targets: Sequence[float]) -> Value:
    """Mean squared error: mean((prediction - target)²)."""
    predictions, targets = _pairs(predictions, targets, "mse")
    return _total([(p - t) ** 2 for p, t in zip(predictions, targets)]) * (1.0 / len(predictions))


def hinge_term(score: Value, label: Value | float) -> Value:
    """One sample's term of `hinge`: relu(1 − label · score).

    The label may be a Value too, so a compiled graph can take it as an input.

    >>> hinge_term(Value(0.25), 1).data, hinge_term(Value(0.25), Value(-1.0)).data
    (0.75, 1.25)
    """
    return (1 + -label * score).relu()


def hinge(scores: Sequence[Prediction], labels: Sequence[int]) -> Value:
    """Max-margin loss for labels ±1: mean(relu(1 - label · score)), micrograd's demo loss."""
    scores, labels = _pairs(scores, labels, "hinge")
    if any(y not in (-1, 1) for y in labels):
        bad = next(y for y in labels if y not in (-1, 1))
        raise ValueError(f"hinge needs labels -1 or +1, got {bad!r}; map 0/1 labels with 2*y - 1")
    return _total([hinge_term(s, y) for s, y in zip(scores, labels)]) * (1.0 / len(scores))


def binary_cross_entropy(logits: Sequence[Prediction], labels: Sequence[int]) -> Value:
    """Binary cross-entropy from logits (labels 0 or 1), stable for any logit.

    Per sample: ``relu(x) - x·y + log(1 + exp(-|x|))``, which equals
    ``-y·log σ(x) - (1-y)·log(1 - σ(x))`` but never takes exp of a large number.

    >>> round(binary_cross_entropy([Value(0.0)], [1]).data, 4)
    0.6931
    >>> binary_cross_entropy([Value(1000.0)], [1]).data
    0.0
    """
    logits, labels = _pairs(logits, labels, "binary_cross_entropy")
    if any(y not in (0, 1) for y in labels):
        bad = next(y for y in labels if y not in (0, 1))
        raise ValueError(f"binary_cross_entropy needs labels 0 or 1, got {bad!r}; map ±1 labels with (y + 1) / 2")
    terms = [x.relu() - x * y + ((-abs(x)).exp() + 1).log() for x, y in zip(logits, labels)]
    return _total(terms) * (1.0 / len(logits))


def cross_entropy(logits: Sequence, labels: Sequence[int] | int) -> Value:
    """Softmax cross-entropy over classes; stable for logits of ±1000.

    `logits` is one sample's list of class scores with an int label, or a list of such
    lists with a list of labels (the mean is returned). The largest logit is subtracted as
    a constant first (log-sum-exp), so no exp overflows.

    >>> round(cross_entropy([Value(1.0), Value(2.0), Value(3.0)], 2).data, 4)
    0.4076
    >>> cross_entropy([Value(1000.0), Value(-1000.0)], 0).data
    0.0
    """
    samples, labels = _samples_and_labels(logits, labels)
    terms = []
    for scores, label in zip(samples, labels):
        top = max(s.data if isinstance(s, Value) else float(s) for s in scores)
        log_sum_exp = _total([(s - top).exp() for s in scores]).log() + top
        terms.append(log_sum_exp - scores[label])
    return _total(terms) * (1.0 / len(terms))


def _is_score(x: Any) -> bool:
    return isinstance(x, (Value, numbers.Real)) and not isinstance(x, bool)


def _samples_and_labels(logits: Any, labels: Any) -> tuple[list[list], list[int]]:
    """cross_entropy's inputs as lists of score lists and int labels, or a clear error."""
    one_sample = isinstance(labels, numbers.Integral) and not isinstance(labels, bool)
    if one_sample:
        logits, labels = [logits], [labels]
    elif isinstance(labels, (bool, numbers.Real)):
        raise TypeError(f"cross_entropy labels must be integer class indices, got {type(labels).__name__} {labels!r}")
    if isinstance(logits, Value) or not hasattr(logits, "__iter__") or not hasattr(labels, "__iter__"):
        raise TypeError(
            "cross_entropy needs a list of class scores with an int label, or a list of such lists with a list of labels"
        )
    samples, labels = list(logits), list(labels)
    if not samples:
        raise ValueError("cross_entropy needs at least one sample, got none")
    if all(_is_score(s) for s in samples):
        raise TypeError(
            f"cross_entropy got one sample's {len(samples)} scores with a list of {len(labels)} labels; "
            f"pass an int label for one sample, or a list of score lists for several"
        )
    if len(samples) != len(labels):
        raise ValueError(f"cross_entropy: {len(samples)} samples but {len(labels)} labels; pass one label per sample")
    rows = []
    for i, (scores, label) in enumerate(zip(samples, labels)):
        if isinstance(scores, Value) or not hasattr(scores, "__iter__"):
            raise TypeError(
                f"cross_entropy sample {i} (counting from 0) must be a list of class scores, got {type(scores).__name__}"
            )
        scores = list(scores)
        if not scores or not all(_is_score(s) for s in scores):
            raise TypeError(f"cross_entropy sample {i} (counting from 0) must be a non-empty list of Values or numbers")
        if isinstance(label, bool) or not isinstance(label, numbers.Integral):
            raise TypeError(
                f"cross_entropy labels must be integer class indices, got {type(label).__name__} {label!r} "
                f"for sample {i} (counting from 0); convert with int(...)"
            )
        if not 0 <= int(label) < len(scores):
            raise ValueError(
                f"cross_entropy labels must be class indices 0..{len(scores) - 1}, got {label!r} for sample {i} (counting from 0)"
            )
        # Plain-number scores are constants; as leaf Values they can go through exp().
        rows.append([s if isinstance(s, Value) else Value(s) for s in scores])
    return rows, [int(label) for label in labels]


def l2(parameters: Sequence[Value], alpha: float = 1e-4) -> Value:
    """The L2 penalty alpha · Σ p², added to a loss to keep weights small.

    >>> l2([Value(1.0), Value(-2.0)], alpha=0.1).data
    0.5
    """
    parameters = list(parameters)
    if not parameters:
        raise ValueError("l2 needs at least one parameter")
    return _total([p * p for p in parameters]) * alpha
