"""Mode coverage: which modes of the data the generator reproduces."""

import numpy as np

from wgan_keras.datasets import toy


def mode_coverage(samples, modes=8, radius=None, min_fraction=0.01):
    """Mode coverage of 2-D samples against the 8 or 25 Gaussians.

    A mode is covered when at least `min_fraction` of the samples lie within
    `radius` (default 3 standard deviations of a component) of its centre;
    samples farther than `radius` from every centre are off-mode.

    Args:
        samples: `(n, 2)` samples.
        modes: 8 or 25.
        radius: float, or None for 3 sigma.
        min_fraction: float, the share of samples a covered mode holds.

    Returns:
        `{"modes_covered": int, "off_mode_fraction": float, "radius": float}`.

    Example:

    ```python
    wk.metrics.mode_coverage(generator(z), modes=8)
    ```

    Reference:
        Metz et al., "Unrolled Generative Adversarial Networks", ICLR 2017
        (mode counts within 3 standard deviations).
    """
    radius = 3 * toy.mode_std(modes) if radius is None else radius
    covered, off_mode = toy.covered_modes(samples, modes, radius, min_fraction)
    return {
        "modes_covered": covered,
        "off_mode_fraction": off_mode,
        "radius": float(radius),
    }


def class_histogram(images, classifier=None, num_classes=10, batch_size=500):
    """The share of samples a classifier assigns to each class.

    Args:
        images: `(n, 28, 28, 1)` images in [-1, 1].
        classifier: a `keras.Model` returning class scores; default the
            shipped MNIST classifier.
        num_classes: int.
        batch_size: int.

    Returns:
        float array `(num_classes,)` summing to 1.

    Example:

    ```python
    shares = wk.metrics.class_histogram(generator(z))
    wk.metrics.kl_to_uniform(shares)  # 0 when all digits are equally common
    ```
    """
    from wgan_keras.metrics.distances import features
    from wgan_keras.metrics.feature_networks import mnist_classifier

    scores = features(images, classifier or mnist_classifier(), batch_size)
    return class_shares(scores, num_classes)


def class_shares(scores, num_classes=10):
    """The share of samples whose highest class score is each class.

    Args:
        scores: `(n, num_classes)` class scores (logits or probabilities).
        num_classes: int.

    Returns:
        float array `(num_classes,)` summing to 1.

    Example:

    ```python
    wk.metrics.class_shares([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]], 2)  # [1/3, 2/3]
    ```
    """
    scores = np.asarray(scores)
    if scores.ndim != 2 or len(scores) == 0 or scores.shape[1] != num_classes:
        raise ValueError(
            f"`scores` must have shape (n, num_classes={num_classes}) with n >= 1. "
            f"Received: scores with shape {scores.shape}"
        )
    counts = np.bincount(scores.argmax(axis=1), minlength=num_classes)
    return counts / counts.sum()


def kl_to_uniform(shares):
    """KL(shares || uniform) in nats: 0 for a uniform histogram, log(k) at most."""
    shares = np.asarray(shares, dtype="float64")
    if shares.ndim != 1 or shares.min() < 0 or not np.isclose(shares.sum(), 1.0):
        raise ValueError(
            "`shares` must be a 1-D histogram of non-negative shares summing to 1. "
            f"Received: {shares!r}"
        )
    nonzero = shares[shares > 0]
    return float(np.sum(nonzero * np.log(nonzero * len(shares))))
