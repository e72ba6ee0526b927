"""Layers."""

from wgan_keras.layers.spectral_normalization import (  # noqa: F401
    SpectralNormalization,
)
