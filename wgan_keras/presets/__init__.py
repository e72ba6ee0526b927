"""Pretrained generators in `saved_models/`, loadable by name."""

from wgan_keras.presets.presets import (  # noqa: F401
    describe_networks,
    list_generators,
    load_generator,
    load_preset_model,
    preset_dir,
    read_metadata,
    save_preset,
)
from wgan_keras.presets.registry import PRESETS  # noqa: F401
