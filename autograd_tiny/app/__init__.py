"""The application: the `autograd-tiny` command, the demo, and the safe expression parser."""
