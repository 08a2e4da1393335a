"""What a channel reduction loses: PCA over pixels, the best linear reduction to R channels.

Shapes: X (Cin, H, W); its N = H·W pixels are N points in Cin dimensions. Z = (X − mean) / scale
is the centred (and, when standardised, unit-variance) data PCA works on, with scale = 1 when not
standardised. The components are the eigenvectors of Z's channel covariance C = Z·Zᵀ / N,
largest eigenvalue first; the top R of them give the reduction Y = V_R·Z (R, H, W), and
X̂_R = scale·(V_Rᵀ·Y) + mean is the best rank-R reconstruction (Eckart–Young):
‖Z − Ẑ_R‖² / ‖Z‖² = Σ_{k>R} λ_k / Σ_k λ_k.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch

from app.core.learn import Optimizer, Progress, train


@dataclass(frozen=True)
class PrincipalComponents:
    """The PCA of X's channels. Float64 throughout; the errors are measured in Z's units."""

    mean: torch.Tensor  # (Cin,)
    scale: torch.Tensor  # (Cin,)  each channel's standard deviation when standardised, else ones
    components: torch.Tensor  # (Cin, Cin)  orthonormal rows, largest variance first
    variances: torch.Tensor  # (Cin,)  eigenvalues λ_k of C, descending, ≥ 0

    @property
    def explained_variance_ratio(self) -> torch.Tensor:
        """λ_k / Σλ (Cin,): it sums to 1 (all zeros when X is constant: nothing to explain)."""
        total = self.variances.sum()
        return self.variances / total if total > 0 else torch.zeros_like(self.variances)

    @property
    def relative_error(self) -> torch.Tensor:
        """‖Z − Ẑ_r‖² / ‖Z‖² for r = 1 … Cin (Cin,): the variance the top r components leave out; 0 at r = Cin."""
        tail = self.variances.flip(0).cumsum(0).flip(0)  # tail[k] = Σ_{j≥k} λ_j
        remaining = torch.cat([tail[1:], tail.new_zeros(1)])  # Σ_{j>r} λ_j for r = 1 … Cin
        total = tail[0]
        return remaining / total if total > 0 else torch.zeros_like(remaining)

    def loss(self, rank: int) -> float:
        """The least mean squared error over Z's values any rank-R linear reconstruction can reach."""
        return float(self.variances[rank:].sum() / self.variances.numel())


def standardised(x: torch.Tensor, standardise: bool) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(Z (Cin, N) float64, mean (Cin,), scale (Cin,)): X centred, and divided by its std if asked."""
    c_in = x.shape[0]
    flat = x.reshape(c_in, -1).double()  # (Cin, N)
    mean = flat.mean(dim=1)  # (Cin,)
    centred = flat - mean[:, None]
    scale = torch.ones_like(mean)
    if standardise:
        std = centred.pow(2).mean(dim=1).sqrt()
        scale = torch.where(std > 0, std, 1.0)  # a constant channel is already all zeros
    return centred / scale[:, None], mean, scale


def principal_components(x: torch.Tensor, standardise: bool = False) -> PrincipalComponents:
    """PCA of X (Cin, H, W) over its pixels, from `torch.linalg.eigh` of the channel covariance."""
    z, mean, scale = standardised(x, standardise)  # (Cin, N)
    covariance = z @ z.T / z.shape[1]  # (Cin, Cin)
    values, vectors = torch.linalg.eigh(covariance)  # ascending
    components = vectors.flip(1).T  # (Cin, Cin), rows largest variance first
    # An eigenvector's sign is arbitrary: make each row's largest entry positive, for stable output.
    signs = torch.sign(components.gather(1, components.abs().argmax(dim=1, keepdim=True)))
    return PrincipalComponents(mean, scale, components * signs, values.flip(0).clamp(min=0))


@dataclass(frozen=True)
class Reduction:
    """X reduced to R channels and brought back."""

    components: torch.Tensor  # (R, Cin)
    reduced: torch.Tensor  # (R, H, W)  Y = V_R·Z
    reconstruction: torch.Tensor  # (Cin, H, W)  X̂_R = scale·(V_Rᵀ·Y) + mean


def reduce(x: torch.Tensor, pca: PrincipalComponents, rank: int) -> Reduction:
    """Project X (Cin, H, W) onto its top `rank` components and reconstruct it (float32 results)."""
    c_in, height, width = x.shape
    z = (x.reshape(c_in, -1).double() - pca.mean[:, None]) / pca.scale[:, None]  # (Cin, N)
    kept = pca.components[:rank]  # (R, Cin)
    reduced = kept @ z  # (R, N)
    restored = (kept.T @ reduced) * pca.scale[:, None] + pca.mean[:, None]  # (Cin, N)
    return Reduction(
        kept.float(),
        reduced.reshape(rank, height, width).float(),
        restored.reshape(c_in, height, width).float(),
    )


def train_autoencoder(
    x: torch.Tensor,
    rank: int,
    *,
    standardise: bool = False,
    optimizer: Optimizer = "adam",
    lr: float = 0.05,
    momentum: float = 0.9,
    steps: int = 300,
    every: int = 10,
    seed: int = 0,
    should_stop: Callable[[], bool] | None = None,
) -> Iterator[Progress]:
    """Learn the reduction: a linear 1×1 autoencoder Z → R channels → Z, two 1×1 convolutions
    with no activation between, trained by mean squared error. Its loss cannot go below
    `pca.loss(rank)` (Eckart–Young) and approaches it as it trains."""
    c_in, height, width = x.shape
    z, _, _ = standardised(x, standardise)
    z = z.float().reshape(c_in, height, width)  # (Cin, H, W)
    return train(
        z,
        z,
        hidden=rank,
        hidden_activation="none",
        optimizer=optimizer,
        lr=lr,
        momentum=momentum,
        steps=steps,
        every=every,
        seed=seed,
        should_stop=should_stop,
    )
