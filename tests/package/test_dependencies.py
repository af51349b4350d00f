"""Dependencies by layer: the default install is the core, nn and drawing; the demo's plots and
progress bar come with the ``demo`` extra, NumPy with ``fast``; a missing one gives one line
with the command that installs it.

A missing package is simulated with ``sys.modules[name] = None``, which makes every import of
it fail as if it were not installed (the real one stays loaded for the other tests).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from autograd_tiny import MLP, CompiledTrainingStep, Value, compile_graph
from autograd_tiny.app import demo
from autograd_tiny.app.cli import main
from autograd_tiny.core.optional import EXTRAS, MissingDependencyError, check_installed, install_command, load

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

PYPROJECT = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
EXTRAS_IN_PYPROJECT = PROJECT["optional-dependencies"]


def requirement_name(requirement: str) -> str:
    """The distribution a requirement names: ``"numpy>=1.22"`` → ``"numpy"``."""
    return re.match(r"[A-Za-z0-9._-]+", requirement).group(0).lower().replace("_", "-")


def names(requirements: list[str]) -> set[str]:
    return {requirement_name(r) for r in requirements}


def hide(monkeypatch, *modules: str) -> None:
    """Make `modules` look uninstalled for the rest of the test."""
    for module in modules:
        monkeypatch.setitem(sys.modules, module, None)


PYTHON = re.escape(sys.executable)


# ----------------------------------------------------------------------------- pyproject.toml


def test_the_default_install_is_the_core_nn_and_drawing():
    assert names(PROJECT["dependencies"]) == {"graphviz", "graphviz-pure"}
    assert names(PROJECT["dependencies"]).isdisjoint({"matplotlib", "tqdm", "numpy"})


def test_the_demo_extra_has_the_plots_and_the_progress_bar_and_fast_has_numpy():
    assert names(EXTRAS_IN_PYPROJECT["demo"]) == {"matplotlib", "tqdm"}
    assert names(EXTRAS_IN_PYPROJECT["fast"]) == {"numpy"}


def test_the_messages_name_the_extra_that_installs_the_package():
    for package, extra in EXTRAS.items():
        assert package in names(EXTRAS_IN_PYPROJECT[extra]), (package, extra)


def test_the_dev_extra_installs_everything_the_tests_need():
    dev = names(EXTRAS_IN_PYPROJECT["dev"])
    assert names(EXTRAS_IN_PYPROJECT["demo"]) <= dev
    assert names(EXTRAS_IN_PYPROJECT["fast"]) <= dev
    assert {"pytest", "hypothesis", "micrograd", "nbclient", "playwright"} <= dev


def test_the_notebooks_extra_has_what_the_notebooks_import():
    notebooks = Path(__file__).resolve().parents[2] / "notebooks"
    text = "".join(p.read_text(encoding="utf-8") for p in notebooks.glob("*.ipynb"))
    assert "import matplotlib" in text
    assert {"jupyterlab", "matplotlib", "numpy"} <= names(EXTRAS_IN_PYPROJECT["notebooks"])


def test_ci_runs_the_readme_test_command_which_installs_the_dev_extra():
    root = Path(__file__).resolve().parents[2]
    command = "python3 -m venv .venv && .venv/bin/pip install -e '.[dev]' && .venv/bin/python -m pytest"
    assert command in (root / ".ci" / "run").read_text(encoding="utf-8")
    assert command in (root / "README.md").read_text(encoding="utf-8")


def test_the_readme_demo_command_installs_the_demo_extra():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    demo_commands = [line for line in readme.splitlines() if line.startswith("python3 -m venv") and "demo" in line]
    assert demo_commands == [
        "python3 -m venv .venv && .venv/bin/pip install -e '.[demo]' && .venv/bin/autograd-tiny demo"
    ]


# ----------------------------------------------------------------------------- the helper


def test_install_command_uses_the_running_python_and_double_quotes():
    assert install_command("demo") == f'{sys.executable} -m pip install "autograd_tiny[demo]"'


def test_install_command_quotes_a_python_path_with_a_space(monkeypatch):
    monkeypatch.setattr(sys, "executable", "C:\\Program Files\\Python\\python.exe")
    assert install_command("fast") == '"C:\\Program Files\\Python\\python.exe" -m pip install "autograd_tiny[fast]"'


def test_load_gives_the_module_and_a_missing_one_one_line(monkeypatch):
    assert load("numpy", needed_by="x") is sys.modules["numpy"]
    hide(monkeypatch, "numpy")
    with pytest.raises(MissingDependencyError) as caught:
        load("numpy", needed_by="this feature")
    assert str(caught.value) == (
        f'this feature needs numpy, which is not installed; install it with: {sys.executable} -m pip install "autograd_tiny[fast]"'
    )
    assert caught.value.name == "numpy"
    assert isinstance(caught.value, ImportError)  # `except ImportError` still catches it
    assert "\n" not in str(caught.value)


def test_a_submodule_is_missing_when_its_package_is(monkeypatch):
    hide(monkeypatch, "matplotlib", "matplotlib.figure")
    with pytest.raises(MissingDependencyError, match=r"^the plots needs matplotlib, which is not installed"):
        load("matplotlib.figure", needed_by="the plots")


def test_a_broken_install_is_not_called_missing(monkeypatch):
    # The package is there but one of its own imports fails: that error is the one to see.
    def broken(name, *args, **kwargs):
        raise ModuleNotFoundError("No module named 'dateutil'", name="dateutil")

    monkeypatch.delitem(sys.modules, "matplotlib.figure", raising=False)
    monkeypatch.setattr("importlib.import_module", broken)
    with pytest.raises(ModuleNotFoundError, match="dateutil") as caught:
        load("matplotlib.figure", needed_by="the plots")
    assert not isinstance(caught.value, MissingDependencyError)


def test_a_package_no_extra_lists_is_installed_by_its_own_name(monkeypatch):
    hide(monkeypatch, "torch")
    with pytest.raises(
        MissingDependencyError,
        match=rf"^to_torch\(\) needs torch, which is not installed; install it with: {PYTHON} -m pip install torch$",
    ):
        load("torch", needed_by="to_torch()")


def test_check_installed_names_every_missing_package_in_one_line(monkeypatch):
    check_installed(["numpy", "tqdm"], needed_by="x")  # installed: nothing happens
    hide(monkeypatch, "matplotlib", "matplotlib.figure", "tqdm", "numpy")
    with pytest.raises(
        MissingDependencyError,
        match=rf'^the demo needs matplotlib, tqdm and numpy, which are not installed; install them with: {PYTHON} -m pip install "autograd_tiny\[demo,fast\]"$',
    ):
        check_installed(["matplotlib.figure", "tqdm", "numpy"], needed_by="the demo")


# ----------------------------------------------------------------------------- the demo


DEMO_MESSAGE = (
    rf"^autograd-tiny: error: autograd-tiny demo needs (?P<missing>.+), which (is|are) not installed; "
    rf'install (it|them) with: {PYTHON} -m pip install "autograd_tiny\[(?P<extra>[a-z,]+)\]"$'
)


@pytest.mark.parametrize(
    ("hidden", "missing"),
    [
        (["matplotlib", "matplotlib.figure"], "matplotlib"),
        (["tqdm"], "tqdm"),
        (["matplotlib", "matplotlib.figure", "tqdm"], "matplotlib and tqdm"),
    ],
)
def test_demo_without_its_packages_says_how_to_install_them_before_training(
    hidden, missing, monkeypatch, tmp_path, capsys
):
    hide(monkeypatch, *hidden)
    trained = []
    monkeypatch.setattr(demo, "train", lambda **kwargs: trained.append(kwargs))
    out = tmp_path / "demo_out"
    assert main(["demo", "--steps", "2", "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    found = re.match(DEMO_MESSAGE, line)
    assert found, line
    assert found["missing"] == missing and found["extra"] == "demo"
    assert trained == [] and not out.exists()  # nothing trained, no folder made


def test_compiled_demo_without_numpy_names_the_fast_extra(monkeypatch, tmp_path, capsys):
    hide(monkeypatch, "numpy")
    assert main(["demo", "--compiled", "--steps", "2", "--out", str(tmp_path / "o")]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        "autograd-tiny: error: autograd-tiny demo --compiled needs numpy, which is not installed; "
        f'install it with: {sys.executable} -m pip install "autograd_tiny[fast]"'
    )


def test_training_and_plotting_from_python_name_what_is_missing(monkeypatch, tmp_path):
    result = demo.train(steps=1, hidden=[2], n=10)  # no progress bar: needs neither package
    hide(monkeypatch, "tqdm", "matplotlib", "matplotlib.figure")
    with pytest.raises(MissingDependencyError, match=r"^the demo's progress bar needs tqdm, which is not installed"):
        demo.train(steps=1, hidden=[2], n=10, progress=True)
    with pytest.raises(
        MissingDependencyError, match=r"^plotting the demo's results needs matplotlib, which is not installed"
    ):
        demo.plot_training_curves(result, str(tmp_path / "curves.png"))
    with pytest.raises(
        MissingDependencyError, match=r"^plotting the demo's results needs matplotlib, which is not installed"
    ):
        demo.plot_decision_boundary(result, str(tmp_path / "boundary.png"))


def test_the_other_commands_need_no_optional_package(monkeypatch, tmp_path, capsys):
    hide(monkeypatch, "matplotlib", "matplotlib.figure", "tqdm", "numpy")
    assert main(["explain", "a*b", "a=2", "b=3"]) == 0
    assert main(["graph", "tanh(a*b)", "a=2", "b=3", "-o", str(tmp_path / "g.svg")]) == 0
    assert (tmp_path / "g.svg").stat().st_size > 500


# ----------------------------------------------------------------------------- fast/ without NumPy


NUMPY_MESSAGE = (
    r"^compiled code on batches \(NumPy arrays, reduce=, batch, CompiledTrainingStep\) needs numpy, "
    rf'which is not installed; install it with: {PYTHON} -m pip install "autograd_tiny\[fast\]"$'
)


def test_compiled_floats_need_no_numpy_and_batches_say_how_to_get_it(monkeypatch):
    x, w = Value(1.0, label="x"), Value(0.5, label="w")
    f = compile_graph((w * x).tanh(), [w, x])
    hide(monkeypatch, "numpy")
    value, grads = f([0.5, 2.0])  # floats: no NumPy
    assert value == pytest.approx(0.7615941559557649) and len(grads) == 2
    with pytest.raises(MissingDependencyError, match=NUMPY_MESSAGE):
        f([0.5, 2.0], reduce="mean")
    with pytest.raises(MissingDependencyError, match=NUMPY_MESSAGE):
        f.batch([0.5], [[1.0, 2.0]], reduce="sum")
    with pytest.raises(MissingDependencyError, match=NUMPY_MESSAGE):
        f.batch_source([x])


def test_compiled_training_step_without_numpy_says_how_to_get_it(monkeypatch):
    model = MLP(2, [2, 1], seed=0)
    hide(monkeypatch, "numpy")
    with pytest.raises(MissingDependencyError, match=NUMPY_MESSAGE):
        CompiledTrainingStep(model, [[0.0, 1.0], [1.0, 0.0]], [1, -1])
