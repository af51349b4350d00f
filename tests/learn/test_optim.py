"""SGD and Adam: hand-computed steps, PyTorch agreement, schedules, bad input."""

from __future__ import annotations

import pytest

from autograd_tiny import Value
from autograd_tiny.learn.optim import SGD, Adam


def quadratic_steps(opt_factory, steps=5, start=(1.5, -2.0)):
    """Minimise (w0 - 1)² + 3·w1² and return the trajectory of w."""
    w = [Value(start[0]), Value(start[1])]
    opt = opt_factory(w)
    path = []
    for _ in range(steps):
        opt.zero_grad()
        ((w[0] - 1) ** 2 + 3 * w[1] ** 2).backward()
        opt.step()
        path.append([p.data for p in w])
    return path


def test_sgd_step_by_hand():
    w = Value(2.0)
    opt = SGD([w], lr=0.1, momentum=0.9, weight_decay=0.5)
    (w * w).backward()  # grad 4, plus decay 0.5·2 = 5
    opt.step()
    assert w.data == pytest.approx(2.0 - 0.1 * 5)
    opt.zero_grad()
    (w * w).backward()  # grad 3, plus decay 0.75 = 3.75; velocity 0.9·5 + 3.75
    opt.step()
    assert w.data == pytest.approx(1.5 - 0.1 * (0.9 * 5 + 3.75))


def test_adam_first_step_moves_by_lr():
    w = Value(3.0)
    opt = Adam([w], lr=0.01)
    (w * w).backward()
    opt.step()
    assert w.data == pytest.approx(2.99, abs=1e-9)


@pytest.mark.parametrize("kind", ["sgd", "sgd_momentum", "adam", "adam_decay"])
def test_matches_pytorch(kind):
    torch = pytest.importorskip("torch")
    ours = {
        "sgd": lambda p: SGD(p, lr=0.1),
        "sgd_momentum": lambda p: SGD(p, lr=0.05, momentum=0.9, weight_decay=0.01),
        "adam": lambda p: Adam(p, lr=0.1),
        "adam_decay": lambda p: Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
    }[kind]
    theirs = {
        "sgd": lambda p: torch.optim.SGD(p, lr=0.1),
        "sgd_momentum": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.01),
        "adam": lambda p: torch.optim.Adam(p, lr=0.1),
        "adam_decay": lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
    }[kind]
    w = torch.tensor([1.5, -2.0], dtype=torch.float64, requires_grad=True)
    opt = theirs([w])
    expected = []
    for _ in range(5):
        opt.zero_grad()
        ((w[0] - 1) ** 2 + 3 * w[1] ** 2).backward()
        opt.step()
        expected.append(w.detach().tolist())
    for ours_w, their_w in zip(quadratic_steps(ours), expected):
        assert ours_w == pytest.approx(their_w, rel=1e-12, abs=1e-12)


def test_lr_can_change_between_steps():
    w = Value(1.0)
    opt = SGD([w], lr=1.0)
    for lr in (0.5, 0.25):
        opt.lr = lr
        opt.zero_grad()
        (w * 1.0).backward()
        opt.step()
    assert w.data == 1.0 - 0.5 - 0.25


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: SGD([], lr=0.1), ValueError, r"^the optimizer got no parameters; pass model\.parameters\(\)$"),
        (lambda: SGD([1.0], lr=0.1), TypeError, r"^parameters must be Values, got float; pass model\.parameters\(\)$"),
        (
            lambda: SGD([Value(1.0)], lr=-1),
            ValueError,
            r"^lr must be a finite number >= 0, got -1\.0; pass e\.g\. lr=0\.01$",
        ),
        (
            lambda: SGD([Value(1.0)], lr="0.1"),
            TypeError,
            r"^lr must be a number, got str '0\.1'; pass e\.g\. lr=0\.01$",
        ),
        (
            lambda: SGD([Value(1.0)], lr=0.1, momentum=1.5),
            ValueError,
            r"^momentum must be a number in \[0, 1\), got 1\.5; pass e\.g\. momentum=0\.9$",
        ),
        (
            lambda: Adam([Value(1.0)], betas=(0.9,)),
            TypeError,
            r"^betas must be a pair of numbers, got \(0\.9,\); pass e\.g\. betas=\(0\.9, 0\.999\)$",
        ),
        (
            lambda: Adam([Value(1.0)], betas=(0.9, 1.0)),
            ValueError,
            r"^betas\[1\] must be a number in \[0, 1\), got 1\.0; pass e\.g\. betas=\(0\.9, 0\.999\)$",
        ),
    ],
)
def test_bad_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize("make", [lambda p: SGD(p, lr=0.1), lambda p: SGD(p, lr=0.1, momentum=0.9), lambda p: Adam(p)])
def test_a_step_after_create_graph_keeps_data_a_float(make):
    # backward(create_graph=True) leaves a Value in .grad; the update uses its number.
    p, q = Value(2.0), Value(2.0)
    (p * p * p).backward(create_graph=True)
    (q * q * q).backward()
    assert isinstance(p.grad, Value) and p.grad.data == q.grad == 12.0
    make([p]).step()
    make([q]).step()
    assert type(p.data) is float and p.data == q.data
