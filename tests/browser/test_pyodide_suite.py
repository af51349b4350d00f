"""The package's own pure tests, run under Pyodide: a named subset of the suite.

Pyodide is the Python a web page runs (CPython compiled to WebAssembly); here it runs in Node
from the pinned npm package (browser/package.json), with pytest and hypothesis from the wheels
.ci/run downloads (browser/pyodide-requirements.txt). The subset (`SUBSET`) is the test files of
the pure features a page uses: values and backward(), forward mode and higher derivatives,
grad mode and scopes, inf and NaN, nn, losses, optimizers, datasets, names, gradcheck and the
training guards, explain (text, Markdown, labels, forward mode) and its check, grading, the
textbook views and one neuron's graph, the notation, the expression parser, the playground's
Train panel (its trainer and the JSON it answers the page with); the lecture's, Mazur's and micrograd's
paths (micrograd itself is among the wheels); and the doctests of core, learn, show, the
parser and the playground's modules. Left out, by name and with the reason (`EXCLUDED`): tests that need a thread, a
process, asyncio's event loop run from inside Python or NumPy, and freeing a graph deeper than
Pyodide's stack allows. Left out as whole files: the fast layer and the files that import
NumPy at the top (test_max_min, test_define_op, test_ops_registry, test_fused_neuron: NumPy
is not in Pyodide's npm package), the torch tests, saving and loading (test_files, test_load:
they test a real file system's limits, such as a sparse file of gigabytes, that Pyodide's
in-memory one does not have), the CLI, the demo, the stepper, quiz and renderer tests (a
renderer process or Chromium), the notebooks.
"""

from __future__ import annotations

import re
from collections import Counter

from tests.browser.conftest import ROOT, require_runtime, result_of, run_node

SUBSET = [
    "tests/core/test_engine.py",
    "tests/core/test_graph.py",
    "tests/core/test_forward.py",
    "tests/core/test_higher.py",
    "tests/core/test_grad_mode.py",
    "tests/core/test_scope.py",
    "tests/core/test_nonfinite_engine.py",
    "tests/core/test_properties.py",
    "tests/learn/test_nn.py",
    "tests/learn/test_losses.py",
    "tests/learn/test_optim.py",
    "tests/learn/test_datasets.py",
    "tests/learn/test_names.py",
    "tests/learn/test_derivatives.py",
    "tests/learn/test_check.py",
    "tests/learn/test_gradcheck_rounding.py",
    "tests/learn/test_training_guards.py",
    "tests/show/test_explain.py",
    "tests/show/test_explain_pure.py",
    "tests/show/test_explain_check.py",
    "tests/show/test_explain_forward.py",
    "tests/show/test_explain_labels.py",
    "tests/show/test_explain_nonfinite.py",
    "tests/show/test_grading.py",
    "tests/show/test_textbook.py",
    "tests/show/test_textbook_truth.py",
    "tests/show/test_notation.py",
    "tests/app/test_expression.py",
    "tests/app/test_trainer.py",
    "tests/app/test_playground_training.py",
    "tests/show/test_neuron_graph.py",
    # Paths through several layers: Karpathy's lecture, Mazur's worked example, micrograd's code.
    "tests/paths/test_lecture.py",
    "tests/paths/test_mazur.py",
    "tests/paths/test_micrograd_compat.py",
    # The doctests of the pure layers (pyproject.toml's addopts collects them).
    "autograd_tiny/core",
    "autograd_tiny/learn",
    "autograd_tiny/show",
    "autograd_tiny/app/expression.py",
    "autograd_tiny/app/trainer.py",
    "autograd_tiny/app/playground.py",
    "autograd_tiny/minimal.py",
]

THREADS = "starts threads, which Pyodide cannot (RuntimeError: can't start new thread)"
ASYNCIO = (
    "calls asyncio.run, which under Pyodide in Node needs WebAssembly stack switching (JSPI; "
    "Node 20 has none); a page runs Python inside its own event loop instead"
)
RENDERER = "draws an SVG through a renderer program, which Pyodide cannot start (the page draws the DOT)"
DEEP = (
    "frees a million-value chain: under Pyodide freeing a chain of more than a few thousand values "
    "overflows the WebAssembly stack, a fatal error that ends the interpreter"
)
NUMPY = "imports NumPy in its body; NumPy is not in Pyodide's npm package (a page loads it from Pyodide's CDN)"
NOTEBOOKS = (
    "reads a notebook from notebooks/, which is not copied into Pyodide's file system (only the package and tests are)"
)
PY314 = "expects Python 3.10-3.13's 'float division by zero'; Pyodide's Python 3.14 says 'division by zero'"

EXCLUDED = {
    "tests/core/test_graph.py::test_million_node_chain_backpropagates": DEEP,
    "tests/core/test_graph.py::test_backward_in_four_threads_at_once_gives_each_pass_as_if_run_alone": THREADS,
    "tests/core/test_grad_mode.py::test_no_grad_in_one_thread_never_stops_another_building_graphs": THREADS,
    "tests/core/test_grad_mode.py::test_no_grad_in_a_worker_leaves_the_main_thread_alone": THREADS,
    "tests/core/test_grad_mode.py::test_nested_blocks_in_two_threads_interleaved_each_restore_their_own_state": THREADS,
    "tests/core/test_grad_mode.py::test_many_threads_entering_and_leaving_keep_the_count_exact": THREADS,
    "tests/core/test_grad_mode.py::test_a_generator_suspended_inside_no_grad_keeps_the_block_for_its_thread": THREADS,
    "tests/core/test_grad_mode.py::test_a_generator_closed_in_another_thread_restores_the_thread_that_entered": THREADS,
    "tests/core/test_grad_mode.py::test_many_threads_with_scopes_and_no_grad_agree_with_the_fast_path": THREADS,
    "tests/core/test_grad_mode.py::test_a_thread_started_inside_no_grad_starts_with_grad_on_as_in_pytorch": THREADS,
    "tests/core/test_grad_mode.py::test_two_asyncio_tasks_each_inside_no_grad_leave_grad_mode_on": ASYNCIO,
    "tests/core/test_grad_mode.py::test_tasks_left_in_the_opposite_order_each_restore_their_own_mode": ASYNCIO,
    "tests/core/test_grad_mode.py::test_an_error_inside_a_task_block_restores_that_task_only": ASYNCIO,
    "tests/core/test_grad_mode.py::test_a_task_started_inside_a_block_follows_the_block_while_it_lasts": ASYNCIO,
    "tests/core/test_grad_mode.py::test_a_task_entering_no_grad_inside_an_outer_block_that_ends_first_keeps_its_own": ASYNCIO,
    "tests/core/test_scope.py::test_a_scope_in_one_thread_never_names_another_threads_values": THREADS,
    "tests/core/test_scope.py::test_scopes_follow_the_asyncio_task": ASYNCIO,
    "tests/core/test_scope.py::test_a_scope_entered_again_leaves_a_task_of_its_first_block_alone": ASYNCIO,
    "tests/core/test_nonfinite_engine.py::test_nan_is_refused_as_input_whatever_its_type": NUMPY,
    "tests/show/test_explain_labels.py::test_hypothesis_labels_html_page": RENDERER,
    "tests/show/test_explain_nonfinite.py::test_html_page_and_drawings": RENDERER,
    "tests/show/test_explain_pure.py::test_a_session_backward_explain_draw_explain_train_draw": RENDERER,
    "tests/show/test_explain_pure.py::test_stepper_page_starts_from_grad_question_marks_even_after_backward": RENDERER,
    "tests/show/test_notation.py::test_cli_warnings_write_the_minus_sign_and_the_slot": RENDERER,
    "autograd_tiny/show/explain.py::autograd_tiny.show.explain.Explanation.save_html": RENDERER,
    "autograd_tiny/show/explain.py::autograd_tiny.show.explain.Explanation.stepper": RENDERER,
    "autograd_tiny/show/stepper.py::autograd_tiny.show.stepper.Stepper": RENDERER,
    "autograd_tiny/show/textbook.py::autograd_tiny.show.textbook.NeuronView.stepper": RENDERER,
    "tests/paths/test_mazur.py::test_notebook_5_table_gives_nielsens_symbols": NOTEBOOKS,
    "tests/paths/test_mazur.py::test_notebook_5_table_names_each_of_mazurs_weights_as_the_model_does": NOTEBOOKS,
    "autograd_tiny/core/ops.py::autograd_tiny.core.ops.call_checked": PY314,
}


def pytest_arguments() -> list[str]:
    """pytest's command line for the subset: quiet, short tracebacks, each exclusion deselected."""
    deselect = [arg for node in EXCLUDED for arg in ("--deselect", node)]
    return ["-q", "--no-header", "-rfE", "--tb=short", *deselect, *SUBSET]


def test_each_exclusion_names_a_test_of_the_subset():
    """An exclusion whose test was renamed or moved would silently run nothing: each must exist."""
    for node, reason in EXCLUDED.items():
        path, _, name = node.partition("::")
        assert any(path == s or path.startswith(s + "/") for s in SUBSET), f"{node} is not in SUBSET"
        defined = name.rpartition(".")[2]  # a doctest's id ends with its function's or class's name
        source = (ROOT / path).read_text(encoding="utf-8")
        assert re.search(rf"^\s*(def|class) {defined}\b", source, re.MULTILINE), f"{node} does not exist"
        assert reason in (THREADS, ASYNCIO, RENDERER, DEEP, NUMPY, NOTEBOOKS, PY314)


def test_the_named_subset_passes_under_pyodide():
    require_runtime()
    done = run_node("browser/pytest_in_pyodide.py", *pytest_arguments())
    result = result_of(done.stdout, "PYTEST-RESULT ")
    assert isinstance(result, dict)
    assert result["platform"] == "emscripten"
    outcomes = result["outcomes"]
    bad = {node: outcome for node, outcome in outcomes.items() if outcome in ("failed", "error")}
    assert bad == {}, f"under Pyodide:\n{done.stdout[-6000:]}"
    assert result["exit"] == 0, done.stdout[-3000:] + done.stderr[-3000:]
    passed_in = Counter(node.partition("::")[0] for node, outcome in outcomes.items() if outcome == "passed")
    for entry in SUBSET:
        found = sum(n for path, n in passed_in.items() if path == entry or path.startswith(entry + "/"))
        assert found > 0, f"no test of {entry} passed under Pyodide"
    assert not set(EXCLUDED) & set(outcomes), "an excluded test ran"
    counts = Counter(outcomes.values())
    print(f"\nunder Pyodide: {dict(sorted(counts.items()))} in {result['seconds']} s (pytest's own time)")
