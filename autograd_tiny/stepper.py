"""The HTML stepper: one self-contained page that walks through an `Explanation`.

The page embeds the graph as SVG (drawn by `render.draw_dot`, whose element ids come from
topological positions: value ``v3``, its op ``v3op``, the edge from its parent k ``e3_k``),
the steps as JSON, and a little JavaScript. It loads nothing from the network.

The graph is drawn with ``grad ?`` everywhere but the root (seeded with 1) and the page
fills the gradients in from the explanation's own numbers, never from ``.grad``. Each value
is drawn as a one-row table whose last cell is its gradient, so the script finds the
gradient as the last text of the value's group: a label that contains ``?`` or starts
with ``grad`` cannot be mistaken for it.
"""

from __future__ import annotations

import html
import json
from typing import Any

from .explain import text_label
from .render import draw_dot

# Gradients on the page as the drawing writes them: 4 decimals ("inf", "-inf", "nan" as is).
GRAD_FORMAT = "{:.4f}"

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Backward pass of {title}: autograd_tiny</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 1.5em; color: #111827; }}
h1 {{ font-size: 1.3em; margin: 0 0 .6em; }}
#controls button {{ font-size: 1em; padding: .3em .9em; margin-right: .3em; cursor: pointer; }}
#counter {{ margin-left: .6em; color: #4b5563; }}
#equation {{ font-family: ui-monospace, Menlo, Consolas, monospace; background: #f3f4f6; border-radius: 6px;
  padding: .7em 1em; margin: .8em 0; white-space: pre-wrap; min-height: 2.6em; }}
#graph svg {{ max-width: 100%; height: auto; }}
.current path {{ stroke: #dc2626; stroke-width: 3px; }}
.current polygon {{ stroke: #dc2626; fill: #dc2626; }}
.current-node polygon, .current-node ellipse {{ stroke: #dc2626; stroke-width: 2.5px; }}
.updated text {{ fill: #b91c1c; font-weight: bold; }}
.help {{ color: #6b7280; font-size: .9em; }}
</style>
</head>
<body>
<h1>Backward pass of {title}, one edge at a time</h1>
<div id="controls">
<button id="prev" type="button">&#9664; prev</button><button id="play" type="button">&#9654; play</button><button id="next" type="button">next &#9654;</button>
<span id="counter"></span>
</div>
<div id="equation" aria-live="polite"></div>
<div id="graph">{svg}</div>
<p class="help">Arrow keys &larr; &rarr; step back and forward. Red: the edge the gradient flows along in this step.
Gradients fill in as the chain rule reaches each value; a value used more than once adds up its contributions.</p>
<script id="steps-data" type="application/json">{data}</script>
<script>
(function () {{
  "use strict";
  var data = JSON.parse(document.getElementById("steps-data").textContent);
  var steps = data.steps, current = 0, timer = null;
  var equation = document.getElementById("equation"), counter = document.getElementById("counter");
  var playButton = document.getElementById("play");

  function gradText(id) {{
    // The gradient is the last cell of the value's table: its last <text>, whatever the label says.
    var group = document.getElementById(id);
    if (!group) return null;
    var texts = group.getElementsByTagName("text");
    return texts.length ? texts[texts.length - 1] : null;
  }}

  function mark(id, cls, on) {{
    var element = id && document.getElementById(id);
    if (element) element.classList.toggle(cls, on);
  }}

  function show(index) {{
    current = Math.max(0, Math.min(steps.length, index));
    var grads = {{}};
    data.values.forEach(function (id) {{ grads[id] = "?"; }});
    grads[data.root] = data.rootGrad;
    for (var i = 0; i < current; i++) grads[steps[i].parent] = steps[i].grad;
    Object.keys(grads).forEach(function (id) {{
      var text = gradText(id);
      if (text) text.textContent = "grad " + grads[id];
    }});
    document.querySelectorAll(".current, .current-node, .updated").forEach(function (element) {{
      element.classList.remove("current", "current-node", "updated");
    }});
    if (current === 0) {{
      equation.textContent = data.start;
      mark(data.root, "updated", true);
    }} else {{
      var step = steps[current - 1];
      equation.textContent = step.text;
      mark(step.edge, "current", true);
      mark(step.op, "current-node", true);
      mark(step.parent, "updated", true);
    }}
    counter.textContent = "step " + current + " of " + steps.length;
  }}

  function stop() {{ if (timer) {{ clearInterval(timer); timer = null; playButton.innerHTML = "&#9654; play"; }} }}
  function play() {{
    if (timer) {{ stop(); return; }}
    if (current >= steps.length) show(0);
    playButton.innerHTML = "&#10074;&#10074; pause";
    timer = setInterval(function () {{ if (current >= steps.length) stop(); else show(current + 1); }}, 1200);
  }}

  document.getElementById("prev").addEventListener("click", function () {{ stop(); show(current - 1); }});
  document.getElementById("next").addEventListener("click", function () {{ stop(); show(current + 1); }});
  playButton.addEventListener("click", play);
  document.addEventListener("keydown", function (event) {{
    if (event.key === "ArrowRight") {{ stop(); show(current + 1); event.preventDefault(); }}
    if (event.key === "ArrowLeft") {{ stop(); show(current - 1); event.preventDefault(); }}
  }});
  show(0);
}})();
</script>
</body>
</html>
"""


def _json_for_script(data: Any) -> str:
    """JSON that is safe inside a <script> element: every ``<`` is escaped, so no label
    can close the element early or open a comment."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def stepper_html(explanation: Any) -> str:
    """The stepper page for `explanation` (an `autograd_tiny.explain.Explanation`).

    Every label reaches the page escaped: the title through `html.escape`, the step texts
    (written with `autograd_tiny.explain.text_label`) as JSON with ``<`` escaped, and the
    drawing through `draw_dot`'s own escaping.
    """
    position = {node: i for i, node in enumerate(explanation.order)}
    root = explanation.root
    root_name = text_label(explanation.names[root])
    # Only the root's seed is known before the first step; .grad is never read.
    svg = draw_dot(root, gradients={root: 1.0}).svg()
    svg = svg[svg.index("<svg") :]  # drop the XML prologue: the SVG sits inside HTML
    data = {
        "root": f"v{position[root]}",
        "rootGrad": GRAD_FORMAT.format(1.0),
        "values": [f"v{i}" for i in range(len(explanation.order))],
        "start": f"Start: ∂{root_name}/∂{root_name} = 1, the output's gradient with respect to itself. "
        f"Press next (or →) to follow the chain rule back to the inputs.",
        "steps": [
            {
                "edge": f"e{position[step.node]}_{step.parent_index}",
                "op": f"v{position[step.node]}op",
                "parent": f"v{position[step.parent]}",
                "text": step.text(root_name),
                "grad": GRAD_FORMAT.format(step.gradient),
            }
            for step in explanation.steps
        ],
    }
    return PAGE.format(title=html.escape(root_name), svg=svg, data=_json_for_script(data))

