from collections.abc import Iterator

import pytest

from app.config import get_settings
from app.main import create_app
from benchmarks.hostile import dockerfile_server
from tests.live import Running

HEAD_TIMEOUT_S = 2  # short, so that the test of it is


@pytest.fixture(scope="package")
def classroom_server(tmp_path_factory) -> Iterator[Running]:
    """`python -m app serve` as the Dockerfile runs it (2 workers, 1 torch thread each) on 127.0.0.1."""
    store = tmp_path_factory.mktemp("classroom-store")
    with dockerfile_server(store, uploads_per_minute="1000", head_timeout_s=str(HEAD_TIMEOUT_S)) as running:
        yield running


@pytest.fixture
def app_with(monkeypatch):
    """create_app() under other settings (the app's own stack of middleware, in its own order)."""

    def make(**env: str):
        for name, value in env.items():
            monkeypatch.setenv(f"POINTWISE_{name.upper()}", value)
        get_settings.cache_clear()
        try:
            return create_app()
        finally:
            for name in env:
                monkeypatch.delenv(f"POINTWISE_{name.upper()}")
            get_settings.cache_clear()

    return make
