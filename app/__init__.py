"""Pointwise: an interactive lab for 1×1 convolutions."""
