"""ResNet networks: the reference architectures' parameter counts, and training.

The counts are those of the reference code, trainable parameters only (batch
norm's gamma and beta counted; moving statistics and spectral norm's power
iteration vectors not). For the WGAN-GP generator, for instance: the
projection 128 x 2048 + 2048 = 264,192; three up-blocks of 312,192 (a 1x1
shortcut 16,512, two 3x3 convolutions of 147,584, two batch norms of 256);
the output batch norm 256 and convolution 3,459: 1,204,483.
"""

import keras
import numpy as np
import pytest
from helpers import to_numpy

import wgan_keras as wk


def trainable_parameters(model):
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


@pytest.mark.parametrize(
    "network, kwargs, expected",
    [
        # WGAN-GP gan_cifar_resnet.py, DIM_G = DIM_D = 128.
        (wk.networks.ResNetGenerator, {"channels": 128}, 1_204_483),
        (wk.networks.ResNetCritic, {"channels": 128}, 1_053_825),
        # SN-GAN resnet_32.py (ch 256) and snresnet_32.py (ch 128, sum pooling,
        # last linear without bias).
        (wk.networks.ResNetGenerator, {"channels": 256}, 4_276_739),
        (
            wk.networks.ResNetCritic,
            {
                "channels": 128,
                "spectral_norm": True,
                "pooling": "sum",
                "output_bias": False,
            },
            1_053_824,
        ),
        # gan_cifar_resnet.py with CONDITIONAL and ACGAN: six per-class batch
        # norms in the generator (the output one stays shared), 6 x 9 x 256
        # more; a 128 x 10 + 10 classifier head on the critic.
        (
            wk.networks.ResNetGenerator,
            {"channels": 128, "num_classes": 10},
            1_218_307,
        ),
        (
            wk.networks.ResNetCritic,
            {"channels": 128, "num_classes": 10, "conditioning": "auxiliary"},
            1_055_115,
        ),
        # SN-GAN 32x32 conditional: categorical conditional batch norm, and a
        # projection critic (a 10 x 128 class embedding, no bias).
        (
            wk.networks.ResNetGenerator,
            {"channels": 256, "num_classes": 10},
            4_304_387,
        ),
        (
            wk.networks.ResNetCritic,
            {
                "channels": 128,
                "spectral_norm": True,
                "pooling": "sum",
                "output_bias": False,
                "num_classes": 10,
            },
            1_055_104,
        ),
        # SN-GAN resnet_64.py / snresnet_64.py, ch 64, 1,000 ImageNet classes:
        # widths ch * (16, 8, 4, 2, 1) up, ch * (1, 2, 4, 8, 16) down, every
        # critic block downsampling, the last linear with a bias.
        (
            wk.networks.ResNetGenerator,
            {
                "image_shape": (64, 64, 3),
                "channels": (1024, 512, 256, 128, 64),
                "num_classes": 1000,
            },
            17_974_915,
        ),
        (
            wk.networks.ResNetCritic,
            {
                "image_shape": (64, 64, 3),
                "channels": (64, 128, 256, 512, 1024),
                "num_plain_blocks": 0,
                "spectral_norm": True,
                "pooling": "sum",
                "num_classes": 1000,
            },
            11_165_441,
        ),
    ],
)
def test_parameter_counts_match_the_reference_code(network, kwargs, expected):
    assert trainable_parameters(network(**kwargs)) == expected


@pytest.mark.parametrize("size", [28, 32, 64])
def test_shapes(size):
    channels = 1 if size == 28 else 3
    generator = wk.networks.ResNetGenerator(
        latent_dim=8, image_shape=(size, size, channels), channels=8
    )
    critic = wk.networks.ResNetCritic(image_shape=(size, size, channels), channels=8)
    images = generator(np.zeros((2, 8), "float32"))
    assert tuple(images.shape) == (2, size, size, channels)
    assert tuple(critic(images).shape) == (2, 1)


def test_sum_pooling_is_the_mean_times_the_map_area():
    kwargs = {"image_shape": (32, 32, 3), "channels": 8, "output_bias": False}
    mean = wk.networks.ResNetCritic(pooling="mean", **kwargs)
    total = wk.networks.ResNetCritic(pooling="sum", **kwargs)
    total.set_weights(mean.get_weights())
    x = np.random.default_rng(0).uniform(-1, 1, (4, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(
        to_numpy(total(x)), 64 * to_numpy(mean(x)), rtol=1e-5, atol=1e-6
    )  # an 8x8 map


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"Received: image_shape=\(30, 30, 3\)"):
        wk.networks.ResNetGenerator(image_shape=(30, 30, 3))
    with pytest.raises(ValueError, match=r"`pooling` must be one of"):
        wk.networks.ResNetCritic(pooling="max")
    with pytest.raises(ValueError, match=r"Unrecognized keyword arguments"):
        wk.networks.ResNetCritic(dim=64)


@pytest.mark.parametrize("method", ["gp", "sn"])
def test_a_resnet_gan_trains_and_reloads(tmp_path, method):
    keras.utils.set_random_seed(0)
    generator = wk.networks.ResNetGenerator(
        latent_dim=8, image_shape=(28, 28, 1), channels=8
    )
    if method == "gp":
        critic = wk.networks.ResNetCritic(image_shape=(28, 28, 1), channels=8)
        gan = wk.WGANGP(generator, critic, critic_steps=2, seed=0)
    else:
        critic = wk.networks.ResNetCritic(
            image_shape=(28, 28, 1),
            channels=8,
            spectral_norm=True,
            pooling="sum",
            output_bias=False,
        )
        gan = wk.SNWGAN(generator, critic, critic_steps=2, seed=0)
    gan.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (64, 28, 28, 1))
    history = gan.fit(images.astype("float32"), batch_size=16, verbose=0)
    assert all(np.isfinite(v[-1]) for v in history.history.values())
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = keras.saving.load_model(path)  # safe mode: no Lambda layers
    z = np.random.default_rng(1).standard_normal((3, 8)).astype("float32")
    np.testing.assert_allclose(
        to_numpy(loaded.generator(z, training=False)),
        to_numpy(gan.generator(z, training=False)),
        rtol=1e-5,
        atol=1e-6,
    )
