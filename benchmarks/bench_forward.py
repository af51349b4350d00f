"""Why reverse mode: the full gradient of micrograd's demo loss, by forward mode and by backward().

Usage (from the repository root; needs only this project):

    python benchmarks/bench_forward.py              # 100 moons points, as the demo; about a minute
    python benchmarks/bench_forward.py --samples 10 # a smaller loss, a few seconds

The loss is micrograd's demo loss (MLP(2, [16, 16, 1]), 337 parameters, hinge + 1e-4 L2 over
the points). Forward mode gets ∂loss/∂p for one parameter p per sweep of tangents
(`tangents(loss, {p: 1.0})`): 337 sweeps. Reverse mode gets all 337 in one sweep
(`loss.backward()`). Both visit every edge once per sweep (`sweep_counts`), so the ratio of
their times is about the number of parameters. Both gradients are compared: they must agree.
Forward mode wins only in the opposite shape: one input and many outputs.
"""

from __future__ import annotations

import argparse
import platform
import time

from autograd_tiny import MLP, Value, make_moons, sweep_counts, tangents


def demo_loss(model: MLP, samples: int) -> Value:
    """micrograd's demo loss over `samples` moons points (the inputs wrapped in Values, as the demo does)."""
    X, Y = make_moons(samples, noise=0.1, seed=1337)
    scores = [model(list(map(Value, row))) for row in X]
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(Y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100, help="moons points in the loss (default: 100)")
    parser.add_argument("--rounds", type=int, default=3, help="times to run reverse mode; best kept (default: 3)")
    args = parser.parse_args()

    model = MLP(2, [16, 16, 1])
    params = model.parameters()
    loss = demo_loss(model, args.samples)
    counts = sweep_counts(loss, wrt=params)
    print(f"Python {platform.python_version()}, {platform.machine()}; loss over {args.samples} points")
    print(
        f"parameters {counts.inputs}, outputs {counts.outputs}, edges per sweep {counts.edges}: "
        f"forward mode {counts.forward_sweeps} sweeps, reverse mode {counts.reverse_sweeps}"
    )

    start = time.perf_counter()
    forward = [tangents(loss, {p: 1.0})[loss] for p in params]  # one sweep per parameter
    forward_s = time.perf_counter() - start

    reverse_s = float("inf")
    for _ in range(args.rounds):
        model.zero_grad()
        start = time.perf_counter()
        loss.backward()  # one sweep for all of them
        reverse_s = min(reverse_s, time.perf_counter() - start)
    reverse = [p.grad for p in params]

    worst = max(abs(f - r) / max(abs(r), 1e-300) for f, r in zip(forward, reverse) if r != 0.0 or f != 0.0)
    print(f"forward mode ({counts.forward_sweeps} sweeps): {forward_s * 1e3:10.1f} ms")
    print(f"reverse mode ({counts.reverse_sweeps} sweep):   {reverse_s * 1e3:10.1f} ms (best of {args.rounds})")
    print(f"forward / reverse: {forward_s / reverse_s:.0f}x; largest relative difference of the gradients {worst:.1e}")


if __name__ == "__main__":
    main()
