"""The Train panel's answers to the page (`TrainingPage`) and a link's added points (`parse_points`).

Every method answers JSON that the browser's ``JSON.parse`` reads (no NaN or Infinity), and an
error is ``{"error": message}``, never a Python exception: the page shows the message as it is.
What the page sends may be anything JavaScript has: None for undefined, floats, text.
"""

from __future__ import annotations

import json
import math
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from autograd_tiny.app.playground import MAX_LINK_POINTS, TrainingPage, parse_points

NO_RUN = {"error": "error: no training run: press Reset to start one"}
POINT_FORMAT = "write x,y,class,step with class 1 or -1, like 0.5,-0.25,1,0"


def strict(text: str) -> object:
    """`text` read as the browser's JSON.parse reads it: NaN and Infinity are errors."""

    def refuse(constant: str) -> None:
        raise AssertionError(f"the page's JSON.parse cannot read {constant}: {text[:200]}")

    return json.loads(text, parse_constant=refuse)


def started(**fields: str) -> TrainingPage:
    page = TrainingPage()
    answer = strict(page.start(json.dumps({"net": "3", **fields})))
    assert isinstance(answer, dict) and "error" not in answer, answer
    return page


# ------------------------------------------------------------------------------------------
# Before a run, and start's errors
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda page: page.steps(1),
        lambda page: page.boundary(10),
        lambda page: page.add(0.0, 0.0, 1),
        lambda page: page.neuron(0, "L1.N1"),
    ],
    ids=["steps", "boundary", "add", "neuron"],
)
def test_every_method_before_a_run_says_press_reset(call):
    """steps() used to say "training stopped: no training run ...; lower the learning rate"."""
    assert strict(call(TrainingPage())) == NO_RUN


@pytest.mark.parametrize(
    "fields, message",
    [
        ("{not json", "the training settings are not JSON"),
        ("", "the training settings are not JSON"),
        (None, "the training settings are not JSON"),  # JavaScript's undefined
        (5, "the training settings are not JSON"),
        ("[1, 2]", "the training settings must be text by name"),
        ('"moons"', "the training settings must be text by name"),
        ('{"seed": 0}', "the training settings must be text by name"),
        ('{"net": null}', "the training settings must be text by name"),
        ('{"net": ["16"]}', "the training settings must be text by name"),
        ('{"lr": "0"}', "learning rate: choose a number above 0 and at most 10, like 0.1; got '0'"),
        ('{"dataset": "<img src=x>"}', "dataset: choose one of moons, circles, xor, spirals; got '<img src=x>'"),
        ('{"x": "1"}', "unknown training setting 'x'; the settings are dataset, net, act, opt, lr, seed"),
    ],
)
def test_start_refuses_bad_settings(fields, message):
    assert strict(TrainingPage().start(fields)) == {"error": f"error: {message}"}


@pytest.mark.parametrize(
    "points, message",
    [
        ("1,2", f"the link's added point 1 is '1,2'; {POINT_FORMAT}"),
        ("a,b,1", f"the link's added point 1 is 'a,b,1'; {POINT_FORMAT}"),
        ("1,2,3", f"the link's added point 1 is '1,2,3'; {POINT_FORMAT}"),
        ("inf,0,1", f"the link's added point 1 is 'inf,0,1'; {POINT_FORMAT}"),
        ("0,nan,1", f"the link's added point 1 is '0,nan,1'; {POINT_FORMAT}"),
        ("0,0,1,5,6", f"the link's added point 1 is '0,0,1,5,6'; {POINT_FORMAT}"),
        ("0,0,1.0", f"the link's added point 1 is '0,0,1.0'; {POINT_FORMAT}"),
        ("0,0,1,-1", f"the link's added point 1 is '0,0,1,-1'; {POINT_FORMAT}"),
        ("0,0,1;0,0,-1;", f"the link's added point 3 is ''; {POINT_FORMAT}"),
        ("0,0,1,5;0,0,1,2", "the link's added point 2 comes at step 2, before the point before it; keep them in order"),
        (";".join(["0,0,1"] * 301), "the link adds 301 points; at most 300"),
        (None, "the link's added points are not text"),  # parse_points(None) raised AttributeError
        (7, "the link's added points are not text"),
    ],
)
def test_link_points_refuses_bad_points_of_a_link(points, message):
    assert strict(TrainingPage.link_points(points)) == {"error": f"error: {message}"}


def test_link_points_answers_each_point_with_its_step():
    answer = strict(TrainingPage.link_points("0.5,-0.25,1; 0,0,-1,3;1e-3,2,1,3"))
    assert answer == {"points": [[0.5, -0.25, 1, 0], [0.0, 0.0, -1, 3], [0.001, 2.0, 1, 3]]}
    assert strict(TrainingPage.link_points("  ")) == {"points": []}
    assert len(strict(TrainingPage.link_points(";".join(["0,0,1"] * MAX_LINK_POINTS)))["points"]) == 300


def test_a_refused_start_keeps_the_run_going():
    page = started(seed="4")
    strict(page.steps(2))
    assert "error" in strict(page.start('{"lr": "-1"}'))
    assert strict(page.steps(1))["steps"] == 3


def test_start_answers_settings_points_bounds_and_neurons():
    page = TrainingPage()
    answer = strict(page.start('{"dataset": "xor", "net": "2,1", "seed": "9"}'))
    assert isinstance(answer, dict) and page.trainer is not None
    assert answer["settings"] == {"dataset": "xor", "net": "2,1", "act": "relu", "opt": "sgd", "lr": "0.1", "seed": "9"}
    assert answer["points"] == [[x, y, label] for (x, y), label in zip(page.trainer.X, page.trainer.y)]
    assert len(answer["points"]) == 100
    assert answer["bounds"] == list(page.trainer.bounds)
    assert answer["neurons"] == ["L1.N1", "L1.N2", "L2.N1", "L3.N1"]


def test_the_plot_holds_400_points():
    page = started()
    assert all(strict(page.add(0.0, 0.0, 1)) == {"index": k} for k in range(100, 400))
    assert strict(page.add(0.0, 0.0, 1)) == {"error": "error: the plot holds at most 400 points; Reset to start again"}


# ------------------------------------------------------------------------------------------
# steps
# ------------------------------------------------------------------------------------------


def test_steps_answers_the_losses_the_count_and_the_accuracy():
    page = started(seed="1")
    first, second = strict(page.steps(2)), strict(page.steps(1))
    assert isinstance(first, dict) and isinstance(second, dict)
    assert first["losses"] + second["losses"] == page.trainer.losses and second["steps"] == 3
    assert second["accuracy"] == page.trainer.accuracy and 0 <= second["accuracy"] <= 1


@pytest.mark.parametrize(
    "count, message",
    [
        (None, "steps: the page sent None, not a whole number"),
        ("abc", "steps: the page sent 'abc', not a whole number"),
        ("2", "steps: the page sent '2', not a whole number"),
        (1.5, "steps: the page sent 1.5, not a whole number"),
        (math.nan, "steps: the page sent nan, not a whole number"),
        (True, "steps: the page sent True, not a whole number"),
        (0, "steps: take 1 to 10000 steps at a time; got 0"),
        (-2, "steps: take 1 to 10000 steps at a time; got -2"),
        (10**20, "steps: take 1 to 10000 steps at a time; got 100000000000000000000"),
    ],
)
def test_steps_refuses_a_count_that_is_not_1_to_10000(count, message):
    """steps(None) raised TypeError; steps("abc") said "training stopped: invalid literal for int()"."""
    page = started()
    assert strict(page.steps(count)) == {"error": f"error: {message}"}
    assert page.trainer.steps == 0
    assert strict(page.steps(2.0))["steps"] == 2  # JavaScript's numbers may arrive as floats


def run_until_error(page: TrainingPage, most: int = 30) -> dict:
    for _ in range(most):
        answer = strict(page.steps(1))
        assert isinstance(answer, dict)
        if "error" in answer:
            return answer
    raise AssertionError(f"no error in {most} steps; losses {page.trainer.losses[-3:]}")


def test_a_run_whose_gradient_becomes_nan_stops_with_a_clear_error():
    page = started(net="16,16,16,16", lr="10", seed="0")  # ReLU, lr 10: the weights blow up
    answer = run_until_error(page)
    print(f"\n{answer['error']}\nlosses before: {page.trainer.losses[-3:]}")
    assert answer == {
        "error": "error: training stopped at step 7: the gradient of L1.N1.w1 is nan; step() changed no "
        "parameter. Lower lr or scale the inputs, and check the loss with gradcheck; press Reset to start again"
    }
    assert page.trainer.steps == 6 and all(math.isfinite(loss) for loss in page.trainer.losses)


def test_a_run_whose_loss_becomes_infinite_stops_with_a_clear_error():
    page = started(net="16,16,16,16", lr="10", seed="2")
    answer = run_until_error(page)
    print(f"\n{answer['error']}\nlosses before: {page.trainer.losses[-3:]}")
    assert answer == {
        "error": "error: the loss is inf at step 9: training diverged; lower the learning rate and press Reset"
    }
    assert page.trainer.losses[8] == math.inf and math.isfinite(page.trainer.losses[7])


def test_a_chunk_reports_the_first_step_whose_loss_is_not_finite():
    """In a chunk of several steps the error named the last step's loss and the chunk's end."""
    page = started(net="16,16,16,16", lr="10", seed="2")
    answer = strict(page.steps(12))
    assert isinstance(answer, dict)
    losses = page.trainer.losses
    first = next(k for k, loss in enumerate(losses) if not math.isfinite(loss))
    assert answer == {
        "error": f"error: the loss is {losses[first]} at step {first + 1}: training diverged; "
        "lower the learning rate and press Reset"
    }
    assert first + 1 == 9


# ------------------------------------------------------------------------------------------
# boundary, add, neuron
# ------------------------------------------------------------------------------------------


def test_boundary_is_the_grid_of_scores_with_non_finite_as_null():
    page = started(seed="3")
    assert strict(page.boundary(6)) == page.trainer.grid_scores(6)
    assert len(strict(page.boundary(1))) == 4 and len(strict(page.boundary(10**6))) == 100 * 100  # 2 to 100
    w1, *_ = page.trainer.model.parameters()
    w1.data = math.inf  # a diverged network: its scores are inf or nan
    scores, nulls = page.trainer.grid_scores(6), strict(page.boundary(6))
    assert isinstance(nulls, list) and len(nulls) == 36
    assert any(not math.isfinite(s) for s in scores)
    assert nulls == [s if math.isfinite(s) else None for s in scores]


@pytest.mark.parametrize("size", [None, "10", 2.5, math.inf])
def test_boundary_refuses_a_size_that_is_not_a_whole_number(size):
    """boundary(None) raised TypeError, boundary(inf) OverflowError."""
    assert strict(started().boundary(size)) == {"error": f"error: boundary: the page sent {size!r}, not a whole number"}


def test_add_answers_the_index_or_why_not():
    page = started()
    x_min, x_max, _, y_max = page.trainer.bounds
    assert strict(page.add((x_min + x_max) / 2, y_max, -1)) == {"index": 100}
    assert strict(page.add(0.0, 0.0, -1.0)) == {"index": 101}  # JavaScript's -1 may arrive as a float
    assert strict(page.add(x_max + 1, 0.0, 1)) == {
        "error": f"error: the point ({x_max + 1}, 0.0) is outside the plot; click inside it"
    }
    assert strict(page.add(0.0, 0.0, 0)) == {"error": "error: a point's class is -1 or 1, got 0"}
    assert strict(page.add(0.0, 0.0, 0.5)) == {
        "error": "error: the point's class: the page sent 0.5, not a whole number"
    }
    assert strict(page.add(None, 0.0, 1)) == {"error": "error: the point's x: the page sent None, not a number"}
    assert strict(page.add(0.0, "1", 1)) == {"error": "error: the point's y: the page sent '1', not a number"}
    assert len(page.trainer.X) == 102


def test_neuron_answers_the_graph_the_view_the_point_and_its_loss():
    page = started(seed="5")
    strict(page.steps(1))
    answer = strict(page.neuron(7, "L2.N1"))
    assert isinstance(answer, dict)
    (x, y), label = page.trainer.X[7], page.trainer.y[7]
    assert answer["point"] == [x, y, label] and answer["steps"] == 1
    assert answer["loss"] == page.trainer.sample_loss(7).data
    assert answer["dot"].startswith("digraph") and "z(L2.N1)" in answer["dot"]
    assert "L2.N1" in answer["text"]


@pytest.mark.parametrize(
    "index, name, message",
    [
        (100, "L1.N1", "point 100 does not exist; the points are numbered 0 to 99"),
        (-1, "L1.N1", "point -1 does not exist; the points are numbered 0 to 99"),
        (None, "L1.N1", "the point's number: the page sent None, not a whole number"),
        (0.5, "L1.N1", "the point's number: the page sent 0.5, not a whole number"),
        (0, "L9.N1", "no neuron named 'L9.N1' in this graph; its neurons are L1.N1, L1.N2, L1.N3, L2.N1"),
        (0, None, "no neuron named 'None' in this graph; its neurons are L1.N1, L1.N2, L1.N3, L2.N1"),
    ],
)
def test_neuron_refuses(index, name, message):
    assert strict(started().neuron(index, name)) == {"error": f"error: {message}"}


def test_neuron_of_a_diverged_run_is_json_the_page_can_read():
    """The loss of a point was written Infinity, which the page's JSON.parse cannot read."""
    page = started(net="16,16,16,16", lr="10", seed="0")
    run_until_error(page)
    answer = strict(page.neuron(0, "L1.N1"))
    assert isinstance(answer, dict) and "error" not in answer
    assert not math.isfinite(page.trainer.sample_loss(0).data)
    assert answer["loss"] is None


# ------------------------------------------------------------------------------------------
# parse_points on any text
# ------------------------------------------------------------------------------------------

POINTS_ALPHABET = st.sampled_from(list("0123456789,;.-+eE _naifINF") + ["\u0661", "\u00b2", "\x00", "\n"])


@given(st.one_of(st.text(), st.text(POINTS_ALPHABET, max_size=60)))
@example("1,2,1;" * 300)
@example("9" * 5000 + ",0,1")
@example("0,0," + "9" * 5000)
@example("0,0,1," + "9" * 5000)
@example("1e999,0,1")
def test_parse_points_gives_points_or_value_error(text):
    try:
        points = parse_points(text)
    except ValueError as error:
        said = r"^(the link's added point \d+ (is .*; write x,y,class,step|comes at step)|the link adds \d+ points; at most 300)"
        assert re.match(said, str(error)), str(error)
        return
    assert len(points) <= MAX_LINK_POINTS
    for x, y, label, step in points:
        assert isinstance(x, float) and isinstance(y, float) and math.isfinite(x) and math.isfinite(y)
        assert label in (-1, 1) and type(label) is int and type(step) is int and step >= 0
    assert [p[3] for p in points] == sorted(p[3] for p in points)
