"""Size limits, checked before the expensive work they guard.

Compiling, explaining and rendering a graph cost time and memory in proportion to its size,
and a graph of a million values takes minutes and gigabytes before failing (or after
succeeding uselessly). Each tool refuses a graph over its limit at once, by counting with a
walk that stops as soon as the count passes the limit: refusing costs at most the limit's
worth of steps, however large the graph.

>>> from autograd_tiny import Value
>>> x = Value(1.0)
>>> graph_size(x * x + 1, limit=100)  # x, x * x and the sum; x * x uses x twice
(3, 3)
>>> y = x
>>> for _ in range(1000):
...     y = y + 1
>>> graph_size(y, limit=10)  # counting stops just past the limit
(11, 10)
"""

from __future__ import annotations

from typing import Any

__all__ = ["graph_size", "check_graph_size"]


def graph_size(root: Any, limit: int) -> tuple[int, int]:
    """The number of values and of edges (operand uses) in the graph of `root`, up to `limit`.

    Walks the graph once, each value once, and stops as soon as either count passes
    `limit`: then the counts returned are only lower bounds, one of them above `limit`.
    A value used twice by one op (``a * a``) is one value and two edges.
    """
    seen = {root}
    stack = [root]
    values, edges = 1, 0
    while stack:
        node_edges = stack.pop()._edges
        count = len(node_edges) >> 1
        edges += count
        if edges > limit:
            break  # before looking at the parents: a fused op may have a million of them
        for parent in node_edges[:count]:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
                values += 1
        if values > limit:
            break
    return values, edges


def check_graph_size(root: Any, limit: int, task: str, advice: str) -> None:
    """Raise ValueError if the graph of `root` has more than `limit` values or edges.

    Args:
        root: the graph's output Value.
        limit: the most values, and the most edges, `task` handles.
        task: what has the limit, as the message's subject (``"compile_graph"``).
        advice: what to do instead, the end of the message.
    """
    values, edges = graph_size(root, limit)
    if values > limit or edges > limit:
        what = "values" if values > limit else "edges"
        raise ValueError(
            f"{task} handles graphs of at most {limit} values and {limit} edges, and this one has more "
            f"than {limit} {what} (counted before any work); {advice}"
        )
