"""autograd_tiny: a scalar reverse-mode autodiff engine for learning backpropagation.

>>> from autograd_tiny import Value
>>> a = Value(2.0, label="a")
>>> b = a * a + a
>>> b.backward()
>>> a.grad
5.0
"""

from . import datasets, losses, nn, optim
from .check import GradcheckError, gradcheck
from .compiled_training import CompiledTrainingStep
from .compiler import CompiledGraph, compile_graph
from .datasets import make_circles, make_moons, make_spirals, make_xor
from .engine import Number, Value, define_op, is_grad_enabled, no_grad, scope
from .explain import Explanation, explain
from .grading import Feedback
from .graph import topological_order
from .losses import binary_cross_entropy, cross_entropy, hinge, l2, mse
from .nn import MLP, Layer, Module, Neuron
from .optim import SGD, Adam
from .render import Graph, draw_dot
from .textbook import LayerView, NeuronView

__version__ = "0.1.0"

__all__ = [
    "Value",
    "no_grad",
    "scope",
    "Number",
    "define_op",
    "is_grad_enabled",
    "topological_order",
    "draw_dot",
    "Graph",
    "explain",
    "Explanation",
    "Feedback",
    "NeuronView",
    "LayerView",
    "gradcheck",
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
