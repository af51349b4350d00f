"""The playground's Train panel, Python side: `Settings` from the page's text and `Trainer`.

Settings: every field's accepted and refused text, with the exact messages, and a round trip
through the link's text. Trainer: its losses equal, bit for bit, a plain training loop written
here from the library's parts; its picture of the decision boundary, its added points, and the
neuron views, which must not touch any ``.grad``.
"""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_tiny import MLP, SGD, Adam, hinge, l2
from autograd_tiny.app.trainer import (
    ACTIVATIONS,
    DATASETS,
    MAX_POINTS,
    MAX_SEED,
    OPTIMIZERS,
    Settings,
    Trainer,
)
from autograd_tiny.learn.datasets import make_circles, make_moons, make_spirals, make_xor

# ------------------------------------------------------------------------------------------
# Settings.from_text
# ------------------------------------------------------------------------------------------

LR_RANGE = "learning rate: choose a number above 0 and at most 10, like 0.1; got "
NET_WIDTH = "network: write a whole number from 1 to 32, like 16,16 (neurons per hidden layer); got "
SEED_RANGE = "seed: write a whole number from 0 to 2147483647, like 0; got "


def test_defaults_are_micrograd_demos_network_on_moons():
    assert Settings.from_text({}) == Settings() == Settings("moons", (16, 16), "relu", "sgd", 0.1, 0)


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({"dataset": "spirals"}, {"dataset": "spirals"}),
        ({"dataset": "xor"}, {"dataset": "xor"}),
        ({"net": ""}, {"hidden": ()}),  # no hidden layer: a linear classifier
        ({"net": "  "}, {"hidden": ()}),
        ({"net": "1"}, {"hidden": (1,)}),
        ({"net": " 8, 32 ,1,2"}, {"hidden": (8, 32, 1, 2)}),
        ({"act": "tanh"}, {"activation": "tanh"}),
        ({"act": "sigmoid"}, {"activation": "sigmoid"}),
        ({"opt": "adam"}, {"optimizer": "adam"}),
        ({"lr": "10"}, {"lr": 10.0}),
        ({"lr": " 1e-3 "}, {"lr": 0.001}),
        ({"lr": "5e-324"}, {"lr": 5e-324}),  # the smallest float above 0
        ({"seed": "0"}, {"seed": 0}),
        ({"seed": str(2**31 - 1)}, {"seed": 2**31 - 1}),
        ({"seed": " 42 "}, {"seed": 42}),
    ],
)
def test_accepted_text(fields, expected):
    got = Settings.from_text(fields)
    assert {name: getattr(got, name) for name in expected} == expected
    untouched = set(vars(Settings())) - set(expected)
    assert all(getattr(got, name) == getattr(Settings(), name) for name in untouched)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"dataset": "Moons"}, "dataset: choose one of moons, circles, xor, spirals; got 'Moons'"),
        ({"dataset": ""}, "dataset: choose one of moons, circles, xor, spirals; got ''"),
        ({"act": "gelu"}, "activation: choose one of relu, tanh, sigmoid; got 'gelu'"),
        ({"act": "linear"}, "activation: choose one of relu, tanh, sigmoid; got 'linear'"),
        ({"opt": "rmsprop"}, "optimizer: choose one of sgd, adam; got 'rmsprop'"),
        ({"net": "16,16,16,16,16"}, "network: at most 4 hidden layers, like 16,16; got 5"),
        ({"net": "0"}, NET_WIDTH + "'0'"),
        ({"net": "16,33"}, NET_WIDTH + "'33'"),
        ({"net": "16,"}, NET_WIDTH + "''"),
        ({"net": "-4"}, NET_WIDTH + "'-4'"),
        ({"net": "4.0"}, NET_WIDTH + "'4.0'"),
        ({"lr": "0"}, LR_RANGE + "'0'"),
        ({"lr": "-1"}, LR_RANGE + "'-1'"),
        ({"lr": "nan"}, LR_RANGE + "'nan'"),
        ({"lr": "inf"}, LR_RANGE + "'inf'"),
        ({"lr": "11"}, LR_RANGE + "'11'"),
        ({"lr": "1e400"}, LR_RANGE + "'1e400'"),  # float() gives inf
        ({"lr": "abc"}, "learning rate: write a number like 0.1; got 'abc'"),
        ({"lr": ""}, "learning rate: write a number like 0.1; got ''"),
        ({"seed": "-1"}, SEED_RANGE + "'-1'"),
        ({"seed": str(2**31)}, SEED_RANGE + "'2147483648'"),
        ({"seed": "1.5"}, SEED_RANGE + "'1.5'"),
        ({"seed": ""}, SEED_RANGE + "''"),
        ({"color": "red"}, "unknown training setting 'color'; the settings are dataset, net, act, opt, lr, seed"),
        (
            {"zeta": "1", "alpha": "1"},
            "unknown training setting 'alpha'; the settings are dataset, net, act, opt, lr, seed",
        ),
    ],
)
def test_refused_text_names_the_field(fields, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        Settings.from_text(fields)


@pytest.mark.parametrize("text", ["²", "³2", "½"])
def test_digits_that_int_cannot_read_are_refused_with_the_fields_message(text):
    """str.isdigit() says True for superscripts, but int() cannot read them: the message was
    int()'s own ("invalid literal for int() with base 10: '²'"), naming no field."""
    with pytest.raises(ValueError, match=f"^{re.escape(SEED_RANGE + repr(text))}$"):
        Settings.from_text({"seed": text})
    with pytest.raises(ValueError, match=f"^{re.escape(NET_WIDTH + repr(text))}$"):
        Settings.from_text({"net": text})


def test_a_huge_whole_number_is_refused_with_the_fields_message():
    """int() refuses more than 4300 digits with its own message (about sys.set_int_max_str_digits)."""
    text = "9" * 5000
    with pytest.raises(ValueError, match=f"^{re.escape(SEED_RANGE + repr(text[:40]))}$"):
        Settings.from_text({"seed": text})


@pytest.mark.parametrize("field", ["dataset", "act", "opt", "lr", "seed", "net", "<script>alert(1)</script>"])
def test_hostile_text_is_echoed_as_a_short_repr(field):
    hostile = "<script>alert('x')</script>\n" + "y" * 100
    fields = {"net": hostile} if field == "net" else {field: hostile}
    with pytest.raises(ValueError) as caught:
        Settings.from_text(fields)
    message = str(caught.value)
    assert "\n" not in message  # the newline is written \n by repr
    shown = repr(hostile[:40]) if field != "net" else repr(hostile.strip()[:40])
    if field.startswith("<"):
        shown = repr(field[:40])
    assert shown in message and "y" * 50 not in message


settings_strategy = st.builds(
    Settings,
    dataset=st.sampled_from(tuple(DATASETS)),
    hidden=st.lists(st.integers(1, 32), max_size=4).map(tuple),
    activation=st.sampled_from(ACTIVATIONS),
    optimizer=st.sampled_from(OPTIMIZERS),
    lr=st.floats(min_value=0, max_value=10, exclude_min=True, allow_subnormal=True),
    seed=st.integers(0, MAX_SEED),
)


@given(settings_strategy)
def test_as_text_reads_back_as_the_same_settings(chosen):
    text = chosen.as_text()
    assert all(isinstance(value, str) for value in text.values()) and tuple(text) == Settings.KEYS
    assert Settings.from_text(text) == chosen


# ------------------------------------------------------------------------------------------
# Trainer: the same numbers as a plain training loop
# ------------------------------------------------------------------------------------------


def plain_data(dataset: str, seed: int) -> tuple[list, list]:
    """The dataset as a learner would make it, labelled ±1."""
    if dataset == "spirals":
        X, labels = make_spirals(100, seed=seed, classes=2)
        return X, [2 * label - 1 for label in labels]
    return {"moons": make_moons, "circles": make_circles, "xor": make_xor}[dataset](100, seed=seed)


def plain_losses(chosen: Settings, steps: int, extra: tuple = ()) -> list[float]:
    """micrograd's training loop, written out: the losses before each update."""
    X, y = plain_data(chosen.dataset, chosen.seed)
    for x1, x2, label in extra:
        X, y = [*X, [x1, x2]], [*y, label]
    model = MLP(2, [*chosen.hidden, 1], activation=chosen.activation, seed=chosen.seed)
    optimizer = (SGD if chosen.optimizer == "sgd" else Adam)(model.parameters(), lr=chosen.lr)
    losses = []
    for _ in range(steps):
        loss = hinge([model(x) for x in X], y) + l2(model.parameters(), 1e-4)
        model.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.data)
    return losses


@pytest.mark.parametrize("dataset", tuple(DATASETS))
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_losses_equal_a_plain_loop_bit_for_bit(dataset, optimizer, activation):
    chosen = Settings(dataset, (3, 2), activation, optimizer, 0.05, 7)
    trainer = Trainer(chosen)
    losses = trainer.step(2) + trainer.step(1)  # in chunks, as the page steps
    assert losses == plain_losses(chosen, 3)
    assert trainer.losses == losses and trainer.steps == 3


@pytest.mark.parametrize("dataset", tuple(DATASETS))
def test_the_loss_falls_over_50_steps_with_the_defaults(dataset):
    trainer = Trainer(Settings(dataset=dataset))
    losses = trainer.step(50)
    print(f"\n{dataset}: loss {losses[0]:.4f} -> {losses[-1]:.4f}, accuracy {trainer.accuracy:.2f}")
    assert losses[-1] < 0.8 * losses[0]
    assert trainer.steps == 50 and len(trainer.losses) == 50


def test_same_settings_same_losses_other_seed_other_losses():
    first, again = Trainer(Settings(hidden=(4,))), Trainer(Settings(hidden=(4,)))
    other = Trainer(Settings(hidden=(4,), seed=1))
    assert first.step(5) == again.step(5)
    assert first.X == again.X and first.y == again.y
    assert other.step(5) != first.losses and other.X != first.X


@pytest.mark.parametrize("count", [0, -3, 10_001])
def test_step_refuses_a_count_outside_1_to_the_limit(count):
    """step(-3) used to return [] and set the steps counter to -3."""
    trainer = Trainer(Settings(hidden=(2,)))
    with pytest.raises(ValueError, match=f"^steps: take 1 to 10000 steps at a time; got {count}$"):
        trainer.step(count)
    assert trainer.steps == 0 and trainer.losses == []


# A run that overflows: ReLU with learning rate 10 on a deep network; its gradients become
# nan after a few steps and the optimizer refuses to step (ValueError).
DIVERGING = Settings(hidden=(16, 16, 16, 16), lr=10.0, seed=0)


def test_a_step_that_fails_leaves_the_counter_equal_to_the_updates_made():
    """A chunk whose k-th step failed had made k - 1 updates, but counted none of them."""
    trainer = Trainer(DIVERGING)
    with pytest.raises(ValueError, match=r"^the gradient of L1\.N1\.w1 is nan; step\(\) changed no parameter"):
        trainer.step(100)
    assert 1 <= trainer.steps < 100
    assert trainer.losses == plain_losses(DIVERGING, trainer.steps)
    print(f"\nthe diverging run stopped after {trainer.steps} updates; last losses {trainer.losses[-2:]}")


# ------------------------------------------------------------------------------------------
# The decision boundary's picture
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 2, 5])
def test_grid_scores_are_the_models_scores_at_the_cell_centres_from_the_top(size):
    trainer = Trainer(Settings(hidden=(3,), dataset="xor"))
    trainer.step(2)
    x_min, x_max, y_min, y_max = trainer.bounds
    expected = []
    for row in range(size):  # the top row (largest y) first
        y = y_max - (row + 0.5) * (y_max - y_min) / size
        expected += [trainer.model([x_min + (col + 0.5) * (x_max - x_min) / size, y]).data for col in range(size)]
    assert trainer.grid_scores(size) == expected
    assert len(expected) == size * size


def test_grid_rows_run_from_the_top_down():
    """A network whose score is its input y (one neuron, weights 0 and 1) shows it: each row's
    scores fall from the first row to the last."""
    trainer = Trainer(Settings(hidden=()))
    w1, w2, b = trainer.model.parameters()
    w1.data, w2.data, b.data = 0.0, 1.0, 0.0
    scores = trainer.grid_scores(4)
    rows = [scores[4 * r : 4 * r + 4] for r in range(4)]
    assert all(len(set(row)) == 1 for row in rows)
    assert [row[0] for row in rows] == sorted((row[0] for row in rows), reverse=True)
    assert rows[0][0] == trainer.bounds[3] - 0.125 * (trainer.bounds[3] - trainer.bounds[2])


@pytest.mark.parametrize("dataset", tuple(DATASETS))
@pytest.mark.parametrize("seed", [0, 3])
def test_bounds_are_a_square_holding_every_point(dataset, seed):
    trainer = Trainer(Settings(dataset=dataset, seed=seed, hidden=(1,)))
    x_min, x_max, y_min, y_max = trainer.bounds
    assert math.isclose(x_max - x_min, y_max - y_min)
    assert all(x_min < x < x_max and y_min < y < y_max for x, y in trainer.X)


# ------------------------------------------------------------------------------------------
# Added points
# ------------------------------------------------------------------------------------------


def test_added_points_enter_the_next_steps_loss():
    chosen = Settings(hidden=(3,), seed=2)
    with_point, without = Trainer(chosen), Trainer(chosen)
    x_min, _, y_min, _ = with_point.bounds
    assert with_point.add_point(x_min, y_min, 1) == 100  # a corner: inside (bounds included)
    assert with_point.step(2) == plain_losses(chosen, 2, extra=((x_min, y_min, 1),))
    assert with_point.losses[0] != without.step(1)[0]


@pytest.mark.parametrize(
    "point, message",
    [
        ((0.0, 0.0, 0), "a point's class is -1 or 1, got 0"),
        ((0.0, 0.0, 2), "a point's class is -1 or 1, got 2"),
        ((100.0, 0.0, 1), "the point (100.0, 0.0) is outside the plot; click inside it"),
        ((0.0, -100.0, -1), "the point (0.0, -100.0) is outside the plot; click inside it"),
        ((math.nan, 0.0, 1), "the point (nan, 0.0) is outside the plot; click inside it"),
        ((math.inf, 0.0, 1), "the point (inf, 0.0) is outside the plot; click inside it"),
    ],
)
def test_add_point_refuses(point, message):
    trainer = Trainer(Settings(hidden=(1,)))
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        trainer.add_point(*point)
    assert len(trainer.X) == len(trainer.y) == 100


def test_add_point_refuses_beyond_max_points():
    trainer = Trainer(Settings(hidden=(1,)))
    for k in range(MAX_POINTS - 100):
        trainer.add_point(0.0, 0.0, 1 if k % 2 else -1)
    with pytest.raises(ValueError, match=r"^the plot holds at most 400 points; Reset to start again$"):
        trainer.add_point(0.0, 0.0, 1)
    assert len(trainer.X) == MAX_POINTS


# ------------------------------------------------------------------------------------------
# One point's loss and one neuron's view
# ------------------------------------------------------------------------------------------


def test_sample_loss_is_that_points_hinge_term_named_c():
    trainer = Trainer(Settings(hidden=(3,)))
    loss = trainer.sample_loss(5)
    score = trainer.model(trainer.X[5]).data
    assert loss.label == "C"
    assert loss.data == max(0.0, 1 + -trainer.y[5] * score)


@pytest.mark.parametrize("index", [-1, 100, 10**6])
def test_a_point_that_does_not_exist(index):
    trainer = Trainer(Settings(hidden=(2,)))
    message = f"point {index} does not exist; the points are numbered 0 to 99"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        trainer.sample_loss(index)
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        trainer.neuron_view(index, "L1.N1")


@pytest.mark.parametrize("name", ["L3.N1", "l1.n1", "", "<b>"])
def test_an_unknown_neuron_lists_the_names(name):
    trainer = Trainer(Settings(hidden=(2,)))
    message = f"no neuron named {name!r} in this graph; its neurons are L1.N1, L1.N2, L2.N1"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        trainer.neuron_view(0, name)


def test_neuron_view_is_pure_and_shows_that_points_numbers():
    trainer = Trainer(Settings(hidden=(3, 2), activation="tanh"))
    trainer.step(2)
    params = trainer.model.parameters()
    before = [(p.data, p.grad) for p in params]
    for name in trainer.neuron_names():
        dot, text = trainer.neuron_view(4, name)
        assert f"z({name})" in dot and name in text
    assert [(p.data, p.grad) for p in params] == before
    assert trainer.step(1) == plain_losses(trainer.settings, 3)[2:]  # and training goes on as before


def test_neuron_view_of_the_output_neuron_shows_its_delta():
    """δ of the output neuron is ∂C/∂score = −y where the hinge is active (C = relu(1 − y·score))."""
    trainer = Trainer(Settings(hidden=(2,)))
    for label, delta in ((1, "−1"), (-1, "1")):
        index = next(k for k in range(100) if trainer.y[k] == label and trainer.sample_loss(k).data > 0)
        _, text = trainer.neuron_view(index, "L2.N1")
        assert f"    δ = ∂C/∂z = ∂C/∂a = {delta}  (a = z: the identity, derivative 1)" in text.splitlines()


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(tuple(DATASETS)), st.integers(0, 99))
def test_every_neuron_view_works_on_every_dataset(dataset, index):
    trainer = Trainer(Settings(dataset=dataset, hidden=(2,)))
    for name in trainer.neuron_names():
        dot, text = trainer.neuron_view(index, name)
        assert dot.startswith("digraph") and text
