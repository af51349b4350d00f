"""`python -m autograd_tiny`: the same as the `autograd-tiny` command."""

import sys

from .app.cli import main

sys.exit(main())
