"""A NaN or inf loss stops training at that step and saves nothing from it."""

import json
import os

import keras
import numpy as np
import pytest
from helpers import tiny_toy_gan, to_numpy, toy_data

import wgan_keras as wk


class PoisonCriticAfterStep(keras.callbacks.Callback):
    """Sets a critic weight to `value` after generator step `step`."""

    def __init__(self, step, value):
        super().__init__()
        self.step, self.value = step, value
        self.good_weights = None

    def on_train_batch_end(self, batch, logs=None):
        gan = self.model
        if int(to_numpy(gan.generator_optimizer.iterations)) == self.step:
            self.good_weights = [to_numpy(w) for w in gan.weights]
            kernel = gan.critic.trainable_variables[0]
            kernel.assign(keras.ops.full(kernel.shape, self.value))


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_nan_or_inf_loss_stops_at_that_step_and_keeps_the_last_backup(value, tmp_path):
    gan = tiny_toy_gan(critic_steps=1, seed=0)
    gan.compile()
    backup = wk.callbacks.BackupAndRestore(tmp_path, save_freq=1)
    poison = PoisonCriticAfterStep(3, value)
    with pytest.raises(wk.callbacks.DivergenceError) as error:
        gan.fit(
            toy_data(32 * 10),
            batch_size=32,
            epochs=1,
            callbacks=[backup, poison],
            verbose=0,
        )
    message = str(error.value)
    assert "Training diverged at generator step 4 (epoch 1, step 4 of" in message
    assert "critic_loss=nan" in message  # inf - inf or nan: both give nan
    assert "no checkpoint or backup holds these weights" in message
    # The backup of step 3 is the last one, untouched, and holds good weights.
    with open(os.path.join(tmp_path, "training_metadata.json")) as f:
        metadata = json.load(f)
        assert metadata.pop("run")["critic_steps"] == 1
        assert metadata == {
            "epoch": 0,
            "step": 3,
            "weights": "backup-000000-000000003.weights.h5",
        }
    fresh = tiny_toy_gan(critic_steps=1, seed=0)
    fresh.load_weights(os.path.join(tmp_path, "backup-000000-000000003.weights.h5"))
    for expected, weight in zip(poison.good_weights, fresh.weights):
        np.testing.assert_array_equal(to_numpy(weight), expected)
    # The model itself is still usable after the error, on every backend.
    assert int(to_numpy(gan.generator_optimizer.iterations)) == 4


def test_the_check_runs_first_and_only_once():
    from wgan_keras.models.divergence import with_divergence_check

    backup = wk.callbacks.BackupAndRestore("unused")
    callbacks = with_divergence_check([backup])
    assert isinstance(callbacks[0], wk.callbacks.StopOnDivergence)
    assert callbacks[1] is backup
    own = wk.callbacks.StopOnDivergence()
    assert with_divergence_check([backup, own]) == [backup, own]
    assert len(with_divergence_check(None)) == 1


def test_a_finite_blow_up_stops_before_a_backup_holds_it(tmp_path):
    # An oversized learning rate: the losses grow by orders of magnitude but
    # stay finite, which a NaN check alone never catches.
    gan = tiny_toy_gan(critic_steps=1, seed=0)
    gan.compile(
        critic_optimizer=keras.optimizers.Adam(1e3),
        generator_optimizer=keras.optimizers.Adam(1e3),
    )
    backup = wk.callbacks.BackupAndRestore(tmp_path, save_freq=1, keep=1)
    seen = []

    class Losses(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(float(np.asarray(logs["critic_loss"])))

    with pytest.raises(wk.callbacks.DivergenceError) as error:
        gan.fit(
            toy_data(32 * 20),
            batch_size=32,
            callbacks=[backup, Losses()],
            verbose=0,
        )
    assert "running median magnitude" in str(error.value)
    assert all(np.isfinite(seen))
    # The backup is of the last step whose losses were in range.
    with open(os.path.join(tmp_path, "training_metadata.json")) as f:
        assert json.load(f)["step"] == len(seen)
    assert max(abs(v) for v in seen) < 1e3 * max(np.median(np.abs(seen)), 1.0)


def test_max_growth_none_stops_on_nan_and_inf_only():
    def run(stop):
        gan = tiny_toy_gan(critic_steps=1, seed=0)
        gan.compile()
        poison = PoisonCriticAfterStep(3, 1e3)  # finite, orders of magnitude up
        gan.fit(toy_data(32 * 8), batch_size=32, callbacks=[stop, poison], verbose=0)
        return int(to_numpy(gan.generator_optimizer.iterations))

    with pytest.raises(wk.callbacks.DivergenceError, match="running median"):
        run(wk.callbacks.StopOnDivergence())
    assert run(wk.callbacks.StopOnDivergence(max_growth=None)) == 8
    with pytest.raises(ValueError, match=r"`max_growth` must be a finite number > 1"):
        wk.callbacks.StopOnDivergence(max_growth=0.5)
