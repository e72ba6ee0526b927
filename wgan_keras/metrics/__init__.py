"""Evaluation: Frechet and kernel distances, exact and sliced W1, mode coverage."""

from wgan_keras.metrics.coverage import (  # noqa: F401
    class_histogram,
    class_shares,
    kl_to_uniform,
    mode_coverage,
)
from wgan_keras.metrics.distances import (  # noqa: F401
    exact_wasserstein_1,
    features,
    frechet_distance,
    frechet_distance_from_moments,
    gaussian_moments,
    kernel_inception_distance,
    sliced_wasserstein,
    unbiased_mmd2,
)
from wgan_keras.metrics.feature_networks import (  # noqa: F401
    inception_v3_features,
    mnist_classifier,
    mnist_features,
)
from wgan_keras.metrics.fid_inception import fid_inception, inception_score  # noqa: F401
