"""Pretrained generators in `saved_models/`, loadable by name."""

from wgan_keras.presets.presets import (  # noqa: F401
    list_generators,
    load_generator,
    preset_dir,
    save_preset,
)
from wgan_keras.presets.registry import PRESETS  # noqa: F401
