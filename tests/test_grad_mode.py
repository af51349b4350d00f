"""Grad mode is per thread, as in PyTorch: no_grad() in one thread never affects another."""

from __future__ import annotations

import threading

import pytest

from autograd_tiny import Value, engine, is_grad_enabled, no_grad


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
    assert engine._threads_without_grad == 0


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
        assert engine._threads_without_grad == 1
        assert is_grad_enabled() and _builds_graph()
    finally:
        release.set()
        thread.join(timeout=10)
    assert engine._threads_without_grad == 0


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
    assert engine._threads_without_grad == 0


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
    assert engine._threads_without_grad == 0 and is_grad_enabled()


def test_an_error_inside_the_block_restores_the_mode():
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            Value(1.0) / 0
    assert is_grad_enabled() and _builds_graph() and engine._threads_without_grad == 0


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
    assert is_grad_enabled() and _builds_graph() and engine._threads_without_grad == 0


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
    assert is_grad_enabled() and engine._threads_without_grad == 0


def test_blocks_left_out_of_order_in_one_thread_stay_consistent():
    # Two blocks entered A, B and left A, B (possible with generators): each restores the
    # mode it found, and the fast path in _node always agrees with is_grad_enabled().
    first, second = no_grad(), no_grad()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert is_grad_enabled() and _builds_graph()
    second.__exit__(None, None, None)
    assert not is_grad_enabled() and not _builds_graph()
    assert engine._threads_without_grad == 1
    # Put this thread back as it was, through the same switch the blocks use.
    engine._set_grad_mode(engine._thread_mode.mode, True)
    assert is_grad_enabled() and _builds_graph() and engine._threads_without_grad == 0
