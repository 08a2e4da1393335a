import re

import pytest

from app.pages.lesson import FIGURES, LANGUAGES, catalogue


def test_catalogues_have_every_string_in_every_language():
    english = catalogue("en")
    for language in LANGUAGES:
        text = catalogue(language)
        assert text["ui"].keys() == english["ui"].keys()
        assert len(text["steps"]) == len(FIGURES) == 11
        assert all(step["title"] and step["text"] for step in text["steps"])


def test_lesson_in_both_languages(client):
    english = client.get("/lesson").text
    assert "The 1×1 convolution, step by step" in english and '<html lang="en">' in english
    chinese = client.get("/lesson?lang=zh").text
    assert "1×1 卷积，一步一步" in chinese and '<html lang="zh">' in chinese
    assert len(re.findall(r'<section class="step"', chinese)) == 11


def test_every_step_figure_is_an_embed_that_renders(client):
    for figure in FIGURES:
        r = client.get(figure)
        assert r.status_code == 200, figure
        assert "frame-ancestors *" in r.headers["content-security-policy"]


@pytest.mark.parametrize("path", ["/lesson?lang=fr", "/embed/collapse?lang=fr"])
def test_unknown_language_is_refused(client, path):
    r = client.get(path)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "lang"]


def test_the_lessons_own_figure_speaks_chinese(client):
    assert "没有非线性的两个 1×1 层，就是一个 1×1 层" in client.get("/embed/collapse?lang=zh").text
