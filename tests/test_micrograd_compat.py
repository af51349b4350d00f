"""Code from micrograd's README and demo runs after changing the import."""

from __future__ import annotations

import random

import pytest


def test_micrograd_demo_training_loop_runs_unchanged():
    from autograd_tiny.datasets import make_moons
    from autograd_tiny.nn import MLP

    random.seed(1337)
    X, y = make_moons(n=40, noise=0.1, seed=1)
    # micrograd's demo, verbatim apart from the data:
    model = MLP(2, [16, 16, 1])  # 2-layer neural network
    print("number of parameters", len(model.parameters()))

    def loss():
        inputs = [list(map(lambda v: v, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        alpha = 1e-4
        reg_loss = alpha * sum((p * p for p in model.parameters()))
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    first, _ = loss()
    for k in range(15):
        total_loss, acc = loss()
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
    assert len(model.parameters()) == 337
    assert total_loss.data < first.data


def test_sum_with_a_zero_start_works():
    from autograd_tiny import Value

    total = sum([Value(1.0), Value(2.0)])
    total.backward()
    assert total.data == 3.0


def test_weights_copied_from_micrograd_train_identically():
    micrograd_nn = pytest.importorskip("micrograd.nn")
    from autograd_tiny.nn import MLP

    random.seed(0)
    theirs = micrograd_nn.MLP(2, [4, 1])
    ours = MLP(2, [4, 1])
    for p, q in zip(ours.parameters(), theirs.parameters()):
        p.data = q.data
    X, y = [[0.5, 1.0], [-1.0, 0.3], [0.2, -0.7]], [1, -1, 1]
    for model in (ours, theirs):
        for _ in range(3):
            losses = [(1 + -yi * model(x)).relu() for x, yi in zip(X, y)]
            total = sum(losses) * (1.0 / len(losses))
            model.zero_grad()
            total.backward()
            for p in model.parameters():
                p.data -= 0.5 * p.grad
    for p, q in zip(ours.parameters(), theirs.parameters()):
        assert p.data == pytest.approx(q.data, rel=1e-12, abs=1e-15)
