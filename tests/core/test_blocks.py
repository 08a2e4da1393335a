from concurrent.futures import ThreadPoolExecutor

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from app.core import blocks, cost, stages
from app.core.blocks import BLOCKS, Bottleneck
from app.core.errors import InputError
from app.pages.templating import LANGUAGES, page_text
from tests.core.block_cases import SMALL, case, randomise_batch_norms, trained


class TutorialBottleneck(nn.Module):
    """The tutorial's class, written out here as the reference the app's Bottleneck must equal."""

    def __init__(self, in_channels, bottleneck_channels, out_channels):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, bottleneck_channels, kernel_size=1)
        self.bn1 = nn.BatchNorm2d(bottleneck_channels)
        self.conv2 = nn.Conv2d(bottleneck_channels, bottleneck_channels, kernel_size=3, padding=1)
        self.bn2 = nn.BatchNorm2d(bottleneck_channels)
        self.conv3 = nn.Conv2d(bottleneck_channels, out_channels, kernel_size=1)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        out += identity
        return self.relu(out)


def test_bottleneck_is_the_tutorials_class_parameter_for_parameter():
    widths = {"in_channels": 16, "bottleneck_channels": 4, "out_channels": 16}
    torch.manual_seed(7)
    reference = TutorialBottleneck(**widths)
    block = stages.build("bottleneck", stages.widths_of(widths), 7)
    assert [name for name, _ in block.named_children()] == ["conv1", "bn1", "conv2", "bn2", "conv3", "bn3", "relu"]
    assert list(block.state_dict()) == list(reference.state_dict())
    for key, value in reference.state_dict().items():
        assert torch.equal(block.state_dict()[key], value), key
    x = torch.randn(2, 16, 9, 9)
    assert torch.equal(block(x.clone()), reference.eval()(x.clone()))


@pytest.mark.parametrize("name", list(SMALL))
def test_every_stage_equals_a_forward_hook_on_the_same_module(name):
    kind, widths = case(name)
    block = stages.build(kind, widths, 3)
    randomise_batch_norms(block, 1)
    x = torch.randn(SMALL[name]["in_channels"], 10, 11, generator=torch.Generator().manual_seed(2))

    hooked: dict[str, list[torch.Tensor]] = {}
    handles = [
        module.register_forward_hook(lambda m, i, o, path=path: hooked.setdefault(path, []).append(o.clone()))
        for path, module in block.named_modules()
        if path and not list(module.children())
    ]
    with torch.no_grad():
        block(x.unsqueeze(0).clone())
    for handle in handles:
        handle.remove()

    result = stages.run(kind, widths, block, x)
    calls: dict[str, int] = {}
    by_name = {stage.name: stage for stage in result.stages}
    for stage in result.stages[1:]:
        if stage.module is None:
            sources = [by_name[source].output for source in stage.inputs]
            combined = sources[0] + sources[1] if stage.op == "+" else torch.cat(sources)
            assert torch.equal(stage.output, combined)
            continue
        index = calls.get(stage.module, 0)
        calls[stage.module] = index + 1
        assert torch.equal(stage.output, hooked[stage.module][index][0]), stage.name
    assert calls == {path: len(outputs) for path, outputs in hooked.items()}  # every call is a stage


@pytest.mark.parametrize("name", list(SMALL))
def test_last_stage_is_the_output_of_the_same_seed_built_independently(name):
    kind, widths = case(name)
    x = torch.randn(SMALL[name]["in_channels"], 12, 7)
    result = stages.run(kind, widths, stages.build(kind, widths, 11), x)

    torch.manual_seed(11)
    module = BLOCKS[kind](**SMALL[name]).eval()
    with torch.no_grad():
        expected = module(x.unsqueeze(0))[0]
    assert result.stages[0].name == "input"
    assert torch.equal(result.stages[0].output, x)
    assert torch.equal(result.stages[-1].output, expected)
    assert result.parameters == sum(p.numel() for p in module.parameters())
    whole = cost.count_module(stages.meta_twin(kind, widths), *x.shape)
    assert result.multiply_adds == whole.multiply_adds
    assert result.parameters == whole.parameters


def test_tutorial_bottleneck_256_64_256_at_56x56_counts():
    # 70,784 parameters = the three convs' weights (16,384 + 36,864 + 16,384 = 69,632), their biases
    # (64 + 64 + 256 = 384) and the BatchNorms' γ and β (2·(64 + 64 + 256) = 768). The multiply–adds
    # are the convolutions' alone, 56·56·69,632 = 218,365,952: BatchNorm, ReLU and the add count 0.
    widths = stages.widths_of({"in_channels": 256, "bottleneck_channels": 64, "out_channels": 256})
    result = stages.run("bottleneck", widths, stages.build("bottleneck", widths, 0), torch.randn(256, 56, 56))
    assert result.parameters == 69_632 + 384 + 768 == 70_784
    assert result.multiply_adds == 56 * 56 * 69_632 == 218_365_952
    assert [(s.name, s.parameters, s.multiply_adds) for s in result.stages if s.multiply_adds] == [
        ("conv1", 256 * 64 + 64, 56 * 56 * 256 * 64),
        ("conv2", 9 * 64 * 64 + 64, 56 * 56 * 9 * 64 * 64),
        ("conv3", 64 * 256 + 256, 56 * 56 * 64 * 256),
    ]
    assert result.one_by_one == cost.Count(16_448 + 16_640, 2 * 51_380_224)
    assert [s.name for s in result.stages if s.one_by_one] == ["conv1", "conv3"]
    assert [tuple(s.output.shape) for s in result.stages][-3:] == [(256, 56, 56)] * 3


def test_inception_3a_defaults():
    widths = stages.widths_of({})
    result = stages.run("inception", widths, stages.build("inception", widths, 0), torch.rand(192, 28, 28))
    assert tuple(result.stages[-1].output.shape) == (64 + 128 + 32 + 32, 28, 28)
    one_by_one = (192 * 64 + 64) + (192 * 96 + 96) + (192 * 16 + 16) + (192 * 32 + 32)
    assert result.parameters == one_by_one + (9 * 96 * 128 + 128) + (25 * 16 * 32 + 32)
    assert result.one_by_one.parameters == one_by_one
    assert result.multiply_adds == 28 * 28 * (192 * (64 + 96 + 16 + 32) + 9 * 96 * 128 + 25 * 16 * 32)
    assert [s.name for s in result.stages if s.op == "MaxPool2d 3×3"] == ["branch4_pool"]


def downsampling_branch(stride_in_1x1: bool) -> tuple[nn.Module, nn.Module]:
    """ResNet-50's conv3_1 (256×56×56 → 512×28×28, 128 wide) from torch built-ins alone: the branch's
    three convolutions, the stride in the first 1×1 (v1) or in the 3×3 (v1.5), and the shortcut."""
    s1, s3 = (2, 1) if stride_in_1x1 else (1, 2)
    branch = nn.Sequential(
        nn.Conv2d(256, 128, 1, stride=s1, bias=False),
        nn.Conv2d(128, 128, 3, stride=s3, padding=1, bias=False),
        nn.Conv2d(128, 512, 1, bias=False),
    )
    return branch, nn.Conv2d(256, 512, 1, stride=2, bias=False)


@pytest.mark.parametrize(
    ("kind", "stride_in_1x1", "expected"),
    [
        ("bottleneck_down", False, 372_506_624),
        ("bottleneck_down_v1", True, 295_436_288),
    ],
)
def test_v1_and_v1_5_downsampling_counts_equal_modules_built_from_torch(kind, stride_in_1x1, expected):
    branch, shortcut = downsampling_branch(stride_in_1x1)
    x = torch.zeros(1, 256, 56, 56)
    with FlopCounterMode(display=False) as counter:
        out = branch(x) + shortcut(x)
    assert tuple(out.shape) == (1, 512, 28, 28)
    first = (56 * 56 if not stride_in_1x1 else 28 * 28) * 256 * 128
    by_hand = first + 28 * 28 * 9 * 128 * 128 + 28 * 28 * 128 * 512 + 28 * 28 * 256 * 512
    assert counter.get_total_flops() // 2 == by_hand == expected
    widths = stages.widths_of({"in_channels": 256, "bottleneck_channels": 128, "out_channels": 512, "stride": 2})
    plan = stages.plan(kind, widths, 256, 56, 56)
    assert sum(count.multiply_adds for count in plan.counts.values()) == expected
    assert plan.shapes["add"] == (512, 28, 28)
    block = stages.meta_twin(kind, widths)
    assert (block.conv1.stride, block.conv2.stride) == (((2, 2), (1, 1)) if stride_in_1x1 else ((1, 1), (2, 2)))
    for language in LANGUAGES:  # the Blocks page quotes both counts
        assert f"{expected:,}" in page_text("blocks", language)["intro"]


def test_downsampling_and_depthwise_stages_are_named_by_what_they_do():
    kind, widths = case("bottleneck_down")
    ops = {
        s.name: (s.op, tuple(s.output.shape), s.one_by_one)
        for s in stages.run(kind, widths, stages.build(kind, widths, 0), torch.rand(6, 9, 9)).stages
    }
    assert ops["conv2"] == ("Conv2d 3×3 /2", (3, 5, 5), False)
    assert ops["downsample.0"] == ("Conv2d 1×1 /2", (12, 5, 5), True)
    assert ops["add"] == ("+", (12, 5, 5), False)
    kind, widths = case("inverted_residual_stride2")
    names = [s.name for s in stages.run(kind, widths, stages.build(kind, widths, 0), torch.rand(4, 8, 8)).stages]
    assert "add" not in names  # stride 2 and Cin ≠ Cout: no residual
    kind, widths = case("inverted_residual")
    result = stages.run(kind, widths, stages.build(kind, widths, 0), torch.rand(4, 8, 8))
    assert [s.op for s in result.stages][4:6] == ["Conv2d 3×3 dw", "BatchNorm2d"]
    assert result.stages[-1].name == "add"


def test_construction_neither_reads_nor_moves_the_global_rng_and_is_thread_safe():
    kind, widths = case("bottleneck")
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    built = stages.build(kind, widths, 5)
    assert torch.equal(torch.random.get_rng_state(), before)

    def weights(seed: int) -> list[torch.Tensor]:
        return list(stages.build(kind, widths, seed).state_dict().values())

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(weights, [5, 6] * 40))
    for seed, result in zip([5, 6] * 40, results, strict=True):
        expected = list(built.state_dict().values()) if seed == 5 else weights(6)
        assert all(torch.equal(a, b) for a, b in zip(result, expected, strict=True))


def test_fill_channels_keeps_the_image_and_adds_a_seeded_1x1_stem():
    x = torch.rand(3, 5, 6)
    filled = stages.fill_channels(x, 8)
    torch.manual_seed(stages.STEM_SEED)
    stem = nn.Conv2d(3, 5, 1)
    assert filled.shape == (8, 5, 6)
    assert torch.equal(filled[:3], x)
    torch.testing.assert_close(filled[3:], stem(x.unsqueeze(0))[0].detach(), rtol=1e-6, atol=1e-6)


def test_a_state_dict_is_loaded_and_used():
    kind, widths = case("bottleneck_down")
    source = trained(kind, widths, 9)
    block = stages.build(kind, widths, 0)
    stages.load_weights(block, source.state_dict())
    x = torch.rand(6, 8, 8)
    assert torch.equal(stages.run(kind, widths, block, x).stages[-1].output, source(x.unsqueeze(0))[0].detach())


def test_num_batches_tracked_may_be_absent():
    kind, widths = case("bottleneck")
    source = trained(kind, widths, 1)
    state = {k: v for k, v in source.state_dict().items() if "num_batches" not in k}
    block = stages.build(kind, widths, 0)
    stages.load_weights(block, state)
    loaded = block.state_dict()
    assert all(torch.equal(loaded[key], value) for key, value in state.items())
    assert [loaded[key].item() for key in loaded if "num_batches" in key] == [0, 0, 0]  # as built: unread in eval
    x = torch.rand(8, 6, 5)
    assert torch.equal(stages.run(kind, widths, block, x).stages[-1].output, source(x.unsqueeze(0))[0].detach())


def refusal(kind: str, widths: stages.Widths, state: dict) -> str:
    with pytest.raises(InputError) as caught:
        stages.load_weights(stages.build(kind, widths, 0), state)
    assert caught.value.field == ("weights_id",)
    return caught.value.message


def test_wrong_key_shape_or_values_are_refused_naming_the_first_key():
    kind, widths = case("bottleneck")
    good = trained(kind, widths, 1).state_dict()
    renamed = {("conv9.weight" if k == "conv2.weight" else k): v for k, v in good.items()}
    assert refusal(kind, widths, renamed) == "the state dict lacks 'conv2.weight' (shape [3, 3, 3, 3])"
    extra = {**good, "fc.weight": torch.zeros(2)}
    assert refusal(kind, widths, extra) == "'fc.weight' is not a parameter or buffer of this block"
    wrong = {**good, "conv3.weight": torch.zeros(8, 3, 3, 3), "bn3.bias": torch.zeros(7)}
    assert refusal(kind, widths, wrong) == "'conv3.weight' has shape [8, 3, 3, 3]; this block needs [8, 3, 1, 1]"
    infinite = {**good, "bn1.running_var": torch.full((3,), float("inf"))}
    assert refusal(kind, widths, infinite) == "'bn1.running_var' holds values that are not finite"


def test_every_kind_has_steps_that_name_real_submodules():
    for name in SMALL:
        kind, widths = case(name)
        block = stages.build(kind, widths, 0)
        known = {"input"}
        for step in stages.steps_of(block):
            assert set(step.inputs) <= known, step
            if step.module:
                block.get_submodule(step.module)
            known.add(step.name)
    assert isinstance(BLOCKS["bottleneck"](4, 2, 4), Bottleneck)


def test_the_ffn_is_nn_transformer_encoder_layers_own_run_as_two_1x1_convs():
    widths = stages.widths_of({"in_channels": 3, "d_model": 16, "dim_feedforward": 64, "patch_size": 4})
    block = stages.build("vit_ffn", widths, 7)
    torch.manual_seed(7)  # the same draws, in the same order, from PyTorch's own modules
    patch = nn.Conv2d(3, 16, 4, stride=4)
    layer = nn.TransformerEncoderLayer(16, 1, 64, activation="gelu", batch_first=True).eval()
    assert torch.equal(block.patch.weight, patch.weight)
    assert torch.equal(block.conv1.weight[:, :, 0, 0], layer.linear1.weight)
    assert torch.equal(block.conv2.bias, layer.linear2.bias)
    x = torch.rand(3, 32, 24)
    result = stages.run("vit_ffn", widths, block, x)
    assert [s.name for s in result.stages if s.one_by_one] == ["conv1", "conv2"]
    grid, output = result.stages[1].output, result.stages[-1].output  # (16, 8, 6) both
    tokens = patch(x[None]).flatten(2).transpose(1, 2)  # (1, 48, 16): ViT's sequence of patch tokens
    with torch.no_grad():
        ffn = layer.linear2(layer.dropout(layer.activation(layer.linear1(tokens))))  # (1, 48, 16)
    torch.testing.assert_close(output, ffn[0].T.reshape(16, 8, 6), atol=1e-5, rtol=0)
    assert blocks.token_ffn_difference(block, grid, output) < 1e-5
    assert result.multiply_adds == 8 * 6 * (16 * 3 * 4 * 4 + 16 * 64 + 64 * 16)
