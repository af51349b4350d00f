"""The stepper page's markup, style and script are package data (autograd_tiny/show/assets/).

They are read with importlib.resources, so the page is built the same wherever the package is
imported from: a folder, an installed wheel, a zip file (and Pyodide). The page stays one
self-contained file: the style and the script are inlined, nothing is loaded.
"""

from __future__ import annotations

import fnmatch
import os
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import pytest

from autograd_tiny import Value
from autograd_tiny.show.explain import explain
from autograd_tiny.show.stepper import ASSETS, MIN_LABEL_PX, WINDOW_MAX_SCALE, page_template, read_asset, stepper_html

ROOT = Path(__file__).resolve().parents[2]


def square():
    a = Value(-3.0, label="a")
    b = a * a + a
    b.label = "b"
    return b


def test_assets_are_found_from_the_installed_package():
    folder = resources.files("autograd_tiny.show").joinpath("assets")
    assert sorted(entry.name for entry in folder.iterdir()) == sorted(ASSETS)
    for name in ASSETS:
        assert folder.joinpath(name).is_file()
        assert read_asset(name) == folder.joinpath(name).read_text(encoding="utf-8")
    assert read_asset("stepper.html").startswith("<!DOCTYPE html>")


def test_only_the_pages_own_assets_are_read():
    with pytest.raises(
        ValueError,
        match=r"the stepper page has no asset '\.\./text\.py'; its assets are stepper\.html, stepper\.css, page\.js, stepper\.js, neurons\.js",
    ):
        read_asset("../text.py")


def test_the_page_inlines_its_style_and_script():
    page = stepper_html(explain(square()))
    style, script = read_asset("stepper.css"), read_asset("page.js") + read_asset("stepper.js")
    assert f"<style>\n{style}</style>" in page
    filled = script.replace("__MAX_SCALE__", repr(WINDOW_MAX_SCALE)).replace("__MIN_LABEL_PX__", repr(MIN_LABEL_PX))
    assert f"<script>\n{filled}</script>" in page
    assert page.count("<style>") == 1 and page.count("<script>") == 1  # and the JSON data's <script id=...>
    assert page.endswith("</body>\n</html>\n")
    for placeholder in (
        "__STYLE__",
        "__SCRIPT__",
        "__TITLE__",
        "__SVG__",
        "__DATA__",
        "__MODE__",
        "__LEVEL__",
        "__MAX_SCALE__",
        "__MIN_LABEL_PX__",
    ):
        assert placeholder not in page
    # The template keeps the page's placeholders for stepper_html, and only those.
    template = page_template()
    assert style in template and script in template
    assert sorted(set(part.split("__")[0] for part in template.split("__")[1::2])) == sorted(
        ["DATA", "LEVEL", "MAX_SCALE", "MIN_LABEL_PX", "MODE", "SVG", "TITLE"]
    )


def test_the_page_is_built_the_same_from_a_zip_import(tmp_path):
    # A zip import has no folder to read files from: only importlib.resources finds the assets.
    archive = tmp_path / "autograd_tiny.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted((ROOT / "autograd_tiny").rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                z.write(path, path.relative_to(ROOT).as_posix())
    program = (
        "import sys, autograd_tiny\n"
        "assert autograd_tiny.__file__.startswith(sys.argv[1]), autograd_tiny.__file__\n"
        "from tests.show.test_stepper_assets import square\n"
        "from autograd_tiny.show.explain import explain\n"
        "from autograd_tiny.show.stepper import stepper_html\n"
        "sys.stdout.write(stepper_html(explain(square()), quiz=True))\n"
    )
    # The zip first on the path; the repository after it only for this test module (tests/).
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(archive), str(ROOT)])}
    result = subprocess.run(
        [sys.executable, "-c", program, str(archive)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        encoding="utf-8",
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == stepper_html(explain(square()), quiz=True)


def test_the_wheel_ships_the_assets():
    # Hatch puts every file under the listed packages into the wheel, except what .gitignore
    # or an exclude names: the assets sit under autograd_tiny/ and nothing excludes them.
    # (Checked by hand too: `pip wheel --no-deps .` lists autograd_tiny/show/assets/stepper.*)
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wheel = config["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["packages"] == ["autograd_tiny"]
    assert not {"exclude", "only-include", "include", "sources", "force-include"} & set(wheel)
    assert "exclude" not in config["tool"]["hatch"]["build"]
    ignored = [
        line.strip().rstrip("/")
        for line in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for name in ASSETS:
        path = Path("autograd_tiny", "show", "assets", name)
        assert (ROOT / path).is_file()
        for pattern in ignored:
            assert not any(fnmatch.fnmatch(part, pattern) for part in path.parts), (path, pattern)
            assert not fnmatch.fnmatch(path.as_posix(), pattern), (path, pattern)
