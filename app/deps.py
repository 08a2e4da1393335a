"""What a route asks FastAPI for: the Settings, by dependency, so that tests override them with
`app.dependency_overrides[get_settings]`."""

from typing import Annotated

from fastapi import Depends

from app.config import Settings, get_settings

SettingsDep = Annotated[Settings, Depends(get_settings)]
