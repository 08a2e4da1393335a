"""POST /api/images: decode an upload once and keep the pixels (not the bytes) in the shared store."""

from fastapi import APIRouter, Request, UploadFile

from app.errors import responses
from app.lab.images import StoredImage, check_upload_size, store_upload
from app.lab.runtime import in_thread
from app.web import SettingsDep

router = APIRouter(prefix="/api", tags=["images"], responses=responses(400, 413, 415, 429, 503))


@router.post("/images", summary="Upload an image")
async def create_image(file: UploadFile, request: Request, settings: SettingsDep) -> StoredImage:
    """Upload a PNG, JPEG, GIF or WebP image; it is decoded, shrunk to max_side and stored by content hash."""
    data = await file.read(settings.max_upload_bytes + 1)
    check_upload_size(len(data), settings)
    client = request.client.host if request.client else None  # the peer (nginx's X-Forwarded-For behind it)
    return await in_thread(store_upload, data, settings, client)
