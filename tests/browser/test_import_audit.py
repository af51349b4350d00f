"""Importing the package starts no process, thread or socket: it must import in a web page.

`audit` forbids all three (starting one raises), then imports the package and every module of
it, then builds a drawing's DOT (draw_dot imports graphviz on its first call). It runs in a
fresh CPython and in a fresh Pyodide. Pyodide could not start a process or a thread anyway,
but there the import would fail with an error a learner cannot act on; the audit names the
module that tried.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.browser.conftest import ROOT

# `python -m autograd_tiny` is the command itself: importing it runs the CLI, by design.
COMMAND_MODULES = {"autograd_tiny.__main__"}


class StartedAtImport(AssertionError):
    """An import started a process, a thread or a socket."""


def _forbid(importing: list[str]) -> None:
    """Make starting a process, a thread or a socket raise, naming the module being imported."""
    import socket
    import threading

    def refuse(what: str):
        def refused(*args, **kwargs):
            raise StartedAtImport(f"importing {importing[-1]} {what}")

        return refused

    subprocess.Popen.__init__ = refuse("started a process (subprocess.Popen)")  # type: ignore[method-assign]
    threading.Thread.start = refuse("started a thread (threading.Thread.start)")  # type: ignore[method-assign]
    socket.socket.__init__ = refuse("opened a socket (socket.socket)")  # type: ignore[method-assign]
    for name in ("system", "fork", "posix_spawn", "startfile"):
        if hasattr(os, name):
            setattr(os, name, refuse(f"started a process (os.{name})"))


def module_names(package: str, folder: Path) -> list[str]:
    """Every module of `package` (whose source is in `folder`), the package first, in file order."""
    names = []
    for path in sorted(folder.rglob("*.py")):
        parts = path.relative_to(folder.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name not in COMMAND_MODULES:
            names.append(name)
    return sorted(names, key=lambda name: (name != package, name))


def audit(package: str = "autograd_tiny", folder: str | None = None) -> list[str]:
    """Import `package` and each of its modules with processes, threads and sockets forbidden.

    Returns the modules imported, in order; raises `StartedAtImport` naming the first import
    that started one. Run it in a fresh interpreter: a module imported before is not imported again.
    """
    import importlib

    source = Path(folder) if folder else ROOT / package
    importing = ["(nothing yet)"]
    _forbid(importing)
    imported = []
    for name in module_names(package, source):
        importing.append(name)
        importlib.import_module(name)
        imported.append(name)
    if package == "autograd_tiny":
        importing.append("graphviz (by draw_dot)")
        from autograd_tiny import Value, draw_dot

        assert draw_dot(Value(2.0) * 3).source.startswith("digraph autograd_tiny {")
    return imported


def run_audit_in_cpython(*args: str, path: str = str(ROOT)) -> subprocess.CompletedProcess:
    code = (
        f"import json; from tests.browser.test_import_audit import audit; print('RESULT ' + json.dumps(audit{args!r}))"
    )
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([path, str(ROOT)])}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=False)


def test_importing_every_module_in_cpython_starts_nothing():
    done = run_audit_in_cpython()
    assert done.returncode == 0, done.stderr
    imported = json.loads(done.stdout.splitlines()[-1].removeprefix("RESULT "))
    assert imported == module_names("autograd_tiny", ROOT / "autograd_tiny")
    assert imported[0] == "autograd_tiny" and "autograd_tiny.show.render" in imported and len(imported) > 30


def test_importing_every_module_under_pyodide_starts_nothing(pyodide_results):
    assert pyodide_results["audit"] == module_names("autograd_tiny", ROOT / "autograd_tiny")


@pytest.mark.parametrize(
    ("body", "started"),
    [
        ("import threading\nthreading.Thread(target=print).start()", "started a thread (threading.Thread.start)"),
        ("import subprocess\nsubprocess.Popen(['true'])", "started a process (subprocess.Popen)"),
        ("import socket\nsocket.socket()", "opened a socket (socket.socket)"),
        ("import os\nos.system('true')", "started a process (os.system)"),
    ],
)
def test_the_audit_names_a_module_that_starts_one(tmp_path, body, started):
    """The audit catches each kind (so its passing above means something) and names the module."""
    package = tmp_path / "leaky"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "fine.py").write_text("X = 1\n")
    (package / "worker.py").write_text(textwrap.dedent(body) + "\n")
    done = run_audit_in_cpython("leaky", str(package), path=str(tmp_path))
    assert done.returncode == 1
    assert f"StartedAtImport: importing leaky.worker {started}" in done.stderr
