"""What the Mixer says about its own numbers: the check it prints, and PCA's scaling."""

import httpx
import pytest


@pytest.mark.parametrize(("act", "check"), [("none", "max |Σ − conv2d|"), ("relu", "max |ReLU(Σ) − conv2d|")])
def test_the_sum_row_names_its_check(watched, act, check):
    watched.open(f"/?act={act}&view=sum")
    caption = watched.page.locator("#sum-caption").inner_text()
    assert check in caption
    error = caption.split(f"{check} = ")[1].split(":")[0]
    assert float(error.replace("−", "-")) < 1e-5
    assert f"conv2d differ by at most {error} at any pixel" in caption  # and in words
    assert watched.errors == []


def test_pca_on_standardised_channels_is_a_choice_in_the_url(watched):
    watched.open("/?w=pca&cout=3&view=weights,rgb")
    page = watched.page
    assert page.locator("#pca-std-field").is_visible()
    # PCA's outputs are centred, so signed: the RGB view stretches them rather than clip them, and says so
    assert "each channel stretched from its [min, max] to [0, 1]" in page.locator("#rgb-plot").inner_text()
    with page.expect_request("**/api/mix") as sent:
        page.select_option("#pca-std", "1")
    watched.settle()
    assert sent.value.post_data_json["weight"] == {"preset": "pca", "standardise": True}
    assert "std=1" in page.url
    body = {"input": {"source": "sample", "name": "scene"}, "features": "bank", "max_side": 256, "out_channels": 3}
    body |= {"encoding": "json", "include_input_maps": False, "include_output_maps": False}
    unscaled, scaled = (
        httpx.post(
            f"{watched.base_url}/api/mix", json={**body, "weight": {"preset": "pca", "standardise": s}}, timeout=30
        ).json()["weight"]["values"]
        for s in (False, True)
    )
    assert unscaled != scaled
    page.select_option("#weights", "grayscale")
    watched.settle()
    assert page.locator("#pca-std-field").is_hidden()
    assert watched.errors == []
