"""The pages' query strings, the part every page shares: text → numbers and lists of names, the
display settings every page takes, a page's input, and one way to read a state.

A page, its embed and its export are built from the same parsed state, so a link, an embed and an
export show the same thing; the pages receive the parsed state and every constant they need in
their JSON data block. A bad value is refused with a 422 naming the query parameter, never
replaced by a default. Each lab's own parameters live in its package (`app/lab/<lab>/state.py`).
"""

from collections.abc import Callable, Mapping
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from app.config import Settings
from app.core.errors import InputError
from app.lab.models import Seed


def numbers(text: str) -> list[float]:
    """ "1,-0.5,2e-3" → [1.0, -0.5, 0.002]; every entry must be a finite number."""
    values = [float(v) for v in text.split(",")]  # ValueError names the bad entry
    if not all(abs(v) < float("inf") for v in values):
        raise ValueError("numbers must be finite")
    return values


def matrix_text(text: object) -> object:
    if isinstance(text, str):
        return [numbers(row) for row in text.split(";")]
    return text


def vector_text(text: object) -> object:
    return numbers(text) if isinstance(text, str) else text


def names_list(allowed: tuple[str, ...]):
    """A comma-separated list of names from `allowed`, kept in its order."""

    def split(text: object) -> object:
        if not isinstance(text, str):
            return text
        names = [n for n in text.split(",") if n]
        unknown = [n for n in names if n not in allowed]
        if unknown:
            raise ValueError(f"unknown name(s) {', '.join(unknown)}; the names are {', '.join(allowed)}")
        return names

    return BeforeValidator(split)


Count = Annotated[int, Field(ge=1)]
Index = Annotated[int, Field(ge=0)]
Large = Literal["", "0", "1"]


class QueryState(BaseModel):
    """Query parameters arrive as text: numbers are parsed (lax mode), unknown keys ignored. Every
    page takes the two display settings: Large type and Marks (negative values striped, for
    greyscale); unset, a page takes the ones remembered in the browser."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    large: Large = ""
    marks: Large = ""


class SourceState(QueryState):
    """Where a page's input comes from: a sample, an upload (by its id), or a seeded random tensor."""

    input: str = Field("sample:scene", alias="in", pattern=r"^(sample:[a-z]+|random|upload)$")
    img: str = Field("", pattern=r"^([0-9a-f]{32})?$")
    feat: Literal["rgb", "bank"] = "rgb"
    rs: Seed = 0


class InputState(SourceState):
    """A page's input, as the Mixer and Learn write it: a random tensor has its own shape."""

    rc: Count = 8
    rh: Count = 32
    rw: Count = 32
    rd: Literal["normal", "uniform"] = "normal"

    def input_spec(self) -> dict:
        """The request's `input` this state asks for."""
        if self.input == "random":
            spec = {"source": "random", "channels": self.rc, "height": self.rh, "width": self.rw}
            return spec | {"seed": self.rs, "distribution": self.rd}
        if self.input == "upload":
            return {"source": "upload", "image_id": self.img}
        return {"source": "sample", "name": self.input.removeprefix("sample:")}


# Where a refusal of a request's input sits in the query string of a page with an InputState.
INPUT_PARAMETER = {
    ("input", "channels"): "rc",
    ("input", "height"): "rh",
    ("input", "width"): "rw",
    ("input", "name"): "in",
    ("input", "image_id"): "img",
}


S = TypeVar("S", bound=QueryState)
P = TypeVar("P", bound=SourceState)
R = TypeVar("R")


def parse(model: type[S], params: Mapping[str, str]) -> S:
    """A query string → its state; the first bad value is a 422 naming its parameter."""
    try:
        return model.model_validate(dict(params))
    except ValidationError as error:
        first = error.errors()[0]
        raise InputError(("query", *first["loc"]), first["msg"]) from error


def query_values(state: QueryState) -> dict[str, object]:
    """A state by its query parameters' names, for a page's script: lists of names as they are
    written in the query ("sum,probe"), numbers as numbers, W and B as nested lists."""
    values = state.model_dump(mode="json", by_alias=True)
    return {key: ",".join(value) if key in ("view", "hide") else value for key, value in values.items()}


def query_defaults(model: type[QueryState]) -> dict[str, object]:
    """Every parameter's default, by its name in the query string (for the pages' data blocks)."""
    return query_values(model())


def read_state(
    model: type[P],
    params: Mapping[str, str],
    settings: Settings,
    build: Callable[[P], R],
    check: Callable[[R, Settings], object],
    parameter: Callable[[P, tuple], str],
) -> tuple[P, R]:
    """A page's query string → its state and the requests it asks for, checked against the limits.

    parse → an upload needs its id → build the requests → check them; a refusal met on the way is
    a 422 naming the page's own query parameter (`parameter` maps a request field to it).
    """
    state = parse(model, params)
    if state.input == "upload" and not state.img:
        raise InputError(("query", "img"), "in=upload needs the image id img")
    try:
        requests = build(state)
        check(requests, settings)
    except ValidationError as error:
        first = error.errors()[0]
        raise InputError(("query", parameter(state, tuple(first["loc"]))), first["msg"]) from error
    except InputError as error:
        if error.field[:1] == ("query",):
            raise
        raise type(error)(("query", parameter(state, error.field)), error.message) from error
    return state, requests
