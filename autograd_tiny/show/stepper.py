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
JavaScript. It loads nothing from the network, so it also works inside a notebook's
iframe (`Stepper`) and in an exported notebook.

Every number on the page, in the drawing and in the text, is written with 4 decimals
(`page_number`), so the equation and the graph always show the same digits. The graph is
drawn with this pass's own gradients (so each cell is wide enough for its final number)
and then every gradient but the root's is blanked to ``grad ?``; the script fills them
in from the explanation's numbers, never from ``.grad``. Each value is drawn as a one-row
table whose last two cells are its data and its gradient, so the script finds them as the
last two texts of the value's group: a label that contains ``?`` or starts with ``grad``
cannot be mistaken for them.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from ..core.ops import format_number, format_operand, rule_of
from ..core.value import Value
from ..learn.files import write_atomically
from .grading import accepted, telling_slips
from .render import Graph, draw_dot
from .text import chain_text, operand_texts, text_label

__all__ = ["Stepper", "stepper_html", "page_number"]

# The room the page gives its graph on a projector (1024×768 CSS pixels, less the page's
# title, controls, equation and legend). The layout direction is the one whose drawing is
# largest when scaled to fit here.
FIT_WIDTH, FIT_HEIGHT = 990, 540
# Graphviz user units are points: 1 pt = 4/3 CSS px at natural size.
PX_PER_PT = 4 / 3
# The page never blows a small drawing up past this (CSS px per point); its script agrees.
MAX_SCALE = 1.5
# Ranks closer together than Graphviz's default (0.5 in): an op and its value sit one rank
# apart, so a top-to-bottom neuron would otherwise be a third taller than it needs to be.
RANK_SEPARATION = "0.3"

# The notebook frame's height in CSS px: the page fits its graph to whatever it is given.
FRAME_HEIGHT = 640


def page_number(x: float) -> str:
    """A number as the page shows it, in the drawing and in the text: 4 decimals.

    The same format as `autograd_tiny.draw_dot`'s cells, so an equation never shows
    digits the graph does not (inf, -inf and nan are written as such).

    >>> page_number(-2.0), page_number(0.70710678), page_number(float("-inf"))
    ('-2.0000', '0.7071', '-inf')
    """
    return format_number(x, decimals=4)


def _filled(node: Value, names: dict) -> tuple[list[str], list[str]]:
    """The operands of `node`'s op as names and as page numbers (constants as written)."""
    return operand_texts(node, names, decimals=4)


# --------------------------------------------------------------------------------------
# The texts of the frames
# --------------------------------------------------------------------------------------


def _forward_text(record: Any, names: dict) -> str:
    """``n = x1*w1 + x2*w2 + b = -6.0000 + 6.8814 = 0.8814``; a leaf: ``x1 = 2.0000``."""
    node = record.node
    name = text_label(record.name)
    if not node.parents:
        return f"{name} = {page_number(node.data)}  (an input: given)"
    as_names, as_numbers = _filled(node, names)
    rule = rule_of(node)
    return chain_text(name, rule.write(as_names, out=name), rule.write(as_numbers, out=name), page_number(node.data))


def _local_equation(step: Any, names: dict) -> str:
    """``∂o/∂n₍₁₎ = 1 − o² = 1 − 0.7071² = 0.5000``: the local derivative in names and numbers."""
    _, as_numbers = _filled(step.node, names)
    substituted = rule_of(step.node).derivative(
        step.operand_index, as_numbers, out=format_operand(step.node.data, decimals=4)
    )
    if substituted == format_operand(step.local, decimals=4):  # "(-2.0000)" says no more than "-2.0000"
        substituted = page_number(step.local)
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
    parts = " + ".join(format_operand(step.contribution, decimals=4) for step in steps)
    return f"∂{root_name}/∂{value_name} = {parts} = {page_number(gradient)}  (the sum of {value_name}'s contributions)"


def _graded(truth: float, slips: list) -> dict:
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
    for number, (kind, item) in enumerate(plan, start=1):
        if kind == "step":
            step = item
            completes = len(received[step.parent]) > 1 and step is received[step.parent][-1]
            question = {
                "kind": "step",
                "step": step.number - 1,
                "question": _question(step, root_name, number, count),
                "hint": _hint(step, root_name),
                "answer": step_text(step, root_name, names, running=not completes),
                # The drawing shows a gradient once it is known: a value's last contribution
                # leaves its sum to the question that follows.
                "reveal": [] if completes else [[f"v{position[step.parent]}", page_number(step.gradient)]],
                **_graded(step.contribution, explanation.step_slips(step)),
            }
        else:
            value, name = item, text_label(names[item])
            into = received[value]
            question = {
                "kind": "gradient",
                "value": f"v{position[value]}",
                "question": _gradient_question(name, into, root_name, number, count),
                "hint": _gradient_hint(name),
                "answer": _gradient_answer(name, into, explanation.gradients[value], root_name),
                "reveal": [[f"v{position[value]}", page_number(explanation.gradients[value])]],
                **_graded(explanation.gradients[value], explanation.gradient_slips(value)),
            }
        questions.append(question)
    return questions


def _summary(explanation: Any, root_name: str, position: dict) -> list[dict]:
    """One line per input: its gradient, as the sum of its contributions where it has several."""
    lines = []
    leaves = [node for node in explanation.order if not node.parents and node is not explanation.root]
    sums = explanation.leaf_sums()
    for node, (name, parts, grad) in zip(leaves, sums):
        total = " + ".join(format_operand(p, decimals=4) for p in parts) + " = " if len(parts) > 1 else ""
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


def _layout(explanation: Any) -> tuple[str, str]:
    """The drawing (SVG text, without the XML prologue) and its direction, chosen by shape.

    Both directions are drawn; the one that is larger once scaled to fit a 1024×768 window
    wins: left to right for long thin graphs, top to bottom when left to right would be
    too wide (the lecture neuron). Ties (small drawings shown at the largest scale either
    way) go to left to right, the drawings' default.
    """
    best: tuple[float, str, str] | None = None  # (scale, svg, rankdir)
    for rankdir in ("LR", "TB"):
        drawing = draw_dot(explanation.root, gradients=explanation.gradients, rankdir=rankdir)
        drawing.digraph.attr(ranksep=RANK_SEPARATION)
        svg = Graph(drawing.digraph).svg()
        scale = fit_scale(*_svg_size(svg))
        if best is None or scale > best[0] * 1.001:
            best = (scale, svg, rankdir)
    assert best is not None  # the first direction drawn always becomes best
    _, svg, rankdir = best
    return svg[svg.index("<svg") :], rankdir  # the XML prologue has no place inside HTML


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


def _json_for_script(data: Any) -> str:
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
    }


def stepper_html(explanation: Any, *, quiz: bool = False) -> str:
    """The stepper page for `explanation` (an `autograd_tiny.show.explain.Explanation`).

    Every label reaches the page escaped: the title through `html.escape`, the texts
    (written with `autograd_tiny.show.explain.text_label`) as JSON with ``<`` escaped, and the
    drawing through `draw_dot`'s own escaping.

    Args:
        explanation: the explanation to step through.
        quiz: ask for each step's contribution instead of showing it.
    """
    svg, rankdir = _layout(explanation)
    data = _page_data(explanation, quiz, rankdir)
    svg = _blank_gradients(svg, data["root"])
    heading = "Quiz: the backward pass of" if quiz else "Forward and backward pass of"
    parts = {
        "TITLE": html.escape(f"{heading} {data['rootName']}"),
        "SVG": svg,
        "DATA": _json_for_script(data),
        "MODE": "quiz" if quiz else "steps",
        "MAX_SCALE": repr(MAX_SCALE),
    }
    # One pass: text put in (a label, the SVG) is never searched for placeholders again.
    return re.sub(r"__(TITLE|SVG|DATA|MODE|MAX_SCALE)__", lambda m: parts[m.group(1)], PAGE)


class Stepper:
    """A stepper page for notebooks: displayed inline, in an iframe holding the whole page.

    The page goes in the iframe's ``srcdoc`` attribute, so it needs no file and no server:
    it works offline in JupyterLab, the classic notebook, VS Code and an nbconvert HTML
    export. Click the frame (or tab into it) and the arrow keys step it.

    Attributes:
        html: the self-contained page (the same as `save_html` writes).
        quiz: whether the page is a quiz.
        height: the frame's height in CSS pixels.

    >>> from autograd_tiny import Value
    >>> from autograd_tiny.show.explain import explain
    >>> a = Value(3.0, label="a")
    >>> b = a * a; b.label = "b"
    >>> frame = explain(b).stepper()._repr_html_()
    >>> frame.startswith('<iframe srcdoc="&lt;!DOCTYPE html&gt;'), "<script" in frame
    (True, False)
    """

    def __init__(self, page: str, *, quiz: bool = False, height: int = FRAME_HEIGHT) -> None:
        self.html = page
        self.quiz = quiz
        self.height = height

    def _repr_html_(self) -> str:
        # html.escape with quote=True: no quote, < or & of the page can end the attribute.
        # sandbox="allow-scripts": the page's own script runs, in an origin of its own, so
        # nothing in the frame can reach the notebook (its cookies, its kernel, its DOM).
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
            f'style="width: 100%; height: {self.height}px; border: 1px solid #d1d5db; border-radius: 6px;" '
            f'sandbox="allow-scripts" title="autograd_tiny stepper"></iframe>'
        )

    def save(self, path: Any) -> str:
        """Write the page to `path` (atomically); return the path."""
        return write_atomically(path, self.html)

    def __repr__(self) -> str:
        kind = "quiz" if self.quiz else "stepper"
        return f"<Stepper ({kind}): display it in Jupyter, or .save('steps.html') and open it in a browser>"


PAGE = r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__: autograd_tiny</title>
<style>
html, body { margin: 0; height: 100%; }
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #111827;
  padding: 8px 14px; box-sizing: border-box; font-size: 15px; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px; }
h1 { font-size: 17px; margin: 0 8px 0 0; }
button { font-size: 14px; padding: 3px 10px; cursor: pointer; }
#counter { color: #374151; font-variant-numeric: tabular-nums; }
#zoom { margin-left: auto; }
#panel { font-family: ui-monospace, Menlo, Consolas, monospace; background: #f3f4f6; border-radius: 6px;
  padding: 6px 10px; margin: 6px 0; height: 5.4em; overflow: auto; font-size: 14px; line-height: 1.35; }
#equation { white-space: pre-wrap; }
#quiz { display: none; font-family: system-ui, sans-serif; margin-top: 4px; }
body.quiz #quiz { display: block; }
body.quiz #panel { height: 7.6em; }
body.quiz .stepping { display: none; }
#answer { font-size: 15px; width: 9em; padding: 2px 6px; }
#answer.wrong { border: 2px solid #dc2626; background: #fef2f2; }
#feedback.right { color: #15803d; }
#feedback.wrong { color: #b91c1c; font-weight: bold; }
#hinttext { color: #4b5563; }
#graph { overflow: hidden; cursor: grab; touch-action: none; }
#graph.panning { cursor: grabbing; }
#graph svg { display: block; margin: 0 auto; }
#legend { font-size: 13px; color: #374151; display: flex; flex-wrap: wrap; gap: 2px 14px; margin-top: 4px; }
.swatch { display: inline-block; width: 14px; height: 11px; border: 1px solid #6b7280; vertical-align: -1px; margin-right: 4px; }
.line { display: inline-block; width: 22px; height: 0; vertical-align: 3px; margin-right: 4px; }
/* Forward pass: the value just computed and the edges it was computed along. */
.computed polygon, .computed ellipse { stroke: #2563eb; stroke-width: 2.5px; }
.computed-edge path { stroke: #2563eb; stroke-width: 2.5px; }
.computed-edge > polygon { stroke: #2563eb; fill: #2563eb; }
/* Backward pass: the edge (and op) the gradient flows along, in red... */
/* (the edge's own arrowhead stays grey: it points forward, the red one drawn over it back) */
.current path { stroke: #fca5a5; stroke-width: 5px; }  /* light, so the dashes over it show */
.current-node ellipse { stroke: #dc2626; stroke-width: 2.5px; }
/* ...the value whose upstream gradient is used, in orange... */
.upstream polygon { stroke: #ea580c; stroke-width: 2.5px; }
.upstream text:last-of-type { fill: #c2410c; font-weight: bold; }
/* ...and the value that receives the contribution, its gradient in red. */
.updated polygon { stroke: #dc2626; stroke-width: 2.5px; }
.updated text:last-of-type { fill: #b91c1c; font-weight: bold; }
.summary polygon { stroke: #15803d; stroke-width: 2.5px; }
.summary text:last-of-type { fill: #15803d; font-weight: bold; }
/* The gradient's direction: dashes running backward, against the drawn arrow. */
.flow { fill: none; stroke: #dc2626; stroke-width: 3px; stroke-dasharray: 7 5; animation: flow .9s linear infinite;
  marker-start: url(#flow-arrow); pointer-events: none; }
@keyframes flow { to { stroke-dashoffset: 24; } }
@media (prefers-reduced-motion: reduce) { .flow { animation: none; } }
</style>
</head>
<body class="__MODE__">
<header>
<h1>__TITLE__</h1>
<span class="stepping"><button id="first" type="button" title="back to the start (Home)">&laquo; start</button>
<button id="prev" type="button" title="previous step (&larr;)">&#9664; prev</button>
<button id="play" type="button">&#9654; play</button>
<button id="next" type="button" title="next step (&rarr;)">next &#9654;</button>
<button id="to-backward" type="button" title="skip the forward pass (B)">backward &raquo;</button></span>
<span id="counter"></span>
<span id="zoom"><button id="zoom-out" type="button" title="zoom out (-)">&minus;</button>
<button id="zoom-fit" type="button" title="fit the window (0)">fit</button>
<button id="zoom-in" type="button" title="zoom in (+)">+</button></span>
</header>
<div id="panel" aria-live="polite"><div id="equation"></div>
<div id="quiz"><label><span id="asked">Contribution</span>: <input id="answer" type="text" inputmode="decimal" autocomplete="off" spellcheck="false"></label>
<button id="hint" type="button">hint</button> <button id="show" type="button">show answer</button>
<button id="next-question" type="button" disabled>next question &#9654;</button>
<button id="restart" type="button" title="start the quiz again, score 0">restart</button>
<span id="feedback"></span> <div id="hinttext"></div></div></div>
<div id="graph">__SVG__</div>
<div id="legend">
<span><span class="swatch" style="background:#dbeafe"></span>inputs</span>
<span><span class="swatch" style="background:#fde68a"></span>parameters</span>
<span><span class="swatch" style="background:#ffffff"></span>intermediate values</span>
<span><span class="swatch" style="background:#bbf7d0"></span>the output</span>
<span><span class="swatch" style="background:#e5e7eb;border-radius:6px"></span>operations</span>
<span class="stepping"><span class="swatch" style="border:2px solid #2563eb"></span>forward: the value just computed</span>
<span><span class="swatch" style="border:2px solid #ea580c"></span>upstream gradient used</span>
<span><span class="line" style="border-top:3px dashed #dc2626"></span>&#9664; gradient flowing back, against the arrows, to the value in red</span>
<span><span class="swatch" style="border:2px solid #15803d"></span>summary: the inputs' gradients</span>
<span class="help">drag to pan, wheel or &plusmn; to zoom</span>
</div>
<script id="steps-data" type="application/json">__DATA__</script>
<script>
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("steps-data").textContent);
  var steps = data.steps, forward = data.forward;
  // The frames: 0 the forward start, 1..F one value each, F+1 the seed, then one per
  // backward step, and last the summary.
  var SEED = forward.length + 1, SUMMARY = SEED + steps.length + 1, LAST = SUMMARY;
  var current = 0, timer = null;
  var equation = document.getElementById("equation"), counter = document.getElementById("counter");
  var playButton = document.getElementById("play");
  var svg = document.querySelector("#graph svg"), graphBox = document.getElementById("graph");
  var ns = svg.namespaceURI;  // the SVG namespace, read from the drawing
  var overlay = document.createElementNS(ns, "g");
  document.getElementById("graph0").appendChild(overlay);
  addArrowMarker();

  function addArrowMarker() {
    // An arrowhead at the start of a flow line, turned to point backward (toward the parent).
    var defs = document.createElementNS(ns, "defs"), marker = document.createElementNS(ns, "marker");
    marker.setAttribute("id", "flow-arrow");
    marker.setAttribute("viewBox", "0 0 10 10");
    marker.setAttribute("refX", "2"); marker.setAttribute("refY", "5");
    marker.setAttribute("markerWidth", "4"); marker.setAttribute("markerHeight", "4");
    marker.setAttribute("orient", "auto-start-reverse");
    var head = document.createElementNS(ns, "path");
    head.setAttribute("d", "M0,0 L10,5 L0,10 z");
    head.setAttribute("fill", "#dc2626");
    marker.appendChild(head); defs.appendChild(marker); svg.insertBefore(defs, svg.firstChild);
  }

  function cells(id) {
    // A value's data and gradient are the last two texts of its group, whatever the label says.
    var group = document.getElementById(id);
    var texts = group ? group.getElementsByTagName("text") : [];
    return texts.length >= 2 ? {data: texts[texts.length - 2], grad: texts[texts.length - 1]} : null;
  }

  function mark(id, cls) {
    var element = id && document.getElementById(id);
    if (element) element.classList.add(cls);
  }

  function flow(id) {
    // A dashed copy of the edge, on top, its dashes running from the arrow's head to its tail.
    var path = document.querySelector("#" + id + " path");
    if (!path) return;
    var line = path.cloneNode(false);
    line.removeAttribute("stroke"); line.setAttribute("class", "flow");
    overlay.appendChild(line);
  }

  // ------------------------------------------------------------------ what each frame shows

  var questions = data.questions, quiz = null;

  function known(frame) {
    // Values with data, and the gradients known so far (id -> text).
    var dataUpTo = Math.min(frame, forward.length), grads = {};
    if (frame >= SEED) {
      grads[data.root] = data.rootGrad;
      if (data.quiz) {
        for (var id in quiz.revealed) grads[id] = quiz.revealed[id];
      } else {
        for (var i = 0; i < Math.min(frame - SEED, steps.length); i++) grads[steps[i].parent] = steps[i].grad;
      }
    }
    var shown = {};
    for (var k = 0; k < dataUpTo; k++) shown[forward[k].id] = forward[k].data;
    return {data: shown, grads: grads};
  }

  function paint(frame) {
    var now = known(frame);
    data.values.forEach(function (id) {
      var cell = cells(id);
      if (!cell) return;
      cell.data.textContent = "data " + (id in now.data ? now.data[id] : "?");
      cell.grad.textContent = "grad " + (id in now.grads ? now.grads[id] : "?");
    });
    var marks = ["computed", "computed-edge", "current", "current-node", "upstream", "updated", "summary"];
    document.querySelectorAll("." + marks.join(", .")).forEach(function (element) {
      marks.forEach(function (cls) { element.classList.remove(cls); });
    });
    while (overlay.firstChild) overlay.removeChild(overlay.firstChild);
  }

  function highlightStep(step) {
    mark(step.edge, "current"); mark(step.out, "current"); mark(step.op, "current-node");
    mark(step.node, "upstream"); mark(step.parent, "updated");
    flow(step.out); flow(step.edge);
    follow(step.parent);
  }

  function follow(id) {
    // Zoomed in, the view moves to the value this step is about when it is out of sight.
    var element = document.getElementById(id);
    if (!element || (view.w >= full.width && view.h >= full.height)) return;
    var box = element.getBBox(), m = svg.getScreenCTM().inverse().multiply(element.getScreenCTM());
    var cx = m.a * (box.x + box.width / 2) + m.c * (box.y + box.height / 2) + m.e;
    var cy = m.b * (box.x + box.width / 2) + m.d * (box.y + box.height / 2) + m.f;
    if (cx < view.x || cx > view.x + view.w || cy < view.y || cy > view.y + view.h) {
      view = {x: cx - view.w / 2, y: cy - view.h / 2, w: view.w, h: view.h};
      setView();
    }
  }

  function show(frame) {
    current = Math.max(0, Math.min(LAST, frame));
    paint(current);
    if (current === 0) {
      equation.textContent = data.forwardStart;
      counter.textContent = "forward 0 of " + forward.length;
    } else if (current < SEED) {
      var record = forward[current - 1];
      mark(record.id, "computed"); mark(record.op, "computed");
      record.edges.forEach(function (id) { mark(id, "computed-edge"); });
      follow(record.id);
      equation.textContent = record.text;
      counter.textContent = "forward " + current + " of " + forward.length;
    } else if (current === SEED) {
      mark(data.root, "updated");
      equation.textContent = data.start;
      counter.textContent = "backward 0 of " + steps.length;
    } else if (current < SUMMARY) {
      var step = steps[current - SEED - 1];
      highlightStep(step);
      equation.textContent = step.text;
      counter.textContent = "backward " + (current - SEED) + " of " + steps.length;
    } else {
      showSummary();
    }
  }

  function showSummary() {
    var lines = data.summary.map(function (line) { mark(line.id, "summary"); return line.text; });
    var text = "Gradients of the inputs (each the sum of its contributions):\n" + lines.join("     ");
    if (data.quiz) {
      text = "Score: " + quiz.right + " of " + questions.length + " answered right (" + quiz.wrong + " wrong " +
        (quiz.wrong === 1 ? "try" : "tries") + ", " + quiz.hinted + " with a hint, " + quiz.shown +
        " shown). " + text;
    }
    equation.textContent = text;
    counter.textContent = "summary";
  }

  // ------------------------------------------------------------------ stepping

  function stop() { if (timer) { clearInterval(timer); timer = null; playButton.innerHTML = "&#9654; play"; } }
  function play() {
    if (timer) { stop(); return; }
    if (current >= LAST) show(0);
    playButton.innerHTML = "&#10074;&#10074; pause";
    timer = setInterval(function () { if (current >= LAST) stop(); else show(current + 1); }, 1200);
  }
  function on(id, handler) { document.getElementById(id).addEventListener("click", handler); }
  on("first", function () { stop(); show(0); });
  on("prev", function () { stop(); show(current - 1); });
  on("next", function () { stop(); show(current + 1); });
  on("to-backward", function () { stop(); show(SEED); });
  playButton.addEventListener("click", play);

  // ------------------------------------------------------------------ the quiz

  var answer = document.getElementById("answer"), feedback = document.getElementById("feedback");
  var hintText = document.getElementById("hinttext"), asked = document.getElementById("asked");
  var hintButton = document.getElementById("hint"), showButton = document.getElementById("show");
  var nextQuestion = document.getElementById("next-question");

  function parseNumber(text) {
    // A typed number: 1.5, -2, .5, 1e-3, with a typographic minus allowed; inf and nan as words.
    var t = text.trim().replace(/\u2212/g, "-").replace(/\s+/g, "");
    if (/^[+-]?(inf|infinity)$/i.test(t)) return t.charAt(0) === "-" ? -Infinity : Infinity;
    if (/^nan$/i.test(t)) return NaN;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return null;
    return Number(t);
  }

  function within(typed, accept) {
    // The answers one number accepts, computed in Python (autograd_tiny.show.grading.accepted):
    // an interval [low, high] of finite numbers, or "inf", "-inf", "nan" for themselves only.
    if (accept === "nan") return typed !== typed;
    if (accept === "inf") return typed === Infinity;
    if (accept === "-inf") return typed === -Infinity;
    return typed >= accept[0] && typed <= accept[1];  // false for nan and for ±inf
  }

  function grade(typed, question) {
    // Right, or the first slip whose number the answer matches (null: wrong for no known reason).
    if (within(typed, question.right)) return {correct: true, slip: null};
    for (var i = 0; i < question.slips.length; i++) {
      if (within(typed, question.slips[i].accept)) return {correct: false, slip: question.slips[i]};
    }
    return {correct: false, slip: null};
  }
  window.autogradTinyGrade = grade;  // for the tests, which drive it on Python's table of cases

  function setAnswered(answered) {
    // Once a question is answered (or shown), its hint and answer are no use: only "next".
    quiz.answered = answered;
    hintButton.disabled = answered; showButton.disabled = answered;
    nextQuestion.disabled = !answered;
    answer.readOnly = answered;
  }

  function restart() {
    quiz = {question: 0, answered: false, revealed: {}, right: 0, shown: 0, wrong: 0, hinted: 0};
    feedback.textContent = ""; feedback.className = "";
    answer.disabled = false;
    askNext();
  }

  function askNext() {
    hintText.textContent = "";
    answer.value = ""; answer.classList.remove("wrong");
    if (quiz.question >= questions.length) {
      answer.disabled = true; hintButton.disabled = true; showButton.disabled = true; nextQuestion.disabled = true;
      show(SUMMARY);
      return;
    }
    setAnswered(false);
    var question = questions[quiz.question];
    showQuestion(question);
    equation.textContent = question.question;
    asked.textContent = question.kind === "step" ? "Contribution" : "Gradient";
    answer.focus();
  }

  function showQuestion(question) {
    // The step's edge, or the value whose gradient is asked, on the graph as known so far.
    if (question.kind === "step") {
      current = SEED + question.step + 1;
      paint(current);
      highlightStep(steps[question.step]);
    } else {
      current = SUMMARY - 1;
      paint(current);
      mark(question.value, "updated");
      follow(question.value);
    }
    counter.textContent = "question " + (quiz.question + 1) + " of " + questions.length + " \u00b7 score " + quiz.right;
  }

  function reveal(how) {
    var question = questions[quiz.question];
    question.reveal.forEach(function (pair) { quiz.revealed[pair[0]] = pair[1]; });
    if (how === "right") quiz.right += 1; else quiz.shown += 1;
    setAnswered(true);
    answer.classList.remove("wrong");
    showQuestion(question);  // repaint: the revealed gradient appears on the graph
    feedback.className = "right";
    feedback.textContent = (how === "right" ? "\u2713 Right. " : "Answer: ") + question.answer;
    answer.focus();
  }

  function goOn() {
    if (!quiz.answered) return;
    quiz.question += 1;
    feedback.textContent = ""; feedback.className = "";
    askNext();
  }

  answer.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || quiz.question >= questions.length) return;
    event.preventDefault();
    if (quiz.answered) { goOn(); return; }
    if (answer.value.trim() === "") return;
    var typed = parseNumber(answer.value);
    if (typed === null) {
      feedback.className = "wrong";
      feedback.textContent = "\u201c" + answer.value + "\u201d is not a number: type one such as -1.5 or 0.25 (inf and nan are words).";
      return;
    }
    var result = grade(typed, questions[quiz.question]);
    if (result.correct) { reveal("right"); return; }
    quiz.wrong += 1;
    answer.classList.add("wrong");
    feedback.className = "wrong";
    feedback.textContent = "\u2717 " + answer.value.trim() + " is not right. " +
      (result.slip ? result.slip.message + " Try again." : "Try again (or ask for a hint).");
    answer.select();
  });
  on("hint", function () {
    if (quiz.answered || quiz.question >= questions.length) return;
    if (!hintText.textContent) quiz.hinted += 1;
    hintText.textContent = questions[quiz.question].hint;
    answer.focus();
  });
  on("show", function () {
    if (!quiz.answered && quiz.question < questions.length) reveal("shown");
  });
  on("next-question", function () { goOn(); answer.focus(); });
  on("restart", function () { restart(); });

  // ------------------------------------------------------------------ fit, zoom and pan

  // The whole drawing's box, copied: the live viewBox changes as the view zooms and pans.
  var box0 = svg.viewBox.baseVal, full = {x: box0.x, y: box0.y, width: box0.width, height: box0.height};
  var view = {x: full.x, y: full.y, w: full.width, h: full.height};
  var MAX_SCALE = __MAX_SCALE__;  // CSS px per point: a tiny graph is not blown up past this

  function setView() { svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" ")); }

  function fit() {
    // The graph takes the window's height left over by the controls, the panel and the legend.
    var legend = document.getElementById("legend").getBoundingClientRect().height;
    var top = graphBox.getBoundingClientRect().top + window.scrollY;
    var room = Math.max(200, window.innerHeight - top - legend - 14);
    var width = graphBox.clientWidth;
    var scale = Math.min(width / full.width, room / full.height, MAX_SCALE);
    graphBox.style.height = room + "px";
    svg.setAttribute("width", full.width * scale);
    svg.setAttribute("height", full.height * scale);
    view = {x: full.x, y: full.y, w: full.width, h: full.height};
    setView();
  }

  function zoom(factor, cx, cy) {
    // Zoom about a point of the drawing (its centre by default): factor > 1 zooms in.
    if (cx === undefined) { cx = view.x + view.w / 2; cy = view.y + view.h / 2; }
    var w = Math.min(full.width * 4, Math.max(full.width / 20, view.w / factor));
    var h = w * view.h / view.w;
    view = {x: cx - (cx - view.x) * w / view.w, y: cy - (cy - view.y) * h / view.h, w: w, h: h};
    setView();
  }

  function pointInDrawing(event) {
    var box = svg.getBoundingClientRect();
    return {x: view.x + (event.clientX - box.left) / box.width * view.w,
            y: view.y + (event.clientY - box.top) / box.height * view.h};
  }

  graphBox.addEventListener("wheel", function (event) {
    event.preventDefault();
    var p = pointInDrawing(event);
    zoom(event.deltaY < 0 ? 1.2 : 1 / 1.2, p.x, p.y);
  }, {passive: false});
  var drag = null;
  graphBox.addEventListener("pointerdown", function (event) {
    drag = {x: event.clientX, y: event.clientY, view: view};
    graphBox.classList.add("panning");
  });
  window.addEventListener("pointermove", function (event) {
    if (!drag) return;
    var box = svg.getBoundingClientRect();
    view = {x: drag.view.x - (event.clientX - drag.x) / box.width * drag.view.w,
            y: drag.view.y - (event.clientY - drag.y) / box.height * drag.view.h, w: drag.view.w, h: drag.view.h};
    setView();
  });
  window.addEventListener("pointerup", function () {
    drag = null; graphBox.classList.remove("panning");
    if (data.quiz && !answer.disabled) answer.focus();  // the answer box keeps the keys
  });
  on("zoom-in", function () { zoom(1.25); });
  on("zoom-out", function () { zoom(1 / 1.25); });
  on("zoom-fit", fit);
  window.addEventListener("resize", fit);

  document.addEventListener("keydown", function (event) {
    if (event.target === answer) return;  // typing an answer: keys are text
    var key = event.key, handled = true;
    if (key === "+" || key === "=") zoom(1.25);
    else if (key === "-") zoom(1 / 1.25);
    else if (key === "0") fit();
    else if (data.quiz) handled = false;
    else if (key === "ArrowRight") { stop(); show(current + 1); }
    else if (key === "ArrowLeft") { stop(); show(current - 1); }
    else if (key === "Home") { stop(); show(0); }
    else if (key === "End") { stop(); show(LAST); }
    else if (key === "b" || key === "B") { stop(); show(SEED); }
    else handled = false;
    if (handled) event.preventDefault();
  });

  fit();
  if (data.quiz) restart(); else show(0);
})();
</script>
</body>
</html>
"""
