"""`WGAN`: the critic kept Lipschitz by weight clipping."""

import keras

from wgan_keras._utils.validation import validate_positive_float
from wgan_keras.constraints import WeightClip
from wgan_keras.models.optimizers import paper_rmsprop  # noqa: F401  (WGAN's)
from wgan_keras.models.wasserstein_gan import WassersteinGAN


class _Chain:
    """Applies a variable's own constraint, then the weight clip."""

    def __init__(self, first, then):
        self.first, self.then = first, then

    def __call__(self, w):
        return self.then(self.first(w))


@keras.saving.register_keras_serializable(package="wgan_keras")
class WGAN(WassersteinGAN):
    """Wasserstein GAN with weight clipping (Algorithm 1 of the WGAN paper).

    Every trainable critic weight is clipped to `[-clip_value, clip_value]` once
    when the model is built and after every critic update (a
    `wk.constraints.WeightClip` on each critic variable, which Keras optimizers
    apply after each update). Non-trainable state, such as batch-norm moving
    statistics, is left alone. Default optimizers: RMSprop(5e-5) for both
    networks, with the papers' code's epsilon of 1e-10 rather than Keras' 1e-7,
    which is larger than the square of a clipped critic's gradients; the paper
    uses m = 64 (`fit(batch_size=64)`, the default) and n_critic = 5.

    Args:
        generator: see `WassersteinGAN`.
        critic: see `WassersteinGAN`; the original used a DCGAN critic with
            batch normalization (`DCGANCritic(batch_norm=True)`).
        clip_value: float > 0, the clipping parameter c (0.01).
        **kwargs: `latent_dim`, `critic_steps`, `critic_schedule`, `seed`,
            `ema_decay`, as in `WassersteinGAN`.

    Example:

    ```python
    gan = wk.WGAN(
        generator=wk.networks.DCGANGenerator(latent_dim=128, image_shape=(28, 28, 1)),
        critic=wk.networks.DCGANCritic(image_shape=(28, 28, 1), batch_norm=True),
    )
    gan.compile()  # RMSprop(5e-5) for both
    ```

    Reference:
        Arjovsky, Chintala & Bottou, "Wasserstein GAN", ICML 2017, Algorithm 1.
    """

    def __init__(self, generator, critic, clip_value=0.01, **kwargs):
        validate_positive_float("clip_value", clip_value)
        self.clip_value = float(clip_value)
        super().__init__(generator, critic, **kwargs)

    def configure_critic(self, critic):
        clip = WeightClip(self.clip_value)
        for variable in critic.trainable_variables:
            constraint = variable.constraint
            if not isinstance(constraint, (WeightClip, _Chain)):
                variable.constraint = (
                    clip if constraint is None else _Chain(constraint, clip)
                )
            variable.assign(variable.constraint(variable.value))

    def get_config(self):
        return {**super().get_config(), "clip_value": self.clip_value}
