"""Exported generators: SavedModel signatures, ONNX, layout, atomicity, README."""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time

import keras
import numpy as np
import pytest
from helpers import tiny_toy_gan, to_numpy
from serving_readback import (
    SAVED_MODEL_CLI,
    ServingClient,
    assert_serves,
    parse_signatures,
    read_back,
)

import wgan_keras as wk
from wgan_keras import cli as wgan_keras_cli
from wgan_keras import export as export_module
from wgan_keras.cli.sample import load_sampler
from wgan_keras.export.loading import load_saved_model_sampler

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LATENT = 16


def image_generator(latent_dim=LATENT, seed=0):
    """A small DCGAN-28 generator with non-trivial batch-norm statistics."""
    keras.utils.set_random_seed(seed)
    generator = wk.networks.DCGANGenerator(
        latent_dim=latent_dim, image_shape=(28, 28, 1), dim=8
    )
    rng = np.random.default_rng(seed)
    for layer in generator.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            shape = layer.moving_mean.shape
            layer.moving_mean.assign(rng.normal(0, 0.5, shape).astype("float32"))
            layer.moving_variance.assign(rng.uniform(0.5, 2, shape).astype("float32"))
    return generator


def spectral_norm_generator():
    """A generator with a spectrally normalized layer and batch norm."""
    keras.utils.set_random_seed(1)
    z = keras.Input((LATENT,), name="z")
    x = wk.layers.SpectralNormalization(keras.layers.Dense(32))(z)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Dense(2)(keras.layers.ReLU()(x))
    generator = keras.Model(z, x, name="sn_generator")
    generator(np.zeros((1, LATENT), "float32"), training=True)  # moves u
    return generator


def conditional_generator(num_classes=3):
    """A small conditional DCGAN-28 generator whose classes draw differently."""
    keras.utils.set_random_seed(2)
    generator = wk.networks.DCGANGenerator(
        latent_dim=LATENT, image_shape=(28, 28, 1), dim=8, num_classes=num_classes
    )
    rng = np.random.default_rng(2)
    for layer in generator.layers:
        if isinstance(layer, wk.layers.ConditionalBatchNormalization):
            shape = layer.class_gamma.shape
            layer.class_gamma.assign(rng.uniform(0.5, 1.5, shape).astype("float32"))
            layer.class_beta.assign(rng.normal(0, 0.5, shape).astype("float32"))
            layer.moving_variance.assign(
                rng.uniform(0.5, 2, shape[-1:]).astype("float32")
            )
    return generator


@pytest.fixture(scope="module")
def serving_client(tmp_path_factory):
    client = ServingClient(tmp_path_factory.mktemp("client") / "stderr.txt")
    yield client
    client.close()


def keras_outputs(generator):
    return lambda z: to_numpy(generator(z, training=False))


def labelled_outputs(generator, labels, generate_labels):
    """A conditional generator's outputs for `serving_default`'s rows (with
    `labels`) and for `generate`'s (with `generate_labels`)."""

    def outputs(z):
        rows = labels if len(z) == len(labels) else generate_labels
        return to_numpy(generator([z, np.asarray(rows, "int32")], training=False))

    return outputs


@pytest.mark.parametrize("kind", ["dcgan28", "spectral_norm_mlp"])
def test_saved_model_runs_in_every_serving_loader(kind, tmp_path, serving_client):
    generator = image_generator() if kind == "dcgan28" else spectral_norm_generator()
    path = wk.export_generator(generator, tmp_path / "serving", model_name="g")
    assert path == str(tmp_path / "serving" / "g" / "1")
    assert os.path.isfile(os.path.join(path, "saved_model.pb"))

    z = np.random.default_rng(0).standard_normal((6, LATENT)).astype("float32")
    readbacks = read_back(serving_client, path, tmp_path, z)
    assert_serves(readbacks, keras_outputs(generator), z)
    drawn = readbacks["object"]["generate/0/z"]
    assert drawn.shape == (5, LATENT) and drawn.dtype == np.float32
    assert abs(drawn.mean()) < 1.0 and 0.5 < drawn.std() < 1.5
    if kind == "dcgan28":
        pixels = readbacks["session"]["generate/0/images_uint8"]
        assert pixels.dtype == np.uint8 and pixels.shape == (5, 28, 28, 1)
    else:
        assert "generate/0/images_uint8" not in readbacks["cli"]  # 2-D points

    out = serving_client(path, tmp_path, z)  # seeds 3, 3, 4
    first, again, other = (out[f"generate/{i}/z"] for i in range(3))
    np.testing.assert_array_equal(first, again)  # the same seed
    np.testing.assert_array_equal(first, drawn)
    assert not np.allclose(first, other)  # another seed
    # Inference mode, not training mode: batch statistics would differ. (Last:
    # a training call also moves the generator's batch-norm statistics.)
    training = to_numpy(generator(z, training=True))
    assert not np.allclose(training, out["serving_default/images"], atol=1e-3)


def test_saved_model_cli_lists_named_signatures(tmp_path):
    path = wk.export_generator(image_generator(), tmp_path, model_name="mnist")
    result = subprocess.run(
        [SAVED_MODEL_CLI, "show", "--all", "--dir", path],
        capture_output=True,
        text=True,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    signatures = parse_signatures(result.stdout)
    assert {"serving_default", "generate"} <= set(signatures)

    def tensors(signature, kind):
        return {k: v[:2] for k, v in signatures[signature][kind].items()}

    assert tensors("serving_default", "inputs") == {
        "z": ("DT_FLOAT", f"(-1, {LATENT})")
    }
    assert tensors("serving_default", "outputs") == {
        "images": ("DT_FLOAT", "(-1, 28, 28, 1)")
    }
    assert tensors("generate", "inputs") == {
        "seed": ("DT_INT64", "()"),
        "num_samples": ("DT_INT32", "()"),
    }
    assert tensors("generate", "outputs") == {
        "images": ("DT_FLOAT", "(-1, 28, 28, 1)"),
        "images_uint8": ("DT_UINT8", "(-1, 28, 28, 1)"),
        "z": ("DT_FLOAT", f"(-1, {LATENT})"),
    }
    methods = re.findall(
        r"signature_def\['(serving_default|generate)'\].*?Method name is: (\S+)",
        result.stdout,
        re.S,
    )
    assert sorted(methods) == [
        ("generate", "tensorflow/serving/predict"),
        ("serving_default", "tensorflow/serving/predict"),
    ]


def test_conditional_saved_model_takes_labels_in_every_loader(tmp_path, serving_client):
    generator = conditional_generator()
    path = wk.export_generator(generator, tmp_path / "serving", model_name="c")
    z = np.random.default_rng(0).standard_normal((6, LATENT)).astype("float32")
    labels = np.array([0, 1, 2, 2, 1, 0], "int32")
    generate_labels = np.array([2, 0, 1, 1, 2], "int32")

    readbacks = read_back(
        serving_client,
        path,
        tmp_path,
        z,
        labels=labels,
        generate_labels=generate_labels,
    )
    assert_serves(readbacks, labelled_outputs(generator, labels, generate_labels), z)
    other = to_numpy(generator([z, (labels + 1) % 3], training=False))
    assert np.abs(other - readbacks["cli"]["serving_default/images"]).max() > 0.05

    shown = subprocess.run(
        [SAVED_MODEL_CLI, "show", "--all", "--dir", path],
        capture_output=True,
        text=True,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
    )
    signatures = parse_signatures(shown.stdout)
    for name in ("serving_default", "generate"):
        assert signatures[name]["inputs"]["labels"][:2] == ("DT_INT32", "(-1)")

    np.save(tmp_path / "bad.npy", np.array([0, 3, 0, 0, 0, 0], "int32"))
    refused = subprocess.run(
        [SAVED_MODEL_CLI, "run", "--dir", path, "--tag_set", "serve"]
        + ["--signature_def", "serving_default", "--inputs"]
        + [f"z={tmp_path / 'z.npy'};labels={tmp_path / 'bad.npy'}"],
        capture_output=True,
        text=True,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
    )
    assert refused.returncode != 0
    assert "`labels` must lie in [0, 3)" in refused.stderr

    # The export records its class count, so `sample` and `evaluate` draw
    # every class in turn without `--label`, as from the .keras file.
    _, latent_dim, num_classes = load_saved_model_sampler(path)
    assert (latent_dim, num_classes) == (LATENT, 3)
    sampler, _ = load_sampler(model=path)
    in_turn = to_numpy(generator([z, np.arange(6) % 3], training=False))
    np.testing.assert_allclose(sampler(z), in_turn, atol=1e-5)
    twos, _ = load_sampler(model=path, label=2)
    np.testing.assert_allclose(
        twos(z), to_numpy(generator([z, np.full(6, 2)], training=False)), atol=1e-5
    )
    with pytest.raises(ValueError, match=r"`--label` must be < 3.*--label=3"):
        load_sampler(model=path, label=3)
    samples = tmp_path / "samples"
    args = ["sample", f"--model={path}", f"--output_dir={samples}", "--rows=1"]
    assert wgan_keras_cli.main(args) == 0
    assert (samples / "samples.png").is_file()


@pytest.mark.parametrize("kind", ["dcgan28", "spectral_norm_mlp"])
def test_bfloat16_saved_model_computes_in_bfloat16_in_every_loader(
    kind, tmp_path, serving_client
):
    import tensorflow as tf

    generator = image_generator() if kind == "dcgan28" else spectral_norm_generator()
    path = wk.export_generator(
        generator, tmp_path / "serving", model_name="b", dtype="bfloat16"
    )
    z = np.random.default_rng(0).standard_normal((6, LATENT)).astype("float32")
    # bfloat16 keeps 8 bits of mantissa: outputs of order 1 move by ~1e-2.
    readbacks = read_back(serving_client, path, tmp_path, z)
    assert_serves(readbacks, keras_outputs(generator), z, atol=0.1)
    expected = keras_outputs(generator)(z)
    served = readbacks["session"]["serving_default/images"]
    assert served.dtype == np.float32
    assert 1e-4 < np.abs(served - expected).max() < 0.1
    # The matmuls and transposed convolutions run in bfloat16.
    graph = tf.saved_model.load(path).signatures["serving_default"].graph
    definition = graph.as_graph_def()
    nodes = [*definition.node]
    nodes += [node for f in definition.library.function for node in f.node_def]
    bfloat16 = tf.bfloat16.as_datatype_enum
    ops_in_bfloat16 = {node.op for node in nodes if node.attr["T"].type == bfloat16}
    expected = {"MatMul", "Conv2DBackpropInput"} if kind == "dcgan28" else {"MatMul"}
    assert expected <= ops_in_bfloat16, ops_in_bfloat16


def test_bfloat16_export_arguments_are_checked(tmp_path):
    with pytest.raises(ValueError, match="`dtype` must be one of"):
        wk.export_generator(image_generator(), tmp_path, dtype="float16")
    with pytest.raises(ValueError, match="ONNX exports compute in float32"):
        wk.export_generator(
            image_generator(), tmp_path / "g.onnx", format="onnx", dtype="bfloat16"
        )
    assert os.listdir(tmp_path) == []


def test_conditional_onnx_takes_labels_in_onnxruntime(tmp_path):
    import onnxruntime

    generator = conditional_generator()
    path = wk.export_generator(generator, tmp_path / "c.onnx", format="onnx")
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["z", "labels"]
    z = np.random.default_rng(1).standard_normal((7, LATENT)).astype("float32")
    labels = np.array([0, 1, 2, 0, 1, 2, 0], "int32")
    (images,) = session.run(["images"], {"z": z, "labels": labels})
    expected = to_numpy(generator([z, labels], training=False))
    np.testing.assert_allclose(images, expected, atol=1e-5)


@pytest.mark.slow
@pytest.mark.skipif(
    keras.config.backend() != "tensorflow",
    reason="the presets are the same files under every backend, and JAX and "
    "PyTorch export through the same TensorFlow writer in a child process "
    "(test_exports_the_generator_of_a_gan_and_of_a_keras_file covers that "
    "path on each backend)",
)
def test_every_preset_runs_in_every_serving_loader(tmp_path, serving_client):
    names = sorted(wk.list_generators())
    assert len(names) >= 4
    for name in names:
        generator = wk.load_generator(name)
        path = wk.export_generator(generator, tmp_path / "serving", model_name=name)
        latent_dim = generator.inputs[0].shape[-1]
        z = np.random.default_rng(0).standard_normal((3, latent_dim))
        z = z.astype("float32")
        folder = tmp_path / name
        folder.mkdir()
        if len(generator.inputs) == 1:
            readbacks = read_back(serving_client, path, folder, z)
            assert_serves(readbacks, keras_outputs(generator), z)
            continue
        labels, generate_labels = np.array([7, 0, 3]), np.arange(5) * 2
        readbacks = read_back(
            serving_client,
            path,
            folder,
            z,
            labels=labels,
            generate_labels=generate_labels,
        )
        assert_serves(
            readbacks, labelled_outputs(generator, labels, generate_labels), z
        )


def test_onnx_matches_generator_in_onnxruntime(tmp_path):
    import onnxruntime

    generator = image_generator()
    file = wk.export_generator(generator, tmp_path / "g.onnx", format="onnx")
    folder = wk.export_generator(generator, tmp_path, format="onnx", model_name="m")
    assert file == str(tmp_path / "g.onnx")
    assert folder == str(tmp_path / "m" / "1" / "model.onnx")
    z = np.random.default_rng(1).standard_normal((7, LATENT)).astype("float32")
    expected = to_numpy(generator(z, training=False))
    for path in (file, folder):
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        assert [i.name for i in session.get_inputs()] == ["z"]
        assert [o.name for o in session.get_outputs()] == ["images"]
        (images,) = session.run(["images"], {"z": z})
        np.testing.assert_allclose(images, expected, atol=1e-5)


@pytest.mark.parametrize("ema_decay", [None, 0.5])
def test_exports_the_generator_of_a_gan_and_of_a_keras_file(
    ema_decay, tmp_path, serving_client
):
    gan = tiny_toy_gan(ema_decay=ema_decay)
    gan.compile()
    gan.fit(np.zeros((64 * 5, 2), "float32"), epochs=1, verbose=0)
    gan_file = str(tmp_path / "gan.keras")
    gan.save(gan_file)
    z = np.random.default_rng(2).standard_normal((4, 2)).astype("float32")
    expected = to_numpy(gan.sampling_generator(z, training=False))
    if ema_decay is not None:  # the average, not the trained generator
        trained = to_numpy(gan.generator(z, training=False))
        assert np.abs(expected - trained).max() > 1e-4
    for source, name in ((gan, "from_gan"), (gan_file, "from_file")):
        path = wk.export_generator(source, tmp_path / "serving", model_name=name)
        readbacks = read_back(serving_client, path, tmp_path, z)
        assert_serves(readbacks, keras_outputs(gan.sampling_generator), z)
        np.testing.assert_allclose(
            readbacks["session"]["serving_default/images"], expected, atol=1e-5
        )
    config = (tmp_path / "serving" / "models.config").read_text()
    assert re.findall(r'name: "(\w+)"', config) == ["from_file", "from_gan"]
    assert 'base_path: "/models/from_gan"' in config
    assert config.count('model_platform: "tensorflow"') == 2


def test_default_name_and_versions(tmp_path):
    generator = image_generator()
    first = wk.export_generator(generator, tmp_path)
    second = wk.export_generator(generator, tmp_path, version=2)
    assert first == str(tmp_path / generator.name / "1")
    assert second == str(tmp_path / generator.name / "2")


def test_existing_export_is_kept_unless_overwrite(tmp_path, serving_client):
    path = wk.export_generator(image_generator(seed=0), tmp_path, model_name="g")
    before = (tmp_path / "g" / "1" / "saved_model.pb").read_bytes()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        wk.export_generator(image_generator(seed=1), tmp_path, model_name="g")
    assert (tmp_path / "g" / "1" / "saved_model.pb").read_bytes() == before

    replacement = image_generator(seed=1)
    wk.export_generator(replacement, tmp_path, model_name="g", overwrite=True)
    z = np.random.default_rng(3).standard_normal((2, LATENT)).astype("float32")
    out = serving_client(path, tmp_path, z)
    np.testing.assert_allclose(
        out["serving_default/images"],
        to_numpy(replacement(z, training=False)),
        atol=1e-5,
    )
    assert sorted(os.listdir(tmp_path / "g")) == ["1"]  # no staging leftovers


def test_existing_onnx_file_is_kept_unless_overwrite(tmp_path):
    target = tmp_path / "g.onnx"
    wk.export_generator(spectral_norm_generator(), target, format="onnx")
    before = target.read_bytes()
    with pytest.raises(FileExistsError, match="Received: overwrite=False"):
        wk.export_generator(image_generator(), target, format="onnx")
    assert target.read_bytes() == before
    wk.export_generator(image_generator(), target, format="onnx", overwrite=True)
    assert target.read_bytes() != before
    assert sorted(os.listdir(tmp_path)) == ["g.onnx"]


def test_failed_export_leaves_nothing_and_keeps_the_old_one(tmp_path, monkeypatch):
    wk.export_generator(image_generator(), tmp_path, model_name="g")
    before = {
        name: (tmp_path / "g" / "1" / name).read_bytes()
        for name in ("saved_model.pb", "fingerprint.pb")
    }

    def half_write(generator, latent_dim, format, target, dtype):
        if not target.endswith(".onnx"):
            target = os.path.join(target, "saved_model.pb")
        with open(target, "wb") as f:
            f.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(export_module, "_write", half_write)
    with pytest.raises(OSError, match="disk full"):
        wk.export_generator(image_generator(), tmp_path, model_name="g", overwrite=True)
    with pytest.raises(OSError, match="disk full"):
        wk.export_generator(image_generator(), tmp_path, model_name="new")
    with pytest.raises(OSError, match="disk full"):
        wk.export_generator(image_generator(), tmp_path / "g.onnx", format="onnx")
    for name, content in before.items():
        assert (tmp_path / "g" / "1" / name).read_bytes() == content
    assert sorted(os.listdir(tmp_path / "g")) == ["1"]
    assert not (tmp_path / "new").exists() or os.listdir(tmp_path / "new") == []
    assert not (tmp_path / "g.onnx").exists()
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".")]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"format": "h5"}, "`format` must be one of .* Received: format='h5'"),
        ({"version": 0}, "`version` must be an int >= 1. Received: version=0"),
        ({"version": 10**20}, rf"<= 2\*\*63 - 1 .* Received: version={10**20}"),
        ({"version": 2**63}, f"Received: version={2**63}"),
        ({"model_name": "a/b"}, "Received: model_name='a/b'"),
        ({"overwrite": "yes"}, "Received: overwrite='yes'"),
    ],
)
def test_bad_arguments_are_refused(kwargs, message, tmp_path):
    with pytest.raises(ValueError, match=message):
        wk.export_generator(image_generator(), tmp_path, **kwargs)
    assert os.listdir(tmp_path) == []


def test_bad_models_are_refused(tmp_path):
    with pytest.raises(ValueError, match="Received: generator_or_gan=42"):
        wk.export_generator(42, tmp_path)
    with pytest.raises(ValueError, match="path of an existing .keras file"):
        wk.export_generator(str(tmp_path / "missing.keras"), tmp_path)
    a, b = keras.Input((3,)), keras.Input((4,))
    two_inputs = keras.Model([a, b], keras.layers.Concatenate()([a, b]))
    with pytest.raises(ValueError, match=r"one \(batch, latent_dim\) input"):
        wk.export_generator(two_inputs, tmp_path)
    assert os.listdir(tmp_path) == []


def test_cli_exports_a_preset_and_a_gan_file(tmp_path, capsys):
    gan = tiny_toy_gan()
    gan.compile()
    gan_file = str(tmp_path / "gan.keras")
    gan.save(gan_file)
    out = tmp_path / "serving"

    # The entry point, in its own process, under this run's backend.
    result = subprocess.run(
        [sys.executable, "-m", "wgan_keras.cli", "export"]
        + ["--preset", "gaussians8_mlp_gp", "--out", str(out)],
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (out / "gaussians8_mlp_gp" / "1" / "saved_model.pb").is_file()
    assert "docker run" in result.stdout and "models.config" in result.stdout

    # The same `main`, here: this backend's export of a GAN file, and errors.
    def cli(*args):
        code = wgan_keras_cli.main(["export", *args])
        return code, capsys.readouterr()

    code, printed = cli(
        "--model", gan_file, "--out", str(out), "--name", "toy", "--version", "3"
    )
    assert code == 0, printed.err[-3000:]
    assert (out / "toy" / "3" / "saved_model.pb").is_file()
    config = (out / "models.config").read_text()
    assert re.findall(r'name: "(\w+)"', config) == ["gaussians8_mlp_gp", "toy"]

    code, printed = cli(
        "--model", gan_file, "--out", str(out), "--name", "toy", "--version", "3"
    )
    assert code == 2 and "overwrite=True" in printed.err
    code, printed = cli("--preset", "no_such_preset", "--out", str(out))
    assert code == 2 and "gaussians8_mlp_gp" in printed.err
    code, printed = cli(
        *("--model", gan_file, "--out", str(out), "--name", "b", "--dtype", "bfloat16")
    )
    assert code == 0, printed.err[-3000:]
    assert (out / "b" / "1" / "saved_model.pb").is_file()


# === The README's client snippets, against the exported model ===


def readme_block(marker):
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    match = re.search(rf"<!-- test: {marker} -->\n```\w*\n(.*?)```", text, re.S)
    assert match, f"README has no block marked {marker}"
    return match.group(1)


def readme_model(tmp_path):
    """The README's model: `mnist`, a DCGAN-28 generator with latent 128."""
    generator = image_generator(latent_dim=128)
    path = wk.export_generator(generator, tmp_path / "serving", model_name="mnist")
    import tensorflow as tf

    return generator, tf.saved_model.load(path)


def _signature_call(signature, inputs):
    """Calls a signature the way TF Serving does: names, dtypes and shapes."""
    import tensorflow as tf

    specs = signature.structured_input_signature[1]
    assert set(inputs) == set(specs), (sorted(inputs), sorted(specs))
    tensors = {}
    for name, value in inputs.items():
        tensor = tf.constant(value, dtype=specs[name].dtype)
        assert specs[name].shape.is_compatible_with(tensor.shape), (name, tensor.shape)
        tensors[name] = tensor
    return {k: v.numpy() for k, v in signature(**tensors).items()}


def tf_serving_rest(model, url, body):
    """TF Serving's JSON API (row and columnar formats) over a loaded model."""
    assert url == "http://localhost:8501/v1/models/mnist:predict"
    signature = model.signatures[body.get("signature_name", "serving_default")]
    names = list(signature.structured_input_signature[1])
    if "instances" in body:  # row format: a list, one entry per example
        rows = body["instances"]
        if isinstance(rows[0], dict):
            inputs = {n: [row[n] for row in rows] for n in rows[0]}
        else:
            assert len(names) == 1
            inputs = {names[0]: rows}
        outputs = _signature_call(signature, inputs)
        if len(outputs) == 1:
            return {"predictions": next(iter(outputs.values())).tolist()}
        count = len(next(iter(outputs.values())))
        return {
            "predictions": [
                {k: v[i].tolist() for k, v in outputs.items()} for i in range(count)
            ]
        }
    inputs = body["inputs"]  # columnar format
    if not isinstance(inputs, dict):
        assert len(names) == 1
        inputs = {names[0]: inputs}
    outputs = _signature_call(signature, inputs)
    if len(outputs) == 1:
        return {"outputs": next(iter(outputs.values())).tolist()}
    return {"outputs": {k: v.tolist() for k, v in outputs.items()}}


def test_readme_rest_bodies_map_onto_the_signatures(tmp_path, monkeypatch):
    import io
    import urllib.request

    generator, model = readme_model(tmp_path)
    requests = []

    def urlopen(request):
        body = json.loads(request.data)
        requests.append(body)
        response = tf_serving_rest(model, request.full_url, body)
        return io.BytesIO(json.dumps(response).encode())

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    scope = {}
    exec(readme_block("rest-client"), scope)
    assert [b.get("signature_name") for b in requests] == [None, "generate"]
    expected = to_numpy(generator(scope["z"].astype("float32"), training=False))
    np.testing.assert_allclose(scope["images"], expected, atol=1e-5)
    assert scope["pixels"].shape == (16, 28, 28, 1)
    assert scope["pixels"].dtype == np.uint8

    curl = readme_block("rest-curl")
    body = json.loads(re.search(r"-d '(.*?)'", curl).group(1))
    assert "localhost:8501/v1/models/mnist:predict" in curl
    outputs = tf_serving_rest(
        model, "http://localhost:8501/v1/models/mnist:predict", body
    )["outputs"]
    assert sorted(outputs) == ["images", "images_uint8", "z"]
    assert np.array(outputs["images"]).shape == (4, 28, 28, 1)


def test_readme_grpc_client_maps_onto_the_signatures(tmp_path, monkeypatch):
    import tensorflow as tf
    from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

    generator, model = readme_model(tmp_path)
    seen = []

    class Stub:
        def __init__(self, channel):
            self.channel = channel

        def Predict(self, request, timeout):
            assert request.model_spec.name == "mnist"
            signature = model.signatures[request.model_spec.signature_name]
            inputs = {k: tf.make_ndarray(v) for k, v in request.inputs.items()}
            seen.append({k: v.dtype for k, v in inputs.items()})
            response = predict_pb2.PredictResponse()
            for name, value in _signature_call(signature, inputs).items():
                response.outputs[name].CopyFrom(tf.make_tensor_proto(value))
            return response

    monkeypatch.setattr(prediction_service_pb2_grpc, "PredictionServiceStub", Stub)
    scope = {}
    exec(readme_block("grpc-client"), scope)
    assert seen == [{"seed": np.int64, "num_samples": np.int32}]
    assert scope["pixels"].shape == (16, 28, 28, 1)
    assert scope["pixels"].dtype == np.uint8
    again = model.signatures["generate"](
        seed=tf.constant(7, tf.int64), num_samples=tf.constant(16)
    )
    np.testing.assert_array_equal(scope["pixels"], again["images_uint8"].numpy())
    np.testing.assert_allclose(
        again["images"].numpy(),
        to_numpy(generator(again["z"].numpy(), training=False)),
        atol=1e-5,
    )


MODEL_SERVER = shutil.which("tensorflow_model_server")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(
    MODEL_SERVER is None,
    reason="no tensorflow_model_server on the PATH (TF Serving's binary is not on "
    "PyPI); the session-loader tests above run its loading code path",
)
def test_tensorflow_model_server_answers_the_readme_clients(tmp_path):
    import urllib.error
    import urllib.request

    generator = image_generator(latent_dim=128)
    path = wk.export_generator(generator, tmp_path / "serving", model_name="mnist")
    rest, grpc = _free_port(), _free_port()
    log = open(tmp_path / "server.log", "w")
    server = subprocess.Popen(
        [MODEL_SERVER, f"--port={grpc}", f"--rest_api_port={rest}"]
        + ["--model_name=mnist", f"--model_base_path={os.path.dirname(path)}"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        status = f"http://127.0.0.1:{rest}/v1/models/mnist"
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            try:
                with urllib.request.urlopen(status, timeout=5) as response:
                    if "AVAILABLE" in response.read().decode():
                        break
            except (urllib.error.URLError, ConnectionError):
                pass
            assert time.monotonic() < deadline, "the model server did not start"
            time.sleep(0.5)
        scope = {}
        code = readme_block("rest-client").replace(
            "localhost:8501", f"127.0.0.1:{rest}"
        )
        exec(code, scope)
        expected = to_numpy(generator(scope["z"].astype("float32"), training=False))
        np.testing.assert_allclose(scope["images"], expected, atol=1e-5)
        assert scope["pixels"].shape == (16, 28, 28, 1)
        rest_pixels = scope["pixels"]
        scope = {}
        code = readme_block("grpc-client").replace(
            "localhost:8500", f"127.0.0.1:{grpc}"
        )
        exec(code, scope)
        np.testing.assert_array_equal(scope["pixels"], rest_pixels)  # seed 7 both
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_readme_onnx_snippet(tmp_path, monkeypatch):
    generator = image_generator(latent_dim=128)
    wk.export_generator(generator, tmp_path / "mnist.onnx", format="onnx")
    monkeypatch.chdir(tmp_path)
    scope = {}
    exec(readme_block("onnx-client"), scope)
    expected = to_numpy(generator(scope["z"], training=False))
    np.testing.assert_allclose(scope["images"], expected, atol=1e-5)
