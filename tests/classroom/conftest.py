from collections.abc import Iterator

import pytest

from benchmarks.hostile import dockerfile_server
from tests.live import Running

HEAD_TIMEOUT_S = 2  # short, so that the test of it is


@pytest.fixture(scope="package")
def classroom_server(tmp_path_factory) -> Iterator[Running]:
    """`python -m app serve` as the Dockerfile runs it (2 workers, 1 torch thread each) on 127.0.0.1."""
    store = tmp_path_factory.mktemp("classroom-store")
    with dockerfile_server(store, uploads_per_minute="1000", head_timeout_s=str(HEAD_TIMEOUT_S)) as running:
        yield running
