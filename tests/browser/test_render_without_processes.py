"""draw_dot where no process can start (Pyodide: ``sys.platform == "emscripten"``).

The DOT is built as everywhere; the display data hands it to the page ("text/vnd.graphviz"),
which draws it with a WebAssembly Graphviz, instead of trying to start a renderer program.
Checked by simulating the platform in CPython (a renderer that would be started is refused)
and under Pyodide itself.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from autograd_tiny import draw_dot
from autograd_tiny.show import render
from tests.show.test_explain import lecture_example


def lecture_graph():
    """Karpathy's lecture expression L = (a·b + c)·f, after backward()."""
    L = lecture_example()[-1]
    L.backward()
    return L


PAGE_LINE = "(a computation graph: the page draws it from its DOT text, text/vnd.graphviz)"


@pytest.fixture
def no_processes(monkeypatch):
    """Pretend to run under Pyodide, where starting a program fails."""
    monkeypatch.setattr(sys, "platform", "emscripten")

    def refuse(*args, **kwargs):
        raise AssertionError("a renderer process was started")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)


def test_without_processes_the_display_data_is_the_dot_for_the_page(no_processes):
    graph = draw_dot(lecture_graph())
    assert graph._repr_mimebundle_() == {"text/vnd.graphviz": graph.source, "text/plain": PAGE_LINE}


def test_without_processes_the_dot_is_the_same_as_anywhere(no_processes, monkeypatch):
    here = draw_dot(lecture_graph()).source
    monkeypatch.setattr(sys, "platform", "linux")
    assert here == draw_dot(lecture_graph()).source
    # ∂L/∂a = b·f = 6, ∂L/∂b = a·f = −4, ∂L/∂f = d = 4: the gradients are in it
    assert "grad 6.0000" in here and "grad −4.0000" in here and "grad 4.0000" in here


def test_without_processes_images_say_why_and_what_to_use(no_processes, tmp_path):
    graph = draw_dot(lecture_graph())
    message = (
        r"^cannot start a Graphviz program here \(sys.platform is 'emscripten', as under Pyodide\): "
        r"draw graph.source \(DOT\) in the page with a WebAssembly Graphviz, "
        r"or save images from a Python that can run programs$"
    )
    for fmt in ("svg", "png", "pdf"):
        with pytest.raises(RuntimeError, match=message):
            graph.render(fmt)
    with pytest.raises(RuntimeError, match=message):
        graph.save(tmp_path / "g.svg")
    assert list(tmp_path.iterdir()) == []


def test_processes_can_run_follows_the_platform(monkeypatch):
    assert render.processes_can_run()
    for platform in ("emscripten", "wasi"):
        monkeypatch.setattr(sys, "platform", platform)
        assert not render.processes_can_run()


def drawing_data() -> dict:
    """The platform, the lecture drawing's display data and its DOT (the check run under Pyodide)."""
    graph = draw_dot(lecture_graph())
    return {"platform": sys.platform, "bundle": graph._repr_mimebundle_(), "source": graph.source}


def test_under_pyodide_the_display_data_is_the_dot(pyodide_results):
    result = pyodide_results["drawing"]
    assert result["platform"] == "emscripten"
    assert result["bundle"] == {"text/vnd.graphviz": result["source"], "text/plain": PAGE_LINE}
    assert result["source"] == draw_dot(lecture_graph()).source  # the same DOT, byte for byte, as CPython's
