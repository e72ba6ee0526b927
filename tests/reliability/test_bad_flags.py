"""The examples and the command line refuse bad flags and files by name, first."""

import numpy as np
import pytest
from test_examples import example_process, examples_training

import wgan_keras as wk
from wgan_keras import cli


@pytest.mark.parametrize(
    "script, flag",
    [
        ("train_toy.py", "--epochs=0"),
        ("train_toy.py", "--critic_steps=0"),
        ("train_toy.py", "--generator_steps=0"),
        ("train_toy.py", "--batch_size=0"),
        ("train_mnist.py", "--critic_steps=0"),
        ("train_mnist.py", "--generator_steps=0"),
        ("train_mnist.py", "--seed=-5"),
        ("train_mnist.py", "--frechet_distance_samples=1"),
        ("train_images.py", "--latent_dim=0"),
    ],
)
def test_a_flag_out_of_range_is_named(tmp_path, script, flag):
    result = example_process(
        script, flag, f"--output_dir={tmp_path / 'out'}", timeout=300
    )
    assert result.returncode != 0
    assert f"flag {flag}: " in result.stderr  # absl names the flag and value
    assert not (tmp_path / "out").exists()


def test_toy_epochs_must_divide_the_steps(tmp_path):
    result = example_process(
        "train_toy.py",
        "--generator_steps=10",
        "--epochs=3",
        f"--output_dir={tmp_path / 'out'}",
        timeout=300,
    )
    assert result.returncode != 0
    assert (
        "--epochs must divide --generator_steps. Received: --generator_steps=10, "
        "--epochs=3" in result.stderr
    )
    assert not (tmp_path / "out").exists()


def test_a_garbage_npz_is_named(tmp_path):
    path = tmp_path / "mnist.npz"
    path.write_bytes(b"not an archive" * 10)
    result = example_process(
        "train_mnist.py", f"--data={path}", f"--output_dir={tmp_path}", timeout=300
    )
    assert result.returncode != 0
    assert "`name_or_path` must be a .npz archive" in result.stderr
    with pytest.raises(ValueError, match=r"`path` must be a .npz archive"):
        wk.evaluation.load_mnist(str(path))


def test_a_test_split_smaller_than_the_held_out_count(tmp_path):
    path = tmp_path / "mnist.npz"
    rng = np.random.default_rng(0)
    digits = rng.integers(0, 256, (100, 28, 28), dtype=np.uint8)
    labels = np.zeros(100, np.uint8)
    np.savez(path, x_train=digits, y_train=labels, x_test=digits, y_test=labels)
    training = examples_training()
    held_out = training.held_out_batch(str(path), training.HELD_OUT_SAMPLES)
    assert held_out.shape == (100, 28, 28, 1)
    np.testing.assert_allclose(held_out[:, :, :, 0], digits / 127.5 - 1, atol=1e-6)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--batch_size=0"], "argument --batch_size: must be an int >= 1. "),
        (["train", "--critic_steps=0"], "argument --critic_steps: must be an int >= 1"),
        (["train", "--seed=-5"], "argument --seed: must be an int >= 0. Received: -5"),
        (["train", "--dim=x"], "argument --dim: must be an int >= 1. Received: x"),
        (["sample", "--preset=p", "--rows=0"], "argument --rows: must be an int >= 1"),
        (["export", "--preset=p", "--out=o", "--version=0"], "argument --version"),
    ],
)
def test_the_command_line_names_a_number_out_of_range(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:  # argparse, before any work
        cli.main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
