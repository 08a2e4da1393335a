"""Pydantic models of the mix request and response (API contract v1)."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from app.api.encoding import Encoding
from app.core.mixing import Activation
from app.core.weights import PRESETS

# Explicit numbers are finite and bounded, so that no product can overflow float32.
Number = Annotated[float, Field(allow_inf_nan=False, ge=-1e4, le=1e4)]
Seed = Annotated[int, Field(ge=0, le=2**32 - 1)]
Side = Annotated[int, Field(ge=1, le=4096)]


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
    channels: int = Field(8, ge=1, le=4096)
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
    features: Literal["rgb", "bank"] = "rgb"
    max_side: int = Field(256, ge=1, description="images are shrunk so that the longer side ≤ max_side")
    out_channels: int | None = Field(None, ge=1, description="omitted when a preset or explicit values fix it")
    weight: Weight = WeightInit(init="random")
    bias: Bias | None = Field(None, description="omitted: the preset's bias, else zeros")
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


class F4Tensor(BaseModel):
    dtype: Literal["f4"]
    shape: str
    bdata: str


class U8Tensor(BaseModel):
    dtype: Literal["u1"]
    shape: str
    bdata: str
    scale: list[float]
    offset: list[float]


Tensor = F4Tensor | U8Tensor | list[Any]


class InputOut(BaseModel):
    shape: list[int]
    channel_names: list[str]
    maps: Tensor | None = None


class WeightOut(BaseModel):
    shape: list[int]
    values: list[list[float]]


class BiasOut(BaseModel):
    values: list[float]


class OutputOut(BaseModel):
    shape: list[int]
    maps: Tensor | None = None
    pre_activation: Tensor | None = None


class ExplainOut(BaseModel):
    channel: int
    weights: list[float]
    bias: float
    contributions: Tensor | None = None
    sum: Tensor
    max_abs_error: float


class ProbeOut(BaseModel):
    row: int
    col: int
    x: list[float]
    z: list[float]
    y: list[float]
    max_abs_error: float


class CostOut(BaseModel):
    parameters: int
    multiply_adds: int


class MixResponse(BaseModel):
    input: InputOut
    weight: WeightOut
    bias: BiasOut
    output: OutputOut
    explain: ExplainOut | None = None
    probe: ProbeOut | None = None
    cost: CostOut
    device: str
