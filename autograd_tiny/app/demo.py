"""`autograd-tiny demo`: train an MLP on a toy dataset with micrograd's recipe, save pictures.

The recipe (micrograd's demo notebook): ``MLP(2, [16, 16, 1])`` on 100 moons points, hinge
loss plus a 1e-4 L2 penalty, plain SGD whose learning rate falls linearly from 1.0 to 0.1
over 100 steps. It reaches 100% training accuracy with the default seed.
"""

from __future__ import annotations

import io
import itertools
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..core.optional import check_installed, load
from ..core.value import Value, no_grad
from ..fast.training import CompiledTrainingStep
from ..learn.datasets import DATASETS
from ..learn.files import write_atomically
from ..learn.losses import cross_entropy, hinge, l2
from ..learn.nn import MLP
from ..learn.optim import SGD, Adam
from ..show.explain import explain
from ..show.render import draw_dot

__all__ = ["train", "run_demo", "TrainingResult", "parse_hidden", "full_batch_step"]

# micrograd's demo: the weight of the L2 penalty added to the hinge loss.
L2_ALPHA = 1e-4

# The demo's own packages (the ``demo`` extra): its plots and its progress bar. Imported when
# used, so that `train` and the rest of the package work without them.
PLOTS = "matplotlib.figure"
PROGRESS_BAR = "tqdm"


@dataclass
class TrainingResult:
    """What training produced: the model, its data, and the loss and accuracy per step."""

    model: MLP
    X: list
    y: list
    losses: list = field(default_factory=list)
    accuracies: list = field(default_factory=list)


# Limits of the demo command, checked before anything is allocated: beyond them a run takes
# hours or gigabytes (each step builds a graph of about 2 x samples x weights values).
MAX_STEPS = 10_000
MAX_WIDTH = 512  # neurons in one hidden layer
MAX_LAYERS = 8  # hidden layers
MAX_WEIGHTS = 10_000  # weights and biases of the whole model


def parse_hidden(text: str) -> list[int]:
    """Hidden layer sizes from text like ``"16,16"``, within the demo's limits.

    >>> parse_hidden("16, 8")
    [16, 8]
    >>> parse_hidden("100000")
    Traceback (most recent call last):
    ...
    ValueError: --hidden sizes must be at most 512 neurons per layer, got 100000; try 16,16
    """
    parts = text.split(",")
    if len(parts) > MAX_LAYERS:  # checked first: "1," * 10**6 must not build a list of ints
        raise ValueError(f"--hidden has {len(parts)} layers; at most {MAX_LAYERS} are allowed, e.g. 16,16")
    try:
        sizes = [int(part) for part in parts]
    except ValueError:
        raise ValueError(f"--hidden must be whole numbers separated by commas, like 16,16; got {text[:40]!r}") from None
    if any(size < 1 for size in sizes):
        raise ValueError(f"--hidden sizes must be at least 1, got {text!r}")
    too_wide = [size for size in sizes if size > MAX_WIDTH]
    if too_wide:
        raise ValueError(f"--hidden sizes must be at most {MAX_WIDTH} neurons per layer, got {too_wide[0]}; try 16,16")
    return sizes


def _weight_count(sizes: list[int], inputs: int = 2, outputs: int = 1) -> int:
    """How many weights and biases an MLP with these hidden sizes has.

    >>> _weight_count([16, 16])   # micrograd's demo: 48 + 272 + 17
    337
    """
    widths = [inputs, *sizes, outputs]
    return sum((fan_in + 1) * fan_out for fan_in, fan_out in itertools.pairwise(widths))


def _check_steps(steps: object) -> int:
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"--steps must be a whole number from 1 to {MAX_STEPS}, got {steps!r}")
    return steps


def _prepare_out(out: str) -> str:
    """Create the output folder `out` and check that files can be written in it.

    Done before training, so a bad ``--out`` fails in a second, not after the whole run.
    """
    if not out:
        raise ValueError("--out is empty; give a folder name, e.g. --out autograd_tiny_demo")
    if os.path.exists(out) and not os.path.isdir(out):
        raise ValueError(f"--out {out!r} is a file, not a folder; choose another name or remove the file")
    try:
        os.makedirs(out, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):  # the only reliable test: write one
            pass
    except OSError as error:
        reason = error.strerror or str(error)
        raise ValueError(
            f"--out {out!r} cannot be used as the output folder ({reason}); choose another folder"
        ) from None
    return out


def _score(model: MLP, x: list) -> Value:
    """The output of a two-class model: one score, whose sign is the predicted label."""
    out = model(x)
    assert isinstance(out, Value)  # the demo gives a two-class model one output neuron
    return out


def _class_scores(model: MLP, x: list) -> list[Value]:
    """The outputs of a model of three or more classes: one score per class."""
    out = model(x)
    assert isinstance(out, list)  # the demo gives such a model one output neuron per class
    return out


def _predict(model: MLP, x: list, classes: int) -> int:
    """The predicted label of one point: ±1 for two classes, else the class index."""
    if classes == 2:
        return 1 if _score(model, x).data > 0 else -1
    scores = [s.data for s in _class_scores(model, x)]
    return scores.index(max(scores))


def full_batch_step(model: MLP, X: list, y: list, classes: int, alpha: float) -> tuple[float, float]:
    """One full-batch step's loss and accuracy; leaves the gradients in each ``p.grad``."""
    if classes == 2:
        outputs = [_score(model, x) for x in X]
        data_loss = hinge(outputs, y)
        correct = sum((out.data > 0) == (label > 0) for out, label in zip(outputs, y))
    else:
        rows = [_class_scores(model, x) for x in X]
        data_loss = cross_entropy(rows, y)
        correct = sum(max(range(classes), key=lambda k: row[k].data) == label for row, label in zip(rows, y))
    loss = data_loss + l2(model.parameters(), alpha)
    model.zero_grad()
    loss.backward()
    return loss.data, correct / len(y)


def _compiled_step(model: MLP, X: list, y: list, alpha: float) -> Callable[[], tuple[float, float]]:
    """The same step as `full_batch_step`, from the library's `CompiledTrainingStep`.

    It evaluates the batch-mean hinge loss with matrix products and the L2 penalty, both
    traced by the engine and compiled once; the gradients go into each ``p.grad``.
    """

    if set(y) - {-1, 1}:
        raise ValueError(
            "--compiled trains the two-class datasets (moons, circles, xor): spirals' "
            "loss picks a class by label, which a graph traced once cannot do"
        )
    compiled = CompiledTrainingStep(model, X, y, alpha=alpha)

    def step() -> tuple[float, float]:
        weights = compiled.weights()
        loss, gradient = compiled(weights)
        for p, g in zip(compiled.parameters, gradient.tolist()):
            p.grad = g
        scores = compiled.scores(weights).tolist()
        correct = sum((s > 0) == (label > 0) for s, label in zip(scores, y))
        return loss, correct / len(y)

    return step


def train(
    *,
    steps: int = 100,
    seed: int = 1337,
    dataset: str = "moons",
    hidden: list[int] | None = None,
    optimizer: str = "sgd",
    n: int = 100,
    alpha: float = L2_ALPHA,
    progress: bool = False,
    compiled: bool = False,
) -> TrainingResult:
    """Train an MLP with micrograd's recipe; return the model and its training curves.

    SGD's learning rate falls linearly from 1.0 to 0.1; Adam's from 0.05 to 0.005. With
    `compiled`, each step runs code generated once by `compile_graph` (same losses, faster).

    >>> result = train(steps=2, hidden=[4], n=20)
    >>> len(result.losses), 0.0 <= result.accuracies[-1] <= 1.0
    (2, True)
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"--steps must be a whole number >= 1, got {steps!r}")
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; choose one of {', '.join(DATASETS)}")
    if optimizer not in ("sgd", "adam"):
        raise ValueError(f"unknown optimizer {optimizer!r}; choose sgd or adam")
    X, y = DATASETS[dataset](n=n, seed=seed)
    classes = len(set(y)) if dataset == "spirals" else 2
    model = MLP(2, list(hidden or [16, 16]) + [1 if classes == 2 else classes], seed=seed)
    params = model.parameters()
    opt: SGD | Adam
    if optimizer == "sgd":
        opt, start_lr = SGD(params, lr=1.0), 1.0
    else:
        opt, start_lr = Adam(params, lr=0.05), 0.05
    result = TrainingResult(model, X, y)
    if compiled:
        step = _compiled_step(model, X, y, alpha)
    else:
        step = lambda: full_batch_step(model, X, y, classes, alpha)  # noqa: E731

    bar = None  # a tqdm progress bar, with progress=True
    if progress:
        tqdm = load(PROGRESS_BAR, needed_by="the demo's progress bar").tqdm
        bar = tqdm(range(steps), desc=f"training on {dataset}", unit="step")
    for k in bar if bar is not None else range(steps):
        loss, accuracy = step()  # the gradients are now in each parameter's .grad
        opt.lr = start_lr * (1.0 - 0.9 * k / steps)
        opt.step()
        result.losses.append(loss)
        result.accuracies.append(accuracy)
        if bar is not None:
            bar.set_postfix(loss=f"{loss:.4f}", accuracy=f"{accuracy:.0%}")
    return result


def final_accuracy(result: TrainingResult) -> float:
    """The trained model's accuracy on its training data."""
    classes = 2 if set(result.y) <= {-1, 1} else len(set(result.y))
    with no_grad():
        predictions = [_predict(result.model, x, classes) for x in result.X]
    return sum(p == label for p, label in zip(predictions, result.y)) / len(result.y)


def _save_figure(figure, path: str) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return write_atomically(path, buffer.getvalue())


def plot_decision_boundary(result: TrainingResult, path: str, resolution: int = 40) -> str:
    """Save a PNG of the data points over the model's predicted regions."""
    # Figure without pyplot: no global backend is chosen, so a notebook's backend is untouched.
    Figure = load(PLOTS, needed_by="plotting the demo's results").Figure
    xs = [p[0] for p in result.X]
    ys = [p[1] for p in result.X]
    x_min, x_max = min(xs) - 0.5, max(xs) + 0.5
    y_min, y_max = min(ys) - 0.5, max(ys) + 0.5
    grid_x = [x_min + (x_max - x_min) * i / (resolution - 1) for i in range(resolution)]
    grid_y = [y_min + (y_max - y_min) * j / (resolution - 1) for j in range(resolution)]
    classes = 2 if set(result.y) <= {-1, 1} else len(set(result.y))
    with no_grad():
        regions = [[_predict(result.model, [gx, gy], classes) for gx in grid_x] for gy in grid_y]
    figure = Figure(figsize=(5, 4.5))
    axes = figure.add_subplot()
    axes.contourf(grid_x, grid_y, regions, alpha=0.3, cmap="coolwarm")
    axes.scatter(xs, ys, c=result.y, s=30, cmap="coolwarm", edgecolors="black", linewidths=0.5)
    axes.set_title(f"decision boundary (training accuracy {final_accuracy(result):.0%})")
    axes.set_xlabel("x0")
    axes.set_ylabel("x1")
    return _save_figure(figure, path)


def plot_training_curves(result: TrainingResult, path: str) -> str:
    """Save a PNG with the loss and the accuracy at every step."""
    Figure = load(PLOTS, needed_by="plotting the demo's results").Figure
    figure = Figure(figsize=(8, 3.2))
    loss_axes, accuracy_axes = figure.subplots(1, 2)
    steps = range(1, len(result.losses) + 1)
    loss_axes.plot(steps, result.losses, color="tab:red")
    loss_axes.set_yscale("log")
    loss_axes.set_title("loss")
    loss_axes.set_xlabel("step")
    accuracy_axes.plot(steps, [100 * a for a in result.accuracies], color="tab:blue")
    accuracy_axes.set_ylim(0, 102)
    accuracy_axes.set_title("training accuracy (%)")
    accuracy_axes.set_xlabel("step")
    figure.tight_layout()
    return _save_figure(figure, path)


def active_neuron_sample(model: MLP, X: list) -> tuple:
    """The first hidden neuron and the first sample on which that neuron is active.

    A ReLU neuron whose weighted sum is negative passes no gradient back (all its weights get
    0): a picture of it teaches nothing, so the demo looks for one that fires.
    Returns ``(neuron, sample index)``, or the first neuron and sample 0 if none fires.

    >>> from autograd_tiny import MLP
    >>> model = MLP(2, [3, 1], seed=0)
    >>> neuron, i = active_neuron_sample(model, [[-1.0, 0.5], [1.0, 2.0]])
    >>> neuron.name, i  # L1.N1 is off on the first sample (w·x + b < 0), on on the second
    ('L1.N1', 1)
    """
    first_layer = model.layers[0].neurons
    with no_grad():
        for neuron in first_layer:
            for i, x in enumerate(X):
                if neuron(x).data > 0.0:
                    return neuron, i
    return first_layer[0], 0


def save_neuron_graph(result: TrainingResult, path: str) -> list[str]:
    """Save the graph of one active hidden neuron on one sample, as SVG and PNG.

    The drawing comes from a fresh forward pass and the gradients of that pass alone (computed
    by `explain`, which changes no ``.grad``), so what training left in the parameters' ``.grad``
    never shows, and eager and compiled training draw the same picture. `path` names the SVG;
    the PNG is written beside it. Returns both paths.
    """

    neuron, i = active_neuron_sample(result.model, result.X)
    x = [Value(v, label=f"x{k + 1}") for k, v in enumerate(result.X[i])]  # x1, x2: numbered from 1
    out = neuron(x)
    out.label = f"{neuron.name} on sample {i}"
    graph = draw_dot(out, gradients=explain(out).gradients)
    stem = os.path.splitext(path)[0]
    return [graph.save(stem + ".svg"), graph.save(stem + ".png")]


def run_demo(
    *,
    steps: int = 100,
    seed: int = 1337,
    dataset: str = "moons",
    hidden: str = "16,16",
    optimizer: str = "sgd",
    out: str = "autograd_tiny_demo",
    compiled: bool = False,
) -> int:
    """The `autograd-tiny demo` command: train with a progress bar, save plots, print paths.

    Every option is checked, the demo's packages (matplotlib and tqdm: the ``demo`` extra;
    NumPy for `compiled`: the ``fast`` extra) are looked for, and `out` is created, before anything is trained or allocated.
    """
    _check_steps(steps)
    sizes = parse_hidden(hidden)
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; choose one of {', '.join(DATASETS)}")
    outputs = 1 if dataset != "spirals" else 3  # spirals: one score per class
    weights = _weight_count(sizes, outputs=outputs)
    if weights > MAX_WEIGHTS:
        raise ValueError(
            f"--hidden {hidden} makes a model with {weights} weights, more than the demo's limit of {MAX_WEIGHTS} "
            f"(each step would build a graph of millions of values); use smaller layers, e.g. 16,16"
        )
    # Before the output folder and the training: a missing plot library would otherwise
    # show only after the whole run.
    needed = [PLOTS, PROGRESS_BAR, "numpy"] if compiled else [PLOTS, PROGRESS_BAR]
    check_installed(needed, needed_by="autograd-tiny demo --compiled" if compiled else "autograd-tiny demo")
    _prepare_out(out)
    start = time.perf_counter()
    result = train(
        steps=steps, seed=seed, dataset=dataset, hidden=sizes, optimizer=optimizer, progress=True, compiled=compiled
    )
    elapsed = time.perf_counter() - start
    accuracy = final_accuracy(result)
    print(f"final training accuracy: {accuracy:.1%} (loss {result.losses[-1]:.4f})")
    if compiled:
        # One eager step on the trained model, for comparison (it only sets gradients).
        # Compiled training runs two-class datasets only, hence classes=2.
        eager_start = time.perf_counter()
        full_batch_step(result.model, result.X, result.y, 2, L2_ALPHA)
        eager = time.perf_counter() - eager_start
        result.model.zero_grad()
        per_step = elapsed / steps
        print(
            f"compiled training: {per_step * 1e3:.1f} ms per step including compiling; "
            f"an eager step takes {eager * 1e3:.0f} ms ({eager / per_step:.0f}x slower)"
        )
    for path in (
        plot_decision_boundary(result, os.path.join(out, "decision_boundary.png")),
        plot_training_curves(result, os.path.join(out, "training_curves.png")),
        *save_neuron_graph(result, os.path.join(out, "neuron_graph.svg")),
    ):
        print(f"wrote {path}")
    return 0
