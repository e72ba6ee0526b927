import keras
import numpy as np
import pytest
from helpers import tiny_toy_gan, toy_data

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
        ValueError, match="`gp_weight` must be >= 0. Received: gp_weight=-1"
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
