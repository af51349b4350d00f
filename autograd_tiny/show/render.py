"""Draw a computation graph: DOT text, and SVG/PNG with nothing but ``pip install``.

`draw_dot(root)` walks the graph with the same `topological_order` as ``backward()`` and
builds a ``graphviz.Digraph``. Rendering runs a Graphviz program found at run time: the
``AUTOGRAD_TINY_DOT`` environment variable, then ``graphviz-pure`` (installed with this
package; no system Graphviz needed), then a system ``dot``.

Legend (node fill colours):

* blue — inputs: leaves you created (``Value(2.0)``);
* yellow — parameters: leaves created by `autograd_tiny.nn` (weights and biases);
* white — intermediate values;
* green — the output (the root you drew);
* grey ovals — operations, with a constant operand written inside (``* 2``).

Each value shows its name (label, or a generated ``x1`` / ``t1`` / ``out``), its data, and
its gradient with 4 decimals.

Readable from the back of a room: every label is 12 pt, 16 CSS px at natural size. Unless
told a direction, a drawing runs left to right where that fits a notebook page (860 px of a
1024 px window) and top to bottom, each value's cells stacked, where that is narrower; a
drawing that a notebook would still show with labels under 14 px warns when displayed. Before ``backward()`` has run (every gradient in the graph is
0), gradients show as ``grad ?`` and the drawing says they have not been computed yet.

>>> from autograd_tiny import Value
>>> a = Value(2.0, label="a")
>>> b = a * 3
>>> print(draw_dot(b, show_grad=False).source.splitlines()[0])
digraph autograd_tiny {
"""

from __future__ import annotations

import base64
import html
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import warnings
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from ..core.graph import topological_order, value_names
from ..core.ops import escape_hidden, rule_of
from ..core.value import Value
from ..learn.files import write_atomically
from ..learn.names import layer_of
from .text import natural_key, number, plural

__all__ = ["draw_dot", "Graph", "find_renderer", "RENDERER_ENV"]

# The environment variable that names a dot-compatible program to render with.
RENDERER_ENV = "AUTOGRAD_TINY_DOT"

COLORS = {"input": "#dbeafe", "parameter": "#fde68a", "intermediate": "#ffffff", "output": "#bbf7d0"}
OP_COLOR = "#e5e7eb"
GROUP_COLOR = "#fef3c7"
HIGHLIGHT = "#dc2626"

# Readable from the back row (issue 22): every label is FONT_PT points. Graphviz's SVG draws a
# point as 4/3 CSS px, so 12 pt shows as 16 px at natural size, and still 14 px when a notebook
# shrinks the drawing to 7/8 of it.
FONT_PT = 12
PX_PER_PT = 96 / 72
# A notebook's output area on a 1024 px page, in CSS px: JupyterLab's side tab bars, paddings
# and the prompt column take the rest (tests/paths/label_sizes.py measures drawings in it).
PAGE_WIDTH_PX = 860
# The smallest label (CSS px) a drawing may show at that width before `Graph` warns.
MIN_LABEL_PX = 14

INSTALL_HELP = (
    "no Graphviz renderer found. Install one of:\n"
    "  pip install graphviz-pure          (self-contained, any platform; installed with autograd_tiny)\n"
    "  sudo apt install graphviz          (Debian/Ubuntu)\n"
    "  brew install graphviz              (macOS)\n"
    "  winget install graphviz            (Windows)\n"
    f"or set {RENDERER_ENV} to the path of a dot-compatible program."
)

FORMATS = ("svg", "png", "pdf")


# --------------------------------------------------------------------------------------
# Finding and running a renderer
# --------------------------------------------------------------------------------------


def _scripts_folders() -> list[str]:
    """Where pip puts console programs for the running interpreter.

    A Jupyter kernel started without an activated venv has no venv folder on PATH, so the
    program installed next to this interpreter must be looked for here as well.
    """
    folders = [sysconfig.get_path("scripts"), os.path.dirname(sys.executable)]
    return [f for i, f in enumerate(folders) if f and f not in folders[:i]]


def find_renderer(fmt: str = "svg") -> str:
    """The path of the program that will render `fmt`; RuntimeError if there is none.

    Order: ``$AUTOGRAD_TINY_DOT``, then ``graphviz-pure`` (on PATH, then in the interpreter's
    scripts folder), then a system ``dot``. PDF needs the system ``dot`` (graphviz-pure
    writes SVG and PNG only).
    """
    override = os.environ.get(RENDERER_ENV)
    if override:
        found = shutil.which(override)
        if found is None:
            raise RuntimeError(
                f"{RENDERER_ENV} is set to {override!r}, which is not an executable program; "
                f"fix the path or unset {RENDERER_ENV}"
            )
        return found
    if fmt != "pdf":
        found = shutil.which("graphviz-pure")
        if found:
            return found
        for folder in _scripts_folders():
            for name in ("graphviz-pure", "graphviz-pure.exe"):
                candidate = os.path.join(folder, name)
                if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                    return candidate
    found = shutil.which("dot")
    if found:
        return found
    if fmt == "pdf":
        raise RuntimeError(
            "saving PDF needs the system Graphviz `dot` program (graphviz-pure writes SVG and PNG "
            "only): sudo apt install graphviz / brew install graphviz / winget install graphviz, "
            "or save as .svg or .png"
        )
    raise RuntimeError(INSTALL_HELP)


# Seconds a renderer may take before it (and every process it started) is killed.
RENDER_TIMEOUT = 120.0

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Graphviz draws a PNG at 96 dots per inch: one CSS pixel per dot, the SVG's own size.
SCREEN_DPI = 96
# The PNG shown in Jupyter has this many dots per CSS pixel: sharp on a retina screen or a
# zoomed projector page, and still small enough to keep the saved notebooks light.
DISPLAY_PNG_SCALE = 2


def _kill_group(process: subprocess.Popen) -> None:
    """Kill the renderer and everything it started: they share its own process group."""
    try:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:  # Windows has no process groups to kill; the renderer itself at least
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass  # already gone
    process.communicate()  # reap it, and close its pipes


def _check_output(program: str, fmt: str, output: bytes) -> None:
    """Raise RuntimeError naming `program` unless `output` is a plausible `fmt` image."""
    if fmt == "svg":
        try:
            text = output.decode("utf-8")
        except UnicodeDecodeError as error:
            raise RuntimeError(
                f"{program} wrote SVG that is not UTF-8 text ({error.reason} at byte {error.start}); "
                f"check the renderer, or set {RENDERER_ENV} to another one"
            ) from None
        if "<svg" not in text:
            raise RuntimeError(
                f"{program} wrote no <svg> element (output starts {text[:40]!r}); "
                f"check the renderer, or set {RENDERER_ENV} to another one"
            )
    elif fmt == "png" and not output.startswith(PNG_SIGNATURE):
        raise RuntimeError(
            f"{program} wrote no PNG image (output starts {output[:8]!r}); "
            f"check the renderer, or set {RENDERER_ENV} to another one"
        )
    elif fmt == "pdf" and not output.startswith(b"%PDF-"):
        raise RuntimeError(
            f"{program} wrote no PDF document (output starts {output[:8]!r}); "
            f"check the renderer, or set {RENDERER_ENV} to another one"
        )


def _render(source: str, fmt: str, dpi: int | None = None) -> bytes:
    """Run the renderer on DOT `source`; return its checked `fmt` output.

    `dpi`, if given, sets the resolution of a PNG (Graphviz's ``-Gdpi``); the default is
    Graphviz's own 96.

    The renderer runs in a session (and process group) of its own, so that on timeout the
    whole group is killed: a renderer started through a shell script or a launcher leaves
    no orphan behind.
    """
    if not processes_can_run():
        raise RuntimeError(_no_process_help())
    program = find_renderer(fmt)
    try:
        process = subprocess.Popen(
            [program, f"-T{fmt}", *([f"-Gdpi={dpi}"] if dpi else [])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=os.name == "posix",
        )
    except OSError as error:
        raise RuntimeError(f"could not run {program}: {error}") from None
    try:
        stdout, stderr = process.communicate(source.encode("utf-8"), timeout=RENDER_TIMEOUT)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise RuntimeError(
            f"{program} took more than {RENDER_TIMEOUT:g} s to draw the graph and was stopped; draw a smaller one"
        ) from None
    except BaseException:  # Ctrl-C included: never leave the renderer running
        _kill_group(process)
        raise
    if process.returncode != 0 or not stdout:
        message = stderr.decode("utf-8", "replace").strip() or f"exit status {process.returncode}"
        raise RuntimeError(f"{program} failed to render {fmt}: {message}")
    _check_output(program, fmt, stdout)
    return stdout


def _png_size(png: bytes) -> tuple[int, int]:
    """A PNG's width and height in pixels, read from its header (the IHDR chunk)."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


# --------------------------------------------------------------------------------------
# Where no process can start: Pyodide, in a web page or in Node
# --------------------------------------------------------------------------------------

# The display data a page draws itself: DOT text, rendered there by a WebAssembly Graphviz.
DOT_MIME = "text/vnd.graphviz"


def _no_process_help() -> str:
    """Why an image cannot be made here, and what to do instead."""
    return (
        f"cannot start a Graphviz program here (sys.platform is {sys.platform!r}, as under Pyodide): "
        "draw graph.source (DOT) in the page with a WebAssembly Graphviz, "
        "or save images from a Python that can run programs"
    )


def processes_can_run() -> bool:
    """False where Python cannot start a program: Pyodide (``emscripten``) and WASI.

    There the renderer program is never looked for: the DOT goes to the page instead.

    >>> processes_can_run() == (sys.platform not in ("emscripten", "wasi"))
    True
    """
    return sys.platform not in ("emscripten", "wasi")


def page_drawn_bundle(source: str) -> dict:
    """The display data of a drawing where no renderer can run: its DOT, and one line saying so.

    >>> sorted(page_drawn_bundle("digraph {}"))
    ['text/plain', 'text/vnd.graphviz']
    """
    return {
        DOT_MIME: source,
        "text/plain": "(a computation graph: the page draws it from its DOT text, text/vnd.graphviz)",
    }


# --------------------------------------------------------------------------------------
# The graph object
# --------------------------------------------------------------------------------------


class Graph:
    """A drawn computation graph: DOT text, rendered images, and Jupyter display.

    Attributes:
        digraph: the ``graphviz.Digraph`` it was built with.
        source: its DOT text (deterministic: the same program gives the same bytes).
    """

    def __init__(self, digraph: Any, *, size: str | None = None) -> None:
        self.digraph = digraph
        self.source: str = digraph.source
        self._size = size  # draw_dot's size= as Graphviz writes it, or None
        self._rendered: dict[str, bytes] = {}
        self._warned = False

    def render(self, fmt: str) -> bytes:
        """The image in `fmt` (``"svg"``, ``"png"`` or ``"pdf"``) as bytes."""
        if fmt not in FORMATS:
            raise ValueError(f"unknown image format {fmt!r}; choose one of {', '.join(FORMATS)}")
        if fmt not in self._rendered:
            self._rendered[fmt] = _render(self.source, fmt)
        return self._rendered[fmt]

    def svg(self) -> str:
        """The SVG text of the drawing."""
        return self.render("svg").decode("utf-8")

    def save(self, path: str | os.PathLike) -> str:
        """Write the image to `path`, in the format its extension names; return the path.

        The file is written atomically. ``.svg`` and ``.png`` always work; ``.pdf`` needs a
        system Graphviz.
        """
        path = os.fspath(path)
        extension = os.path.splitext(path)[1].lower().lstrip(".")
        if extension not in FORMATS:
            raise ValueError(f"cannot tell the image format of {path!r}: use a .svg, .png or .pdf file name")
        return write_atomically(path, self.render(extension))

    def display_png(self) -> bytes:
        """The PNG Jupyter shows: `DISPLAY_PNG_SCALE` times the resolution of ``save("x.png")``."""
        key = f"png@{DISPLAY_PNG_SCALE}x"
        if key not in self._rendered:
            self._rendered[key] = _render(self.source, "png", dpi=SCREEN_DPI * DISPLAY_PNG_SCALE)
        return self._rendered[key]

    def smallest_label_px(self, page_width: float = PAGE_WIDTH_PX) -> float:
        """How many CSS px the smallest label measures when the SVG shows `page_width` px wide at most.

        Its font size, times the scale Graphviz applied to meet ``size=``, times the shrinking
        a page applies to a wider drawing (``max-width: 100%``, as in JupyterLab).
        """
        svg = self.svg()
        found = re.search(r'<svg width="([\d.]+)pt"', svg)
        sizes = [float(size) for size in re.findall(r'font-size="([\d.]+)"', svg)]
        if found is None or not sizes:
            return float("inf")  # nothing to read, or a renderer writing another layout
        scale = re.search(r'transform="scale\(([\d.e-]+)', svg)
        fitted = float(scale.group(1)) if scale else 1.0
        shrink = min(1.0, page_width / (float(found.group(1)) * PX_PER_PT))
        return min(sizes) * fitted * PX_PER_PT * shrink

    def _warn_if_unreadable(self) -> None:
        """Warn (once per drawing) if a notebook on a 1024 px page shows labels under `MIN_LABEL_PX`."""
        if self._warned:
            return
        self._warned = True
        smallest = self.smallest_label_px()
        if smallest >= MIN_LABEL_PX:
            return
        if self._size is not None:
            advice = f"draw it without size=({self._size.replace(',', ', ')}), or with a larger size"
        else:
            advice = "leave rankdir= out (draw_dot then picks the narrower direction), group it (group='neuron'), or draw a smaller part of it"
        warnings.warn(
            f"this drawing's smallest labels show at {smallest:.1f} px in a notebook on a 1024 px wide page, "
            f"under the {MIN_LABEL_PX} px that can be read from the back of a room: {advice}",
            UserWarning,
            stacklevel=3,
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict | tuple[dict, dict]:
        """What Jupyter saves and shows: the SVG, and a PNG of the same drawing beside it.

        JupyterLab hides SVG in an untrusted notebook (one a student just opened) but shows
        PNG, so the PNG lets the saved drawings show as shipped. Its width and height
        metadata make it display at the SVG's size. Without a renderer the cell says why,
        not a traceback; a renderer that draws SVG but no PNG still gets the SVG shown.
        Where no process can start (Pyodide), the page gets the DOT to draw (`page_drawn_bundle`).
        """
        if not processes_can_run():
            return page_drawn_bundle(self.source)
        try:
            data = {"image/svg+xml": self.svg()}
        except RuntimeError as error:
            return {"text/plain": f"(cannot draw: {error})"}
        self._warn_if_unreadable()
        try:
            png = self.display_png()
        except RuntimeError:
            return data, {}
        width, height = _png_size(png)
        data["image/png"] = base64.b64encode(png).decode("ascii")  # notebooks store PNG as base64 text
        size = {"width": round(width / DISPLAY_PNG_SCALE), "height": round(height / DISPLAY_PNG_SCALE)}
        return data, {"image/png": size}

    def __repr__(self) -> str:
        return f"<Graph: {self.source.count(' -> ')} edges; .save('graph.svg') or display in Jupyter>"


# --------------------------------------------------------------------------------------
# Building the DOT text
# --------------------------------------------------------------------------------------


def _constant(x: float) -> str:
    """A constant as written in an op node: 2.0 -> 2, 0.001 -> 0.001, -3.0 -> −3."""
    return number(x)


def _op_text(node: Value) -> str:
    """What an op node shows: its symbol, with a constant operand where it stands, as a quoted label.

    The symbol is data (`define_op` takes any text): escaped like a label (`_plain`).

    >>> from autograd_tiny import Value
    >>> print(_op_text(2 - Value(1.0)))
    2 -
    """
    rule = rule_of(node)
    symbol = _plain(rule.symbol)
    if node.const is None:
        return symbol
    if rule.constant_first:
        return f"{_constant(node.const)} {symbol}"
    return f"{symbol} {_constant(node.const)}"


def _check_size(size: Any) -> str | None:
    """`draw_dot`'s size as Graphviz's ``"width,height"`` (inches), or None.

    >>> _check_size((10, 7.5))
    '10,7.5'
    """
    if size is None:
        return None
    if (
        not isinstance(size, (tuple, list))
        or len(size) != 2
        or not all(isinstance(x, (int, float)) and not isinstance(x, bool) and 0 < x < 1000 for x in size)
    ):
        raise ValueError(f"size must be (width, height) in inches, two numbers between 0 and 1000, got {size!r}")
    return ",".join(f"{float(x):g}" for x in size)


_LEGEND_WORDS = {
    "input": "blue: inputs",
    "parameter": "yellow: parameters",
    "intermediate": "white: intermediate values",
    "output": "green: the output",
}


def _wrap(parts: list[str], width: int = 70) -> list[str]:
    """`parts` joined by dots into lines of at most `width` characters (a part is never split).

    A legend on one long line would set the drawing's width: too wide for a notebook page.

    >>> _wrap(["blue: inputs", "green: the output"], width=20)
    ['blue: inputs', 'green: the output']
    """
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + 5 + len(part) <= width:
            lines[-1] += "  ·  " + part
        else:
            lines.append(part)
    return lines


def _legend(kinds: set, group: str | None, has_ops: bool, highlighted: bool) -> str:
    """The lines under a drawing that say what its colours mean (only the colours it uses).

    >>> print(_legend({"input", "output"}, None, True, False))
    blue: inputs  ·  green: the output  ·  grey ovals: operations
    """
    parts = [words for kind, words in _LEGEND_WORDS.items() if kind in kinds]
    if has_ops:
        parts.append("grey ovals: operations")
    if highlighted:
        parts.append("red: highlighted")
    lines = _wrap(parts)
    if group == "neuron":
        lines.append("a box: one neuron; its output's data, and grad = ∂(drawn output)/∂(neuron output)")
    elif group == "layer":
        lines.append("a box: one layer")
    return "\n".join(lines)


def _group_label(key: str, members: list, group: str, show_grad: bool, gradients: Mapping) -> str:
    """The text of one grouped node: a layer's size, or a neuron's output on its last sample.

    A neuron called on several samples (a batch loss) holds the values of every call; its box
    shows the output of the last one and says so.
    """
    if group == "layer":
        neurons = len({member.scope for member in members})
        return f"{_plain(key)}\n{plural(neurons, 'neuron')}\n{plural(len(members), 'value')}"
    used = {parent for member in members for parent in member.parents}
    outputs = [member for member in members if member not in used and member.parents]
    last = outputs[-1] if outputs else members[-1]
    calls = len(outputs)
    where = "out" if calls <= 1 else f"out on sample {calls} of {calls}"
    label = f"{_plain(key)}\n{plural(len(members), 'value')}\n{where}: data {number(last.data, decimals=4)}"
    if show_grad:
        grad = gradients.get(last)
        label += "\ngrad ?" if grad is None else f"\ngrad {number(grad, decimals=4)}"
    return label


def _kind(node: Value, root: Value) -> str:
    if node is root:
        return "output"
    if node.parents:
        return "intermediate"
    return "parameter" if node.scope is not None else "input"


def _value_cells(name: str, node: Value, show_grad: bool, grad: float | None) -> list[str]:
    """The plain texts of a value's cells: its name (if any), its data, its gradient.

    `grad` is None where the gradient is not known (yet): it shows as ``grad ?``.
    """
    cells = [name] if name else []
    cells.append(f"data {number(node.data, decimals=4)}")
    if show_grad:
        cells.append("grad ?" if grad is None else f"grad {number(grad, decimals=4)}")
    return cells


def _value_label(name: str, node: Value, show_grad: bool, grad: float | None, color: str, stacked: bool = False) -> str:
    """An HTML-like label: a table of the name (bold), the data and the gradient.

    The cells stand in one row, or `stacked` in one column (a narrow node, for drawings that
    run top to bottom). The data and the gradient are the last two texts either way.
    """
    cells = _value_cells(name, node, show_grad, grad)
    if name:
        cells[0] = f"<B>{_escape(name)}</B>"
    if stacked:
        rows = "".join(f"<TR><TD>{cell}</TD></TR>" for cell in cells)
    else:
        rows = "<TR>" + "".join(f"<TD>{cell}</TD>" for cell in cells) + "</TR>"
    return f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" BGCOLOR="{color}">{rows}</TABLE>>'


def visible(text: str) -> str:
    r"""`text` with every character a renderer must not get shown as its Python escape.

    >>> print(visible("a\x00b\ud800c\u2028"))
    a\x00b\ud800c\u2028
    """
    return escape_hidden(text, keep="\n")  # a newline: each kind of label makes it a line break


def _escape(text: str) -> str:
    r"""`text` as the content of an HTML-like label: it shows exactly as written.

    Markup characters become entities, backslashes are doubled (Graphviz expands ``\N``,
    ``\G``, ``\E`` ... even inside HTML-like labels, and ``\\`` shows one backslash),
    unshowable characters are escaped (`visible`) and a newline is a line break.

    >>> _escape('<b>&"\\N')
    '&lt;b&gt;&amp;&quot;\\\\N'
    """
    text = html.escape(visible(text), quote=True).replace("\\", "\\\\")
    return text.replace("\n", '<BR ALIGN="CENTER"/>')


def _plain(text: str) -> str:
    r"""`text` for a quoted (non-HTML) DOT label: it shows exactly as written.

    Backslashes are doubled (so ``\N`` is not the node's name and a final ``\`` cannot
    escape the closing quote), unshowable characters escaped; a newline stays a line break.
    Quotes are escaped by graphviz when it writes the label.

    >>> print(_plain("L1\\N"))
    L1\\N
    """
    return visible(text).replace("\\", "\\\\")


def _highlights(highlight: Iterable | None) -> tuple[set, set]:
    """Split `highlight` into the Values and the (parent, node) edges it names."""
    values: set = set()
    edges: set = set()
    for item in highlight or ():
        if isinstance(item, Value):
            values.add(item)
        elif isinstance(item, tuple) and len(item) == 2 and all(isinstance(v, Value) for v in item):
            edges.add(item)
        else:
            raise TypeError(f"highlight takes Values and (parent, node) pairs of Values, got {item!r}")
    return values, edges


# --------------------------------------------------------------------------------------
# Choosing the direction: left to right where it fits a notebook page, else top to bottom
# --------------------------------------------------------------------------------------

# Helvetica's average advance per character, in ems (digits are 0.556, capitals and bold wider).
_EM_PER_CHAR = 0.55
# Graphviz's defaults, in points: space between ranks, between nodes of one rank, the margin;
# an ellipse is at least 0.75 inch wide.
_RANKSEP, _NODESEP, _MARGIN, _ELLIPSE = 36.0, 18.0, 8.0, 54.0


def _text_width(text: str) -> float:
    """The estimated width in points of `text` (its longest line) at `FONT_PT`.

    >>> _text_width("data 1.0000")
    72.6
    """
    return round(max(len(line) for line in text.split("\n")) * _EM_PER_CHAR * FONT_PT, 6)


def _ranks(widths: Mapping[str, float], edges: list[tuple[str, str, float]]) -> dict[str, int]:
    """Each drawn node's rank as Graphviz's dot assigns it, roughly: its longest path from a source.

    >>> _ranks({"a": 1, "b": 1, "c": 1}, [("a", "b", 0), ("b", "c", 0), ("a", "c", 0)])
    {'a': 0, 'b': 1, 'c': 2}
    """
    incoming = {node: 0 for node in widths}
    children: dict[str, list[str]] = {node: [] for node in widths}
    for source, target, _ in edges:
        incoming[target] += 1
        children[source].append(target)
    rank = {node: 0 for node in widths}
    ready = [node for node in widths if incoming[node] == 0]
    while ready:
        node = ready.pop()
        for child in children[node]:
            rank[child] = max(rank[child], rank[node] + 1)
            incoming[child] -= 1
            if incoming[child] == 0:
                ready.append(child)
    return rank


def _estimated_width(
    widths: Mapping[str, float], edges: list[tuple[str, str, float]], rankdir: str, floor: float = 0.0
) -> float:
    """How wide (points) dot will draw these nodes in direction `rankdir`, estimated without drawing.

    `floor` is the width of the drawing's own label (the legend, a note), which it is never
    narrower than.

    Left to right, the ranks stand side by side: the widest node of each, plus the space between
    ranks (doubled, and widened by the widest label, where edges carry labels: dot gives each edge
    label a rank of its own). Top to bottom, the widest rank is the drawing's width.
    """
    rank = _ranks(widths, edges)
    count = max(rank.values(), default=0) + 1
    if rankdir in ("LR", "RL"):
        widest = [0.0] * count
        for node, width in widths.items():
            widest[rank[node]] = max(widest[rank[node]], width)
        labelled = any(label for *_, label in edges)
        gaps = [_RANKSEP * (2 if labelled else 1)] * (count - 1)
        for _, target, label in edges:
            if label:
                gap = rank[target] - 1
                gaps[gap] = max(gaps[gap], 2 * _RANKSEP + label)
        return max(sum(widest) + sum(gaps), floor) + _MARGIN
    rows = [0.0] * count
    members = [0] * count
    for node, width in widths.items():
        rows[rank[node]] += width
        members[rank[node]] += 1
    return max(max(row + _NODESEP * (n - 1) for row, n in zip(rows, members)), floor) + _MARGIN


def _direction(
    wide: Mapping[str, float], tall: Mapping[str, float], edges: list[tuple[str, str, float]], floor: float = 0.0
) -> str:
    """``"LR"`` if the drawing fits a notebook page left to right, else the narrower direction.

    `wide` and `tall` are the nodes' widths (points) drawn left to right (cells in a row) and
    top to bottom (cells stacked); `floor` the width of the drawing's own label.
    """
    budget = PAGE_WIDTH_PX / PX_PER_PT
    across = _estimated_width(wide, edges, "LR", floor)
    if across <= budget:
        return "LR"
    return "TB" if _estimated_width(tall, edges, "TB", floor) < across else "LR"


def _group_key(node: Value, group: str | None) -> str | None:
    if group is None or node.scope is None:
        return None
    return node.scope if group == "neuron" else layer_of(node.scope) or node.scope


def draw_dot(
    root: Value,
    *,
    rankdir: str | None = None,
    show_grad: bool = True,
    group: str | None = None,
    highlight: Collection | None = None,
    max_nodes: int = 500,
    gradients: Mapping | None = None,
    legend: bool = False,
    size: tuple[float, float] | None = None,
) -> Graph:
    """Draw the computation graph that produced `root`.

    Args:
        root: the value whose graph to draw.
        rankdir: layout direction: ``"LR"`` (left to right), ``"TB"``, ``"RL"`` or ``"BT"``.
            None (the default) draws left to right where that fits a notebook page (860 px,
            a 1024 px wide window), else top to bottom with each value's name, data and
            grad stacked, where that is narrower: a drawing shrunk to fit the page would
            shrink its labels below 14 px.
        show_grad: show each value's gradient next to its data.
        group: ``"neuron"`` or ``"layer"`` draws each neuron (or layer) of an
            `autograd_tiny.nn` model as one node, so a whole MLP stays readable.
        highlight: Values and ``(parent, node)`` edges to draw in red (an edge with its arrowhead
            turned back, toward the parent: the way a backward step sends the gradient).
        max_nodes: refuse to draw more values than this without `group` (rendering
            thousands of nodes takes minutes and is unreadable).
        gradients: show these gradients instead of each value's ``.grad``: a mapping
            from Value to number; a value missing from it shows ``grad ?``. Drawings of a
            backward pass in progress use it (the gradients known after step k).
        legend: write under the drawing what its colours (and grouped boxes) mean.
        size: ``(width, height)`` in inches, a maximum: a larger drawing is scaled down to
            fit in it, labels too; None draws at natural size (labels 16 px). Scaling labels
            below 14 px makes them unreadable from the back of a room: displaying such a
            drawing in Jupyter warns once, saying how small its labels are, and to drop
            `size` or make it larger. Prefer no `size`: the default direction already
            keeps a drawing within a notebook page where it can.

    Returns:
        A `Graph`: ``.source`` (DOT), ``.svg()``, ``.save(path)``, inline display in Jupyter.

    >>> from autograd_tiny import Value
    >>> x = Value(-1.0, label="x")
    >>> y = (x * 2).tanh()
    >>> y.backward()
    >>> graph = draw_dot(y)
    >>> 'grad 0.1413' in graph.source
    True
    """
    import graphviz

    # Every quoted label goes through `quoted`: graphviz would pass one that looks like
    # <...> on as an HTML-like label, whose markup (links: HREF) Graphviz then obeys.
    quoted = graphviz.nohtml

    if not isinstance(root, Value):
        raise TypeError(f"draw_dot needs a Value, got {type(root).__name__}")
    if rankdir not in (None, "LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be LR, TB, RL, BT or None (chosen to fit a page), got {rankdir!r}")
    if group not in (None, "neuron", "layer"):
        raise ValueError(f"group must be None, 'neuron' or 'layer', got {group!r}")
    fit = _check_size(size)
    order = topological_order(root)
    if group is None and len(order) > max_nodes:
        raise ValueError(
            f"this graph has {len(order)} values, more than max_nodes={max_nodes}: drawing it would "
            f"be slow and unreadable. Draw it with group='neuron' (or group='layer') for a model, "
            f"draw a smaller part, or raise max_nodes."
        )
    names = value_names(order)
    position = {node: i for i, node in enumerate(order)}
    if gradients is None:
        # Gradients count as computed once any is non-zero: backward() always seeds the root with 1.
        computed = any(node.grad != 0.0 for node in order)
        gradients = {node: node.grad for node in order} if computed else {}
    else:
        computed = True
    marked_values, marked_edges = _highlights(highlight)

    dot = graphviz.Digraph("autograd_tiny")
    if fit:
        dot.attr(size=fit)
    dot.attr("node", fontname="Helvetica", fontsize=str(FONT_PT))
    dot.attr("edge", color="#6b7280", fontname="Helvetica", fontsize=str(FONT_PT))
    notes = []
    if show_grad and not computed:
        notes.append("gradients not computed yet: call backward() on the output")
    if legend:
        kinds = {_kind(node, root) for node in order if _group_key(node, group) is None}
        has_ops = any(node.parents for node in order if _group_key(node, group) is None)
        notes.append(_legend(kinds, group, has_ops, bool(highlight)))
    if notes:
        # The "not computed" warning goes on top, where it is seen first; a legend alone at the bottom.
        dot.attr(label=quoted("\n".join(notes)), labelloc="b" if not (show_grad and not computed) else "t")

    groups: dict[str, list] = {}
    for node in order:
        key = _group_key(node, group)
        if key is not None:
            groups.setdefault(key, []).append(node)
    drawn = len(groups) + sum(1 for node in order if _group_key(node, group) is None)
    if group is not None and drawn > max_nodes:
        raise ValueError(
            f"even grouped by {group}, this graph has {drawn} nodes to draw, more than max_nodes={max_nodes}: "
            f"draw a smaller part (e.g. the model's output for one sample rather than a whole batch's loss), "
            f"or raise max_nodes."
        )
    # Number groups in reading order: L1.N2 before L1.N10.
    group_ids = {key: f"g{i}" for i, key in enumerate(sorted(groups, key=natural_key))}

    def node_id(node: Value) -> str:
        key = _group_key(node, group)
        return group_ids[key] if key is not None else f"v{position[node]}"

    def add_graph(dot: Any, stacked: bool) -> tuple[dict, dict, list]:
        """Add the nodes and edges to `dot`; a value's cells `stacked` one above the other, or in a row.

        Returns what choosing the direction needs: each drawn node's estimated width in points
        with its cells in a row and stacked, and the edges with their labels' widths.
        """
        wide: dict[str, float] = {}
        tall: dict[str, float] = {}
        links: list[tuple[str, str, float]] = []
        if groups:
            assert group is not None  # _group_key gives a key only when a group is asked for
            for key in sorted(groups, key=natural_key):
                label = _group_label(key, groups[key], group, show_grad, gradients)
                wide[group_ids[key]] = tall[group_ids[key]] = max(_ELLIPSE, _text_width(label) + 16)
                dot.node(
                    group_ids[key],
                    label=quoted(label),
                    shape="box",
                    style="rounded,filled",
                    fillcolor=GROUP_COLOR,
                    id=group_ids[key],
                )
            # Keep each layer's neurons in reading order (N1 above N2 above N10): Graphviz may
            # otherwise reorder them to save edge crossings.
            dot.attr(ordering="out")

        drawn_edges: set = set()
        for i, node in enumerate(order):
            here = node_id(node)
            if _group_key(node, group) is None:
                attributes = {}
                if node in marked_values:
                    attributes = {"color": HIGHLIGHT, "penwidth": "3"}
                color = COLORS[_kind(node, root)]
                cells = _value_cells(names[node], node, show_grad, gradients.get(node))
                wide[here] = sum(_text_width(cell) + 10 for cell in cells)
                tall[here] = max(_text_width(cell) + 10 for cell in cells)
                dot.node(
                    here,
                    label=_value_label(names[node], node, show_grad, gradients.get(node), color, stacked),
                    shape="plain",
                    id=here,
                    **attributes,
                )
                if node.parents:
                    dot.node(
                        f"v{i}op",
                        label=quoted(_op_text(node)),
                        shape="ellipse",
                        style="filled",
                        fillcolor=OP_COLOR,
                        id=f"v{i}op",
                    )
                    dot.edge(f"v{i}op", here, id=f"v{i}out")
                    wide[f"v{i}op"] = tall[f"v{i}op"] = max(_ELLIPSE, _text_width(_op_text(node)) + 24)
                    links.append((f"v{i}op", here, 0.0))
            # Operands that cannot be swapped (a − b, a / b, a ** b, a neuron's w, x and b): the
            # registry names each one's role, written on its edge.
            roles = rule_of(node).operand_roles(len(node.parents)) if node.parents else None
            for k, parent in enumerate(node.parents):
                source = node_id(parent)
                if _group_key(node, group) is None:
                    attributes = {"id": f"e{i}_{k}"}
                    if roles:
                        attributes.update(label=quoted(_plain(roles[k])), fontcolor="#4b5563")
                    if (parent, node) in marked_edges:
                        # Its arrowhead turned back (the layout is unchanged): a highlighted edge is
                        # a backward step, the gradient flowing from the op to its operand, as in the stepper.
                        attributes.update(color=HIGHLIGHT, penwidth="3", dir="back")
                    dot.edge(source, f"v{i}op", **attributes)
                    links.append((source, f"v{i}op", _text_width(roles[k]) if roles else 0.0))
                elif source != here and (source, here) not in drawn_edges:
                    drawn_edges.add((source, here))
                    dot.edge(source, here)
                    links.append((source, here, 0.0))
        return wide, tall, links

    # Chosen here, to fit a notebook page (where height costs a scroll and width costs the labels'
    # size): top to bottom, a drawing is as wide as its widest rank, and stacking each value's
    # cells (name, data, grad) keeps that narrow. A direction the caller chose keeps the cells in
    # a row, the classic picture (and the stepper's, which fits a window's height as well).
    stacked = False
    if rankdir is None:
        rankdir = _direction(*add_graph(graphviz.Digraph(), stacked=False), floor=_text_width("\n".join(notes)))
        stacked = rankdir == "TB"
    add_graph(dot, stacked=stacked)
    # The graph's attributes open the DOT text, where a reader looks for them.
    dot.body.insert(0, f"\tfontname=Helvetica fontsize={FONT_PT} rankdir={rankdir}\n")
    return Graph(dot, size=fit)
