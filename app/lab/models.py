"""What every lab's request is made of, as pydantic models: types and signs only: numbers, seeds,
the input (a sample, an upload, a random tensor or explicit values) and its features.

The limits (how many channels, how large, how much work) live in the Settings and are checked by
`app.lab.limits`, so that one field is refused in one place with one message.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, model_validator

# Explicit numbers are finite and bounded, so that no product can overflow float32.
NUMBER_LIMIT = 1e4
Number = Annotated[float, Field(allow_inf_nan=False, ge=-NUMBER_LIMIT, le=NUMBER_LIMIT)]


def _first_bad(value: Any, depth: int, where: str) -> str | None:
    """Where the first item of nested lists `depth` deep is not a Number, or None."""
    if not isinstance(value, list):
        return where
    for i, item in enumerate(value):
        if depth == 1:
            if not (type(item) in (int, float) and -NUMBER_LIMIT <= item <= NUMBER_LIMIT):  # NaN fails both
                return f"{where}[{i}]"
        elif (bad := _first_bad(item, depth - 1, f"{where}[{i}]")) is not None:
            return bad
    return None


def numbers(depth: int) -> BeforeValidator:
    """Lists `depth` deep of Numbers, checked in one pass before pydantic's own item by item: a
    2 MB body of a million bad values is then one error, not a million (about 20 s of a worker and
    a refusal of 100 MB). The error says where, never what was there."""

    def check(value: Any) -> Any:
        bad = _first_bad(value, depth, "")
        if bad:  # "": not a list at all, which pydantic's own error says
            raise ValueError(f"item {bad} is not a number from {-NUMBER_LIMIT:g} to {NUMBER_LIMIT:g}")
        return value

    return BeforeValidator(check)


Seed = Annotated[int, Field(ge=0, le=2**32 - 1)]
Side = Annotated[int, Field(ge=1)]
Features = Literal["rgb", "bank"]  # images only: 3 RGB channels in [0, 1], or the feature bank


# Unknown keys pydantic refuses one by one; past this many, one error refuses the object at once.
MAX_UNKNOWN_KEYS = 16


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="before")
    @classmethod
    def few_unknown_keys(cls, data: Any) -> Any:
        """An object of 100 000 unknown keys is one error, not 100 000 (each naming the key)."""
        if isinstance(data, dict) and len(data) > len(cls.model_fields) + MAX_UNKNOWN_KEYS:
            known, limit = ", ".join(cls.model_fields), len(cls.model_fields)
            raise ValueError(f"{len(data)} keys is over the limit of {limit}: this object takes {known}")
        return data


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
    values: Annotated[list[list[list[Number]]], numbers(3)] = Field(min_length=1, description="C×H×W")

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
