import os
import subprocess
import sys

import keras
from PIL import Image

import wgan_keras  # noqa: F401  (registers the classes for loading)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_toy_example_smoke_run_writes_its_outputs(tmp_path):
    env = dict(os.environ, KERAS_BACKEND=keras.config.backend())
    result = subprocess.run(
        [
            sys.executable,
            os.path.join(ROOT, "examples", "train_toy.py"),
            "--smoke",
            f"--output_dir={tmp_path}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Modes covered:" in result.stdout
    with Image.open(tmp_path / "samples.png") as image:
        assert image.size == (512, 512) and image.mode == "RGB"
    rows = (tmp_path / "history.csv").read_text().strip().splitlines()
    assert rows[0].split(",") == [
        "epoch",
        "critic_loss",
        "generator_loss",
        "gradient_penalty",
        "wasserstein_estimate",
    ]
    assert len(rows) == 3  # header and two epochs
    generator = keras.saving.load_model(tmp_path / "generator.keras")
    assert tuple(generator.output.shape) == (None, 2)
