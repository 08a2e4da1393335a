"""The requests of POST /api/learn and POST /api/reduce, as pydantic models: types and signs only.

Limits (steps, pixels, hidden width, channels) live in the Settings and are checked by the
services, service.py and reduce.py, each naming the field and the limit.
"""

from typing import Annotated, Literal

from pydantic import Field, Tag, model_validator

from app.core.learn import Optimizer
from app.core.mixing import Activation
from app.core.weights import COLOUR_PRESETS
from app.lab.encoding import Encoding
from app.lab.models import Features, Input, Number, Seed, Strict, by_key, numbers


class PresetTarget(Strict):
    preset: Literal[tuple(COLOUR_PRESETS)]  # type: ignore[valid-type]


class HiddenMixing(Strict):
    out_channels: int = Field(3, ge=1)
    seed: Seed = 1


class RandomTarget(Strict):
    """A hidden seeded mixing matrix W* and bias b*: "recover the matrix"."""

    random: HiddenMixing


class ExplicitTarget(Strict):
    weight: Annotated[list[list[Number]], numbers(2)] = Field(min_length=1, description="W*, Cout×Cin")
    bias: Annotated[list[Number], numbers(1)] | None = Field(None, description="b*, Cout; omitted: zeros")

    @model_validator(mode="after")
    def rectangular(self) -> "ExplicitTarget":
        if len({len(row) for row in self.weight}) != 1 or not self.weight[0]:
            raise ValueError("weight must be a non-empty Cout×Cin array with rows of equal length")
        return self


class Bottleneck(Strict):
    rank: int = Field(ge=1, description="R: the autoencoder is Cin → R → Cin")
    standardise: bool = False


class AutoencoderTarget(Strict):
    """The input itself, through a linear 1×1 autoencoder Cin → R → Cin: learned PCA."""

    autoencoder: Bottleneck


Target = Annotated[
    Annotated[PresetTarget, Tag("preset")]
    | Annotated[RandomTarget, Tag("random")]
    | Annotated[ExplicitTarget, Tag("weight")]
    | Annotated[AutoencoderTarget, Tag("autoencoder")],
    by_key("preset", "random", "weight", "autoencoder"),
]


class LearnRequest(Strict):
    input: Input
    features: Features = "rgb"
    max_side: int = Field(128, ge=1, description="images are shrunk so that the longer side ≤ max_side")
    target: Target = PresetTarget(preset="grayscale")
    target_activation: Activation = Field("none", description="target = f(W*·X + b*)")
    noise: float = Field(0.0, ge=0, le=10, allow_inf_nan=False, description="std of Gaussian noise on the target")
    hidden: int | None = Field(None, ge=1, description="two 1×1 layers Cin → hidden → Cout with ReLU between")
    optimizer: Optimizer = "adam"
    lr: float = Field(0.05, gt=0, le=100, allow_inf_nan=False)
    momentum: float = Field(0.9, ge=0, lt=1, allow_inf_nan=False, description="SGD only")
    steps: int = Field(300, ge=1)
    every: int = Field(10, ge=1, description="a progress event every `every` steps")
    seed: Seed = 0
    encoding: Encoding = "u8"


class ReduceRequest(Strict):
    input: Input
    features: Features = "bank"
    max_side: int = Field(128, ge=1, description="images are shrunk so that the longer side ≤ max_side")
    standardise: bool = Field(False, description="PCA of the standardised channels (the correlation matrix)")
    rank: int | None = Field(None, ge=1, description="also the components, reduced maps and reconstruction for R")
    encoding: Encoding = "u8"
