"""Optimizers: they move each parameter's ``data`` against its ``grad``.

`lr` is a plain attribute, so a schedule can change it between steps.

>>> from autograd_tiny import Value
>>> w = Value(1.0)
>>> opt = SGD([w], lr=0.1)
>>> (w * w).backward(); opt.step(); w.data
0.8
"""

from __future__ import annotations

import math
from typing import Iterable

from .engine import Value

__all__ = ["SGD", "Adam"]


def _check_parameters(params: Iterable[Value]) -> list[Value]:
    params = list(params)
    if not params:
        raise ValueError("the optimizer got no parameters; pass model.parameters()")
    for p in params:
        if not isinstance(p, Value):
            raise TypeError(f"parameters must be Values, got {type(p).__name__}; pass model.parameters()")
    return params


def _check_rate(name: str, value: float, low: float = 0.0, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    if not low <= value < high:
        raise ValueError(f"{name} must be in [{low}, {high}), got {value}")
    return float(value)


class Optimizer:
    """What every optimizer shares: the parameter list and zero_grad()."""

    def __init__(self, params: Iterable[Value], lr: float, weight_decay: float) -> None:
        self.params = _check_parameters(params)
        self.lr = _check_rate("lr", lr)
        self.weight_decay = _check_rate("weight_decay", weight_decay)

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 before the next backward()."""
        for p in self.params:
            p.grad = 0.0

    def _gradients(self) -> list[float]:
        # Weight decay adds weight_decay · p to the gradient (L2 regularisation, as in PyTorch).
        decay = self.weight_decay
        return [p.grad + decay * p.data for p in self.params]


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum (PyTorch's formulation).

    ``velocity = momentum · velocity + grad``; ``data -= lr · velocity``.
    """

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr, weight_decay)
        self.momentum = _check_rate("momentum", momentum, 0.0, 1.0)
        self.velocity = [0.0] * len(self.params)
        self.steps = 0

    def step(self) -> None:
        """Update every parameter once, from its current gradient."""
        grads = self._gradients()
        if self.momentum and self.steps:
            self.velocity = [self.momentum * v + g for v, g in zip(self.velocity, grads)]
        else:
            self.velocity = grads
        for p, v in zip(self.params, self.velocity):
            p.data -= self.lr * v
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

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr, weight_decay)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair of numbers, got {betas!r}")
        self.betas = (_check_rate("betas[0]", betas[0], 0.0, 1.0), _check_rate("betas[1]", betas[1], 0.0, 1.0))
        self.eps = _check_rate("eps", eps)
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)
        self.steps = 0

    def step(self) -> None:
        """Update every parameter once, from its current gradient."""
        beta1, beta2 = self.betas
        self.steps += 1
        correction1 = 1.0 - beta1**self.steps
        correction2 = 1.0 - beta2**self.steps
        for i, (p, g) in enumerate(zip(self.params, self._gradients())):
            self.m[i] = beta1 * self.m[i] + (1.0 - beta1) * g
            self.v[i] = beta2 * self.v[i] + (1.0 - beta2) * g * g
            p.data -= self.lr * (self.m[i] / correction1) / (math.sqrt(self.v[i] / correction2) + self.eps)
