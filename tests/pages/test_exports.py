import re

import pytest

from app.config import get_settings
from app.pages.lesson import FIGURES, export_lesson


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


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/export/mixer.html?in=sample:moon", 404),
        ("/export/mixer.html?w=grayscale&feat=bank&in=random", 422),
        ("/export/cost.html?s-cin=lots", 422),
    ],
)
def test_bad_export_states_are_refused(client, path, status):
    assert client.get(path).status_code == status


def test_an_unparsable_hand_edit_is_refused_not_replaced(client):
    r = client.get("/export/mixer.html?in=random&w=edited&W=1,x;2,3")
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "W"]


def test_the_cli_writes_every_lesson_figure_and_an_index(tmp_path):
    written = export_lesson(tmp_path, get_settings())
    assert [p.name for p in written] == [f"step-{n:02d}.html" for n in range(1, len(FIGURES) + 1)] + ["index.html"]
    index = (tmp_path / "index.html").read_text()
    assert (
        index.count('<a href="step-') == len(FIGURES)
        and "Adding non-linearity" in index
        and '<html lang="en">' in index
    )
