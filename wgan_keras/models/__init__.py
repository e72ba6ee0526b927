"""The Wasserstein GAN models."""

from wgan_keras.models.sn_wgan import SNWGAN  # noqa: F401
from wgan_keras.models.wasserstein_gan import (  # noqa: F401
    WassersteinGAN,
    generate_samples,
)
from wgan_keras.models.wgan import WGAN  # noqa: F401
from wgan_keras.models.wgan_gp import WGANGP  # noqa: F401
