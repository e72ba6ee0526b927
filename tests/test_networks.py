import keras
import numpy as np
import pytest
from keras import ops

import wgan_keras as wk


@pytest.mark.parametrize(
    "image_shape, sizes",
    [
        ((28, 28, 1), [28, 14, 7, 4]),
        ((32, 32, 3), [32, 16, 8, 4]),
        ((64, 64, 3), [64, 32, 16, 8, 4]),
    ],
)
def test_dcgan_generator_and_critic_shapes(image_shape, sizes):
    from wgan_keras.networks.dcgan import spatial_sizes

    assert spatial_sizes(image_shape[0]) == sizes
    g = wk.networks.DCGANGenerator(latent_dim=16, image_shape=image_shape, dim=8)
    c = wk.networks.DCGANCritic(image_shape=image_shape, dim=8)
    images = ops.convert_to_numpy(g(np.random.normal(size=(3, 16)).astype("float32")))
    assert images.shape == (3, *image_shape)
    assert images.min() >= -1.0 and images.max() <= 1.0
    assert tuple(c(images).shape) == (3, 1)
    convs = [layer for layer in c.layers if isinstance(layer, keras.layers.Conv2D)]
    assert len(convs) == len(sizes) - 1


def test_dcgan_64_generator_is_the_lsun_network():
    g = wk.networks.DCGANGenerator(latent_dim=100, image_shape=(64, 64, 3))
    maps = [
        tuple(layer.output.shape[1:])
        for layer in g.layers
        if isinstance(layer, keras.layers.Conv2DTranspose)
    ]
    assert maps == [(8, 8, 256), (16, 16, 128), (32, 32, 64), (64, 64, 3)]


def test_critics_output_unbounded_scores():
    c = wk.networks.MLPCritic(input_shape=(2,), hidden_dim=64)
    assert c.layers[-1].activation is keras.activations.linear
    x = np.random.default_rng(0).normal(size=(64, 2)).astype("float32") * 1e3
    scores = ops.convert_to_numpy(c(x))
    assert np.abs(scores).max() > 1.0  # no sigmoid or tanh


def test_mlp_networks_have_the_papers_shape():
    g = wk.networks.MLPGenerator(latent_dim=8, output_shape=(28, 28, 1))
    c = wk.networks.MLPCritic(input_shape=(28, 28, 1))
    hidden = [layer for layer in g.layers if layer.name.startswith("hidden")]
    assert [layer.units for layer in hidden] == [512] * 4
    out = ops.convert_to_numpy(g(np.ones((2, 8), "float32")))
    assert out.shape == (2, 28, 28, 1) and np.abs(out).max() <= 1.0  # tanh
    assert tuple(c(out).shape) == (2, 1)
    toy = wk.networks.MLPGenerator(latent_dim=2, output_shape=(2,))
    assert toy.get_layer("output").activation is keras.activations.linear


def test_spectral_norm_critic_wraps_every_kernel_layer():
    c = wk.networks.DCGANCritic(image_shape=(28, 28, 1), dim=4, spectral_norm=True)
    wrapped = [
        layer
        for layer in c.layers
        if isinstance(layer, wk.layers.SpectralNormalization)
    ]
    assert len(wrapped) == 4  # three convolutions and the score layer


def batch_norm_epsilons(model):
    return [
        layer.epsilon
        for layer in model.layers
        if isinstance(layer, keras.layers.BatchNormalization)
    ]


def test_dcgan_batch_norm_normalizes_a_clipped_critics_activations():
    # Weight clipping at 0.01 leaves the critic's pre-norm activations with
    # variances near 1e-5 (2.3e-5 measured in the MNIST run). A batch of +-s per
    # channel has variance s**2, so batch norm outputs +-s / sqrt(s**2 + eps):
    # 0.83 with the papers' epsilon of 1e-5, 0.15 with Keras' 1e-3.
    critic = wk.networks.DCGANCritic((28, 28, 1), dim=4, batch_norm=True)
    generator = wk.networks.DCGANGenerator(16, (28, 28, 1), dim=4)
    assert batch_norm_epsilons(critic) == [1e-5, 1e-5]
    assert batch_norm_epsilons(generator) == [1e-5, 1e-5, 1e-5]
    s = np.sqrt(2.3e-5)
    x = np.tile(np.array([s, -s], "float32")[:, None, None, None], (1, 7, 7, 8))
    y = ops.convert_to_numpy(critic.get_layer("conv_1_bn")(x, training=True))
    np.testing.assert_allclose(np.abs(y), s / np.sqrt(s**2 + 1e-5), rtol=1e-4)
    assert np.abs(y).max() > 0.8


def test_dcgan_batch_norm_epsilon_is_configurable_and_old_configs_keep_theirs():
    critic = wk.networks.DCGANCritic(dim=4, batch_norm=True, batch_norm_epsilon=1e-3)
    assert batch_norm_epsilons(critic) == [1e-3, 1e-3]
    for network in (
        wk.networks.DCGANGenerator(16, (28, 28, 1), dim=4),
        wk.networks.DCGANCritic((28, 28, 1), dim=4, batch_norm=True),
    ):
        config = network.get_config()
        assert config.pop("batch_norm_epsilon") == 1e-5
        # A model saved before the argument existed was built with Keras' 1e-3.
        old = network.__class__.from_config(config)
        assert set(batch_norm_epsilons(old)) == {1e-3}


@pytest.mark.parametrize(
    "network",
    [
        lambda: wk.networks.DCGANGenerator(16, (32, 32, 3), dim=4, batch_norm=False),
        lambda: wk.networks.DCGANCritic((28, 28, 1), dim=4, batch_norm=True),
        lambda: wk.networks.MLPGenerator(4, (2,), hidden_dim=8),
        lambda: wk.networks.MLPCritic((2,), hidden_dim=8, spectral_norm=True),
    ],
)
def test_network_config_round_trips(network):
    model = network()
    clone = model.__class__.from_config(model.get_config())
    assert clone.get_config() == model.get_config()
    assert clone.count_params() == model.count_params()


@pytest.mark.parametrize(
    "factory, message",
    [
        (lambda: wk.networks.DCGANGenerator(16, (28, 28)), "Received: image_shape="),
        (lambda: wk.networks.DCGANGenerator(16, (28, 32, 1)), "Received: image_shape="),
        (lambda: wk.networks.DCGANCritic((4, 4, 1)), "Received: image_shape="),
        (lambda: wk.networks.DCGANGenerator(0, (28, 28, 1)), "Received: latent_dim=0"),
        (lambda: wk.networks.MLPCritic((2,), hidden_dim=-1), "Received: hidden_dim=-1"),
        (lambda: wk.networks.MLPGenerator(2, "2"), "Received: output_shape='2'"),
        (
            lambda: wk.networks.DCGANCritic(batch_norm_epsilon=0.0),
            "`batch_norm_epsilon` must be > 0. Received: batch_norm_epsilon=0.0",
        ),
        (
            lambda: wk.networks.DCGANGenerator(batch_norm_epsilon="1e-5"),
            "Received: batch_norm_epsilon='1e-5'",
        ),
    ],
)
def test_bad_network_arguments_are_named(factory, message):
    with pytest.raises(ValueError, match=message):
        factory()


@pytest.mark.parametrize(
    "factory",
    [
        lambda **kw: wk.networks.MLPGenerator(2, (2,), **kw),
        lambda **kw: wk.networks.MLPCritic((2,), **kw),
        lambda **kw: wk.networks.DCGANGenerator(16, (28, 28, 1), dim=4, **kw),
        lambda **kw: wk.networks.DCGANCritic((28, 28, 1), dim=4, **kw),
    ],
)
def test_unknown_keyword_arguments_are_refused(factory):
    # Keras' functional Model drops them silently: a misspelt width would train
    # the default network.
    with pytest.raises(ValueError, match=r"passed to \w+: \{'hidden_units': 16\}"):
        factory(hidden_units=16)
    assert factory(name="named", dtype="float32").name == "named"
