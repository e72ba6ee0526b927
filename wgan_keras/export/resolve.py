"""What an export writes: the generator of a GAN, a model or a `.keras` file."""

import os

import keras
import numpy as np

from wgan_keras.models import WassersteinGAN


def resolve_generator(generator_or_gan):
    """The generator to export and its latent size.

    Args:
        generator_or_gan: a generator `keras.Model`, a `wk.WassersteinGAN`
            (its EMA generator is exported where it keeps one, else its
            generator), or the path of a `.keras` file holding
            either (loaded with `safe_mode=True`).

    Returns:
        `(generator, latent_dim)`.
    """
    model = generator_or_gan
    if isinstance(model, (str, os.PathLike)):
        path = os.fspath(model)
        if not path.endswith(".keras") or not os.path.isfile(path):
            raise ValueError(
                "`generator_or_gan` must be a generator, a WassersteinGAN or the "
                f"path of an existing .keras file. Received: {path!r}"
            )
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    if isinstance(model, WassersteinGAN):
        model = model.sampling_generator
    if not isinstance(model, keras.Model):
        raise ValueError(
            "`generator_or_gan` must be a generator `keras.Model`, a "
            "WassersteinGAN or the path of a .keras file. Received: "
            f"generator_or_gan={generator_or_gan!r}"
        )
    inputs = getattr(model, "inputs", None)
    conditional = bool(inputs) and len(inputs) == 2 and len(inputs[1].shape) == 1
    if not inputs or len(inputs) != 1 + conditional or len(inputs[0].shape) != 2:
        raise ValueError(
            "`generator_or_gan` must take one (batch, latent_dim) input, or "
            "`[z, labels]` with labels (batch,) for a conditional generator. "
            f"Received: inputs={[tuple(x.shape) for x in inputs or []]}"
        )
    latent_dim = inputs[0].shape[-1]
    z = np.zeros((1, latent_dim), "float32")
    outputs = model([z, np.zeros(1, "int32")] if conditional else z, training=False)
    if not hasattr(outputs, "shape") or len(outputs.shape) not in (2, 4):
        raise ValueError(
            "`generator_or_gan` must return one tensor of samples, (batch, dim) "
            "or (batch, height, width, channels). Received: "
            f"{type(outputs).__name__} of shape {getattr(outputs, 'shape', None)}"
        )
    return model, latent_dim
