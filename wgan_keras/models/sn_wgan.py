"""`SNWGAN`: a spectrally normalized critic."""

import keras

from wgan_keras import losses
from wgan_keras._utils.layers import flatten_layers
from wgan_keras.layers import SpectralNormalization
from wgan_keras.models.wasserstein_gan import WassersteinGAN

LOSSES = ("wasserstein", "hinge")


@keras.saving.register_keras_serializable(package="wgan_keras")
class SNWGAN(WassersteinGAN):
    """GAN with a spectrally normalized critic (SN-GAN), Wasserstein or hinge loss.

    The critic's Lipschitz constant is bounded by dividing each kernel by its
    largest singular value (`wk.layers.SpectralNormalization`, e.g.
    `DCGANCritic(spectral_norm=True)`); a critic without such a layer is refused.
    Default optimizers: Adam(1e-4, beta_1=0.5, beta_2=0.9) with
    `critic_steps=5`, the paper's setting for its comparison with WGAN-GP.

    Args:
        generator: see `WassersteinGAN`.
        critic: a critic with `wk.layers.SpectralNormalization` layers.
        loss: `"wasserstein"` (default) or `"hinge"` (the paper's best).
        **kwargs: `latent_dim`, `critic_steps`, `critic_schedule`, `seed`,
            `ema_decay`, as in `WassersteinGAN`.

    Example:

    ```python
    gan = wk.SNWGAN(
        generator=wk.networks.DCGANGenerator(latent_dim=128, image_shape=(32, 32, 3)),
        critic=wk.networks.DCGANCritic(image_shape=(32, 32, 3), spectral_norm=True),
        loss="hinge",
    )
    gan.compile()
    ```

    Reference:
        Miyato et al., "Spectral Normalization for Generative Adversarial
        Networks", ICLR 2018.
    """

    def __init__(self, generator, critic, loss="wasserstein", **kwargs):
        if loss not in LOSSES:
            raise ValueError(f"`loss` must be one of {LOSSES}. Received: loss={loss!r}")
        self.loss_type = loss
        super().__init__(generator, critic, **kwargs)

    def configure_critic(self, critic):
        if not any(
            isinstance(layer, SpectralNormalization) for layer in flatten_layers(critic)
        ):
            raise ValueError(
                "SNWGAN needs a critic with wk.layers.SpectralNormalization "
                "layers, e.g. wk.networks.DCGANCritic(..., spectral_norm=True). "
                f"Received: critic {critic.name!r} without any"
            )

    def default_critic_optimizer(self):
        return keras.optimizers.Adam(learning_rate=1e-4, beta_1=0.5, beta_2=0.9)

    def default_generator_optimizer(self):
        return keras.optimizers.Adam(learning_rate=1e-4, beta_1=0.5, beta_2=0.9)

    def critic_objective(self, real_scores, fake_scores, penalty_inputs):
        if self.loss_type == "hinge":
            return losses.critic_hinge_loss(real_scores, fake_scores), {}
        return super().critic_objective(real_scores, fake_scores, penalty_inputs)

    def generator_objective(self, fake_scores):
        if self.loss_type == "hinge":
            return losses.generator_hinge_loss(fake_scores)
        return super().generator_objective(fake_scores)

    def get_config(self):
        return {**super().get_config(), "loss": self.loss_type}
