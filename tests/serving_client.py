"""Calls exported generators the way TF Serving does: TensorFlow only.

A long-lived process, like a model server: it reads one request per line on
stdin, `{"saved_model": ..., "inputs": ..., "outputs": ...}` (an .npz of `z`,
`seeds` and `num_samples` in, an .npz of every signature's outputs out), loads
that SavedModel afresh, and answers one line on stdout: `{"ok": true}` or
`{"error": "<traceback>"}`. Importing wgan_keras is blocked, so each
SavedModel must stand on its own.

    python tests/serving_client.py
"""

import importlib.abc
import json
import sys
import traceback


class _Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "wgan_keras":
            raise ImportError(f"the serving client must not import {name}")
        return None


sys.meta_path.insert(0, _Block())

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def serve(saved_model, inputs_path, outputs_path):
    inputs = np.load(inputs_path)
    model = tf.saved_model.load(saved_model)
    serving_default = model.signatures["serving_default"]
    generate = model.signatures["generate"]
    outputs = {
        "serving_default/images": serving_default(z=tf.constant(inputs["z"]))["images"]
    }
    for i, seed in enumerate(inputs["seeds"]):
        result = generate(
            seed=tf.constant(seed, tf.int64),
            num_samples=tf.constant(int(inputs["num_samples"]), tf.int32),
        )
        for key, value in result.items():
            outputs[f"generate/{i}/{key}"] = value
    np.savez(outputs_path, **{k: v.numpy() for k, v in outputs.items()})


def main():
    for line in sys.stdin:
        request = json.loads(line)
        try:
            serve(request["saved_model"], request["inputs"], request["outputs"])
            answer = {"ok": True}
        except Exception:  # the test reports it; the process serves on
            answer = {"error": traceback.format_exc()}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
