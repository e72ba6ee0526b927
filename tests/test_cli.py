"""The `wgan-keras` command's train and sample, and presets of your own."""

import json
import os

import keras
import numpy as np
import pytest
from helpers import tiny_toy_gan, to_numpy
from PIL import Image

import wgan_keras as wk
from wgan_keras import cli


def run_cli(capsys, *args):
    code = cli.main(list(args))
    return code, capsys.readouterr()


def train_smoke(capsys, out, *flags):
    """`wgan-keras train --smoke` on synthetic digits with `flags`: what it
    printed, and its run.json."""
    code, printed = run_cli(
        capsys, "train", "--smoke", "--data=digits.npz", *flags, f"--output_dir={out}"
    )
    assert code == 0, printed.err[-3000:]
    return printed, json.loads((out / "run.json").read_text())


def test_train_smoke_on_images_then_sample_its_generator(tmp_path, capsys):
    out = tmp_path / "run"
    printed, run = train_smoke(capsys, out, "--method=sn")
    assert "Training SNWGAN on synthetic digits (28, 28, 1)" in printed.out
    assert run["generator_steps"] == 4
    assert run["networks"]["critic"]["class_name"] == "DCGANCritic"

    samples = tmp_path / "samples"
    code, printed = run_cli(
        capsys,
        "sample",
        "--model",
        str(out / "generator.keras"),
        "--output_dir",
        str(samples),
        "--num_samples",
        "9",
        "--rows",
        "2",
        "--steps",
        "5",
    )
    assert code == 0, printed.err[-3000:]
    assert "Sampled 9." in printed.out and "Sampled 10." in printed.out
    with Image.open(samples / "samples.png") as grid:
        assert grid.size == (3 * 30 + 2, 3 * 30 + 2)  # 3x3 of 28 + padding 2
    with Image.open(samples / "interpolation.png") as strips:
        assert strips.size == (5 * 30 + 2, 2 * 30 + 2)


def test_train_conditional_smoke_draws_a_row_per_class(tmp_path, capsys):
    out = tmp_path / "run"
    printed, run = train_smoke(capsys, out, "--conditional", "--method=gp")
    assert "Training a class-conditional WGANGP on synthetic digits" in printed.out
    critic = run["networks"]["critic"]["config"]
    assert (critic["num_classes"], critic["conditioning"]) == (10, "auxiliary")
    with Image.open(out / "grids" / "grid_epoch_0002.png") as grid:
        assert grid.size == (7 * 30 + 2, 10 * 30 + 2)  # 64 samples: 10 rows of 7

    samples = tmp_path / "samples"
    generator_file, samples_dir = str(out / "generator.keras"), str(samples)
    code, printed = run_cli(
        capsys,
        "sample",
        "--model",
        generator_file,
        "--output_dir",
        samples_dir,
        *("--num_samples", "4", "--label", "3"),
    )
    assert code == 0, printed.err[-3000:]
    assert (samples / "samples.png").is_file() and "Sampled 4." in printed.out
    generator = keras.saving.load_model(out / "generator.keras")
    assert generator.num_classes == 10


def test_train_conditional_takes_its_class_count_from_the_labels(tmp_path, capsys):
    # Twelve classes (as CIFAR-100 has a hundred): the networks get twelve.
    rng = np.random.default_rng(0)
    path = tmp_path / "twelve.npz"
    np.savez(
        path,
        x_train=rng.integers(0, 256, (48, 28, 28), dtype=np.uint8),
        y_train=np.arange(48, dtype=np.uint8) % 12,
        x_test=rng.integers(0, 256, (12, 28, 28), dtype=np.uint8),
        y_test=np.arange(12, dtype=np.uint8),
    )
    out = tmp_path / "run"
    code, printed = run_cli(
        capsys,
        "train",
        f"--data={path}",
        "--conditional",
        "--method=sn",
        *("--dim=4", "--batch_size=8", "--critic_steps=1"),
        *("--generator_steps=2", "--steps_per_epoch=2"),
        f"--output_dir={out}",
    )
    assert code == 0, printed.err[-3000:]
    networks = json.loads((out / "run.json").read_text())["networks"]
    assert networks["critic"]["config"]["num_classes"] == 12
    assert keras.saving.load_model(out / "generator.keras").num_classes == 12


def test_train_builds_the_resnets_of_each_paper():
    # `--network=resnet` hands `network="resnet"` to the recipe; the ResNets'
    # training is tested in test_resnet.py.
    sn = wk.recipes.build_gan("sn", (32, 32, 3), dim=8, network="resnet")
    gp = wk.recipes.build_gan("gp", (32, 32, 3), dim=8, network="resnet")
    assert isinstance(sn.generator, wk.networks.ResNetGenerator)
    assert (sn.generator.channels, sn.critic.channels) == (16, 8)  # 256 and 128
    assert (sn.critic.pooling, sn.critic.output_bias, sn.critic.spectral_norm) == (
        "sum",
        False,
        True,
    )
    assert (gp.generator.channels, gp.critic.pooling, gp.critic.output_bias) == (
        8,
        "mean",
        True,
    )
    with pytest.raises(ValueError, match="`network` must be one of"):
        wk.recipes.build_gan("sn", (32, 32, 3), network="vgg")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--conditional"], "`--conditional` needs labelled images"),
        (["--network=resnet"], "`--network=resnet` is for images"),
        (["--generator_steps=10", "--steps_per_epoch=3"], "--generator_steps=10"),
        (["--generator_steps=4", "--steps_per_epoch=8"], "--generator_steps=4,"),
        (["--method=sn", "--gp_weight=0.1"], "Received: --method=sn --gp_weight=0.1"),
        (["--learning_rate_decay_start=3000"], "--learning_rate_decay_start=3000"),
    ],
)
def test_train_refuses_bad_flags_before_any_work(args, message, tmp_path, capsys):
    out = tmp_path / "run"
    code, printed = run_cli(capsys, "train", *args, f"--output_dir={out}")
    assert code == 2 and message in printed.err
    assert not out.exists()


def test_sample_refuses_what_is_not_a_generator(tmp_path, capsys):
    code, printed = run_cli(capsys, "sample", "--model", str(tmp_path / "x.h5"))
    assert code == 2 and "Received: --model=" in printed.err
    with pytest.raises(SystemExit):  # argparse refuses it while parsing
        run_cli(capsys, "sample", "--preset", "mnist_dcgan_gp", "--rows=0")
    assert (
        "argument --rows: must be an int >= 1. Received: 0" in capsys.readouterr().err
    )


def test_save_preset_of_a_gan_loads_back_by_folder_and_refuses_tampering(tmp_path):
    gan = tiny_toy_gan(ema_decay=0.5)
    gan.compile()
    gan.fit(np.zeros((64 * 5, 2), "float32"), epochs=1, verbose=0)
    folder = tmp_path / "preset"
    hashes = wk.presets.save_preset(gan, folder, {"data": "zeros"})
    metadata = json.loads((folder / "metadata.json").read_text())
    assert metadata["data"] == "zeros" and metadata["method"] == "WGANGP"
    assert metadata["training"]["generator_steps"] == 1
    assert metadata["training"]["config"]["critic_steps"] == 5
    assert metadata["networks"]["critic"]["class_name"] == "MLPCritic"
    assert sorted(metadata["sha256"]) == ["generator.keras", "grid.png"]
    assert set(hashes) == {"generator.keras", "grid.png", "metadata.json"}

    z = np.random.default_rng(0).standard_normal((4, 2)).astype("float32")
    loaded = wk.load_generator(str(folder))
    np.testing.assert_allclose(
        to_numpy(loaded(z)), to_numpy(gan.sampling_generator(z)), rtol=1e-6, atol=1e-6
    )
    grid = folder / "grid.png"
    grid.write_bytes(grid.read_bytes() + b"x")
    with pytest.raises(ValueError, match="does not match the SHA-256 in metadata.json"):
        wk.load_generator(folder)

    bare = tmp_path / "bare"
    bare.mkdir()
    gan.generator.save(bare / "generator.keras")
    (bare / "metadata.json").write_text("{}")
    with pytest.raises(ValueError, match="Received: sha256=None"):
        wk.load_generator(bare)


def test_save_preset_refuses_bad_arguments_before_writing(tmp_path):
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="Received: gan_or_generator of type str"):
        wk.presets.save_preset("g", tmp_path / "a")
    with pytest.raises(ValueError, match="Received: grid='yes'"):
        wk.presets.save_preset(generator, tmp_path / "a", grid="yes")
    with pytest.raises(TypeError):
        wk.presets.save_preset(generator, tmp_path / "a", {"bad": object()})
    assert os.listdir(tmp_path) == []


def test_train_on_a_small_image_folder_holds_out_what_it_has(tmp_path, capsys):
    # 20 images, fewer than the 1,024 held-out ones asked for: all are used,
    # and no batch size the user never passed is named.
    folder = tmp_path / "images"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(20):
        pixels = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"{i}.png")
    out = tmp_path / "run"
    code, printed = run_cli(
        capsys,
        "train",
        f"--data={folder}",
        "--generator_steps=2",
        "--steps_per_epoch=1",
        "--batch_size=4",
        "--critic_steps=1",
        "--dim=8",
        f"--output_dir={out}",
    )
    assert code == 0, printed.err[-3000:]
    assert f"Training WGANGP on {folder} (32, 32, 3)" in printed.out
    steps = (out / "logs" / "epochs.csv").read_text().splitlines()
    assert len(steps) == 3  # a header and two epochs, each with a held-out estimate
    assert json.loads((out / "run.json").read_text())["generator_steps"] == 2
