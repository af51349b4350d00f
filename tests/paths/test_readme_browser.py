"""README.md's "In the browser" section says what the playground does.

* the command that writes the site prints exactly the output block the section shows;
* the offline classroom's commands fit together (the site loads Pyodide from where ``cp`` puts it);
* the serve address it gives is the `serve` command's default;
* the tables of the link's keys and of the ``hide=`` names list exactly the keys and the parts
  the page knows (``KEYS`` and ``HIDEABLE`` in playground.js), in the page's order;
* the screenshot is there, a PNG at least 1024 pixels wide, and the section shows it;
* every example link (`#key=value&...`) in the section and in docs/teaching.md opens: known
  keys, known ``hide=`` names, and an expression and values the parser takes.

test_readme.py runs the README's Python blocks; these shell commands are checked here instead.
"""

from __future__ import annotations

import re
import shlex
import struct
from itertools import pairwise
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from autograd_tiny.app.cli import build_parser, main
from autograd_tiny.app.expression import build_expression, parse_values
from autograd_tiny.app.playground import ASSETS
from autograd_tiny.app.trainer import Settings
from tests.paths.test_readme import README, readme_blocks

ROOT = README.parent
SECTION_TITLE = "## In the browser"
PLAYGROUND_JS = ASSETS / "playground.js"


def section(text: str, title: str = SECTION_TITLE) -> str:
    """The part of Markdown `text` from the heading `title` to the next heading of its level.

    >>> section("# A\\n## One\\nfirst\\n## Two\\nsecond\\n", "## One")
    '## One\\nfirst\\n'
    """
    start = text.index(title + "\n")
    following = text.find("\n## ", start + len(title))
    return text[start : following + 1 if following != -1 else len(text)]


def browser_section() -> str:
    return section(README.read_text(encoding="utf-8"))


def command_lines(text: str) -> list[str]:
    """Every line of the ```bash blocks of `text` (commands joined by && split apart)."""
    lines = []
    for language, body, _ in readme_blocks(text):
        if language == "bash":
            for line in body.splitlines():
                lines += [part.strip() for part in line.split("&&") if part.strip()]
    return lines


def cli_arguments(command: str) -> list[str]:
    """The arguments of an ``autograd-tiny`` command line, as `main` takes them.

    >>> cli_arguments(".venv/bin/autograd-tiny playground site/ --pyodide pyodide/")
    ['playground', 'site/', '--pyodide', 'pyodide/']
    """
    words = shlex.split(command)
    assert words[0].endswith("autograd-tiny"), command
    return words[1:]


def the_command(subcommand: str, *, offline: bool = False) -> str:
    """The section's ``autograd-tiny SUBCOMMAND`` line: the first one, or the one with --pyodide."""
    found = [
        line
        for line in command_lines(browser_section())
        if re.search(rf"autograd-tiny {subcommand}\b", line) and ("--pyodide" in line) == offline
    ]
    assert found, f"the section shows no `autograd-tiny {subcommand}` command"
    return found[0]


def output_after(text: str, command: str) -> str:
    """The output block (```text) that follows the bash block holding `command`."""
    blocks = readme_blocks(text)
    for (language, body, _), following in pairwise(blocks):
        if language == "bash" and command in body:
            assert following[0] == "text", f"no ```text block after the block of {command!r}"
            return following[1]
    raise AssertionError(f"no bash block holds {command!r}")


def test_the_playground_command_prints_what_the_section_shows(tmp_path, monkeypatch, capsys):
    command = the_command("playground")
    arguments = cli_arguments(command)
    assert arguments == ["playground", "site/"]
    monkeypatch.chdir(tmp_path)
    assert main(arguments) == 0
    printed = capsys.readouterr().out
    assert printed == output_after(browser_section(), command)
    assert (tmp_path / "site" / "index.html").is_file()


def test_the_serve_command_and_its_address():
    arguments = cli_arguments(the_command("serve"))
    assert arguments == ["serve", "site/"]
    port = build_parser().parse_args(arguments).port
    assert f"http://127.0.0.1:{port}/" in browser_section()


def test_the_offline_site_loads_pyodide_from_where_cp_puts_it(tmp_path, monkeypatch, capsys):
    lines = command_lines(browser_section())
    arguments = cli_arguments(the_command("playground", offline=True))
    assert arguments == ["playground", "site/", "--pyodide", "pyodide/"]
    monkeypatch.chdir(tmp_path)
    assert main(arguments) == 0
    assert capsys.readouterr().out == "wrote 7 files to site/; look at it with: autograd-tiny serve site/\n"
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert '<meta name="pyodide-url" content="pyodide/">' in page
    # npm puts the package in node_modules/pyodide; cp puts it at the path --pyodide gives.
    assert "cp -r node_modules/pyodide site/pyodide" in lines
    version = re.search(r'PYODIDE_VERSION = "([\d.]+)"', (ASSETS.parent.parent / "playground.py").read_text())
    assert version is not None
    assert f"npm install pyodide@{version.group(1)}" in lines


# ------------------------------------------------------------------ the page's names


def js_array(source: str, name: str, known: dict[str, list[str]]) -> list[str]:
    """The strings of the JavaScript constant array `name`, with ``...OTHER`` spread from `known`.

    >>> js_array('const A = ["x", "y"];\\nconst B = ["w", ...A, "z"];', "B", {"A": ["x", "y"]})
    ['w', 'x', 'y', 'z']
    """
    match = re.search(rf"^const {name} = \[(.*?)\];", source, re.MULTILINE | re.DOTALL)
    assert match, f"playground.js has no `const {name} = [...]`"
    items = []
    for item in (part.strip() for part in match.group(1).split(",")):
        if item.startswith("..."):
            items += known[item[3:]]
        else:
            assert re.fullmatch(r'"\w+"', item), f"{name}: {item!r} is neither a name nor a spread"
            items.append(item.strip('"'))
    return items


def js_object_keys(source: str, name: str) -> list[str]:
    """The keys of the JavaScript constant object `name` (one ``key: value`` per line).

    >>> js_object_keys('const H = {\\n  a: ["x"], // why\\n  b: [],\\n};', "H")
    ['a', 'b']
    """
    match = re.search(rf"^const {name} = \{{\n(.*?)^\}};", source, re.MULTILINE | re.DOTALL)
    assert match, f"playground.js has no `const {name} = {{...}}`"
    return re.findall(r"^\s*(\w+):", match.group(1), re.MULTILINE)


def page_keys() -> list[str]:
    source = PLAYGROUND_JS.read_text(encoding="utf-8")
    return js_array(source, "KEYS", {"TRAINING_KEYS": js_array(source, "TRAINING_KEYS", {})})


def page_hideable() -> list[str]:
    return js_object_keys(PLAYGROUND_JS.read_text(encoding="utf-8"), "HIDEABLE")


def table_first_column(text: str, header: str) -> list[str]:
    """The first column's names (in backquotes) of the Markdown table whose header starts `header`."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    names = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cell = line.split("|")[1].strip()
        assert re.fullmatch(r"`\w+`", cell), f"a row's first cell is not a `name`: {line!r}"
        names.append(cell.strip("`"))
    return names


def test_the_page_s_names_are_read_from_playground_js():
    # What the parsers find in the page now: if the page changes, the README's tables must too.
    assert page_keys()[:4] == ["expr", "values", "mode", "dataset"]
    assert len(page_keys()) == 15 and page_keys()[-1] == "hide"
    assert page_hideable()[:2] == ["expression", "grads"]
    assert page_hideable()[-1] == "link"


def test_the_table_of_link_keys_is_the_page_s_keys():
    assert table_first_column(browser_section(), "| key |") == page_keys()


def test_the_table_of_hide_names_is_the_page_s_hideable_parts():
    assert table_first_column(browser_section(), "| `hide=` name |") == page_hideable()


@pytest.mark.parametrize(
    "source, problem",
    [
        ('const KEYS = ["expr", values];', "neither a name nor a spread"),
        ('const KEYZ = ["expr"];', "no `const KEYS"),
    ],
)
def test_the_js_parser_refuses_what_it_cannot_read(source, problem):
    with pytest.raises(AssertionError, match=problem):
        js_array(source, "KEYS", {})


# ------------------------------------------------------------------ example links

TEACHING = ROOT / "docs" / "teaching.md"


def example_links(text: str) -> list[str]:
    """The example hashes of Markdown `text`: code spans that start with ``#`` and hold a ``=``.

    >>> example_links("open `#mode=quiz&hide=step` or `#notalink`")
    ['mode=quiz&hide=step']
    """
    return [link for link in re.findall(r"`#([^`\s]+)`", text) if "=" in link]


def check_link(hash_: str) -> dict[str, str]:
    """The state of a link's hash, read as the page reads it (URLSearchParams), checked as the
    page checks it: each key known and given once, the hide names known, the expression, its
    values and the training settings accepted by the package."""
    pairs = parse_qsl(hash_, keep_blank_values=True)
    state = dict(pairs)
    assert len(state) == len(pairs), f"a key is given twice in {hash_!r}"
    assert set(state) <= set(page_keys()), f"unknown keys {set(state) - set(page_keys())} in {hash_!r}"
    assert set(filter(None, state.get("hide", "").split(","))) <= set(page_hideable()), hash_
    assert state.get("mode", "type") in ("type", "step", "quiz", "train"), hash_
    if "expr" in state:
        build_expression(state["expr"], parse_values(state.get("values", "").replace(",", " ").split()))
    Settings.from_text({key: state[key] for key in Settings.KEYS if key in state})
    return state


@pytest.mark.parametrize("page", [README, TEACHING], ids=lambda p: p.name)
def test_every_example_link_opens(page):
    text = (
        browser_section() if page == README else section(page.read_text(encoding="utf-8"), "## The playground in class")
    )
    links = example_links(text)
    assert len(links) >= (1 if page == README else 3)
    for link in links:
        check_link(link)


def test_the_exercise_links_hold_what_the_guide_says():
    links = [check_link(link) for link in example_links(TEACHING.read_text(encoding="utf-8"))]
    by_hide = {state.get("hide"): state for state in links}
    assert by_hide["grads,step,quiz"]["expr"] == "(a*b+c)*f"
    assert by_hide["grads,step,quiz"]["values"] == "a=2 b=-3 c=10 f=-2"
    assert by_hide["settings"]["mode"] == "train"
    assert by_hide["expression,draw,step"]["mode"] == "quiz"


def test_a_plus_written_as_plus_is_a_space_in_a_link():
    # What the guide warns about: URLSearchParams reads + as a space, so a+b must be a%2Bb.
    assert check_link("expr=a%2Bb&values=a=1,b=2")["expr"] == "a+b"
    with pytest.raises(ValueError, match="syntax error"):
        check_link("expr=a+b&values=a=1,b=2")


# ------------------------------------------------------------------ the screenshot

SCREENSHOT = "docs/images/playground.png"


def png_size(data: bytes) -> tuple[int, int]:
    """A PNG's width and height, from its header (the IHDR chunk comes first)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_the_screenshot_is_a_wide_png_the_section_shows():
    assert re.search(rf"!\[[^\]]+\]\({re.escape(SCREENSHOT)}\)", browser_section())
    width, height = png_size((ROOT / SCREENSHOT).read_bytes())
    assert width >= 1024 and height >= 600, (width, height)


def test_png_size_refuses_other_files(tmp_path):
    with pytest.raises(AssertionError, match="not a PNG"):
        png_size(Path(__file__).read_bytes())
