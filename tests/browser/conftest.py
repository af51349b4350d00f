"""Running Python under Pyodide in Node, for the tests of this folder.

`run_node` runs ``node browser/run_python.mjs`` (see that file): the package's source and the
wheels .ci/run downloaded are in Pyodide's file system, and no network is used;
`pyodide_results` runs the folder's checks (`PYODIDE_CHECKS`) there, once per session. Where Node, the pinned ``pyodide`` npm package or the wheels are missing (a
developer's machine), the tests skip and say what to install; under CI (``CI`` set) they
fail instead, so CI can never pass without running them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
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


# The checks of this folder that run under Pyodide, by name: each is Python code that sets
# RESULT (JSON-able). They share one Pyodide run (`pyodide_results`): starting Pyodide costs
# seconds. The import audit goes first, before anything has imported the package.
PYODIDE_CHECKS = {
    "audit": "from tests.browser.test_import_audit import audit\nRESULT = audit()",
    "drawing": "from tests.browser.test_render_without_processes import drawing_data\nRESULT = drawing_data()",
    "numbers": "from tests.browser.test_pyodide_numbers import computation\nRESULT = computation()",
    "numbers_on_the_same_points": (
        "from tests.browser.test_pyodide_numbers import computation\nRESULT = computation(points=POINTS)"
    ),
    "training_page": "from tests.browser.test_pyodide_numbers import training_page\nRESULT = training_page()",
}

RUN_CHECKS = """
import json, sys
checks, results = json.loads(sys.argv[1]), {}
for name, code in checks.items():
    space = {"POINTS": json.loads(sys.argv[2])}
    exec(code, space)
    results[name] = space["RESULT"]
print("RESULT " + json.dumps(results))
"""


@pytest.fixture(scope="session")
def pyodide_results() -> dict:
    """What each of `PYODIDE_CHECKS` gave under Pyodide, by name (one run for the session).

    POINTS, which the checks may read, are CPython's make_moons(100, seed=1337) points, so
    that a check can compute on exactly CPython's inputs.
    """
    require_runtime()
    from autograd_tiny import make_moons  # here, not at the top: the import audit runs in this folder

    points, _ = make_moons(n=100, noise=0.1, seed=1337)
    done = run_node("-c", RUN_CHECKS, json.dumps(PYODIDE_CHECKS), json.dumps(points))
    assert done.returncode == 0, f"Pyodide run failed ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    results = result_of(done.stdout)
    assert isinstance(results, dict) and list(results) == list(PYODIDE_CHECKS)
    return results
