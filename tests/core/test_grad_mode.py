"""Grad mode follows the thread and the asyncio task: no_grad() in one never affects another."""

from __future__ import annotations

import asyncio
import threading

import pytest

from autograd_tiny import Value, is_grad_enabled, no_grad, scope
from autograd_tiny.core import value as engine
from autograd_tiny.core.value import current_scope


def _builds_graph() -> bool:
    """Whether an op made now in this thread records its parents."""
    return (Value(2.0) * 3).op == "mul"


def _run_in_threads(*targets) -> None:
    """Run each target in its own thread and re-raise the first failure here."""
    errors = []

    def guarded(target):
        try:
            target()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    if errors:
        raise errors[0]


def test_no_grad_in_one_thread_never_stops_another_building_graphs():
    inside = threading.Event()
    checked = threading.Event()
    seen = {}

    def quiet():
        with no_grad():
            inside.set()
            checked.wait(timeout=10)
            seen["quiet"] = (is_grad_enabled(), _builds_graph())
        seen["quiet after"] = (is_grad_enabled(), _builds_graph())

    def busy():
        inside.wait(timeout=10)
        x = Value(3.0)
        y = x * x + 1
        y.backward()
        seen["busy"] = (is_grad_enabled(), y.op, x.grad)
        checked.set()

    _run_in_threads(quiet, busy)
    assert seen == {"quiet": (False, False), "busy": (True, "add", 6.0), "quiet after": (True, True)}
    assert not engine._open_blocks


def test_no_grad_in_a_worker_leaves_the_main_thread_alone():
    inside, release = threading.Event(), threading.Event()

    def worker():
        with no_grad():
            inside.set()
            release.wait(timeout=10)

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert inside.wait(timeout=10)
        assert len(engine._open_blocks) == 1
        assert is_grad_enabled() and _builds_graph()
    finally:
        release.set()
        thread.join(timeout=10)
    assert not engine._open_blocks


def test_nested_blocks_in_two_threads_interleaved_each_restore_their_own_state():
    # The two threads take turns at every step (a barrier between steps), so their blocks
    # are entered and left in an interleaved order: A in, B in, A nested in, B out, ...
    barrier = threading.Barrier(2)
    record = {"A": [], "B": []}

    def step(name):
        barrier.wait(timeout=10)
        record[name].append((is_grad_enabled(), _builds_graph()))

    def thread_a():
        step("A")
        with no_grad():
            step("A")
            with no_grad():
                step("A")
            step("A")
            step("A")
        step("A")

    def thread_b():
        step("B")
        step("B")
        with no_grad():
            step("B")
        step("B")
        with no_grad():
            step("B")
            step("B")

    _run_in_threads(thread_a, thread_b)
    off, on = (False, False), (True, True)
    assert record["A"] == [on, off, off, off, off, on]
    assert record["B"] == [on, on, off, on, off, off]
    assert not engine._open_blocks


def test_many_threads_entering_and_leaving_keep_the_count_exact():
    start = threading.Barrier(8)

    def worker():
        start.wait(timeout=10)
        for _ in range(500):
            with no_grad():
                assert not _builds_graph()
                with no_grad():
                    assert not is_grad_enabled()
            assert _builds_graph()

    _run_in_threads(*[worker] * 8)
    assert not engine._open_blocks and is_grad_enabled()


def test_an_error_inside_the_block_restores_the_mode():
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            Value(1.0) / 0
    assert is_grad_enabled() and _builds_graph() and not engine._open_blocks


def test_a_generator_suspended_inside_no_grad_keeps_the_block_for_its_thread():
    def batches():
        with no_grad():
            yield 1
            yield 2

    generator = batches()
    assert next(generator) == 1
    # Suspended inside the block: this thread builds no graph, as in PyTorch ...
    assert not is_grad_enabled() and not _builds_graph()
    # ... while another thread is not affected.
    seen = []
    _run_in_threads(lambda: seen.append((is_grad_enabled(), _builds_graph())))
    assert seen == [(True, True)]
    assert next(generator) == 2
    generator.close()  # leaves the block
    assert is_grad_enabled() and _builds_graph() and not engine._open_blocks


def test_a_generator_closed_in_another_thread_restores_the_thread_that_entered():
    def batches():
        with no_grad():
            yield

    generator = batches()
    next(generator)
    assert not is_grad_enabled()
    seen = []

    def closer():
        generator.close()
        seen.append(is_grad_enabled())

    _run_in_threads(closer)
    assert seen == [True]
    assert is_grad_enabled() and not engine._open_blocks


def test_blocks_left_out_of_order_in_one_thread_stay_consistent():
    # Two blocks entered A, B and left A, B (possible with generators): once both are left
    # neither is in force, and the fast path in _make always agrees with is_grad_enabled().
    first, second = no_grad(), no_grad()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert is_grad_enabled() and _builds_graph()
    with no_grad():  # a block in between still works and restores
        assert not _builds_graph()
    assert is_grad_enabled() and _builds_graph()
    second.__exit__(None, None, None)
    assert is_grad_enabled() and _builds_graph() and not engine._open_blocks


def test_many_threads_with_scopes_and_no_grad_agree_with_the_fast_path():
    start = threading.Barrier(6)

    def worker(k):
        start.wait(timeout=10)
        for _ in range(300):
            with scope(f"T{k}"):
                y = Value(1.0) * 2.0
                assert y.scope == f"T{k}" and y.op == "mul"
                with no_grad():
                    z = Value(1.0) * 2.0
                    assert (z.scope, z.op) == (f"T{k}", "")
            w = Value(1.0) * 2.0
            assert (w.scope, w.op) == (None, "mul")

    _run_in_threads(*[lambda k=k: worker(k) for k in range(6)])
    assert not engine._open_blocks


# ---------------------------------------------------------------------- tasks (contextvars)


def test_two_asyncio_tasks_each_inside_no_grad_leave_grad_mode_on():
    # The case: two tasks each `with no_grad(): await ...`, interleaved. Before grad
    # mode followed the task, the second task's block restored the first one's "off" and
    # grad mode stayed off for good: later training built no graph, every gradient 0.
    async def quiet(entered, release):
        with no_grad():
            entered.set()
            await release.wait()
            inside = (is_grad_enabled(), _builds_graph())
        return inside, (is_grad_enabled(), _builds_graph())

    async def main():
        a_in, b_in, release = asyncio.Event(), asyncio.Event(), asyncio.Event()
        a = asyncio.create_task(quiet(a_in, release))
        await a_in.wait()
        b = asyncio.create_task(quiet(b_in, release))
        await b_in.wait()
        seen_here = (is_grad_enabled(), _builds_graph())  # main task: never in a block
        release.set()
        return seen_here, await a, await b

    here, a, b = asyncio.run(main())
    off, on = (False, False), (True, True)
    assert (here, a, b) == (on, (off, on), (off, on))
    assert is_grad_enabled() and _builds_graph() and not engine._open_blocks
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0


def test_tasks_left_in_the_opposite_order_each_restore_their_own_mode():
    # A enters, B enters, A leaves, B leaves; and then in the other order: every task sees
    # its own mode at every step, whatever the others do.
    log = []

    async def worker(name, gates):
        for gate in gates:
            await gate.wait()
            log.append((name, is_grad_enabled(), current_scope()))

    async def in_block(name, enter, leave, blocks):
        await enter.wait()
        with no_grad(), scope(name):
            log.append((name, is_grad_enabled(), current_scope()))
            blocks.set()
            await leave.wait()
        log.append((name, is_grad_enabled(), current_scope()))

    async def main():
        a_go, b_go, a_leave, b_leave = (asyncio.Event() for _ in range(4))
        a_in, b_in = asyncio.Event(), asyncio.Event()
        tasks = [
            asyncio.create_task(in_block("A", a_go, a_leave, a_in)),
            asyncio.create_task(in_block("B", b_go, b_leave, b_in)),
        ]
        a_go.set()
        await a_in.wait()
        b_go.set()
        await b_in.wait()
        a_leave.set()
        await tasks[0]
        log.append(("main", is_grad_enabled(), current_scope()))
        b_leave.set()
        await tasks[1]
        log.append(("main", is_grad_enabled(), current_scope()))

    asyncio.run(main())
    assert log == [
        ("A", False, "A"),
        ("B", False, "B"),
        ("A", True, None),
        ("main", True, None),
        ("B", True, None),
        ("main", True, None),
    ]
    assert not engine._open_blocks


def test_an_error_inside_a_task_block_restores_that_task_only():
    async def failing():
        with no_grad():
            await asyncio.sleep(0)
            raise KeyError("boom")

    async def main():
        task = asyncio.create_task(failing())
        with pytest.raises(KeyError):
            await task
        return is_grad_enabled(), _builds_graph()

    assert asyncio.run(main()) == (True, True)
    assert is_grad_enabled() and not engine._open_blocks


def test_a_task_started_inside_a_block_follows_the_block_while_it_lasts():
    # A task copies its creator's context: it starts inside the block. Once the block is
    # left, its mode is over everywhere, so the task and the fast path agree again.
    async def main():
        gate = asyncio.Event()
        seen = []

        async def child():
            seen.append((is_grad_enabled(), _builds_graph()))
            await gate.wait()
            seen.append((is_grad_enabled(), _builds_graph()))
            with no_grad():  # a block of its own, entered after the outer one was left
                seen.append((is_grad_enabled(), _builds_graph()))
            seen.append((is_grad_enabled(), _builds_graph()))

        with no_grad():
            task = asyncio.create_task(child())
            await asyncio.sleep(0)
        gate.set()
        await task
        return seen

    off, on = (False, False), (True, True)
    assert asyncio.run(main()) == [off, on, off, on]
    assert not engine._open_blocks


def test_a_task_entering_no_grad_inside_an_outer_block_that_ends_first_keeps_its_own():
    # The child's block is nested in a mode the parent leaves while the child is still
    # inside: the child's own block must still hold (no graph), as is_grad_enabled() says.
    async def main():
        gate, inside = asyncio.Event(), asyncio.Event()
        seen = []

        async def child():
            with no_grad():
                inside.set()
                await gate.wait()
                seen.append((is_grad_enabled(), _builds_graph()))
            seen.append((is_grad_enabled(), _builds_graph()))

        with no_grad():
            task = asyncio.create_task(child())
            await inside.wait()
        gate.set()
        await task
        return seen

    assert asyncio.run(main()) == [(False, False), (True, True)]
    assert not engine._open_blocks


def test_enable_grad_builds_a_graph_inside_no_grad_and_restores_it():
    from autograd_tiny.core.value import enable_grad

    with no_grad():
        with enable_grad():
            assert is_grad_enabled() and _builds_graph()
            with pytest.raises(KeyError):
                with no_grad():
                    raise KeyError("inside")
            assert is_grad_enabled() and _builds_graph()
        assert not is_grad_enabled() and not _builds_graph()
    assert is_grad_enabled() and _builds_graph() and not engine._open_blocks


def test_a_thread_started_inside_no_grad_starts_with_grad_on_as_in_pytorch():
    seen = []
    with no_grad():
        _run_in_threads(lambda: seen.append((is_grad_enabled(), _builds_graph())))
    assert seen == [(True, True)]
