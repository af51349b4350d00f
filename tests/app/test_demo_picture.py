"""The demo's neuron picture tells the truth: an active neuron, one fresh pass's gradients,
the same picture after eager and compiled training, written as SVG and PNG."""

from __future__ import annotations

import html
import re

import pytest

from autograd_tiny.app.demo import active_neuron_sample, save_neuron_graph, train

PNG = b"\x89PNG\r\n\x1a\n"


def _grads_in_svg(svg: str) -> dict:
    """name -> the gradient the drawing shows for it (SVG text: name, data d, grad g)."""
    texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    shown = {}
    for i, text in enumerate(texts):
        if text.startswith("grad ") and i >= 2 and texts[i - 1].startswith("data "):
            shown[texts[i - 2]] = float(text.split()[1].replace("−", "-"))
    return shown


@pytest.fixture(scope="module")
def eager():
    return train(steps=5, hidden=[4], n=40, seed=3)


def test_picture_shows_an_active_neuron_with_this_pass_gradients_only(eager, tmp_path):
    neuron, i = active_neuron_sample(eager.model, eager.X)
    assert neuron(eager.X[i]).data > 0.0
    leftover = [p.grad for p in neuron.parameters()]
    assert any(g != 0.0 for g in leftover)  # training left gradients behind
    svg_path, png_path = save_neuron_graph(eager, str(tmp_path / "neuron.svg"))
    assert open(png_path, "rb").read().startswith(PNG)
    shown = _grads_in_svg(open(svg_path, encoding="utf-8").read())
    x = eager.X[i]
    # d out / d w_k = x_k for an active ReLU neuron, d out / d b = 1: nothing left over.
    for k, xk in enumerate(x):
        assert shown[f"{neuron.name}.w{k + 1}"] == pytest.approx(round(xk, 4), abs=1e-4)
    assert shown[f"{neuron.name}.b"] == 1.0
    assert [p.grad for p in neuron.parameters()] == leftover  # drawing changed no .grad


def test_eager_and_compiled_training_draw_the_same_picture(eager, tmp_path):
    pytest.importorskip("numpy")
    compiled = train(steps=5, hidden=[4], n=40, seed=3, compiled=True)
    a, _ = save_neuron_graph(eager, str(tmp_path / "eager.svg"))
    b, _ = save_neuron_graph(compiled, str(tmp_path / "compiled.svg"))
    assert open(a, encoding="utf-8").read() == open(b, encoding="utf-8").read()
