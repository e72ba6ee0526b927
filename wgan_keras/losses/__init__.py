"""Wasserstein and hinge objectives and the gradient penalty, in pure `keras.ops`."""

from wgan_keras.losses.wasserstein import (  # noqa: F401
    critic_hinge_loss,
    critic_wasserstein_loss,
    generator_hinge_loss,
    generator_wasserstein_loss,
    gradient_norm,
    gradient_penalty,
    interpolate,
    wasserstein_estimate,
)
