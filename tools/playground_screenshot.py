"""Take the README's screenshot of the playground: docs/images/playground.png.

Usage (from the repository root, with Playwright and the pinned Pyodide npm package in
browser/node_modules, as the browser tests need them):

    python tools/playground_screenshot.py [--out docs/images/playground.png]

The picture is a link, so it is the same every time: the Train panel after 150 steps of
MLP(2, [16, 16, 1]) on 100 moons points, the output neuron's δ view on point 89 (the one
orange point the network still gets wrong), at 1280×800. The site is written with the local
Pyodide and served on 127.0.0.1; every other request is blocked.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from pathlib import Path

from autograd_tiny.app.playground import make_server, write_site

ROOT = Path(__file__).resolve().parents[1]
PYODIDE = ROOT / "browser" / "node_modules" / "pyodide"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu"]
HASH = "mode=train&dataset=moons&net=16,16&seed=0&steps=150&neuron=L3.N1&sample=89&view=delta"
SIZE = {"width": 1280, "height": 800}


def screenshot(out: Path) -> None:
    """Write the site, open the link in headless Chromium, save the window as a PNG at `out`."""
    from playwright.sync_api import sync_playwright  # only this tool and the tests need it

    with tempfile.TemporaryDirectory(prefix="playground_screenshot_") as folder:
        write_site(folder, "pyodide/")
        (Path(folder) / "pyodide").symlink_to(PYODIDE, target_is_directory=True)
        server = make_server(folder, 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        site = f"http://127.0.0.1:{server.server_address[1]}/"
        try:
            with sync_playwright() as p:
                executable = CHROMIUM if os.path.exists(CHROMIUM) else None
                browser = p.chromium.launch(executable_path=executable, args=FLAGS)
                page = browser.new_page(viewport=SIZE)
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(site) else r.abort())
                page.goto(f"{site}index.html#{HASH}")
                page.wait_for_function("document.documentElement.dataset.readyMs", timeout=300_000)
                if page.is_visible("#error"):
                    sys.exit(f"playground_screenshot: the page shows an error: {page.text_content('#error')}")
                out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(out))
                print(f"wrote {out}: {page.text_content('#train-status')}")
                browser.close()
        finally:
            server.shutdown()
            server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images" / "playground.png")
    args = parser.parse_args()
    if not (PYODIDE / "pyodide.asm.wasm").exists():
        sys.exit(f"playground_screenshot: no local Pyodide in {PYODIDE}; run `npm ci` in {PYODIDE.parent}")
    screenshot(args.out)


if __name__ == "__main__":
    main()
