"""The names an MLP gives its parts ("L1", "L1.N3", "L1.N3.w1"): written and read in one place.

`autograd_tiny.learn.names` writes them for nn and reads them back for the drawings, the
explanations, the textbook views and the compiled code, so they all agree on what a layer is.
"""

from __future__ import annotations

import re
from pathlib import Path

from autograd_tiny import MLP
from autograd_tiny.learn.names import layer_name, layer_number, layer_of, neuron_name, neuron_numbers
from autograd_tiny.learn.nn import Layer
from autograd_tiny.show.explain import explain
from autograd_tiny.show.render import draw_dot
from autograd_tiny.show.text import natural_key, plural

PACKAGE = Path(__file__).resolve().parents[2] / "autograd_tiny"


def test_names_read_back_what_nn_writes():
    model = MLP(2, [3, 1], seed=0)
    out = model([1.0, -2.0])
    assert [layer.name for layer in model.layers] == [layer_name(1), layer_name(2)] == ["L1", "L2"]
    assert [n.name for n in model.layers[0].neurons] == [neuron_name("L1", k) for k in (1, 2, 3)]
    assert model.parameters()[0].label == "L1.N1.w1" and model.parameters()[-1].label == "L2.N1.b"
    assert out.scope == "L2.N1"
    assert layer_of(out.scope) == "L2" and neuron_numbers(out.scope) == (2, 1) and layer_number("L2") == 2
    assert [neuron_numbers(n.name) for n in model.layers[0].neurons] == [(1, 1), (1, 2), (1, 3)]


def test_a_name_outside_an_mlp():
    assert layer_of("N1") is None and neuron_numbers("N1") is None  # a Neuron on its own
    assert layer_of("encoder.N2") == "encoder" and neuron_numbers("encoder.N2") is None
    assert layer_of("enc.1.N2") == "enc.1"  # a layer's name may hold dots: the neuron's part is the last
    assert neuron_numbers("L1.N2.w1") is None and neuron_numbers("xL1.N2") is None


def two_layers_named_with_dots():
    first, second = Layer(2, 2, name="enc.1", seed=0), Layer(2, 1, name="enc.2", seed=1)
    return second(first([1.0, -1.0]))[0]


def test_layers_named_with_dots_stay_apart():
    # Drawings and explanations took the layer of "enc.1.N1" to be "enc" (the name up to the
    # first dot), so the two layers became one box, "layer enc (3 neurons)"; the compiled code
    # took "enc.1" (up to the last dot). All of them now read it with layer_of.
    out = two_layers_named_with_dots()
    boxes = re.findall(r'\tg\d+ \[label="([^\n"]*)', draw_dot(out, group="layer").digraph.source)
    assert boxes == ["enc.1", "enc.2"]
    text = str(explain(out))
    assert "  layer enc.1 (2 neurons):\n" in text and "  layer enc.2 (1 neuron):\n" in text
    assert "layer enc (" not in text


def test_no_other_module_parses_the_names():
    # The format is written and read in learn/names.py only.
    parsing = re.compile(r'scope\.r?split\(|split\("\."\)|rsplit\("\."|L\(\\d\+\)|\.N\{|f"L\{')
    found = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "names.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if parsing.search(line)
    ]
    assert found == []


def test_one_natural_key_and_one_plural():
    # Both lived in render.py and in text.py; the views now share text.py's.
    definitions = [
        f"{path.relative_to(PACKAGE)}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.match(r"def _?(natural_key|plural)\(", line)
    ]
    assert definitions == [
        "show/text.py: def plural(count: int, word: str) -> str:",
        "show/text.py: def natural_key(key: str) -> list:",
    ]
    assert sorted(["L1.N10", "L1.N2", "L10", "L2"], key=natural_key) == ["L1.N2", "L1.N10", "L2", "L10"]
    assert (plural(1, "neuron"), plural(2, "value")) == ("1 neuron", "2 values")
