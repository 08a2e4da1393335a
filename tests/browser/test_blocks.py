"""The Blocks page in a real Chromium: each block opens, a click on a 1×1 stage shows its weighted sum,
and each block, and its export, reads in Chinese with code shown as code."""

import httpx
import pytest
from safetensors.torch import save as save_safetensors
import torch

from app.core.blocks import BLOCKS
from tests.browser.test_i18n import COLLECT, latin_words

# Each kind at a small size, and a 1×1 stage that is not the one shown first.
CASES = [
    ("bottleneck", "conv3"),
    ("bottleneck_torchvision", "conv3"),
    ("bottleneck_down", "downsample.0"),
    ("bottleneck_down_v1", "conv1"),
    ("mlpconv", "conv3"),
    ("inception", "branch4"),
    ("inverted_residual", "conv3"),
    ("vit_ffn", "conv2"),
]


def node(page, name: str):
    return page.locator(f'#diagram .node[data-stage="{name}"]')


def operations(page) -> list[str]:
    """Each node's operation, the first line it draws."""
    first_lines = "(nodes) => nodes.map((n) => n.querySelector('text').textContent)"
    return page.locator("#diagram .node").evaluate_all(first_lines)


def code_lines(page) -> list[str]:
    return page.locator("#diagram .node text.code").all_text_contents()


@pytest.mark.parametrize(("kind", "one_by_one"), CASES)
def test_each_block_opens_and_a_1x1_stage_shows_its_weighted_sum(watched, base_url, kind, one_by_one):
    watched.open(f"/blocks?b={kind}&side=20&mc=4")
    page = watched.page
    answer = httpx.get(f"{base_url}/data/blocks", params={"b": kind, "side": 20, "mc": 4}, timeout=60).json()
    assert page.locator("#diagram .node").count() == len(answer["stages"])
    # In English a node names its operation as PyTorch does: the server's own words, rebuilt.
    assert operations(page) == [stage["op"] for stage in answer["stages"]]
    assert page.locator("#summary").inner_text().startswith(f"{answer['parameters']:,} parameters")
    node(page, one_by_one).click()
    watched.settle()
    assert f"node={one_by_one}" in page.url
    assert node(page, one_by_one).get_attribute("aria-pressed") == "true"
    assert page.locator("#sum-figure").is_visible() and page.locator("#matrix-figure").is_visible()
    assert page.locator("#sum-caption").inner_text().startswith(f"y0 of {one_by_one} = Σ W[0, c]·X[c] + b[0]")
    assert page.locator("#sum-plot .imagelayer image, #sum-plot image").count() >= 1
    assert page.locator("#stage-caption").inner_text().startswith(f"{one_by_one}; Conv2d 1×1")
    assert watched.errors == []
    assert watched.foreign_requests() == []


def test_the_residual_add_and_a_picked_channel(watched):
    watched.open("/blocks?b=bottleneck&cin=16&mid=4&cout=16&side=16")
    page = watched.page
    node(page, "add").click()
    watched.settle()
    assert page.locator("#residual-figure").is_visible()
    assert page.locator("#residual-caption").inner_text() == "Channel 0: bn3 + input = add"
    assert not page.locator("#sum-figure").is_visible()
    page.locator("#ch").fill("3")
    page.locator("#ch").dispatch_event("change")
    watched.settle()
    assert page.locator("#residual-caption").inner_text() == "Channel 3: bn3 + input = add"
    assert "ch=3" in page.url
    assert watched.errors == []


def test_uploaded_weights_are_used_and_a_misfit_is_said(watched, tmp_path):
    watched.open("/blocks?b=bottleneck&cin=8&mid=4&cout=8&in=random&side=8")
    page = watched.page
    torch.manual_seed(3)
    good = tmp_path / "good.safetensors"
    good.write_bytes(save_safetensors(BLOCKS["bottleneck"](8, 4, 8).state_dict()))
    page.locator("#weights-file").set_input_files(str(good))
    page.wait_for_url("**wid=*")
    watched.settle()
    assert page.locator("#weights-source").inner_text().startswith("Weights: your state dict")
    assert page.locator("#use-seed").is_visible()
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(save_safetensors({"conv1.weight": torch.zeros(4, 8, 3, 3)}))
    page.locator("#weights-file").set_input_files(str(bad))
    page.wait_for_selector("#status.error")
    assert page.locator("#status").inner_text() == (
        "These weights do not fit this block: query.wid: 'conv1.weight' has shape [4, 8, 3, 3]; "
        "this block needs [4, 8, 1, 1]"
    )
    assert watched.errors == [] or all("422" in e for e in watched.errors)


def test_a_state_dict_over_the_limit_is_refused_before_it_is_sent(watched, tmp_path):
    watched.open("/blocks?b=bottleneck&cin=8&mid=4&cout=8&in=random&side=8")
    page = watched.page
    sent = []
    page.on("request", lambda request: sent.append(request.url) if "/api/blocks/weights" in request.url else None)
    large = tmp_path / "large.pt"
    large.write_bytes(b"\0" * (17 * 2**20))
    page.locator("#weights-file").set_input_files(str(large))
    page.wait_for_selector("#status.error")
    assert page.locator("#status").inner_text() == "This state dict is 17.0 MiB: the server takes at most 16 MiB."
    assert sent == []


def test_chinese_page_and_copy_code(watched):
    watched.open("/blocks?lang=zh&side=16&b=mlpconv")
    page = watched.page
    assert page.locator("#one-by-one").inner_text().startswith("1×1 卷积占全部参数的")
    assert "b=mlpconv" in page.locator("#language").get_attribute("href")
    assert "lang=en" in page.locator("#language").get_attribute("href")
    page.locator('[data-view="diagram"] .share button[data-copy="code"]').click()
    code = page.locator("#copied-text").input_value()
    assert "class MlpConv(nn.Module):" in code and 'print("last stage == block(x):"' in code


# Every kind in Chinese: each operation in the page's words, the stage and its PyTorch class as code
# beneath it; nothing but code and the allowed names in Latin letters, on the block's last stage too
# (the residual add or the concatenation).
CHINESE = {
    "bottleneck": (["输入", "卷积 1×1", "批归一化", "ReLU"], ["input", "conv1: Conv2d", "bn1: BatchNorm2d", "relu1"]),
    "bottleneck_down": (["卷积 3×3，步幅 2", "批归一化"], ["conv2: Conv2d", "bn2: BatchNorm2d"]),
    "bottleneck_down_v1": (["卷积 1×1，步幅 2", "批归一化"], ["conv1: Conv2d", "bn1: BatchNorm2d"]),
    "vit_ffn": (["卷积 8×8，步幅 8", "GELU"], ["patch: Conv2d", "conv2: Conv2d"]),
    "inception": (["最大池化 3×3", "按通道拼接"], ["branch4_pool: MaxPool2d", "concat"]),
    "inverted_residual": (
        ["ReLU（上限为 6）", "逐通道卷积 3×3", "相加（残差连接）"],
        ["relu1: ReLU6", "conv2: Conv2d", "add"],
    ),
}


@pytest.mark.parametrize("kind", sorted(CHINESE))
def test_every_block_reads_in_chinese(watched, kind):
    watched.open(f"/blocks?lang=zh&b={kind}&side=12&mc=4")
    page = watched.page
    ops, code = CHINESE[kind]
    assert set(ops) <= set(operations(page)) and set(code) <= set(code_lines(page))
    assert latin_words(page.evaluate(COLLECT)) == set()
    last = page.locator("#diagram .node").last.get_attribute("data-stage")
    node(page, last if kind in ("inception", "vit_ffn") else "add").click()
    watched.settle()
    assert latin_words(page.evaluate(COLLECT)) == set()
    assert page.locator("#status").inner_text() in ("已在 CPU 上运行。", "已在 GPU 上运行。")
    assert watched.errors == []


def test_the_export_reads_in_chinese(watched, base_url):
    html = httpx.get(f"{base_url}/export/blocks.html?lang=zh&b=inverted_residual&side=12&mc=4", timeout=60).text
    page = watched.page
    page.set_content(html)
    watched.settle()
    assert operations(page)[-1] == "相加（残差连接）"
    assert latin_words(page.evaluate(COLLECT)) == set()
    node(page, "add").click()
    assert page.locator("#residual-figure").is_visible()
    assert latin_words(page.evaluate(COLLECT)) == set()
    assert watched.errors == []
