"""Pure computation: the 1×1 convolution, its inputs, weights and costs. Imports torch, not FastAPI."""
