"""Every page in both languages: the catalogues match key for key, every page, embed and export
answers in Chinese, the language comes from ?lang= or Accept-Language, and the site's own words
(the header, the refusal page, the exports, the CLI) follow it."""

import json
from pathlib import Path
import re
import sys

import pytest

from app import __main__ as cli
from app.pages.lesson import FIGURES
from app.pages.templating import CATALOGUES

# Every page's catalogue is <page>.<lang>.json.
PAIRS = [
    (english, CATALOGUES / english.name.replace(".en.", ".zh.")) for english in sorted(CATALOGUES.glob("*.en.json"))
]
# Lists whose length is the language's own business: the page-side translations of the server's
# English names (none in English).
FREE_LISTS = {"terms"}

PAGES = ["/", "/embed/mixer", "/cost", "/embed/cost", "/lesson", "/embed/collapse"]
OTHER_PAGES = ["/learn", "/embed/learn", "/blocks", "/embed/blocks"]  # built with their own catalogues
EXPORTS = [
    "/export/mixer.html?in=random&rc=3&rh=8&rw=8&cout=2",
    "/export/cost.html",
    "/export/collapse.html",
]


def shape(value: object, where: str) -> object:
    """The catalogue's structure: keys, list lengths and where each string is."""
    if isinstance(value, dict):
        return {key: shape(item, f"{where}.{key}") for key, item in value.items()}
    if isinstance(value, list):
        if where.rsplit(".", 1)[-1] in FREE_LISTS:
            return "list"
        return [shape(item, f"{where}[{i}]") for i, item in enumerate(value)]
    assert isinstance(value, str) and value.strip(), f"{where} is empty"
    return "text"


def strings(value: object, where: str = ""):
    """(where, the {names} it fills in) for every string of a catalogue."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from strings(item, f"{where}.{key}")
    elif isinstance(value, list) and where.rsplit(".", 1)[-1] not in FREE_LISTS:
        for i, item in enumerate(value):
            yield from strings(item, f"{where}[{i}]")
    elif isinstance(value, str):
        yield where, sorted(re.findall(r"\{(\w+)\}", value))


@pytest.mark.parametrize(("english", "chinese"), PAIRS, ids=lambda p: p.name)
def test_both_catalogues_have_the_same_keys_and_no_empty_string(english: Path, chinese: Path):
    assert chinese.exists(), f"{chinese.name} is missing"
    en = json.loads(english.read_text(encoding="utf-8"))
    zh = json.loads(chinese.read_text(encoding="utf-8"))
    assert shape(zh, chinese.name) == shape(en, english.name)
    # A sentence fills in the same values in both languages.
    assert dict(strings(zh)) == dict(strings(en))


@pytest.mark.parametrize("path", [*PAGES, *EXPORTS, *OTHER_PAGES, "/export/blocks.html", "/export/learn.html"])
def test_every_page_embed_and_export_answers_in_chinese(client, path):
    separator = "&" if "?" in path else "?"
    r = client.get(f"{path}{separator}lang=zh")
    assert r.status_code == 200
    assert '<html lang="zh">' in r.text


@pytest.mark.parametrize("path", PAGES)
def test_the_browsers_language_is_the_default_and_english_the_fallback(client, path):
    assert '<html lang="zh">' in client.get(path, headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}).text
    assert '<html lang="en">' in client.get(path, headers={"Accept-Language": "fr-FR,de;q=0.5"}).text


def test_the_header_links_keep_the_language_and_offer_the_other(client):
    page = client.get("/cost?lang=zh").text
    for path in ("/?lang=zh", "/cost?lang=zh", "/lesson?lang=zh"):
        assert f'href="{path}"' in page
    assert 'hreflang="en"' in page and ">English</a>" in page and "大字号" in page
    assert '<button type="button" data-copy="link">复制链接</button>' in page


def test_a_refused_link_is_explained_in_its_language(client):
    r = client.get("/?cout=0&lang=zh", headers={"Accept": "text/html"})
    assert r.status_code == 422 and '<html lang="zh">' in r.text
    assert "链接中的参数 <code>cout</code> 不被接受：这个取值超出了服务器接受的范围。" in r.text
    # The server's own sentence stays English, and says so.
    assert '服务器的原话（英文）：<span lang="en">Input should be greater than or equal to 1</span>' in r.text


def test_a_refused_language_is_explained_in_english(client):
    r = client.get("/cost?lang=fr", headers={"Accept": "text/html", "Accept-Language": "zh"})
    assert r.status_code == 422 and '<html lang="zh">' in r.text  # the browser's language, then
    assert "<code>lang</code>" in r.text


def test_an_export_speaks_its_language(client):
    chinese = client.get("/export/cost.html?lang=zh").text
    assert "<title>1×1 卷积的代价 · Pointwise</title>" in chinese and "由 Pointwise 于 " in chinese
    assert '"text":{' in chinese and "乘加次数" in chinese
    english = client.get("/export/cost.html").text
    assert '<html lang="en">' in english and "Exported from Pointwise on " in english


def test_the_cli_exports_the_lesson_in_chinese(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["python -m app", "export", "--out", str(tmp_path), "--lang", "zh"])
    cli.main()
    written = [Path(line) for line in capsys.readouterr().out.splitlines()]
    assert [p.name for p in written] == [f"step-{n:02d}.html" for n in range(1, len(FIGURES) + 1)] + ["index.html"]
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert index.count('<a href="step-') == len(FIGURES)
    assert '<html lang="zh">' in index and "一步步理解 1×1 卷积" in index and "加入非线性" in index
    assert "Adding non-linearity" not in index
    for path in written:
        assert '<html lang="zh">' in path.read_text(encoding="utf-8"), path.name
