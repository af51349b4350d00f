"""Optimizers: they move each parameter's ``data`` against its ``grad``.

Hyperparameters (`lr`, `momentum`, `betas`, `eps`, `weight_decay`) are attributes that a
schedule can change between steps; every value is checked, when the optimizer is made and
on each assignment, so a typo can never turn training into NaN. `step()` refuses a
non-finite gradient, naming the parameter, and then changes nothing.

>>> from autograd_tiny import Value
>>> w = Value(1.0)
>>> opt = SGD([w], lr=0.1)
>>> (w * w).backward(); opt.step(); w.data
0.8
>>> opt.lr = 0.05
>>> opt.lr = -1
Traceback (most recent call last):
    ...
ValueError: lr must be a finite number >= 0, got -1.0; pass e.g. lr=0.01
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from ..core.ops import as_number
from ..core.value import Value

__all__ = ["SGD", "Adam"]


def _name(p: Value, index: int) -> str:
    """How error messages name a parameter: its label, or its position."""
    return p.label or f"parameter {index} (no label)"


def _check_parameters(params: Iterable[Value]) -> list[Value]:
    params = list(params)
    if not params:
        raise ValueError("the optimizer got no parameters; pass model.parameters()")
    seen: dict[int, int] = {}
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"parameters must be Values, got {type(p).__name__}; pass model.parameters()")
        if id(p) in seen:
            # Stepping one Value twice per step would double its learning rate, silently.
            raise ValueError(
                f"the same Value ({_name(p, seen[id(p)])}) is listed twice (positions {seen[id(p)]} and {i}); "
                f"pass each Value once"
            )
        seen[id(p)] = i
    return params


def _at_least_zero(name: str, value: Any, example: str) -> float:
    return as_number(value, name, allow_inf=False, minimum=0.0, hint=f"pass e.g. {example}")


def _below_one(name: str, value: Any, example: str) -> float:
    return as_number(value, name, minimum=0.0, below=1.0, hint=f"pass e.g. {example}")


def _above_zero(name: str, value: Any, example: str) -> float:
    return as_number(value, name, allow_inf=False, positive=True, hint=f"pass e.g. {example}")


class _Checked:
    """An attribute whose every assigned value goes through `check` (at construction too).

    Works like a property: ``opt.lr = 0.01`` stores the checked float in ``opt._lr``.
    """

    def __init__(self, check, example: str) -> None:
        self.check = check
        self.example = example

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.storage = "_" + name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        return self if obj is None else getattr(obj, self.storage)

    def __set__(self, obj: Any, value: Any) -> None:
        setattr(obj, self.storage, self.check(self.name, value, self.example))


def _number(grad: Any) -> float:
    """A gradient as a number: after ``backward(create_graph=True)`` it is a Value, whose graph
    the update must not keep (``p.data`` stays a float; the update itself is not differentiated,
    as in PyTorch, where ``step()`` runs under no_grad)."""
    return grad.data if isinstance(grad, Value) else grad


class Optimizer:
    """What every optimizer shares: the parameter list, checked settings, zero_grad()."""

    lr = _Checked(_at_least_zero, "lr=0.01")
    weight_decay = _Checked(_at_least_zero, "weight_decay=1e-4")

    def __init__(self, params: Iterable[Value], lr: float, weight_decay: float) -> None:
        self.params = _check_parameters(params)
        self.lr = lr
        self.weight_decay = weight_decay

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 before the next backward()."""
        for p in self.params:
            p.grad = 0.0

    def _gradients(self) -> list[float]:
        """Each parameter's gradient plus weight decay; a non-finite one raises, naming it."""
        # Weight decay adds weight_decay · p to the gradient (L2 regularisation, as in PyTorch).
        decay = self.weight_decay
        grads = [_number(p.grad) + decay * p.data for p in self.params]
        for i, (p, g) in enumerate(zip(self.params, grads)):
            if not math.isfinite(g):
                # Either the gradient itself, or weight_decay · data overflowed.
                shown = repr(p.grad) if not math.isfinite(_number(p.grad)) else f"{g!r} with weight decay"
                raise ValueError(
                    f"the gradient of {_name(p, i)} is {shown}; step() changed no parameter. "
                    f"Lower lr or scale the inputs, and check the loss with gradcheck"
                )
        return grads

    def _apply(self, new_data: list[float]) -> None:
        """Write the new values, unless one is not finite (then nothing changes)."""
        for i, (p, d) in enumerate(zip(self.params, new_data)):
            if not math.isfinite(d):
                raise ValueError(
                    f"step() would make {_name(p, i)} {d!r} (gradient {p.grad!r}, lr {self.lr!r}); "
                    f"step() changed no parameter; lower lr"
                )
        for p, d in zip(self.params, new_data):
            p.data = d


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum (PyTorch's formulation).

    ``velocity = momentum · velocity + grad``; ``data -= lr · velocity``.

    >>> w = Value(1.0)
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> (w * w).backward(); opt.step(); round(w.data, 6)
    0.8
    """

    momentum = _Checked(_below_one, "momentum=0.9")

    def __init__(self, params: Iterable[Value], lr: float, *, momentum: float = 0.0, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr, weight_decay)
        self.momentum = momentum
        self.velocity = [0.0] * len(self.params)
        self.steps = 0

    def step(self) -> None:
        """Update every parameter once, from its current gradient.

        Raises:
            ValueError: a gradient (or an updated value) is not finite; it names the
                parameter, and no parameter and no momentum has changed.
        """
        grads = self._gradients()
        if self.momentum and self.steps:
            velocity = [self.momentum * v + g for v, g in zip(self.velocity, grads)]
        else:
            velocity = grads
        lr = self.lr
        self._apply([p.data - lr * v for p, v in zip(self.params, velocity)])
        self.velocity = velocity
        self.steps += 1


class Adam(Optimizer):
    """Adam with bias correction (PyTorch's formulation).

    ``m = β1·m + (1-β1)·g``, ``v = β2·v + (1-β2)·g²``,
    ``data -= lr · m̂ / (√v̂ + eps)`` with ``m̂ = m / (1-β1^t)``, ``v̂ = v / (1-β2^t)``.

    >>> w = Value(1.0)
    >>> opt = Adam([w], lr=0.1)
    >>> (w * w).backward(); opt.step(); round(w.data, 6)
    0.9
    """

    eps = _Checked(_above_zero, "eps=1e-8")

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        *,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr, weight_decay)
        self.betas = betas
        self.eps = eps
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)
        self.steps = 0

    @property
    def betas(self) -> tuple[float, float]:
        """(β1, β2): how much of the running averages of g and g² is kept; each in [0, 1)."""
        return self._betas

    @betas.setter
    def betas(self, betas: Any) -> None:
        if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__") or len(betas) != 2:
            raise TypeError(f"betas must be a pair of numbers, got {betas!r}; pass e.g. betas=(0.9, 0.999)")
        example = "betas=(0.9, 0.999)"
        self._betas = (_below_one("betas[0]", betas[0], example), _below_one("betas[1]", betas[1], example))

    def step(self) -> None:
        """Update every parameter once, from its current gradient.

        Raises:
            ValueError: a gradient (or an updated value) is not finite; it names the
                parameter, and no parameter and no running average has changed.
        """
        beta1, beta2 = self.betas
        steps = self.steps + 1
        correction1 = 1.0 - beta1**steps
        correction2 = 1.0 - beta2**steps
        grads = self._gradients()
        m = [beta1 * mi + (1.0 - beta1) * g for mi, g in zip(self.m, grads)]
        v = [beta2 * vi + (1.0 - beta2) * g * g for vi, g in zip(self.v, grads)]
        lr, eps = self.lr, self.eps
        self._apply(
            [
                p.data - lr * (mi / correction1) / (math.sqrt(vi / correction2) + eps)
                for p, mi, vi in zip(self.params, m, v)
            ]
        )
        self.m, self.v, self.steps = m, v, steps
