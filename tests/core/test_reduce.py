import pytest
import torch

from app.core.inputs import SAMPLES, feature_bank, resize, scene_sample
from app.core.reduce import principal_components, reduce, train_autoencoder


def bank(side: int = 48) -> torch.Tensor:
    return feature_bank(resize(scene_sample(), side))


def test_curve_matches_eigh_of_the_channel_covariance():
    x = bank()
    pcs = principal_components(x)
    covariance = torch.cov(x.reshape(10, -1).double(), correction=0)
    eigenvalues = torch.linalg.eigh(covariance).eigenvalues.flip(0).clamp(min=0)
    ratio = eigenvalues / eigenvalues.sum()
    torch.testing.assert_close(pcs.explained_variance_ratio, ratio, atol=1e-12, rtol=0)
    torch.testing.assert_close(pcs.relative_error, 1 - ratio.cumsum(0), atol=1e-12, rtol=0)
    assert pcs.explained_variance_ratio.sum().item() == pytest.approx(1, abs=1e-12)
    assert pcs.relative_error[-1].item() == 0
    assert (pcs.relative_error.diff() <= 0).all()


def test_standardised_curve_is_that_of_the_correlation_matrix():
    x = bank()
    pcs = principal_components(x, standardise=True)
    eigenvalues = torch.linalg.eigh(torch.corrcoef(x.reshape(10, -1).double())).eigenvalues.flip(0).clamp(min=0)
    torch.testing.assert_close(pcs.explained_variance_ratio, eigenvalues / eigenvalues.sum(), atol=1e-10, rtol=0)
    assert pcs.relative_error[-1].item() == 0


@pytest.mark.parametrize("standardise", [False, True])
def test_relative_error_is_the_reconstruction_error(standardise):
    x = bank()
    pcs = principal_components(x, standardise)
    centred = (x.reshape(10, -1).double() - pcs.mean[:, None]) / pcs.scale[:, None]
    for rank in range(1, 11):
        reduction = reduce(x, pcs, rank)
        error = (x - reduction.reconstruction).reshape(10, -1).double() / pcs.scale[:, None]
        relative = error.pow(2).sum() / centred.pow(2).sum()
        assert relative.item() == pytest.approx(pcs.relative_error[rank - 1].item(), abs=1e-5)
    torch.testing.assert_close(reduce(x, pcs, 10).reconstruction, x, atol=1e-5, rtol=0)


def test_components_are_orthonormal_and_the_reduced_maps_are_projections():
    x = bank()
    pcs = principal_components(x)
    reduction = reduce(x, pcs, 4)
    assert reduction.components.shape == (4, 10)
    assert reduction.reduced.shape == (4, 48, 48)
    assert reduction.reconstruction.shape == (10, 48, 48)
    torch.testing.assert_close(pcs.components @ pcs.components.T, torch.eye(10, dtype=torch.float64))
    centred = x.reshape(10, -1) - x.reshape(10, -1).mean(dim=1, keepdim=True)
    torch.testing.assert_close(reduction.reduced.reshape(4, -1), reduction.components @ centred, atol=1e-5, rtol=0)
    # Each reduced map's variance is its eigenvalue.
    variances = reduction.reduced.reshape(4, -1).double().var(dim=1, correction=0)
    torch.testing.assert_close(variances, pcs.variances[:4], rtol=1e-4, atol=0)


def test_constant_input_has_nothing_to_explain():
    pcs = principal_components(torch.full((3, 4, 4), 0.5))
    assert pcs.explained_variance_ratio.tolist() == [0, 0, 0]
    assert pcs.relative_error.tolist() == [0, 0, 0]
    torch.testing.assert_close(reduce(torch.full((3, 4, 4), 0.5), pcs, 1).reconstruction, torch.full((3, 4, 4), 0.5))


@pytest.mark.parametrize("standardise", [False, True])
def test_autoencoder_reaches_the_pca_bound(standardise):
    x = bank(32)
    pcs = principal_components(x, standardise)
    rank = 3
    bound = pcs.loss(rank)
    assert bound == pytest.approx(pcs.relative_error[rank - 1].item() * pcs.variances.sum().item() / 10)
    progress = list(train_autoencoder(x, rank, standardise=standardise, lr=0.02, steps=600, seed=0))
    last = progress[-1]
    assert last.loss >= bound * (1 - 1e-3)
    assert last.loss <= bound * 1.05
    assert progress[0].loss > 2 * bound


@pytest.mark.parametrize("standardise", [False, True])
@pytest.mark.parametrize("sample", list(SAMPLES))
def test_the_bank_loses_nothing_at_r_9_of_10(sample, standardise):
    """Learn's sentence: luminance is a mix of red, green and blue, so R = 9 of 10 loses nothing
    (Eckart–Young: the error is the discarded eigenvalue, zero up to rounding); R = 8 does lose."""
    x = feature_bank(resize(SAMPLES[sample][1](), 64))
    pca = principal_components(x, standardise)
    assert pca.relative_error[8] < 1e-12 < 1e-6 < pca.relative_error[7]
    restored = reduce(x, pca, 9).reconstruction
    torch.testing.assert_close(restored, x, atol=1e-5, rtol=0)
