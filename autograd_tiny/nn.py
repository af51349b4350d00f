"""`autograd_tiny.nn`, the path micrograd's code and the lecture import `MLP` from.

It is the very module `autograd_tiny.learn.nn` (one module object under two names, so
patching or reading either one is the same), not a copy: ``from autograd_tiny.nn import MLP``.
"""

import sys

from .learn import nn as _module
from .learn.nn import *  # noqa: F403  (the names, for type checkers)

sys.modules[__name__] = _module
