"""Turns a finished training run into a preset in saved_models/.

Reads the run folder of an example (its `generator.keras` and `run.json`,
which describes the networks and how they trained),
measures the generator with `wgan_keras.evaluation` (the protocol that
`wgan-keras evaluate` repeats), writes `saved_models/<name>/` with
`wk.presets.save_preset` and prints the registry entry to paste into
`wgan_keras/presets/registry.py`.

    python scripts/make_preset.py --name=gaussians8_mlp_gp \
        --run_dir=outputs/presets/gaussians8_mlp_gp --data=gaussians8
    python scripts/make_preset.py --name=mnist_dcgan_gp --method=gp \
        --run_dir=outputs/presets/mnist_dcgan_gp --data=mnist \
        --mnist=../shared/data/mnist.npz
"""

import json
import os
import pprint

import keras
from absl import app, flags

import wgan_keras as wk
from wgan_keras import evaluation

FLAGS = flags.FLAGS
flags.DEFINE_string("name", None, "Preset name (a folder in saved_models/).")
flags.DEFINE_string("run_dir", None, "Run folder with generator.keras and run.json.")
flags.DEFINE_enum("data", None, list(evaluation.DATASETS), "What the run trained on.")
flags.DEFINE_enum("method", "gp", ["clip", "gp", "sn"], "The run's Lipschitz method.")
flags.DEFINE_string("mnist", None, "Keras-layout mnist.npz (MNIST runs).")
flags.DEFINE_integer("seed", evaluation.SEED, "Seed of the measured samples.")
flags.mark_flags_as_required(["name", "run_dir", "data"])


def main(argv):
    del argv
    with open(os.path.join(FLAGS.run_dir, "run.json")) as f:
        run = json.load(f)
    if "networks" not in run:
        raise app.UsageError(
            "The run's run.json must describe its networks (`networks`, which "
            "the examples' training scripts write). Received: "
            f"--run_dir={FLAGS.run_dir} with a run.json without `networks`"
        )
    networks = run.pop("networks")
    generator = keras.saving.load_model(
        os.path.join(FLAGS.run_dir, "generator.keras"), compile=False, safe_mode=True
    )
    metrics = evaluation.evaluate_generator(
        generator, FLAGS.data, seed=FLAGS.seed, mnist_path=FLAGS.mnist
    )
    if FLAGS.data == "mnist":
        classifier = wk.presets.read_metadata("mnist_classifier", kind="classifier")
        metrics["feature_network"] = "mnist_classifier"
        metrics["real_data_floor"] = classifier["real_data_floor"]
    metadata = {
        "name": FLAGS.name,
        "data": FLAGS.data,
        "method": FLAGS.method,
        "generator": generator.get_config(),
        "networks": networks,
        "training": run,
        "metrics": metrics,
        "evaluation": (
            f"wgan-keras evaluate --preset {FLAGS.name} --seed {FLAGS.seed}"
            + (" --data <mnist.npz>" if FLAGS.data == "mnist" else "")
        ),
    }
    folder = os.path.join(wk.presets.presets.saved_models_root(), FLAGS.name)
    hashes = wk.presets.save_preset(generator, folder, metadata, overwrite=True)
    print(f"Wrote {folder}")
    print(json.dumps(metrics, indent=2))
    print("Registry entry:")
    pprint.pprint({FLAGS.name: {"sha256": hashes}})


if __name__ == "__main__":
    app.run(main)
