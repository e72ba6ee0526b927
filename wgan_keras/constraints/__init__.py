"""Weight constraints."""

from wgan_keras.constraints.weight_clip import WeightClip  # noqa: F401
