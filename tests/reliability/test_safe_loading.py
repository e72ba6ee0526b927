"""Loading never runs code the user did not mean to: hashes, safe mode, no pickle."""

import shutil

import keras
import numpy as np
import pytest

import wgan_keras as wk
from wgan_keras.presets import presets as presets_module


def test_tampered_preset_is_refused(tmp_path, monkeypatch):
    root = tmp_path / "saved_models"
    shutil.copytree(presets_module.saved_models_root(), root)
    monkeypatch.setenv("WGAN_KERAS_SAVED_MODELS", str(root))
    name = "gaussians8_mlp_gp"
    wk.load_generator(name)  # the copy is intact
    model = root / name / "generator.keras"
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"does not match the SHA-256"):
        wk.load_generator(name)


def lambda_generator():
    z = keras.Input((2,))
    outputs = keras.layers.Lambda(lambda x: x * 2)(z)  # arbitrary Python code
    return keras.Model(z, outputs)


def test_preset_with_a_lambda_layer_is_refused_even_with_matching_hashes(
    tmp_path, monkeypatch
):
    hashes = wk.presets.save_preset(lambda_generator(), tmp_path / "lambda")
    monkeypatch.setenv("WGAN_KERAS_SAVED_MODELS", str(tmp_path))
    monkeypatch.setitem(presets_module.PRESETS, "lambda", {"sha256": hashes})
    with pytest.raises(ValueError, match=r"Lambda.*(safe_mode|arbitrary code)"):
        wk.load_generator("lambda")


def test_export_loads_keras_files_in_safe_mode(tmp_path):
    path = str(tmp_path / "lambda.keras")
    lambda_generator().save(path)
    with pytest.raises(ValueError, match=r"Lambda.*(safe_mode|arbitrary code)"):
        wk.export_generator(path, tmp_path / "serving")
    assert not (tmp_path / "serving").exists()


def test_npz_data_with_pickled_objects_is_refused(tmp_path):
    path = tmp_path / "images.npz"
    objects = np.array([{"a": 1}, None], dtype=object)
    np.savez(path, x_train=objects, y_train=objects, x_test=objects, y_test=objects)
    with pytest.raises(ValueError, match="allow_pickle"):
        wk.datasets.load_images(str(path))
    with pytest.raises(ValueError, match="allow_pickle"):
        wk.evaluation.load_mnist(str(path))
