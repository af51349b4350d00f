"""autograd_tiny: a scalar reverse-mode autodiff engine for learning backpropagation.

>>> from autograd_tiny import Value
>>> a = Value(2.0, label="a")
>>> b = a * a + a
>>> b.backward()
>>> a.grad
5.0
"""

from .engine import Value, no_grad, is_grad_enabled
from .graph import topological_order

__version__ = "0.1.0"

__all__ = ["Value", "no_grad", "is_grad_enabled", "topological_order", "__version__"]
