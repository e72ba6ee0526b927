"""`WGANGP`: the critic kept Lipschitz by a gradient penalty."""

import keras
from keras import ops

from wgan_keras import backend as wgan_backend
from wgan_keras import losses
from wgan_keras._utils.layers import flatten_layers
from wgan_keras.models.arguments import validate_weight
from wgan_keras.models.sampling import batch_size_of, replica_rows
from wgan_keras.models.wasserstein_gan import WassersteinGAN


@keras.saving.register_keras_serializable(package="wgan_keras")
class WGANGP(WassersteinGAN):
    """Wasserstein GAN with gradient penalty (WGAN-GP).

    The critic minimizes `E[f(fake)] - E[f(real)] + gp_weight *
    E[(||grad f(x_hat)|| - 1)^2]`, where `x_hat = eps * real + (1 - eps) * fake`
    with one `eps ~ U[0, 1]` per sample (shape `(batch, 1, ..., 1)`) and the norm
    taken per sample over all non-batch axes. `critic_loss` in `history` is that
    whole objective; `wasserstein_estimate` excludes the penalty and
    `gradient_penalty` is logged unweighted, and `gradient_norm` is the mean
    of `||grad f(x_hat)||` (1 where the penalty holds). Default optimizers:
    Adam(1e-4, beta_1=0, beta_2=0.9) for both networks.

    The penalty is per sample, so the critic must not couple samples: a critic
    with batch normalization is refused (the paper suggests layer normalization).

    Args:
        generator: see `WassersteinGAN`.
        critic: see `WassersteinGAN`; no `BatchNormalization`.
        gp_weight: float >= 0, the penalty coefficient lambda (10).
        **kwargs: `latent_dim`, `critic_steps`, `critic_schedule`, `seed`,
            `ema_decay`, as in `WassersteinGAN`.

    Example:

    ```python
    g = wk.networks.DCGANGenerator(latent_dim=128, image_shape=(28, 28, 1))
    c = wk.networks.DCGANCritic(image_shape=(28, 28, 1))
    gan = wk.WGANGP(generator=g, critic=c, latent_dim=128)
    gan.compile()
    ```

    Reference:
        Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS 2017,
        Algorithm 1.
    """

    method_metrics = ("gradient_penalty", "gradient_norm")

    def __init__(self, generator, critic, gp_weight=10.0, **kwargs):
        validate_weight("gp_weight", gp_weight)
        self.gp_weight = float(gp_weight)
        super().__init__(generator, critic, **kwargs)

    def configure_critic(self, critic):
        for layer in flatten_layers(critic):
            if isinstance(layer, keras.layers.BatchNormalization):
                raise ValueError(
                    "The gradient penalty is taken per sample, and batch "
                    "normalization couples the samples of a batch, so a WGANGP "
                    "critic must not use it (use layer normalization or none). "
                    f"Received: a critic with BatchNormalization layer "
                    f"{layer.name!r}"
                )

    def default_critic_optimizer(self):
        return keras.optimizers.Adam(learning_rate=1e-4, beta_1=0.0, beta_2=0.9)

    def default_generator_optimizer(self):
        return keras.optimizers.Adam(learning_rate=1e-4, beta_1=0.0, beta_2=0.9)

    def critic_noise(self, real):
        ones = (1,) * (len(real.shape) - 1)  # eps has shape (m, 1, ..., 1)
        return replica_rows(
            lambda n: keras.random.uniform(
                (n, *ones), dtype=real.dtype, seed=self.seed_generator
            ),
            batch_size_of(real),
        )

    def critic_objective(self, real_scores, fake_scores, penalty_inputs):
        loss, logs = super().critic_objective(real_scores, fake_scores, penalty_inputs)
        score_fn, real, fake, eps = penalty_inputs
        interpolates = losses.interpolate(real, fake, eps)
        # In float16 the input gradient underflows like any other: it is taken
        # of the scores times the optimizer's loss scale and unscaled in
        # float32. Where it overflows, the penalty and so the critic's gradients
        # are not finite, and the LossScaleOptimizer skips the step and halves
        # the scale. Without loss scaling (or before `compile`) `scale` is 1.
        optimizer = getattr(self, "critic_optimizer", None)
        scale = 1.0 if optimizer is None else optimizer.scale_loss(1.0)

        def scaled_scores(x):
            return ops.cast(score_fn(x), "float32") * scale

        gradients = wgan_backend.input_gradient(scaled_scores, interpolates)
        gradients = ops.cast(gradients, "float32") / scale
        penalty = losses.gradient_penalty(gradients)
        logs["gradient_penalty"] = penalty
        logs["gradient_norm"] = ops.mean(losses.gradient_norm(gradients))
        return loss + self.gp_weight * penalty, logs

    def get_config(self):
        return {**super().get_config(), "gp_weight": self.gp_weight}
