"""The demo: the default recipe reaches 100%, the command writes its files, bad options."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from autograd_tiny import MLP, cross_entropy, hinge, l2
from autograd_tiny.app.cli import main
from autograd_tiny.app.demo import L2_ALPHA, final_accuracy, train
from autograd_tiny.learn.datasets import DATASETS

PNG = b"\x89PNG\r\n\x1a\n"


def test_default_recipe_reaches_full_training_accuracy():
    result = train()  # MLP(2, [16, 16, 1]), 100 moons points, 100 SGD steps, seed 1337
    assert len(result.losses) == 100
    assert final_accuracy(result) == 1.0
    assert result.losses[-1] < result.losses[0] / 10


def test_command_writes_plots_and_graph(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--steps", "3", "--hidden", "4", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "final training accuracy:" in printed
    for name in ("decision_boundary.png", "training_curves.png"):
        path = out / name
        assert f"wrote {path}" in printed
        assert path.read_bytes().startswith(PNG) and path.stat().st_size > 5000
    svg = (out / "neuron_graph.svg").read_text()
    assert "<svg" in svg and "L1.N1.w1" in svg


@pytest.mark.parametrize("dataset, optimizer", [("circles", "adam"), ("spirals", "sgd"), ("xor", "adam")])
def test_other_datasets_and_optimizers_train(dataset, optimizer):
    result = train(steps=30, dataset=dataset, optimizer=optimizer, hidden=[8], n=60)
    assert len(result.losses) == len(result.accuracies) == 30
    assert result.losses[-1] < result.losses[0]
    # The first loss and accuracy are those of a fresh model built the same way, computed here
    # from the loss functions directly (hinge for two classes, cross-entropy for spirals).
    X, y = DATASETS[dataset](n=60, seed=1337)
    classes = len(set(y)) if dataset == "spirals" else 2
    model = MLP(2, [8, 1 if classes == 2 else classes], seed=1337)
    outputs = [model(x) for x in X]
    data_loss = hinge(outputs, y) if classes == 2 else cross_entropy(outputs, y)
    assert result.losses[0] == (data_loss + l2(model.parameters(), L2_ALPHA)).data
    if classes == 2:
        correct = sum((out.data > 0) == (label > 0) for out, label in zip(outputs, y))
    else:
        correct = sum([o.data for o in out].index(max(o.data for o in out)) == label for out, label in zip(outputs, y))
    assert result.accuracies[0] == correct / len(y)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--hidden", "16,x"], "--hidden must be whole numbers"),
        (["--hidden", "0"], "at least 1"),
        (["--steps", "0"], "--steps must be a whole number from 1 to 10000, got 0"),
    ],
)
def test_bad_options_exit_2_with_one_line(args, message, capsys):
    assert main(["demo", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_unknown_dataset_is_rejected_by_the_parser(capsys):
    with pytest.raises(SystemExit, match=r"^2$") as info:
        main(["demo", "--dataset", "mnist"])
    assert info.value.code == 2
    assert "argument --dataset: invalid choice: 'mnist'" in capsys.readouterr().err


def test_python_dash_m_runs_the_command(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "autograd_tiny", "demo", "--steps", "2", "--hidden", "3", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    # The same numbers as training in this process, and every file it says it wrote.
    expected = train(steps=2, hidden=[3])
    assert f"final training accuracy: {final_accuracy(expected):.1%} (loss {expected.losses[-1]:.4f})" in result.stdout
    for name in ("decision_boundary.png", "training_curves.png", "neuron_graph.svg"):
        assert f"wrote {os.path.join(str(tmp_path), name)}" in result.stdout
    assert (tmp_path / "training_curves.png").read_bytes().startswith(PNG)


def test_compiled_command_shows_the_speed_up(tmp_path, capsys):
    assert main(["demo", "--compiled", "--steps", "5", "--hidden", "4", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    # Compiled training gives the eager losses (summed in the same order), so the printed
    # result is the eager one.
    eager = train(steps=5, hidden=[4])
    assert train(steps=5, hidden=[4], compiled=True).losses == pytest.approx(eager.losses, rel=1e-12)
    assert f"final training accuracy: {final_accuracy(eager):.1%} (loss {eager.losses[-1]:.4f})" in out
    line = next(line for line in out.splitlines() if line.startswith("compiled training:"))
    match = re.fullmatch(
        r"compiled training: (\d+\.\d) ms per step including compiling; an eager step takes (\d+) ms \((\d+)x slower\)",
        line,
    )
    assert match, line
