"""Measure how a notebook's drawings show in JupyterLab on a 1024 px page: label sizes, cut-offs.

A helper for the tests (`test_notebook_labels.py`) and for a person checking a notebook by hand::

    python -m tests.paths.label_sizes notebooks/05_backprop_by_hand.ipynb

What it measures, for every drawing output of the notebook (display data holding
``image/svg+xml``, its ``image/png`` twin, and the PNG-only figures matplotlib draws):

* the smallest label, in CSS pixels, as it shows in an output area `OUTPUT_WIDTH` px wide:
  the label's font size times every scale the browser applies (the SVG's own viewBox scale,
  Graphviz's ``size=`` scale, and the shrinking ``max-width: 100%`` does to a wide drawing);
* whether the drawing is cut off: wider than the output area without being scaled down.

The page copies JupyterLab's rules: an SVG is shown as an ``<img>`` of its data (as
JupyterLab's SVG renderer does) and a PNG as an ``<img>`` with the width and height of its
metadata; both get ``max-width: 100%; height: auto``. The label sizes are read in Chromium
(Playwright) from an inline copy of the SVG drawn at the size the ``<img>`` got: each
``<text>``'s computed font size times its ``getScreenCTM()`` scale.

Why `OUTPUT_WIDTH` is 860: JupyterLab 4 in a 1024 px wide window with both side panels
closed keeps a 33 px tab bar on each side (958 px left), the notebook pads each side by
10 px (938), a cell by 5 px (928), the collapser takes 8 px (920) and the prompt column
64 px (856); we round to 860. A classic Notebook page (``--NotebookApp``) is about as wide;
a projector page at 1024 px leaves no more.
"""

from __future__ import annotations

import base64
import glob
import json
import os
import sys
from dataclasses import dataclass, field

# The width of a notebook's output area, in CSS px, on a 1024 px page (see the module docstring).
OUTPUT_WIDTH = 860
# The smallest label anyone may have to read from the back row (issue 22, item 4), and the size
# to aim for where it fits.
MIN_LABEL_PX = 14.0
GOAL_LABEL_PX = 16.0

# Matplotlib's default font sizes, in points: tick labels and legends are "medium" (10 pt).
MATPLOTLIB_SMALLEST_PT = 10.0

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# Set to a folder to measure notebooks there instead (executed copies, say): it is read like
# ``notebooks/``, with its own ``solutions/``.
FOLDER_ENV = "LABEL_SIZES_NOTEBOOKS"


def notebook_paths() -> list[str]:
    """The student notebooks and their solutions (``notebooks/solutions/``, where it exists)."""
    folder = os.environ.get(FOLDER_ENV) or os.path.join(ROOT, "notebooks")
    found = glob.glob(os.path.join(folder, "*.ipynb"))
    found += glob.glob(os.path.join(folder, "solutions", "*.ipynb"))
    return sorted(found)


@dataclass
class Drawing:
    """One drawing in a notebook's outputs.

    `cell` counts every cell from 0 (as ``nb["cells"][cell]``), `output` the cell's outputs.
    `kind` is ``"svg"`` (a Graphviz SVG), ``"png"`` (the SVG's PNG twin) or ``"figure"`` (a
    PNG with no SVG beside it: a matplotlib figure).
    """

    notebook: str
    cell: int
    output: int
    kind: str
    svg: str | None = None
    png: bytes | None = None
    width: float | None = None  # the PNG's metadata width and height, if any
    height: float | None = None
    unconfined: bool = False  # metadata asks JupyterLab not to scale it down to the area

    @property
    def where(self) -> str:
        name = os.path.basename(self.notebook)
        return f"{name} cell {self.cell} output {self.output} ({self.kind})"


@dataclass
class Measure:
    """How a drawing shows: its width, its natural width, its smallest label, cut off or not."""

    drawing: Drawing
    shown_width: float
    natural_width: float
    smallest_px: float
    cut_off: bool
    notes: list[str] = field(default_factory=list)

    def readable(self) -> bool:
        return self.smallest_px >= MIN_LABEL_PX and not self.cut_off

    def __str__(self) -> str:
        cut = ", CUT OFF" if self.cut_off else ""
        return (
            f"{self.drawing.where}: smallest label {self.smallest_px:.1f} px, shown {self.shown_width:.0f} px wide "
            f"of {self.natural_width:.0f} px natural{cut}"
        )


def drawings(path: str) -> list[Drawing]:
    """Every drawing among the saved outputs of the notebook at `path`, in order."""
    with open(path, encoding="utf-8") as file:
        notebook = json.load(file)
    found = []
    for c, cell in enumerate(notebook["cells"]):
        for o, output in enumerate(cell.get("outputs", [])):
            data = output.get("data", {})
            metadata = output.get("metadata", {}).get("image/png", {})
            unconfined = any(
                meta.get("unconfined") for meta in output.get("metadata", {}).values() if isinstance(meta, dict)
            )
            png = base64.b64decode(_text(data["image/png"])) if "image/png" in data else None
            if "image/svg+xml" in data:
                svg = _text(data["image/svg+xml"])
                found.append(Drawing(path, c, o, "svg", svg=svg, unconfined=unconfined))
                if png is not None:
                    found.append(
                        Drawing(
                            path,
                            c,
                            o,
                            "png",
                            svg=svg,
                            png=png,
                            width=metadata.get("width"),
                            height=metadata.get("height"),
                            unconfined=unconfined,
                        )
                    )
            elif png is not None:
                found.append(
                    Drawing(
                        path,
                        c,
                        o,
                        "figure",
                        png=png,
                        width=metadata.get("width"),
                        height=metadata.get("height"),
                        unconfined=unconfined,
                    )
                )
    return found


def _text(value: str | list[str]) -> str:
    """Notebook JSON stores text either whole or as a list of lines."""
    return value if isinstance(value, str) else "".join(value)


def png_size(png: bytes) -> tuple[int, int]:
    """A PNG's width and height in pixels (its IHDR chunk)."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def png_dpi(png: bytes) -> float | None:
    """The dots per inch a PNG's pHYs chunk records (matplotlib writes it), or None."""
    at = png.find(b"pHYs")
    if at < 0 or png[at + 12] != 1:  # unit 1: dots per metre
        return None
    return int.from_bytes(png[at + 4 : at + 8], "big") * 0.0254


# The page: JupyterLab's output-area rules for images, an output area OUTPUT_WIDTH wide.
PAGE = f"""<!doctype html><html><head><style>
body {{ margin: 0; font-family: sans-serif; }}
.output {{ width: {OUTPUT_WIDTH}px; overflow-x: auto; }}
.output img {{ max-width: 100%; height: auto; display: block; }}
.measure {{ position: absolute; left: 0; top: 0; visibility: hidden; }}
.measure svg {{ height: auto; }}
</style></head><body><div class="output"><img id="shown"></div><div class="measure" id="copy"></div></body></html>"""

# Load the image, then read its size, and the smallest label of an inline copy of the SVG
# drawn at that size.
SHOW = """async ([src, width, height, svg, unconfined]) => {
    const img = document.getElementById('shown');
    img.removeAttribute('width'); img.removeAttribute('height');
    img.style.maxWidth = unconfined ? 'none' : '';  // JupyterLab's jp-mod-unconfined
    if (width) img.setAttribute('width', width);
    if (height) img.setAttribute('height', height);
    await new Promise((resolve, reject) => { img.onload = resolve; img.onerror = reject; img.src = src; });
    const box = img.getBoundingClientRect();
    const area = img.parentElement.getBoundingClientRect();
    const result = {shown: box.width, natural: img.naturalWidth, right: box.right, area: area.right,
                    scrolls: img.parentElement.scrollWidth > img.parentElement.clientWidth + 0.5, smallest: null};
    if (svg) {
        const copy = document.getElementById('copy');
        copy.innerHTML = svg;
        const element = copy.querySelector('svg');
        element.style.width = box.width + 'px';
        let smallest = Infinity;
        for (const text of element.querySelectorAll('text')) {
            if (!text.textContent.trim()) continue;
            const ctm = text.getScreenCTM();
            const size = parseFloat(getComputedStyle(text).fontSize) * Math.hypot(ctm.a, ctm.b);
            smallest = Math.min(smallest, size);
        }
        result.smallest = smallest;
        copy.innerHTML = '';
    }
    return result;
}"""


def _svg_body(svg: str) -> str:
    """The SVG without its XML prologue and DOCTYPE (which innerHTML cannot take)."""
    return svg[svg.index("<svg") :]


def measure(page, drawing: Drawing) -> Measure:
    """Show `drawing` in `page` (a Playwright page holding `PAGE`) and measure it."""
    if drawing.kind == "svg":
        assert drawing.svg is not None
        src = "data:image/svg+xml;base64," + base64.b64encode(drawing.svg.encode("utf-8")).decode("ascii")
        got = page.evaluate(SHOW, [src, None, None, _svg_body(drawing.svg), drawing.unconfined])
        smallest = got["smallest"]
        notes = []
    else:
        assert drawing.png is not None
        src = "data:image/png;base64," + base64.b64encode(drawing.png).decode("ascii")
        got = page.evaluate(SHOW, [src, drawing.width, drawing.height, None, drawing.unconfined])
        if drawing.kind == "png":
            # The twin draws the same picture: its labels scale as its width does.
            assert drawing.svg is not None
            twin = measure(
                page,
                Drawing(
                    drawing.notebook,
                    drawing.cell,
                    drawing.output,
                    "svg",
                    svg=drawing.svg,
                    unconfined=drawing.unconfined,
                ),
            )
            smallest = twin.smallest_px * got["shown"] / twin.shown_width
            notes = []
        else:
            # A matplotlib figure: its smallest default font (10 pt) at the dpi it was saved at.
            dpi = png_dpi(drawing.png) or 72.0
            pixels = png_size(drawing.png)[0]
            smallest = MATPLOTLIB_SMALLEST_PT * dpi / 72 * got["shown"] / pixels
            notes = [f"matplotlib figure at {dpi:.0f} dpi; assumes its default 10 pt ticks and legend"]
    cut_off = got["right"] > got["area"] + 0.5 or got["scrolls"]
    return Measure(drawing, got["shown"], got["natural"], smallest, cut_off, notes)


def open_page(browser):
    """A 1024 px wide page holding `PAGE`, ready for `measure`."""
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    page.set_content(PAGE)
    return page


def measure_notebook(browser, path: str) -> list[Measure]:
    """Measure every drawing of the notebook at `path`."""
    page = open_page(browser)
    try:
        return [measure(page, drawing) for drawing in drawings(path)]
    finally:
        page.close()


CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu"]


def main(paths: list[str]) -> int:
    """Print every drawing's measure; exit status 1 if any is unreadable."""
    from playwright.sync_api import sync_playwright

    bad = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for path in paths or notebook_paths():
            for found in measure_notebook(browser, path):
                flag = "  " if found.readable() else "✗ "
                bad += not found.readable() and found.drawing.kind != "figure"
                print(flag + str(found) + "".join(f"  [{note}]" for note in found.notes))
        browser.close()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
