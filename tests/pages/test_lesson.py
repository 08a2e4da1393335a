import json
import re

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from app.core import stages
from app.pages.lesson import FIGURES, catalogue
from app.pages.templating import LANGUAGES, page_text


def test_lesson_in_both_languages(client):
    english = client.get("/lesson").text
    assert "The 1×1 convolution, step by step" in english and '<html lang="en">' in english
    chinese = client.get("/lesson?lang=zh").text
    assert "一步步理解 1×1 卷积" in chinese and '<html lang="zh">' in chinese
    assert len(re.findall(r'<section class="step"', chinese)) == len(FIGURES) == 16


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


def weights(*layers: nn.Module) -> int:
    return sum(p.numel() for layer in layers for p in layer.parameters())


def conv(c_in: int, c_out: int, k: int, **options) -> nn.Conv2d:
    """A bias-free k×k convolution on the meta device: counted, never allocated."""
    return nn.Conv2d(c_in, c_out, k, padding=k // 2, bias=False, device="meta", **options)


# What the lesson quotes, in each language's words: the number is the regex's group.
QUOTES = {
    "basic block weights": (r"at 64 channels \(([\d,]+) weights\)", r"基本块（([\d,]+) 个权重）"),
    "bottleneck weights": (r"about the same \(([\d,]+) weights\)", r"相当（([\d,]+) 个权重）"),
    "bottleneck vs full 3×3": (r"it needs about a (\w+)", r"瓶颈块只需约(\w+)分之一"),
    "1×1 vs 3×3": (r"multiply–adds, (\w+) times fewer than a 3×3", r"只有同样通道数的 3×3 卷积的(\w+)分之一"),
    "inception reduction": (r"cuts the multiply–adds to about a (\w+)", r"乘加次数大约只剩(\w+)分之一"),
    "projection vs 3×3": (
        r"A 3×3 doing the same would cost (\w+) times as much",
        r"用 3×3 卷积做同样的事，代价是它的(\w+)倍",
    ),
    "separable": (r"about an (\w+) for a 3×3 with 64 outputs", r"约为(\w+)分之一"),
}
NUMBERS = {"nine": 9, "seventh": 7, "eighth": 8, "seventeenth": 17, "九": 9, "七": 7, "八": 8, "十七": 17}


def computed() -> dict[str, int]:
    """Each quoted number, from modules built here (H·W cancels in every ratio of multiply–adds)."""
    basic = weights(conv(64, 64, 3), conv(64, 64, 3))
    bottleneck = weights(conv(256, 64, 1), conv(64, 64, 3), conv(64, 256, 1))
    inception_direct = weights(conv(256, 64, 5))
    inception_reduced = weights(conv(256, 32, 1), conv(32, 64, 5))
    separable = weights(conv(64, 64, 3, groups=64), conv(64, 64, 1))
    return {
        "basic block weights": basic,
        "bottleneck weights": bottleneck,
        "bottleneck vs full 3×3": round(weights(conv(256, 256, 3), conv(256, 256, 3)) / bottleneck),
        "1×1 vs 3×3": round(weights(conv(64, 64, 3)) / weights(conv(64, 64, 1))),
        "inception reduction": round(inception_direct / inception_reduced),
        "projection vs 3×3": round(weights(conv(256, 512, 3, stride=2)) / weights(conv(256, 512, 1, stride=2))),
        "separable": round(weights(conv(64, 64, 3)) / separable),
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_lessons_numbers_are_those_of_pytorch_modules(language):
    text = "\n".join(p for step in catalogue(language)["steps"] for p in [step["title"], *step["text"]])
    quoted = {}
    for claim, patterns in QUOTES.items():
        found = re.search(patterns[LANGUAGES.index(language)], text)
        assert found, claim
        said = found.group(1)
        quoted[claim] = int(said.replace(",", "")) if said[0].isdigit() else NUMBERS[said]
    assert quoted == computed()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_projection_shortcuts_shapes_are_those_of_a_strided_1x1(language):
    text = "\n".join(p for step in catalogue(language)["steps"] for p in step["text"])
    pattern = (
        r"(\d+) × (\d+) × (\d+) in and (\d+) × (\d+) × (\d+) out",
        r"输入 (\d+) × (\d+) × (\d+)，输出 (\d+) × (\d+) × (\d+)",
    )
    c_in, h, w, *out = (int(n) for n in re.search(pattern[LANGUAGES.index(language)], text).groups())
    shortcut = nn.Conv2d(c_in, out[0], 1, stride=2, device="meta")
    assert list(shortcut(torch.empty(1, c_in, h, w, device="meta")).shape[1:]) == out


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
    figure = next(f for f in FIGURES if "act=relu" in f)  # one 1×1 conv with ReLU
    nin = " ".join(catalogue(language)["steps"][FIGURES.index(figure)]["text"])
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


@pytest.mark.parametrize("language", LANGUAGES)
def test_where_the_compute_goes_quotes_the_independent_networks_counts(client, language):
    from tests.core.test_networks import hooked_counts, reference_mobilenet_v2, reference_resnet50

    step = catalogue(language)["steps"][FIGURES.index("/embed/cost?view=networks")]
    text = " ".join(step["text"])
    for build, kinds in (
        (lambda: reference_resnet50(stride_in_1x1=False), ("pointwise",)),
        (reference_mobilenet_v2, ("pointwise",)),
    ):
        with torch.device("meta"):
            counts = hooked_counts(build().eval(), 224)
        parameters = sum(c[1] for c in counts.values())
        macs = sum(c[2] for c in counts.values())
        ones = counts[kinds[0]]
        for number in (
            f"{parameters:,}",
            f"{macs:,}",
            f"{100 * ones[1] / parameters:.1f} %",
            f"{100 * ones[2] / macs:.1f} %",
        ):
            assert number in text, number
    with torch.device("meta"):
        v1 = hooked_counts(reference_resnet50(stride_in_1x1=True).eval(), 224)
    assert f"{sum(c[2] for c in v1.values()):,}" in text
    answer = client.get("/data/cost?panel=networks").json()["panels"]["networks"]["answer"]
    assert f"{100 * answer['pointwise']['mobilenet_v2']['multiply_adds']:.1f} %" in text
