"""Calls exported generators the way serving does: TensorFlow only.

A long-lived process, like a model server: it reads one request per line on
stdin, `{"saved_model": ..., "loader": ..., "inputs": ..., "outputs": ...}`
(an .npz of `z`, `seeds` and `num_samples` in, and for a conditional
generator `labels` for `serving_default` and `generate_labels` for
`generate`; an .npz of every signature's outputs out), loads that
SavedModel afresh, and answers one line on stdout: `{"ok": true}` or
`{"error": "<traceback>"}`. Importing wgan_keras is blocked, so each
SavedModel must stand on its own.

Two loaders:
- `"object"`: `tf.saved_model.load`, TensorFlow 2's Python object loader;
- `"session"`: `tf.compat.v1.saved_model.loader.load` into a new graph and
  `tf.compat.v1.Session`, feeding and fetching the tensor names the request
  gives (`"tensors"`, as `saved_model_cli show --all` lists them). This is the
  code path of TF Serving's C++ `LoadSavedModel`: the saver's restore op
  fills the variables, then the signature's tensors run in a session.

Outputs are keyed `serving_default/<output>` and `generate/<i>/<output>`, one
`generate` call per seed.

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


def _default_inputs(inputs):
    feeds = {"z": inputs["z"]}
    if "labels" in inputs:
        feeds["labels"] = inputs["labels"].astype(np.int32)
    return feeds


def _generate_inputs(inputs):
    for seed in inputs["seeds"]:
        feeds = {"seed": np.int64(seed), "num_samples": np.int32(inputs["num_samples"])}
        if "generate_labels" in inputs:
            feeds["labels"] = inputs["generate_labels"].astype(np.int32)
        yield feeds


def serve_objects(saved_model, inputs):
    model = tf.saved_model.load(saved_model)
    serving_default = model.signatures["serving_default"]
    generate = model.signatures["generate"]
    feeds = {k: tf.constant(v) for k, v in _default_inputs(inputs).items()}
    outputs = {"serving_default/images": serving_default(**feeds)["images"]}
    for i, feeds in enumerate(_generate_inputs(inputs)):
        result = generate(**{k: tf.constant(v) for k, v in feeds.items()})
        for key, value in result.items():
            outputs[f"generate/{i}/{key}"] = value
    return {k: v.numpy() for k, v in outputs.items()}


def serve_session(saved_model, inputs, tensors):
    outputs = {}
    with tf.compat.v1.Session(graph=tf.Graph()) as session:
        tf.compat.v1.saved_model.loader.load(session, ["serve"], saved_model)

        def run(signature, feeds):
            names = tensors[signature]
            keys = sorted(names["outputs"])
            fetched = session.run(
                [names["outputs"][k] for k in keys],
                feed_dict={names["inputs"][k]: v for k, v in feeds.items()},
            )
            return dict(zip(keys, fetched))

        result = run("serving_default", _default_inputs(inputs))
        outputs.update({f"serving_default/{k}": v for k, v in result.items()})
        for i, feeds in enumerate(_generate_inputs(inputs)):
            result = run("generate", feeds)
            outputs.update({f"generate/{i}/{k}": v for k, v in result.items()})
    return outputs


def serve(request):
    inputs = np.load(request["inputs"])
    if request.get("loader", "object") == "session":
        outputs = serve_session(request["saved_model"], inputs, request["tensors"])
    else:
        outputs = serve_objects(request["saved_model"], inputs)
    np.savez(request["outputs"], **outputs)


def main():
    for line in sys.stdin:
        try:
            serve(json.loads(line))
            answer = {"ok": True}
        except Exception:  # the test reports it; the process serves on
            answer = {"error": traceback.format_exc()}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
