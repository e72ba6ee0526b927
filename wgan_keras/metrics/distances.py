"""Distances between real and generated samples: FD, KID, exact and sliced W1.

Everything here is numpy (float64) on samples or on features. The Frechet and
kernel distances take an optional `feature_network` (a `keras.Model`) that maps
samples to feature vectors first; without one the samples are the features.
"""

import numpy as np

from wgan_keras._utils.validation import validate_int


def _check_batch(name, x):
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(
            f"`{name}` must be a non-empty batch of samples (batch, ...). "
            f"Received: {name} with shape {x.shape}"
        )


def _as_matrix(name, x):
    x = np.asarray(x, dtype="float64")
    _check_batch(name, x)
    if not np.isfinite(x).all():
        raise ValueError(
            f"`{name}` must be finite. Received: {int((~np.isfinite(x)).sum())} "
            "NaN or inf values"
        )
    return x.reshape(len(x), -1)


def _pair(x, y, min_samples=1):
    x, y = _as_matrix("x", x), _as_matrix("y", y)
    if x.shape[1] != y.shape[1]:
        raise ValueError(
            "`x` and `y` must have the same sample size. Received: x with shape "
            f"{x.shape}, y with shape {y.shape}"
        )
    if min(len(x), len(y)) < min_samples:
        raise ValueError(
            f"`x` and `y` need at least {min_samples} samples each. Received: "
            f"{len(x)} and {len(y)}"
        )
    return x, y


def features(samples, feature_network=None, batch_size=500):
    """`feature_network(samples)` in inference mode, in batches, as float64.

    The network runs through `predict_on_batch`, so TensorFlow and JAX run it
    compiled.

    Args:
        samples: array `(n, ...)`, the network's input (images in [-1, 1]).
        feature_network: a `keras.Model`, or None to use the samples as they
            are (flattened). A model with several outputs gives one array per
            output, so one pass serves, say, features and class scores.
        batch_size: int >= 1.

    Returns:
        `(n, features)` float64 array, or a list of them, one per output.

    Example:

    ```python
    real = wk.metrics.features(images, wk.metrics.mnist_features())  # (n, 128)
    ```
    """
    if feature_network is None:
        return _as_matrix("samples", samples)
    validate_int("batch_size", batch_size)
    samples = np.asarray(samples, dtype="float32")
    _check_batch("samples", samples)
    batches = [
        feature_network.predict_on_batch(samples[i : i + batch_size])
        for i in range(0, len(samples), batch_size)
    ]
    if isinstance(batches[0], (list, tuple)):
        return [
            _as_matrix("features", np.concatenate(output)) for output in zip(*batches)
        ]
    return _as_matrix("features", np.concatenate(batches))


def gaussian_moments(x):
    """Mean and covariance (n - 1 normalization) of `(n, d)` features."""
    x = _as_matrix("x", x)
    return x.mean(axis=0), np.cov(x, rowvar=False).reshape(x.shape[1], x.shape[1])


def frechet_distance_from_moments(mean_x, cov_x, mean_y, cov_y):
    """Squared Frechet distance between two Gaussians.

    `||m_x - m_y||^2 + tr(C_x + C_y - 2 (C_x C_y)^(1/2))`. The trace of the
    matrix square root is computed as the sum of square roots of the
    eigenvalues of `C_x^(1/2) C_y C_x^(1/2)` (symmetric, positive
    semi-definite), which is stable where `scipy.linalg.sqrtm` of the
    non-symmetric product is not.
    """
    mean_x, mean_y = np.asarray(mean_x, "float64"), np.asarray(mean_y, "float64")
    cov_x, cov_y = np.asarray(cov_x, "float64"), np.asarray(cov_y, "float64")
    values, vectors = np.linalg.eigh(cov_x)
    root_x = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = root_x @ cov_y @ root_x
    trace_root = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None))
    distance = (
        np.sum((mean_x - mean_y) ** 2)
        + np.trace(cov_x)
        + np.trace(cov_y)
        - 2 * trace_root.sum()
    )
    return float(max(distance, 0.0))


def frechet_distance(x, y, feature_network=None, batch_size=500):
    """Frechet distance between two sets of samples in a feature space.

    Fits a Gaussian to each set's features and returns the squared Frechet
    (2-Wasserstein) distance between the two Gaussians. With Inception-v3
    pool features this is the FID; with the MNIST classifier's features, the
    MNIST Frechet distance of TF-GAN. It is biased for finite samples: compare
    numbers computed with the same sample counts, and against the real-data
    floor (train vs test).

    Args:
        x: samples or features `(n, ...)` (real, say).
        y: samples or features `(m, ...)` (generated).
        feature_network: a `keras.Model` applied to both first, or None.
        batch_size: batch size for the feature network.

    Returns:
        float.

    Example:

    ```python
    classifier = wk.metrics.mnist_features()
    fd = wk.metrics.frechet_distance(test_images, generator_images, classifier)
    ```

    Reference:
        Heusel et al., "GANs Trained by a Two Time-Scale Update Rule Converge
        to a Local Nash Equilibrium", NeurIPS 2017; Dowson and Landau, "The
        Frechet distance between multivariate normal distributions", 1982.
    """
    x = features(x, feature_network, batch_size)
    y = features(y, feature_network, batch_size)
    x, y = _pair(x, y, min_samples=2)
    return frechet_distance_from_moments(*gaussian_moments(x), *gaussian_moments(y))


def _polynomial_kernel(a, b):
    return (a @ b.T / a.shape[1] + 1.0) ** 3


def unbiased_mmd2(x, y):
    """Unbiased MMD^2 with the cubic polynomial kernel `(x.y / d + 1)^3`."""
    m, n = len(x), len(y)
    k_xx, k_yy = _polynomial_kernel(x, x), _polynomial_kernel(y, y)
    k_xy = _polynomial_kernel(x, y)
    return float(
        (k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))
        + (k_yy.sum() - np.trace(k_yy)) / (n * (n - 1))
        - 2 * k_xy.mean()
    )


def kernel_inception_distance(
    x,
    y,
    feature_network=None,
    num_subsets=100,
    subset_size=1000,
    seed=0,
    batch_size=500,
    return_std=False,
):
    """Kernel (inception) distance: unbiased MMD^2, averaged over subsets.

    The squared maximum mean discrepancy with the kernel
    `k(a, b) = (a.b / d + 1)^3` on features, estimated without bias on
    `num_subsets` random subsets of `subset_size` samples from each set
    (clipped to the smaller set), as in Binkowski et al. Unlike the Frechet
    distance its expectation is 0 when both sets come from one distribution,
    so it compares fairly across sample counts.

    Args:
        x: samples or features `(n, ...)`.
        y: samples or features `(m, ...)`.
        feature_network: a `keras.Model` applied to both first, or None.
        num_subsets: int >= 1.
        subset_size: int >= 2.
        seed: int, seeds the subset draws.
        batch_size: batch size for the feature network.
        return_std: bool, also return the standard deviation over subsets.

    Returns:
        float (the mean), or `(mean, std)` with `return_std=True`.

    Example:

    ```python
    kid = wk.metrics.kernel_inception_distance(real, fake, wk.metrics.mnist_features())
    ```

    Reference:
        Binkowski et al., "Demystifying MMD GANs", ICLR 2018.
    """
    validate_int("num_subsets", num_subsets)
    validate_int("subset_size", subset_size, minimum=2)
    x = features(x, feature_network, batch_size)
    y = features(y, feature_network, batch_size)
    x, y = _pair(x, y, min_samples=2)
    size = min(subset_size, len(x), len(y))
    rng = np.random.default_rng(seed)
    values = [
        unbiased_mmd2(
            x[rng.choice(len(x), size, replace=False)],
            y[rng.choice(len(y), size, replace=False)],
        )
        for _ in range(num_subsets)
    ]
    mean = float(np.mean(values))
    return (mean, float(np.std(values))) if return_std else mean


def exact_wasserstein_1(x, y):
    """W1 between two equal-weight point clouds, by exact optimal transport.

    Solves the transport problem with the network simplex of POT (`ot.emd2`)
    on the Euclidean ground cost. Exact, and O(n^3): meant for a few thousand
    low-dimensional points, such as the 2-D toys.

    Args:
        x: `(n, d)` samples.
        y: `(m, d)` samples.

    Returns:
        float, the 1-Wasserstein distance.

    Example:

    ```python
    w1 = wk.metrics.exact_wasserstein_1(real, gan.generate(1000, seed=0))
    ```

    Reference:
        Villani, "Optimal Transport: Old and New", 2009 (Kantorovich-Rubinstein
        duality, which the WGAN critic approximates); Flamary et al., "POT:
        Python Optimal Transport", JMLR 2021.
    """
    import ot

    x, y = _pair(x, y)
    cost = ot.dist(x, y, metric="euclidean")
    weights_x = np.full(len(x), 1.0 / len(x))
    weights_y = np.full(len(y), 1.0 / len(y))
    return float(ot.emd2(weights_x, weights_y, cost, numItermax=10_000_000))


def sliced_wasserstein(x, y, num_projections=1000, seed=0, p=1):
    """Sliced p-Wasserstein distance by random projections.

    Projects both sets on `num_projections` random unit directions and
    averages the exact 1-D p-Wasserstein distances (sorted samples, with
    quantile matching when the sets differ in size); returns the p-th root of
    that mean. Cheap in any dimension; a lower bound on W_p.

    Args:
        x: `(n, ...)` samples.
        y: `(m, ...)` samples.
        num_projections: int >= 1.
        seed: int, seeds the directions.
        p: int >= 1.

    Returns:
        float.

    Example:

    ```python
    sw = wk.metrics.sliced_wasserstein(real, fake, num_projections=2000)
    ```

    Reference:
        Rabin et al., "Wasserstein Barycenter and its Application to Texture
        Mixing", 2011; Bonneel et al., "Sliced and Radon Wasserstein
        Barycenters of Measures", 2015.
    """
    validate_int("num_projections", num_projections)
    validate_int("p", p)
    x, y = _pair(x, y)
    rng = np.random.default_rng(seed)
    directions = rng.standard_normal((x.shape[1], num_projections))
    directions /= np.linalg.norm(directions, axis=0, keepdims=True)
    x_proj = np.sort(x @ directions, axis=0)
    y_proj = np.sort(y @ directions, axis=0)
    if len(x) != len(y):  # match quantiles on a common grid
        levels = (np.arange(max(len(x), len(y))) + 0.5) / max(len(x), len(y))
        x_proj = np.quantile(x_proj, levels, axis=0, method="inverted_cdf")
        y_proj = np.quantile(y_proj, levels, axis=0, method="inverted_cdf")
    return float(np.mean(np.abs(x_proj - y_proj) ** p) ** (1.0 / p))
