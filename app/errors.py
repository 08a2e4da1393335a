"""The 4xx answers each route may give, for the OpenAPI schema: `{"detail": "<field>: <what is wrong>"}`."""

from pydantic import BaseModel


class Detail(BaseModel):
    detail: str


def responses(*statuses: int) -> dict[int | str, dict]:
    """OpenAPI `responses` for the given 4xx statuses (422 FastAPI documents by itself)."""
    meaning = {
        400: "A body that cannot be parsed (not UTF-8 JSON, broken multipart)",
        404: "Unknown sample or image (an evicted image must be uploaded again)",
        413: "Request body or image over its limit",
        415: "Not a supported image (PNG, JPEG, GIF, WebP)",
    }
    return {status: {"model": Detail, "description": meaning[status]} for status in statuses}
