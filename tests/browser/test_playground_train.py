"""The playground's Train panel in Chromium: train, add points, look at a neuron, share the run.

Every number the page shows is checked against CPython's `Trainer` with the same settings
(`autograd_tiny.app.trainer`): the losses step by step, the neuron's drawing and δ view, the
status line. The page is the one `test_playground_page.py` serves (Pyodide beside it, every
request outside 127.0.0.1 aborted). Speed is printed, never asserted here: the 10 steps per
second target is measured by benchmarks/bench_playground.py.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlencode

import pytest

from autograd_tiny.app.trainer import Settings, Trainer
from tests.browser.test_playground_page import check_hostile_link, open_playground, site  # noqa: F401
from tests.show.test_stepper import browser  # noqa: F401  (the headless Chromium fixture)

# The page's run, read from its script (`run` is a top-level binding of playground.js).
RUN = "({steps: run.steps, losses: run.losses, points: run.points, added: run.added, accuracy: run.accuracy})"
# The share of the plot's pixels that lean blue (class +1) and orange (class −1).
COLOURS = """() => {
  const canvas = document.getElementById("plot");
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let blue = 0, orange = 0;
  for (let k = 0; k < data.length; k += 4) {
    if (data[k + 2] > data[k] + 20) blue += 1;
    else if (data[k] > data[k + 2] + 20) orange += 1;
  }
  const all = data.length / 4;
  return [blue / all, orange / all];
}"""


def page_run(page) -> dict:
    return page.evaluate(RUN)


def python_losses(settings: Settings, steps: int, added: list | None = None) -> list[float]:
    """CPython's losses for the same run: the points added at their steps, as the page did."""
    trainer = Trainer(settings)
    pending = sorted(added or [], key=lambda point: point[3])
    losses: list[float] = []
    while trainer.steps < steps or pending:
        while pending and pending[0][3] <= trainer.steps:
            x, y, label, _ = pending.pop(0)
            trainer.add_point(x, y, label)
        if trainer.steps < steps:
            losses += trainer.step(1)
    return losses


def largest_difference(a: list[float], b: list[float]) -> float:
    assert len(a) == len(b)
    return max(abs(x - y) for x, y in zip(a, b))


def click_point(page, index: int) -> None:
    """Click on point `index` of the plot with "pick the sample" chosen."""
    page.check('input[name="click"][value="pick"]')
    x, y = page.evaluate(f"toPixel(run.points[{index}])")
    page.click("#plot", position={"x": x, "y": y})


def test_training_lowers_the_loss_draws_the_boundary_and_gives_pythons_losses(browser, site):  # noqa: F811
    blocked: list = []
    page = open_playground(browser, site, "#mode=train", blocked=blocked)
    try:
        assert page.is_visible("#plot") and not page.is_visible("#type-form")
        assert page.text_content("#train-status") == "step 0 · loss — · accuracy — · 100 points"
        started = time.perf_counter()
        page.click("#run")
        assert page.text_content("#run") == "Pause"
        page.wait_for_function("run.steps >= 60", timeout=120_000)
        page.click("#run")  # pause: a click is answered between two chunks
        seconds = time.perf_counter() - started
        paused = page_run(page)
        page.wait_for_timeout(300)
        assert page_run(page)["steps"] == paused["steps"]  # paused means no more steps
        losses = paused["losses"]
        print(
            f"trained {paused['steps']} steps in {seconds:.1f} s of wall time; the page measured "
            f"{page.evaluate('document.documentElement.dataset.stepsPerSecond')} steps/s"
        )
        assert len(losses) == paused["steps"] >= 60
        assert losses[-1] < 0.5 * losses[0]
        difference = largest_difference(losses, python_losses(Settings(), len(losses)))
        print(f"largest difference from CPython's losses over {len(losses)} steps: {difference:.3g}")
        assert difference <= 1e-12
        status = page.text_content("#train-status")
        accuracy = round(paused["accuracy"] * 100)
        assert status == f"step {len(losses)} · loss {losses[-1]:.4f} · accuracy {accuracy}% · 100 points"
        blue, orange = page.evaluate(COLOURS)
        assert blue > 0.2 and orange > 0.2  # the boundary splits the plot into both classes' colours
        page.screenshot(path="/tmp/playground_train.png")
        assert blocked == []
    finally:
        page.close()


def test_clicks_add_points_of_either_class_and_training_uses_them(browser, site):  # noqa: F811
    page = open_playground(browser, site, "#mode=train&net=8&seed=2")
    try:
        page.click("#plot", position={"x": 60, "y": 60})  # "add class +1" is chosen at first
        page.check('input[name="click"][value="-1"]')
        page.click("#plot", position={"x": 300, "y": 250})
        page.click("#one-step")
        page.click("#one-step")
        run = page_run(page)
        assert len(run["points"]) == 102
        assert [point[2:] for point in run["added"]] == [[1, 0], [-1, 0]]
        settings = Settings.from_text({"net": "8", "seed": "2"})
        assert largest_difference(run["losses"], python_losses(settings, 2, run["added"])) <= 1e-12
        assert page.text_content("#train-status").endswith("· 102 points")
    finally:
        page.close()


def test_a_neurons_graph_and_delta_view_show_pythons_numbers_on_the_picked_sample(browser, site):  # noqa: F811
    page = open_playground(browser, site, "#mode=train&net=4,4&seed=3&act=tanh")
    try:
        for _ in range(3):
            page.click("#one-step")
        click_point(page, 17)
        page.select_option("#neuron", "L2.N2")
        page.click("#neuron-graph")
        trainer = Trainer(Settings.from_text({"net": "4,4", "seed": "3", "act": "tanh"}))
        trainer.step(3)
        dot, text = trainer.neuron_view(17, "L2.N2")
        cells = re.findall(r"<TD>(?:<B>)?([^<]+)(?:</B>)?</TD>", dot)
        drawn = page.eval_on_selector_all("#neuron-drawing svg text", "ts => ts.map(t => t.textContent)")
        assert "grad ?" not in drawn and [cell for cell in cells if cell not in drawn] == []
        (x, y), label = trainer.X[17], trainer.y[17]
        loss = trainer.sample_loss(17).data
        caption = page.text_content("#neuron-caption")
        assert caption.startswith(
            f"L2.N2 on point 17 ({x:.3f}, {y:.3f}), class {'+1' if label > 0 else '−1'}, after 3 steps. "
            f"C = max(0, 1 − y·score) = {loss:.4f} is this point's loss".replace("-", "−")
        )
        page.click("#neuron-delta")
        assert page.text_content("#neuron-text") == text
        assert not page.is_visible("#neuron-drawing svg")
        page.screenshot(path="/tmp/playground_delta.png", full_page=True)
    finally:
        page.close()


def test_copy_link_reopens_the_same_run(browser, site):  # noqa: F811
    page = open_playground(browser, site, "#mode=train")
    try:
        page.select_option("#dataset", "xor")  # a change of dataset starts a new run
        page.fill("#net", "8")
        page.select_option("#act", "tanh")
        page.select_option("#opt", "adam")
        page.fill("#lr", "0.05")
        page.fill("#seed", "7")
        page.click("#reset")
        for _ in range(3):
            page.click("#one-step")
        page.click("#plot", position={"x": 200, "y": 120})
        page.click("#one-step")
        page.click("#one-step")
        click_point(page, 5)
        page.select_option("#neuron", "L1.N2")
        page.click("#neuron-delta")
        page.click("#copy-link")
        link = page.input_value("#link")
        before = page_run(page)
        text = page.text_content("#neuron-text")
    finally:
        page.close()
    assert "mode=train&dataset=xor&net=8&act=tanh&opt=adam&lr=0.05&seed=7&add=" in link
    assert link.endswith("&steps=5&neuron=L1.N2&sample=5&view=delta")
    opened = open_playground(browser, site, link[link.index("#") :])
    try:
        fields = {key: opened.input_value(f"#{key}") for key in ("dataset", "net", "act", "opt", "lr", "seed")}
        assert fields == {"dataset": "xor", "net": "8", "act": "tanh", "opt": "adam", "lr": "0.05", "seed": "7"}
        after = page_run(opened)
        assert after == before  # the same steps, points (added at step 3) and losses, bit for bit
        assert after["added"][0][3] == 3
        assert opened.text_content("#neuron-text") == text
        assert opened.is_visible("#plot")
    finally:
        opened.close()


def test_a_teachers_link_hides_the_parts_it_names(browser, site):  # noqa: F811
    page = open_playground(browser, site)
    try:
        assert page.is_visible("#teacher")
        page.click("#teacher summary")
        for name in ("grads", "settings"):
            page.check(f'#hide-choices input[value="{name}"]')
        page.click("#copy-link")
        link = page.input_value("#link")
        assert link.endswith("&hide=grads%2Csettings")
    finally:
        page.close()
    student = open_playground(browser, site, "#" + urlencode({"mode": "type", "hide": "grads,numbers,dot,inspector"}))
    try:
        texts = student.eval_on_selector_all("#graph svg text", "ts => ts.map(t => t.textContent)")
        assert any(text.startswith("data") for text in texts)
        assert not any(text.startswith("grad") for text in texts)  # the answers are not drawn
        for hidden in ("#numbers", "#dot-source", "#teacher"):
            assert not student.is_visible(hidden)
        student.click("#train")
        assert student.is_visible("#settings") and not student.is_visible("#inspector")
    finally:
        student.close()


HOSTILE_TRAINING = {
    "a dataset of HTML": (
        {"mode": "train", "dataset": "<img src=x onerror=window.pwned=1>"},
        "error: dataset: choose one of moons, circles, xor, spirals; got '<img src=x onerror=window.pwned=1>'",
    ),
    "too many layers": (
        {"mode": "train", "net": "16,16,16,16,16"},
        "error: network: at most 4 hidden layers, like 16,16; got 5",
    ),
    "a learning rate that is a URL": (
        {"mode": "train", "lr": "javascript:window.pwned=1"},
        "error: learning rate: write a number like 0.1; got 'javascript:window.pwned=1'",
    ),
    "a negative seed": (
        {"mode": "train", "seed": "-1"},
        "error: seed: write a whole number from 0 to 2147483647, like 0; got '-1'",
    ),
    "a point without its step": (
        {"mode": "train", "add": "1,2"},
        "error: the link's added point 1 is '1,2'; write x,y,class,step with class 1 or -1, like 0.5,-0.25,1,0",
    ),
    "a point outside the plot": (
        {"mode": "train", "add": "99,99,1,0"},
        "error: the point (99.0, 99.0) is outside the plot; click inside it",
    ),
    "a point added after the last step": (
        {"mode": "train", "add": "0.5,0.5,1,9", "steps": "3"},
        "error: the link's added point 1 comes at step 9, after the run's last step 3",
    ),
    "a sample that does not exist": (
        {"mode": "train", "net": "2", "neuron": "L1.N1", "sample": "100"},
        "error: point 100 does not exist; the points are numbered 0 to 99",
    ),
    "too many steps": (
        {"mode": "train", "steps": "99999"},
        'error: the link\'s steps "99999" is not a whole number from 0 to 5000',
    ),
    "a neuron of HTML": (
        {"mode": "train", "net": "2", "neuron": "<svg onload=window.pwned=1>"},
        'error: the link\'s neuron "<svg onload=window.pwned=1>" is not in this network; it has L1.N1, L1.N2, L2.N1',
    ),
    "an unknown part to hide": (
        {"hide": "grads,<b>"},
        'error: the link hides "<b>", which is not one of expression, grads, numbers, dot, draw, step, quiz, '
        "train, settings, inspector, link",
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE_TRAINING))
def test_a_hostile_training_link_runs_no_script_and_says_what_is_wrong(browser, site, name):  # noqa: F811
    check_hostile_link(browser, site, *HOSTILE_TRAINING[name])


def test_a_learners_visit_from_typing_to_training_and_the_link_brings_it_back(browser, site):  # noqa: F811
    """Type → draw → step → quiz (wrong, then right) → train (the loss falls) → copy link → a
    new page: the same exercise and the same run, number for number."""
    page = open_playground(browser, site)
    try:
        page.fill("#expression", "relu(w*x + b)")
        page.fill("#values", "w=-0.5 x=2 b=1.5")
        page.click("#draw")
        drawn = page.eval_on_selector_all("#graph svg text", "ts => ts.map(t => t.textContent)")
        assert "grad 2.0000" in drawn  # ∂out/∂w = x: the relu passes its upstream 1 (z = 0.5 > 0)
        page.click("#step")
        page.frame_locator("#stepper").get_by_text("forward 0 of 6").wait_for()  # w, x, b, then three ops
        page.click("#quiz")
        frame = page.frame_locator("#stepper")
        frame.locator("#answer").fill("-1")  # relu's output to its input t2 = w·x + b: 1, not −1
        frame.locator("#answer").press("Enter")
        assert frame.locator("#feedback").inner_text().startswith("✗ -1 is not right. Right size, wrong sign")
        frame.locator("#answer").fill("1")
        frame.locator("#answer").press("Enter")
        assert frame.locator("#feedback").inner_text().startswith("✓ Right.")
        page.click("#train")
        page.select_option("#dataset", "circles")
        page.click("#run")
        page.wait_for_function("run.steps >= 25", timeout=120_000)
        page.click("#run")
        run = page_run(page)
        assert run["losses"][-1] < run["losses"][0]
        page.click("#copy-link")
        link = page.input_value("#link")
    finally:
        page.close()
    opened = open_playground(browser, site, link[link.index("#") :])
    try:
        assert opened.input_value("#expression") == "relu(w*x + b)"
        assert opened.input_value("#values") == "w=-0.5 x=2 b=1.5"
        assert opened.input_value("#dataset") == "circles" and opened.is_visible("#plot")
        assert page_run(opened) == run
        settings = Settings.from_text({"dataset": "circles"})
        # circles' points come from sin and cos, which Pyodide's libm may round one ulp apart
        assert largest_difference(run["losses"], python_losses(settings, run["steps"])) <= 1e-12
    finally:
        opened.close()
