"""Forward mode (core/forward.py): tangents, jvp, tangent_steps, sweep_counts.

Values by hand on the lecture expression, and against backward() on generated graphs.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd_tiny import MLP, Value, jvp, sweep_counts, tangents, topological_order
from autograd_tiny.core.forward import SweepCounts, tangent_steps
from tests.core.test_properties import programs, run


def lecture():
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    d = e + c
    L = d * f
    return (a, b, c, f), (e, d, L)


def test_jvp_of_the_lecture_expression_by_hand():
    # L = (a·b + c)·f: ∂L/∂a = b·f = 6, ∂L/∂b = a·f = −4, ∂L/∂c = f = −2, ∂L/∂f = a·b + c = 4
    def f(a, b, c, f):
        return (a * b + c) * f

    xs = [2.0, -3.0, 10.0, -2.0]
    assert jvp(f, xs, [1, 0, 0, 0]) == (-8.0, 6.0)
    assert jvp(f, xs, [0, 1, 0, 0]) == (-8.0, -4.0)
    assert jvp(f, xs, [0, 0, 1, 0]) == (-8.0, -2.0)
    assert jvp(f, xs, [0, 0, 0, 1]) == (-8.0, 4.0)
    # a direction: 1·6 + 2·(−4) + 0.5·(−2) + (−1)·4 = −7
    assert jvp(f, xs, [1, 2, 0.5, -1]) == (-8.0, -7.0)


def test_tangents_of_every_node_of_the_lecture_expression():
    (a, b, c, f), (e, d, L) = lecture()
    t = tangents(L, {a: 1.0})
    assert [t[v] for v in (a, b, c, f, e, d, L)] == [1.0, 0.0, 0.0, 0.0, -3.0, -3.0, 6.0]


def test_tangents_are_pure():
    (a, b, c, f), (e, d, L) = lecture()
    L.backward()
    before = [(v.data, v.grad) for v in (a, b, c, f, e, d, L)]
    tangents(L, {a: 1.0, b: 2.0})
    list(tangent_steps(L, {c: 1.0}))
    jvp(lambda x: x * a, [1.0], [1.0])
    sweep_counts(L)
    assert [(v.data, v.grad) for v in (a, b, c, f, e, d, L)] == before


def test_fan_out_sums_both_uses():
    x = Value(3.0, label="x")
    y = x * x + x  # 2x + 1 = 7
    assert tangents(y, {x: 1.0})[y] == 7.0
    steps = list(tangent_steps(x * x, {x: 1.0}))
    assert [(s.parent_index, s.contribution, s.tangent_before, s.tangent_after) for s in steps] == [
        (0, 3.0, 0.0, 3.0),
        (1, 3.0, 3.0, 6.0),
    ]


def test_a_seeded_interior_value_is_an_input():
    _, (e, _, L) = lecture()
    L.backward()
    assert tangents(L, {e: 1.0})[L] == e.grad == -2.0


def test_jvp_accepts_values_and_ignored_inputs():
    x = Value(3.0)
    assert jvp(lambda u, v: u * v, [x, 2.0], [1.0, 0.0]) == (6.0, 2.0)
    with pytest.raises(ValueError, match=r"^jvp got the same Value twice among xs; pass it once"):
        jvp(lambda u, v: u * v, [x, x], [1.0, 1.0])
    assert jvp(lambda u, v: u * 2, [1.0, 5.0], [1.0, 1.0]) == (2.0, 2.0)  # v unused: no effect


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs, st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=4, max_size=4))
def test_jvp_is_backward_gradient_dot_v_on_generated_graphs(case, direction):
    values, program = case
    xs = [Value(x) for x in values]
    root = run(program, xs)
    root.backward()
    vs = direction[: len(xs)]
    expected = math.fsum(x.grad * v for x, v in zip(xs, vs))
    out, derivative = jvp(lambda *inputs: run(program, list(inputs)), values, vs)
    assert out == root.data
    assert derivative == pytest.approx(expected, rel=1e-9, abs=1e-9)
    # along one input at a time: what backward() stores in its .grad (an input the root ignores: 0)
    in_graph = set(topological_order(root))
    for x in xs:
        if x in in_graph:
            assert tangents(root, {x: 1.0})[root] == pytest.approx(x.grad, rel=1e-12, abs=1e-12)
        else:
            assert x.grad == 0.0


def test_sweep_counts_of_micrograd_demo_mlp():
    model = MLP(2, [16, 16, 1])
    assert len(model.parameters()) == 337
    counts = sweep_counts(model([Value(0.5), Value(-1.0)]))
    assert counts.inputs == 337 + 2  # the 337 parameters and the sample's 2 inputs
    assert (counts.outputs, counts.forward_sweeps, counts.reverse_sweeps) == (1, 339, 1)
    counts = sweep_counts(model([Value(0.5), Value(-1.0)]), wrt=model.parameters())
    assert (counts.inputs, counts.forward_sweeps, counts.reverse_sweeps) == (337, 337, 1)


def test_sweep_counts_of_the_lecture_expression():
    _, (_, _, L) = lecture()
    assert sweep_counts(L) == SweepCounts(inputs=4, outputs=1, edges=6, forward_sweeps=4, reverse_sweeps=1)


def test_bad_seeds_are_refused():
    (a, *_), (*_, L) = lecture()
    stranger = Value(1.0, label="z")
    with pytest.raises(ValueError, match=r"^z is not in the graph of this output, so it has no tangent to seed"):
        tangents(L, {stranger: 1.0})
    with pytest.raises(TypeError, match=r"^seeds must be a dict Value -> number, e\.g\. \{x: 1\.0\}, got list"):
        tangents(L, [a])
    with pytest.raises(TypeError, match=r"^seeds' keys must be Values of the graph, got str 'a'"):
        tangents(L, {"a": 1.0})
    with pytest.raises(TypeError, match=r"^the seed of a must be a number, got str"):
        tangents(L, {a: "1"})


def test_bad_jvp_arguments_are_refused():
    with pytest.raises(ValueError, match=r"^jvp needs one tangent per input: 2 inputs, 1 tangents"):
        jvp(lambda a, b: a * b, [1.0, 2.0], [1.0])
    with pytest.raises(TypeError, match=r"^jvp needs f to return a Value, got float"):
        jvp(lambda a: 1.0, [1.0], [1.0])
