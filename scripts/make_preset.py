"""Turns a finished training run into a preset in saved_models/.

Reads the run folder of an example (its `generator.keras` and `run.json`),
measures the generator, writes `saved_models/<name>/` atomically (model,
metadata.json, grid.png) and prints the registry entry to paste into
`wgan_keras/presets/registry.py`.

    python scripts/make_preset.py --name=gaussians8_mlp_gp \
        --run_dir=outputs/presets/gaussians8_mlp_gp --data=gaussians8
"""

import json
import os
import pprint

import keras
import numpy as np
from absl import app, flags

import wgan_keras as wk

FLAGS = flags.FLAGS
flags.DEFINE_string("name", None, "Preset name (a folder in saved_models/).")
flags.DEFINE_string("run_dir", None, "Run folder with generator.keras and run.json.")
flags.DEFINE_enum("data", "gaussians8", ["gaussians8"], "What the run trained on.")
flags.DEFINE_enum("method", "gp", ["clip", "gp", "sn"], "The run's Lipschitz method.")
flags.DEFINE_integer("num_samples", 2000, "Samples measured.")
flags.DEFINE_integer("seed", 0, "Seed of the measured samples.")
flags.mark_flags_as_required(["name", "run_dir"])


def toy_metrics(samples, modes, seed):
    """Mode coverage and exact W1 against held-out data.

    A mode is covered when >= 1% of the samples lie within the radius of its
    centre: 3 standard deviations of the real modes (strict), and 0.25 (the
    looser radius of this project's convergence test).
    """
    covered, off = wk.datasets.covered_modes(samples, modes=modes)
    covered_loose, off_loose = wk.datasets.covered_modes(
        samples, modes=modes, radius=0.25
    )
    real = wk.datasets.gaussian_mixture_2d(len(samples), modes=modes, seed=seed + 1)
    return {
        "modes": modes,
        "mode_radius_3sigma": round(3 * float(wk.datasets.toy.mode_std(modes)), 4),
        "modes_covered_3sigma": int(covered),
        "off_mode_fraction_3sigma": round(float(off), 4),
        "modes_covered_radius_0.25": int(covered_loose),
        "off_mode_fraction_radius_0.25": round(float(off_loose), 4),
        "exact_w1": round(wk.callbacks.exact_wasserstein_1(real, samples), 4),
        "exact_w1_real_vs_real": round(
            wk.callbacks.exact_wasserstein_1(
                real,
                wk.datasets.gaussian_mixture_2d(
                    len(samples), modes=modes, seed=seed + 2
                ),
            ),
            4,
        ),
        "num_samples": len(samples),
        "sample_seed": seed,
    }


def main(argv):
    del argv
    generator = keras.saving.load_model(
        os.path.join(FLAGS.run_dir, "generator.keras"), compile=False, safe_mode=True
    )
    with open(os.path.join(FLAGS.run_dir, "run.json")) as f:
        run = json.load(f)
    latent_dim = generator.input_shape[-1]
    z = np.random.default_rng(FLAGS.seed).standard_normal(
        (FLAGS.num_samples, latent_dim)
    )
    samples = keras.ops.convert_to_numpy(generator(z.astype("float32")))
    metrics = toy_metrics(samples, modes=8, seed=FLAGS.seed)
    grid = wk.visualization.scatter_plot(samples, extent=2.2)
    metadata = {
        "name": FLAGS.name,
        "data": FLAGS.data,
        "method": FLAGS.method,
        "generator": generator.get_config(),
        "latent_dim": latent_dim,
        "training": run,
        "metrics": metrics,
    }
    hashes = wk.presets.save_preset(generator, FLAGS.name, metadata, grid)
    print(f"Wrote {os.path.join(wk.presets.presets.saved_models_root(), FLAGS.name)}")
    print(json.dumps(metrics, indent=2))
    print("Registry entry:")
    pprint.pprint({FLAGS.name: {"sha256": hashes}})


if __name__ == "__main__":
    app.run(main)
