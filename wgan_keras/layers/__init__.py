"""Layers."""

from wgan_keras.layers.conditional import (  # noqa: F401
    ClassEmbedding,
    ConditionalBatchNormalization,
)
from wgan_keras.layers.convolution import Conv2D, Conv2DTranspose  # noqa: F401
from wgan_keras.layers.normalization import BatchNormalization  # noqa: F401
from wgan_keras.layers.spectral_normalization import (  # noqa: F401
    SpectralNormalization,
)
