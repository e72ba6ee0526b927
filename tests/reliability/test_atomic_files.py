"""A crash while writing an export or a preset leaves the previous one intact.

Backups are covered in `test_interrupted_runs.py` (a torn backup file).
"""

import json
import os
import signal
import subprocess
import sys

import keras
import numpy as np

import wgan_keras as wk
from wgan_keras.presets import presets as presets_module

CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "write_child.py")


def killed_while_writing(what, root):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run(
        [sys.executable, CHILD, what, str(root)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr[-3000:]


def test_sigkill_during_an_export_keeps_the_served_version(tmp_path):
    killed_while_writing("export", tmp_path)
    serving = tmp_path / "serving"
    # Only hidden staging folders are new; TF Serving reads numbered versions.
    assert sorted(p for p in os.listdir(serving / "m") if not p.startswith(".")) == [
        "1"
    ]
    assert wk.export.models_config(str(serving)).count("config {") == 1
    code = (
        "import sys, numpy as np, tensorflow as tf\n"
        "f = tf.saved_model.load(sys.argv[1]).signatures['serving_default']\n"
        "z = np.random.default_rng(0).standard_normal((4, 2)).astype('float32')\n"
        "np.save(sys.argv[2], f(z=tf.constant(z))['images'].numpy())\n"
    )
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("KERAS_BACKEND", None)
    out = tmp_path / "served.npy"
    subprocess.run(
        [sys.executable, "-c", code, str(serving / "m" / "1"), str(out)],
        env=env,
        check=True,
    )
    expected = np.load(tmp_path / "expected.npz")["images"]
    np.testing.assert_allclose(np.load(out), expected, rtol=1e-5, atol=1e-6)


def test_sigkill_during_a_preset_write_keeps_the_previous_preset(tmp_path, monkeypatch):
    killed_while_writing("preset", tmp_path)
    with open(tmp_path / "hashes.json") as f:
        hashes = json.load(f)
    folder = tmp_path / "p"
    assert sorted(os.listdir(folder)) == sorted(hashes)
    for file, digest in hashes.items():
        assert presets_module.sha256_of(folder / file) == digest
    assert json.loads((folder / "metadata.json").read_text()) == {"version": 1}
    monkeypatch.setenv("WGAN_KERAS_SAVED_MODELS", str(tmp_path))
    monkeypatch.setitem(presets_module.PRESETS, "p", {"sha256": hashes})
    generator = wk.load_generator("p")
    z = np.random.default_rng(0).standard_normal((4, 2)).astype("float32")
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(generator(z)),
        np.load(tmp_path / "expected.npz")["images"],
        rtol=1e-6,
        atol=1e-6,
    )
