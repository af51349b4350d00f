"""CompiledTrainingStep: the demo's loss and gradient, from graphs the engine traced."""

import numpy as np
import pytest

from autograd_tiny import MLP, Value, hinge, l2, make_moons
from autograd_tiny.fast.training import CompiledTrainingStep, hinge_term


def eager_loss_and_gradient(model, X, y, alpha):
    params = model.parameters()
    loss = hinge([model(x) for x in X], y) + l2(params, alpha)
    model.zero_grad()
    loss.backward()
    return loss.data, [p.grad for p in params]


@pytest.mark.parametrize("hidden", [[4], [16, 16], [3, 5, 2]])
def test_loss_and_gradient_equal_the_eager_engine(hidden):
    X, y = make_moons(n=30, seed=2)
    model = MLP(2, [*hidden, 1], seed=2)
    step = CompiledTrainingStep(model, X, y, alpha=1e-4)
    loss, gradient = step(step.weights())
    expected_loss, expected_gradient = eager_loss_and_gradient(model, X, y, 1e-4)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    assert gradient.tolist() == pytest.approx(expected_gradient, rel=1e-9, abs=1e-15)


def test_sgd_on_the_vector_follows_the_eager_trajectory():
    X, y = make_moons(n=20, seed=3)
    eager, compiled = MLP(2, [4, 1], seed=3), MLP(2, [4, 1], seed=3)
    step = CompiledTrainingStep(compiled, X, y)
    weights = step.weights()
    for _ in range(5):
        loss, gradient = step(weights)
        weights -= 0.5 * gradient
        expected_loss, expected_gradient = eager_loss_and_gradient(eager, X, y, 1e-4)
        for p, g in zip(eager.parameters(), expected_gradient):
            p.data -= 0.5 * g
        assert loss == pytest.approx(expected_loss, rel=1e-12)
    assert weights.tolist() == pytest.approx([p.data for p in eager.parameters()], rel=1e-9)


def test_without_penalty_and_with_a_term_of_your_own():
    X, y = make_moons(n=10, seed=4)
    model = MLP(2, [3, 1], seed=4)
    step = CompiledTrainingStep(model, X, y, term=lambda score, label: (score - label) ** 2, alpha=0.0)
    loss, gradient = step(step.weights())
    params = model.parameters()
    eager = sum((model(x) - t) ** 2 for x, t in zip(X, y)) * (1.0 / len(X))
    model.zero_grad()
    eager.backward()
    assert step.penalty is None
    assert loss == pytest.approx(eager.data, rel=1e-12)
    assert gradient.tolist() == pytest.approx([p.grad for p in params], rel=1e-9, abs=1e-15)


def test_scores_are_the_model_on_every_sample():
    X, y = make_moons(n=8, seed=5)
    model = MLP(2, [3, 1], seed=5)
    step = CompiledTrainingStep(model, X, y)
    assert step.scores(step.weights()).tolist() == [model(x).data for x in X]


def test_the_penalty_comes_from_the_engine_l2():
    p = Value(3.0)
    assert hinge_term(Value(0.25), Value(-1.0)).data == 1.25
    model = MLP(2, [1], seed=0)  # w0, w1, b
    step = CompiledTrainingStep(model, [[0.0, 0.0]], [1], alpha=0.1)
    weights = np.array([1.0, -2.0, 3.0])
    loss, gradient = step(weights)
    # hinge at x = 0: relu(1 - b) = 0 for b = 3; l2 = 0.1 · (1 + 4 + 9); ∂ = 0.2 · w
    assert loss == pytest.approx(1.4, rel=1e-15) and gradient.tolist() == pytest.approx([0.2, -0.4, 0.6])
    assert l2([p], 0.1).data == pytest.approx(0.9)


def test_a_model_with_several_outputs_is_refused():
    with pytest.raises(ValueError, match=r"^the model must have one output \(a score per sample\), got 3 outputs$"):
        CompiledTrainingStep(MLP(2, [4, 3], seed=0), [[0.0, 1.0]], [1])
