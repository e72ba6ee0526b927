"""The critic schedule: how many critic updates each generator update waits for."""

import keras
from keras import ops

from wgan_keras import backend as wgan_backend

CRITIC_SCHEDULES = ("constant", "original")

# The WGAN paper's schedule (Arjovsky et al. 2017, reference code): 100 critic
# updates per generator update for the first 25 generator updates and every 500th.
_ORIGINAL_WARMUP_STEPS = 25
_ORIGINAL_BOOST_EVERY = 500
_ORIGINAL_BOOST_CRITIC_STEPS = 100


def step_counter(name):
    """An int32 count of train steps, kept the same on every replica."""
    # Every replica makes the same update: the first one's stands.
    return keras.Variable(
        0, dtype="int32", trainable=False, aggregation="only_first_replica", name=name
    )


class CriticSchedule:
    """`critic_schedule="original"` for `WassersteinGAN`: a mix-in.

    `"constant"` runs `critic_steps` critic updates per generator update.
    `"original"` is the WGAN reference code's: the generator waits for 100
    critic updates during its first 25 updates and at every 500th, so those
    train steps update only the critic, `critic_steps` fresh batches at a time.

    Reference:
        Arjovsky et al. 2017, "Wasserstein GAN", reference code (main.py).
    """

    def critic_steps_required(self, generator_iterations):
        """Critic updates the generator waits for at a given generator update."""
        if self.critic_schedule == "constant":
            return self.critic_steps
        boost = ops.logical_or(
            generator_iterations < _ORIGINAL_WARMUP_STEPS,
            generator_iterations % _ORIGINAL_BOOST_EVERY == 0,
        )
        return ops.where(boost, _ORIGINAL_BOOST_CRITIC_STEPS, self.critic_steps)

    def _scheduled_generator_update(self, batch_size):
        counter = self.critic_updates_since_generator
        counter.assign(counter + self.critic_steps)
        required = self.critic_steps_required(self.generator_optimizer.iterations)

        def update():
            self._generator_update(batch_size)
            counter.assign(ops.zeros((), "int32"))

        wgan_backend.cond_update(
            counter >= ops.cast(required, "int32"),
            update,
            self.step_variables,
        )
