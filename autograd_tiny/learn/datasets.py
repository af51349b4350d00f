"""Toy 2-D datasets in pure Python: moons, circles, xor, spirals.

Each returns ``(X, y)``: X is a list of ``[x0, x1]`` points, y a list of labels. The two-class
datasets label their classes **-1 and +1** (ready for `losses.hinge`; use ``(y + 1) / 2`` for
binary cross-entropy); `make_spirals` labels classes ``0 .. classes-1``. The same seed always
gives the same data; the points are shuffled.

>>> X, y = make_moons(n=4, noise=0.0, seed=0)
>>> len(X), sorted(set(y))
(4, [-1, 1])
"""

from __future__ import annotations

import cmath
import math
import random

from ..core.ops import as_number, as_whole_number

__all__ = ["make_moons", "make_circles", "make_xor", "make_spirals", "DATASETS"]


def _check(n: int, noise: float) -> tuple[int, float]:
    """The point count and the noise, checked by the package's one input checker."""
    return as_whole_number(n, "n", minimum=2), as_number(noise, "noise", allow_inf=False, minimum=0.0)


def _finish(points: list, labels: list, noise: float, rng: random.Random) -> tuple[list, list]:
    """Add Gaussian noise to every coordinate and shuffle points with their labels."""
    data = [([x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)], label) for (x, y), label in zip(points, labels)]
    rng.shuffle(data)
    return [p for p, _ in data], [label for _, label in data]


def _polar(radius: float, angle: float) -> tuple[float, float]:
    """The point at `radius` and `angle` (radians) from the origin, as (x, y).

    >>> _polar(2.0, 0.0)
    (2.0, 0.0)
    """
    # cmath.rect turns polar coordinates into a complex number x + iy; the trigonometric
    # functions themselves are written in one place only, the op registry (ops.py).
    z = cmath.rect(radius, angle)
    return z.real, z.imag


def _spaced(count: int, start: float, stop: float) -> list[float]:
    """`count` evenly spaced numbers from start to stop, both included."""
    if count == 1:
        return [start]
    return [start + (stop - start) * i / (count - 1) for i in range(count)]


def make_moons(n: int = 100, *, noise: float = 0.1, seed: int | None = None) -> tuple[list, list]:
    """Two interleaving half circles: the upper moon is -1, the lower one +1."""
    n, noise = _check(n, noise)
    rng = random.Random(seed)
    upper, lower = n // 2, n - n // 2
    points = [_polar(1.0, t) for t in _spaced(upper, 0.0, math.pi)]
    points += [(1.0 - x, 0.5 - y) for x, y in (_polar(1.0, t) for t in _spaced(lower, 0.0, math.pi))]
    return _finish(points, [-1] * upper + [1] * lower, noise, rng)


def make_circles(
    n: int = 100, *, noise: float = 0.05, seed: int | None = None, factor: float = 0.5
) -> tuple[list, list]:
    """A circle of radius 1 (-1) around a circle of radius `factor` (+1)."""
    n, noise = _check(n, noise)
    factor = as_number(factor, "factor", positive=True, below=1.0)
    rng = random.Random(seed)
    outer, inner = n // 2, n - n // 2
    points = [_polar(1.0, t) for t in _spaced(outer + 1, 0.0, 2 * math.pi)[:-1]]
    points += [_polar(factor, t) for t in _spaced(inner + 1, 0.0, 2 * math.pi)[:-1]]
    return _finish(points, [-1] * outer + [1] * inner, noise, rng)


def make_xor(n: int = 100, *, noise: float = 0.05, seed: int | None = None) -> tuple[list, list]:
    """Points in the square [-1, 1]²: +1 where x0 and x1 have the same sign, else -1.

    Points closer than 0.1 to an axis are left out, so the classes are separable.
    """
    n, noise = _check(n, noise)
    rng = random.Random(seed)
    points: list = []
    while len(points) < n:
        x0, x1 = rng.uniform(-1, 1), rng.uniform(-1, 1)
        if abs(x0) > 0.1 and abs(x1) > 0.1:
            points.append((x0, x1))
    labels = [1 if x0 * x1 > 0 else -1 for x0, x1 in points]
    return _finish(points, labels, noise, rng)


def make_spirals(n: int = 100, *, noise: float = 0.1, seed: int | None = None, classes: int = 3) -> tuple[list, list]:
    """`classes` spiral arms (n points in all), labelled 0 .. classes-1."""
    n, noise = _check(n, noise)
    classes = as_whole_number(classes, "classes", minimum=2)
    rng = random.Random(seed)
    points: list = []
    labels: list = []
    for k in range(classes):
        count = n // classes + (1 if k < n % classes else 0)
        for r in _spaced(count, 0.05, 1.0):
            # Each arm turns by the same angle; arms start 2π/classes apart.
            t = 2 * math.pi * k / classes + 4.0 * r
            points.append(_polar(r, t))
            labels.append(k)
    return _finish(points, labels, noise, rng)


# The datasets by name, for the demo's --dataset option.
DATASETS = {"moons": make_moons, "circles": make_circles, "xor": make_xor, "spirals": make_spirals}
