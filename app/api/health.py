"""GET /api/health."""

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel
import torch

from app.core.device import device_name
from app.errors import responses
from app.lab.runtime import get_device
from app.web import SettingsDep

router = APIRouter(prefix="/api", tags=["health"], responses=responses(413))


class Health(BaseModel):
    status: Literal["ok"]
    device: str
    torch: str


@router.get("/health", summary="Say the server is up")
def read_health(settings: SettingsDep) -> Health:
    """Say that the server is up, which device runs the convolutions, and which torch."""
    return Health(status="ok", device=device_name(get_device(settings.device)), torch=torch.__version__)
