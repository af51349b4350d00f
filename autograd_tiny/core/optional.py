"""Optional third-party packages: loaded by name when a feature needs them, never at import.

Installing autograd_tiny gives the core, nn and drawing. Some features need more, and an
*extra* installs it: the demo's plots and progress bar (``demo``: matplotlib, tqdm), code on
NumPy arrays (``fast``: numpy), the HTML handouts (``handouts``: mistune, latex2mathml). Without them, the
feature raises `MissingDependencyError` with one line that names what is missing and the
command that installs it into the Python that is running (so it works from an environment
that was never activated, as in the README's ``.venv/bin/autograd-tiny demo``).

The core itself imports nothing outside the standard library: this module imports by name,
with `importlib`, only when asked.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

__all__ = ["EXTRAS", "MissingDependencyError", "load", "check_installed", "install_command"]

# Each optional package, and the extra of autograd_tiny (in pyproject.toml) that installs it.
EXTRAS = {"matplotlib": "demo", "tqdm": "demo", "numpy": "fast", "mistune": "handouts", "latex2mathml": "handouts"}


class MissingDependencyError(ModuleNotFoundError):
    """An optional package a feature needs is not installed; the message says how to install it."""


def install_command(extra: str) -> str:
    """The command that installs `extra` of autograd_tiny into the running Python.

    Double quotes around the requirement: zsh would read its brackets as a pattern, and
    Windows' cmd does not understand single quotes.

    >>> install_command("demo").endswith(' -m pip install "autograd_tiny[demo]"')
    True
    """
    return f'{_python()} -m pip install "autograd_tiny[{extra}]"'


def _python() -> str:
    """The running Python, as a shell word: pip run through it installs where the code runs."""
    python = sys.executable or "python"
    return f'"{python}"' if any(c.isspace() for c in python) else python


def _message(packages: Sequence[str], needed_by: str) -> str:
    if all(p in EXTRAS for p in packages):
        command = install_command(",".join(sorted({EXTRAS[p] for p in packages})))
    else:  # a package no extra lists: install it by its own name
        command = f"{_python()} -m pip install {' '.join(packages)}"
    names = packages[0] if len(packages) == 1 else f"{', '.join(packages[:-1])} and {packages[-1]}"
    them = "it" if len(packages) == 1 else "them"
    return (
        f"{needed_by} needs {names}, which {'is' if len(packages) == 1 else 'are'} not installed; "
        f"install {them} with: {command}"
    )


def load(name: str, *, needed_by: str) -> ModuleType:
    """Import module `name` (``"numpy"``, ``"matplotlib.figure"``) for the feature `needed_by`.

    Raises:
        MissingDependencyError: the package is not installed; the message names the feature,
            the package and the install command.

    >>> load("json", needed_by="this example").__name__
    'json'
    """
    module = sys.modules.get(name)
    if module is not None:  # loaded before: skip the import machinery (compiled calls use this)
        return module
    package = name.partition(".")[0]
    try:
        return importlib.import_module(name)
    except ImportError as error:
        # Only the package itself missing is ours to explain; a broken install of it is not.
        if error.name is not None and error.name.partition(".")[0] != package:
            raise
        raise MissingDependencyError(_message([package], needed_by), name=package) from None


def check_installed(names: Sequence[str], *, needed_by: str) -> None:
    """Raise one `MissingDependencyError` naming every package of `names` that is missing.

    Checked before a long task starts (the demo trains for seconds before it plots).
    """
    missing = []
    for name in names:
        try:
            load(name, needed_by=needed_by)
        except MissingDependencyError as error:
            missing.append(error.name or name)
    if missing:
        raise MissingDependencyError(_message(missing, needed_by), name=missing[0])
