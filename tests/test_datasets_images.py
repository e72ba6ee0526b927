"""`load_images`: every source to float32 batches in [-1, 1]; clear errors."""

import time

import numpy as np
import pytest
from PIL import Image

import wgan_keras as wk
from wgan_keras.datasets import images as images_module


def batches(dataset):
    return [np.asarray(batch) for batch in dataset]


def digits(count, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (count, 28, 28), dtype="uint8")


def write_npz(path, train=40, test=12):
    np.savez(
        path,
        x_train=digits(train),
        y_train=np.zeros(train, "uint8"),
        x_test=digits(test, seed=1),
        y_test=np.zeros(test, "uint8"),
    )
    return path


def test_uint8_pixels_map_exactly_onto_minus_one_to_one():
    x = np.array([0, 51, 127, 255], "uint8").reshape(4, 1, 1, 1)
    (batch,) = batches(wk.datasets.load_images(x, batch_size=4, shuffle=False))
    assert batch.dtype == np.float32 and batch.shape == (4, 1, 1, 1)
    np.testing.assert_allclose(
        batch.ravel(), [-1.0, 51 / 127.5 - 1, 127 / 127.5 - 1, 1.0], rtol=0, atol=1e-7
    )


def test_npz_splits_in_keras_layout_become_full_batches(tmp_path):
    path = write_npz(tmp_path / "mnist.npz", train=40, test=12)
    train = batches(wk.datasets.load_images(path, batch_size=16, shuffle=False))
    assert [b.shape for b in train] == [(16, 28, 28, 1)] * 2  # 8 dropped
    expected = digits(40)[:32, ..., None] / 127.5 - 1
    np.testing.assert_allclose(np.concatenate(train), expected, atol=1e-6)
    test = batches(
        wk.datasets.load_images(path, split="test", batch_size=4, shuffle=False)
    )
    np.testing.assert_allclose(
        np.concatenate(test), digits(12, seed=1)[..., None] / 127.5 - 1, atol=1e-6
    )


def test_shuffle_is_seeded_and_reshuffles_every_epoch():
    x = np.arange(64, dtype="uint8").reshape(64, 1, 1, 1)

    def epochs(seed):
        dataset = wk.datasets.load_images(x, batch_size=64, seed=seed)
        return [batches(dataset)[0].ravel() for _ in range(2)]

    first, second = epochs(3)
    np.testing.assert_array_equal(first, epochs(3)[0])
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(np.sort(first), np.sort(second))  # a permutation


def test_repeat_gives_an_endless_stream():
    dataset = wk.datasets.load_images(digits(8), batch_size=4, repeat=True)
    assert len(batches(dataset.take(5))) == 5


def test_image_size_resizes_and_keeps_the_range():
    x = np.full((4, 28, 28, 1), 255, "uint8")
    (batch,) = batches(wk.datasets.load_images(x, image_size=32, batch_size=4))
    assert batch.shape == (4, 32, 32, 1)
    np.testing.assert_allclose(batch, 1.0, atol=1e-6)


def test_float_arrays_in_range_pass_through(tmp_path):
    x = np.linspace(-1, 1, 8 * 2 * 2 * 3, dtype="float32").reshape(8, 2, 2, 3)
    (batch,) = batches(wk.datasets.load_images(x, batch_size=8, shuffle=False))
    np.testing.assert_array_equal(batch, x)


def test_image_folder_grey_and_colour(tmp_path):
    grey, colour = tmp_path / "grey", tmp_path / "colour"
    for folder, mode, shape in ((grey, "L", (10, 10)), (colour, "RGB", (10, 10, 3))):
        (folder / "sub").mkdir(parents=True)
        for i in range(6):
            pixels = np.full(shape, 20 * i, "uint8")
            Image.fromarray(pixels, mode).save(folder / "sub" / f"{i}.png")
    (batch,) = batches(wk.datasets.load_images(grey, batch_size=6, shuffle=False))
    assert batch.shape == (6, 10, 10, 1)
    np.testing.assert_allclose(
        batch[:, 0, 0, 0], np.arange(6) * 20 / 127.5 - 1, atol=1e-6
    )
    (batch,) = batches(
        wk.datasets.load_images(colour, image_size=8, batch_size=6, shuffle=False)
    )
    assert batch.shape == (6, 8, 8, 3)


def test_image_folder_of_mixed_sizes_needs_image_size(tmp_path):
    Image.new("L", (10, 10)).save(tmp_path / "a.png")
    Image.new("L", (12, 12)).save(tmp_path / "b.png")
    with pytest.raises(ValueError, match=r"pass `image_size`"):
        wk.datasets.load_images(tmp_path, batch_size=1)
    (batch,) = batches(wk.datasets.load_images(tmp_path, image_size=8, batch_size=2))
    assert batch.shape == (2, 8, 8, 1)


def test_offline_tfds_fails_within_seconds_and_says_how_to_provide(
    tmp_path, monkeypatch
):
    # A host that resolves nowhere: the same answer on any machine.
    monkeypatch.setattr(images_module, "_DOWNLOAD_PROBE", ("wgan-keras.invalid", 443))
    start = time.time()
    with pytest.raises(ValueError) as error:
        wk.datasets.load_images("mnist", data_dir=str(tmp_path))
    assert time.time() - start < 15
    message = str(error.value)
    assert "'mnist' is not prepared" in message
    assert ".npz" in message and "data_dir" in message and "manual" in message
    assert "Received: name_or_path='mnist'" in message


@pytest.mark.parametrize(
    "x, match",
    [
        (np.zeros((4, 28, 28, 2), "uint8"), r"shape \(4, 28, 28, 2\)"),
        (np.zeros((4, 28), "uint8"), r"shape \(4, 28\)"),
        (np.zeros((4, 8, 8), "int32"), r"dtype int32"),
        (np.full((4, 8, 8), 255.0, "float32"), r"values in \[255, 255\]"),
        (np.full((4, 8, 8), np.nan, "float32"), r"256 NaN or inf values"),
        (np.zeros((3, 8, 8), "uint8"), r"3 images, fewer than one batch"),
    ],
)
def test_bad_arrays_are_refused_with_what_was_received(x, match):
    with pytest.raises(ValueError, match=match):
        wk.datasets.load_images(x, batch_size=4)


def test_bad_names_and_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"name_or_path='nope', which is none"):
        wk.datasets.load_images("nope")
    with pytest.raises(ValueError, match=r"No such .npz file"):
        wk.datasets.load_images(str(tmp_path / "missing.npz"))
    np.savez(tmp_path / "odd.npz", images=digits(4))
    with pytest.raises(ValueError, match=r"must hold `x_train`.*keys \['images'\]"):
        wk.datasets.load_images(str(tmp_path / "odd.npz"))
    with pytest.raises(ValueError, match=r"split='validation'"):
        wk.datasets.load_images(digits(8), split="validation")
    with pytest.raises(ValueError, match=r"batch_size=0"):
        wk.datasets.load_images(digits(8), batch_size=0)
    with pytest.raises(ValueError, match=r"holds no images"):
        wk.datasets.load_images(tmp_path)  # only .npz files there


def test_loaded_batches_train_a_gan(tmp_path):
    path = write_npz(tmp_path / "mnist.npz", train=64)
    generator = wk.networks.DCGANGenerator(latent_dim=8, dim=4, batch_norm=False)
    critic = wk.networks.DCGANCritic(dim=4)
    gan = wk.WGANGP(generator, critic, critic_steps=2)
    gan.compile()
    data = wk.datasets.load_images(path, batch_size=16)
    history = gan.fit(data, epochs=1, verbose=0)
    assert int(np.asarray(gan.generator_optimizer.iterations)) == 2
    assert np.isfinite(history.history["critic_loss"][0])


def test_npz_labels_are_read_for_a_conditional_run(tmp_path):
    path = str(tmp_path / "digits.npz")
    x = np.arange(5 * 28 * 28, dtype="uint8").reshape(5, 28, 28) % 255
    # Keras' CIFAR-10 keeps its labels as (n, 1).
    np.savez(path, x_train=x, y_train=np.array([[3], [1], [4], [1], [5]], "uint8"))
    labels = wk.datasets.read_labels(path)
    np.testing.assert_array_equal(labels, [3, 1, 4, 1, 5])
    assert labels.dtype == np.int32
    images, labels = wk.recipes.labelled_images(path, "train", count=3)
    assert images.shape == (3, 28, 28, 1) and images.dtype == np.float32
    np.testing.assert_array_equal(labels, [3, 1, 4])
    with pytest.raises(ValueError, match=r"must hold `y_test` for split='test'"):
        wk.datasets.read_labels(path, "test")
    np.savez(path, x_train=x, y_train=np.zeros(5, "float32"))
    with pytest.raises(ValueError, match="integer labels.*Received: dtype float32"):
        wk.datasets.read_labels(path)
    with pytest.raises(ValueError, match="`path` must be a .npz file with labels"):
        wk.datasets.read_labels(str(tmp_path / "missing.npz"))
    with pytest.raises(ValueError, match="--conditional needs labelled data"):
        wk.recipes.labelled_images("mnist", "train")
