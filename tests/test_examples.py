import json
import os
import subprocess
import sys
import types

import keras
import numpy as np
import pytest
from absl import app
from PIL import Image

import wgan_keras  # noqa: F401  (registers the classes for loading)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def examples_training():
    """examples/training.py, the examples' shared module (not a package)."""
    sys.path.insert(0, os.path.join(ROOT, "examples"))
    try:
        import training
    finally:
        sys.path.pop(0)
    return training


def example_process(name, *flags, timeout=600, folder="examples", **env):
    """Runs `<folder>/<name>` with `flags` on this backend; the finished process.

    `env` adds environment variables (e.g. `XLA_FLAGS`)."""
    return subprocess.run(
        [sys.executable, os.path.join(ROOT, folder, name), *flags],
        env=dict(os.environ, KERAS_BACKEND=keras.config.backend(), **env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_example(name, *flags, timeout=600):
    """Runs an example that must succeed; its stdout."""
    result = example_process(name, *flags, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_toy_example_smoke_run_writes_its_outputs(tmp_path):
    stdout = run_example(
        "train_toy.py",
        "--smoke",
        "--gp_weight=0.1",
        f"--output_dir={tmp_path}",
        timeout=300,
    )
    assert "Training WGANGP (gp_weight 0.1) on 8 Gaussians" in stdout
    assert "Modes covered:" in stdout
    with Image.open(tmp_path / "samples.png") as image:
        assert image.size == (512, 512) and image.mode == "RGB"
    with Image.open(tmp_path / "wasserstein.png") as image:
        assert image.mode == "RGB"
    rows = (tmp_path / "epochs.csv").read_text().strip().splitlines()
    assert rows[0].split(",") == [
        "epoch",
        "critic_loss",
        "generator_loss",
        "gradient_norm",
        "gradient_penalty",
        "wasserstein_estimate",
        "exact_wasserstein",
        "dev_wasserstein_estimate",
    ]
    assert len(rows) == 3  # header and two epochs
    assert all(float(row.split(",")[6]) > 0 for row in rows[1:])  # exact W1
    generator = keras.saving.load_model(tmp_path / "generator.keras")
    assert tuple(generator.output.shape) == (None, 2)

    # run.json describes the networks; scripts/make_preset.py makes the run a
    # preset (in a folder of its own) whose metadata carries them.
    run = json.loads((tmp_path / "run.json").read_text())
    networks = run["networks"]
    assert networks["generator"]["class_name"] == "MLPGenerator"
    assert networks["critic"]["class_name"] == "MLPCritic"
    assert networks["generator"]["parameters"] == generator.count_params()

    def make_preset(saved_models):
        return example_process(
            "make_preset.py",
            "--name=toy",
            f"--run_dir={tmp_path}",
            "--data=gaussians8",
            folder="scripts",
            WGAN_KERAS_SAVED_MODELS=str(saved_models),
        )

    presets = tmp_path / "saved_models"
    result = make_preset(presets)
    assert result.returncode == 0, result.stderr[-3000:]
    metadata = json.loads((presets / "toy" / "metadata.json").read_text())
    assert metadata["networks"] == networks
    assert metadata["training"] == {k: v for k, v in run.items() if k != "networks"}

    del run["networks"]  # a run.json from before the examples wrote them
    (tmp_path / "run.json").write_text(json.dumps(run))
    result = make_preset(tmp_path / "other")
    assert result.returncode != 0
    assert (
        f"Received: --run_dir={tmp_path} with a run.json without `networks`"
        in result.stderr
    )
    assert not (tmp_path / "other").exists()


@pytest.mark.parametrize(
    "script, image_shape",
    [("train_mnist.py", (28, 28, 1)), ("train_images.py", (32, 32, 3))],
)
def test_image_example_smoke_run_trains_resumes_and_samples(
    tmp_path, script, image_shape
):
    out = tmp_path / "run"
    decay = "--learning_rate_decay_start=0"  # epochs start at steps 0 and 2 of 4
    stdout = run_example(script, "--smoke", decay, f"--output_dir={out}")
    assert f"Wrote {out / 'generator.keras'}" in stdout
    assert "Learning rates fall linearly from generator step 0 to 0 at 4." in stdout
    grids = sorted(os.listdir(out / "grids"))
    assert grids == ["grid.gif", "grid_epoch_0001.png", "grid_epoch_0002.png"]
    side = 8 * (image_shape[0] + 2) + 2  # 64 samples, 8 x 8
    with Image.open(out / "grids" / "grid_epoch_0002.png") as image:
        assert image.size == (side, side)
        assert image.mode == ("L" if image_shape[-1] == 1 else "RGB")
    steps = (out / "logs" / "steps.csv").read_text().splitlines()
    assert len(steps) == 1  # header only: steps are logged every 10
    epochs = (out / "logs" / "epochs.csv").read_text().splitlines()
    assert epochs[0].startswith("epoch,") and len(epochs) == 3
    if script == "train_mnist.py":  # the Frechet distance of every epoch
        assert "under float32" in stdout
        header = epochs[0].split(",")
        assert {"frechet_distance", "kernel_distance"} <= set(header)
        column = header.index("frechet_distance")
        assert all(float(row.split(",")[column]) > 0 for row in epochs[1:])
    run = json.loads((out / "run.json").read_text())
    assert run["generator_steps"] == 4 and run["sessions"] == 1
    generator = keras.saving.load_model(out / "generator.keras")
    assert tuple(generator.output.shape[1:]) == image_shape
    critic = run["networks"]["critic"]
    assert critic["class_name"] == "DCGANCritic"
    assert critic["config"]["image_shape"] == list(image_shape)
    assert critic["config"]["batch_norm"] is False  # WGAN-GP, the default
    assert run["networks"]["generator"]["parameters"] == generator.count_params()
    gan = keras.saving.load_model(out / "gan.keras")
    for optimizer in (gan.critic_optimizer, gan.generator_optimizer):
        # WGAN-GP's Adam(1e-4), halfway down at the second epoch's start.
        np.testing.assert_allclose(
            float(keras.ops.convert_to_numpy(optimizer.learning_rate)),
            5e-5,
            rtol=1e-6,
        )

    # Rerunning the same command finds the backup: nothing left to train.
    stdout = run_example(script, "--smoke", decay, f"--output_dir={out}")
    assert "Resuming from" in stdout and "at epoch 2" in stdout
    run = json.loads((out / "run.json").read_text())
    assert run["generator_steps"] == 4

    samples = tmp_path / "samples"
    stdout = run_example(
        "sample.py", f"--model={out / 'gan.keras'}", f"--output_dir={samples}"
    )
    with Image.open(samples / "samples.png") as image:
        assert image.size == (side, side)
    with Image.open(samples / "interpolation.png") as image:  # 8 strips of 10
        assert image.size == (10 * (image_shape[0] + 2) + 2, side)


@pytest.mark.skipif(
    keras.config.backend() != "tensorflow",
    reason="the example's own code, once; `wgan-keras train --conditional` "
    "trains the same recipe on every backend (test_cli.py)",
)
def test_mnist_example_trains_a_conditional_gan(tmp_path):
    out = tmp_path / "run"
    stdout = run_example(
        "train_mnist.py",
        "--smoke",
        "--conditional",
        "--method=sn",
        f"--output_dir={out}",
    )
    assert "Training a class-conditional SNWGAN on synthetic strokes" in stdout
    generator = keras.saving.load_model(out / "generator.keras")
    assert generator.num_classes == 10
    with Image.open(out / "grids" / "grid_epoch_0002.png") as grid:
        assert grid.size == (7 * 30 + 2, 10 * 30 + 2)  # a row per class
    result = example_process(
        "train_mnist.py", "--conditional", "--data=mnist", f"--output_dir={tmp_path}"
    )
    assert result.returncode != 0
    assert "--conditional needs labelled data: a .npz" in result.stderr


def test_mnist_example_fails_fast_without_its_data(tmp_path):
    result = example_process(
        "train_mnist.py",
        f"--data={tmp_path / 'missing.npz'}",
        f"--output_dir={tmp_path}",
        timeout=300,
    )
    assert result.returncode != 0
    assert "No such .npz file" in result.stderr


def test_toy_example_stops_early_on_the_held_out_estimate(tmp_path):
    stdout = run_example(
        "train_toy.py",
        "--smoke",
        "--early_stopping_patience=1",
        "--early_stopping_start=0",
        f"--output_dir={tmp_path}",
        timeout=300,
    )
    rows = (tmp_path / "epochs.csv").read_text().strip().splitlines()
    first, second = (float(row.split(",")[-1]) for row in rows[1:])  # dev estimate
    stopped = "Stopped after epoch 2 of 2: the held-out estimate last fell at epoch 1"
    assert (stopped in stdout) == (second >= first), stdout


def test_toy_example_refuses_a_penalty_weight_without_the_penalty(tmp_path):
    result = example_process(
        "train_toy.py",
        "--method=sn",
        "--gp_weight=0.1",
        f"--output_dir={tmp_path / 'toy'}",
        timeout=300,
    )
    assert result.returncode != 0
    assert (
        "--gp_weight applies to --method=gp only. Received: --method=sn "
        "--gp_weight=0.1" in result.stderr
    )
    assert not (tmp_path / "toy").exists()


def test_mnist_example_trains_on_several_devices_in_mixed_precision(tmp_path):
    # Each backend's own set-up: TF mirrors over two logical CPUs when it has
    # them (one here: the flag's path still runs), JAX shards over two host
    # devices, torch refuses a --distribute flag with the backend it needs.
    backend = keras.config.backend()
    mode = {"tensorflow": "mirrored", "jax": "data_parallel", "torch": "none"}[backend]
    two_devices = {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    result = example_process(
        "train_mnist.py",
        "--smoke",
        f"--distribute={mode}",
        "--dtype_policy=mixed_bfloat16",
        f"--output_dir={tmp_path / 'run'}",
        **two_devices,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    if backend == "jax":
        assert "data_parallel: 2 devices." in result.stdout
    # float32 weights; it loads under the policy in effect (float32 here).
    generator = keras.saving.load_model(tmp_path / "run" / "generator.keras")
    assert all(w.dtype == "float32" for w in generator.weights)
    if backend == "torch":
        refused = example_process(
            "train_mnist.py",
            "--smoke",
            "--distribute=data_parallel",
            f"--output_dir={tmp_path}",
            timeout=300,
            **two_devices,
        )
        assert refused.returncode != 0
        assert (
            "--distribute=data_parallel needs KERAS_BACKEND=jax. "
            "Received: KERAS_BACKEND=torch" in refused.stderr
        )


def test_run_record_keeps_the_latest_generator_beside_run_json(tmp_path):
    # A long run can be evaluated or made a preset before it ends.
    gan = wgan_keras.WGANGP(
        wgan_keras.networks.MLPGenerator(latent_dim=2, output_shape=(2,), hidden_dim=8),
        wgan_keras.networks.MLPCritic(input_shape=(2,), hidden_dim=8),
        critic_steps=2,
        seed=0,
        ema_decay=0.9,
    )
    gan.compile()
    record = wgan_keras.recipes.RunRecord(str(tmp_path / "run.json"), "python train.py")
    data = np.random.default_rng(0).normal(size=(64, 2)).astype("float32")
    gan.fit(data, batch_size=8, epochs=1, steps_per_epoch=3, callbacks=[record])
    run = json.loads((tmp_path / "run.json").read_text())
    assert run["generator_steps"] == 3 and run["command"] == "python train.py"
    saved = keras.saving.load_model(tmp_path / "generator.keras")
    z = np.random.default_rng(1).normal(size=(5, 2)).astype("float32")
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(saved(z)),
        keras.ops.convert_to_numpy(gan.sampling_generator(z)),
        rtol=1e-6,
        atol=1e-6,
    )
    assert gan.sampling_generator is gan.ema_generator


def test_examples_refuse_a_decay_start_outside_the_run():
    training = examples_training()
    settings = types.SimpleNamespace(
        smoke=False,
        generator_steps=1000,
        steps_per_epoch=250,
        dim=32,
        learning_rate_decay_start=1000,
    )
    with pytest.raises(
        app.UsageError,
        match=r"--learning_rate_decay_start must be >= 0 and < --generator_steps "
        r"\(1000\). Received: --learning_rate_decay_start=1000",
    ):
        training.schedule(settings)
    settings.learning_rate_decay_start = 750
    assert training.schedule(settings) == (1000, 250, 32)
    settings.smoke = True  # 4 generator steps
    with pytest.raises(app.UsageError, match=r"--generator_steps \(4\)"):
        training.schedule(settings)
    settings.learning_rate_decay_start = 3
    assert training.schedule(settings) == (4, 2, 8)
