from collections.abc import Iterator

import pytest

from benchmarks.hostile import dockerfile_server
from tests.live import Running


@pytest.fixture(scope="package")
def classroom_server(tmp_path_factory) -> Iterator[Running]:
    """`python -m app serve` as the Dockerfile runs it (2 workers, 1 torch thread each) on 127.0.0.1."""
    with dockerfile_server(tmp_path_factory.mktemp("classroom-store"), uploads_per_minute="1000") as running:
        yield running
