import re

import pytest

LABELS = ["Input", "Upload image", "Features", "Output channels", "Weights", "Seed", "Bias", "Activation"]


def test_mixer_has_every_labelled_control(client):
    page = client.get("/").text
    for label in LABELS:
        assert re.search(rf"<label[^>]*>\s*{re.escape(label)}", page), label


@pytest.mark.parametrize(
    ("path", "title", "labels"),
    [
        ("/learn", "Learn the mixing", ("Input", "Upload image", "Features", "Seed")),
        ("/learn?lang=zh", "学出来的通道混合", ("输入", "上传图像", "特征")),
        ("/blocks", "Inside the block", ("Block", "Input", "Upload image", "Features", "Seed")),
        ("/blocks?lang=zh", "走进网络模块", ("模块", "输入", "上传图像", "特征", "随机种子")),
        ("/embed/blocks?b=inception&view=diagram", "Inside the block", ("Block",)),
    ],
)
def test_the_page_speaks_its_language(client, path, title, labels):
    r = client.get(path)
    assert r.status_code == 200
    assert f"<title>{title} · Pointwise</title>" in r.text
    for label in labels:
        assert re.search(rf"<label[^>]*>\s*{re.escape(label)}", r.text), label


@pytest.mark.parametrize("path", ["/", "/cost", "/docs", "/learn", "/blocks", "/embed/blocks?b=inception&view=diagram"])
def test_pages_have_no_inline_scripts_and_no_foreign_hosts(client, path):
    page = client.get(path).text
    scripts = re.findall(r"<script([^>]*)>", page)
    # Every script is a file of the app's; a JSON data block is never executed.
    assert scripts and all('src="/' in a or 'type="application/json"' in a for a in scripts)
    assert "http://" not in page and "https://" not in page


def test_cost_page_defaults_are_the_classic_examples(client):
    page = client.get("/cost").text
    for control, value in [("s-cin", 256), ("s-h", 56), ("i-h", 28), ("i-r", 32), ("b-mid", 64), ("d-cin", 32)]:
        assert re.search(rf'id="{control}"[^>]*value="{value}"', page), control


@pytest.mark.parametrize(
    ("path", "to"),
    [
        ("/embed/mixer?lang=zh&cout=4", "/embed/mixer?lang=zh&cout=4&view=input%2Cweights%2Coutput"),
        ("/embed/cost", "/embed/cost?view=sweep"),
    ],
)
def test_an_embed_without_views_is_sent_to_its_usual_figure(client, path, to):
    answer = client.get(path, follow_redirects=False)
    assert answer.status_code == 307 and answer.headers["location"] == to
    assert client.get(path).status_code == 200
