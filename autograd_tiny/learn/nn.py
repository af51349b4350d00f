"""Neurons, layers and multi-layer perceptrons built from `Value` scalars.

Parameters carry readable labels, numbered from 1 as textbooks and the inputs x1, x2 are
(``L1.N3.w1`` is the first weight, ``L1.N3.b`` the bias), and every value computed inside a
neuron records where it came from in ``value.scope`` (``"L1.N3"``), so drawings can group a
big graph by neuron or layer and explanations can name what they show.

>>> model = MLP(2, [4, 1], seed=0)
>>> len(model.parameters())
17
>>> model.parameters()[0].label
'L1.N1.w1'
>>> out = model([1.0, -2.0])
>>> out.scope
'L2.N1'
"""

from __future__ import annotations

import json
import math
import numbers
import os
import random
from collections.abc import Mapping, Sequence, Set
from typing import Any

from ..core.ops import Number, as_number, as_whole_number
from ..core.value import Value, affine, scope
from .files import FileTooLarge, read_regular_file, write_atomically
from .names import layer_name, neuron_name

__all__ = ["Module", "Neuron", "Layer", "MLP", "ACTIVATIONS"]

Input = Number | Value

# The activation functions a neuron can apply to its weighted sum.
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")

# The format tag written into saved files, checked when loading.
_FORMAT = "autograd_tiny.model/1"


class Module:
    """The base of every model part: parameters, zero_grad, and saving and loading."""

    def parameters(self) -> list[Value]:
        """All trainable Values, in a stable order."""
        return []

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 (leaves accumulate across backward calls).

        >>> n = Neuron(2, seed=0)
        >>> n([1.0, 2.0]).backward()
        >>> n.zero_grad(); [p.grad for p in n.parameters()]
        [0.0, 0.0, 0.0]
        """
        for p in self.parameters():
            p.grad = 0.0

    # ------------------------------------------------------------------ saving

    def config(self) -> dict:
        """The architecture, as the keyword arguments that rebuild this module."""
        raise NotImplementedError(f"{type(self).__name__} does not describe its architecture")

    def state_dict(self) -> dict:
        """The architecture and the parameters' values, as plain JSON-ready data."""
        return {
            "format": _FORMAT,
            "type": type(self).__name__,
            "config": self.config(),
            "parameters": [p.data for p in self.parameters()],
        }

    def load_state_dict(self, state: Any) -> None:
        """Copy parameter values from `state` (as made by `state_dict`).

        Everything is checked before anything changes: a state for another architecture, or
        with a parameter that is not a finite real number, raises ValueError and leaves the
        model as it was.

        >>> a, b = Neuron(2, seed=0), Neuron(2, seed=1)
        >>> b.load_state_dict(a.state_dict()); [p.data for p in b.parameters()] == [p.data for p in a.parameters()]
        True
        """
        if not isinstance(state, dict) or state.get("format") != _FORMAT:
            raise ValueError(f"not a saved autograd_tiny model (expected format {_FORMAT!r})")
        if state.get("type") != type(self).__name__ or state.get("config") != self.config():
            raise ValueError(
                f"the saved model is a {_short(state.get('type'))} with {_short(state.get('config'), 200)}, "
                f"but this is a {type(self).__name__} with {self.config()}; "
                f"build the model with the saved architecture first"
            )
        values = state.get("parameters")
        params = self.parameters()
        if not isinstance(values, list) or len(values) != len(params):
            got = len(values) if isinstance(values, list) else type(values).__name__
            raise ValueError(f"the saved model has {got} parameters, this model has {len(params)}")
        numbers = [_parameter_value(v, p.label or f"parameter {i}") for i, (p, v) in enumerate(zip(params, values))]
        for p, number in zip(params, numbers):
            p.data = number

    def save(self, path: str | os.PathLike) -> str:
        """Write the model to `path` as JSON, atomically (a crash never leaves half a file).

        Returns the path written.
        """
        return write_atomically(path, json.dumps(self.state_dict(), indent=1))

    def load(self, path: str | os.PathLike) -> None:
        """Load parameter values saved with `save`, all or nothing.

        The whole file is read, parsed and validated (format, architecture, number of
        parameters, each one a finite real number) before any parameter changes, so on any
        error the model is unchanged. Limits, checked before the work they guard: only a
        regular file is opened (never a folder, FIFO or device, which could block), of at
        most `MAX_MODEL_FILE_BYTES` (about 28 MB: `MAX_MODEL_PARAMETERS`, a million
        parameters, at 28 bytes each, plus room for the architecture), and shaped like a
        model file: at most 16 lists and objects, and at most a million parameters' worth of
        numbers (plus 1,000 for the architecture), counted before parsing, so padding never
        builds millions of objects.

        Raises:
            FileNotFoundError: there is no file at `path`.
            ValueError: the file is not a regular file, is empty, too big, shaped unlike a
                model file (padded, or nested deeply), not UTF-8, not JSON, holds Infinity,
                NaN or a number too large for a float, or is for another architecture; a
                one-line message that names `path`.

        >>> import tempfile, os
        >>> a, b = MLP(2, [3, 1], seed=1), MLP(2, [3, 1], seed=2)
        >>> path = a.save(os.path.join(tempfile.mkdtemp(), "model.json"))
        >>> b.load(path); b([1.0, 2.0]).data == a([1.0, 2.0]).data
        True
        """
        path = os.fspath(path)
        state = _read_model_file(path)
        try:
            self.load_state_dict(state)
        except ValueError as error:
            raise ValueError(f"cannot load {path}: {error}") from None

    # ------------------------------------------------------------------ PyTorch bridge

    def to_torch(self):
        """The same model as a ``torch.nn.Sequential`` with the same weights (float64)."""
        raise NotImplementedError(f"{type(self).__name__} has no PyTorch equivalent")


# The most parameters a model file may hold. Each parameter is a Python object with its graph
# around it; a scalar engine trains thousands (the demo allows 10,000), so a million is far
# more than any real model, and a file claiming more is not one.
MAX_MODEL_PARAMETERS = 1_000_000
# save() writes one parameter per line: two spaces, at most 24 characters
# (-2.2250738585072014e-308), a comma and a newline.
_BYTES_PER_PARAMETER = 28
# Room for the format, the type and the architecture (a list of layer sizes) around them.
_ARCHITECTURE_BYTES = 64 * 1024
# The largest model file `load` reads, about 28 MB; checked before a byte of it is read.
MAX_MODEL_FILE_BYTES = MAX_MODEL_PARAMETERS * _BYTES_PER_PARAMETER + _ARCHITECTURE_BYTES
# A model file is one object holding its config (an object, with a list of layer sizes) and
# its parameters (a list): 4 lists and objects. JSON with more is refused before parsing, so
# padding like [[],[],...] never builds millions of Python lists.
_MAX_CONTAINERS = 16
# Besides the parameters, a file holds a few keys and the layer sizes.
_ARCHITECTURE_ENTRIES = 1000

# More digits than this cannot be a float (the largest float, 1.8e308, has 309).
_MAX_DIGITS = 309


def _short(value: Any, limit: int = 60) -> str:
    """repr(value) cut to `limit` characters, so an error message stays one short line."""
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def _parameter_value(value: Any, name: str) -> float:
    """`value` as a finite float, or a ValueError naming the parameter."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if math.isfinite(number):
            return number
    raise ValueError(f"the saved value of {name} must be a finite real number, got {_short(value)}")


def _refuse_constant(name: str) -> None:
    raise ValueError(f"the file holds {name}; saved parameters must be finite numbers")


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_DIGITS:
        raise ValueError(f"the file holds a {len(text.lstrip('-'))}-digit number, too large for a float")
    return int(text)


def _parse_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"the file holds {_short(text, 30)}, too large for a float")
    return number


def _read_model_file(path: str) -> Any:
    """Parse the JSON of a model file; every way it can be broken is a one-line ValueError."""
    text = _model_text(path)
    _check_structure(path, text)
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_int=_parse_int, parse_float=_parse_float)
    except json.JSONDecodeError as error:
        raise ValueError(f"cannot load {path}: not a valid model file (corrupt JSON: {error})") from None
    except ValueError as error:
        raise ValueError(f"cannot load {path}: {error}") from None


def _model_text(path: str) -> str:
    """The text of the regular file at `path`, at most `MAX_MODEL_FILE_BYTES` (see `read_regular_file`)."""
    try:
        raw = read_regular_file(path, MAX_MODEL_FILE_BYTES)
    except FileTooLarge as error:
        raise ValueError(
            f"cannot load {path}: it is {error.size} bytes, more than a model file can be "
            f"({MAX_MODEL_FILE_BYTES} bytes); check the path (save() writes at most {_BYTES_PER_PARAMETER} bytes "
            f"per parameter; the limit fits {MAX_MODEL_PARAMETERS:,} parameters)"
        ) from None
    except ValueError as error:  # a folder, a FIFO, a device
        raise ValueError(f"cannot load {path}: {error}; give the path of a file written by save()") from None
    if not raw:
        raise ValueError(f"cannot load {path}: the file is empty (0 bytes); give the path of a file written by save()")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"cannot load {path}: not a model file (not UTF-8 text at byte {error.start})") from None


def _check_structure(path: str, text: str) -> None:
    """Refuse JSON shaped unlike any model file, before parsing builds it.

    Counting brackets and commas is cheap (in C, no objects made) and overestimates (they
    may sit in strings), which a model file, holding none there, never notices. It also
    bounds the nesting, so parsing can never exhaust the recursion limit.
    """
    containers = text.count("[") + text.count("{")
    if containers > _MAX_CONTAINERS:
        raise ValueError(
            f"cannot load {path}: it holds {containers} lists and objects, and a model file at most "
            f"{_MAX_CONTAINERS}; it was not written by save(), check the path"
        )
    entries = text.count(",") + 1
    most = MAX_MODEL_PARAMETERS + _ARCHITECTURE_ENTRIES
    if entries > most:
        raise ValueError(
            f"cannot load {path}: it holds {entries} numbers and entries, and a model file at most {most} "
            f"({MAX_MODEL_PARAMETERS} parameters and {_ARCHITECTURE_ENTRIES} for the architecture); "
            "it was not written by save(), check the path"
        )


def _check_size(name: str, value: Any) -> int:
    return as_whole_number(value, name, minimum=1)


def _check_inputs(x: Sequence[Input], expected: int) -> None:
    """Refuse what is not one sample of `expected` inputs, saying what to pass instead.

    A dict would give its keys and a set an arbitrary order: both would compute, silently,
    with the wrong numbers, so neither is taken.
    """
    if isinstance(x, (Mapping, Set)):
        shown = (
            f"a {type(x).__name__} (its keys would be read, not its values)"
            if isinstance(x, Mapping)
            else f"a {type(x).__name__} (it has no order)"
        )
        example = ", ".join(f"{i + 1}.0" for i in range(min(expected, 3))) + (", ..." if expected > 3 else "")
        raise TypeError(
            f"inputs must be a list of {expected} numbers or Values, got {shown}; pass a list, e.g. model([{example}])"
        )
    if isinstance(x, (Value, int, float)) or not hasattr(x, "__len__"):
        raise TypeError(f"inputs must be a list of {expected} numbers or Values, got {type(x).__name__}")
    if len(x) != expected:
        raise ValueError(
            f"expected {expected} inputs, got {len(x)}; pass one number or Value per input "
            f"(the model was made with nin={expected})"
        )


def _input_number(x: Any, i: int) -> float:
    """Input `i` as a float for a constant leaf, or the error that says what to pass."""
    return as_number(x, f"input {i + 1}", hint="pass a number or a Value")


def _check_expand(expand: Any) -> bool:
    if not isinstance(expand, bool):
        raise TypeError(f"expand must be True or False, got {type(expand).__name__} {expand!r}")
    return expand


def _rng(rng: random.Random | None, seed: int | None) -> Any:
    """The generator of initial weights: `rng`, a fresh one from `seed`, or Python's global one."""
    if rng is not None and seed is not None:
        raise ValueError("pass either rng or seed, not both")
    if rng is None:
        # Without a seed, use the `random` module itself, as micrograd does (random.seed works).
        return random.Random(seed) if seed is not None else random
    if not (isinstance(rng, random.Random) or rng is random):
        raise TypeError(f"rng must be a random.Random, got {type(rng).__name__}")
    return rng


class Neuron(Module):
    """One neuron: ``activation(w · x + b)``.

    Args:
        nin: the number of inputs.
        activation: ``"relu"`` (default), ``"tanh"``, ``"sigmoid"`` or ``"linear"``.
        nonlin: micrograd's switch; ``nonlin=False`` means ``activation="linear"``.
        rng: a ``random.Random`` for the initial weights (uniform in [-1, 1]); bias starts at 0.
        seed: instead of rng, a seed for a fresh generator.
        name: the prefix of labels and the scope, e.g. ``"L1.N3"``.
        expand: build micrograd's graph, one ``*`` node per weight and a chain of ``+``
            nodes, instead of one fused ``affine`` node (Σ wᵢ·xᵢ + b). Both give the same
            numbers bit for bit; the fused node is several times faster, the expanded graph
            shows every multiplication and addition of the chain rule.

    >>> n = Neuron(2, activation="tanh", seed=0, name="N1")
    >>> [p.label for p in n.parameters()]
    ['N1.w1', 'N1.w2', 'N1.b']
    >>> round(n([1.0, 0.5]).data, 4)
    0.7383
    >>> n([1.0, 0.5]).parents[0].op, Neuron(2, seed=0, expand=True)([1.0, 0.5]).parents[0].op
    ('affine', 'add')
    """

    def __init__(
        self,
        nin: int,
        activation: str = "relu",
        *,
        nonlin: bool | None = None,
        rng: random.Random | None = None,
        seed: int | None = None,
        name: str = "N1",
        expand: bool = False,
    ) -> None:
        _check_size("nin", nin)
        self.expand = _check_expand(expand)
        if nonlin is not None:
            activation = activation if nonlin else "linear"
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}; got {activation!r}")
        generator = _rng(rng, seed)
        self.activation = activation
        self.name = name
        self.w = [Value(generator.uniform(-1, 1), label=f"{name}.w{i + 1}") for i in range(nin)]
        self.b = Value(0.0, label=f"{name}.b")
        for p in self.parameters():
            p.scope = name

    def __call__(self, x: Sequence[Input]) -> Value:
        _check_inputs(x, len(self.w))
        return self._forward(x)

    def _forward(self, x: Sequence[Input], x_data: list | None = None) -> Value:
        """activation(w · x + b) on checked inputs; a Layer passes Values and their numbers, read once."""
        # Every value computed here records this neuron's name as its scope.
        if self.expand:
            with scope(self.name):
                # micrograd's graph: ((b + w1·x1) + w2·x2) + ..., one * and one + node per weight
                z = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
                return z if self.activation == "linear" else getattr(z, self.activation)()
        # The fused neuron makes two nodes at most: naming them directly gives them what
        # `with scope(self.name)` would, without entering a block (a ContextVar set and
        # reset) per neuron and call.
        z = affine(self.w, x, self.b, input_data=x_data)
        z.scope = self.name
        if self.activation == "linear":
            return z
        out = getattr(z, self.activation)()
        out.scope = self.name
        return out

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def config(self) -> dict:
        return {"nin": len(self.w), "activation": self.activation}

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, activation={self.activation!r})"


class Layer(Module):
    """A layer of `nout` neurons that all see the same `nin` inputs.

    Calling it returns a list of `nout` Values. Keyword options go to each `Neuron`.

    >>> layer = Layer(3, 2, seed=0)
    >>> len(layer([1.0, 2.0, 3.0]))
    2
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "relu",
        *,
        nonlin: bool | None = None,
        rng: random.Random | None = None,
        seed: int | None = None,
        name: str = "L1",
        expand: bool = False,
    ) -> None:
        _check_size("nout", nout)
        generator = _rng(rng, seed)
        self.name = name
        self.neurons = [
            Neuron(nin, activation, nonlin=nonlin, rng=generator, name=neuron_name(name, j + 1), expand=expand)
            for j in range(nout)
        ]

    def __call__(self, x: Sequence[Input]) -> list[Value]:
        neurons = self.neurons
        _check_inputs(x, len(neurons[0].w))
        x_data = None
        if not neurons[0].expand:
            # Fused neurons take Values: plain numbers become constant leaves, made once here
            # and shared by every neuron (one x0 in a drawing, not one per neuron).
            values = [xi if isinstance(xi, Value) else Value(_input_number(xi, i)) for i, xi in enumerate(x)]
            x_data = [xi.data for xi in values]
            x = values
        return [neuron._forward(x, x_data) for neuron in neurons]

    def parameters(self) -> list[Value]:
        return [p for neuron in self.neurons for p in neuron.parameters()]

    def config(self) -> dict:
        first = self.neurons[0]
        return {"nin": len(first.w), "nout": len(self.neurons), "activation": first.activation}

    def __repr__(self) -> str:
        first = self.neurons[0]
        return f"Layer({len(first.w)}, {len(self.neurons)}, activation={first.activation!r})"


class MLP(Module):
    """A multi-layer perceptron: hidden layers use `activation`, the last `output_activation`.

    Args:
        nin: the number of inputs.
        nouts: the size of each layer, e.g. ``[16, 16, 1]``.
        activation: the hidden layers' activation (``"relu"`` as in micrograd).
        output_activation: the last layer's activation; ``"linear"`` (the default, as in
            micrograd) gives raw scores, which is what the losses expect.
        seed: seed for the initial weights (None: Python's global random generator).
        expand: neurons build micrograd's ``*`` and ``+`` graph instead of one ``affine``
            node each (see `Neuron`); same numbers, bigger graph.

    Calling it returns a Value when the last layer has one neuron, else a list.
    ``parameters()`` follows micrograd's order (layer by layer, neuron by neuron, weights
    then bias), so weights copy one to one between the two libraries.

    >>> model = MLP(3, [4, 4, 1], seed=1)
    >>> model
    MLP(3, [4, 4, 1], activation='relu', output_activation='linear')
    >>> len(model.parameters())
    41
    >>> MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=0)([1.0, 2.0]).op
    'sigmoid'
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "relu",
        output_activation: str = "linear",
        *,
        seed: int | None = None,
        expand: bool = False,
    ) -> None:
        _check_size("nin", nin)
        if isinstance(nouts, int) or not nouts:
            raise TypeError(f"nouts must be a non-empty list of layer sizes, e.g. [16, 16, 1]; got {nouts!r}")
        sizes = [nin] + [_check_size("layer size", n) for n in nouts]
        for name, value in (("activation", activation), ("output_activation", output_activation)):
            if value not in ACTIVATIONS:
                raise ValueError(f"{name} must be one of {', '.join(ACTIVATIONS)}; got {value!r}")
        generator = _rng(None, seed)
        last = len(nouts) - 1
        self.activation = activation
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                activation if i < last else output_activation,
                rng=generator,
                name=layer_name(i + 1),
                expand=expand,
            )
            for i in range(len(nouts))
        ]

    @property
    def output_activation(self) -> str:
        """The last layer's activation, as its neurons store it."""
        return self.layers[-1].neurons[0].activation

    def __call__(self, x: Sequence[Input]) -> Value | list[Value]:
        outputs = self.layers[0](x)  # an MLP has at least one layer
        for layer in self.layers[1:]:
            outputs = layer(outputs)
        return outputs[0] if len(outputs) == 1 else outputs

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def config(self) -> dict:
        nin = len(self.layers[0].neurons[0].w)
        config = {"nin": nin, "nouts": [len(layer.neurons) for layer in self.layers], "activation": self.activation}
        # Only when not the default, so files saved before this option existed still load.
        if self.output_activation != "linear":
            config["output_activation"] = self.output_activation
        return config

    def gradient_norms(self) -> dict[str, float]:
        """Per layer, the size of its weights' gradient: √(Σ w.grad²), from the last ``backward()``.

        Biases are left out: the weights carry the signal that vanishes (or explodes) from
        layer to layer, because each weight's gradient is aᵢₙ × δ.

        >>> model = MLP(2, [3, 1], seed=0)
        >>> model.gradient_norms()
        {'L1': 0.0, 'L2': 0.0}
        >>> model([1.0, 2.0]).backward()
        >>> norms = model.gradient_norms(); norms["L2"] == math.sqrt(sum(w.grad ** 2 for n in model.layers[1].neurons for w in n.w))
        True
        """
        return {
            layer.name: math.sqrt(math.fsum(w.grad * w.grad for neuron in layer.neurons for w in neuron.w))
            for layer in self.layers
        }

    def __repr__(self) -> str:
        nin, nouts = len(self.layers[0].neurons[0].w), [len(layer.neurons) for layer in self.layers]
        return f"MLP({nin}, {nouts}, activation={self.activation!r}, output_activation={self.output_activation!r})"

    def to_torch(self):
        """The same network as a ``torch.nn.Sequential`` of Linear and activation layers.

        Weights are copied (float64), so outputs match this model's. Needs PyTorch.
        """
        try:
            import torch
        except ImportError:
            raise ImportError("to_torch() needs PyTorch: pip install torch") from None
        activations = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}
        modules = []
        for _i, layer in enumerate(self.layers):
            nin, nout = len(layer.neurons[0].w), len(layer.neurons)
            linear = torch.nn.Linear(nin, nout, dtype=torch.float64)
            with torch.no_grad():
                linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64))
                linear.bias.copy_(torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64))
            modules.append(linear)
            activation = layer.neurons[0].activation
            if activation != "linear":
                modules.append(activations[activation]())
        return torch.nn.Sequential(*modules)
