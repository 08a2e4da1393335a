import os
import tempfile

# Every test run gets its own image store, so runs never see each other's uploads.
os.environ["POINTWISE_STORE_DIR"] = tempfile.mkdtemp(prefix="pointwise-test-store-")
# Every TestClient request comes from one address: the per-client upload limit is tested on its own.
os.environ["POINTWISE_UPLOADS_PER_MINUTE"] = "100000"

from fastapi.testclient import TestClient
import pytest

from app.main import app


@pytest.fixture(scope="session")
def client() -> TestClient:
    return TestClient(app)
