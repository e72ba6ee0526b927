"""The Wasserstein GAN models."""

from wgan_keras.models.sampling import generate_samples  # noqa: F401
from wgan_keras.models.sn_wgan import SNWGAN  # noqa: F401
from wgan_keras.models.wasserstein_gan import WassersteinGAN  # noqa: F401
from wgan_keras.models.wgan import WGAN, paper_rmsprop  # noqa: F401
from wgan_keras.models.wgan_gp import WGANGP  # noqa: F401
