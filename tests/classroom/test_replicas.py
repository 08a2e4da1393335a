"""Two replicas with separate stores behind nginx (Debian's package, deploy/nginx.conf): no sticky
routing is needed. nginx runs in the foreground with a temporary prefix, on 127.0.0.1."""

from collections.abc import Iterator
import contextlib
import os
from pathlib import Path
import shutil
import subprocess
import time

import httpx
import pytest

from app.core.inputs import decode_image
from app.store import ImageStore
from benchmarks.hostile import dockerfile_server
from tests import corpus
from tests.live import free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"
pytestmark = pytest.mark.skipif(not os.path.exists(NGINX), reason="nginx is not installed (.ci/run installs it)")


def render(upstreams: list[str], port: int, prefix: Path) -> str:
    """deploy/nginx.conf with these upstreams, listening on 127.0.0.1:port, its temporary files in prefix."""
    text = CONFIG.read_text()
    servers = "".join(f"        server {upstream};\n" for upstream in upstreams)
    temporary = "".join(f"    {kind}_temp_path {prefix / kind};\n" for kind in ("client_body", "proxy", "fastcgi"))
    temporary += "".join(f"    {kind}_temp_path {prefix / kind};\n" for kind in ("uwsgi", "scgi"))
    for old, new in [
        ("        server app:8000;\n", servers),
        ("        listen 8000;\n", f"        listen 127.0.0.1:{port};\n"),
        ("http {\n", "http {\n" + temporary),
    ]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return ("user root;\n" if os.geteuid() == 0 else "") + text


@contextlib.contextmanager
def nginx(upstreams: list[str], prefix: Path) -> Iterator[str]:
    port = free_port()
    (prefix / "nginx.conf").write_text(render(upstreams, port, prefix))
    command = [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")]
    command += ["-g", f"daemon off; pid {prefix / 'nginx.pid'}; error_log stderr warn;"]
    process = subprocess.Popen(command)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("nginx did not start")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def mix(url: str, image_id: str) -> httpx.Response:
    body = {"input": {"source": "upload", "image_id": image_id}, "weight": {"preset": "swap_rb"}, "encoding": "json"}
    return httpx.post(f"{url}/api/mix", json=body, timeout=30)


def upload(url: str, data: bytes) -> str:
    r = httpx.post(f"{url}/api/images", files={"file": ("p.png", data, "image/png")}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["image_id"]


def test_upload_then_mix_across_two_replicas_behind_nginx(tmp_path):
    stores = [tmp_path / "store-a", tmp_path / "store-b"]
    (tmp_path / "nginx").mkdir()
    with (
        dockerfile_server(stores[0], workers=1) as a,
        dockerfile_server(stores[1], workers=1) as b,
        nginx([a.url.removeprefix("http://"), b.url.removeprefix("http://")], tmp_path / "nginx") as proxy,
    ):
        # The stores are apart: an image uploaded to replica A is unknown to replica B.
        on_a = upload(a.url, corpus.png_rgb(6, 4, (255, 0, 0)))
        missing = mix(b.url, on_a)
        assert missing.status_code == 404
        assert missing.json() == {
            "detail": f"input.image_id: image '{on_a}' is not stored (it may have been evicted); upload it again"
        }
        # Through nginx every mix of it succeeds, whichever replica each request reaches first.
        assert [mix(proxy, on_a).status_code for _ in range(6)] == [200] * 6
        assert not (stores[1] / f"{on_a}.npy").exists()

        # An image that no replica holds (evicted everywhere, say): 404, upload it again, 200.
        data = corpus.png_rgb(5, 5, (0, 0, 255))
        image_id = ImageStore(tmp_path / "elsewhere", 4).put(decode_image(data, 16_000_000, 512))
        gone = mix(proxy, image_id)
        assert gone.status_code == 404
        assert gone.json()["detail"].endswith("is not stored (it may have been evicted); upload it again")
        assert upload(proxy, data) == image_id
        answer = mix(proxy, image_id)
        assert answer.status_code == 200
        maps = answer.json()["output"]["maps"]
        assert (maps[0][0][0], maps[2][0][0]) == (1.0, 0.0)  # swap_rb: blue became red
