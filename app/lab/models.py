"""The requests the lab serves, as pydantic models: types and signs only.

The limits (how many channels, how large, how much work) live in the Settings and are checked by
`app.lab.limits`, so that one field is refused in one place with one message.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from app.core.mixing import Activation
from app.core.weights import PRESETS
from app.lab.encoding import Encoding

# Explicit numbers are finite and bounded, so that no product can overflow float32.
Number = Annotated[float, Field(allow_inf_nan=False, ge=-1e4, le=1e4)]
Seed = Annotated[int, Field(ge=0, le=2**32 - 1)]
Side = Annotated[int, Field(ge=1)]
Features = Literal["rgb", "bank"]  # images only: 3 RGB channels in [0, 1], or the feature bank


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class SampleInput(Strict):
    source: Literal["sample"]
    name: str = Field(max_length=64)


class UploadInput(Strict):
    source: Literal["upload"]
    image_id: str = Field(max_length=64)


class RandomInput(Strict):
    source: Literal["random"]
    channels: int = Field(8, ge=1)
    height: Side = 32
    width: Side = 32
    seed: Seed = 0
    distribution: Literal["normal", "uniform"] = "normal"


class ValuesInput(Strict):
    source: Literal["values"]
    values: list[list[list[Number]]] = Field(min_length=1, description="C×H×W")

    @model_validator(mode="after")
    def rectangular(self) -> "ValuesInput":
        height = len(self.values[0])
        width = len(self.values[0][0]) if height else 0
        if height == 0 or width == 0:
            raise ValueError("values must be a non-empty C×H×W array")
        for plane in self.values:
            if len(plane) != height or any(len(row) != width for row in plane):
                raise ValueError(f"values must be a C×H×W array: every channel {height}×{width}")
        return self


Input = Annotated[SampleInput | UploadInput | RandomInput | ValuesInput, Field(discriminator="source")]


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
    values: list[list[Number]] = Field(min_length=1, description="Cout×Cin")

    @model_validator(mode="after")
    def rectangular(self) -> "WeightValues":
        if len({len(row) for row in self.values}) != 1 or not self.values[0]:
            raise ValueError("values must be a non-empty Cout×Cin array with rows of equal length")
        return self


class BiasInit(Strict):
    init: Literal["zeros", "random"]
    seed: Seed = 0


class BiasValues(Strict):
    values: list[Number] = Field(min_length=1, description="Cout")


def by_key(*keys: str):
    """A discriminator for unions told apart by which key they carry ({"init": …} vs {"values": …})."""

    def key_of(value: Any) -> str | None:
        for key in keys:
            if (key in value) if isinstance(value, dict) else hasattr(value, key):
                return key
        return None

    return Discriminator(key_of)


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
