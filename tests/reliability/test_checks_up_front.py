"""What `fit` and its callbacks will use is checked before the first step.

Each case here once failed after an epoch of work, crashed with an internal
error, or was accepted without a word.
"""

import os
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf
from helpers import ListBatches, tiny_toy_gan, to_numpy, toy_data

import wgan_keras as wk


def image_gan():
    generator = wk.networks.DCGANGenerator(latent_dim=8, dim=4, batch_norm=False)
    gan = wk.WGANGP(generator, wk.networks.DCGANCritic(dim=4), critic_steps=2)
    gan.compile()
    return gan


def images(n=64, low=-1.0, high=1.0):
    rng = np.random.default_rng(0)
    return rng.uniform(low, high, (n, 28, 28, 1)).astype("float32")


def steps_done(gan):
    return int(to_numpy(gan.generator_optimizer.iterations))


def refused(gan, message, x=None, **kwargs):
    with pytest.raises(ValueError, match=message):
        gan.fit(images() if x is None else x, batch_size=16, verbose=0, **kwargs)
    assert steps_done(gan) == 0


# ------------------------------------------------------------ validation data


@pytest.mark.parametrize("kind", ["array", "tf.data", "py_dataset"])
def test_validation_data_of_another_shape(kind):
    held_out = np.zeros((32, 32, 32, 1), "float32")
    if kind == "tf.data":
        held_out = tf.data.Dataset.from_tensor_slices(held_out).batch(16)
    elif kind == "py_dataset":
        held_out = ListBatches([held_out[:16], held_out[16:]])
    refused(
        image_gan(),
        r"sample shape \(28, 28, 1\)\. Received: validation_data.* of shape "
        r"\(32, 32, 1\)",
        validation_data=held_out,
    )


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_validation_data_with_nan_or_inf(bad):
    held_out = images(32)
    held_out[5, 0, 0, 0] = bad
    refused(
        image_gan(),
        r"`validation_data` must be finite. Received: validation_data with 1 NaN",
        validation_data=held_out,
    )


@pytest.mark.parametrize("kind", ["tf.data", "py_dataset"])
def test_nan_in_a_later_batch_of_streamed_validation_data(kind):
    # Not knowable at step 0: refused when the batch is read, with the same
    # message on every backend (NaN metrics on JAX and PyTorch before).
    held_out = images(64)
    held_out[40, 0, 0, 0] = np.nan
    if kind == "tf.data":
        held_out = tf.data.Dataset.from_tensor_slices(held_out).batch(16)
    else:
        held_out = ListBatches([held_out[i : i + 16] for i in range(0, 64, 16)])
    errors = (ValueError, tf.errors.InvalidArgumentError)
    with pytest.raises(errors, match=r"`validation_data` must be finite"):
        image_gan().fit(images(), batch_size=16, validation_data=held_out, verbose=0)


def test_validation_data_of_integers():
    refused(
        image_gan(),
        r"`validation_data` must hold floating-point .*Received: validation_data "
        r"with dtype uint8",
        validation_data=np.zeros((32, 28, 28, 1), "uint8"),
    )


def test_validation_data_far_outside_the_range():
    refused(
        image_gan(),
        r"`validation_data` must lie in the output range \[-1, 1\]",
        validation_data=images(32) * 255,
    )


def test_wasserstein_logger_checks_its_held_out_samples():
    with pytest.raises(ValueError, match=r"`validation_data` must be finite"):
        wk.callbacks.WassersteinLogger(
            validation_data=np.full((32, 28, 28, 1), np.nan, "float32")
        )
    logger = wk.callbacks.WassersteinLogger(validation_data=images(32)[:, :14, :14])
    refused(
        image_gan(), r"Received: validation_data samples of shape", callbacks=[logger]
    )


# ------------------------------------------------------------ folders


@pytest.mark.parametrize("callback", ["sample_grid", "logger", "backup"])
def test_a_folder_that_cannot_be_written_is_refused_before_any_step(tmp_path, callback):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    folder = blocker / "out"  # below a file: cannot be made
    made = {
        "sample_grid": lambda: wk.callbacks.SampleGrid(folder),
        "logger": lambda: wk.callbacks.WassersteinLogger(folder),
        "backup": lambda: wk.callbacks.BackupAndRestore(folder),
    }[callback]()
    name = {"sample_grid": "directory", "logger": "log_dir", "backup": "backup_dir"}
    refused(
        image_gan(),
        rf"`{name[callback]}` must be a folder that can be written to. Received: "
        rf"{name[callback]}=.*a_file/out",
        callbacks=[made],
    )


# ------------------------------------------------------------ crashes


def test_a_tf_data_dataset_of_dicts():
    data = tf.data.Dataset.from_tensor_slices(
        {"image": images(), "label": np.zeros(64, "int32")}
    ).batch(16)
    refused(
        image_gan(),
        r"Received: batches of dicts with keys \['image', 'label'\]; select the "
        r"samples first",
        x=data,
    )


def test_a_list_of_lists():
    gan = tiny_toy_gan(critic_steps=2)
    gan.compile()
    refused(
        gan,
        r"`x` as a Python list must hold array batches.*Received: a list of list",
        x=toy_data(64).tolist(),
    )


@pytest.mark.parametrize("name", ["gan.h5", "gan.hdf5"])
def test_saving_a_gan_as_hdf5_is_refused_and_writes_nothing(tmp_path, name):
    gan = tiny_toy_gan()
    gan.compile()
    with pytest.raises(ValueError, match=r"`filepath` must end in `.keras`"):
        gan.save(tmp_path / name)
    assert not os.listdir(tmp_path)


# ------------------------------------------------------------ silent before


def test_a_negative_learning_rate():
    gan = tiny_toy_gan()
    with pytest.raises(
        ValueError,
        match=r"`critic_optimizer` must have a finite learning rate >= 0. Received: "
        r"critic_optimizer=Adam\(learning_rate=-0.001",
    ):
        gan.compile(critic_optimizer=keras.optimizers.Adam(-1e-3))


def test_a_negative_seed():
    with pytest.raises(
        ValueError, match=r"`seed` must be an int >= 0. Received: seed=-5"
    ):
        tiny_toy_gan(seed=-5)


def test_an_infinite_gp_weight():
    with pytest.raises(
        ValueError,
        match=r"`gp_weight` must be finite and >= 0. Received: gp_weight=inf",
    ):
        tiny_toy_gan(gp_weight=float("inf"))


def test_images_in_zero_one_for_a_tanh_generator_warn():
    gan = image_gan()
    with pytest.warns(UserWarning, match=r"scaled to \[0, 1\] rather than \[-1, 1\]"):
        gan.fit(images(low=0.0), batch_size=16, verbose=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        image_gan().fit(images(), batch_size=16, verbose=0)
    assert not [w for w in caught if "rather than [-1, 1]" in str(w.message)]


# ------------------------------------------------------------ iterators


def batches_of(n, batch_size=16):
    x = toy_data(batch_size * n)
    return (x[i * batch_size : (i + 1) * batch_size] for i in range(n))


def test_a_one_shot_iterator_over_several_epochs_is_refused():
    # Keras replays the batches it peeked at on JAX and PyTorch, so such a
    # run trained 12 steps there and 10 on TensorFlow.
    gan = tiny_toy_gan(critic_steps=2)
    gan.compile()
    with pytest.raises(
        ValueError,
        match=r"A Python iterator is read once.*Received: x of type generator, "
        r"epochs=2, steps_per_epoch=None",
    ):
        gan.fit(batches_of(21), epochs=2, verbose=0)
    assert steps_done(gan) == 0


@pytest.mark.parametrize("steps_per_epoch, epochs", [(None, 1), (3, 4), (6, 2)])
def test_an_iterator_that_runs_out_gives_the_same_steps_everywhere(
    steps_per_epoch, epochs
):
    gan = tiny_toy_gan(critic_steps=2)
    gan.compile()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras: "Your input ran out of data"
        gan.fit(
            batches_of(21), epochs=epochs, steps_per_epoch=steps_per_epoch, verbose=0
        )
    # 21 batches make 10 steps of 2 critic batches; the odd one is left.
    assert steps_done(gan) == min(10, (steps_per_epoch or 10) * epochs)
