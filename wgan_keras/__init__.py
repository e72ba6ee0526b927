"""wgan-keras: Wasserstein GANs for Keras 3 on TensorFlow, JAX and PyTorch."""

from wgan_keras import (  # noqa: F401
    callbacks,
    constraints,
    datasets,
    evaluation,
    export,
    layers,
    losses,
    metrics,
    networks,
    presets,
    recipes,
    visualization,
)
from wgan_keras._utils import files  # noqa: F401  (wk.files: kept for one release)
from wgan_keras.export import export_generator  # noqa: F401
from wgan_keras.models import SNWGAN, WGAN, WGANGP, WassersteinGAN  # noqa: F401
from wgan_keras.presets import list_generators, load_generator  # noqa: F401

__version__ = "0.1.0"
