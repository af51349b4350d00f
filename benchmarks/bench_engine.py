"""Speed and memory of the engine against micrograd 0.1.0, as ratios measured in one run.

Usage (from the repository root, with micrograd installed: see benchmarks/README.md):

    python benchmarks/bench_engine.py            # the full table, a few minutes
    python benchmarks/bench_engine.py --quick    # smaller workloads, under a minute

Workloads (forward + backward unless said otherwise):

* chain:  ``x = x * 1.0001 + 0.001``, repeated n times (2 op nodes per iteration);
* sum of products: ``s = s + a_i * b_i`` over n pairs of Values;
* deepest chain: the longest chain whose backward() works with default settings;
* memory: bytes allocated per op node for a built chain, after backward (tracemalloc).

The machine is shared and noisy, so the engines run interleaved, each workload several
times, and the table reports the best time of each; ratios are micrograd / ours.
Garbage collection stays enabled, as users have it.
"""

from __future__ import annotations

import argparse
import gc
import platform
import subprocess
import sys
import threading
import time
import tracemalloc

from autograd_tiny import Value as OurValue

try:
    from micrograd.engine import Value as MicroValue
except ImportError:  # pragma: no cover - the README says how to install it
    sys.exit("micrograd is not installed: pip install micrograd==0.1.0")

ENGINES = {"autograd_tiny": OurValue, "micrograd": MicroValue}


def chain(V, n):
    """Forward and backward times of the chain x = x * 1.0001 + 0.001 (2n op nodes)."""
    start = time.perf_counter()
    x = V(1.0)
    for _ in range(n):
        x = x * 1.0001 + 0.001
    built = time.perf_counter()
    x.backward()
    done = time.perf_counter()
    return built - start, done - built, 2 * n


def sum_of_products(V, n):
    """Forward and backward times of s = sum(a_i * b_i) over n pairs (2n op nodes)."""
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


def in_big_thread(function, *args):
    """Run function in a thread with a big stack and recursion limit (micrograd recurses)."""
    result = {}

    def target():
        try:
            result["value"] = function(*args)
        except RecursionError as error:
            result["error"] = f"RecursionError: {error}"
        except MemoryError:
            result["error"] = "MemoryError"

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
    if "error" in result:
        raise RuntimeError(result["error"])
    return result["value"]


def best_of(workload, V, n, repeats):
    """The best forward, backward and total time per op node over several runs."""
    best = None
    for _ in range(repeats):
        gc.collect()
        forward, backward, nodes = in_big_thread(workload, V, n)
        row = (forward / nodes * 1e6, backward / nodes * 1e6, (forward + backward) / nodes * 1e6)
        best = row if best is None or row[2] < best[2] else best
    return best


def bytes_per_node(V, n):
    """Bytes still allocated per op node for a chain of 2n nodes, after backward()."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    x = V(1.0)
    for _ in range(n):
        x = x * 1.0001 + 0.001
    in_big_thread(lambda: x.backward())
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (after - before) / (2 * n)


DEPTH_PROBE = """
import sys
from {module} import Value
x = Value(1.0)
for _ in range({n}):
    x = x * 1.0001 + 0.001
x.backward()
"""


def survives(engine, n):
    """Does backward() over a chain of n iterations work, with default settings?"""
    module = "autograd_tiny" if engine == "autograd_tiny" else "micrograd.engine"
    probe = DEPTH_PROBE.format(module=module, n=n)
    try:
        result = subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=300)
    except subprocess.TimeoutExpired:
        return False
    return result.returncode == 0


def deepest_chain(engine, limit):
    """The longest chain (in op nodes) that survives, found by bisection up to `limit`."""
    if survives(engine, limit // 2):
        return f">= {limit:,}"
    low, high = 1, limit // 2  # low survives, high does not
    while high - low > max(1, low // 50):
        middle = (low + high) // 2
        if survives(engine, middle):
            low = middle
        else:
            high = middle
    return f"~{2 * low:,}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller workloads (under a minute)")
    args = parser.parse_args(argv)
    quick = args.quick
    repeats = 3 if quick else 5

    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    print(f"{time.strftime('%Y-%m-%d')}; times are the best of {repeats} runs, in µs per op node\n")

    workloads = [
        ("chain 10k", chain, 10_000),
        ("chain 500k" if not quick else "chain 100k", chain, 500_000 if not quick else 100_000),
        ("sum of products 100k", sum_of_products, 100_000),
    ]
    header = f"{'workload':<22}{'engine':<15}{'forward':>9}{'backward':>10}{'total':>9}{'ratio':>8}"
    print(header)
    print("-" * len(header))
    for name, workload, n in workloads:
        rows = {}
        for engine in ENGINES:
            try:
                rows[engine] = best_of(workload, ENGINES[engine], n, repeats if n <= 100_000 else 2)
            except RuntimeError as error:
                rows[engine] = str(error)
        ours = rows["autograd_tiny"]
        for engine, row in rows.items():
            if isinstance(row, str):
                print(f"{name:<22}{engine:<15}{'died: ' + row[:40]:>36}")
                continue
            ratio = f"{row[2] / ours[2]:.1f}x" if engine != "autograd_tiny" else ""
            print(f"{name:<22}{engine:<15}{row[0]:>9.2f}{row[1]:>10.2f}{row[2]:>9.2f}{ratio:>8}")

    print()
    # tracemalloc slows every allocation a lot (micrograd makes several per node), so the
    # memory workload stays small; bytes per node do not depend on the chain's length.
    n = 20_000
    ours = bytes_per_node(OurValue, n)
    theirs = bytes_per_node(MicroValue, n)
    print(f"memory per op node (chain of {2 * n:,} nodes, after backward):")
    print(f"  autograd_tiny {ours:7.0f} bytes")
    print(f"  micrograd     {theirs:7.0f} bytes  ({theirs / ours:.1f}x)")

    print()
    print("deepest chain whose backward() works with default settings (op nodes):")
    print(f"  autograd_tiny {deepest_chain('autograd_tiny', 2_000_000 if not quick else 200_000)}")
    print(f"  micrograd     {deepest_chain('micrograd', 20_000)}")


if __name__ == "__main__":
    main()
