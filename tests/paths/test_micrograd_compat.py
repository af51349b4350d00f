"""Code from micrograd's README and demo runs after changing the import."""

from __future__ import annotations

import random

import pytest


def micrograd_demo(MLP, X, y, steps=15):
    """micrograd's demo, verbatim apart from the data and the step count; returns its history."""
    random.seed(1337)
    model = MLP(2, [16, 16, 1])  # 2-layer neural network
    print("number of parameters", len(model.parameters()))

    def loss():
        inputs = [list(map(lambda v: v, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        alpha = 1e-4
        reg_loss = alpha * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    history = []
    for k in range(steps):
        total_loss, acc = loss()
        model.zero_grad()
        total_loss.backward()
        history.append((total_loss.data, acc, [p.grad for p in model.parameters()]))
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
    return model, history


def test_micrograd_demo_training_loop_runs_unchanged():
    from autograd_tiny.learn.datasets import make_moons
    from autograd_tiny.nn import MLP

    X, y = make_moons(n=40, noise=0.1, seed=1)
    model, ours = micrograd_demo(MLP, X, y)
    assert len(model.parameters()) == 337
    assert ours[-1][0] < ours[0][0]
    # The same demo run by micrograd itself (same seed, so the same initial weights): every
    # step's loss, accuracy and every parameter's gradient agree.
    micrograd_nn = pytest.importorskip("micrograd.nn")
    _, theirs = micrograd_demo(micrograd_nn.MLP, X, y)
    for (loss, acc, grads), (their_loss, their_acc, their_grads) in zip(ours, theirs):
        assert loss == pytest.approx(their_loss, rel=1e-12)
        assert acc == their_acc
        assert grads == pytest.approx(their_grads, rel=1e-9, abs=1e-12)


def test_sum_with_a_zero_start_works():
    from autograd_tiny import Value

    a, b = Value(1.0), Value(2.0)
    total = sum([a * 3, b])  # sum() starts from the int 0: 0 + a*3 goes through __radd__
    total.backward()
    assert (total.data, a.grad, b.grad) == (5.0, 3.0, 1.0)


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
