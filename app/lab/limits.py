"""Every size limit of a request, checked against the Settings (their one owner) before any work.

Each check names the field at fault and the limit, in the request's own terms; a page whose
query string maps onto a request renames the field to its query parameter (app/lab/query.py).
"""

from app.config import Settings
from app.core.errors import InputError, TooLarge

Field = tuple[str | int, ...]

# Bytes one value takes on the wire, by encoding (base64 of float32 is 4·4/3; of uint8, 4/3).
BYTES_PER_VALUE = {"base64": 16 / 3, "u8": 4 / 3, "png": 4 / 3 * 1.01, "json": 12.0}  # png: at worst u8 and its framing


def check_side(field: Field, value: int, settings: Settings) -> None:
    if value > settings.max_side:
        raise InputError(field, f"{value} pixels is over the limit of {settings.max_side}")


def check_in_channels(field: Field, value: int, limit: int) -> None:
    if value > limit:
        raise InputError(field, f"{value} input channels is over the limit of {limit}")


def check_out_channels(field: Field, value: int, settings: Settings) -> None:
    if value > settings.max_out_channels:
        raise InputError(field, f"{value} output channels is over the limit of {settings.max_out_channels}")


def check_work(field: Field, c_in: int, c_out: int, height: int, width: int, settings: Settings) -> None:
    """Multiply–adds of one 1×1 convolution, Cin·Cout·H·W, within `max_work`."""
    if c_in * c_out * height * width > settings.max_work:
        raise InputError(
            field, f"Cin·Cout·H·W = {c_in}·{c_out}·{height}·{width} is over the work limit of {settings.max_work}"
        )


def check_answer(values: int, encoding: str, settings: Settings, smaller: str) -> None:
    """An answer of `values` numbers in `encoding` within `max_json_values` and `max_answer_bytes`.

    `smaller` says how to ask for less (which maps can be left out)."""
    if encoding == "json" and values > settings.max_json_values:
        raise InputError(
            ("encoding",),
            f"'json' is for small tensors (at most {settings.max_json_values} values, not {values}); "
            "use 'base64' or 'u8'",
        )
    size = int(values * BYTES_PER_VALUE[encoding])
    if size > settings.max_answer_bytes:
        hint = "use 'u8' or " if encoding not in ("u8", "png") else ""
        raise TooLarge(
            ("encoding",),
            f"the answer would be about {size} bytes, over the limit of {settings.max_answer_bytes}; {hint}{smaller}",
        )
