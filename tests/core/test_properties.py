"""Property tests: random expression DAGs (with reuse) against finite differences and PyTorch."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from autograd_tiny import Value

# Each op works on Values and on torch tensors alike, and stays inside its domain for any input.
UNARY = {
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "exp_small": lambda x: (x.tanh() * 2).exp(),
    "log1p_sq": lambda x: (x * x + 1).log(),
    "sqrt1p_sq": lambda x: (x * x + 1).sqrt(),
    "neg": lambda x: -x,
    "cube": lambda x: x**3,
    "relu": lambda x: x.relu(),
    "abs": lambda x: abs(x),
    "affine": lambda x: 3 - 0.5 * x,
    "recip": lambda x: 1 / (x * x + 0.5),
}
BINARY = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / (y * y + 1),
    "pow": lambda x, y: (x * x + 0.5) ** y.tanh(),
}
KINKED = {"relu", "abs"}  # not differentiable at 0: finite differences need distance from it

instruction = st.one_of(
    st.tuples(st.just(1), st.sampled_from(sorted(UNARY)), st.integers(0, 10**6), st.just(0)),
    st.tuples(st.just(2), st.sampled_from(sorted(BINARY)), st.integers(0, 10**6), st.integers(0, 10**6)),
)
programs = st.tuples(
    st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=1, max_size=4),
    st.lists(instruction, min_size=1, max_size=12),
)


def run(program, inputs, kinks=None):
    """Evaluate the program on `inputs` (Values or tensors); every node may be reused later."""
    nodes = list(inputs)
    for arity, name, i, j in program:
        x = nodes[i % len(nodes)]
        if arity == 1:
            if kinks is not None and name in KINKED:
                kinks.append(x.data)
            nodes.append(UNARY[name](x))
        else:
            nodes.append(BINARY[name](x, nodes[j % len(nodes)]))
    # The root sums a few nodes so that several leaves and branches matter.
    root = nodes[-1]
    for extra in nodes[-3:-1]:
        root = root + extra
    return root


def gradients(program, xs):
    leaves = [Value(x) for x in xs]
    kinks: list = []
    root = run(program, leaves, kinks)
    root.backward()
    return root.data, [leaf.grad for leaf in leaves], kinks


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs)
def test_random_dags_match_finite_differences(case):
    xs, program = case
    value, grads, kinks = gradients(program, xs)
    assume(all(abs(k) > 1e-3 for k in kinks))
    assume(math.isfinite(value) and abs(value) < 1e6)
    eps = 1e-6
    for i in range(len(xs)):
        up, down = list(xs), list(xs)
        up[i] += eps
        down[i] -= eps
        numeric = (run(program, [Value(x) for x in up]).data - run(program, [Value(x) for x in down]).data) / (2 * eps)
        assert grads[i] == pytest.approx(numeric, rel=1e-4, abs=1e-5)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs)
def test_random_dags_match_pytorch_float64(case):
    torch = pytest.importorskip("torch")
    xs, program = case
    value, grads, kinks = gradients(program, xs)
    assume(all(k != 0.0 for k in kinks))
    assume(math.isfinite(value))
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    root = run(program, leaves)
    root.backward()
    assert value == pytest.approx(root.item(), rel=1e-12, abs=1e-12)
    for ours, leaf in zip(grads, leaves):
        theirs = 0.0 if leaf.grad is None else leaf.grad.item()
        assert ours == pytest.approx(theirs, rel=1e-10, abs=1e-12)
