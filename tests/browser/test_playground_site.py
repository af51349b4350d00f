"""`autograd-tiny playground DIR` and `serve DIR`: the static site, its wheels and its errors.

These need no browser: the page itself is checked in Chromium by test_playground_page.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import urllib.request
import zipfile
from pathlib import Path

import graphviz
import pytest

from autograd_tiny import explain
from autograd_tiny.app import playground
from autograd_tiny.app.cli import main
from autograd_tiny.app.expression import build_expression
from autograd_tiny.show.render import Graph
from autograd_tiny.show.stepper import stepper_html

SITE_FILES = [
    "autograd_tiny-0.1.0-py3-none-any.whl",
    "graphviz-0.21-py3-none-any.whl",
    "index.html",
    "playground.css",
    "playground.js",
    "viz-LICENSE.txt",
    "viz-global.js",
]


def test_the_command_writes_the_site(tmp_path, capsys):
    site = tmp_path / "site"
    assert main(["playground", str(site), "--pyodide", "pyodide"]) == 0
    assert sorted(p.name for p in site.iterdir()) == SITE_FILES
    assert capsys.readouterr().out == f"wrote 7 files to {site}; look at it with: autograd-tiny serve {site}\n"
    page = (site / "index.html").read_text()
    assert '<meta name="pyodide-url" content="pyodide/">' in page
    assert f'<meta name="wheels" content="{SITE_FILES[0]} {SITE_FILES[1]}">' in page
    # The vendored Graphviz is the pinned npm build, with its licence beside it.
    assert (site / "viz-global.js").read_text()[:40].startswith("/*!\nViz.js 3.31.0")
    assert "Copyright (c) 2014-2016 Michael Daines" in (site / "viz-LICENSE.txt").read_text()


def test_the_default_is_the_official_pyodide_of_the_pinned_version(tmp_path):
    root = Path(__file__).resolve().parents[2]
    pinned = json.loads((root / "browser" / "package.json").read_text())["dependencies"]["pyodide"]
    assert playground.PYODIDE_CDN == f"https://cdn.jsdelivr.net/pyodide/v{pinned}/full/"
    playground.write_site(tmp_path)
    assert f'content="{playground.PYODIDE_CDN}"' in (tmp_path / "index.html").read_text()


def test_the_wheels_are_valid_and_hold_the_package(tmp_path):
    (own, own_bytes), (drawing, drawing_bytes) = playground.wheels()
    for name, data in [(own, own_bytes), (drawing, drawing_bytes)]:
        (tmp_path / name).write_bytes(data)
        with zipfile.ZipFile(tmp_path / name) as archive:
            names = archive.namelist()
            info = name.split("-py3")[0] + ".dist-info"
            record = archive.read(f"{info}/RECORD").decode().splitlines()
            # Every file's hash is in RECORD, as pip checks it.
            for line in record[:-1]:
                path, digest, size = line.rsplit(",", 2)
                data_of = archive.read(path)
                expected = base64.urlsafe_b64encode(hashlib.sha256(data_of).digest()).rstrip(b"=").decode()
                assert (digest, int(size)) == (f"sha256={expected}", len(data_of))
            assert record[-1] == f"{info}/RECORD,,"
            assert f"{info}/WHEEL" in names and f"{info}/METADATA" in names
            assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    with zipfile.ZipFile(tmp_path / own) as archive:
        names = archive.namelist()
    assert "autograd_tiny/app/playground.py" in names and "autograd_tiny/show/assets/stepper.js" in names
    assert not [n for n in names if "assets/playground" in n]  # the site's own files are beside it, not in it
    with zipfile.ZipFile(tmp_path / drawing) as archive:
        assert "graphviz/__init__.py" in archive.namelist()


def test_the_same_files_give_the_same_wheel():
    assert playground.wheels() == playground.wheels()


def test_a_file_in_place_of_the_folder_is_refused(tmp_path, capsys):
    target = tmp_path / "site"
    target.write_text("not a folder")
    assert main(["playground", str(target)]) == 2
    assert capsys.readouterr().err == (
        f"autograd-tiny: error: '{target}' is a file; give a folder for the site (it is made if missing)\n"
    )
    assert target.read_text() == "not a folder"


@pytest.mark.parametrize(
    "url, problem",
    [
        ("javascript:alert(1)", "not with the scheme 'javascript'"),
        ("file:///srv/pyodide/", "not with the scheme 'file'"),
        ("data:text/javascript,1", "not with the scheme 'data'"),
    ],
)
def test_only_http_or_a_relative_path_may_serve_pyodide(tmp_path, capsys, url, problem):
    assert main(["playground", str(tmp_path / "site"), "--pyodide", url]) == 2
    assert capsys.readouterr().err == (
        f"autograd-tiny: error: --pyodide {url!r}: the page loads Pyodide only over http(s) or from a relative "
        f"path (e.g. pyodide/ beside index.html), {problem}\n"
    )
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("url", ['x" onload="alert(1)', "pyodide/<script>", "py odide/", "a\\b"])
def test_a_url_that_could_break_out_of_the_page_is_refused(url):
    with pytest.raises(ValueError, match=r"give a URL without spaces, quotes, < > or backslashes"):
        playground.check_pyodide_url(url)


@pytest.mark.parametrize(
    "url, used",
    [
        ("https://cdn.example.org/pyodide/v1/full", "https://cdn.example.org/pyodide/v1/full/"),
        ("http://127.0.0.1:8000/pyodide/", "http://127.0.0.1:8000/pyodide/"),
        ("../node_modules/pyodide", "../node_modules/pyodide/"),
        ("/pyodide/", "/pyodide/"),
    ],
)
def test_http_and_relative_urls_are_kept(url, used):
    assert playground.check_pyodide_url(url) == used


def test_serve_listens_on_localhost_only_and_serves_the_site(tmp_path):
    playground.write_site(tmp_path, "pyodide/")
    server = playground.make_server(tmp_path, 0)
    try:
        assert server.server_address[0] == "127.0.0.1"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        address = f"http://127.0.0.1:{server.server_address[1]}/"
        with urllib.request.urlopen(address + "index.html") as response:
            assert response.read() == (tmp_path / "index.html").read_bytes()
        with urllib.request.urlopen(address + "playground.js") as response:
            assert response.headers["Content-Type"] == "text/javascript"
    finally:
        server.shutdown()
        server.server_close()


def test_serve_refuses_a_missing_folder_and_a_bad_port(tmp_path, capsys):
    assert main(["serve", str(tmp_path / "nothing")]) == 2
    assert capsys.readouterr().err == (
        f"autograd-tiny: error: '{tmp_path / 'nothing'}' is not a folder; write a site first: "
        f"autograd-tiny playground {tmp_path / 'nothing'}\n"
    )
    assert main(["serve", str(tmp_path), "--port", "70000"]) == 2
    assert capsys.readouterr().err == (
        "autograd-tiny: error: --port 70000: choose a port from 1 to 65535 (0: any free port)\n"
    )


def test_the_page_shows_an_error_as_the_command_does(capsys):
    """The same message, column and caret as `autograd-tiny graph` prints."""
    assert main(["graph", "a * * b", "a=2", "b=3"]) == 2
    printed = capsys.readouterr().err
    shown = json.loads(playground.graph_of("a * * b", "a=2 b=3"))
    assert printed == f"autograd-tiny: {shown['error']}\n{shown['caret']}\n"
    assert shown == {"error": "error: syntax error: invalid syntax (column 5)", "caret": "  a * * b\n      ^"}


def test_the_stepper_page_takes_its_drawing_from_the_renderer_given():
    """Step: the page save_html writes, with the SVG from the function passed in (in the page, viz)."""
    drawn = []

    def render(dot: str) -> str:
        drawn.append(dot)
        return Graph(graphviz.Source(dot)).svg()

    page = json.loads(playground.stepper_of("a*b + b", "a=3 b=-2", render))["page"]
    root = build_expression("a*b + b", {"a": 3, "b": -2})
    root.backward()
    assert page == stepper_html(explain(root))
    assert len(drawn) == 2  # both directions, as the stepper chooses the one that fits
    assert json.loads(playground.stepper_of("a*", "a=1", render)) == {
        "error": "error: syntax error: the expression ends too early (column 3)",
        "caret": "  a*\n    ^",
    }


def test_the_serve_command_says_where_it_serves(tmp_path):
    """`autograd-tiny serve DIR --port 0`: one line with the 127.0.0.1 address, then it serves."""
    playground.write_site(tmp_path, "pyodide/")
    command = [
        sys.executable,
        "-c",
        "import sys; from autograd_tiny.app.cli import main; sys.exit(main())",
        "serve",
        str(tmp_path),
        "--port",
        "0",
    ]
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=root, env=env) as server:
        try:
            line = server.stdout.readline()
            assert re.fullmatch(
                rf"serving {re.escape(str(tmp_path))} at http://127\.0\.0\.1:\d+/ \(Ctrl-C stops it\)\n", line
            )
            with urllib.request.urlopen(line.split(" at ")[1].split(" ")[0] + "index.html") as response:
                assert response.read() == (tmp_path / "index.html").read_bytes()
        finally:
            server.terminate()


def test_the_vendored_graphviz_is_the_pinned_npm_build():
    """viz-global.js is @viz-js/viz's file, unchanged, at the version browser/package.json pins."""
    npm = Path(__file__).resolve().parents[2] / "browser"
    pinned = json.loads((npm / "package.json").read_text())["dependencies"]["@viz-js/viz"]
    vendored = (playground.ASSETS / "viz-global.js").read_bytes()
    assert vendored.startswith(f"/*!\nViz.js {pinned}\n".encode())
    assert f"@viz-js/viz {pinned}" in (playground.ASSETS / "viz-LICENSE.txt").read_text()
    installed = npm / "node_modules" / "@viz-js" / "viz" / "dist" / "viz-global.js"
    if not installed.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must compare the vendored file, but {installed} is missing: run `npm ci` in {npm}")
        pytest.skip(f"@viz-js/viz is not installed: run `npm ci` in {npm}")
    assert vendored == installed.read_bytes()


def test_the_type_panels_numbers_are_text_that_json_can_carry_even_inf_and_nan():
    """JSON has no inf or nan: a graph whose numbers overflow must still reach the page (as text)."""
    strict = {"parse_constant": lambda name: pytest.fail(f"graph_of wrote the non-JSON constant {name}")}
    shown = json.loads(playground.graph_of("a*b", "a=1e308 b=10"), **strict)
    assert shown["output"]["data"] == "inf" and shown["values"][0]["data"] == "1e+308"
    shown = json.loads(playground.graph_of("a*b - c", "a=0.5 b=-3 c=1"), **strict)
    assert [row["grad"] for row in shown["values"]] == ["−3.0", "0.5", "−1.0"]
    assert shown["output"] == {"data": "−2.5", "grad": "1.0"}


def test_the_page_script_never_writes_html_or_runs_text_as_code():
    """What a hostile link could reach: the script writes text only with textContent, and runs no
    text as code (the stepper page it puts in its sandboxed frame is Python's `stepper_html`)."""
    script = (playground.ASSETS / "playground.js").read_text(encoding="utf-8")
    code = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith(("//", "*", "/**")))
    for banned in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "Function(",
        "javascript:",
    ):
        assert banned not in code, banned
    # setTimeout is given functions, never text to evaluate
    assert sorted(re.findall(r"setTimeout\(([^,]+),", code)) == ["resolve", "tick", "tick"]
    assert re.findall(r"\.srcdoc = (.+);", code) == ["result.page"]
    assert "runPython(" in code and code.count("runPython(") == 1  # only the site-packages lookup
