"""Run pytest with the given arguments and print one line of JSON saying what happened to each test.

Run under Pyodide by ``node browser/run_python.mjs browser/pytest_in_pyodide.py ARGS...``
(tests/browser/test_pyodide_suite.py does, with the named subset of the suite). It runs in
CPython too, which is how the two are compared. The last line of its output is::

    PYTEST-RESULT {"outcomes": {"tests/core/test_engine.py::test_x": "passed", ...},
                   "exit": 0, "seconds": 12.3, "platform": "emscripten"}

(one line). An outcome is "passed", "failed", "skipped" or "error" (a fixture or the
collection failed); a test's setup, call and teardown count as one.
"""

from __future__ import annotations

import json
import sys
import time
from typing import ClassVar

import pytest

MARKER = "PYTEST-RESULT "


class Recorder:
    """A pytest plugin that keeps each test's outcome, the worst of its setup, call and teardown."""

    RANK: ClassVar[dict[str, int]] = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}

    def __init__(self) -> None:
        self.outcomes: dict[str, str] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        outcome = report.outcome
        if report.when != "call" and outcome == "failed":
            outcome = "error"
        if report.when != "call" and outcome == "passed":
            return  # a setup or teardown that passed says nothing about the test itself
        before = self.outcomes.get(report.nodeid, "passed")
        self.outcomes[report.nodeid] = max(before, outcome, key=self.RANK.__getitem__)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.outcomes[report.nodeid] = "error"


def main(args: list[str]) -> int:
    recorder = Recorder()
    start = time.perf_counter()
    # --capture=sys: Pyodide has no file descriptors to redirect (pytest's default capture
    # duplicates fd 1 and 2, which kills Pyodide in a Node worker); no cache folder either.
    code = pytest.main([*args, "-p", "no:cacheprovider", "--capture=sys"], plugins=[recorder])
    result = {
        "outcomes": recorder.outcomes,
        "exit": int(code),
        "seconds": round(time.perf_counter() - start, 2),
        "platform": sys.platform,
    }
    print(MARKER + json.dumps(result, sort_keys=True), flush=True)
    return int(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
