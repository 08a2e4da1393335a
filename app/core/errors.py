"""Errors the core raises about its inputs; the API turns each into a 4xx naming the field."""


class InputError(ValueError):
    """A value that cannot be used (HTTP 422). `field` is its path in the request, e.g. ("weight", "preset")."""

    def __init__(self, field: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class TooLarge(InputError):
    """A body or an image over its limit (HTTP 413)."""


class UnsupportedImage(InputError):
    """Bytes that are not an image of an allowed format (HTTP 415)."""


class NotFound(InputError):
    """An unknown sample or an unknown (or evicted) image id (HTTP 404)."""
