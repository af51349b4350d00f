"""autograd_tiny: a scalar reverse-mode autodiff engine for learning backpropagation.

>>> from autograd_tiny import Value
>>> a = Value(2.0, label="a")
>>> b = a * a + a
>>> b.backward()
>>> a.grad
5.0
"""

from .core.forward import jvp, sweep_counts, tangents
from .core.graph import topological_order
from .core.value import Number, Value, define_op, is_grad_enabled, no_grad, scope
from .fast.compiler import CompiledGraph, compile_graph
from .fast.training import CompiledTrainingStep
from .learn import datasets, losses, nn, optim
from .learn.datasets import make_circles, make_moons, make_spirals, make_xor
from .learn.derivatives import grad, hessian, hvp
from .learn.gradcheck import GradcheckError, gradcheck
from .learn.losses import binary_cross_entropy, cross_entropy, hinge, l2, mse
from .learn.nn import MLP, Layer, Module, Neuron
from .learn.optim import SGD, Adam
from .show.explain import Explanation, explain
from .show.grading import Feedback
from .show.render import Graph, draw_dot
from .show.textbook import LayerView, NeuronView

__version__ = "0.1.0"

__all__ = [
    "Value",
    "no_grad",
    "scope",
    "Number",
    "define_op",
    "is_grad_enabled",
    "topological_order",
    "jvp",
    "tangents",
    "sweep_counts",
    "draw_dot",
    "Graph",
    "explain",
    "Explanation",
    "Feedback",
    "NeuronView",
    "LayerView",
    "gradcheck",
    "grad",
    "hessian",
    "hvp",
    "compile_graph",
    "CompiledGraph",
    "CompiledTrainingStep",
    "GradcheckError",
    "Module",
    "Neuron",
    "Layer",
    "MLP",
    "mse",
    "hinge",
    "binary_cross_entropy",
    "cross_entropy",
    "l2",
    "SGD",
    "Adam",
    "make_moons",
    "make_circles",
    "make_xor",
    "make_spirals",
    "nn",
    "losses",
    "optim",
    "datasets",
    "__version__",
]
