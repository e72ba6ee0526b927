"""Bad input: a clear error naming the argument and what was received."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from helpers import ListBatches, tiny_toy_gan, toy_data

import wgan_keras as wk


def networks():
    g = wk.networks.MLPGenerator(latent_dim=2, output_shape=(2,), hidden_dim=8)
    c = wk.networks.MLPCritic(input_shape=(2,), hidden_dim=8)
    return g, c


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"critic_steps": 0},
            "`critic_steps` must be an int >= 1. Received: critic_steps=0",
        ),
        ({"critic_steps": 2.5}, "Received: critic_steps=2.5"),
        (
            {"latent_dim": 3},
            r"must match the generator's input size \(2\). Received: latent_dim=3",
        ),
        ({"critic_schedule": "fast"}, "Received: critic_schedule='fast'"),
    ],
)
def test_bad_gan_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        wk.WGANGP(*networks(), **kwargs)


def test_method_arguments_are_checked():
    with pytest.raises(
        ValueError, match="`clip_value` must be > 0. Received: clip_value=0"
    ):
        wk.WGAN(*networks(), clip_value=0)
    with pytest.raises(
        ValueError, match="`gp_weight` must be finite and >= 0. Received: gp_weight=-1"
    ):
        wk.WGANGP(*networks(), gp_weight=-1)


def test_networks_must_be_models():
    with pytest.raises(ValueError, match="`critic` must be a keras.Model. Received"):
        wk.WGANGP(networks()[0], critic=lambda x: x)


def test_critic_must_return_one_score_per_sample():
    g, _ = networks()
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    with pytest.raises(ValueError, match=r"one score per sample.*\(2, 3\)"):
        wk.WGANGP(g, critic)


def test_compile_refuses_a_single_optimizer_or_a_loss():
    gan = wk.WGANGP(*networks())
    with pytest.raises(ValueError, match="`optimizer` is not an argument"):
        gan.compile(optimizer="adam")
    with pytest.raises(ValueError, match="`loss` is not an argument"):
        gan.compile(loss="mse")
    shared = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="two optimizer instances"):
        gan.compile(critic_optimizer=shared, generator_optimizer=shared)


def test_compile_accepts_optimizer_names_and_instances():
    gan = wk.WGANGP(*networks())
    gan.compile(critic_optimizer="rmsprop", generator_optimizer=keras.optimizers.SGD())
    assert isinstance(gan.critic_optimizer, keras.optimizers.RMSprop)
    assert isinstance(gan.generator_optimizer, keras.optimizers.SGD)


def test_fit_refuses_labels_and_integer_data():
    gan = tiny_toy_gan()
    gan.compile()
    with pytest.raises(ValueError, match="leave `y` unset. Received: y of type"):
        gan.fit(toy_data(160), np.zeros(160), batch_size=16, verbose=0)
    images = np.zeros((320, 2), "uint8")
    with pytest.raises(
        ValueError, match="floating-point .*Received: x with dtype uint8"
    ):
        gan.fit(images, batch_size=16, verbose=0)


def test_fit_needs_one_full_step_of_data():
    gan = tiny_toy_gan(critic_steps=5)
    gan.compile()
    with pytest.raises(ValueError, match=r"5 x 16 = 80 samples. Received: x with 79"):
        gan.fit(toy_data(79), batch_size=16, verbose=0)


def test_generate_checks_its_arguments():
    gan = tiny_toy_gan()
    with pytest.raises(
        ValueError, match="`num_samples` must be an int >= 1. Received: num_samples=0"
    ):
        gan.generate(0)


# ------------------------------------------------------ data, before a step
#
# Each bad input is tried as every kind of data `fit` takes: arrays are checked
# up front, streamed data batch by batch as it is read, before the step that
# would use it, so no update ever sees it.


def image_gan():
    generator = wk.networks.DCGANGenerator(latent_dim=8, dim=4, batch_norm=False)
    gan = wk.WGANGP(generator, wk.networks.DCGANCritic(dim=4), critic_steps=2)
    gan.compile()
    return gan


def as_kind(x, kind, batch_size=16):
    """`x` as the data kind `fit` is given: arrays, tf.data, PyDataset, iterator."""
    if kind == "array":
        return x
    batches = [x[i : i + batch_size] for i in range(0, len(x), batch_size)]
    if kind == "tf.data":
        return tf.data.Dataset.from_tensor_slices(x).batch(batch_size)
    if kind == "py_dataset":
        return ListBatches(batches)
    return iter(batches)


KINDS = ["array", "tf.data", "py_dataset", "iterator"]


def fit(gan, data):
    batch_size = 16 if isinstance(data, np.ndarray) else None
    gan.fit(data, batch_size=batch_size, epochs=1, verbose=0)


def steps_done(gan):
    return int(keras.ops.convert_to_numpy(gan.generator_optimizer.iterations))


def refused(gan, data, message):
    """Fitting `data` raises a message matching `message`; nothing was trained."""
    errors = (ValueError, tf.errors.InvalidArgumentError)
    with pytest.raises(errors, match=message):
        fit(gan, data)
    assert steps_done(gan) == 0


@pytest.mark.parametrize("kind", KINDS)
def test_images_without_a_channel_axis(kind):
    images = np.zeros((64, 28, 28), "float32")
    refused(image_gan(), as_kind(images, kind), r"add a channel axis|x\[\.\.\., None\]")


@pytest.mark.parametrize("kind", KINDS)
def test_images_of_another_size(kind):
    images = np.zeros((64, 32, 32, 1), "float32")
    refused(
        image_gan(),
        as_kind(images, kind),
        r"sample shape \(28, 28, 1\)\. Received: samples of shape \(32, 32, 1\)",
    )


@pytest.mark.parametrize("kind", KINDS)
def test_images_with_other_channels(kind):
    images = np.zeros((64, 28, 28, 3), "float32")
    refused(image_gan(), as_kind(images, kind), r"takes 1 channels\)")


@pytest.mark.parametrize("kind", KINDS)
def test_unscaled_integer_images(kind):
    images = np.full((64, 28, 28, 1), 255, "uint8")
    refused(image_gan(), as_kind(images, kind), r"floating-point .*Received: .*uint8")


@pytest.mark.parametrize("kind", KINDS)
def test_images_far_outside_the_generators_range(kind):
    images = np.full((64, 28, 28, 1), 255.0, "float32")  # cast, never scaled
    images[0] = -1.0
    refused(
        image_gan(),
        as_kind(images, kind),
        r"output range \[-1, 1\] of the generator.*Received: (a batch of )?x with "
        r"values in",
    )


def test_data_inside_the_range_margin_is_accepted():
    images = np.random.default_rng(0).uniform(-1.04, 1.04, (64, 28, 28, 1))
    gan = image_gan()
    fit(gan, images.astype("float32"))
    assert steps_done(gan) == 2


def test_unbounded_generators_take_any_range():
    gan = tiny_toy_gan(critic_steps=1)  # linear output layer
    gan.compile()
    gan.fit(toy_data(64) * 100, batch_size=32, epochs=1, verbose=0)
    assert steps_done(gan) == 2


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_in_a_later_batch(kind, bad):
    images = np.zeros((64, 28, 28, 1), "float32")
    images[40, 3, 3, 0] = bad  # the second group of 2 x 16 samples
    gan = image_gan()
    data = as_kind(images, kind)
    errors = (ValueError, tf.errors.InvalidArgumentError)
    with pytest.raises(errors, match=r"must be finite.* NaN or inf"):
        fit(gan, data)
    # Arrays are refused before the first step; streams when the batch holding
    # it is read: before the second step, or before the first where the
    # backend's loader reads ahead. No update ever used it.
    assert steps_done(gan) in ((0,) if kind == "array" else (0, 1))
    for weight in gan.weights:
        assert np.all(np.isfinite(keras.ops.convert_to_numpy(weight)))


@pytest.mark.parametrize("kind", KINDS)
def test_empty_data(kind):
    images = np.zeros((0, 28, 28, 1), "float32")
    data = as_kind(images, kind)
    if kind == "py_dataset":
        data = ListBatches([])
    refused(image_gan(), data, r"empty|needs")


def test_batch_normalized_critic_under_the_gradient_penalty():
    generator = wk.networks.DCGANGenerator(latent_dim=8, dim=4)
    critic = wk.networks.DCGANCritic(dim=4, batch_norm=True)
    with pytest.raises(ValueError, match=r"must not use it.*BatchNormalization"):
        wk.WGANGP(generator, critic)
