"""What every lab's request is made of, as pydantic models: types and signs only: numbers, seeds,
the input (a sample, an upload, a random tensor or explicit values) and its features.

The limits (how many channels, how large, how much work) live in the Settings and are checked by
`app.lab.limits`, so that one field is refused in one place with one message.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, model_validator

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


def by_key(*keys: str):
    """A discriminator for unions told apart by which key they carry ({"init": …} vs {"values": …})."""

    def key_of(value: Any) -> str | None:
        for key in keys:
            if (key in value) if isinstance(value, dict) else hasattr(value, key):
                return key
        return None

    return Discriminator(key_of)
