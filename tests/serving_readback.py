"""Reads an exported SavedModel back the three ways that serving reads it.

Each way runs in a process that imports TensorFlow and not wgan_keras:
- `"object"`: `tf.saved_model.load` (TensorFlow 2's Python loader);
- `"cli"`: `saved_model_cli run`, TensorFlow's own command-line client, once
  per signature (`--inputs z=z.npy`; `--input_exprs 'seed=..;num_samples=..'`);
- `"session"`: `tf.compat.v1.saved_model.loader.load` in a `tf.compat.v1.Session`,
  feeding and fetching the tensor names that `saved_model_cli show --all`
  lists: the code path of TF Serving's C++ loader (`LoadSavedModel`).

A real `tensorflow_model_server` cannot be installed here (it is not on PyPI);
`test_export.py` serves with it where one is on the PATH.
"""

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "serving_client.py")
SAVED_MODEL_CLI = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
LOADERS = ("object", "cli", "session")


def tensorflow_only_env():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("KERAS_BACKEND", None)
    return env


class ServingClient:
    """`serving_client.py` in a TensorFlow-only process, kept for the module.

    One process serves every test's SavedModels, each loaded afresh, as a model
    server does, instead of a new process (and a TensorFlow import, seconds)
    per call.
    """

    def __init__(self, log_path):
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, CLIENT],
            env=tensorflow_only_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )

    def __call__(
        self,
        saved_model,
        folder,
        z,
        seeds=(3, 3, 4),
        num_samples=5,
        labels=None,
        generate_labels=None,
        **kw,
    ):
        """One loader's outputs (`loader="object"` or `"session"`, `tensors`);
        `labels` and `generate_labels` for a conditional generator."""
        inputs = os.path.join(folder, "client_inputs.npz")
        outputs = os.path.join(folder, "client_outputs.npz")
        arrays = {
            "z": z,
            "seeds": np.array(seeds),
            "num_samples": np.array(num_samples),
        }
        if labels is not None:
            arrays.update(labels=labels, generate_labels=generate_labels)
        np.savez(inputs, **arrays)
        request = {
            "saved_model": str(saved_model),
            "inputs": inputs,
            "outputs": outputs,
            **kw,
        }
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            with open(self.log_path) as log:
                pytest.fail(f"the serving client exited: {log.read()[-3000:]}")
        answer = json.loads(line)
        assert answer.get("ok"), answer["error"]
        return dict(np.load(outputs))

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=60)
        self.log.close()


def _cli(*args):
    return subprocess.Popen(
        [SAVED_MODEL_CLI, *args],
        env=tensorflow_only_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process):
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, f"saved_model_cli {process.args}:\n{stderr[-3000:]}"
    return stdout


def parse_signatures(text):
    """`saved_model_cli show --all`'s text as
    `{signature: {"inputs"|"outputs": {key: (dtype, shape, tensor name)}}}`."""
    blocks = re.findall(
        r"signature_def\['(\w+)'\]:(.*?)(?=signature_def\[|\Z)", text, re.S
    )
    signatures = {}
    for signature, block in blocks:
        signatures[signature] = {
            kind: {
                key: (dtype, shape, name)
                for key, dtype, shape, name in re.findall(
                    rf"{kind}\['(\w+)'\] tensor_info:\s+dtype: (\w+)\s+"
                    r"shape: (\([^)]*\))\s+name: (\S+)",
                    block,
                )
            }
            for kind in ("inputs", "outputs")
        }
    return signatures


def read_back(
    client,
    saved_model,
    folder,
    z,
    seed=3,
    num_samples=5,
    labels=None,
    generate_labels=None,
):
    """`{loader: outputs}` for the three loaders, outputs keyed as the client's.

    Each loader gets the same `z` for `serving_default` and one `generate`
    call with `seed` and `num_samples`; a conditional generator's loaders get
    `labels` (one per row of `z`) and `generate_labels` (`num_samples` of
    them) too, as int32 `.npy` files for `saved_model_cli`.
    """
    saved_model = str(saved_model)
    folder = str(folder)
    z_file = os.path.join(folder, "z.npy")
    np.save(z_file, z)
    default_inputs, generate_inputs = f"z={z_file}", []
    if labels is not None:
        labels_file = os.path.join(folder, "labels.npy")
        generate_file = os.path.join(folder, "generate_labels.npy")
        np.save(labels_file, np.asarray(labels, "int32"))
        np.save(generate_file, np.asarray(generate_labels, "int32"))
        default_inputs += f";labels={labels_file}"
        generate_inputs = ["--inputs", f"labels={generate_file}"]
    common = ["run", "--dir", saved_model, "--tag_set", "serve", "--overwrite"]
    # The three saved_model_cli processes (a TensorFlow import each) at once.
    show = _cli("show", "--all", "--dir", saved_model)
    run_default = _cli(
        *common,
        *("--signature_def", "serving_default", "--inputs", default_inputs),
        *("--outdir", os.path.join(folder, "cli_serving_default")),
    )
    run_generate = _cli(
        *common,
        *("--signature_def", "generate", *generate_inputs),
        *("--input_exprs", f"seed={seed};num_samples={num_samples}"),
        *("--outdir", os.path.join(folder, "cli_generate")),
    )
    signatures = parse_signatures(_finish(show))
    tensors = {
        name: {kind: {k: v[2] for k, v in signatures[name][kind].items()} for kind in v}
        for name, v in signatures.items()
        if name in ("serving_default", "generate")
    }
    _finish(run_default)
    _finish(run_generate)
    cli = {}
    for signature, key in (
        ("serving_default", "serving_default"),
        ("generate", "generate/0"),
    ):
        out = os.path.join(folder, f"cli_{signature}")
        for file in os.listdir(out):
            cli[f"{key}/{file[: -len('.npy')]}"] = np.load(os.path.join(out, file))
    args = (saved_model, folder, z, (seed,), num_samples, labels, generate_labels)
    return {
        "object": client(*args, loader="object"),
        "cli": cli,
        "session": client(*args, loader="session", tensors=tensors),
    }


def assert_serves(readbacks, generate, z, atol=1e-5):
    """Every loader's outputs are the Keras generator's (`generate(z)`).

    `serving_default` on `z` and `generate`'s images on the `z` it drew, within
    `atol`; `generate` draws the same `z` in every loader; `images_uint8`,
    where present, is `images` rounded to 0..255.
    """
    assert set(readbacks) == set(LOADERS)
    expected = generate(z)
    drawn = readbacks["object"]["generate/0/z"]
    expected_drawn = generate(drawn)
    keys = set(readbacks["object"])
    for loader, out in readbacks.items():
        assert set(out) == keys, (loader, sorted(out), sorted(keys))
        np.testing.assert_allclose(
            out["serving_default/images"], expected, atol=atol, err_msg=loader
        )
        np.testing.assert_allclose(out["generate/0/z"], drawn, atol=1e-6)
        np.testing.assert_allclose(
            out["generate/0/images"], expected_drawn, atol=atol, err_msg=loader
        )
        if "generate/0/images_uint8" in out:
            pixels = np.round((out["generate/0/images"] + 1) * 127.5)
            np.testing.assert_array_equal(
                out["generate/0/images_uint8"], pixels.astype(np.uint8)
            )
