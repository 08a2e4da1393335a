import json
import re

import pytest

from app.pages.lesson import FIGURES, LANGUAGES, catalogue


def test_lesson_in_both_languages(client):
    english = client.get("/lesson").text
    assert "The 1×1 convolution, step by step" in english and '<html lang="en">' in english
    chinese = client.get("/lesson?lang=zh").text
    assert "一步步理解 1×1 卷积" in chinese and '<html lang="zh">' in chinese
    assert len(re.findall(r'<section class="step"', chinese)) == 13


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


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_lesson_says_what_the_tutorial_and_the_papers_say(language):
    text = "\n".join(p for step in catalogue(language)["steps"] for p in [step["title"], *step["text"]])
    for citation in ("2013", "Szegedy", "He ", "Howard", "Sandler"):
        assert citation in text, citation
    for symbol in ("W(1, 1, c, n)", "conv.weight[n, c, 0, 0]", "F.conv2d", "73,728", "W = −I", "b = 1"):
        assert symbol in text, symbol
    # Not every 1×1 layer is followed by an activation: the lesson names the exceptions.
    assert "every 1×1 layer in a real network is followed" not in text
    assert "每个 1×1 层后面都跟着激活函数" not in text
    words = {
        "en": ("linear bottleneck", "global average pooling", "receptive field", "β is the bias"),
        "zh": ("线性瓶颈", "全局平均池化", "感受野", "β 就起到偏置的作用"),
    }
    for phrase in words[language]:
        assert phrase in text, phrase


def test_chinese_uses_a_lecturers_words():
    text = json.dumps(catalogue("zh"), ensure_ascii=False)
    for word in ("卷积核", "方差", "等价于一个 1×1 层", "负值被截断为零", "逐点", "降维", "升维"):
        assert word in text, word
    assert "滤波器" not in text and "变化" not in text  # 卷积核 for a kernel; 方差 for variance
