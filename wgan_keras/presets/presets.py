"""Loading and writing presets: pretrained generators in folders.

A preset is a folder with the generator (`generator.keras`), `metadata.json`
(how it was trained, what it scores, and the SHA-256 of the other files) and
a sample picture (`grid.png`). The shipped presets live in `saved_models/` at
the top of the repository, which the build installs as
`wgan_keras/saved_models/`; the registry (`registry.py`, in the package, not
beside the files) records each file's SHA-256. Loading checks the files
against the registry (a shipped preset) or against the folder's own metadata
(a preset folder of yours) and refuses a mismatch, then loads the model in
Keras' safe mode (no lambda or arbitrary-code deserialization).
"""

import hashlib
import json
import os

import keras
import numpy as np
from PIL import Image

from wgan_keras._utils.files import staged_directory
from wgan_keras.models import WassersteinGAN
from wgan_keras.presets.registry import PRESETS

MODEL_FILE = "generator.keras"
METADATA_FILE = "metadata.json"
GRID_FILE = "grid.png"

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# An installed package holds the presets (the build maps saved_models/ there);
# a clone keeps them beside the package. WGAN_KERAS_SAVED_MODELS overrides.
_INSTALLED_ROOT = os.path.join(_PACKAGE, "saved_models")
_CLONE_ROOT = os.path.join(os.path.dirname(_PACKAGE), "saved_models")


def saved_models_root():
    """The folder that holds the shipped presets."""
    if "WGAN_KERAS_SAVED_MODELS" in os.environ:
        return os.environ["WGAN_KERAS_SAVED_MODELS"]
    return _INSTALLED_ROOT if os.path.isdir(_INSTALLED_ROOT) else _CLONE_ROOT


def preset_dir(name, kind="generator"):
    """The folder of preset `name` (checked against the registry)."""
    _check_name(name, kind)
    return os.path.join(saved_models_root(), name)


def _names(kind):
    return sorted(n for n, e in PRESETS.items() if e.get("kind", "generator") == kind)


def _check_name(name, kind):
    if name not in _names(kind):
        raise ValueError(
            f"Unknown {kind}. Known {kind}s: {', '.join(_names(kind))}. "
            f"Received: name={name!r}"
        )


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_hash(path, expected, owner, source):
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"{owner} lists a file that is missing. Received: no {path}"
        )
    actual = sha256_of(path)
    if actual != expected:
        raise ValueError(
            f"{owner}: {os.path.basename(path)} does not match the SHA-256 in "
            f"{source}, so it is not loaded (changed or damaged). Expected "
            f"{expected}. Received: {actual} for {path}"
        )


def _verified_path(name, file, kind="generator"):
    path = os.path.join(preset_dir(name, kind), file)
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"Preset {name!r} is registered but its file is missing. Received: "
            f"no {path}"
        )
    _check_hash(path, PRESETS[name]["sha256"][file], f"Preset {name!r}", "the registry")
    return path


def load_generator(name):
    """Loads a pretrained generator by name, or a preset folder of yours.

    A shipped preset's files are checked against the SHA-256s in the
    package's registry; a preset folder (as `save_preset` writes it) against
    the SHA-256s in its own `metadata.json`. Either is refused when a file does
    not match, then loaded with `safe_mode=True`. Works on every backend.

    Args:
        name: a preset name, one of `list_generators()`, or the path of a
            preset folder.

    Returns:
        A `keras.Model` from `(batch, latent_dim)` noise to samples (images in
        [-1, 1]); a conditional preset's (its metadata has `num_classes`) takes
        `[z, labels]`, labels int32 `(batch,)`.

    Example:

    ```python
    generator = wk.load_generator("gaussians8_mlp_gp")
    points = generator(keras.random.normal((512, generator.input_shape[-1])))
    wk.presets.save_preset(gan, "my_preset")
    generator = wk.load_generator("my_preset")  # a folder path
    digits = wk.load_generator("mnist_dcgan_sn_conditional")
    sevens = digits([keras.random.normal((16, 128)), np.full(16, 7, "int32")])
    ```
    """
    if isinstance(name, (str, os.PathLike)) and name not in _names("generator"):
        folder = os.fspath(name)
        if os.path.isdir(folder):
            return _load_folder(folder)
    return load_preset_model(name, MODEL_FILE)


def _load_folder(folder):
    """A preset folder's generator, checked against its metadata's hashes."""
    metadata_path = os.path.join(folder, METADATA_FILE)
    try:
        with open(metadata_path) as f:
            hashes = json.load(f).get("sha256")
    except (OSError, ValueError, AttributeError) as error:
        raise ValueError(
            f"A preset folder needs a readable {METADATA_FILE} (as "
            f"wk.presets.save_preset writes it). Received: {metadata_path} "
            f"({type(error).__name__}: {error})"
        ) from None
    if (
        not isinstance(hashes, dict)
        or MODEL_FILE not in hashes
        or any(os.path.basename(file) != file for file in hashes)
    ):
        raise ValueError(
            f"A preset folder's {METADATA_FILE} must record the SHA-256 of "
            f"{MODEL_FILE} (and of the folder's other files, by plain name) under "
            "`sha256`, so that they can be checked before anything is loaded. "
            f"Received: sha256={hashes!r} in {metadata_path}"
        )
    for file, expected in sorted(hashes.items()):
        _check_hash(
            os.path.join(folder, file), expected, f"Preset {folder!r}", METADATA_FILE
        )
    return keras.saving.load_model(
        os.path.join(folder, MODEL_FILE), compile=False, safe_mode=True
    )


def load_preset_model(name, file, kind="generator"):
    """Loads a registered model file, hash-checked, in Keras' safe mode."""
    path = _verified_path(name, file, kind)
    return keras.saving.load_model(path, compile=False, safe_mode=True)


def read_metadata(name, kind="generator"):
    """A preset's `metadata.json`, hash-checked."""
    with open(_verified_path(name, METADATA_FILE, kind)) as f:
        return json.load(f)


def list_generators():
    """Every preset's metadata (its `metadata.json`), by name."""
    return {name: read_metadata(name) for name in _names("generator")}


def describe_networks(gan):
    """A GAN's two networks as a preset's `metadata.json` records them.

    Each entry is the network's Keras serialization (its class and constructor
    arguments, from which `keras.saving.deserialize_keras_object` builds the
    same architecture, untrained) and its parameter count. The examples write
    it into their `run.json`, and `scripts/make_preset.py` copies it into the
    preset's metadata as `networks`.

    Args:
        gan: a `wk.WassersteinGAN`; its `generator` and `critic` are described
            (not the generator EMA, a copy of the generator).

    Returns:
        `{"generator": {...}, "critic": {...}}`, each a JSON-serializable dict
        with `class_name`, `config` and `parameters`.

    Example:

    ```python
    wk.presets.describe_networks(gan)["critic"]["parameters"]
    # A preset's critic, rebuilt (untrained) from its metadata:
    networks = wk.presets.read_metadata("mnist_dcgan_clip")["networks"]
    critic = keras.saving.deserialize_keras_object(networks["critic"])
    ```
    """
    if not isinstance(gan, WassersteinGAN):
        raise ValueError(
            "`gan` must be a `wk.WassersteinGAN` (it has the generator and the "
            f"critic to describe). Received: gan of type {type(gan).__name__}"
        )
    return {
        role: {
            **keras.saving.serialize_keras_object(network),
            "parameters": int(network.count_params()),
        }
        for role, network in (("generator", gan.generator), ("critic", gan.critic))
    }


def _without_optimizer(model):
    """`model`, or an uncompiled copy with its weights when it has an optimizer.

    A `.keras` file holds the optimizer's state of a compiled model (Keras 3
    ignores `include_optimizer` for it); a preset ships weights only.
    """
    if getattr(model, "optimizer", None) is None:
        return model
    # From the config, not `clone_model`, which carries the compile state over.
    copy = type(model).from_config(model.get_config())
    copy.set_weights(model.get_weights())
    return copy


def describe_training(gan):
    """How `gan` was trained, as a preset's metadata records it.

    The method (the class), its configuration (critic steps, penalty weight,
    clip value, EMA decay, ...), both optimizers and the generator steps done,
    with the backend and Keras version.
    """
    config = {
        key: value
        for key, value in gan.get_config().items()
        if key not in ("generator", "critic", "name", "trainable", "dtype")
    }
    optimizers = {}
    for role in ("critic", "generator"):
        optimizer = getattr(gan, f"{role}_optimizer", None)
        if optimizer is not None:
            optimizers[role] = keras.saving.serialize_keras_object(optimizer)
    steps = getattr(gan, "generator_optimizer", None)
    return {
        "method": type(gan).__name__,
        "config": config,
        "optimizers": optimizers,
        "generator_steps": int(keras.ops.convert_to_numpy(steps.iterations))
        if steps is not None
        else 0,
        "backend": keras.config.backend(),
        "keras_version": keras.__version__,
    }


def preset_grid(generator, seed=0):
    """A preset's picture: 64 samples in a grid, or 2,000 2-D points plotted.

    A conditional generator's grid has a row per class (up to 20), each
    column one noise vector drawn as every class.
    """
    from wgan_keras.models import generate_samples
    from wgan_keras.models.sampling import (
        MAX_GRID_CLASSES,
        class_grid_inputs,
        generator_classes,
    )
    from wgan_keras.visualization import image_grid, scatter_plot

    num_classes = generator_classes(generator)
    if isinstance(num_classes, int) and not isinstance(num_classes, bool):
        classes = range(min(num_classes, MAX_GRID_CLASSES))
        columns = 10
        latent_dim = generator.input_shape[0][-1]
        z = np.random.default_rng(seed).standard_normal((columns, latent_dim))
        samples = generator.predict_on_batch(class_grid_inputs(z, classes))
        return image_grid(np.asarray(samples, "float32"), columns=columns)
    shape = tuple(generator.output_shape[1:])
    if shape == (2,):
        return scatter_plot(generate_samples(generator, 2000, seed), extent=2.2)
    if len(shape) == 3 and shape[-1] in (1, 3):
        return image_grid(generate_samples(generator, 64, seed))
    return None


def save_preset(
    gan_or_generator,
    directory,
    metadata=None,
    grid=True,
    overwrite=False,
    model_file=MODEL_FILE,
):
    """Writes a preset folder atomically: generator, metadata and grid.

    The folder holds the generator (saved without optimizer state; a GAN's
    EMA generator where it keeps one), `metadata.json` and `grid.png`.
    Metadata describes a GAN's networks and training (`networks`, `training`),
    records the SHA-256 of the other files (`sha256`, which
    `wk.load_generator(directory)` checks), and takes your `metadata` (data,
    metrics, ...) on top. Everything is written into a hidden temporary folder
    beside `directory`, which then replaces it atomically: a crash leaves the
    previous preset whole.

    Args:
        gan_or_generator: a `wk.WassersteinGAN` or a generator `keras.Model`
            (or any model to ship, such as a classifier).
        directory: the preset folder to write.
        metadata: a JSON-serializable dict merged into the metadata, e.g.
            `{"data": "mnist", "metrics": wk.evaluation.evaluate_generator(...)}`.
        grid: True to draw samples (64 images in a grid, or 2,000 2-D points;
            seed 0), False for no picture, or a PIL image to ship.
        overwrite: bool, whether an existing `directory` may be replaced.
        model_file: the model's file name in the folder.

    Returns:
        `{file name: sha256}` for every file written, `metadata.json`
        included (what a registry of shipped presets records).

    Example:

    ```python
    gan.fit(images, epochs=10)
    wk.presets.save_preset(gan, "presets/mnist", {"data": "mnist"})
    generator = wk.load_generator("presets/mnist")
    ```
    """
    if not isinstance(gan_or_generator, keras.Model):
        raise ValueError(
            "`gan_or_generator` must be a `wk.WassersteinGAN` or a `keras.Model`. "
            f"Received: gan_or_generator of type {type(gan_or_generator).__name__}"
        )
    if metadata is not None and not isinstance(metadata, dict):
        raise ValueError(
            f"`metadata` must be a dict or None. Received: metadata={metadata!r}"
        )
    if not (isinstance(grid, bool) or isinstance(grid, Image.Image)):
        raise ValueError(
            f"`grid` must be True, False or a PIL image. Received: grid={grid!r}"
        )
    if not isinstance(overwrite, bool):
        raise ValueError(
            f"`overwrite` must be a bool. Received: overwrite={overwrite!r}"
        )
    record = {}
    model = gan_or_generator
    if isinstance(model, WassersteinGAN):
        record["networks"] = describe_networks(model)
        record["training"] = describe_training(model)
        record["method"] = type(model).__name__
        model = model.sampling_generator
    inputs = getattr(model, "inputs", None) or []
    if len(inputs) in (1, 2) and len(inputs[0].shape) == 2:  # z, or [z, labels]
        record["latent_dim"] = int(inputs[0].shape[-1])
    if len(inputs) == 2 and getattr(model, "num_classes", None):
        record["num_classes"] = int(model.num_classes)
    record.update(metadata or {})
    json.dumps(record)  # not JSON-serializable: refused before anything is written
    picture = preset_grid(model) if grid is True else grid or None

    with staged_directory(directory, overwrite=overwrite) as staging:
        _without_optimizer(model).save(os.path.join(staging, model_file))
        files = [model_file]
        if picture is not None:
            picture.save(os.path.join(staging, GRID_FILE))
            files.append(GRID_FILE)
        record["sha256"] = {f: sha256_of(os.path.join(staging, f)) for f in files}
        with open(os.path.join(staging, METADATA_FILE), "w") as f:
            json.dump(record, f, indent=2, sort_keys=True)
            f.write("\n")
        metadata_hash = sha256_of(os.path.join(staging, METADATA_FILE))
        hashes = {**record["sha256"], METADATA_FILE: metadata_hash}
    return hashes
