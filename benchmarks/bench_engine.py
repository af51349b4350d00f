"""Speed and memory of the engine against micrograd 0.1.0, as ratios measured in one run.

Usage (from the repository root, with micrograd installed: see benchmarks/README.md):

    python benchmarks/bench_engine.py            # the full table, about two minutes
    python benchmarks/bench_engine.py --quick    # smaller workloads, under a minute
    python benchmarks/bench_engine.py --demo     # the speed tables only (no memory, no depth)

Workloads (forward + backward unless said otherwise):

* chain:  ``x = x * 1.0001 + 0.001``, repeated n times (2 op nodes per iteration);
* sum of products: ``s = s + a_i * b_i`` over n pairs of Values (2n - 1 op nodes);
* demo step: one training step of micrograd's demo, written once and run by every engine:
  MLP(2, [16, 16, 1]) on 100 moons points, hinge loss + 1e-4 L2, zero_grad, backward, SGD.
  Ours runs twice: with fused neurons (one ``affine`` node each, the default) and with
  ``expand=True`` (micrograd's graph of ``*`` and ``+``). All start from the same weights and
  step in lockstep, so their losses must agree: the table prints the largest difference;
* deepest chain: the longest chain whose backward() works with default settings, each
  probe in a subprocess so that a crash cannot take the benchmark down;
* memory: bytes allocated per op node for a chain, built and after backward (tracemalloc),
  and which objects make up a node (sys.getsizeof).

The machine is shared and noisy, so the engines run interleaved (ours, micrograd, micrograd,
ours, ...), each workload several times; the table shows the best run and the median total.
Ratios are micrograd / ours. Garbage collection stays enabled, as users have it.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
import types

from autograd_tiny import MLP as OurMLP
from autograd_tiny import Value as OurValue
from autograd_tiny import make_moons

try:
    from micrograd.engine import Value as MicroValue
    from micrograd.nn import MLP as MicroMLP
except ImportError:  # pragma: no cover - the README says how to install it
    sys.exit("micrograd is not installed: pip install micrograd==0.1.0 (or run benchmarks/run)")

OURS, THEIRS = "autograd_tiny", "micrograd"
ENGINES = {OURS: OurValue, THEIRS: MicroValue}
MODULES = {OURS: "autograd_tiny", THEIRS: "micrograd.engine"}


# --------------------------------------------------------------------------------------
# Workloads: each returns (forward seconds, backward seconds, op nodes)
# --------------------------------------------------------------------------------------


def chain(V, n):
    """The chain x = x * 1.0001 + 0.001, n times: 2n op nodes, each with one Value parent."""
    start = time.perf_counter()
    x = V(1.0)
    for _ in range(n):
        x = x * 1.0001 + 0.001
    built = time.perf_counter()
    x.backward()
    done = time.perf_counter()
    return built - start, done - built, 2 * n


def sum_of_products(V, n):
    """s = a_0*b_0 + a_1*b_1 + ... over n pairs of leaves: 2n - 1 op nodes, two parents each."""
    a = [V(0.001 * i) for i in range(n)]
    b = [V(1.0 - 0.001 * i) for i in range(n)]
    start = time.perf_counter()
    s = a[0] * b[0]
    for i in range(1, n):
        s = s + a[i] * b[i]
    built = time.perf_counter()
    s.backward()
    done = time.perf_counter()
    return built - start, done - built, 2 * n - 1


def demo_step(V, model, X, Y, k):
    """micrograd's demo training step, its code as in micrograd's demo notebook; the loss.

    `V` is the engine's Value class: the inputs are wrapped in it, as the demo does.
    """
    inputs = [list(map(V, row)) for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(Y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    total_loss = data_loss + reg_loss
    model.zero_grad()
    total_loss.backward()
    learning_rate = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return total_loss.data


DEMO_ENGINES = ("autograd_tiny fused", "autograd_tiny expand", THEIRS)


def measure_demo(steps):
    """Time `steps` demo steps per engine, interleaved; per engine the ms of each step, and losses."""
    X, Y = make_moons(100, noise=0.1, seed=1337)
    random.seed(1337)  # micrograd draws its initial weights from the `random` module
    theirs = MicroMLP(2, [16, 16, 1])
    models = {
        "autograd_tiny fused": (OurValue, OurMLP(2, [16, 16, 1])),
        "autograd_tiny expand": (OurValue, OurMLP(2, [16, 16, 1], expand=True)),
        THEIRS: (MicroValue, theirs),
    }
    for _, model in models.values():
        for p, q in zip(model.parameters(), theirs.parameters()):
            p.data = q.data  # every engine starts from micrograd's weights
    times = {name: [] for name in models}
    losses = {name: [] for name in models}
    for k in range(steps):
        order = DEMO_ENGINES[k % 3 :] + DEMO_ENGINES[: k % 3]  # rotate who goes first
        for name in order:
            V, model = models[name]
            gc.collect()  # start clean: micrograd leaves cyclic garbage behind
            start = time.perf_counter()
            loss = demo_step(V, model, X, Y, k)
            times[name].append((time.perf_counter() - start) * 1e3)
            losses[name].append(loss)
    return times, losses


def print_demo(quick):
    steps = 6 if quick else 15
    times, losses = measure_demo(steps)
    best = {name: min(t) for name, t in times.items()}
    median = {name: statistics.median(t) for name, t in times.items()}
    print(
        f"micrograd's demo step (MLP(2, [16, 16, 1]), 100 points, hinge + 1e-4 L2, backward, SGD); "
        f"{steps} steps, interleaved"
    )
    print(
        f"{'engine':<24}{'best ms':>9}{'median ms':>11}{'micrograd/ours':>16}{'(median)':>10}"
        f"{'max |loss - micrograd|':>24}"
    )
    for name in DEMO_ENGINES:
        difference = max(abs(a - b) for a, b in zip(losses[name], losses[THEIRS]))
        print(
            f"{name:<24}{best[name]:>9.2f}{median[name]:>11.2f}{best[THEIRS] / best[name]:>15.1f}x"
            f"{median[THEIRS] / median[name]:>9.1f}x{difference:>24.1e}"
        )


class Died(Exception):
    """A workload that could not finish (micrograd on a deep graph)."""


def in_big_thread(function, *args):
    """Run function(*args) in a thread with a 1 GiB stack and a high recursion limit.

    micrograd's backward() recurses once per node on the path to a leaf, so deep graphs
    need both. Both engines run this way, so they are timed under the same conditions.
    """
    result = {}

    def target():
        try:
            result["value"] = function(*args)
        except Exception as error:
            result["error"] = error

    old_limit = sys.getrecursionlimit()
    old_stack = threading.stack_size(1 << 30)
    sys.setrecursionlimit(10_000_000)
    try:
        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
    finally:
        threading.stack_size(old_stack)
        sys.setrecursionlimit(old_limit)
    error = result.get("error")
    if isinstance(error, (RecursionError, MemoryError)):
        raise Died(type(error).__name__)
    if error is not None:
        raise error  # a bug, not a limit of the engine
    return result["value"]


def measure(workload, n, repeats):
    """Time both engines `repeats` times, interleaved; per engine a list of µs-per-node rows."""
    runs = {engine: [] for engine in ENGINES}
    for repeat in range(repeats):
        # Alternate who goes first, so a slow patch of the shared machine hits both.
        order = list(ENGINES) if repeat % 2 == 0 else list(reversed(ENGINES))
        for engine in order:
            if isinstance(runs[engine], str):
                continue  # it died once; it will die again
            gc.collect()  # start clean: no garbage left over from the previous run
            try:
                forward, backward, nodes = in_big_thread(workload, ENGINES[engine], n)
            except Died as error:
                runs[engine] = str(error)
                continue
            runs[engine].append((forward / nodes * 1e6, backward / nodes * 1e6, (forward + backward) / nodes * 1e6))
    return runs


def summarize(runs):
    """The best run (by total) and the median total, or the reason the engine died."""
    if isinstance(runs, str):
        return runs
    best = min(runs, key=lambda row: row[2])
    return (*best, statistics.median(row[2] for row in runs))


# --------------------------------------------------------------------------------------
# Memory
# --------------------------------------------------------------------------------------


def chain_memory(V, n):
    """Bytes per op node that a chain of 2n op nodes holds: (built, after backward)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    x = V(1.0)
    for _ in range(n):
        x = x * 1.0001 + 0.001
    built = tracemalloc.get_traced_memory()[0]
    in_big_thread(x.backward)
    # micrograd's backward() leaves a reference cycle (its nested build_topo function holds
    # itself, the visited set and the topo list) that lives until the next collection;
    # collect it so the number is what the graph itself holds, not when the GC last ran.
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (built - before) / (2 * n), (after - before) / (2 * n)


def _reachable(root, known):
    """Every object reachable from `root` through references the GC sees, minus `known`."""
    found = {}
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in found or id(obj) in known:
            continue
        found[id(obj)] = obj
        # Classes and modules lead to the whole interpreter and are shared by every node.
        if not isinstance(obj, (type, types.ModuleType)):
            stack.extend(gc.get_referents(obj))
    return found


def node_breakdown(V, iterations=20):
    """The objects one chain iteration (2 op nodes) adds, after backward: {kind: (count, bytes)}.

    Found as "reachable from x_i but not from x_(i-1)", so shared objects (the class, the
    constants 1.0001 and 0.001 of the loop, shared derivative tuples) do not count.
    """
    xs = [V(1.0)]
    for _ in range(iterations):
        xs.append(xs[-1] * 1.0001 + 0.001)
    xs[-1].backward()  # shallow enough for micrograd's recursion at default settings
    middle = iterations // 2
    older = _reachable(xs[middle - 1], {})
    newer = _reachable(xs[middle], older)
    kinds = {}
    for obj in newer.values():
        kind = type(obj).__name__
        if kind == V.__name__:
            kind = "Value (node object)"
        count, size = kinds.get(kind, (0, 0))
        kinds[kind] = (count + 1, size + sys.getsizeof(obj))
    return kinds


# --------------------------------------------------------------------------------------
# Deepest chain, each probe in a subprocess with default settings
# --------------------------------------------------------------------------------------

DEPTH_PROBE = """
from {module} import Value
x = Value(1.0)
for _ in range({n}):
    x = x * 1.0001 + 0.001
x.backward()
"""


def probe(engine, iterations):
    """None if backward() over a chain of `iterations` works in a fresh Python, else why not."""
    code = DEPTH_PROBE.format(module=MODULES[engine], n=iterations)
    try:
        result = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return "timed out after 300 s"
    if result.returncode == 0:
        return None
    lines = result.stderr.strip().splitlines()
    # The last line names the exception: "RecursionError: maximum recursion depth exceeded ..."
    return lines[-1].split(" while ")[0] if lines else f"exit code {result.returncode}"


def deepest_chain(engine, max_iterations):
    """(deepest surviving op nodes, first failing op nodes, why), bisecting up to a bound.

    A chain of n iterations has 2n op nodes. The search stops at `max_iterations`: a chain
    that long surviving is reported as a lower bound (first failing = None).
    """
    why = probe(engine, max_iterations)
    if why is None:
        return 2 * max_iterations, None, None
    low, high = 0, max_iterations  # `low` iterations survive, `high` do not
    while high - low > 1:
        middle = (low + high) // 2
        failure = probe(engine, middle)
        if failure is None:
            low = middle
        else:
            high, why = middle, failure
    return 2 * low, 2 * high, why


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------


def machine():
    """One line about the CPU: model and logical core count."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} logical cores, {platform.system()} {platform.machine()}"


def ratio(theirs, ours):
    return f"{theirs / ours:.1f}x"


def print_speed(quick):
    if quick:
        workloads = [
            ("chain 10k", chain, 10_000, 5),
            ("chain 100k", chain, 100_000, 3),
            ("sum of products 30k", sum_of_products, 30_000, 3),
        ]
    else:
        workloads = [
            ("chain 10k", chain, 10_000, 9),
            ("chain 500k", chain, 500_000, 3),
            ("sum of products 100k", sum_of_products, 100_000, 5),
        ]
    header = f"{'workload':<22}{'engine':<16}{'forward':>9}{'backward':>10}{'total':>8}{'median':>9}  runs"
    print("µs per op node: forward, backward and total of the best run; median of the totals")
    print(header)
    print("-" * len(header))
    for name, workload, n, repeats in workloads:
        rows = {engine: summarize(runs) for engine, runs in measure(workload, n, repeats).items()}
        for engine, row in rows.items():
            shown = name if engine == OURS else ""
            if isinstance(row, str):
                print(f"{shown:<22}{engine:<16}{'died: ' + row:>36}")
            else:
                print(f"{shown:<22}{engine:<16}{row[0]:>9.2f}{row[1]:>10.2f}{row[2]:>8.2f}{row[3]:>9.2f}  {repeats}")
        ours, theirs = rows[OURS], rows[THEIRS]
        if not isinstance(ours, str) and not isinstance(theirs, str):
            cells = [ratio(theirs[i], ours[i]) for i in range(4)]
            print(f"{'':<22}{'micrograd/ours':<16}{cells[0]:>9}{cells[1]:>10}{cells[2]:>8}{cells[3]:>9}")


def print_memory(quick):
    # tracemalloc slows every allocation down (micrograd makes about nine per op node), so
    # the chain stays small; bytes per node do not depend on the chain's length.
    n = 5_000 if quick else 20_000
    print(f"memory per op node, chain of {2 * n:,} op nodes (tracemalloc):")
    print(f"  {'engine':<16}{'built':>8}{'after backward':>16}")
    memory = {engine: chain_memory(V, n) for engine, V in ENGINES.items()}
    for engine, (built, after) in memory.items():
        print(f"  {engine:<16}{built:>8.0f}{after:>16.0f}  bytes")
    print(
        f"  {'micrograd/ours':<16}{ratio(memory[THEIRS][0], memory[OURS][0]):>8}"
        f"{ratio(memory[THEIRS][1], memory[OURS][1]):>16}"
    )
    print()
    print("what an op node is made of, after backward (sys.getsizeof, per op node: count kind bytes):")
    for engine, V in ENGINES.items():
        kinds = node_breakdown(V)
        total = sum(size for _, size in kinds.values())
        parts = ", ".join(
            f"{count / 2:g} {kind} {size / 2:.0f}"
            for kind, (count, size) in sorted(kinds.items(), key=lambda item: -item[1][1])
        )
        print(f"  {engine:<14}{total / 2:>5.0f} bytes = {parts}")
        # getsizeof misses what an object owns outside itself, such as the attribute
        # storage of an instance with a __dict__; tracemalloc sees every allocation.
        hidden = memory[engine][1] - total / 2
        if abs(hidden) >= 8:
            print(f"  {'':<14}{hidden:>5.0f} bytes more seen by tracemalloc only (attribute storage, etc.)")


def print_depth(quick):
    ours_bound = 500_000 if quick else 1_000_000  # iterations: 1,000,000 / 2,000,000 op nodes
    print("deepest chain whose backward() works with default settings (op nodes, fresh process):")
    for engine, bound in ((OURS, ours_bound), (THEIRS, 10_000)):
        deepest, failing, why = deepest_chain(engine, bound)
        if failing is None:
            print(f"  {engine:<14} >= {deepest:,} (every probe up to the bound worked)")
        else:
            print(f"  {engine:<14} {deepest:,}; {failing:,} fails with {why}")


def print_gc_split(quick):
    """The same workloads under three collector settings, to show what the cyclic GC costs.

    Not part of the default run: users keep the default settings, and so does the table.
    """
    settings = (("default", (700, 10, 10)), ("no full GC", (700, 10, 10**9)), ("GC disabled", None))
    n_chain, n_sum = (100_000, 30_000) if quick else (500_000, 100_000)
    print("what the cyclic garbage collector costs: total µs per op node (best of 3)")
    print(f"{'workload':<22}{'engine':<16}" + "".join(f"{label:>13}" for label, _ in settings))
    default = gc.get_threshold()
    for name, workload, n in (
        (f"chain {n_chain // 1000}k", chain, n_chain),
        (f"sum of products {n_sum // 1000}k", sum_of_products, n_sum),
    ):
        rows = {}
        for engine, V in ENGINES.items():
            cells = rows[engine] = []
            for _, threshold in settings:
                totals = []
                for _ in range(3):
                    gc.collect()
                    if threshold is None:
                        gc.disable()
                    else:
                        gc.set_threshold(*threshold)
                    try:
                        forward, backward, nodes = in_big_thread(workload, V, n)
                    finally:
                        gc.enable()
                        gc.set_threshold(*default)
                    totals.append((forward + backward) / nodes * 1e6)
                cells.append(min(totals))
            shown = name if engine == OURS else ""
            print(f"{shown:<22}{engine:<16}" + "".join(f"{cell:>13.2f}" for cell in cells))
        ratios = [ratio(theirs, ours) for theirs, ours in zip(rows[THEIRS], rows[OURS])]
        print(f"{'':<22}{'micrograd/ours':<16}" + "".join(f"{cell:>13}" for cell in ratios))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller workloads (under a minute)")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="only the speed tables: chains, sum of products, demo step (no memory, no depth)",
    )
    parser.add_argument(
        "--gc-split",
        action="store_true",
        help="only show what the garbage collector costs (three GC settings)",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    print(
        f"{time.strftime('%Y-%m-%d %H:%M')}  Python {platform.python_version()} "
        f"({platform.python_implementation()}), GC thresholds {gc.get_threshold()}"
    )
    print(f"{machine()}")
    print()
    if args.gc_split:
        print_gc_split(args.quick)
        return
    print_speed(args.quick)
    print()
    print_demo(args.quick)
    if args.demo:
        return
    print()
    print_memory(args.quick)
    print()
    print_depth(args.quick)
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
