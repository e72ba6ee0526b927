"""A crash while writing an export or a preset leaves the previous one intact.

Backups are covered in `test_interrupted_runs.py` (a torn backup file).
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import keras
import numpy as np
import pytest

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
    assert json.loads((folder / "metadata.json").read_text())["version"] == 1
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


def _children(pid):
    """The ids of `pid`'s child processes, from /proc."""
    children = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            children.append(int(entry))
    return children


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _wait_for(condition, what, seconds=120):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc (Linux)")
def test_a_killed_export_leaves_nothing_that_the_next_export_keeps(
    tmp_path, monkeypatch
):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TMPDIR=str(temporary))
    process = subprocess.Popen(
        [sys.executable, CHILD, "stalled_export", str(tmp_path)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    model_dir = tmp_path / "serving" / "m"
    in_tensorflow = keras.config.backend() == "tensorflow"
    writers = []

    def writing():
        assert process.poll() is None, process.stderr.read()[-3000:]
        # Off TensorFlow, a TensorFlow child process writes the SavedModel.
        writers[:] = [] if in_tensorflow else _children(process.pid)
        staging = model_dir.is_dir() and os.listdir(model_dir)
        return bool(staging) and (in_tensorflow or bool(writers))

    _wait_for(writing, "the export to start writing")
    process.kill()
    process.wait()
    process.stderr.close()
    # The TensorFlow child follows its killed parent instead of writing on.
    for pid in writers:
        _wait_for(lambda pid=pid: not _alive(pid), f"child {pid} to exit", 20)
    left = [name for name in os.listdir(model_dir)]
    assert len(left) == 1 and left[0].startswith(f".1-wk{process.pid}-"), left
    copies = os.listdir(temporary)
    if not in_tensorflow:  # the generator's copy for the child
        prefix = f"wgan-keras-export-wk{process.pid}-"
        assert len(copies) == 1 and copies[0].startswith(prefix), copies

    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    generator = wk.networks.MLPGenerator(latent_dim=2, output_shape=(2,), hidden_dim=8)
    path = wk.export_generator(generator, tmp_path / "serving", model_name="m")
    assert os.listdir(model_dir) == ["1"]
    assert os.path.isfile(os.path.join(path, "saved_model.pb"))
    # (TensorFlow's autograph writes files of its own there.)
    assert not [n for n in os.listdir(temporary) if n.startswith("wgan-keras")]
