"""The Mixer: Y = f(W·X + b) on an input, explained channel by channel and pixel by pixel; and the
collapse figure (two linear 1×1 layers are one)."""
