"""Argument checks and layer wrappers shared by the networks."""

from wgan_keras.layers import SpectralNormalization


def validate_positive_int(name, value):
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"`{name}` must be an int >= 1. Received: {name}={value!r}")


def spectral_norm_wrapper(enabled, power_iterations):
    """Returns `wrap(layer)`: the layer in `SpectralNormalization` if enabled."""

    def wrap(layer):
        if not enabled:
            return layer
        return SpectralNormalization(
            layer, power_iterations=power_iterations, name=f"{layer.name}_sn"
        )

    return wrap
