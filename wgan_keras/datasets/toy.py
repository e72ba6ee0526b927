"""The 2-D toy distributions of the WGAN-GP paper (Gulrajani et al. 2017, Fig. 1).

Scales follow the reference code (`gan_toy.py`): 8 Gaussians of std 0.02 on a
circle of radius 2, 25 Gaussians of std 0.05 on a 5x5 grid with spacing 1, each
divided by the same constant as there (1.414 and 2.828), and a Swiss roll
divided by 7.5.
"""

import numpy as np

_MIXTURES = {8: (0.02, 1.414), 25: (0.05, 2.828)}


def _validate(n, modes=8):
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"`n` must be an int >= 1. Received: n={n!r}")
    if modes not in _MIXTURES:
        raise ValueError(f"`modes` must be 8 or 25. Received: modes={modes!r}")


def mode_centers(modes=8):
    """The `(modes, 2)` centers of `gaussian_mixture_2d(..., modes=modes)`."""
    _validate(1, modes)
    _, scale = _MIXTURES[modes]
    if modes == 8:
        angles = np.arange(8) * (np.pi / 4)
        centers = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    else:
        grid = np.arange(-2, 3, dtype="float64")
        centers = np.stack(np.meshgrid(grid, grid), axis=-1).reshape(-1, 2)
    return (centers / scale).astype("float32")


def mode_std(modes=8):
    """The per-axis standard deviation of each mixture component."""
    _validate(1, modes)
    std, scale = _MIXTURES[modes]
    return std / scale


def gaussian_mixture_2d(n, modes=8, seed=None):
    """`n` samples of a mixture of 8 (on a circle) or 25 (on a grid) Gaussians.

    Args:
        n: int, number of samples.
        modes: 8 or 25.
        seed: int or None.

    Returns:
        float32 array `(n, 2)`.

    Example:

    ```python
    x = wk.datasets.gaussian_mixture_2d(10_000, modes=8, seed=0)
    ```

    Reference:
        Gulrajani et al., "Improved Training of Wasserstein GANs", 2017, Fig. 1.
    """
    _validate(n, modes)
    rng = np.random.default_rng(seed)
    centers = mode_centers(modes)
    which = rng.integers(0, modes, size=n)
    noise = rng.standard_normal((n, 2)) * mode_std(modes)
    return (centers[which] + noise).astype("float32")


def swiss_roll(n, noise=0.25, seed=None):
    """`n` samples of the 2-D Swiss roll of the WGAN-GP toy experiments.

    Args:
        n: int, number of samples.
        noise: float, std of the Gaussian noise before scaling (0.25).
        seed: int or None.

    Returns:
        float32 array `(n, 2)`, roughly in [-2, 2].
    """
    _validate(n)
    rng = np.random.default_rng(seed)
    t = 1.5 * np.pi * (1 + 2 * rng.random(n))
    points = np.stack([t * np.cos(t), t * np.sin(t)], axis=1)
    points += noise * rng.standard_normal((n, 2))
    return (points / 7.5).astype("float32")


def covered_modes(samples, modes=8, radius=None, min_fraction=0.01):
    """Number of mixture modes that hold at least `min_fraction` of the samples.

    A sample counts for its nearest center when it lies within `radius` of it.

    Args:
        samples: `(n, 2)` array.
        modes: 8 or 25.
        radius: float; by default 3 standard deviations of a component.
        min_fraction: float, share of all samples a mode must hold.

    Returns:
        `(covered, off_mode_fraction)`: the count of covered modes and the share
        of samples farther than `radius` from every center.
    """
    samples = np.asarray(samples, dtype="float64")
    if samples.ndim != 2 or samples.shape[1] != 2 or len(samples) == 0:
        raise ValueError(
            "`samples` must be a non-empty (n, 2) array. "
            f"Received: samples with shape {samples.shape}"
        )
    radius = 3 * mode_std(modes) if radius is None else radius
    centers = mode_centers(modes).astype("float64")
    distances = np.linalg.norm(samples[:, None, :] - centers[None], axis=-1)
    nearest = distances.argmin(axis=1)
    near = distances[np.arange(len(samples)), nearest] <= radius
    counts = np.bincount(nearest[near], minlength=modes)
    covered = int((counts >= min_fraction * len(samples)).sum())
    return covered, float(1.0 - near.mean())
