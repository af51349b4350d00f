"""micrograd's demo training step: micrograd vs our eager engine vs compiled graphs.

Usage (from the repository root, in an environment with micrograd==0.1.0 and numpy):

    python benchmarks/bench_compiled.py [--rounds N]

The step (micrograd's demo notebook): MLP(2, [16, 16, 1]) on 100 moons points, hinge loss
+ 1e-4 L2 penalty, backward, SGD update. All engines start from the same weights and check
that they compute the same first loss. Compiled two ways with `compile_graph`:

* **one sample, batched** (the recommended pattern, what ``demo --compiled`` does): trace one
  sample's loss once, with the parameters and the sample as inputs; evaluate it for all 100
  samples at once with the parameters as numbers and the data as NumPy arrays; average the
  per-sample gradients and add the L2 penalty's.
* **whole batch unrolled**: trace the full loss (every sample, ~65k nodes) with the
  parameters as inputs and evaluate it with plain floats. No NumPy needed, but a large
  function to generate and compile.

* **the library's compiled training step** (`CompiledTrainingStep`): the batch-mean loss with
  ``reduce="mean"`` (one matrix product per layer) plus the L2 penalty, both traced by the
  engine; SGD on a NumPy parameter vector. It calls ``f.batch(vector, arrays)``; the same step
  through the **generic call** ``f(numbers + arrays, reduce="mean")`` (a list of 337 floats
  and 3 arrays, as a user passes them) is timed too, and so are the two calls alone. Compared with **PyTorch** 2.x's batched float64
  step of the same network (``to_torch()``, one thread, same loss, ``backward()``, SGD under
  ``no_grad``), and both run the same number of steps so their losses are compared step by
  step (they must agree to 1e-9). Skipped if torch is not installed (pip install torch==2.13.0).

Engines run interleaved, round by round, so drifts in machine load hit them alike; the
table shows the best and the median time per step, and ratios of the best times.
"""

from __future__ import annotations

import argparse
import gc
import platform
import statistics
import time

import numpy as np

from autograd_tiny import MLP, Value, compile_graph, hinge, l2, make_moons
from autograd_tiny.core.graph import topological_order
from autograd_tiny.fast.training import CompiledTrainingStep

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

try:
    from micrograd.engine import Value as MicroValue
    from micrograd.nn import MLP as MicroMLP
except ImportError:  # pragma: no cover
    raise SystemExit("micrograd is not installed: pip install micrograd==0.1.0") from None

ALPHA = 1e-4  # the L2 weight of micrograd's demo
LR = 0.5


# ------------------------------------------------------------------------------ the steps


def micrograd_step(model, X, Y) -> float:
    scores = [model([MicroValue(a), MicroValue(b)]) for a, b in X]
    losses = [(1 + -y * s).relu() for y, s in zip(Y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    for p in model.parameters():
        p.data -= LR * p.grad
    return total.data


def eager_step(model, X, Y) -> float:
    params = model.parameters()
    loss = hinge([model(x) for x in X], Y) + l2(params, ALPHA)
    model.zero_grad()
    loss.backward()
    for p in params:
        p.data -= LR * p.grad
    return loss.data


class BatchedStep:
    """One sample's loss compiled once, evaluated for every sample at once (NumPy)."""

    def __init__(self, model, X, Y) -> None:
        self.params = model.parameters()
        x0, x1, y = Value(0.0, label="x0"), Value(0.0, label="x1"), Value(1.0, label="y")
        one_sample = (1 + -y * model([x0, x1])).relu()  # hinge's term for one sample
        self.nodes = len(topological_order(one_sample))
        self.f = compile_graph(one_sample, self.params + [x0, x1, y])
        self.data = [np.array([p[0] for p in X]), np.array([p[1] for p in X]), np.array(Y, dtype=float)]

    def __call__(self) -> float:
        weights = [p.data for p in self.params]
        terms, grads = self.f(weights + self.data)
        w = np.array(weights)
        loss = float(terms.mean() + ALPHA * (w @ w))
        grad = np.mean(grads[: len(weights)], axis=1) + 2 * ALPHA * w  # batch mean + L2's gradient
        for p, new in zip(self.params, (w - LR * grad).tolist()):
            p.data = new
        return loss


class UnrolledStep:
    """The whole batch's loss compiled once, with the parameters as inputs (plain floats)."""

    def __init__(self, model, X, Y) -> None:
        self.params = model.parameters()
        loss = hinge([model(x) for x in X], Y) + l2(self.params, ALPHA)
        self.nodes = len(topological_order(loss))
        self.f = compile_graph(loss, self.params)

    def __call__(self) -> float:
        loss, grads = self.f([p.data for p in self.params])
        for p, g in zip(self.params, grads):
            p.data -= LR * g
        return loss


class LibraryStep:
    """The library's compiled training step, SGD on its NumPy parameter vector."""

    def __init__(self, model, X, Y) -> None:
        self.step = CompiledTrainingStep(model, X, Y, alpha=ALPHA)
        self.nodes = len(topological_order(model([Value(0.0), Value(0.0)])))
        self.weights = self.step.weights()
        self.losses: list = []

    def __call__(self) -> float:
        loss, gradient = self.step(self.weights)
        self.weights -= LR * gradient
        self.losses.append(loss)
        return loss


class GenericStep(LibraryStep):
    """CompiledTrainingStep's work, its loss through the generic call f(numbers + arrays, reduce="mean")."""

    def __init__(self, model, X, Y) -> None:
        super().__init__(model, X, Y)
        self.samples = [*self.step.columns, self.step.labels]

    def __call__(self) -> float:
        step, weights = self.step, self.weights
        loss, gradient = step.loss(weights.tolist() + self.samples, reduce="mean")
        gradient = gradient[: len(weights)]
        terms, (slope,) = step.penalty([weights])
        loss += float(terms.sum())
        gradient += slope
        self.weights -= LR * gradient
        self.losses.append(loss)
        return loss


class TorchStep:
    """PyTorch's batched float64 step of the same network: same loss, backward(), SGD."""

    def __init__(self, model, X, Y) -> None:
        torch.set_num_threads(1)
        self.net = model.to_torch()
        self.params = list(self.net.parameters())
        self.X = torch.tensor(X, dtype=torch.float64)
        self.Y = torch.tensor(Y, dtype=torch.float64)
        self.nodes = 0
        self.losses: list = []

    def __call__(self) -> float:
        scores = self.net(self.X).squeeze(1)
        loss = torch.relu(1 - self.Y * scores).mean() + ALPHA * sum((p * p).sum() for p in self.params)
        for p in self.params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in self.params:
                p -= LR * p.grad
        value = loss.item()
        self.losses.append(value)
        return value


# ------------------------------------------------------------------------------ measuring


def timed(function) -> float:
    gc.collect()  # micrograd leaves cyclic garbage; don't bill it to the next engine
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def build(kind, model, X, Y):
    """Trace + generate, then the first call (which compiles the generated source); seconds."""
    start = time.perf_counter()
    step = kind(model, X, Y)
    generate = time.perf_counter() - start
    start = time.perf_counter()
    loss = step()
    first = time.perf_counter() - start
    return step, loss, generate, first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    args = parser.parse_args()

    X, Y = make_moons(n=100, noise=0.1, seed=1337)
    models = {name: MLP(2, [16, 16, 1], seed=1337) for name in ("eager", "batched", "unrolled", "library", "torch")}
    theirs = MicroMLP(2, [16, 16, 1])
    for p, q in zip(theirs.parameters(), models["eager"].parameters(), strict=True):
        p.data = q.data  # the same start everywhere (same parameter order, as in micrograd)

    first_losses = {"micrograd": micrograd_step(theirs, X, Y), "eager": eager_step(models["eager"], X, Y)}
    steps, compile_times, nodes = {}, {}, {}
    models["generic"] = MLP(2, [16, 16, 1], seed=1337)
    kinds = [("batched", BatchedStep), ("unrolled", UnrolledStep), ("library", LibraryStep), ("generic", GenericStep)]
    if torch is not None:
        kinds.append(("torch", TorchStep))
    for name, kind in kinds:
        steps[name], first_losses[name], generate, first = build(kind, models[name], X, Y)
        compile_times[name] = (generate, first)
        nodes[name] = steps[name].nodes
    reference = first_losses["eager"]
    agree = max(abs(loss - reference) / reference for loss in first_losses.values())

    # The two calls alone, at the same weights and data: the generic one with a list of
    # numbers and arrays (built once here: the step above builds it each time), f.batch with
    # the vector.
    f = steps["library"].step.loss
    weights = steps["library"].step.weights()
    samples = steps["generic"].samples
    values = weights.tolist() + samples
    runs = {
        "micrograd": (lambda: micrograd_step(theirs, X, Y), 1),
        "eager": (lambda: eager_step(models["eager"], X, Y), 1),
        "batched": (steps["batched"], 20),
        "unrolled": (steps["unrolled"], 5),
        "library": (steps["library"], 20),
        "generic": (steps["generic"], 20),
        "generic call": (lambda: f(values, reduce="mean"), 50),
        "batch call": (lambda: f.batch(weights, samples, reduce="mean"), 50),
    }
    if torch is not None:
        runs["torch"] = (steps["torch"], 20)  # as many steps as "library": losses compared step by step
    times: dict = {name: [] for name in runs}
    for _ in range(args.rounds):
        for name, (function, repeats) in runs.items():
            times[name].append(min(timed(function) for _ in range(repeats)))
    best = {name: min(values) for name, values in times.items()}
    median = {name: statistics.median(values) for name, values in times.items()}

    print(
        f"Python {platform.python_version()}, NumPy {np.__version__}, {platform.machine()}, "
        f"{time.strftime('%Y-%m-%d %H:%M')}; {args.rounds} interleaved rounds"
    )
    print("one training step of MLP(2, [16, 16, 1]) on 100 moons points: forward, backward, SGD update")
    print(f"first-step losses agree to {agree:.1e} (relative)\n")
    labels = {
        "micrograd": "micrograd 0.1.0",
        "eager": "autograd_tiny, eager",
        "batched": "compiled, one sample batched",
        "unrolled": "compiled, whole batch unrolled",
        "library": "CompiledTrainingStep (matrices)",
        "generic": "same, f(values, reduce='mean')",
    }
    if torch is not None:
        labels["torch"] = f"PyTorch {torch.__version__}, float64"
    print(f"{'engine':<32}{'best ms':>9}{'median ms':>11}{'vs micrograd':>14}{'vs eager':>10}")
    for name, label in labels.items():
        print(
            f"{label:<32}{best[name] * 1e3:>9.2f}{median[name] * 1e3:>11.2f}"
            f"{best['micrograd'] / best[name]:>13.0f}x{best['eager'] / best[name]:>9.1f}x"
        )

    generic_vs_batch = best["generic call"] / best["batch call"]
    print(
        f"\nthe generic call f(values, reduce='mean') vs f.batch(vector, arrays), the same evaluation: "
        f"{best['generic call'] * 1e3:.3f} vs {best['batch call'] * 1e3:.3f} ms (best), {generic_vs_batch:.2f}x; "
        f"medians {median['generic call'] * 1e3:.3f} vs {median['batch call'] * 1e3:.3f} ms, "
        f"{median['generic call'] / median['batch call']:.2f}x"
    )
    gap = max(abs(a - b) for a, b in zip(steps["generic"].losses, steps["library"].losses, strict=True))
    print(
        f"the step through the generic call vs CompiledTrainingStep: {best['generic'] / best['library']:.2f}x (best), "
        f"{median['generic'] / median['library']:.2f}x (median); losses agree to {gap:.1e}"
    )
    if torch is not None:
        print(
            f"the step through the generic call vs PyTorch (1 thread): {best['torch'] / best['generic']:.2f}x faster "
            f"(best), {median['torch'] / median['generic']:.2f}x (median)"
        )
        ours, theirs_ = steps["library"].losses, steps["torch"].losses
        gap = max(abs(a - b) for a, b in zip(ours, theirs_, strict=True))
        print(
            f"\nCompiledTrainingStep vs PyTorch (1 thread): {best['torch'] / best['library']:.2f}x faster (best), "
            f"{median['torch'] / median['library']:.2f}x (median); losses over {len(ours)} steps agree to {gap:.1e}"
        )

    print("\ncompiling (once per model):")
    print(f"{'':<32}{'nodes':>7}{'trace+generate':>16}{'first call':>12}{'pays off after':>16}")
    for name in ("batched", "unrolled", "library"):
        generate, first = compile_times[name]
        saved = best["eager"] - best[name]  # per step, against the eager engine
        print(
            f"{labels[name]:<32}{nodes[name]:>7}{generate * 1e3:>13.0f} ms{first * 1e3:>9.0f} ms"
            f"{(generate + first) / saved:>10.1f} steps"
        )


if __name__ == "__main__":
    main()
