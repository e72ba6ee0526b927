"""Callbacks: per-step and held-out estimates, grids, TensorBoard events, exact W1."""

import csv
import io
import os

import keras
import numpy as np
import pytest
from PIL import Image

import wgan_keras as wk
from tests.helpers import tiny_toy_gan, to_numpy, toy_data

BATCH, CRITIC_STEPS, STEPS_PER_EPOCH = 16, 2, 4
GROUP = BATCH * CRITIC_STEPS


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return {name: [float(row[i]) for row in rows[1:]] for i, name in enumerate(rows[0])}


def toy_gan():
    keras.utils.set_random_seed(0)
    gan = tiny_toy_gan(critic_steps=CRITIC_STEPS, seed=0)
    gan.compile()
    return gan


def tiny_image_gan(image_shape):
    keras.utils.set_random_seed(0)
    generator = wk.networks.DCGANGenerator(
        latent_dim=8, image_shape=image_shape, dim=4, batch_norm=False
    )
    critic = wk.networks.DCGANCritic(image_shape=image_shape, dim=4)
    gan = wk.WGANGP(generator, critic, critic_steps=CRITIC_STEPS, seed=0)
    gan.compile()
    return gan


# ------------------------------------------------------------ WassersteinLogger


def test_logger_step_values_average_to_the_epoch_means(tmp_path):
    gan = toy_gan()
    held_out = toy_data(64, seed=1)
    logger = wk.callbacks.WassersteinLogger(tmp_path, validation_data=held_out)
    history = gan.fit(
        toy_data(GROUP * STEPS_PER_EPOCH),
        batch_size=BATCH,
        epochs=3,
        callbacks=[logger],
        verbose=0,
    )
    steps = read_csv(tmp_path / "steps.csv")
    assert steps["step"] == [float(s) for s in range(1, 3 * STEPS_PER_EPOCH + 1)]
    # Each step's own value, recovered from Keras' running means, averages back
    # to the epoch mean that `history` holds.
    for name in ("critic_loss", "generator_loss", "wasserstein_estimate"):
        per_step = np.reshape(steps[name], (3, STEPS_PER_EPOCH)).mean(axis=1)
        np.testing.assert_allclose(per_step, history.history[name], rtol=1e-4)
    assert np.std(steps["wasserstein_estimate"][:STEPS_PER_EPOCH]) > 0

    epochs = read_csv(tmp_path / "epochs.csv")
    assert epochs["epoch"] == [0.0, 1.0, 2.0]
    np.testing.assert_allclose(
        epochs["dev_wasserstein_estimate"],
        history.history["dev_wasserstein_estimate"],
        rtol=1e-6,
    )
    with Image.open(tmp_path / "wasserstein.png") as image:
        assert image.size == (640, 320) and image.mode == "RGB"


def test_logger_held_out_estimate_uses_fixed_real_and_latent_batches(tmp_path):
    gan = toy_gan()
    held_out = toy_data(50, seed=1)
    logger = wk.callbacks.WassersteinLogger(
        validation_data=held_out, num_validation_samples=50, seed=3
    )
    history = gan.fit(
        toy_data(GROUP * STEPS_PER_EPOCH),
        batch_size=BATCH,
        epochs=2,
        callbacks=[logger],
        verbose=0,
    )
    z = np.random.default_rng(3).standard_normal((50, 2)).astype("float32")
    real_scores = to_numpy(gan.critic(held_out, training=False))
    fake_scores = to_numpy(gan.critic(gan.generator(z, training=False)))
    expected = real_scores.mean() - fake_scores.mean()
    np.testing.assert_allclose(
        history.history["dev_wasserstein_estimate"][-1], expected, rtol=1e-5
    )
    np.testing.assert_allclose(logger.held_out_estimate(), expected, rtol=1e-5)


def test_logger_continues_its_csv_files_after_resuming(tmp_path):
    gan = toy_gan()
    data = toy_data(GROUP * STEPS_PER_EPOCH)
    gan.fit(
        data,
        batch_size=BATCH,
        epochs=2,
        callbacks=[wk.callbacks.WassersteinLogger(tmp_path)],
        verbose=0,
    )
    gan.save(tmp_path / "gan.keras")
    restored = keras.saving.load_model(tmp_path / "gan.keras")
    restored.fit(
        data,
        batch_size=BATCH,
        epochs=3,
        initial_epoch=2,
        callbacks=[wk.callbacks.WassersteinLogger(tmp_path)],
        verbose=0,
    )
    steps = read_csv(tmp_path / "steps.csv")
    assert steps["step"] == [float(s) for s in range(1, 3 * STEPS_PER_EPOCH + 1)]
    assert read_csv(tmp_path / "epochs.csv")["epoch"] == [0.0, 1.0, 2.0]
    # The rows read back from the first run keep their integer indices.
    for name, indices in (
        ("steps", range(1, 3 * STEPS_PER_EPOCH + 1)),
        ("epochs", range(3)),
    ):
        rows = (tmp_path / f"{name}.csv").read_text().splitlines()[1:]
        assert [row.split(",")[0] for row in rows] == [str(i) for i in indices]


def test_logger_every_n_steps_keeps_every_nth_step(tmp_path):
    gan = toy_gan()
    logger = wk.callbacks.WassersteinLogger(tmp_path, every_n_steps=3)
    gan.fit(
        toy_data(GROUP * STEPS_PER_EPOCH),
        batch_size=BATCH,
        epochs=2,
        callbacks=[logger],
        verbose=0,
    )
    assert logger.step_logs["step"] == [3, 6]


def test_logger_refuses_bad_arguments():
    with pytest.raises(ValueError, match=r"every_n_steps=0"):
        wk.callbacks.WassersteinLogger(every_n_steps=0)
    with pytest.raises(ValueError, match=r"validation_data with dtype uint8"):
        wk.callbacks.WassersteinLogger(validation_data=np.zeros((4, 2), "uint8"))


# ------------------------------------------------------------------ SampleGrid


@pytest.mark.parametrize(
    "image_shape, mode", [((28, 28, 1), "L"), ((32, 32, 3), "RGB")]
)
def test_sample_grid_writes_a_fixed_batch_grid_per_epoch(tmp_path, image_shape, mode):
    gan = tiny_image_gan(image_shape)
    images = np.random.default_rng(0).uniform(-1, 1, (GROUP * 2, *image_shape))
    grid = wk.callbacks.SampleGrid(tmp_path, num_samples=16, seed=5)
    gan.fit(
        images.astype("float32"),
        batch_size=BATCH,
        epochs=3,
        callbacks=[grid],
        verbose=0,
    )

    names = sorted(os.listdir(tmp_path))
    assert names == [
        "grid.gif",
        "grid_epoch_0001.png",
        "grid_epoch_0002.png",
        "grid_epoch_0003.png",
    ]
    side = 4 * (image_shape[0] + 2) + 2  # 4 x 4 images, 2 pixels of padding
    with Image.open(tmp_path / "grid_epoch_0003.png") as image:
        assert image.size == (side, side) and image.mode == mode
        pixels = np.asarray(image)
    # The last grid shows the fixed latent batch through the final generator.
    z = np.random.default_rng(5).standard_normal((16, 8)).astype("float32")
    samples = to_numpy(gan.generator(z, training=False))
    expected = np.asarray(wk.visualization.image_grid(samples))
    np.testing.assert_array_equal(pixels, expected)
    # The top-left image is sample 0 mapped from [-1, 1] to 0..255.
    first = pixels[2 : 2 + image_shape[0], 2 : 2 + image_shape[1]]
    np.testing.assert_array_equal(
        first.reshape(image_shape), wk.visualization.to_uint8(samples[0])
    )
    with Image.open(tmp_path / "grid.gif") as gif:
        assert gif.n_frames == 3 and gif.size == (side, side)


def test_sample_grid_draws_2d_samples_as_a_scatter_plot(tmp_path):
    gan = toy_gan()
    grid = wk.callbacks.SampleGrid(tmp_path, num_samples=100, animate=False)
    gan.fit(
        toy_data(GROUP * 2), batch_size=BATCH, epochs=2, callbacks=[grid], verbose=0
    )
    assert sorted(os.listdir(tmp_path)) == [
        "grid_epoch_0001.png",
        "grid_epoch_0002.png",
    ]
    with Image.open(tmp_path / "grid_epoch_0002.png") as image:
        assert image.size == (256, 256) and image.mode == "RGB"


def test_sample_grid_refuses_samples_it_cannot_draw(tmp_path):
    generator = wk.networks.MLPGenerator(latent_dim=2, output_shape=(3,), hidden_dim=8)
    critic = wk.networks.MLPCritic(input_shape=(3,), hidden_dim=8)
    gan = wk.WGANGP(generator, critic, critic_steps=1)
    gan.compile()
    with pytest.raises(ValueError, match=r"samples have shape \(3,\)"):
        gan.fit(
            np.zeros((32, 3), "float32"),
            batch_size=16,
            callbacks=[wk.callbacks.SampleGrid(tmp_path)],
            verbose=0,
        )


# ----------------------------------------------------------------- TensorBoard


def read_events(directory):
    """TensorBoard's own reader: `{tag: [(step, value)]}` (v2 tensor events)."""
    from tensorboard.backend.event_processing import event_accumulator
    from tensorboard.util import tensor_util

    accumulator = event_accumulator.EventAccumulator(
        str(directory), size_guidance={event_accumulator.TENSORS: 0}
    )
    accumulator.Reload()
    return {
        tag: [
            (event.step, tensor_util.make_ndarray(event.tensor_proto))
            for event in accumulator.Tensors(tag)
        ]
        for tag in accumulator.Tags()["tensors"]
    }


def test_tensorboard_events_hold_scalars_and_grids(tmp_path):
    gan = tiny_image_gan((28, 28, 1))
    images = np.random.default_rng(0).uniform(-1, 1, (GROUP * 3, 28, 28, 1))
    callbacks = [
        wk.callbacks.TensorBoard(tmp_path, every_n_steps=1, num_samples=16),
        keras.callbacks.TensorBoard(tmp_path),  # Keras' own, side by side
    ]
    history = gan.fit(
        images.astype("float32"),
        batch_size=BATCH,
        epochs=2,
        callbacks=callbacks,
        verbose=0,
    )
    events = read_events(tmp_path / "wgan")
    for name in ("critic_loss", "generator_loss", "wasserstein_estimate"):
        epoch_values = [float(v) for _, v in events[f"epoch/{name}"]]
        np.testing.assert_allclose(epoch_values, history.history[name], rtol=1e-5)
        assert [step for step, _ in events[f"epoch/{name}"]] == [3, 6]
        step_events = events[f"step/{name}"]
        assert [step for step, _ in step_events] == [1, 2, 3, 4, 5, 6]
        per_epoch = np.reshape([float(v) for _, v in step_events], (2, 3))
        np.testing.assert_allclose(
            per_epoch.mean(axis=1), history.history[name], rtol=1e-4
        )
    assert "epoch/gradient_penalty" in events
    grids = events["samples"]  # [width, height, PNG] per image
    assert [step for step, _ in grids] == [3, 6]
    width, height, png = grids[-1][1]
    assert (int(width), int(height)) == (122, 122)
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (122, 122)
    # Keras' own callback wrote its events beside ours.
    assert os.listdir(tmp_path / "train")


# ------------------------------------------------------------ ExactWasserstein


def test_exact_w1_of_a_translated_cloud_is_the_translation_length():
    points = np.random.default_rng(0).standard_normal((300, 2))
    shift = np.array([0.3, -0.4])
    # W1(mu, mu + v) = ||v||: f(x) = <x, v>/||v|| and the translation coupling
    # give the same value.
    np.testing.assert_allclose(
        wk.callbacks.exact_wasserstein_1(points, points + shift), 0.5, rtol=1e-9
    )
    np.testing.assert_allclose(
        wk.callbacks.exact_wasserstein_1(points, points), 0.0, atol=1e-7
    )


def test_exact_w1_between_two_diracs_is_their_distance():
    x = np.zeros((5, 3))
    y = np.tile([[1.0, 2.0, 2.0]], (7, 1))
    np.testing.assert_allclose(wk.callbacks.exact_wasserstein_1(x, y), 3.0, rtol=1e-12)


def test_exact_wasserstein_callback_logs_w1_of_fixed_samples(tmp_path):
    gan = toy_gan()
    real = toy_data(200, seed=1)
    exact = wk.callbacks.ExactWasserstein(real, seed=2)
    logger = wk.callbacks.WassersteinLogger(tmp_path)
    history = gan.fit(
        toy_data(GROUP * STEPS_PER_EPOCH),
        batch_size=BATCH,
        epochs=2,
        callbacks=[exact, logger],
        verbose=0,
    )
    z = np.random.default_rng(2).standard_normal((200, 2)).astype("float32")
    fake = to_numpy(gan.generator(z, training=False))
    expected = wk.callbacks.exact_wasserstein_1(real, fake)
    assert history.history["exact_wasserstein"][-1] == pytest.approx(expected, rel=1e-9)
    assert read_csv(tmp_path / "epochs.csv")["exact_wasserstein"][-1] == pytest.approx(
        expected, rel=1e-6
    )


def test_exact_w1_refuses_mismatched_samples():
    with pytest.raises(
        ValueError, match=r"x with shape \(3, 2\), y with shape \(3, 4\)"
    ):
        wk.callbacks.exact_wasserstein_1(np.zeros((3, 2)), np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"real_samples with shape \(0, 2\)"):
        wk.callbacks.ExactWasserstein(np.zeros((0, 2)))


# ------------------------------------------------------------ BackupAndRestore


def test_backup_restores_weights_optimizers_counters_and_noise(tmp_path):
    gan = toy_gan()
    data = toy_data(GROUP * STEPS_PER_EPOCH)
    backup = wk.callbacks.BackupAndRestore(tmp_path, delete_checkpoint=False)
    gan.fit(data, batch_size=BATCH, epochs=2, callbacks=[backup], verbose=0)
    assert sorted(os.listdir(tmp_path)) == [
        "backup-000002-000000000.weights.h5",
        "training_metadata.json",
    ]

    fresh = toy_gan()
    restore = wk.callbacks.BackupAndRestore(tmp_path, delete_checkpoint=False)
    history = fresh.fit(
        data, batch_size=BATCH, epochs=2, callbacks=[restore], verbose=0
    )
    assert history.history == {}  # both epochs were done: nothing left to train
    for a, b in zip(
        gan.weights + gan.optimizer.variables, fresh.weights + fresh.optimizer.variables
    ):
        np.testing.assert_array_equal(to_numpy(a), to_numpy(b))
    np.testing.assert_array_equal(
        to_numpy(gan.seed_generator.state), to_numpy(fresh.seed_generator.state)
    )
    assert int(to_numpy(fresh.generator_optimizer.iterations)) == 2 * STEPS_PER_EPOCH


def test_backup_resumes_at_the_first_unfinished_epoch(tmp_path):
    gan = toy_gan()
    data = toy_data(GROUP * STEPS_PER_EPOCH)
    backup = wk.callbacks.BackupAndRestore(tmp_path)
    gan.fit(data, batch_size=BATCH, epochs=1, callbacks=[backup], verbose=0)
    assert not os.listdir(tmp_path)  # deleted at the end by default

    gan = toy_gan()
    keep = wk.callbacks.BackupAndRestore(tmp_path, delete_checkpoint=False)
    gan.fit(data, batch_size=BATCH, epochs=1, callbacks=[keep], verbose=0)
    history = toy_gan().fit(
        data,
        batch_size=BATCH,
        epochs=3,
        callbacks=[wk.callbacks.BackupAndRestore(tmp_path, delete_checkpoint=False)],
        verbose=0,
    )
    assert len(history.history["critic_loss"]) == 2  # epochs 1 and 2
    assert history.epoch == [1, 2]


# ------------------------------------------------------------ LinearLearningRateDecay


class EpochRates(keras.callbacks.Callback):
    """Both learning rates at each epoch's start (after the decay set them)."""

    def __init__(self):
        super().__init__()
        self.rates = []

    def on_epoch_begin(self, epoch, logs=None):
        self.rates.append(
            [
                float(to_numpy(getattr(o, "inner_optimizer", o).learning_rate))
                for o in (self.model.critic_optimizer, self.model.generator_optimizer)
            ]
        )


@pytest.mark.parametrize("loss_scaled", [False, True])
def test_linear_decay_sets_the_rates_by_generator_step_and_stops_at_zero(
    loss_scaled,
):
    gan = toy_gan()
    if loss_scaled:  # how a mixed_float16 GAN holds its optimizers
        gan.compile(
            critic_optimizer=keras.optimizers.LossScaleOptimizer(
                keras.optimizers.Adam(2e-4)
            ),
            generator_optimizer=keras.optimizers.LossScaleOptimizer(
                keras.optimizers.Adam(1e-4)
            ),
        )
    else:
        gan.compile(
            critic_optimizer=keras.optimizers.Adam(2e-4),
            generator_optimizer=keras.optimizers.Adam(1e-4),
        )
    data = toy_data(GROUP * STEPS_PER_EPOCH)
    # Epochs start at generator steps 0, 4, 8, 12: factors 1, 1, 1/2, 0.
    decay = wk.callbacks.LinearLearningRateDecay(start_step=4, end_step=12)
    rates = EpochRates()
    gan.fit(data, batch_size=BATCH, epochs=3, callbacks=[decay, rates], verbose=0)
    before = [to_numpy(w) for w in gan.weights]
    # A second fit keeps the compiled rates as the base, not the decayed ones.
    gan.fit(
        data,
        batch_size=BATCH,
        initial_epoch=3,
        epochs=4,
        callbacks=[decay, rates],
        verbose=0,
    )
    expected = np.float32([[2e-4, 1e-4], [2e-4, 1e-4], [1e-4, 5e-5], [0.0, 0.0]])
    np.testing.assert_allclose(rates.rates, expected, rtol=1e-6, atol=0)
    # At rate 0 Adam's update is exactly 0: the last epoch left every weight.
    for a, b in zip(before, gan.weights):
        np.testing.assert_array_equal(a, to_numpy(b))
    assert int(to_numpy(gan.generator_optimizer.iterations)) == 16


def test_linear_decay_resumes_from_a_backup_at_the_backups_step(tmp_path):
    data = toy_data(GROUP * STEPS_PER_EPOCH)
    gan = toy_gan()
    backup = wk.callbacks.BackupAndRestore(tmp_path, delete_checkpoint=False)
    decay = wk.callbacks.LinearLearningRateDecay(start_step=0, end_step=16)
    gan.fit(data, batch_size=BATCH, epochs=2, callbacks=[decay, backup], verbose=0)

    fresh = toy_gan()  # compiled at 1e-4; the backup holds 1e-4 / 2 at step 8
    rates = EpochRates()
    fresh.fit(
        data,
        batch_size=BATCH,
        epochs=3,
        # The decay first: it must still see the restored step, not step 0.
        callbacks=[
            wk.callbacks.LinearLearningRateDecay(start_step=0, end_step=16),
            wk.callbacks.BackupAndRestore(tmp_path, delete_checkpoint=False),
            rates,
        ],
        verbose=0,
    )
    np.testing.assert_allclose(rates.rates, [[5e-5, 5e-5]], rtol=1e-6, atol=0)


def test_linear_decay_refuses_bad_arguments():
    with pytest.raises(ValueError, match=r"`start_step` must be an int >= 0. "):
        wk.callbacks.LinearLearningRateDecay(start_step=-1, end_step=10)
    with pytest.raises(ValueError, match=r"Received: end_step=True"):
        wk.callbacks.LinearLearningRateDecay(start_step=0, end_step=True)
    with pytest.raises(
        ValueError, match=r"`end_step` must be > `start_step`. Received: "
    ):
        wk.callbacks.LinearLearningRateDecay(start_step=5, end_step=5)
    decay = wk.callbacks.LinearLearningRateDecay(start_step=0, end_step=10)
    with pytest.raises(ValueError, match=r"Received: a Sequential without them"):
        decay.set_model(keras.Sequential([keras.layers.Dense(1)]))
    gan = toy_gan()
    gan.compile(
        critic_optimizer=keras.optimizers.Adam(
            keras.optimizers.schedules.ExponentialDecay(1e-4, 100, 0.5)
        ),
        generator_optimizer="adam",
    )
    with pytest.raises(ValueError, match=r"`critic_optimizer` has a schedule"):
        decay.set_model(gan)
