"""The names an `MLP` gives its parts, written and read in one place.

A layer is ``L1``, ``L2``… (numbered from 1, as textbooks number them), its neurons are
``L1.N1``, ``L1.N2``…, and a neuron's parameters are ``L1.N1.w1``… and ``L1.N1.b``. Every
value computed inside a neuron records the neuron's name as its ``scope``. `nn` writes the
names with these functions; the drawings (grouping by layer), the explanations (stages by
layer), the textbook views (``z^{2}_{1}`` for ``L2.N1``) and the compiled code (one matrix
per layer) read them back with these functions, so the format lives here only.

>>> neuron = neuron_name(layer_name(2), 1)
>>> neuron, layer_of(neuron), neuron_numbers(neuron), layer_number(layer_of(neuron))
('L2.N1', 'L2', (2, 1), 2)
>>> layer_of("N1"), neuron_numbers("N1")  # a neuron built on its own, outside any layer
(None, None)
"""

from __future__ import annotations

import re

__all__ = ["layer_name", "neuron_name", "layer_of", "layer_number", "neuron_numbers"]

# An MLP's own layer and neuron names; a layer a user names itself ("encoder") gives "encoder.N1".
_MLP_LAYER = re.compile(r"L(\d+)")
_MLP_NEURON = re.compile(r"L(\d+)\.N(\d+)")


def layer_name(number: int) -> str:
    """The name of an MLP's layer `number` (from 1): ``L2``."""
    return f"L{number}"


def neuron_name(layer: str, number: int) -> str:
    """The name of neuron `number` (from 1) of the layer named `layer`: ``L2.N1``."""
    return f"{layer}.N{number}"


def layer_of(scope: str) -> str | None:
    """The layer a neuron's name (a value's scope) is in: ``L1`` of ``L1.N3``.

    A layer's name may itself hold dots (``Layer(..., name="enc.1")``): the neuron's own
    part is after the last one. None for a name with no layer (a `Neuron` used on its own).

    >>> layer_of("L1.N3"), layer_of("enc.1.N2"), layer_of("N1"), layer_of("")
    ('L1', 'enc.1', None, None)
    """
    layer, dot, _ = scope.rpartition(".")
    return layer if dot else None


def layer_number(name: str) -> int | None:
    """The number in an MLP's layer name: 2 for ``L2``; None for any other name.

    >>> layer_number("L2"), layer_number("L2.N1"), layer_number("encoder")
    (2, None, None)
    """
    match = _MLP_LAYER.fullmatch(name)
    return int(match.group(1)) if match else None


def neuron_numbers(name: str) -> tuple[int, int] | None:
    """The layer's and the neuron's numbers in an MLP's neuron name: ``(2, 1)`` for ``L2.N1``.

    None for any other name (a neuron on its own, a layer the user named).

    >>> neuron_numbers("L2.N1"), neuron_numbers("L12.N30"), neuron_numbers("encoder.N1"), neuron_numbers("L1")
    ((2, 1), (12, 30), None, None)
    """
    match = _MLP_NEURON.fullmatch(name)
    return (int(match.group(1)), int(match.group(2))) if match else None
