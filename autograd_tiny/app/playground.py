"""The browser playground: a static site where the package runs in each learner's browser.

``autograd-tiny playground DIR`` writes the site (`write_site`): a page, its script and style,
a WebAssembly Graphviz (``@viz-js/viz``, vendored with its licence) and two wheels, this
package's and the ``graphviz`` package's (which writes ``draw_dot``'s DOT). The page loads
Pyodide (CPython compiled to WebAssembly) from ``--pyodide URL``, unpacks the wheels into it and
calls the functions at the end of this module (`graph_of` for Type, `stepper_of` for Step
and Quiz, a `TrainingPage` for Train): the computing happens in the browser, so any static
host serves a class of any size.
``autograd-tiny serve DIR`` serves such a folder on 127.0.0.1 for a quick look (`make_server`).

The page reads its state from the URL's hash, which is hostile input: it goes to the safe
parser (`autograd_tiny.app.expression`, never eval), and the page writes text only with
``textContent``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import http.server
import importlib.metadata
import io
import json
import math
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import graphviz

from ..core.graph import topological_order
from ..learn.files import write_atomically
from ..show.explain import explain
from ..show.render import draw_dot
from ..show.stepper import stepper_html
from .expression import ExpressionError, build_expression, parse_values
from .trainer import Settings, Trainer, check_step_count

# Where the page loads Pyodide from unless told otherwise: the official distribution of the
# version the tests pin (browser/package.json).
PYODIDE_VERSION = "314.0.8"
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
ASSETS = Path(__file__).with_name("assets") / "playground"
# The site's files copied as they are; index.html is filled in (`index_html`).
STATIC = ("playground.js", "playground.css", "viz-global.js", "viz-LICENSE.txt")
PACKAGE = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------------------
# Writing the site
# --------------------------------------------------------------------------------------


def check_pyodide_url(url: str) -> str:
    """`url` as the page uses it (ending in ``/``) if it is http(s) or a relative path.

    >>> check_pyodide_url("pyodide")
    'pyodide/'
    >>> check_pyodide_url("https://example.org/pyodide/v1/full/")
    'https://example.org/pyodide/v1/full/'
    >>> check_pyodide_url("javascript:alert(1)")
    Traceback (most recent call last):
    ...
    ValueError: --pyodide 'javascript:alert(1)': the page loads Pyodide only over http(s) or from a relative path (e.g. pyodide/ beside index.html), not with the scheme 'javascript'
    """
    if not url or any(c.isspace() or not c.isprintable() or c in "\"'<>\\" for c in url):
        raise ValueError(
            f"--pyodide {url!r}: give a URL without spaces, quotes, < > or backslashes, e.g. {PYODIDE_CDN} or pyodide/"
        )
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("", "http", "https"):
        raise ValueError(
            f"--pyodide {url!r}: the page loads Pyodide only over http(s) or from a relative path "
            f"(e.g. pyodide/ beside index.html), not with the scheme {scheme!r}"
        )
    return url if url.endswith("/") else url + "/"


def _wheel(name: str, version: str, folder: Path, skip: Callable[[Path], bool]) -> tuple[str, bytes]:
    """A pure-Python wheel (file name, bytes) of the package in `folder`, made with zipfile.

    A wheel is a zip of the importable folder plus a ``.dist-info`` folder: METADATA, WHEEL
    and RECORD (each file's sha256, as pip checks). The zip's times are fixed, so the same
    files give the same bytes.
    """
    files: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc" and not skip(path):
            files[f"{folder.name}/{path.relative_to(folder).as_posix()}"] = path.read_bytes()
    info = f"{name}-{version}.dist-info"
    files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()
    files[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: autograd_tiny.app.playground\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = []
    for member, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{member},sha256={digest},{len(data)}")
    files[f"{info}/RECORD"] = ("\n".join(record + [f"{info}/RECORD,,"]) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in files.items():
            archive.writestr(zipfile.ZipInfo(member, date_time=(2020, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return f"{name}-{version}-py3-none-any.whl", buffer.getvalue()


def wheels() -> list[tuple[str, bytes]]:
    """The wheels the page unpacks into Pyodide: this package's (without the site's own
    files) and graphviz's, both made from the installed files."""
    own = _wheel("autograd_tiny", _version("autograd_tiny"), PACKAGE, lambda path: ASSETS in path.parents)
    drawing = _wheel("graphviz", _version("graphviz"), Path(graphviz.__file__).parent, lambda path: False)
    return [own, drawing]


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "0"  # run from a source tree that was never installed


def index_html(pyodide_url: str, wheel_names: list[str]) -> str:
    """The page, with where to load Pyodide from and the wheels to unpack, escaped."""
    template = (ASSETS / "index.html").read_text(encoding="utf-8")
    parts = {"PYODIDE": html.escape(pyodide_url), "WHEELS": html.escape(" ".join(wheel_names))}
    return re.sub(r"__(PYODIDE|WHEELS)__", lambda m: parts[m.group(1)], template)


def write_site(folder: str | os.PathLike, pyodide_url: str = PYODIDE_CDN) -> list[Path]:
    """Write the playground's static site into `folder` (made if missing); return its files.

    Each file is written atomically (`autograd_tiny.learn.files.write_atomically`): a student
    loading the page while it is rewritten gets the old file or the new one, never half.

    Args:
        folder: the site's folder; files of the same names are replaced, others are left.
        pyodide_url: where the page loads Pyodide from: http(s), or a path relative to the page.
    """
    url = check_pyodide_url(pyodide_url)
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise ValueError(f"{str(target)!r} is a file; give a folder for the site (it is made if missing)")
    target.mkdir(parents=True, exist_ok=True)
    built = wheels()
    contents = {name: (ASSETS / name).read_bytes() for name in STATIC}
    contents.update(dict(built))
    contents["index.html"] = index_html(url, [name for name, _ in built]).encode()
    written = []
    for name, data in contents.items():
        write_atomically(target / name, data)
        written.append(target / name)
    return written


# The types a page needs that Python's mimetypes may not know (it depends on the system).
SERVED_TYPES = {".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript"}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder, with the types Pyodide needs (WebAssembly streams only as application/wasm)."""

    def guess_type(self, path: str | os.PathLike) -> str:
        return SERVED_TYPES.get(Path(path).suffix, super().guess_type(path))

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a page load is ~20 requests; the command prints its address instead


def make_server(folder: str | os.PathLike, port: int = 8000) -> http.server.ThreadingHTTPServer:
    """A server of `folder` on 127.0.0.1 only (never every interface); port 0 picks a free one."""
    if not Path(folder).is_dir():
        raise ValueError(f"{str(folder)!r} is not a folder; write a site first: autograd-tiny playground {folder}")
    if not 0 <= port <= 65535:
        raise ValueError(f"--port {port}: choose a port from 1 to 65535 (0: any free port)")
    handler = functools.partial(_QuietHandler, directory=str(folder))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


# --------------------------------------------------------------------------------------
# What the page calls (under Pyodide)
# --------------------------------------------------------------------------------------


def error_caret(text: str, column: int | None) -> str:
    """The expression and a caret under `column`, as the command prints them under an error.

    Empty where a caret would point elsewhere (tabs or control characters, a column outside).

    >>> print(error_caret("a * * b", 5))
      a * * b
          ^
    """
    shown = text.strip()
    if column is None or not shown.isprintable() or not 1 <= column <= len(shown) + 1:
        return ""
    return f"  {shown}\n  {' ' * (column - 1)}^"


def _built(expression: str, values: str):
    """The expression's root after backward(), from the page's two fields."""
    root = build_expression(expression, parse_values(values.replace(",", " ").split()))
    root.backward()
    return root


def _error(expression: str, error: Exception) -> dict:
    """An error as the page shows it: the command's message and, for syntax, the caret."""
    caret = ""
    if isinstance(error, ExpressionError) and str(error).startswith("syntax error"):
        caret = error_caret(expression, error.column)
    return {"error": f"error: {error}", "caret": caret}


def graph_of(expression: str, values: str, show_grad: bool = True) -> str:
    """JSON for the page's Type panel: the DOT of the graph after backward(), or the error.

    `values` is the text of the values field: ``NAME=NUMBER`` words (spaces or commas).
    With `show_grad` False (a teacher's link hides the gradients: they are the answers) the
    drawing and the numbers hold no gradient.

    Numbers travel as text, each float's shortest exact digits (Python's repr) with the
    minus sign −, so inf and nan reach the page too (JSON has no number for them).

    >>> result = json.loads(graph_of("a*b", "a=2 b=-3"))
    >>> result["values"]
    [{'name': 'a', 'data': '2.0', 'grad': '−3.0'}, {'name': 'b', 'data': '−3.0', 'grad': '2.0'}]
    >>> json.loads(graph_of("a*", "a=2"))["error"]
    'error: syntax error: the expression ends too early (column 3)'
    """
    try:
        root = _built(expression, values)
    except (ValueError, TypeError, ZeroDivisionError, OverflowError) as error:
        return json.dumps(_error(expression, error))
    drawing = draw_dot(root, show_grad=bool(show_grad))
    inputs = sorted((node for node in topological_order(root) if not node.parents and node.label), key=_label)
    rows = [{"name": node.label, **_numbers(node, show_grad)} for node in inputs]
    output = _numbers(root, show_grad)
    return json.dumps({"dot": drawing.source, "values": rows, "output": output}, allow_nan=False)


def _numbers(node, show_grad: bool) -> dict:
    """A value's data and (unless hidden) grad, as the page's table writes them."""
    numbers = {"data": _shown(node.data)}
    if show_grad:
        numbers["grad"] = _shown(node.grad)
    return numbers


def _label(node) -> str:
    return node.label


def _shown(x: float) -> str:
    """A float as the page's table writes it: exact (repr), with a leading minus sign −."""
    text = repr(float(x))
    return "\u2212" + text[1:] if text.startswith("-") else text


def stepper_of(expression: str, values: str, render_svg: Callable[[str], str], quiz: bool = False) -> str:
    """JSON for the Step and Quiz panels: the stepper page (as ``save_html`` writes it), or the error.

    `render_svg` turns DOT into SVG: in the page, the WebAssembly Graphviz. `quiz`: the page
    asks for each step's contribution and names the slip behind a wrong answer (as
    ``save_html(quiz=True)``).
    """
    try:
        root = _built(expression, values)
        return json.dumps({"page": stepper_html(explain(root), quiz=bool(quiz), render=render_svg)})
    except (ValueError, TypeError, ZeroDivisionError, OverflowError) as error:
        return json.dumps(_error(expression, error))


class TrainingPage:
    """The Train panel's Python: one `Trainer` at a time, every answer JSON for the page.

    Each method returns ``{"error": message}`` instead of raising, so the page shows the
    message as it is (a Python exception would reach the page as a whole traceback).
    Numbers travel as JSON numbers (Python's repr: exact), a non-finite one as null.

    >>> page = TrainingPage()
    >>> started = json.loads(page.start(json.dumps({"dataset": "xor", "net": "4", "seed": "1"})))
    >>> started["neurons"][-1], len(started["points"])
    ('L2.N1', 100)
    >>> steps = json.loads(page.steps(2))
    >>> steps["steps"], len(steps["losses"])
    (2, 2)
    >>> json.loads(page.start(json.dumps({"dataset": "<b>"})))["error"]
    "error: dataset: choose one of moons, circles, xor, spirals; got '<b>'"
    """

    def __init__(self) -> None:
        self.trainer: Trainer | None = None

    def start(self, fields: str) -> str:
        """A new run from the settings' text (JSON of `Settings.KEYS`): its data, bounds and neurons.

        A refused start keeps the run that was going."""
        try:
            trainer = Trainer(Settings.from_text(_text_fields(fields)))
        except ValueError as error:
            return _error_json(error)
        self.trainer = trainer
        return json.dumps(
            {
                "settings": trainer.settings.as_text(),
                "points": [[x, y, label] for (x, y), label in zip(trainer.X, trainer.y)],
                "bounds": list(trainer.bounds),
                "neurons": trainer.neuron_names(),
            },
            allow_nan=False,  # the datasets' points and their bounds are finite
        )

    @staticmethod
    def link_points(text: str) -> str:
        """A link's added points (`parse_points`) as JSON ``[[x, y, class, step], ...]``, or the error."""
        try:
            if not isinstance(text, str):
                raise ValueError("the link's added points are not text")
            return json.dumps({"points": [list(point) for point in parse_points(text)]}, allow_nan=False)
        except ValueError as error:
            return _error_json(error)

    def _current(self) -> Trainer:
        if self.trainer is None:
            raise ValueError("no training run: press Reset to start one")
        return self.trainer

    def steps(self, count: int) -> str:
        """Take `count` steps: their losses, the steps taken so far, the accuracy.

        A run that diverges answers an error: the first step whose loss is not finite, or
        the step the optimizer refused (a nan gradient)."""
        try:
            trainer = self._current()
            count = check_step_count(_whole_number(count, "steps"))
            before = trainer.steps
        except ValueError as error:
            return _error_json(error)
        try:
            losses = trainer.step(count)
        except (ValueError, OverflowError, ZeroDivisionError) as error:
            return json.dumps(
                {"error": f"error: training stopped at step {trainer.steps + 1}: {error}; press Reset to start again"}
            )
        for k, loss in enumerate(losses, before + 1):
            if not math.isfinite(loss):
                return json.dumps(
                    {
                        "error": f"error: the loss is {loss} at step {k}: training diverged; "
                        "lower the learning rate and press Reset"
                    }
                )
        return json.dumps({"losses": losses, "steps": trainer.steps, "accuracy": trainer.accuracy}, allow_nan=False)

    def boundary(self, size: int) -> str:
        """The model's scores over a `size` × `size` grid of the plot (rows from the top), from
        2 × 2 to 100 × 100; a score that is not finite (a diverged run) is null."""
        try:
            scores = self._current().grid_scores(max(2, min(_whole_number(size, "boundary"), 100)))
        except ValueError as error:
            return _error_json(error)
        return json.dumps([_finite(score) for score in scores], allow_nan=False)

    def add(self, x: float, y: float, label: int) -> str:
        """Add a point where the learner clicked: its index, or why not."""
        try:
            trainer = self._current()
            point = _number(x, "the point's x"), _number(y, "the point's y")
            return json.dumps({"index": trainer.add_point(*point, _whole_number(label, "the point's class"))})
        except ValueError as error:
            return _error_json(error)

    def neuron(self, index: int, name: str) -> str:
        """Neuron `name` on point `index`: its graph's DOT, its δ view, the point and its loss
        (null if not finite: a diverged run)."""
        try:
            trainer = self._current()
            index = _whole_number(index, "the point's number")
            dot, text = trainer.neuron_view(index, str(name))
            loss = trainer.sample_loss(index).data
        except ValueError as error:
            return _error_json(error)
        (x, y), label = trainer.X[index], trainer.y[index]
        answer = {"dot": dot, "text": text, "point": [x, y, label], "loss": _finite(loss), "steps": trainer.steps}
        return json.dumps(answer, allow_nan=False)


def _error_json(error: Exception) -> str:
    return json.dumps({"error": f"error: {error}"})


def _finite(x: float) -> float | None:
    """`x`, or None (JSON's null) where JSON has no number for it (inf, nan)."""
    return x if math.isfinite(x) else None


def _whole_number(value: object, what: str) -> int:
    """A whole number the page sent: JavaScript's numbers arrive as int, or float (2.0)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ValueError(f"{what}: the page sent {value!r:.40}, not a whole number")


def _number(value: object, what: str) -> float:
    """A number the page sent (int or float)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{what}: the page sent {value!r:.40}, not a number")
    return float(value)


def _text_fields(fields: str) -> dict[str, str]:
    """The settings' JSON as a dict of text, or the error that says what the page sent."""
    try:
        parsed = json.loads(fields)
    except (ValueError, TypeError):  # TypeError: not text at all (None from JavaScript's undefined)
        raise ValueError("the training settings are not JSON") from None
    if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
        raise ValueError("the training settings must be text by name")
    return parsed


# At most this many added points in a link (the plot holds trainer.MAX_POINTS in all).
MAX_LINK_POINTS = 300


def parse_points(text: str) -> list[tuple[float, float, int, int]]:
    """A link's added points: ``x,y,class,step`` separated by ``;``, in the order they were added.

    `step` is the training step at which the learner added the point (a link replays the run:
    a point added at step 40 must join at step 40 for the same losses); without it, 0.

    >>> parse_points("0.5,-1,1,0;2,0.25,-1,40")
    [(0.5, -1.0, 1, 0), (2.0, 0.25, -1, 40)]
    >>> parse_points("1,2")
    Traceback (most recent call last):
    ...
    ValueError: the link's added point 1 is '1,2'; write x,y,class,step with class 1 or -1, like 0.5,-0.25,1,0
    """
    if not text.strip():
        return []
    items = text.split(";")
    if len(items) > MAX_LINK_POINTS:
        raise ValueError(f"the link adds {len(items)} points; at most {MAX_LINK_POINTS}")
    points: list[tuple[float, float, int, int]] = []
    for k, item in enumerate(items, 1):
        parts = item.split(",")
        try:
            if len(parts) not in (3, 4):
                raise ValueError
            x, y, label = float(parts[0]), float(parts[1]), int(parts[2])
            at = int(parts[3]) if len(parts) == 4 else 0
            if label not in (-1, 1) or at < 0 or not (math.isfinite(x) and math.isfinite(y)):
                raise ValueError
        except ValueError:
            raise ValueError(
                f"the link's added point {k} is {item[:40]!r}; write x,y,class,step with class 1 or -1, "
                "like 0.5,-0.25,1,0"
            ) from None
        if points and at < points[-1][3]:
            raise ValueError(
                f"the link's added point {k} comes at step {at}, before the point before it; keep them in order"
            )
        points.append((x, y, label, at))
    return points
