"""Generator EMA: the closed-form average, and who samples and exports with it."""

import os

import keras
import numpy as np
import pytest
from helpers import tiny_toy_gan, toy_data, weights

import wgan_keras as wk
from wgan_keras.export import resolve_generator


def _dcgan(**kwargs):
    generator = wk.networks.DCGANGenerator(
        latent_dim=8, image_shape=(28, 28, 1), dim=4, batch_norm=True
    )
    critic = wk.networks.DCGANCritic(image_shape=(28, 28, 1), dim=4)
    return wk.WGAN(generator, critic, critic_steps=1, seed=0, **kwargs)


def _fit_one_step(gan, data, batch_size):
    gan.fit(data, batch_size=batch_size, steps_per_epoch=1, epochs=1, verbose=0)


def _warmup_decay(ema_decay, t):
    return min(ema_decay, (1 + t) / (10 + t))


@pytest.mark.parametrize("ema_decay", [0.999, 0.05])
def test_average_follows_closed_form_over_two_updates(ema_decay):
    gan = tiny_toy_gan(critic_steps=1, seed=0, ema_decay=ema_decay)
    gan.compile()
    data = toy_data(64)
    average = weights(gan.generator)
    np.testing.assert_array_equal(weights(gan.ema_generator)[0], average[0])
    for t in range(2):
        _fit_one_step(gan, data, batch_size=32)
        decay = _warmup_decay(ema_decay, t)
        current = weights(gan.generator)
        average = [decay * a + (1 - decay) * w for a, w in zip(average, current)]
        for expected, actual in zip(average, weights(gan.ema_generator)):
            np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)
        # The average lags the trained weights: it is not a copy.
        assert not np.allclose(weights(gan.ema_generator)[0], current[0])


def test_batch_norm_statistics_are_copied_and_weights_averaged():
    gan = _dcgan(ema_decay=0.9)
    gan.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1))
    before = {v.path: w for v, w in zip(gan.generator.weights, weights(gan.generator))}
    _fit_one_step(gan, images.astype("float32"), batch_size=8)
    decay = _warmup_decay(0.9, 0)
    for weight, average in zip(gan.generator.weights, gan.ema_generator.weights):
        value = keras.ops.convert_to_numpy(weight)
        if weight.trainable:
            expected = decay * before[weight.path] + (1 - decay) * value
        else:
            expected = value  # moving mean and variance
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(average), expected, rtol=1e-5, atol=1e-6
        )
    assert all(not v.trainable for v in gan.ema_generator.weights)
    assert len(gan.trainable_variables) == len(gan.generator.trainable_variables) + len(
        gan.critic.trainable_variables
    )


def test_generate_call_and_export_use_the_average():
    gan = tiny_toy_gan(critic_steps=1, seed=0, ema_decay=0.5)
    gan.compile()
    _fit_one_step(gan, toy_data(64), batch_size=32)
    z = np.random.default_rng(3).standard_normal((16, 2)).astype("float32")
    from_average = keras.ops.convert_to_numpy(gan.ema_generator(z, training=False))
    from_generator = keras.ops.convert_to_numpy(gan.generator(z, training=False))
    assert not np.allclose(from_average, from_generator, atol=1e-6)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(gan(z)), from_average, rtol=1e-6, atol=1e-6
    )
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(gan(z, training=True)),
        keras.ops.convert_to_numpy(gan.generator(z, training=True)),
        rtol=1e-6,
        atol=1e-6,
    )
    expected_z = np.random.default_rng(7).standard_normal((16, 2)).astype("float32")
    np.testing.assert_allclose(
        gan.generate(16, seed=7),
        keras.ops.convert_to_numpy(gan.ema_generator(expected_z, training=False)),
        rtol=1e-6,
        atol=1e-6,
    )
    assert gan.sampling_generator is gan.ema_generator
    assert resolve_generator(gan)[0] is gan.ema_generator


def test_without_ema_the_generator_samples():
    gan = tiny_toy_gan()
    assert gan.ema_generator is None
    assert gan.sampling_generator is gan.generator
    assert resolve_generator(gan)[0] is gan.generator


def test_saved_gan_keeps_its_average(tmp_path):
    gan = tiny_toy_gan(critic_steps=1, seed=0, ema_decay=0.5)
    gan.compile()
    _fit_one_step(gan, toy_data(64), batch_size=32)
    path = os.path.join(tmp_path, "gan.keras")
    gan.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert loaded.ema_decay == 0.5
    for expected, actual in zip(
        weights(gan.ema_generator), weights(loaded.ema_generator)
    ):
        np.testing.assert_array_equal(actual, expected)
    np.testing.assert_allclose(
        loaded.generate(8, seed=1), gan.generate(8, seed=1), rtol=1e-6, atol=1e-6
    )


@pytest.mark.parametrize("ema_decay", [1.0, -0.1, "0.9", True])
def test_bad_decay_is_refused(ema_decay):
    with pytest.raises(
        ValueError, match=r"`ema_decay` must be .* Received: ema_decay="
    ):
        tiny_toy_gan(ema_decay=ema_decay)
