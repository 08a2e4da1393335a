from html import escape
import re

import pytest


@pytest.mark.parametrize(
    "path", ["/export/mixer.html?in=random&rc=3&rh=8&rw=8&cout=2", "/export/cost.html", "/export/collapse.html"]
)
def test_exports_are_self_contained_downloads(client, path):
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-disposition"].startswith("attachment; filename=")
    page = r.text
    assert "plotly.js v" in page and 'id="pointwise-data"' in page
    assert not re.search(r"<script[^>]*\bsrc=", page) and not re.search(r"<link[^>]*href=", page)
    assert "import {" not in page  # the modules were joined into one classic script


NO_MOON = "no sample named 'moon'; the samples are shapes, wheel, scene"
NOT_AN_INTEGER = "Input should be a valid integer, unable to parse string as an integer"


@pytest.mark.parametrize(
    ("path", "status", "field", "message"),
    [
        ("/export/mixer.html?in=sample:moon", 404, "in", NO_MOON),
        ("/export/blocks.html?in=sample:moon", 404, "in", NO_MOON),
        (
            "/export/mixer.html?w=grayscale&feat=bank&in=random",
            422,
            "w",
            "preset 'grayscale' mixes red, green and blue; this input has channels "
            "['x0', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7']",
        ),
        ("/export/cost.html?s-cin=lots", 422, "s-cin", NOT_AN_INTEGER),
    ],
)
def test_bad_export_states_are_refused(client, path, status, field, message):
    r = client.get(path)
    assert r.status_code == status
    if status == 422:
        assert r.json() == {"detail": [{"loc": ["query", field], "msg": message, "type": "value_error"}]}
    else:
        assert r.json() == {"detail": f"query.{field}: {message}"}
    # A person who clicked the download link reads the same refusal, naming the link's parameter.
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == status
    assert f"<code>{field}</code> is refused" in page.text
    assert f'The server says: <span lang="en">{escape(message)}</span>' in page.text


def test_an_unparsable_hand_edit_is_refused_not_replaced(client):
    r = client.get("/export/mixer.html?in=random&w=edited&W=1,x;2,3")
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "W"]
