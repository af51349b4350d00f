"""README.md prints what it shows: every Python block runs, top to bottom, in one namespace,
and every output block that follows a Python block is exactly what that block printed.

The convention the README follows (and this test enforces):

* a fenced ```python block is code; they run in order, sharing their variables, as a
  reader pasting them into one REPL would;
* a fenced block with no language (or ``text``) that follows a Python block, with only prose
  in between, is that block's printed output, compared line by line (trailing spaces ignored);
* other blocks (``bash``) are commands for the shell, not run here.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
FENCE = re.compile(r"^```([\w-]*)[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def readme_blocks(text: str) -> list[tuple[str, str, int]]:
    """The fenced blocks of `text` as (language, body, line number), in order.

    >>> readme_blocks("intro\\n```python\\nprint(1)\\n```\\nprints\\n```\\n1\\n```\\n")
    [('python', 'print(1)\\n', 2), ('', '1\\n', 6)]
    """
    return [(m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1) for m in FENCE.finditer(text)]


def examples(text: str) -> list[tuple[str, str | None, int]]:
    """Each Python block with the output block that follows it (None if there is none)."""
    blocks = readme_blocks(text)
    pairs = []
    for i, (language, body, line) in enumerate(blocks):
        if language != "python":
            continue
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        expected = following[1] if following and following[0] in ("", "text") else None
        pairs.append((body, expected, line))
    return pairs


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip("\n").splitlines()]


def test_readme_has_examples_with_shown_output():
    pairs = examples(README.read_text(encoding="utf-8"))
    assert len(pairs) >= 4
    assert sum(expected is not None for _, expected, _ in pairs) >= 3


def test_every_python_block_prints_what_the_readme_shows(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the examples write files (graph.svg, steps.html, model.json)
    namespace: dict = {"__name__": "__readme__"}
    for code, expected, line in examples(README.read_text(encoding="utf-8")):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, f"README.md:{line}", "exec"), namespace)
        if expected is not None:
            assert _lines(printed.getvalue()) == _lines(expected), (
                f"the block at README.md:{line} prints something else"
            )
    # The files the README says it writes are there.
    for name in ("graph.svg", "steps.html"):
        assert os.path.getsize(tmp_path / name) > 1000, name


def test_the_harness_notices_a_wrong_output(tmp_path):
    text = "```python\nprint(2 + 2)\n```\nprints\n```\n5\n```\n"
    ((code, expected, _),) = examples(text)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, {})
    assert _lines(printed.getvalue()) != _lines(expected)


@pytest.mark.parametrize("fence", ["bash", "toml"])
def test_other_languages_are_not_run(fence):
    text = f"```{fence}\nrm -rf /\n```\n```python\nx = 1\n```\n"
    assert examples(text) == [("x = 1\n", None, 4)]


# ----------------------------------------------------------------------------- links

ROOT = README.parent
ARCHITECTURE = ROOT / "docs" / "architecture.md"
# [text](target) and ![alt](target); the target ends at a space (a title may follow) or ")".
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)[^)]*\)")


def relative_links(text: str) -> list[str]:
    """The link targets of Markdown `text` that point into the repository (no URL, no #anchor).

    >>> relative_links("[a](x.py) [b](https://e.org) ![c](d/e.svg) [f](#top) [g](y.md#part) `d[i](x)`")
    ['x.py', 'd/e.svg', 'y.md']
    """
    # Code is not a link: `derivatives[i](*xs, out)` looks like one.
    text = re.sub(r"`[^`\n]*`", "", FENCE.sub("", text))
    targets = []
    for target in LINK.findall(text):
        if re.match(r"[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("#"):
            continue  # https:, mailto:, or a place in the same page
        targets.append(target.split("#", 1)[0])
    return targets


def broken_links(page: Path) -> list[str]:
    """The relative links of `page` whose file or folder does not exist."""
    return [t for t in relative_links(page.read_text(encoding="utf-8")) if not (page.parent / t).exists()]


@pytest.mark.parametrize("page", [README, ARCHITECTURE], ids=lambda p: p.name)
def test_every_relative_link_points_to_an_existing_file(page):
    assert relative_links(page.read_text(encoding="utf-8")), f"{page.name} has no relative links to check"
    assert broken_links(page) == []


def test_the_link_check_notices_a_missing_file(tmp_path):
    page = tmp_path / "page.md"
    (tmp_path / "there.py").write_text("")
    page.write_text("[ok](there.py) [old](autograd_tiny/engine_old.py) [web](https://example.org/x.py)")
    assert broken_links(page) == ["autograd_tiny/engine_old.py"]


def test_readme_reading_the_code_links_the_layers_and_the_architecture_notes():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Reading the code") : text.index("## Quick start")]
    for target in (
        "autograd_tiny/minimal.py",
        "autograd_tiny/core/value.py",
        "autograd_tiny/core/graph.py",
        "docs/architecture.md",
    ):
        assert f"]({target})" in section, target
    for layer in ("core/", "learn/", "show/", "fast/", "app/"):
        assert layer in section, layer


# ----------------------------------------------------------------------------- docs/architecture.md

# A row of the flow tables: | step | `module` | `function` | what happens |
FLOW_ROW = re.compile(r"^\| \d+ \| `([\w/]+\.py)` \| `(\w+)` \|", re.MULTILINE)


def test_the_architecture_flows_name_functions_that_exist():
    rows = FLOW_ROW.findall(ARCHITECTURE.read_text(encoding="utf-8"))
    assert len(rows) >= 12  # backward() and explain(), step by step
    missing = []
    for module, function in rows:
        source = (ROOT / "autograd_tiny" / module).read_text(encoding="utf-8")
        if not re.search(rf"^\s*(def|class) {function}\b", source, re.MULTILINE):
            missing.append(f"{module}: {function}")
    assert missing == []


def test_the_architecture_diagram_lists_every_module_of_each_layer():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    diagram = readme_blocks(text)[0][1]
    for layer in ("core", "learn", "show", "fast", "app"):
        modules = sorted(p.name for p in (ROOT / "autograd_tiny" / layer).glob("*.py") if p.name != "__init__.py")
        assert [m for m in modules if m not in diagram] == [], layer


# ----------------------------------------------------------------------------- tests/README.md

TESTS_README = ROOT / "tests" / "README.md"
LAYER_ROW = re.compile(r"^\| `(\w+)/` \| [^|]+ \| ([^|]+) \|$", re.MULTILINE)


def files_by_layer() -> dict[str, list[str]]:
    """tests/README.md's table: each folder of the proposed layout and the files it holds today."""
    text = TESTS_README.read_text(encoding="utf-8")
    return {folder: re.findall(r"`(test_\w+)`", files) for folder, files in LAYER_ROW.findall(text)}


def test_tests_readme_places_every_test_file_in_one_layer():
    table = files_by_layer()
    assert list(table) == ["core", "learn", "show", "fast", "app", "paths", "browser", "package"]
    placed = [name for names in table.values() for name in names]
    assert len(placed) == len(set(placed)), "a test file is in two rows"
    assert sorted((ROOT / "tests").glob("test_*.py")) == [], "a test file outside the layers' folders"
    folders = {p.stem: p.parent.name for p in (ROOT / "tests").glob("*/test_*.py")}
    unplaced = sorted(set(folders) - set(placed))
    assert unplaced == [], f"tests/README.md's table does not say which layer {unplaced} belong to; add each to a row"
    assert sorted(set(placed) - set(folders)) == [], "the table lists test files that do not exist"
    elsewhere = sorted(name for layer, names in table.items() for name in names if folders[name] != layer)
    assert elsewhere == [], f"{elsewhere} sit in another folder than their row in tests/README.md"


def test_tests_readme_links_resolve():
    assert broken_links(TESTS_README) == []


def test_the_command_line_synopsis_lists_every_option():
    """README's "Command line" block names every option each command takes (its --help does too)."""
    import argparse

    from autograd_tiny.app.cli import build_parser

    text = README.read_text(encoding="utf-8")
    synopsis = text.split("## Command line", 1)[1].split("```", 2)[1]
    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    missing = []
    for name, parser in commands.choices.items():
        lines = [line for line in synopsis.splitlines() if f"autograd-tiny {name}" in line or line.startswith(" ")]
        shown = "\n".join(lines)
        for action in parser._actions:
            options = [o for o in action.option_strings if o not in ("-h", "--help")]
            if options and not any(re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", shown) for o in options):
                missing.append(f"{name} {options[-1]}")
    assert missing == []
