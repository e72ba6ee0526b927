"""`scripts/plot_training_quality.py` on runs' epochs.csv files it is given."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from PIL import Image
from scipy import stats

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

pytestmark = pytest.mark.skipif(
    keras.config.backend() != "tensorflow",
    reason="the script reads CSV files and imports no Keras backend: once",
)


def write_run(folder, estimate, distance, norm):
    (folder / "logs").mkdir(parents=True)
    rows = ["epoch,gradient_norm,frechet_distance,dev_wasserstein_estimate"]
    rows += [
        f"{i},{n},{d},{e}" for i, (e, d, n) in enumerate(zip(estimate, distance, norm))
    ]
    (folder / "logs" / "epochs.csv").write_text("\n".join(rows) + "\n")


def test_correlations_table_and_plots(tmp_path):
    rng = np.random.default_rng(0)
    estimate = np.linspace(10, 1, 8) + rng.normal(0, 0.8, 8)
    distance = np.linspace(200, 20, 8)
    norm = np.linspace(1.3, 1.1, 8)
    write_run(tmp_path / "a", estimate, distance, norm)
    write_run(tmp_path / "b", distance[::-1], distance, norm)
    result = subprocess.run(
        [
            sys.executable,
            os.path.join(ROOT, "scripts", "plot_training_quality.py"),
            f"--runs=a={tmp_path / 'a'},b={tmp_path / 'b'}",
            "--steps_per_epoch=250",
            "--table_every=500",
            f"--output={tmp_path / 'curves.png'}",
            f"--frechet_output={tmp_path / 'frechet.png'}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    whole = stats.spearmanr(estimate, distance).statistic
    half = stats.spearmanr(estimate[4:], distance[4:]).statistic
    assert f"| a | 8 | {whole:.2f} | {half:.2f} |" in result.stdout
    assert "| b | 8 | -1.00 | -1.00 |" in result.stdout  # rising while FD falls
    # Every 2 epochs (500 steps): FD of a and b, then their gradient norms.
    row = f"| 1,000 | {distance[3]:.2f} | {distance[3]:.2f} | {norm[3]:.2f} |"
    assert row in result.stdout
    for name in ("curves.png", "frechet.png"):
        with Image.open(tmp_path / name) as image:
            assert image.width > 400


def test_a_run_without_the_frechet_distance_is_refused(tmp_path):
    (tmp_path / "run" / "logs").mkdir(parents=True)
    (tmp_path / "run" / "logs" / "epochs.csv").write_text(
        "epoch,dev_wasserstein_estimate\n0,1.0\n"
    )
    result = subprocess.run(
        [
            sys.executable,
            os.path.join(ROOT, "scripts", "plot_training_quality.py"),
            f"--runs=run={tmp_path / 'run'}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "has no `frechet_distance` column" in result.stderr
