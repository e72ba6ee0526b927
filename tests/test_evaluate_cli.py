"""`wgan-keras evaluate` on a generator file, a SavedModel and a folder of images."""

import json

import keras
import numpy as np
import pytest
from PIL import Image

import wgan_keras as wk
from tests.helpers import to_numpy
from wgan_keras import cli


def evaluate(capsys, *args):
    code = cli.main(["evaluate", *args, "--json"])
    printed = capsys.readouterr()
    assert code == 0, printed.err[-3000:]
    return json.loads(printed.out)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A tiny MNIST-shaped generator, its SavedModel, a reference .npz, PNGs."""
    folder = tmp_path_factory.mktemp("evaluate")
    keras.utils.set_random_seed(0)
    generator = wk.networks.DCGANGenerator(latent_dim=8, dim=4)
    generator.save(folder / "generator.keras")
    wk.export_generator(generator, folder / "serving", model_name="tiny")
    rng = np.random.default_rng(0)
    digits = rng.integers(0, 256, (120, 28, 28), dtype=np.uint8)
    np.savez(
        folder / "reference.npz",
        x_train=digits[:60],
        y_train=np.zeros(60, np.uint8),
        x_test=digits[60:],
        y_test=np.zeros(60, np.uint8),
    )
    (folder / "images").mkdir()
    for i in range(30):
        Image.fromarray(digits[i]).save(folder / "images" / f"{i:03d}.png")
    return folder, generator, (digits[60:] / 127.5 - 1.0)[..., None]


def test_a_generator_file_against_a_reference(files, capsys):
    folder, generator, reference = files
    results = evaluate(
        capsys,
        f"--model={folder / 'generator.keras'}",
        f"--reference={folder / 'reference.npz'}",
        "--num_samples=50",
        "--seed=3",
    )
    z = np.random.default_rng(3).standard_normal((50, 8)).astype("float32")
    fake = keras.ops.convert_to_numpy(generator(z, training=False))
    expected = wk.metrics.frechet_distance(reference, fake, wk.metrics.mnist_features())
    np.testing.assert_allclose(results["frechet_distance"], expected, rtol=1e-3)
    assert results["num_samples"] == 50 and results["real_samples"] == 60
    classes = np.argmax(to_numpy(wk.metrics.mnist_classifier()(fake)), axis=-1)
    shares = np.bincount(classes, minlength=10) / 50
    np.testing.assert_allclose(results["class_shares"], shares, atol=1e-4)
    assert results["min_class_share"] == pytest.approx(shares.min(), abs=1e-4)
    protocol = results["protocol"]
    assert protocol["samples"] == "50 samples from numpy default_rng(3) noise"
    assert (
        protocol["reference"].startswith("60 images: ")
        and "(x_test)" in protocol["reference"]
    )
    assert protocol["feature_network"].startswith("mnist")
    assert protocol["resize"] == "none: 28x28 grey images"


def test_a_saved_model_gives_the_generators_numbers(files, capsys):
    folder, _, _ = files
    args = [f"--reference={folder / 'reference.npz'}", "--num_samples=50"]
    from_keras = evaluate(capsys, f"--model={folder / 'generator.keras'}", *args)
    from_saved_model = evaluate(capsys, f"--model={folder / 'serving/tiny/1'}", *args)
    np.testing.assert_allclose(
        from_saved_model["frechet_distance"], from_keras["frechet_distance"], rtol=1e-3
    )


def test_a_folder_of_images(files, capsys):
    folder, _, reference = files
    results = evaluate(
        capsys,
        f"--images={folder / 'images'}",
        f"--reference={folder / 'reference.npz'}",
    )
    assert results["num_samples"] == 30
    assert results["protocol"]["samples"].startswith("the first 30 images of ")
    images = wk.datasets.read_images(folder / "images")
    expected = wk.metrics.frechet_distance(
        reference, images, wk.metrics.mnist_features()
    )
    np.testing.assert_allclose(results["frechet_distance"], expected, rtol=1e-3)


def test_the_fid_inception_adds_the_inception_score(files, capsys, monkeypatch):
    # pytorch-fid's weights cannot be downloaded here: random ones stand in.
    folder, _, _ = files
    build = wk.metrics.fid_inception
    monkeypatch.setattr(
        wk.metrics, "fid_inception", lambda weights, **kwargs: build(None, **kwargs)
    )
    results = evaluate(
        capsys,
        f"--images={folder / 'images'}",
        f"--reference={folder / 'reference.npz'}",
        "--feature_network=fid_inception",
        "--fid_weights=pt_inception-2015-12-05-6726825d.pth",
        "--num_samples=12",
    )
    assert results["num_samples"] == 12 and results["inception_score"] >= 1.0
    assert "Inception 2015-12-05" in results["protocol"]["feature_network"]
    assert "299x299" in results["protocol"]["resize"]


def test_bad_sources_are_named(files, tmp_path, capsys):
    folder, _, _ = files
    code = cli.main(["evaluate", f"--model={folder / 'generator.keras'}"])
    assert code == 2 and "`--reference` must name" in capsys.readouterr().err
    code = cli.main(
        [
            "evaluate",
            f"--images={folder / 'images'}",
            f"--reference={folder / 'reference.npz'}",
            "--feature_network=fid_inception",
            f"--fid_weights={tmp_path / 'missing.pth'}",
        ]
    )
    assert code == 2 and "missing.pth" in capsys.readouterr().err
    code = cli.main(
        ["evaluate", f"--images={tmp_path}", f"--reference={tmp_path / 'x.txt'}"]
    )
    assert code == 2 and "--reference: `path` must be a .npz" in capsys.readouterr().err
