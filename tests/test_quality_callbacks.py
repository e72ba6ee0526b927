"""Watching quality while training: `FrechetDistance`, and stopping on the estimate."""

import csv

import keras
import numpy as np
import pytest
from helpers import to_numpy, toy_data, weights
from test_callbacks import read_events, tiny_image_gan

import wgan_keras as wk

BATCH, CRITIC_STEPS = 16, 2
GROUP = BATCH * CRITIC_STEPS


def images(n, seed):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n, 28, 28, 1)).astype("float32")


def test_logged_distances_equal_the_metrics_on_the_same_samples(tmp_path):
    gan = tiny_image_gan((28, 28, 1))
    real = images(300, seed=1)
    callback = wk.callbacks.FrechetDistance(real, num_samples=200, kid_subsets=3)
    csv_path = tmp_path / "epochs.csv"
    history = gan.fit(
        images(GROUP * 3, seed=0),
        batch_size=BATCH,
        epochs=2,
        callbacks=[
            callback,
            keras.callbacks.CSVLogger(str(csv_path)),
            wk.callbacks.TensorBoard(tmp_path / "tensorboard"),
        ],
        verbose=0,
    )
    # The last epoch's values, recomputed from the generator as it ended.
    fake = gan.generate(200, seed=0)
    network = wk.metrics.mnist_features()
    expected_fd = wk.metrics.frechet_distance(real, fake, network)
    expected_kid = wk.metrics.kernel_inception_distance(
        real, fake, network, num_subsets=3, seed=0
    )
    fd, kid = history.history["frechet_distance"], history.history["kernel_distance"]
    assert len(fd) == len(kid) == 2
    np.testing.assert_allclose(fd[-1], expected_fd, rtol=1e-6)
    np.testing.assert_allclose(kid[-1], expected_kid, rtol=1e-6, atol=1e-9)
    assert expected_fd > 0
    # The same values in the CSV log and in TensorBoard's reader.
    with open(csv_path) as f:
        rows = list(csv.DictReader(f))
    np.testing.assert_allclose([float(r["frechet_distance"]) for r in rows], fd)
    events = read_events(tmp_path / "tensorboard" / "wgan")
    logged = [float(value) for _, value in events["epoch/frechet_distance"]]
    np.testing.assert_allclose(logged, fd, rtol=1e-6)
    assert [e for e, _, _ in callback.history] == [0, 1]


def test_every_n_epochs_and_the_fid_network(tmp_path):
    # A colour GAN needs a feature network: the FID Inception (random weights
    # here; pytorch-fid's file is not downloadable where the tests run).
    gan = tiny_image_gan((32, 32, 3))
    real = np.random.default_rng(1).uniform(-1, 1, (20, 32, 32, 3)).astype("float32")
    with pytest.raises(
        ValueError, match=r"give one for samples of shape \(32, 32, 3\)"
    ):
        gan.fit(
            np.zeros((GROUP, 32, 32, 3), "float32"),
            batch_size=BATCH,
            callbacks=[wk.callbacks.FrechetDistance(real)],
            verbose=0,
        )
    network = wk.metrics.fid_inception(weights=None)
    callback = wk.callbacks.FrechetDistance(
        real, network, every_n_epochs=2, num_samples=20, kid_subsets=1
    )
    history = gan.fit(
        np.zeros((GROUP, 32, 32, 3), "float32"),
        batch_size=BATCH,
        epochs=2,
        callbacks=[callback],
        verbose=0,
    )
    assert [e for e, _, _ in callback.history] == [1]
    assert np.isfinite(history.history["frechet_distance"][0])


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"`real_images` must be a floating-point"):
        wk.callbacks.FrechetDistance(np.zeros((10, 28, 28, 1), "uint8"))
    bad = images(10, seed=0)
    bad[3] = np.nan
    with pytest.raises(ValueError, match=r"`real_images` must be finite"):
        wk.callbacks.FrechetDistance(bad)
    with pytest.raises(ValueError, match=r"`num_samples` must be an int >= 2"):
        wk.callbacks.FrechetDistance(images(10, seed=0), num_samples=1)


# ------------------------------------------------- stopping on the estimate


class SetGeneratorWeights(keras.callbacks.Callback):
    """Gives the generator the weights `snapshots[epoch]` as each epoch begins."""

    def __init__(self, snapshots):
        super().__init__()
        self.snapshots = snapshots

    def on_epoch_begin(self, epoch, logs=None):
        self.model.generator.set_weights(self.snapshots[epoch])


def test_early_stopping_on_the_held_out_estimate_restores_the_best_generator():
    # Both optimizers at rate 0: the estimate changes only with the generator
    # weights set before each epoch, so the best epoch is known from history.
    keras.utils.set_random_seed(0)
    generator = wk.networks.MLPGenerator(latent_dim=2, output_shape=(2,), hidden_dim=16)
    critic = wk.networks.MLPCritic(input_shape=(2,), hidden_dim=16)
    gan = wk.WGANGP(generator, critic, critic_steps=1, seed=0)
    gan.compile(
        critic_optimizer=keras.optimizers.SGD(0.0),
        generator_optimizer=keras.optimizers.SGD(0.0),
    )
    rng = np.random.default_rng(0)
    start = weights(gan.generator)
    snapshots = [
        [w + rng.normal(0, 0.3, w.shape).astype("float32") for w in start]
        for _ in range(12)
    ]
    logger = wk.callbacks.WassersteinLogger(validation_data=toy_data(512, seed=1))
    stop = keras.callbacks.EarlyStopping(
        monitor="dev_wasserstein_estimate",
        mode="min",
        patience=2,
        restore_best_weights=True,
    )
    history = gan.fit(
        toy_data(32 * 2),
        batch_size=32,
        epochs=12,
        callbacks=[SetGeneratorWeights(snapshots), logger, stop],
        verbose=0,
    )
    estimates = history.history["dev_wasserstein_estimate"]
    best = int(np.argmin(estimates))
    # Stopped 2 epochs after the last improvement (or at the end).
    ran = len(estimates)
    improved = [
        i for i in range(ran) if estimates[i] < min(estimates[:i], default=np.inf)
    ]
    assert ran == min(12, improved[-1] + 3) < 12, estimates
    for restored, snapshot in zip(weights(gan.generator), snapshots[best]):
        np.testing.assert_array_equal(restored, snapshot)
    assert int(to_numpy(gan.generator_optimizer.iterations)) == 2 * ran
