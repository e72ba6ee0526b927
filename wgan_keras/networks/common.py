"""What the networks share: layer wrappers, checks of their arguments."""

from wgan_keras.layers import SpectralNormalization

# What a network passes on to `keras.Model`; Keras' functional `Model` would
# drop anything else without a word (a misspelt `hidden_units=16` for
# `hidden_dim` would train the default width).
MODEL_KWARGS = ("name", "trainable", "dtype")


def check_model_kwargs(network, kwargs):
    """Raises on keyword arguments that `network` (a class name) does not take."""
    unknown = {k: v for k, v in kwargs.items() if k not in MODEL_KWARGS}
    if unknown:
        raise ValueError(
            f"Unrecognized keyword arguments passed to {network}: {unknown}. "
            f"It takes its own arguments and {list(MODEL_KWARGS)}"
        )


def spectral_norm_wrapper(enabled, power_iterations):
    """Returns `wrap(layer)`: the layer in `SpectralNormalization` if enabled."""

    def wrap(layer):
        if not enabled:
            return layer
        return SpectralNormalization(
            layer, power_iterations=power_iterations, name=f"{layer.name}_sn"
        )

    return wrap


class NetworkConfig:
    """`get_config` and `from_config` from a network's constructor arguments.

    A network is a functional `keras.Model` built by its own constructor, so
    Keras rebuilds it from those arguments, not from its graph. Each network
    names them in `config_arguments` and keeps each in the attribute of the
    same name, or in the one `config_attributes` maps it to.
    """

    config_arguments = ()
    config_attributes = {}

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            **{
                argument: getattr(self, self.config_attributes.get(argument, argument))
                for argument in self.config_arguments
            },
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)
