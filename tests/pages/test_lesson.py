import json
import re

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from app.core import stages
from app.pages.lesson import FIGURES, catalogue
from app.pages.templating import LANGUAGES, page_text


def test_catalogues_have_every_string_in_every_language():
    english = catalogue("en")
    for language in LANGUAGES:
        text = catalogue(language)
        assert text["ui"].keys() == english["ui"].keys()
        assert len(text["steps"]) == len(FIGURES) == 14
        assert all(step["title"] and step["text"] for step in text["steps"])


def test_lesson_in_both_languages(client):
    english = client.get("/lesson").text
    assert "The 1×1 convolution, step by step" in english and '<html lang="en">' in english
    chinese = client.get("/lesson?lang=zh").text
    assert "一步步理解 1×1 卷积" in chinese and '<html lang="zh">' in chinese
    assert len(re.findall(r'<section class="step"', chinese)) == 14


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


def multiply_adds(*modules: nn.Module, channels: int = 192, side: int = 28) -> tuple[int, int]:
    """FlopCounterMode's multiply–adds of modules applied side by side to one (1, C, side, side) input,
    and the channels of their concatenated output."""
    x = torch.zeros(1, channels, side, side)
    with FlopCounterMode(display=False) as counter:
        out = torch.cat([module(x) for module in modules], dim=1)
    return counter.get_total_flops() // 2, out.shape[1]


def test_inceptions_numbers_are_googlenets_3a_counted_from_modules():
    with_reductions = multiply_adds(
        nn.Conv2d(192, 64, 1),
        nn.Sequential(nn.Conv2d(192, 96, 1), nn.Conv2d(96, 128, 3, padding=1)),
        nn.Sequential(nn.Conv2d(192, 16, 1), nn.Conv2d(16, 32, 5, padding=2)),
        nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), nn.Conv2d(192, 32, 1)),
    )
    naive = multiply_adds(
        nn.Conv2d(192, 64, 1),
        nn.Conv2d(192, 128, 3, padding=1),
        nn.Conv2d(192, 32, 5, padding=2),
        nn.MaxPool2d(3, stride=1, padding=1),
    )
    assert with_reductions == (128_049_152, 256) and naive == (303_464_448, 416)
    widths = stages.widths_of({})  # the Blocks page's inception: (3a)'s widths
    assert sum(c.multiply_adds for c in stages.plan("inception", widths, 192, 28, 28).counts.values()) == 128_049_152
    # the tutorial's example beside it: 28×28×256, 64 kernels of 5×5, reduced to 32 first
    direct, _ = multiply_adds(nn.Conv2d(256, 64, 5, padding=2), channels=256)
    reduced, _ = multiply_adds(nn.Sequential(nn.Conv2d(256, 32, 1), nn.Conv2d(32, 64, 5, padding=2)), channels=256)
    assert round(direct / reduced) == 7
    for language in LANGUAGES:
        step = " ".join(catalogue(language)["steps"][FIGURES.index("/embed/cost?view=inception")]["text"])
        for number in ("28×28×256", "28×28×192", "128,049,152", "303,464,448", "416", "256", "(3a)"):
            assert number in step, (language, number)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_corrected_sentences_stay_corrected(language):
    text = json.dumps(catalogue(language), ensure_ascii=False)
    for wrong in ("cheapest layer", "Where a ResNet stage begins", "在 ResNet 每个阶段的开头", "最省的一层"):
        assert wrong not in text
    projection = " ".join(catalogue(language)["steps"][FIGURES.index("/embed/cost?view=projection")]["text"])
    for fact in ("conv2_x", "(A)", "(B)", "(C)", "§3.3" if language == "en" else "第 3.3 节", "ResNet-50"):
        assert fact in projection, fact
    nin = " ".join(catalogue(language)["steps"][7]["text"])
    assert FIGURES[7].startswith("/embed/mixer") and "act=relu" in FIGURES[7]  # one 1×1 conv with ReLU
    assert "mlpconv" in nin


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_lesson_names_the_presets_as_the_mixer_does(language):
    presets = page_text("mixer", language)["presets"]
    fusing = catalogue(language)["steps"][5]["text"][1]
    for name in ("grayscale", "sepia", "swap_rb"):
        assert presets[name] in fusing, presets[name]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_transformer_step_runs_the_encoder_layers_ffn_as_two_1x1_convs(client, language):
    figure = next(f for f in FIGURES if "b=vit_ffn" in f)
    step = catalogue(language)["steps"][FIGURES.index(figure)]
    text = " ".join(step["text"])
    for fact in ("Vaswani", "2017", "3.3", "GELU", "nn.TransformerEncoderLayer", "linear1", "linear2", "nn.Linear"):
        assert fact in text, fact
    page = client.get(f"{figure}&lang={language}").text
    assert 'id="ffn-check"' in page and page_text("blocks", language)["kinds"]["vit_ffn"] in page
