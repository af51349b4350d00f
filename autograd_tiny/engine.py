"""`autograd_tiny.engine`, the path micrograd's code and the lecture import `Value` from.

It is the very module `autograd_tiny.core.value` (one module object under two names, so
patching or reading either one is the same), not a copy: ``from autograd_tiny.engine import Value``.
"""

import sys

from .core import value as _module
from .core.value import *  # noqa: F403  (the names, for type checkers)

sys.modules[__name__] = _module
