"""Layer wrappers shared by the networks."""

from wgan_keras.layers import SpectralNormalization


def spectral_norm_wrapper(enabled, power_iterations):
    """Returns `wrap(layer)`: the layer in `SpectralNormalization` if enabled."""

    def wrap(layer):
        if not enabled:
            return layer
        return SpectralNormalization(
            layer, power_iterations=power_iterations, name=f"{layer.name}_sn"
        )

    return wrap
