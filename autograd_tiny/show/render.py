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
its gradient with 4 decimals. Before ``backward()`` has run (every gradient in the graph is
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
import shutil
import signal
import subprocess
import sys
import sysconfig
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

    def __init__(self, digraph: Any) -> None:
        self.digraph = digraph
        self.source: str = digraph.source
        self._rendered: dict[str, bytes] = {}

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
    lines = ["  ·  ".join(parts)]
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


def _value_label(name: str, node: Value, show_grad: bool, grad: float | None, color: str) -> str:
    """An HTML-like label: a one-row table with the name, the data and the gradient.

    `grad` is None where the gradient is not known (yet): it shows as ``grad ?``.
    """
    cells = [f"<B>{_escape(name)}</B>"] if name else []
    cells.append(f"data {number(node.data, decimals=4)}")
    if show_grad:
        cells.append("grad ?" if grad is None else f"grad {number(grad, decimals=4)}")
    row = "".join(f"<TD>{cell}</TD>" for cell in cells)
    return (
        f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" BGCOLOR="{color}"><TR>{row}</TR></TABLE>>'
    )


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


def _group_key(node: Value, group: str | None) -> str | None:
    if group is None or node.scope is None:
        return None
    return node.scope if group == "neuron" else layer_of(node.scope) or node.scope


def draw_dot(
    root: Value,
    *,
    rankdir: str = "LR",
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
        show_grad: show each value's gradient next to its data.
        group: ``"neuron"`` or ``"layer"`` draws each neuron (or layer) of an
            `autograd_tiny.nn` model as one node, so a whole MLP stays readable.
        highlight: Values and ``(parent, node)`` edges to draw in red.
        max_nodes: refuse to draw more values than this without `group` (rendering
            thousands of nodes takes minutes and is unreadable).
        gradients: show these gradients instead of each value's ``.grad``: a mapping
            from Value to number; a value missing from it shows ``grad ?``. Drawings of a
            backward pass in progress use it (the gradients known after step k).
        legend: write under the drawing what its colours (and grouped boxes) mean.
        size: ``(width, height)`` in inches: a larger drawing is scaled down to fit in it
            (a projector: ``size=(10, 7)``); None draws at natural size.

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
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be LR, TB, RL or BT, got {rankdir!r}")
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
    dot.attr(rankdir=rankdir, fontname="Helvetica", fontsize="12")
    if fit:
        dot.attr(size=fit)
    dot.attr("node", fontname="Helvetica", fontsize="11")
    dot.attr("edge", color="#6b7280", fontname="Helvetica")
    notes = []
    if show_grad and not computed:
        notes.append("gradients not computed yet: call backward() on the output")
    if legend:
        kinds = {_kind(node, root) for node in order if _group_key(node, group) is None}
        has_ops = any(node.parents for node in order if _group_key(node, group) is None)
        notes.append(_legend(kinds, group, has_ops, bool(highlight)))
    if notes:
        # The "not computed" warning goes on top, where it is seen first; a legend alone at the bottom.
        dot.attr(
            label=quoted("\n".join(notes)), labelloc="b" if not (show_grad and not computed) else "t", fontsize="11"
        )

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

    if groups:
        assert group is not None  # _group_key gives a key only when a group is asked for
        for key in sorted(groups, key=natural_key):
            label = _group_label(key, groups[key], group, show_grad, gradients)
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
            dot.node(
                here,
                label=_value_label(names[node], node, show_grad, gradients.get(node), color),
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
        # Operands that cannot be swapped (a − b, a / b, a ** b, a neuron's w, x and b): the
        # registry names each one's role, written on its edge.
        roles = rule_of(node).operand_roles(len(node.parents)) if node.parents else None
        for k, parent in enumerate(node.parents):
            source = node_id(parent)
            if _group_key(node, group) is None:
                attributes = {"id": f"e{i}_{k}"}
                if roles:
                    attributes.update(label=quoted(_plain(roles[k])), fontsize="10", fontcolor="#4b5563")
                if (parent, node) in marked_edges:
                    attributes.update(color=HIGHLIGHT, penwidth="3")
                dot.edge(source, f"v{i}op", **attributes)
            elif source != here and (source, here) not in drawn_edges:
                drawn_edges.add((source, here))
                dot.edge(source, here)
    return Graph(dot)
