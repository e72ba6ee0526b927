"""Calls an exported generator the way TF Serving does: TensorFlow only.

Run as `python tests/serving_client.py SAVED_MODEL INPUTS.npz OUTPUTS.npz`.
Importing wgan_keras is blocked, so the SavedModel must stand on its own.
"""

import importlib.abc
import sys


class _Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "wgan_keras":
            raise ImportError(f"the serving client must not import {name}")
        return None


sys.meta_path.insert(0, _Block())

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def main(saved_model, inputs_path, outputs_path):
    inputs = np.load(inputs_path)
    model = tf.saved_model.load(saved_model)
    serving_default = model.signatures["serving_default"]
    generate = model.signatures["generate"]
    outputs = {"serving_default/images": serving_default(z=tf.constant(inputs["z"]))}
    outputs["serving_default/images"] = outputs["serving_default/images"]["images"]
    for i, seed in enumerate(inputs["seeds"]):
        result = generate(
            seed=tf.constant(seed, tf.int64),
            num_samples=tf.constant(int(inputs["num_samples"]), tf.int32),
        )
        for key, value in result.items():
            outputs[f"generate/{i}/{key}"] = value
    np.savez(outputs_path, **{k: v.numpy() for k, v in outputs.items()})


if __name__ == "__main__":
    main(*sys.argv[1:4])
