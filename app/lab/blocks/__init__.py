"""Blocks: where 1×1 convolutions sit in real architectures (bottlenecks, mlpconv, Inception,
MobileNetV2), run stage by stage on an input."""
