"""Export generators for serving: TensorFlow SavedModels (TF Serving) and ONNX.

The SavedModel is always written by the TensorFlow backend. Under JAX or
PyTorch, `export_generator` saves the generator to a temporary `.keras` file
and writes the export in a child process with `KERAS_BACKEND=tensorflow`
(Keras' own PyTorch export needs torch_xla, and its JAX export embeds
StableHLO compiled for the exporting platform). Either way the result is a
plain TensorFlow graph that TF Serving runs on CPU or GPU.
"""

import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile

import keras

from wgan_keras._utils.files import (
    remove_stale_staging,
    staged_directory,
    staged_file,
    staging_prefix,
    write_text,
)
from wgan_keras._utils.validation import validate_int
from wgan_keras.export import tensorflow_writer
from wgan_keras.export.resolve import resolve_generator
from wgan_keras.export.serving import (  # noqa: F401
    MODELS_CONFIG,
    models_config,
    serving_command,
)

FORMATS = ("tf_saved_model", "onnx")
DTYPES = tuple(tensorflow_writer.COMPUTE_POLICIES)
# TF Serving parses the version folder's name as an int64.
MAX_VERSION = 2**63 - 1
# The temporary `.keras` copy that a child process exports from.
_COPY_STEM = "wgan-keras-export"
ONNX_FILE = "model.onnx"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def export_generator(
    generator_or_gan,
    path,
    format="tf_saved_model",
    overwrite=False,
    model_name=None,
    version=1,
    dtype="float32",
):
    """Exports a generator for serving, from any backend.

    With `format="tf_saved_model"` the SavedModel goes where TF Serving looks
    for it, `path/<model_name>/<version>/saved_model.pb`, and `path/models.config`
    is (re)written to list every model under `path`. It has two signatures,
    both with method name `tensorflow/serving/predict`:

    - `serving_default`: `z` float32 `(None, latent_dim)` -> `images` float32
      `(None, height, width, channels)` in [-1, 1];
    - `generate`: `seed` int64 scalar, `num_samples` int32 scalar -> `images`,
      `images_uint8` (0..255) and `z`. The same seed gives the same images
      (Philox, identical on CPU and GPU).

    A conditional generator (`num_classes`, inputs `[z, labels]`) takes
    `labels`, int32 `(None,)`, one per sample, in both signatures, beside `z`
    and beside `seed` and `num_samples`; labels outside `[0, num_classes)` are
    refused. Its SavedModel also holds `num_classes`, a function of no
    arguments (not a signature, so TF Serving does not list it), from which
    `wgan-keras sample` and `evaluate` draw every class in turn.

    With `format="onnx"` the `z -> images` function is written to
    `path/<model_name>/<version>/model.onnx`, or to `path` itself when it ends
    in `.onnx`.

    The generator runs in inference mode (batch norm with moving statistics,
    spectral normalization with its stored singular vector); a GAN with
    `ema_decay` exports its EMA generator. Everything is
    written to a temporary path and renamed into place: a failed export leaves
    nothing behind and an existing export is replaced only with
    `overwrite=True`.

    Args:
        generator_or_gan: a generator `keras.Model`, a `wk.WassersteinGAN` or
            the path of a `.keras` file holding either.
        path: the model repository folder (TF Serving's `/models`), or an
            `.onnx` file path.
        format: `"tf_saved_model"` or `"onnx"`.
        overwrite: bool, whether to replace an existing export.
        model_name: the served model's name; default the generator's name.
        version: int >= 1, the model version folder.
        dtype: what the generator computes in: `"float32"`, or `"bfloat16"`
            (SavedModel only; the weights stay float32 and each layer computes
            in bfloat16, as under Keras' `mixed_bfloat16` policy, which CPUs
            with AVX512-BF16 or AMX and recent GPUs run faster). Inputs and
            outputs stay float32.

    Returns:
        The path written: the SavedModel's version folder, or the `.onnx` file.

    Example:

    ```python
    gan.fit(images, epochs=10)
    wk.export_generator(gan, "serving", model_name="mnist")
    # serving/mnist/1/saved_model.pb and serving/models.config
    ```

    Reference:
        TensorFlow Serving, "Serving a TensorFlow Model" and "Model Server
        Configuration" (https://www.tensorflow.org/tfx/serving).
    """
    if format not in FORMATS:
        raise ValueError(
            f"`format` must be one of {FORMATS}. Received: format={format!r}"
        )
    if not isinstance(overwrite, bool):
        raise ValueError(
            f"`overwrite` must be a bool. Received: overwrite={overwrite!r}"
        )
    if dtype not in DTYPES:
        raise ValueError(f"`dtype` must be one of {DTYPES}. Received: dtype={dtype!r}")
    if format == "onnx" and dtype != "float32":
        raise ValueError(
            "ONNX exports compute in float32: onnxruntime's CPU kernels take no "
            f"bfloat16 convolutions. Received: format='onnx', dtype={dtype!r}"
        )
    validate_int("version", version)
    if version > MAX_VERSION:
        raise ValueError(
            "`version` must be an int >= 1 and <= 2**63 - 1 (TF Serving reads "
            f"it as an int64). Received: version={version!r}"
        )
    if format == "onnx" and importlib.util.find_spec("tf2onnx") is None:
        raise ImportError(
            "ONNX export needs tf2onnx and onnx: pip install 'wgan-keras[onnx]' "
            "(onnxruntime to run the result)."
        )
    path = os.path.abspath(os.fspath(path))
    generator, latent_dim = resolve_generator(generator_or_gan)
    model_name = generator.name if model_name is None else model_name
    if not isinstance(model_name, str) or not _NAME.fullmatch(model_name):
        raise ValueError(
            "`model_name` must be letters, digits, '_', '.' or '-' (it is part of "
            f"TF Serving's URLs). Received: model_name={model_name!r}"
        )

    if format == "onnx" and path.endswith(".onnx"):  # a single file
        with staged_file(path, overwrite=overwrite) as tmp:
            _write(generator, latent_dim, format, tmp, dtype)
        return path
    target = os.path.join(path, model_name, str(version))
    with staged_directory(target, overwrite=overwrite) as staging:
        destination = staging
        if format == "onnx":
            destination = os.path.join(staging, ONNX_FILE)
        _write(generator, latent_dim, format, destination, dtype)
    if format == "onnx":
        return os.path.join(target, ONNX_FILE)
    write_text(os.path.join(path, MODELS_CONFIG), models_config(path))
    return target


def _write(generator, latent_dim, format, target, dtype):
    backend = keras.config.backend()
    if backend == "tensorflow":
        tensorflow_writer.write(generator, latent_dim, format, target, dtype)
        return
    print(
        f"Exporting through the TensorFlow backend in a child process: Keras' "
        f"{backend} backend cannot write a SavedModel that TF Serving runs on "
        "any device. The weights travel in a temporary .keras file."
    )
    # Copies that killed exports left behind go first; ours carries our pid.
    remove_stale_staging(tempfile.gettempdir(), _COPY_STEM)
    with tempfile.TemporaryDirectory(prefix=staging_prefix(_COPY_STEM)) as tmp:
        model_file = os.path.join(tmp, "generator.keras")
        generator.save(model_file)
        _run_child(model_file, target, format, dtype)


def _run_child(model_file, target, format, dtype):
    env = dict(os.environ, KERAS_BACKEND="tensorflow")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    command = [
        sys.executable,
        "-m",
        "wgan_keras.export.tensorflow_writer",
        f"--model={model_file}",
        f"--target={target}",
        f"--format={format}",
        f"--dtype={dtype}",
        f"--parent_pid={os.getpid()}",
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode == 0:
        return
    for line in result.stderr.splitlines():
        if line.startswith(tensorflow_writer.ERROR_PREFIX):
            report = json.loads(line[len(tensorflow_writer.ERROR_PREFIX) :])
            error = {"FileNotFoundError": FileNotFoundError, "ImportError": ImportError}
            raise error.get(report["type"], ValueError)(report["message"])
    raise RuntimeError(
        f"The export child process failed (exit code {result.returncode}). "
        f"Its output:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    )
