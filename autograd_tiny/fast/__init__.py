"""Fast paths: `compile_graph` turns a recorded graph into straight-line Python (or NumPy)
code; `CompiledTrainingStep` trains an MLP with it."""
