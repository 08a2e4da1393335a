"""Pydantic models of the mix response (API contract v1); the request models are the lab's."""

from typing import Any, Literal

from pydantic import BaseModel


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
