"""`WassersteinGAN`'s constructor arguments, checked before anything is built."""

import keras

from wgan_keras._utils.validation import validate_int
from wgan_keras.models.critic_schedule import CRITIC_SCHEDULES


def checked_arguments(
    generator, critic, latent_dim, critic_steps, critic_schedule, ema_decay
):
    """Raises on a bad argument; returns `latent_dim` (read from the generator
    where not given)."""
    for name, network in (("generator", generator), ("critic", critic)):
        if not isinstance(network, keras.layers.Layer):
            raise ValueError(
                f"`{name}` must be a keras.Model. Received: {name} of type "
                f"{type(network).__name__}"
            )
    validate_int("critic_steps", critic_steps)
    if critic_schedule not in CRITIC_SCHEDULES:
        raise ValueError(
            f"`critic_schedule` must be one of {CRITIC_SCHEDULES}. "
            f"Received: critic_schedule={critic_schedule!r}"
        )
    generator_latent_dim = _input_dim(generator)
    if latent_dim is None:
        latent_dim = generator_latent_dim
        if latent_dim is None:
            raise ValueError(
                "Could not read `latent_dim` from the generator's input; pass "
                "it. Received: latent_dim=None"
            )
    validate_int("latent_dim", latent_dim)
    if ema_decay is not None and not (
        isinstance(ema_decay, (int, float))
        and not isinstance(ema_decay, bool)
        and 0 <= ema_decay < 1
    ):
        raise ValueError(
            f"`ema_decay` must be None or a float in [0, 1). "
            f"Received: ema_decay={ema_decay!r}"
        )
    if generator_latent_dim is not None and generator_latent_dim != latent_dim:
        raise ValueError(
            f"`latent_dim` must match the generator's input size "
            f"({generator_latent_dim}). Received: latent_dim={latent_dim}"
        )
    return latent_dim


def validate_weight(name, weight):
    """Raises unless `weight` is a finite real number (not a bool) >= 0."""
    if (
        not isinstance(weight, (int, float))
        or isinstance(weight, bool)
        or not 0 <= weight < float("inf")
    ):
        raise ValueError(
            f"`{name}` must be finite and >= 0. Received: {name}={weight!r}"
        )


def check_seed(seed):
    """Raises unless `seed` is None or an int >= 0 (what `SeedGenerator` takes)."""
    if seed is not None:
        validate_int("seed", seed, minimum=0)


def _input_dim(model):
    """The size of a model's single vector input, or None if unknown."""
    inputs = getattr(model, "inputs", None)
    try:
        # A conditional generator takes `[z, labels]`.
        if inputs and len(inputs) in (1, 2) and len(inputs[0].shape) == 2:
            return inputs[0].shape[-1]
    except (AttributeError, TypeError, ValueError):
        return None
    return None
