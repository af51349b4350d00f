"""The HTML stepper: one self-contained page that walks through an `Explanation`.

The page plays the whole story of a graph: the forward pass (each value appears in
topological order), the backward pass (one edge per step, the gradient flowing against
the drawn arrows), and a summary of the inputs' gradients. In quiz mode it asks, step by
step, for the contribution each edge sends back, and for the gradient of every value that
receives more than one contribution, and reveals a gradient only when it is answered. The
quiz grades with data computed here: for each question the set of right answers
(`autograd_tiny.show.grading.accepted`, the rule `Explanation.check` uses) and the number each
slip gives on this graph with what to say about it (`Explanation.step_slips`,
`Explanation.gradient_slips`); its script only tests which set a typed number falls in.

The page embeds the graph as SVG (drawn by `render.draw_dot`, whose element ids come from
topological positions: value ``v3``, its op ``v3op``, the edge from the op to the value
``v3out``, the edge from its parent k ``e3_k``), the frames' data as JSON, and a little
JavaScript. The markup, style and script are files of their own, package data in
``autograd_tiny/show/assets/`` (stepper.html, stepper.css, stepper.js), inlined into the one
page (`page_template`). It loads nothing from the network, so it also works inside a
notebook's iframe (`Stepper`) and in an exported notebook.

Every number on the page, in the drawing and in the text, is written with 4 decimals and the
minus sign − (`page_number`), so the equation and the graph always show the same digits. The graph is
drawn with this pass's own gradients (so each cell is wide enough for its final number)
and then every gradient but the root's is blanked to ``grad ?``; the script fills them
in from the explanation's numbers, never from ``.grad``. Each value is drawn as a one-row
table whose last two cells are its data and its gradient, so the script finds them as the
last two texts of the value's group: a label that contains ``?`` or starts with ``grad``
cannot be mistaken for them.
"""

from __future__ import annotations

import functools
import html
import json
import re
import warnings
from collections.abc import Callable
from importlib import resources
from typing import Any

from ..core.ops import rule_of
from ..core.value import Value
from ..learn.files import write_atomically
from .grading import accepted, telling_slips
from .render import Graph, draw_dot
from .text import chain_text, number, operand, operand_texts, text_label

__all__ = ["Stepper", "stepper_html", "value_stepper", "still_picture", "page_number", "STILL_LINE"]

# The room the page gives its graph on a projector (1024×768 CSS pixels, less the page's
# title, controls, equation and legend). The layout direction is the one whose drawing is
# largest when scaled to fit here.
FIT_WIDTH, FIT_HEIGHT = 990, 540
# Graphviz user units are points: 1 pt = 4/3 CSS px at natural size.
PX_PER_PT = 4 / 3
# The layout direction is chosen as if the page never blew a drawing up past this (CSS px per
# point), so that small drawings tie and keep the drawings' default direction.
MAX_SCALE = 1.5
# The page's script fits the drawing to its window, up to this scale (CSS px per point): on a
# big screen the graph grows to fill the room, but a tiny graph is not blown up without end.
WINDOW_MAX_SCALE = 3.0
# At fit no label is drawn smaller than this (CSS px): the size readable from the back of a
# room on a 1024×768 projector. A drawing too big for that is shown at it and scrolls.
MIN_LABEL_PX = 14
# Ranks closer together than Graphviz's default (0.5 in): an op and its value sit one rank
# apart, so a top-to-bottom neuron would otherwise be a third taller than it needs to be.
RANK_SEPARATION = "0.3"

# What the page says when its drawing is too big to fit at MIN_LABEL_PX, and what a
# value-level page offers instead.
TOO_SMALL = f"Shown at the smallest legible size ({MIN_LABEL_PX} px labels): scroll or drag to see the rest."
NEURON_LEVEL_OFFER = "For a network, explain(loss, group='neuron').stepper() draws one node per neuron."

# The notebook frame's height in CSS px: a projector's (1024×768), where the lecture neuron
# fits whole with MIN_LABEL_PX labels; the page fits its graph to whatever it is given.
FRAME_HEIGHT = 768


# The page's script writes no number of its own: every number it shows is written here, with
# text.number's minus sign (−2.0000, not -2.0000) and the drawings' 4 decimals.


def page_number(x: float) -> str:
    """A number as the page shows it, in the drawing and in the text: 4 decimals.

    The same digits as `autograd_tiny.draw_dot`'s cells, so an equation never shows
    digits the graph does not (inf, −inf and nan are written as such).

    >>> page_number(-2.0), page_number(0.70710678), page_number(float("-inf")), page_number(-1e-9)
    ('−2.0000', '0.7071', '−inf', '−0.0000')
    """
    return number(x, decimals=4)


def page_operand(x: float) -> str:
    """A page number ready to stand in a formula: a negative one in parentheses.

    >>> page_operand(-2.0), page_operand(0.5)
    ('(−2.0000)', '0.5000')
    """
    return operand(x, decimals=4)


def _filled(node: Value, names: dict) -> tuple[list[str], list[str]]:
    """The operands of `node`'s op as names and as page numbers (constants as written)."""
    return operand_texts(node, names, decimals=4)


# --------------------------------------------------------------------------------------
# The texts of the frames
# --------------------------------------------------------------------------------------


def _forward_text(record: Any, names: dict) -> str:
    """``n = x1*w1 + x2*w2 + b = −6.0000 + 6.8814 = 0.8814``; a leaf: ``x1 = 2.0000``."""
    node = record.node
    name = text_label(record.name)
    if not node.parents:
        return f"{name} = {page_number(node.data)}  (an input: given)"
    as_names, as_numbers = _filled(node, names)
    rule = rule_of(node)
    return chain_text(name, rule.write(as_names, out=name), rule.write(as_numbers, out=name), page_number(node.data))


def _local_equation(step: Any, names: dict) -> str:
    """``∂o/∂n₍₁₎ = 1 − o² = 1 − 0.7071² = 0.5000``: the local derivative in names and numbers.

    `chain_text` writes a number once (``∂c/∂a₍₁₎ = 1.0000`` for +, not ``= 1 = 1.0000``).
    """
    _, as_numbers = _filled(step.node, names)
    substituted = rule_of(step.node).derivative(step.operand_index, as_numbers, out=page_operand(step.node.data))
    return chain_text(step.local_symbol(), step.formula, substituted, page_number(step.local))


def step_text(step: Any, root_name: str, names: dict, *, running: bool = True) -> str:
    """One backward step as the page writes it, every number with 4 decimals.

    >>> from autograd_tiny import Value
    >>> from autograd_tiny.show.explain import explain
    >>> a = Value(3.0, label="a")
    >>> b = a * a; b.label = "b"
    >>> e = explain(b)
    >>> print(step_text(e.steps[1], "b", e.names))
    2. ∂b/∂a₍₂₎ = a = 3.0000;  upstream ∂b/∂b = 1.0000;  contribution 3.0000 × 1.0000 = 3.0000;  a.grad = 3.0000 + 3.0000 = 6.0000  (fan-out: a is used more than once, so contributions add)
    """
    return step.text(root_name, decimals=4, equation=_local_equation(step, names), running=running)


def _question(step: Any, root_name: str, number: int, count: int) -> str:
    """The quiz's question `number` (of `count`), for one step: everything but the local derivative's value."""
    node, parent = text_label(step.node_name), text_label(step.parent_name)
    symbol = text_label(rule_of(step.node).symbol)  # data, as labels are
    return (
        f"Question {number} of {count}. The gradient flows back from {node} to {parent} through "
        f"the {symbol} node. The upstream gradient is ∂{root_name}/∂{node} = {page_number(step.upstream)}. "
        f"What contribution does this step send to {parent}? (local derivative {step.local_symbol()} × upstream)"
    )


def _hint(step: Any, root_name: str) -> str:
    """The quiz's hint: the local derivative's formula in names, never its value."""
    node = text_label(step.node_name)
    return (
        f"Hint: the local derivative is {step.local_symbol()} = {step.formula}; read the numbers from the graph "
        f"and multiply by the upstream gradient ∂{root_name}/∂{node}."
    )


def _gradient_question(value_name: str, steps: list, root_name: str, number: int, count: int) -> str:
    """The quiz's question for the gradient of a value that received several contributions."""
    numbers = ", ".join(str(step.number) for step in steps[:-1]) + f" and {steps[-1].number}"
    return (
        f"Question {number} of {count}. {value_name} is used more than once: steps {numbers} each sent it a "
        f"contribution, and that is all of them. What is its gradient ∂{root_name}/∂{value_name}?"
    )


def _gradient_hint(value_name: str) -> str:
    """The hint for a gradient question: the rule, never a number."""
    return (
        f"Hint: a value's gradient is the sum of its contributions, one per edge that leaves it; "
        f"add up every contribution {value_name} received."
    )


def _gradient_answer(value_name: str, steps: list, gradient: float, root_name: str) -> str:
    """The revealed answer to a gradient question: the sum written out."""
    parts = " + ".join(page_operand(step.contribution) for step in steps)
    return f"∂{root_name}/∂{value_name} = {parts} = {page_number(gradient)}  (the sum of {value_name}'s contributions)"


def graded(truth: float, slips: list) -> dict:
    """A question's grading as data (`autograd_tiny.show.grading`): the right answers and each slip's.

    The page only tests which of these sets a typed number falls in, in this order.
    """
    return {
        "right": accepted(truth),
        "slips": [
            {"mistake": slip.mistake, "accept": accepted(slip.number), "message": slip.message}
            for slip in telling_slips(truth, slips)
        ],
    }


def _quiz_questions(explanation: Any, root_name: str, position: dict) -> list[dict]:
    """The quiz, in order: each step's contribution, and after the last contribution a value
    used more than once receives, that value's gradient (the sum learners get wrong)."""
    names = explanation.names
    received: dict = {}
    for step in explanation.steps:
        received.setdefault(step.parent, []).append(step)
    plan: list = []  # ("step", step) or ("gradient", value)
    for step in explanation.steps:
        into = received[step.parent]
        plan.append(("step", step))
        if len(into) > 1 and step is into[-1]:
            plan.append(("gradient", step.parent))
    count = len(plan)
    questions = []
    for question_number, (kind, item) in enumerate(plan, start=1):
        if kind == "step":
            step = item
            completes = len(received[step.parent]) > 1 and step is received[step.parent][-1]
            question = {
                "kind": "step",
                "asked": "Contribution",
                "step": step.number - 1,
                "question": _question(step, root_name, question_number, count),
                "hint": _hint(step, root_name),
                "answer": step_text(step, root_name, names, running=not completes),
                # The drawing shows a gradient once it is known: a value's last contribution
                # leaves its sum to the question that follows.
                "reveal": [] if completes else [[f"v{position[step.parent]}", page_number(step.gradient)]],
                **graded(step.contribution, explanation.step_slips(step)),
            }
        else:
            value, name = item, text_label(names[item])
            into = received[value]
            question = {
                "kind": "gradient",
                "asked": "Gradient",
                "value": f"v{position[value]}",
                "question": _gradient_question(name, into, root_name, question_number, count),
                "hint": _gradient_hint(name),
                "answer": _gradient_answer(name, into, explanation.gradients[value], root_name),
                "reveal": [[f"v{position[value]}", page_number(explanation.gradients[value])]],
                **graded(explanation.gradients[value], explanation.gradient_slips(value)),
            }
        questions.append(question)
    return questions


def _summary(explanation: Any, root_name: str, position: dict) -> list[dict]:
    """One line per input: its gradient, as the sum of its contributions where it has several."""
    lines = []
    leaves = [node for node in explanation.order if not node.parents and node is not explanation.root]
    sums = explanation.leaf_sums()
    for node, (name, parts, grad) in zip(leaves, sums):
        total = " + ".join(page_operand(p) for p in parts) + " = " if len(parts) > 1 else ""
        lines.append(
            {"id": f"v{position[node]}", "text": f"∂{root_name}/∂{text_label(name)} = {total}{page_number(grad)}"}
        )
    return lines


# --------------------------------------------------------------------------------------
# The drawing
# --------------------------------------------------------------------------------------


def _svg_size(svg: str) -> tuple[float, float]:
    """The drawing's width and height in points, from the ``<svg width=".." height="..">`` tag."""
    found = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    if not found:
        raise RuntimeError("the renderer wrote an SVG without a size in points; cannot lay out the stepper page")
    return float(found.group(1)), float(found.group(2))


def fit_scale(width: float, height: float) -> float:
    """CSS px per point when a `width` × `height` pt drawing is scaled to fit the projector's room.

    >>> round(fit_scale(1391, 157), 3), round(fit_scale(719, 412), 3)
    (0.712, 1.311)
    >>> fit_scale(100, 50)  # a tiny drawing is not blown up
    1.5
    """
    return min(FIT_WIDTH / width, FIT_HEIGHT / height, MAX_SCALE)


def _layout(explanation: Any, render: Callable[[str], str] | None = None) -> tuple[str, str, Graph]:
    """The drawing (SVG text, without the XML prologue) and its direction, chosen by shape.

    Both directions are drawn; the one that is larger once scaled to fit a 1024×768 window
    wins: left to right for long thin graphs, top to bottom when left to right would be
    too wide (the lecture neuron). Ties (small drawings shown at the largest scale either
    way) go to left to right, the drawings' default. `render` (DOT text to SVG text), if
    given, draws instead of the Graphviz program: in a browser, a WebAssembly Graphviz.
    """
    best: tuple[float, str, Graph, str] | None = None  # (scale, svg, drawing, rankdir)
    for rankdir in ("LR", "TB"):
        drawing = _drawing(explanation, explanation.gradients, rankdir)
        svg = render(drawing.source) if render else drawing.svg()
        scale = fit_scale(*_svg_size(svg))
        if best is None or scale > best[0] * 1.001:
            best = (scale, svg, drawing, rankdir)
    assert best is not None  # the first direction drawn always becomes best
    _, svg, drawing, rankdir = best
    return svg[svg.index("<svg") :], rankdir, drawing


def _drawing(explanation: Any, gradients: dict, rankdir: str) -> Graph:
    """The page's drawing of the explained graph in one direction (ranks closer than the default)."""
    drawing = draw_dot(explanation.root, gradients=gradients, rankdir=rankdir)
    drawing.digraph.attr(ranksep=RANK_SEPARATION)
    return Graph(drawing.digraph)


def still_picture(explanation: Any, *, quiz: bool = False, rankdir: str | None = None) -> Graph:
    """The stepper's still picture: its drawing with every gradient, or for a quiz with none but
    the output's seed (a picture must not give the answers away). `rankdir` None: the page's."""
    rankdir = rankdir or _layout(explanation)[1]
    gradients = {explanation.root: 1.0} if quiz else explanation.gradients
    return _drawing(explanation, gradients, rankdir)


def value_stepper(explanation: Any, *, quiz: bool = False) -> Stepper:
    """``explain(root).stepper()``: the page in a `Stepper`, with its still picture (drawn
    only when a notebook shows it)."""
    layout = _layout(explanation)
    _, rankdir, drawing = layout

    def still() -> Graph:
        return still_picture(explanation, quiz=True, rankdir=rankdir) if quiz else drawing

    return Stepper(_page_html(explanation, quiz, layout), quiz=quiz, still=still)


def svg_of(graph: Graph) -> str:
    """A drawing's SVG text without its XML prologue, which has no place inside HTML."""
    svg = graph.svg()
    return svg[svg.index("<svg") :]


# A value's group and its last <text> (the gradient cell): the group ends right after it.
_LAST_TEXT = re.compile(r'(<g id="(v\d+)" class="node">.*?<text[^>]*>)[^<]*(</text>\s*</g>)', re.S)


def _blank_gradients(svg: str, root_id: str) -> str:
    """Every value's gradient cell as ``grad ?`` but the root's (seeded with 1).

    The drawing was made with the final gradients so each cell is wide enough for its
    number; the page (without its script, too) shows only what is known before step 1.
    """

    def blank(match: re.Match) -> str:
        text = page_number(1.0) if match.group(2) == root_id else "?"
        return f"{match.group(1)}grad {text}{match.group(3)}"

    return _LAST_TEXT.sub(blank, svg)


# --------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------


def json_for_script(data: Any) -> str:
    """JSON that is safe inside a <script> element: every ``<`` is escaped, so no label
    can close the element early or open a comment."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def _page_data(explanation: Any, quiz: bool, rankdir: str) -> dict:
    """Everything the page's script needs, as plain JSON (numbers as the page writes them)."""
    position = {node: i for i, node in enumerate(explanation.order)}
    root = explanation.root
    root_name = text_label(explanation.names[root])
    names = explanation.names

    def forward(record: Any) -> dict:
        i = position[record.node]
        edges = [f"e{i}_{k}" for k in range(len(record.node.parents))]
        return {
            "id": f"v{i}",
            "op": f"v{i}op" if record.node.parents else None,
            "edges": edges + ([f"v{i}out"] if record.node.parents else []),
            "data": page_number(record.node.data),
            "text": _forward_text(record, names),
        }

    def backward(step: Any) -> dict:
        i = position[step.node]
        return {
            "edge": f"e{i}_{step.parent_index}",
            "out": f"v{i}out",
            "op": f"v{i}op",
            "node": f"v{i}",
            "parent": f"v{position[step.parent]}",
            "text": step_text(step, root_name, names),
            "grad": page_number(step.gradient),
        }

    return {
        "quiz": quiz,
        "rankdir": rankdir,
        "root": f"v{position[root]}",
        "rootName": root_name,
        "rootGrad": page_number(1.0),
        "values": [f"v{i}" for i in range(len(explanation.order))],
        "forwardStart": "Forward pass: each value is computed from its operands, inputs first. "
        "Press next (or →) to compute them one by one.",
        "forward": [forward(record) for record in explanation.forward],
        "start": f"Backward pass: ∂{root_name}/∂{root_name} = {page_number(1.0)}, the output's gradient with "
        f"respect to itself. Each edge sends back a contribution = local derivative × upstream gradient; a "
        f"value's gradient is the sum of its contributions. Press next (or →) to follow the chain rule back "
        f"to the inputs.",
        "steps": [backward(step) for step in explanation.steps],
        "summary": _summary(explanation, root_name, position),
        "questions": _quiz_questions(explanation, root_name, position) if quiz else [],
        "tooSmall": TOO_SMALL + " " + NEURON_LEVEL_OFFER,
    }


def stepper_html(explanation: Any, *, quiz: bool = False, render: Callable[[str], str] | None = None) -> str:
    """The stepper page for `explanation` (an `autograd_tiny.show.explain.Explanation`).

    Every label reaches the page escaped: the title through `html.escape`, the texts
    (written with `autograd_tiny.show.explain.text_label`) as JSON with ``<`` escaped, and the
    drawing through `draw_dot`'s own escaping.

    Args:
        explanation: the explanation to step through.
        quiz: ask for each step's contribution instead of showing it.
        render: turns DOT text into SVG text where no Graphviz program can run (the browser
            playground passes its WebAssembly Graphviz); None uses the program.
    """
    return _page_html(explanation, quiz, _layout(explanation, render))


def _page_html(explanation: Any, quiz: bool, layout: tuple[str, str, Graph]) -> str:
    """`stepper_html` with the drawing already laid out (`_layout`)."""
    svg, rankdir, _ = layout
    data = _page_data(explanation, quiz, rankdir)
    svg = _blank_gradients(svg, data["root"])
    heading = "Quiz: the backward pass of" if quiz else "Forward and backward pass of"
    return fill_page(
        "stepper.js", title=f"{heading} {data['rootName']}", svg=svg, data=json_for_script(data), quiz=quiz
    )


def fill_page(player: str, *, title: str, svg: str, data: str, quiz: bool) -> str:
    """The page around a drawing: `page_template` with its placeholders filled.

    Args:
        player: the page's own script, ``"stepper.js"`` (value level) or ``"neurons.js"``.
        title: the page's heading, as plain text (escaped here).
        svg: the drawing, its labels already escaped by the renderer.
        data: the frames' data as `json_for_script` wrote it.
        quiz: whether the page is a quiz.
    """
    parts = {
        "TITLE": html.escape(title),
        "SVG": svg,
        "DATA": data,
        "MODE": "quiz" if quiz else "steps",
        "LEVEL": "neurons" if player == "neurons.js" else "values",
        "MAX_SCALE": repr(WINDOW_MAX_SCALE),
        "MIN_LABEL_PX": repr(MIN_LABEL_PX),
    }
    # One pass: text put in (a label, the SVG) is never searched for placeholders again.
    return re.sub(
        r"__(TITLE|SVG|DATA|MODE|LEVEL|MAX_SCALE|MIN_LABEL_PX)__", lambda m: parts[m.group(1)], page_template(player)
    )


# The line a notebook shows under the still picture until the stepper can run.
STILL_LINE = "interactive stepper: trust the notebook or run the cell"


class Stepper:
    """A stepper page for notebooks: displayed inline, in an iframe holding the whole page.

    The page goes in the iframe's ``srcdoc`` attribute, so it needs no file and no server:
    it works offline in JupyterLab, the classic notebook, VS Code and an nbconvert HTML
    export. Click the frame (or tab into it) and the arrow keys step it.

    After the frame comes a still picture of the graph (a PNG) and the line `STILL_LINE`;
    the frame's ``onload`` removes them. An untrusted notebook (one a student just opened)
    shows its HTML sanitized: no iframe and no ``on*`` attribute, but the picture stays, so
    the cell shows the graph and says what to do until the notebook is trusted or the cell
    runs. The display data holds the PNG and the line on their own too ("image/png",
    "text/plain").

    Attributes:
        html: the self-contained page (the same as `save_html` writes).
        quiz: whether the page is a quiz.
        height: the frame's height in CSS pixels.

    >>> from autograd_tiny import Value
    >>> from autograd_tiny.show.explain import explain
    >>> a = Value(3.0, label="a")
    >>> b = a * a; b.label = "b"
    >>> shown = explain(b).stepper()._repr_html_()
    >>> shown.startswith('<div class="autograd-tiny-stepper">'), "<iframe srcdoc=" in shown, "<script" in shown
    (True, True, False)
    """

    def __init__(
        self, page: str, *, quiz: bool = False, height: int = FRAME_HEIGHT, still: Callable[[], Graph] | None = None
    ) -> None:
        self.html = page
        self.quiz = quiz
        self.height = height
        self._still = still  # draws the still picture, only when a notebook asks for it
        self._png: tuple[str, dict] | None = None

    def _still_png(self) -> tuple[str, dict]:
        """The still picture as base64 PNG and its display size ("" when it cannot be drawn)."""
        if self._png is None:
            self._png = ("", {})
            if self._still is not None:
                # The still picture only stands in until the page runs (the page itself keeps
                # labels at 14 px and scrolls), so draw_dot's small-labels warning would be noise.
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", message="this drawing's smallest labels")
                    bundle = self._still()._repr_mimebundle_()
                if isinstance(bundle, tuple):  # (data, metadata): the drawing has a PNG
                    data, metadata = bundle
                    self._png = (data["image/png"], metadata["image/png"])
        return self._png

    def _repr_html_(self) -> str:
        png, size = self._still_png()
        picture = (
            f'<img src="data:image/png;base64,{png}" alt="the graph (a still picture)" width="{size["width"]}" '
            f'height="{size["height"]}" style="max-width: 100%; height: auto;">'
            if png
            else ""
        )
        # html.escape with quote=True: no quote, < or & of the page can end the attribute.
        # sandbox="allow-scripts": the page's own script runs, in an origin of its own, so
        # nothing in the frame can reach the notebook (its cookies, its kernel, its DOM).
        # onload runs only where the notebook is trusted (a sanitizer drops it with the frame).
        # The frame comes first: removing the picture after it never moves the frame (under a
        # pointer about to click into it); untrusted, the frame is gone and the picture shows.
        return (
            '<div class="autograd-tiny-stepper">'
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
            f'style="width: 100%; height: {self.height}px; border: 1px solid #d1d5db; border-radius: 6px;" '
            f'sandbox="allow-scripts" title="autograd_tiny stepper" '
            "onload=\"var still = this.parentNode.querySelector('.autograd-tiny-still'); "
            'if (still) still.parentNode.removeChild(still);"></iframe>'
            f'<div class="autograd-tiny-still">{picture}<p>{STILL_LINE}</p></div></div>'
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        """The HTML above, and the still picture and the line on their own."""
        data = {"text/html": self._repr_html_(), "text/plain": STILL_LINE}
        png, size = self._still_png()
        if not png:
            return data, {}
        data["image/png"] = png
        return data, {"image/png": size}

    def save(self, path: Any) -> str:
        """Write the page to `path` (atomically); return the path."""
        return write_atomically(path, self.html)

    def __repr__(self) -> str:
        kind = "quiz" if self.quiz else "stepper"
        return f"<Stepper ({kind}): display it in Jupyter, or .save('steps.html') and open it in a browser>"


# --------------------------------------------------------------------------------------
# The page's template: package data, read once
# --------------------------------------------------------------------------------------

# The page's markup, style and scripts are real files next to this module (assets/), shipped
# in the wheel as package data. They are read through importlib.resources, never through a
# path built from __file__, so they are found wherever the package is imported from: a
# folder, a wheel, a zip file or Pyodide's virtual file system. page.js is what both pages
# share (drawing, fit and zoom, the quiz's controls); stepper.js plays the value level and
# neurons.js the neuron level.
ASSETS = ("stepper.html", "stepper.css", "page.js", "stepper.js", "neurons.js")
PLAYERS = ("stepper.js", "neurons.js")


def read_asset(name: str) -> str:
    """The text of one of the page's files (`ASSETS`), from the installed package."""
    if name not in ASSETS:
        raise ValueError(f"the stepper page has no asset {name!r}; its assets are {', '.join(ASSETS)}")
    return resources.files(__package__).joinpath("assets").joinpath(name).read_text(encoding="utf-8")


@functools.cache
def page_template(player: str = "stepper.js") -> str:
    """The whole page with its style and script inlined, placeholders (``__TITLE__``…) left in.

    The page must load nothing, so the style and the script (page.js, then the `player`:
    ``"stepper.js"`` for the value level, ``"neurons.js"`` for the neuron level) go inside
    it rather than beside it; `stepper_html` then fills the placeholders.
    """
    if player not in PLAYERS:
        raise ValueError(f"the stepper page has no player {player!r}; its players are {', '.join(PLAYERS)}")
    inlined = {
        "STYLE": read_asset("stepper.css"),
        "SCRIPT": read_asset("page.js") + read_asset(player),
    }
    # One pass, so a placeholder written in the style or the script is never replaced again.
    return re.sub(r"__(STYLE|SCRIPT)__", lambda m: inlined[m.group(1)], read_asset("stepper.html"))
