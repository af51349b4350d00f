"""Running Python under Pyodide in Node, for the tests of this folder.

`run_in_pyodide(code)` runs `code` with ``node browser/run_python.mjs -c`` (see that file):
the package's source and the wheels .ci/run downloaded are in Pyodide's file system, and no
network is used. Where Node, the pinned ``pyodide`` npm package or the wheels are missing (a
developer's machine), the tests skip and say what to install; under CI (``CI`` set) they
fail instead, so CI can never pass without running them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BROWSER = ROOT / "browser"
RUNNER = BROWSER / "run_python.mjs"
# One Pyodide run may take this long before it is stopped (the suite's subset takes ~30 s).
TIMEOUT = 600
# The last line a run prints: JSON after this marker (see `result_of`).
MARKER = "RESULT "


def missing_runtime() -> str | None:
    """Why Pyodide cannot run here (what to install), or None if it can."""
    if shutil.which("node") is None:
        return "Node is not installed (sudo apt install nodejs npm); .ci/run installs it"
    if not (BROWSER / "node_modules" / "pyodide" / "pyodide.asm.wasm").exists():
        return f"the pyodide npm package is not installed: run `npm ci` in {BROWSER}"
    if not list((BROWSER / "wheels").glob("*.whl")):
        return (
            f"no wheels for Pyodide in {BROWSER / 'wheels'}: run `{sys.executable} -m pip download --no-deps "
            f"--only-binary=:all: --python-version 3.14 --implementation py --platform any "
            f"-r {BROWSER / 'pyodide-requirements.txt'} -d {BROWSER / 'wheels'}` (as .ci/run does)"
        )
    return None


def require_runtime() -> None:
    """Skip (fail under CI) where Pyodide cannot run."""
    reason = missing_runtime()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the Pyodide tests, but {reason}")
    pytest.skip(reason)


def run_node(*args: str) -> subprocess.CompletedProcess:
    """``node browser/run_python.mjs ARGS``: its exit status and output, as text."""
    return subprocess.run(
        ["node", str(RUNNER), *args], cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def result_of(output: str, marker: str = MARKER) -> object:
    """The JSON a run printed on its last line that starts with `marker`."""
    lines = [line for line in output.splitlines() if line.startswith(marker)]
    assert lines, f"the run printed no {marker.strip()} line; its output ends:\n{output[-3000:]}"
    return json.loads(lines[-1][len(marker) :])


@pytest.fixture
def run_in_pyodide() -> Callable[[str], object]:
    """A function that runs Python `code` under Pyodide and returns what it printed after RESULT.

    The code prints its result with ``print("RESULT " + json.dumps(...))``; a run that fails
    fails the test with the run's output.
    """
    require_runtime()

    def run(code: str) -> object:
        done = run_node("-c", code)
        assert done.returncode == 0, (
            f"Pyodide run failed ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
        )
        return result_of(done.stdout)

    return run
