"""The playground's Train panel: an MLP learning a two-class toy dataset, a few steps at a time.

The page keeps one `Trainer` and calls `Trainer.step` in short chunks, so the page never
freezes, then redraws the decision boundary (`Trainer.grid_scores`) and the loss curve. The
step is the demo's (`autograd_tiny.app.demo.full_batch_step`): the hinge loss averaged over
every point plus micrograd's L2 penalty, one ``backward()``, one optimizer step; the same
settings and seed give the same losses in CPython and in the browser's Pyodide.

Settings arrive as text (the page's fields and the link's keys) and are checked here
(`Settings.from_text`), each error naming the field and what to write instead.

>>> trainer = Trainer(Settings.from_text({"dataset": "xor", "net": "4", "seed": "1"}))
>>> losses = trainer.step(3)
>>> len(losses), trainer.steps, losses[-1] < losses[0]
(3, 3, True)
>>> trainer.neuron_names()
['L1.N1', 'L1.N2', 'L1.N3', 'L1.N4', 'L2.N1']
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from ..core.value import Value, no_grad
from ..learn.datasets import make_circles, make_moons, make_spirals, make_xor
from ..learn.losses import hinge_term
from ..learn.nn import MLP
from ..learn.optim import SGD, Adam
from ..show.explain import explain
from ..show.neuron_graph import neuron_graph
from .demo import L2_ALPHA, full_batch_step

__all__ = ["Settings", "Trainer", "DATASETS", "ACTIVATIONS", "OPTIMIZERS", "check_step_count"]


def _spirals(n: int, seed: int) -> tuple[list, list]:
    """Two spiral arms, labelled ±1 like the other datasets (make_spirals labels 0 and 1)."""
    X, y = make_spirals(n, seed=seed, classes=2)
    return X, [1 if label == 1 else -1 for label in y]


# The page's datasets: two classes each, labelled −1 and +1 (the hinge loss's labels).
DATASETS = {
    "moons": lambda n, seed: make_moons(n, seed=seed),
    "circles": lambda n, seed: make_circles(n, seed=seed),
    "xor": lambda n, seed: make_xor(n, seed=seed),
    "spirals": _spirals,
}
ACTIVATIONS = ("relu", "tanh", "sigmoid")
OPTIMIZERS = ("sgd", "adam")
# A page's limits: a bigger network trains too slowly to watch (a step of MLP(2, [16, 16, 1])
# on 100 points takes ~30 ms in Pyodide) and the link could ask for any size.
MAX_LAYERS = 4
MAX_WIDTH = 32
MAX_SEED = 2**31 - 1
MAX_POINTS = 400  # the dataset's 100 and the points a learner adds
MAX_STEPS = 10_000  # steps in one call of Trainer.step (the page takes one at a time)
POINTS = 100


def _whole(text: str, field: str, low: int, high: int, example: str) -> int:
    text = text.strip()
    # isdecimal, not isdigit: int() cannot read digits like "²"; and int() refuses more than
    # 4300 digits with its own message, so a number of more than 20 digits is refused here.
    if not text.isdecimal() or len(text) > 20 or not low <= int(text) <= high:
        raise ValueError(f"{field}: write a whole number from {low} to {high}, like {example}; got {text[:40]!r}")
    return int(text)


def _hidden(text: str) -> tuple[int, ...]:
    """Hidden layer sizes from text like ``"16,16"``; empty text: no hidden layer."""
    if not text.strip():
        return ()
    parts = text.split(",")
    if len(parts) > MAX_LAYERS:
        raise ValueError(f"network: at most {MAX_LAYERS} hidden layers, like 16,16; got {len(parts)}")
    return tuple(_whole(part, "network", 1, MAX_WIDTH, "16,16 (neurons per hidden layer)") for part in parts)


def _choice(text: str, field: str, choices: tuple) -> str:
    if text not in choices:
        raise ValueError(f"{field}: choose one of {', '.join(choices)}; got {text[:40]!r}")
    return text


def _rate(text: str) -> float:
    try:
        lr = float(text)
    except ValueError:
        raise ValueError(f"learning rate: write a number like 0.1; got {text[:40]!r}") from None
    if not (math.isfinite(lr) and 0 < lr <= 10):
        raise ValueError(f"learning rate: choose a number above 0 and at most 10, like 0.1; got {text[:40]!r}")
    return lr


@dataclass(frozen=True)
class Settings:
    """What the Train panel trains: the dataset, the network, and how it learns.

    Attributes:
        dataset: one of `DATASETS`; seed: its points' and the weights' seed.
        hidden: the hidden layers' sizes (the output layer is one neuron: a score).
        activation: the hidden layers' activation; optimizer: ``"sgd"`` or ``"adam"``;
        lr: the learning rate, constant.
    """

    dataset: str = "moons"
    hidden: tuple[int, ...] = (16, 16)
    activation: str = "relu"
    optimizer: str = "sgd"
    lr: float = 0.1
    seed: int = 0

    # The link's keys and what each sets.
    KEYS = ("dataset", "net", "act", "opt", "lr", "seed")

    @classmethod
    def from_text(cls, fields: Mapping[str, str]) -> Settings:
        """Settings from the page's text fields (keys as in `KEYS`; a missing key keeps its default).

        >>> Settings.from_text({"net": "8, 8", "lr": "0.05"}).hidden
        (8, 8)
        >>> Settings.from_text({"net": "16,1000"})
        Traceback (most recent call last):
        ...
        ValueError: network: write a whole number from 1 to 32, like 16,16 (neurons per hidden layer); got '1000'
        """
        unknown = sorted(set(fields) - set(cls.KEYS))
        if unknown:
            raise ValueError(f"unknown training setting {unknown[0][:40]!r}; the settings are {', '.join(cls.KEYS)}")
        default = cls()
        return cls(
            dataset=_choice(fields.get("dataset", default.dataset), "dataset", tuple(DATASETS)),
            hidden=_hidden(fields["net"]) if "net" in fields else default.hidden,
            activation=_choice(fields.get("act", default.activation), "activation", ACTIVATIONS),
            optimizer=_choice(fields.get("opt", default.optimizer), "optimizer", OPTIMIZERS),
            lr=_rate(fields["lr"]) if "lr" in fields else default.lr,
            seed=_whole(fields["seed"], "seed", 0, MAX_SEED, "0") if "seed" in fields else default.seed,
        )

    def as_text(self) -> dict[str, str]:
        """The settings as the link writes them (`from_text` reads them back)."""
        return {
            "dataset": self.dataset,
            "net": ",".join(map(str, self.hidden)),
            "act": self.activation,
            "opt": self.optimizer,
            "lr": repr(self.lr),
            "seed": str(self.seed),
        }


class Trainer:
    """An MLP(2, [*hidden, 1]) and its dataset, trained one full-batch step at a time.

    Attributes:
        settings: what it trains; model: the MLP; X, y: the points and their ±1 labels
            (the dataset's, then any added with `add_point`); steps: steps taken;
        losses: the loss of each step (before its update); bounds: the plot's square
            ``(x_min, x_max, y_min, y_max)``, fixed when the data is made.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings = settings or Settings()
        self.X, self.y = DATASETS[settings.dataset](POINTS, settings.seed)
        self.model = MLP(2, [*settings.hidden, 1], activation=settings.activation, seed=settings.seed)
        params = self.model.parameters()
        self.optimizer = (SGD if settings.optimizer == "sgd" else Adam)(params, lr=settings.lr)
        self.losses: list[float] = []
        self.accuracy = 0.0
        self.bounds = _square_around(self.X)

    def step(self, count: int = 1) -> list[float]:
        """Take `count` steps; return each step's loss (computed before its update).

        The gradients are in each parameter's ``.grad`` afterwards, as after any step. If a
        step fails (the optimizer refuses a nan gradient), `steps` and `losses` still count
        the updates made before it.
        """
        check_step_count(count)
        losses = []
        for _ in range(count):
            loss, accuracy = full_batch_step(self.model, self.X, self.y, 2, L2_ALPHA)
            self.optimizer.step()
            # kept once the update is made, so a failure later in the chunk keeps the count true
            self.losses.append(loss)
            self.accuracy = accuracy
            losses.append(loss)
        return losses

    @property
    def steps(self) -> int:
        """The steps taken: one loss is kept per update made."""
        return len(self.losses)

    def add_point(self, x: float, y: float, label: int) -> int:
        """Add a point of class `label` (±1) inside the plot; return its index."""
        if label not in (-1, 1):
            raise ValueError(f"a point's class is -1 or 1, got {label!r}")
        x_min, x_max, y_min, y_max = self.bounds
        if not (x_min <= x <= x_max and y_min <= y <= y_max):
            raise ValueError(f"the point ({x}, {y}) is outside the plot; click inside it")
        if len(self.X) >= MAX_POINTS:
            raise ValueError(f"the plot holds at most {MAX_POINTS} points; Reset to start again")
        self.X.append([float(x), float(y)])
        self.y.append(label)
        return len(self.X) - 1

    def score(self, x: list) -> float:
        """The model's score for point `x`: its sign is the predicted class."""
        with no_grad():
            out = self.model(x)
        assert isinstance(out, Value)  # one output neuron
        return out.data

    def grid_scores(self, size: int) -> list[float]:
        """The score at the centre of each cell of a `size` × `size` grid over the plot, row by
        row from the top (largest y) down: the picture of the decision boundary."""
        x_min, x_max, y_min, y_max = self.bounds
        xs = [x_min + (i + 0.5) * (x_max - x_min) / size for i in range(size)]
        ys = [y_max - (j + 0.5) * (y_max - y_min) / size for j in range(size)]
        return [self.score([x, y]) for y in ys for x in xs]

    def neuron_names(self) -> list[str]:
        """Every neuron's name, layer by layer (``L1.N1`` …, the output neuron last)."""
        return [neuron.name for layer in self.model.layers for neuron in layer.neurons]

    def sample_loss(self, index: int) -> Value:
        """The loss of point `index` alone, max(0, 1 − y·score): its share of the training loss
        (which averages these over every point and adds the L2 penalty)."""
        if not 0 <= index < len(self.X):
            raise ValueError(f"point {index} does not exist; the points are numbered 0 to {len(self.X) - 1}")
        score = self.model(self.X[index])
        assert isinstance(score, Value)  # one output neuron
        loss = hinge_term(score, self.y[index])
        loss.label = "C"  # the views then write C, the textbooks' name for the cost
        return loss

    def neuron_view(self, index: int, name: str) -> tuple[str, str]:
        """Neuron `name` on point `index`: its graph's DOT and its δ view (text), with the numbers
        of ``backward()`` on that point's loss. Pure: no ``.grad`` changes."""
        view = explain(self.sample_loss(index), group="neuron")
        record = view.neuron(name)
        return neuron_graph(view, name).source, "\n".join(view.neuron_lines(record))


def check_step_count(count: int) -> int:
    """`count` if `Trainer.step` takes that many steps in one call (1 to `MAX_STEPS`).

    >>> check_step_count(0)
    Traceback (most recent call last):
    ...
    ValueError: steps: take 1 to 10000 steps at a time; got 0
    """
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_STEPS:
        raise ValueError(f"steps: take 1 to {MAX_STEPS} steps at a time; got {count!r}")
    return count


def _square_around(points: list, margin: float = 0.25) -> tuple[float, float, float, float]:
    """The smallest square holding every point with `margin` to spare, centred on them."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    half = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 + margin
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return (cx - half, cx + half, cy - half, cy + half)
