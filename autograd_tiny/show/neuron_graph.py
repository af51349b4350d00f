"""One neuron's own graph, micrograd style, with the numbers of the whole network's backward pass.

A fused neuron of `autograd_tiny.nn` is one ``affine`` node (z = Σ w·a + b) and its activation,
and drawing the loss draws every neuron before it too. `neuron_graph` draws one neuron alone,
as micrograd builds it: a leaf for each input and weight, a ``*`` node for each w·a, the chain
of ``+`` nodes from the bias to z (named ``z(L2.N1)``), and the activation a = f(z) (``a(L2.N1)``,
the name the next layer's inputs carry). Its numbers come from the
neuron view of the whole graph (`autograd_tiny.show.textbook.NeuronView`), so they are
``backward()``'s on the real loss, not a pass over this small copy:

- each weight, the bias and each input show their whole gradient ∂C/∂v (an input from an
  earlier neuron feeds every neuron of this layer: its gradient sums those paths);
- z, each product w·a and each partial sum show δ = ∂C/∂z: a ``+`` passes its gradient on
  unchanged, so every node between the products and z has z's gradient;
- a shows ∂C/∂a.

The data are bit for bit the network's: the fused sum runs in micrograd's order
((b + w₁a₁) + w₂a₂) + …, the order this copy is built in.

>>> import re
>>> from autograd_tiny import MLP, explain
>>> model = MLP(2, [2, 1], activation="tanh", seed=0)
>>> loss = (model([1.0, -2.0]) - 0.5) ** 2
>>> graph = neuron_graph(explain(loss, group="neuron"), "L1.N2")
>>> re.findall(r"<B>([^<]+)</B>", graph.source)  # t1 … t3: the products and the partial sum
['L1.N2.b', 'L1.N2.w1', 'x1', 't1', 't2', 'L1.N2.w2', 'x2', 't3', 'z(L1.N2)', 'a(L1.N2)']
"""

from __future__ import annotations

from typing import Any

from ..core.value import Value, enable_grad
from .render import Graph, draw_dot

__all__ = ["neuron_graph"]


def neuron_graph(view: Any, name: str, sample: int | None = None, *, rankdir: str | None = None) -> Graph:
    """The graph of neuron `name` (``"L2.N1"``) in one sample, drawn with the view's numbers.

    Args:
        view: ``explain(loss, group="neuron")`` of the loss whose gradients to show.
        name: the neuron; `sample` picks the sample when the loss runs the network on several.
        rankdir: as `draw_dot`'s (None: the direction that fits a notebook page).

    Raises:
        ValueError: no neuron has that name (the message lists the names), or the loss
            has several samples and `sample` is None.
    """
    record = view.neuron(name, sample)
    gradients: dict = {}
    with enable_grad():  # the copy must record its parents, even where the caller is in no_grad()
        inputs = [Value(t.a_in, label=t.input_name) for t in record.weights]
        weights = [Value(t.data, label=t.name) for t in record.weights]
        bias = Value(record.bias_data, label=record.bias_name)
        z = bias
        for w, x in zip(weights, inputs):
            product = w * x
            z = z + product
            gradients[product] = gradients[z] = record.delta  # a + passes δ on unchanged
        z.label = f"z({record.name})"
        a = z if record.activation == "linear" else getattr(z, record.activation)()
    if a is not z:
        a.label = f"a({record.name})"
        gradients[a] = record.grad_a
    for w, x, term in zip(weights, inputs, record.weights):
        gradients[w] = term.gradient
        if isinstance(term.source, Value) and term.source in view.gradients:
            gradients[x] = view.gradients[term.source]  # else drawn "grad ?": not reached by backward
    gradients[bias] = record.bias_gradient
    return draw_dot(a, gradients=gradients, rankdir=rankdir)
