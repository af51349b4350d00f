"""Every public callable takes its options by keyword, past a short documented list of positional ones.

So ``SGD(params, 0.1, 0.9)`` is a clear TypeError rather than a silent choice of option.
"""

import inspect

import pytest

import autograd_tiny

# name -> (the parameters that may be given by position, why)
POSITIONAL = {
    "Value": (["data"], "the number is the value; label is an option (micrograd's second argument was _children)"),
    "scope": (["name"], "the scope's only argument"),
    "define_op": (["name", "forward", "derivatives"], "the three things that make an op; how it is shown is options"),
    "topological_order": (["root"], "the graph's root"),
    "jvp": (["f", "xs", "vs"], "the function, the point and the direction, as JAX's jvp(f, primals, tangents)"),
    "tangents": (["root", "seeds"], "the graph's root and the inputs' tangents"),
    "sweep_counts": (["root"], "the graph's root; which inputs to count is an option"),
    "draw_dot": (["root"], "the graph's root, as in micrograd's draw_dot(root)"),
    "Graph": (["digraph"], "wraps one graphviz.Digraph"),
    "explain": (["root"], "the graph's root"),
    "Explanation": (["root"], "the graph's root"),
    "Feedback": (["correct", "mistake", "message"], "a record of three fields, as check() returns it"),
    "NeuronView": (["root"], "the graph's root"),
    "LayerView": (["root"], "the graph's root"),
    "gradcheck": (["f", "inputs"], "the function and the point to check it at"),
    "compile_graph": (["root", "inputs"], "the graph and the Values that become arguments"),
    "CompiledGraph": (["root", "inputs"], "as compile_graph"),
    "CompiledTrainingStep": (["model", "X", "y"], "the model and its training data, as a training loop names them"),
    "Neuron": (["nin", "activation"], "micrograd's Neuron(nin) plus the activation, read as a phrase"),
    "Layer": (["nin", "nout", "activation"], "micrograd's Layer(nin, nout) plus the activation"),
    "MLP": (
        ["nin", "nouts", "activation", "output_activation"],
        "micrograd's MLP(nin, nouts), then the hidden and the output activation (issue 12's signature)",
    ),
    "mse": (["predictions", "targets"], "a loss compares two lists"),
    "hinge": (["scores", "labels"], "a loss compares two lists"),
    "binary_cross_entropy": (["logits", "labels"], "a loss compares two lists"),
    "cross_entropy": (["logits", "labels"], "a loss compares two lists"),
    "l2": (["parameters", "alpha"], "micrograd's demo writes alpha * sum(p*p): the strength is the point"),
    "SGD": (["params", "lr"], "what to update and by how much; momentum and decay are options"),
    "Adam": (["params", "lr"], "as SGD"),
    "make_moons": (["n"], "how many points; noise and seed are options"),
    "grad": (["f"], "the function; argnum is an option"),
    "hessian": (["f"], "the function"),
    "hvp": (["f"], "the function"),
    "make_circles": (["n"], "as make_moons"),
    "make_xor": (["n"], "as make_moons"),
    "make_spirals": (["n"], "as make_moons"),
}

# Public names that take no arguments, or are not called with options at all.
NO_OPTIONS = {"no_grad", "is_grad_enabled", "Module", "Number", "GradcheckError"}


def public_callables():
    for name in autograd_tiny.__all__:
        obj = getattr(autograd_tiny, name)
        if callable(obj) and not inspect.ismodule(obj) and name not in NO_OPTIONS:
            yield name, obj


def test_every_public_callable_is_listed():
    assert sorted(name for name, _ in public_callables()) == sorted(POSITIONAL)


@pytest.mark.parametrize("name, obj", list(public_callables()))
def test_options_are_keyword_only_past_the_documented_positional_ones(name, obj):
    positional = [
        p.name
        for p in inspect.signature(obj).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    assert positional == POSITIONAL[name][0]


def test_a_positional_option_is_a_clear_error():
    params = [autograd_tiny.Value(1.0)]
    with pytest.raises(TypeError, match=r"takes 3 positional arguments but 4 were given"):
        autograd_tiny.SGD(params, 0.1, 0.9)
    with pytest.raises(TypeError, match=r"takes 2 positional arguments but 3 were given"):
        autograd_tiny.Value(1.0, "a")
    with pytest.raises(TypeError, match=r"explain\(\) takes 1 positional argument but 2 were given"):
        autograd_tiny.explain(params[0], "neuron")
