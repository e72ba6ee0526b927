"""Data for training: the WGAN-GP paper's 2-D toy distributions."""

from wgan_keras.datasets.toy import (  # noqa: F401
    covered_modes,
    gaussian_mixture_2d,
    mode_centers,
    swiss_roll,
)
