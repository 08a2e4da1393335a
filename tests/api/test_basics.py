import gzip
import io

from PIL import Image
import torch


def test_health(client):
    assert client.get("/api/health").json() == {"status": "ok", "device": "cpu", "torch": torch.__version__}


def test_samples_listed_and_served(client):
    samples = client.get("/api/samples").json()
    assert [s["name"] for s in samples] == ["shapes", "wheel", "scene"]
    for sample in samples:
        r = client.get(f"/api/samples/{sample['name']}.png")
        assert r.headers["content-type"] == "image/png"
        assert Image.open(io.BytesIO(r.content)).size == (sample["width"], sample["height"])


def test_unknown_sample_png_is_404(client):
    r = client.get("/api/samples/moon.png")
    assert r.status_code == 404
    assert r.json() == {"detail": "path.name: no sample named 'moon'; the samples are shapes, wheel, scene"}


def test_every_response_carries_the_security_headers(client):
    for path in ("/", "/cost", "/api/health", "/docs"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self';" in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'self'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_plotly_is_served_compressed_and_cached(client):
    r = client.get("/vendor/plotly.min.js", headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    assert "max-age" in r.headers["cache-control"]
    assert r.text.startswith("/**") and "plotly.js" in r.text[:200]
    plain = client.get("/vendor/plotly.min.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert len(plain.content) > 3 * len(gzip.compress(plain.content[:1000]))


def test_docs_use_local_swagger_ui_with_an_example_for_every_endpoint(client):
    page = client.get("/docs").text
    assert "/vendor/swagger/swagger-ui-bundle.js" in page and "http" not in page.replace("http-equiv", "")
    assert client.get("/vendor/swagger/swagger-ui-bundle.js").status_code == 200
    schema = client.get("/openapi.json").json()
    assert set(schema["paths"]) >= {
        "/api/health",
        "/api/samples",
        "/api/samples/{name}.png",
        "/api/images",
        "/api/mix",
        "/api/cost/conv",
        "/api/cost/sweep",
        "/api/cost/inception",
        "/api/cost/bottleneck",
        "/api/cost/projection",
        "/api/cost/separable",
    }
    assert all(path.startswith("/api/") for path in schema["paths"])  # pages stay out of the API schema
    examples = schema["paths"]["/api/mix"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    assert {"sample", "grayscale", "values"} <= set(examples)
