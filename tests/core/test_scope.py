"""`with scope(name):` names every value an op computes in the block, per thread, nested blocks restore."""

import threading

import pytest

import autograd_tiny
from autograd_tiny import MLP, Neuron, Value, no_grad, scope
from autograd_tiny.core import value as engine
from autograd_tiny.core.value import current_scope


def test_scope_names_op_results_but_not_leaves():
    a = Value(2.0)
    with scope("N1"):
        y = a * 3.0 + 1.0
        leaf = Value(5.0)
    assert (y.scope, y.parents[0].scope, leaf.scope, a.scope) == ("N1", "N1", None, None)
    assert (y * 2.0).scope is None


def test_nested_scopes_restore_the_outer_name_even_after_an_error():
    a = Value(1.0)
    with scope("L1"):
        with pytest.raises(ZeroDivisionError):
            with scope("L1.N1"):
                assert current_scope() == "L1.N1"
                a / 0.0
        assert current_scope() == "L1"
        z = a.tanh()
    assert z.scope == "L1" and current_scope() is None
    assert not engine._open_blocks


def test_scope_and_no_grad_together():
    a = Value(1.0)
    with scope("S"), no_grad():
        y = a + 1.0
    assert (y.scope, y.parents, y.data) == ("S", (), 2.0)


def test_a_scope_in_one_thread_never_names_another_threads_values():
    inside, release = threading.Event(), threading.Event()

    def worker():
        with scope("worker"):
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=worker)
    thread.start()
    inside.wait(5)
    try:
        mine = Value(1.0) * 2.0
    finally:
        release.set()
        thread.join()
    assert mine.scope is None and not engine._open_blocks


def test_a_scope_object_cannot_be_entered_twice_at_once():
    s = scope("N1")
    with s:
        with pytest.raises(RuntimeError, match=r"scope\('N1'\) is already entered; make a new scope"):
            with s:
                pass
    with s:  # reusable once left
        assert current_scope() == "N1"


def test_scope_needs_a_str_name():
    with pytest.raises(TypeError, match=r"scope needs a name as a str, e\.g\. scope\(\"L1\.N3\"\), got int 3"):
        scope(3)


def test_neurons_name_every_value_with_their_scope_fused_and_expanded():
    for expand in (False, True):
        model = MLP(2, [2, 1], seed=0, expand=expand)
        out = model([1.0, -2.0])
        order = autograd_tiny.topological_order(out)
        computed = [v for v in order if v.op]
        assert out.scope == "L2.N1"
        assert all(v.scope is not None and v.scope.count(".") == 1 for v in computed)
        assert {v.scope for v in computed} == {"L1.N1", "L1.N2", "L2.N1"}


def test_a_neuron_called_alone_scopes_its_values():
    n = Neuron(2, activation="tanh", seed=0, name="N7")
    out = n([1.0, 0.5])
    assert (out.scope, out.parents[0].scope, out.parents[0].op) == ("N7", "N7", "affine")
    assert current_scope() is None


@pytest.mark.parametrize("expand", [False, True])
@pytest.mark.parametrize("activation", ["tanh", "linear"])
def test_a_neuron_names_its_values_inside_a_user_scope_and_no_grad_as_a_nested_scope_did(expand, activation):
    """Fused neurons name their nodes directly (no scope block per call): the same names as before."""
    n = Neuron(2, activation=activation, seed=0, name="N7", expand=expand)
    with scope("outer"):
        out = n([Value(1.0), Value(0.5)])
        after = out * 2
    assert out.scope == "N7" and after.scope == "outer"
    assert {v.scope for v in autograd_tiny.topological_order(out) if v.op} == {"N7"}
    with no_grad():
        frozen = n([1.0, 0.5])
    assert (frozen.scope, frozen.op, frozen.parents) == ("N7", "", ())


def test_a_fused_layer_enters_no_scope_block():
    """A neuron's scope costs no ContextVar set and reset per call (issue 20's speed note)."""
    from autograd_tiny.core import value

    open_while_made = []
    original = value._make

    def recording_make(*args):
        open_while_made.append(len(value._open_blocks))  # blocks open as each node is made
        return original(*args)

    value._make = recording_make
    try:
        MLP(2, [3, 1], seed=0)([1.0, 2.0])
    finally:
        value._make = original
    assert open_while_made and set(open_while_made) == {0}


def test_scope_is_exported():
    assert "scope" in autograd_tiny.__all__ and autograd_tiny.scope is scope


def test_scopes_follow_the_asyncio_task():
    import asyncio

    async def named(name, entered, release):
        with scope(name):
            entered.set()
            await release.wait()
            value = Value(1.0) * 2.0
        return value.scope, current_scope()

    async def main():
        a_in, b_in, release = asyncio.Event(), asyncio.Event(), asyncio.Event()
        a = asyncio.create_task(named("A", a_in, release))
        await a_in.wait()
        b = asyncio.create_task(named("B", b_in, release))
        await b_in.wait()
        here = (Value(1.0) * 2.0).scope
        release.set()
        return here, await a, await b

    assert asyncio.run(main()) == (None, ("A", None), ("B", None))
    assert current_scope() is None and not engine._open_blocks


def test_a_scope_entered_again_leaves_a_task_of_its_first_block_alone():
    import asyncio

    async def main():
        s = scope("S")
        gate = asyncio.Event()
        seen = []

        async def child():
            await gate.wait()
            seen.append(((Value(1.0) * 2.0).scope, current_scope()))

        with s:
            task = asyncio.create_task(child())
            await asyncio.sleep(0)
        with s:  # the same object, entered again while the task still runs
            gate.set()
            await task
            seen.append(((Value(1.0) * 2.0).scope, current_scope()))
        return seen

    assert asyncio.run(main()) == [(None, None), ("S", "S")]
    assert not engine._open_blocks
