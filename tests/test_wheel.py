"""An installed wheel does everything a clone does, away from the clone.

The test builds the wheel from a copy of the repository's packaged files,
installs it (without dependencies) into a new virtual environment, and runs
it from a temporary working directory: the source tree is on no path. The
new environment reaches the dependencies through a `.pth` line naming this
environment's site-packages, which adds that folder to `sys.path` without
running its `.pth` files, so this environment's editable install of
wgan-keras stays invisible there. Everything runs under this run's backend.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import typing

import keras
import numpy as np
import pytest
from serving_readback import ServingClient, assert_serves, read_back

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGED = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md")
PRESETS = (
    "gaussians8_mlp_gp",
    "mnist_dcgan_clip",
    "mnist_dcgan_gp",
    "mnist_dcgan_sn",
    "mnist_dcgan_sn_conditional",
)
pytestmark = pytest.mark.skipif(
    keras.config.backend() != "tensorflow",
    reason="the wheel is checked once, in the TensorFlow run, every backend inside",
)

CHECK_PRESETS = """
import json, sys
import keras, numpy as np
import wgan_keras as wk
report = {"file": wk.__file__, "backend": keras.config.backend(), "presets": {}}
for name, metadata in sorted(wk.list_generators().items()):
    generator = wk.load_generator(name)
    z = np.random.default_rng(0).standard_normal((3, metadata["latent_dim"]))
    inputs = z.astype("float32")
    if "num_classes" in metadata:
        inputs = [inputs, np.arange(3, dtype="int32")]
    out = keras.ops.convert_to_numpy(generator(inputs, training=False))
    report["presets"][name] = [list(out.shape), float(np.abs(out).max())]
classifier = wk.metrics.mnist_classifier()
report["classifier_inputs"] = list(classifier.input_shape)
print("REPORT " + json.dumps(report))
"""


class Install(typing.NamedTuple):
    python: str  # the new environment's interpreter
    bin: str  # its scripts folder (wgan-keras)
    work: str  # a temporary working directory
    purelib: str  # its site-packages
    wheel: str  # the wheel installed


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """An `Install` of the wheel into a fresh environment."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    source.mkdir()
    for name in PACKAGED:
        shutil.copy(os.path.join(ROOT, name), source / name)
    for folder in ("wgan_keras", "saved_models"):
        shutil.copytree(
            os.path.join(ROOT, folder),
            source / folder,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    subprocess.run(
        pip
        + ["wheel", "--no-deps", "--no-build-isolation", "-q", str(source)]
        + ["-w", str(tmp / "dist")],
        check=True,
        capture_output=True,
    )
    (wheel,) = os.listdir(tmp / "dist")
    venv = tmp / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True
    )
    python = str(venv / "bin" / "python")
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    with open(os.path.join(purelib, "dependencies.pth"), "w") as f:
        f.write(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        pip
        + ["--python", python, "install", "--no-deps", "-q"]
        + [str(tmp / "dist" / wheel)],
        check=True,
        capture_output=True,
    )
    work = tmp / "work"
    work.mkdir()
    return Install(python, str(venv / "bin"), str(work), purelib, tmp / "dist" / wheel)


def run_installed(installed, *command, backend=None, timeout=600):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    env["PATH"] = installed.bin + os.pathsep + env["PATH"]
    env.pop("PYTHONPATH", None)
    env.pop("WGAN_KERAS_SAVED_MODELS", None)
    if backend is not None:
        env["KERAS_BACKEND"] = backend
    result = subprocess.run(
        list(command),
        cwd=installed.work,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, (
        f"{command}:\n{result.stdout[-2000:]}\n" + (result.stderr[-3000:])
    )
    return result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_wheel_carries_the_presets_and_loads_them_from_anywhere(installed, backend):
    assert os.path.getsize(installed.wheel) > 5e6  # the presets travel in it
    stdout = run_installed(
        installed, installed.python, "-c", CHECK_PRESETS, backend=backend
    )
    report = json.loads(stdout.split("REPORT ", 1)[1])
    assert report["file"].startswith(installed.purelib)  # the wheel, not the clone
    assert report["backend"] == backend
    assert sorted(report["presets"]) == list(PRESETS)
    for name, (shape, largest) in report["presets"].items():
        assert shape == ([3, 2] if name.startswith("gaussians") else [3, 28, 28, 1])
        assert 0 < largest <= (10 if name.startswith("gaussians") else 1)
    assert report["classifier_inputs"] == [None, 28, 28, 1]


@pytest.mark.slow
@pytest.mark.parametrize("method", ["clip", "gp", "sn"])
def test_installed_command_trains_a_smoke_run(installed, method):
    out = f"outputs/{method}"
    stdout = run_installed(
        installed,
        "wgan-keras",
        "train",
        "--smoke",
        f"--method={method}",
        f"--output_dir={out}",
    )
    cls = {"clip": "WGAN", "gp": "WGANGP", "sn": "SNWGAN"}[method]
    assert f"Training {cls} on gaussians8" in stdout
    folder = os.path.join(installed.work, out)
    for name in ("gan.keras", "generator.keras", "run.json", "backup"):
        assert os.path.exists(os.path.join(folder, name)), name
    with open(os.path.join(folder, "run.json")) as f:
        assert json.load(f)["generator_steps"] == 4


@pytest.mark.slow
def test_installed_command_samples_evaluates_and_exports(installed, tmp_path):
    work = installed.work
    stdout = run_installed(
        installed,
        installed.python,
        "-m",
        "wgan_keras",
        "sample",
        "--preset",
        "mnist_dcgan_gp",
        "--output_dir",
        "samples",
    )
    assert "Wrote samples/interpolation.png" in stdout
    for name in ("samples.png", "interpolation.png"):
        assert os.path.getsize(os.path.join(work, "samples", name)) > 1000

    stdout = run_installed(
        installed, "wgan-keras", "evaluate", "--preset", "gaussians8_mlp_gp", "--json"
    )
    results = json.loads(stdout[stdout.index("{") :])
    assert results["modes_covered_3sigma"] == 8

    run_installed(
        installed,
        "wgan-keras",
        "export",
        "--preset",
        "mnist_dcgan_gp",
        "--out",
        "serving",
        "--name",
        "mnist",
    )
    client = ServingClient(tmp_path / "client.log")
    try:
        z = np.random.default_rng(0).standard_normal((4, 128)).astype("float32")
        saved_model = os.path.join(work, "serving", "mnist", "1")
        readbacks = read_back(client, saved_model, tmp_path, z)
    finally:
        client.close()
    import wgan_keras as wk

    generator = wk.load_generator("mnist_dcgan_gp")  # the clone's copy
    assert_serves(
        readbacks,
        lambda z: keras.ops.convert_to_numpy(generator(z, training=False)),
        z,
    )


@pytest.mark.slow
def test_tampered_installed_preset_is_refused(installed):
    model = os.path.join(
        installed.purelib,
        "wgan_keras",
        "saved_models",
        "gaussians8_mlp_gp",
        "generator.keras",
    )
    original = open(model, "rb").read()
    data = bytearray(original)
    data[len(data) // 2] ^= 0xFF
    try:
        with open(model, "wb") as f:
            f.write(bytes(data))
        code = (
            "import wgan_keras as wk\n"
            "try:\n    wk.load_generator('gaussians8_mlp_gp')\n"
            "except ValueError as e:\n    print('REFUSED', e)\n"
        )
        stdout = run_installed(installed, installed.python, "-c", code)
        assert "REFUSED" in stdout and "does not match the SHA-256" in stdout
    finally:
        with open(model, "wb") as f:
            f.write(original)
