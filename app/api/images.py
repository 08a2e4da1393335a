"""POST /api/images: decode an upload once and keep the pixels (not the bytes) in the shared store."""

from fastapi import APIRouter, UploadFile
from pydantic import BaseModel

from app.api.deps import SettingsDep, get_store, run_blocking
from app.api.errors import responses
from app.config import Settings
from app.core.errors import TooLarge
from app.core.inputs import decode_image

router = APIRouter(prefix="/api", tags=["images"], responses=responses(400, 413, 415))


class StoredImage(BaseModel):
    image_id: str
    width: int
    height: int


def store_upload(data: bytes, settings: Settings) -> StoredImage:
    image = decode_image(data, settings.max_upload_pixels, settings.max_side)  # (3, H, W)
    image_id = get_store(settings).put(image)
    return StoredImage(image_id=image_id, width=image.shape[2], height=image.shape[1])


@router.post("/images")
async def create_image(file: UploadFile, settings: SettingsDep) -> StoredImage:
    """Upload a PNG, JPEG, GIF or WebP image; it is decoded, shrunk to max_side and stored by content hash."""
    data = await file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise TooLarge(("file",), f"the file is over the limit of {settings.max_upload_bytes} bytes")
    return await run_blocking(settings, store_upload, data, settings)
