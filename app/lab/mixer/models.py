"""POST /api/mix's request: the input, the weights and bias, what to explain, how to encode.

Types and signs only, as in app/lab/models.py; the limits are the Settings' and are checked in
service.py, each naming its field.
"""

from typing import Annotated, Literal

from pydantic import Field, Tag, model_validator

from app.core.mixing import Activation
from app.core.weights import PRESETS
from app.lab.encoding import Encoding
from app.lab.models import Features, Input, Number, Seed, Strict, by_key, numbers


class WeightInit(Strict):
    init: Literal["random", "identity"]
    seed: Seed = 0


class WeightPreset(Strict):
    preset: Literal[PRESETS]  # type: ignore[valid-type]
    standardise: bool = Field(False, description="pca only: the components of the standardised channels")

    @model_validator(mode="after")
    def standardise_is_for_pca(self) -> "WeightPreset":
        if self.standardise and self.preset != "pca":
            raise ValueError("standardise applies to the pca preset only")
        return self


class WeightValues(Strict):
    values: Annotated[list[list[Number]], numbers(2)] = Field(min_length=1, description="Cout×Cin")

    @model_validator(mode="after")
    def rectangular(self) -> "WeightValues":
        if len({len(row) for row in self.values}) != 1 or not self.values[0]:
            raise ValueError("values must be a non-empty Cout×Cin array with rows of equal length")
        return self


class BiasInit(Strict):
    init: Literal["zeros", "random"]
    seed: Seed = 0


class BiasValues(Strict):
    values: Annotated[list[Number], numbers(1)] = Field(min_length=1, description="Cout")


Weight = Annotated[
    Annotated[WeightInit, Tag("init")]
    | Annotated[WeightPreset, Tag("preset")]
    | Annotated[WeightValues, Tag("values")],
    by_key("init", "preset", "values"),
]
Bias = Annotated[Annotated[BiasInit, Tag("init")] | Annotated[BiasValues, Tag("values")], by_key("init", "values")]


class Probe(Strict):
    row: int = Field(ge=0)
    col: int = Field(ge=0)


class MixRequest(Strict):
    input: Input
    features: Features = "rgb"
    max_side: int = Field(256, ge=1, description="images are shrunk so that the longer side ≤ max_side")
    out_channels: int | None = Field(None, ge=1, description="omitted when a preset or explicit values fix it")
    weight: Weight = WeightInit(init="random")
    bias: Bias | None = Field(
        None,
        description="omitted: PyTorch's own beside random weights (those of nn.Conv2d from the weight's seed), "
        "the preset's bias beside a preset, else zeros",
    )
    activation: Activation = "none"
    explain_channel: int | None = Field(None, ge=0)
    probe: Probe | None = None
    encoding: Encoding = "base64"
    include_input_maps: bool = Field(True, description="false leaves input.maps out (the input did not change)")
    include_contributions: bool = Field(
        True,
        description="false leaves explain.contributions out: a client that has X and W[n] has W[n, c]·X[c] too",
    )
    include_output_maps: bool = Field(
        True,
        description="false leaves output.maps out: after an edit of row n of W or of b[n], only Y[n] changed, "
        "and explain.sum for channel n holds its new pre-activation values",
    )
