"""The engine: `Value` and its ops, each op's rule, the graph walk, grad mode, `define_op`.

No third-party import: the core runs wherever Python runs (Pyodide included)."""
