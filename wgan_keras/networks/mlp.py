"""The papers' MLP generator and critic, for images or low-dimensional data."""

import math

import keras

from wgan_keras._utils.validation import validate_int
from wgan_keras.networks.common import (
    NetworkConfig,
    check_model_kwargs,
    score_dtype,
    spectral_norm_wrapper,
)


def _validate_shape(name, shape):
    if isinstance(shape, int):
        shape = (shape,)
    if not isinstance(shape, (list, tuple)) or not all(
        isinstance(d, int) and d > 0 for d in shape
    ):
        raise ValueError(
            f"`{name}` must be a tuple of positive ints such as (2,) or "
            f"(28, 28, 1). Received: {name}={shape!r}"
        )
    return tuple(shape)


@keras.saving.register_keras_serializable(package="wgan_keras")
class MLPGenerator(NetworkConfig, keras.Model):
    """MLP generator: `num_hidden_layers` ReLU layers of `hidden_dim` units.

    Args:
        latent_dim: int, size of the noise vector.
        output_shape: shape of one sample: `(2,)` for the 2-D toys,
            `(28, 28, 1)` for images.
        hidden_dim: int, units per hidden layer (512 in the WGAN paper).
        num_hidden_layers: int (4 in the WGAN paper).
        output_activation: activation of the output layer. `None` (default)
            picks `"tanh"` for images (rank 3, values in [-1, 1]) and linear for
            vectors.

    Example:

    ```python
    generator = wk.networks.MLPGenerator(latent_dim=2, output_shape=(2,))
    ```

    Reference:
        Arjovsky et al., "Wasserstein GAN", 2017, Section 4.3 and Appendix;
        Gulrajani et al. 2017, Section 5.1 (toy datasets).
    """

    config_arguments = (
        "latent_dim",
        "output_shape",
        "hidden_dim",
        "num_hidden_layers",
        "output_activation",
    )
    config_attributes = {"output_shape": "sample_shape"}

    def __init__(
        self,
        latent_dim=128,
        output_shape=(2,),
        hidden_dim=512,
        num_hidden_layers=4,
        output_activation=None,
        **kwargs,
    ):
        check_model_kwargs("MLPGenerator", kwargs)
        validate_int("latent_dim", latent_dim)
        validate_int("hidden_dim", hidden_dim)
        validate_int("num_hidden_layers", num_hidden_layers)
        output_shape = _validate_shape("output_shape", output_shape)
        activation = output_activation
        if activation is None and len(output_shape) == 3:
            activation = "tanh"

        # === Functional model ===
        z = keras.Input(shape=(latent_dim,), name="z")
        x = z
        for i in range(num_hidden_layers):
            x = keras.layers.Dense(hidden_dim, activation="relu", name=f"hidden_{i}")(x)
        x = keras.layers.Dense(
            math.prod(output_shape), activation=activation, name="output"
        )(x)
        samples = keras.layers.Reshape(output_shape, name="samples")(x)
        super().__init__(inputs=z, outputs=samples, **kwargs)

        # === Config ===
        self.latent_dim = latent_dim
        self.sample_shape = output_shape
        self.hidden_dim = hidden_dim
        self.num_hidden_layers = num_hidden_layers
        self.output_activation = output_activation


@keras.saving.register_keras_serializable(package="wgan_keras")
class MLPCritic(NetworkConfig, keras.Model):
    """MLP critic: flatten, `num_hidden_layers` ReLU layers, one linear score.

    Args:
        input_shape: shape of one sample, `(2,)` or `(28, 28, 1)`.
        hidden_dim: int, units per hidden layer (512 in the WGAN paper).
        num_hidden_layers: int (4 in the WGAN paper).
        spectral_norm: bool, wrap every dense layer in
            `wk.layers.SpectralNormalization`.
        power_iterations: int, power iterations of the spectral normalization.

    Example:

    ```python
    critic = wk.networks.MLPCritic(input_shape=(2,))
    ```

    Reference:
        Arjovsky et al., "Wasserstein GAN", 2017; Gulrajani et al. 2017.
    """

    config_arguments = (
        "input_shape",
        "hidden_dim",
        "num_hidden_layers",
        "spectral_norm",
        "power_iterations",
    )
    config_attributes = {"input_shape": "sample_shape"}

    def __init__(
        self,
        input_shape=(2,),
        hidden_dim=512,
        num_hidden_layers=4,
        spectral_norm=False,
        power_iterations=1,
        **kwargs,
    ):
        check_model_kwargs("MLPCritic", kwargs)
        input_shape = _validate_shape("input_shape", input_shape)
        validate_int("hidden_dim", hidden_dim)
        validate_int("num_hidden_layers", num_hidden_layers)
        validate_int("power_iterations", power_iterations)

        maybe_sn = spectral_norm_wrapper(spectral_norm, power_iterations)

        # === Functional model ===
        samples = keras.Input(shape=input_shape, name="samples")
        x = keras.layers.Flatten()(samples) if len(input_shape) > 1 else samples
        for i in range(num_hidden_layers):
            x = maybe_sn(keras.layers.Dense(hidden_dim, name=f"hidden_{i}"))(x)
            x = keras.layers.ReLU()(x)
        score = keras.layers.Dense(1, name="score", dtype=score_dtype())
        scores = maybe_sn(score)(x)  # (B, 1)
        super().__init__(inputs=samples, outputs=scores, **kwargs)

        # === Config ===
        self.sample_shape = input_shape
        self.hidden_dim = hidden_dim
        self.num_hidden_layers = num_hidden_layers
        self.spectral_norm = spectral_norm
        self.power_iterations = power_iterations
