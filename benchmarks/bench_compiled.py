"""micrograd's demo training step: micrograd vs our eager engine vs a compiled graph.

Usage (from the repository root, with micrograd and numpy installed):

    python benchmarks/bench_compiled.py

The step: MLP(2, [16, 16, 1]) on 100 moons points, hinge loss + 1e-4 L2, backward, SGD
update. The compiled step traces one sample's loss once (`compile_graph`) and evaluates it for
all 100 samples as one NumPy batch. All three run in the same process, interleaved; the
table shows the best of several steps and ratios against the compiled step.
"""

from __future__ import annotations

import gc
import platform
import random
import time

from autograd_tiny import MLP, make_moons
from autograd_tiny.demo import CompiledStep, _eager_step

try:
    from micrograd.engine import Value as MicroValue
    from micrograd.nn import MLP as MicroMLP
except ImportError:  # pragma: no cover
    raise SystemExit("micrograd is not installed: pip install micrograd==0.1.0") from None

X, Y = make_moons(n=100, noise=0.1, seed=1337)


def micrograd_step(model):
    scores = [model([MicroValue(a), MicroValue(b)]) for a, b in X]
    losses = [(1 + -y * s).relu() for y, s in zip(Y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    for p in model.parameters():
        p.data -= 0.5 * p.grad


def update(model):
    for p in model.parameters():
        p.data -= 0.5 * p.grad


def best(function, repeats):
    times = []
    for _ in range(repeats):
        gc.collect()  # micrograd leaves cyclic garbage; don't bill it to the next engine
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    random.seed(1337)
    theirs = MicroMLP(2, [16, 16, 1])
    eager = MLP(2, [16, 16, 1], seed=1337)
    compiled_model = MLP(2, [16, 16, 1], seed=1337)

    start = time.perf_counter()
    step = CompiledStep(compiled_model, X, Y, 1e-4)
    compile_time = time.perf_counter() - start

    rounds = {"micrograd": [], "eager": [], "compiled": []}
    for _ in range(3):  # interleaved, so drifts in machine load hit all three alike
        rounds["micrograd"].append(best(lambda: micrograd_step(theirs), 1))
        rounds["eager"].append(best(lambda: (_eager_step(eager, X, Y, 2, 1e-4), update(eager)), 1))
        rounds["compiled"].append(best(lambda: (step(), update(compiled_model)), 20))
    times = {name: min(values) for name, values in rounds.items()}

    print(f"Python {platform.python_version()} on {platform.machine()}; {time.strftime('%Y-%m-%d')}")
    print("one training step of MLP(2, [16, 16, 1]) on 100 points (best of several):\n")
    print(f"{'engine':<28}{'ms per step':>12}{'compiled is':>14}")
    for name, label in (("micrograd", "micrograd 0.1.0"), ("eager", "autograd_tiny (eager)"), ("compiled", "autograd_tiny (compiled)")):
        ratio = times[name] / times["compiled"]
        print(f"{label:<28}{times[name] * 1e3:>12.2f}{(f'{ratio:.0f}x faster' if name != 'compiled' else ''):>14}")
    print(f"\ncompile time (trace + generate + first exec): {compile_time * 1e3:.0f} ms "
          f"= {compile_time / times['eager']:.1f} eager steps")


if __name__ == "__main__":
    main()
