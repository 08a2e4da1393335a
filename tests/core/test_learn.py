import numpy as np
import pytest
import torch
from torch import nn
import torch.nn.functional as F

from app.core.errors import InputError
from app.core.inputs import RGB_NAMES, feature_bank, resize, scene_sample, shapes_sample
from app.core.learn import Moments, Pointwise, hidden_mixing, least_squares, make_target, train
from app.core.weights import colour_preset
from app.lab.learn.state import LEARN_MAX_SIDE


def scene(side: int = 48) -> torch.Tensor:
    return resize(scene_sample(), side)


def run(x, target, **options):
    return list(train(x, target, **options))


def test_least_squares_recovers_a_hidden_linear_target():
    x = feature_bank(scene())[[0, 1, 2, 4, 5, 6, 8]]  # independent channels: the solution is unique
    weight, bias = hidden_mixing(x, 4, seed=3)
    fit = least_squares(x, make_target(x, weight, bias))
    torch.testing.assert_close(fit.weight, weight, atol=1e-4, rtol=0)
    torch.testing.assert_close(fit.bias, bias, atol=1e-4, rtol=0)
    assert fit.loss < 1e-10


def test_least_squares_matches_the_normal_equations():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(5, 9, 11, generator=g)
    target = torch.randn(3, 9, 11, generator=g)
    fit = least_squares(x, target)
    design = torch.cat([x.reshape(5, -1), torch.ones(1, 99)]).double().T  # (N, Cin + 1)
    solution = torch.linalg.solve(design.T @ design, design.T @ target.reshape(3, -1).double().T)
    torch.testing.assert_close(fit.weight, solution[:5].T.float(), atol=1e-6, rtol=0)
    torch.testing.assert_close(fit.bias, solution[5].float(), atol=1e-6, rtol=0)
    residual = design @ solution - target.reshape(3, -1).double().T
    assert fit.loss == pytest.approx(residual.pow(2).mean().item(), rel=1e-9)


def test_least_squares_with_dependent_channels_still_fits():
    x = feature_bank(scene())  # luminance = 0.299 R + 0.587 G + 0.114 B
    weight, bias = colour_preset("grayscale", RGB_NAMES)
    target = make_target(x[:3], weight, bias)
    fit = least_squares(x, target)
    assert fit.loss < 1e-10
    fitted = fit.weight @ x.reshape(10, -1) + fit.bias[:, None]  # (1, N)
    torch.testing.assert_close(fitted, target.reshape(1, -1), atol=1e-4, rtol=0)


def bank_problem(noise: float, side: int = LEARN_MAX_SIDE) -> tuple[torch.Tensor, torch.Tensor, np.ndarray, np.ndarray]:
    """The Learn page's default lesson: the feature bank of the scene (at the page's size, 128), a hidden
    random target; X, T, and numpy's A = [Xᵀ 1] (N, 11) and Tᵀ (N, 4)."""
    x = feature_bank(scene(side))
    target = make_target(x, *hidden_mixing(x, 4, seed=0), noise=noise, seed=1)
    design = np.concatenate([x.reshape(10, -1).double().numpy().T, np.ones((x[0].numel(), 1))], axis=1)
    return x, target, design, target.reshape(4, -1).double().numpy().T


@pytest.mark.parametrize("noise", [0.0, 0.1])
def test_least_squares_on_dependent_channels_is_the_minimum_norm_solution(noise):
    x, target, design, goal = bank_problem(noise)
    singular = np.linalg.svd(design, compute_uv=False)
    assert singular[-1] / singular[0] < 1e-7 < 1e-3 < singular[-2] / singular[0]  # one direction is rounding
    fit = least_squares(x, target)
    ours = np.concatenate([fit.weight.double().numpy(), fit.bias.double().numpy()[:, None]], axis=1)  # (4, 11)
    pinv = (np.linalg.pinv(design, rcond=1e-6) @ goal).T  # numpy's minimum norm, the rounding direction cut
    assert np.linalg.norm(ours) == pytest.approx(np.linalg.norm(pinv), abs=1e-3)
    np.testing.assert_allclose(ours, pinv, atol=1e-3)
    # lstsq keeps the rounding direction: the same loss to within 1e-6, with weights far larger once noisy
    solution = np.linalg.lstsq(design, goal, rcond=None)[0]
    best = float(((design @ solution - goal) ** 2).mean())
    assert fit.loss == pytest.approx(((design @ ours.T - goal) ** 2).mean(), rel=1e-9)
    assert best <= fit.loss < best + 1e-6
    if noise > 0:
        assert np.linalg.norm(solution) > 1000 * np.linalg.norm(ours)


def test_moments_aim_at_the_same_minimum_norm_optimum():
    x, target, _, _ = bank_problem(0.1)
    fit = least_squares(x, target)
    moments = Moments(x.reshape(10, -1), target.reshape(4, -1))
    torch.testing.assert_close(moments.best, torch.cat([fit.weight, fit.bias[:, None]], dim=1), atol=1e-4, rtol=0)
    assert moments.floor == pytest.approx(fit.loss, rel=1e-6)


def test_sgd_never_moves_along_a_dependent_direction_and_adam_does():
    """The page's sentence: with dependent channels the loss reaches the optimum, the weights need not."""
    x, target, design, _ = bank_problem(0.0, side=32)
    null = np.linalg.svd(design)[2][-1]  # the direction of [W b] that X cannot see
    fit = least_squares(x, target)
    optimum = np.concatenate([fit.weight.double().numpy(), fit.bias.double().numpy()[:, None]], axis=1)
    assert np.abs(optimum @ null).max() < 1e-4  # the minimum-norm optimum has no part along it

    def along(progress) -> np.ndarray:
        weight, bias = progress.layers[0]
        return np.concatenate([weight.double().numpy(), bias.double().numpy()[:, None]], axis=1) @ null

    sgd = run(x, target, optimizer="sgd", lr=0.5, momentum=0.9, steps=200, every=200)
    assert sgd[-1].loss < 1e-3 * sgd[0].loss
    np.testing.assert_allclose(along(sgd[-1]), along(sgd[0]), atol=1e-4)
    assert np.abs(along(sgd[0])).max() > 0.05  # so SGD ends away from the optimum, by the initial part
    adam = run(x, target, optimizer="adam", lr=0.05, steps=200, every=200)
    assert np.abs(along(adam[-1]) - along(adam[0])).max() > 0.01


def test_adam_learns_grayscale():
    x = resize(shapes_sample(), 64)
    weight, bias = colour_preset("grayscale", RGB_NAMES)
    last = run(x, make_target(x, weight, bias), optimizer="adam", lr=0.05, steps=300)[-1]
    learned, _ = last.layers[0]
    torch.testing.assert_close(learned[0], torch.tensor([0.299, 0.587, 0.114]), atol=0.02, rtol=0)


@pytest.mark.parametrize(
    ("hidden", "between", "optimizer", "lr"),
    [
        (None, "relu", "adam", 0.05),  # linear: trained on the moments of X and T
        (None, "relu", "sgd", 0.3),
        (6, "relu", "adam", 0.02),  # ReLU between: trained on the pixels
        (6, "relu", "sgd", 0.1),
        (6, "none", "adam", 0.02),  # two linear layers (the autoencoder): the moments again
    ],
)
def test_training_equals_a_plain_conv2d_loop(hidden, between, optimizer, lr):
    x = feature_bank(scene(24))
    target = make_target(x, *hidden_mixing(x, 3, seed=1), activation="relu")
    options = {"hidden": hidden, "hidden_activation": between, "optimizer": optimizer, "lr": lr}
    progress = run(x, target, **options, steps=40, every=1, seed=5)

    torch.manual_seed(5)
    if hidden is None:
        model = nn.Conv2d(10, 3, 1)
    else:
        f = nn.ReLU() if between == "relu" else nn.Identity()
        model = nn.Sequential(nn.Conv2d(10, hidden, 1), f, nn.Conv2d(hidden, 3, 1))
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    if optimizer == "adam":
        optim = torch.optim.Adam(model.parameters(), lr=lr)
    else:
        optim = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    assert [p.step for p in progress] == list(range(41))
    for step in range(41):
        output = model(x[None])  # NCHW
        loss = F.mse_loss(output, target[None])
        assert progress[step].loss == pytest.approx(loss.item(), rel=1e-4, abs=1e-7)
        for (weight, bias), conv in zip(progress[step].layers, convs, strict=True):
            torch.testing.assert_close(weight, conv.weight.detach()[:, :, 0, 0], atol=1e-5, rtol=1e-4)
            torch.testing.assert_close(bias, conv.bias.detach(), atol=1e-5, rtol=1e-4)
        optim.zero_grad()
        loss.backward()
        optim.step()
    torch.testing.assert_close(progress[-1].output, output.detach()[0], atol=1e-5, rtol=1e-4)


def test_moments_give_the_loss_and_gradients_of_the_pixels():
    bank = feature_bank(scene(32))
    x, target = bank.double(), make_target(bank, *hidden_mixing(bank, 4, seed=2)).double()
    moments = Moments(x.reshape(10, -1), target.reshape(4, -1))
    g = torch.Generator().manual_seed(3)
    weight = torch.randn(4, 10, generator=g, dtype=torch.float64, requires_grad=True)
    bias = torch.randn(4, generator=g, dtype=torch.float64, requires_grad=True)
    ours = moments.loss(weight, bias)
    ours_grads = torch.autograd.grad(ours, (weight, bias))
    pixels = F.mse_loss(torch.addmm(bias[:, None], weight, x.reshape(10, -1)), target.reshape(4, -1))
    pixel_grads = torch.autograd.grad(pixels, (weight, bias))
    assert ours.item() == pytest.approx(pixels.item(), rel=1e-12)
    for a, b in zip(ours_grads, pixel_grads, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def test_two_linear_layers_are_one_linear_map():
    model = Pointwise(5, 2, hidden=3, hidden_activation="none", seed=1)
    weight, bias = model.linear_map()
    flat = torch.rand(5, 40)
    torch.testing.assert_close(model(flat), torch.addmm(bias[:, None], weight, flat))
    assert model.is_linear and not Pointwise(5, 2, hidden=3).is_linear and Pointwise(5, 2).is_linear


def test_initialisation_is_pytorch_conv2d_init():
    model = Pointwise(7, 2, hidden=5, seed=11)
    torch.manual_seed(11)
    first, second = nn.Conv2d(7, 5, 1), nn.Conv2d(5, 2, 1)
    for conv, reference in zip(model.layers, (first, second), strict=True):
        assert torch.equal(conv.weight, reference.weight)
        assert torch.equal(conv.bias, reference.bias)


def test_progress_comes_every_few_steps_and_at_the_end():
    x = scene(16)
    target = make_target(x, *colour_preset("sepia", RGB_NAMES))
    progress = run(x, target, steps=25, every=10)
    assert [p.step for p in progress] == [0, 10, 20, 25]
    assert [p.output is None for p in progress] == [True, True, True, False]
    assert progress[-1].output.shape == (3, 16, 16)
    assert progress[-1].loss < progress[0].loss


def test_should_stop_ends_the_run():
    x = scene(16)
    target = make_target(x, *colour_preset("invert", RGB_NAMES))
    calls = []
    progress = run(x, target, steps=100, every=1, should_stop=lambda: len(calls) > 3 or calls.append(1))
    assert [p.step for p in progress] == [0, 1, 2, 3, 4]
    assert all(p.output is None for p in progress)


def test_relu_target_needs_two_layers():
    x = feature_bank(scene(32))
    target = make_target(x, *hidden_mixing(x, 2, seed=2), activation="relu")
    floor = least_squares(x, target).loss
    one = run(x, target, optimizer="adam", lr=0.05, steps=400)[-1]
    two = run(x, target, hidden=16, optimizer="adam", lr=0.02, steps=400)[-1]
    assert one.loss >= floor * (1 - 1e-4)  # one linear layer cannot go below least squares
    assert two.loss < floor / 4


def test_noise_is_seeded_gaussian():
    x = scene(32)
    weight, bias = colour_preset("grayscale", RGB_NAMES)
    clean = make_target(x, weight, bias)
    noisy = make_target(x, weight, bias, noise=0.1, seed=4)
    assert torch.equal(noisy, make_target(x, weight, bias, noise=0.1, seed=4))
    assert (noisy - clean).std().item() == pytest.approx(0.1, rel=0.05)
    # Least squares on the noisy target sits near the noise floor, σ².
    assert least_squares(x, noisy).loss == pytest.approx(0.01, rel=0.05)


def test_divergence_names_the_learning_rate():
    x = feature_bank(scene(16))
    target = make_target(x, *hidden_mixing(x, 2, seed=0))
    with pytest.raises(InputError) as error:
        run(x, target, optimizer="sgd", lr=1e6, steps=50)
    assert error.value.field == ("lr",)
    assert "diverged" in error.value.message
