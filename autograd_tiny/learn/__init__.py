"""Learning on top of the core: `nn` (Neuron, Layer, MLP), losses, optimizers, datasets,
`gradcheck`, and saving and loading models (atomic files)."""
