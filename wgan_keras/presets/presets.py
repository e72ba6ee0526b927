"""Loading (and writing) the pretrained generators of `saved_models/`.

A preset is a folder `saved_models/<name>/` with the generator
(`generator.keras`), `metadata.json` (how it was trained and what it scores)
and a sample picture (`grid.png`). The registry (`registry.py`, in the
package, not beside the files) records each file's SHA-256; loading checks
the files against it and refuses a preset that does not match, then loads the
model with Keras' safe mode (no lambda or arbitrary-code deserialization).
"""

import hashlib
import json
import os

import keras

from wgan_keras.files import staged_directory
from wgan_keras.models import WassersteinGAN
from wgan_keras.presets.registry import PRESETS

MODEL_FILE = "generator.keras"
METADATA_FILE = "metadata.json"
GRID_FILE = "grid.png"

# saved_models/ sits beside the package in a clone (editable install); set
# WGAN_KERAS_SAVED_MODELS to use a copy elsewhere.
_DEFAULT_ROOT = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    "saved_models",
)


def saved_models_root():
    """The folder that holds the presets."""
    return os.environ.get("WGAN_KERAS_SAVED_MODELS", _DEFAULT_ROOT)


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


def _verified_path(name, file, kind="generator"):
    path = os.path.join(preset_dir(name, kind), file)
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"Preset {name!r} is registered but its file is missing. Received: "
            f"no {path}"
        )
    expected = PRESETS[name]["sha256"][file]
    actual = sha256_of(path)
    if actual != expected:
        raise ValueError(
            f"Preset {name!r}: {file} does not match the SHA-256 in the registry, "
            f"so it is not loaded (changed or damaged). Expected {expected}. "
            f"Received: {actual} for {path}"
        )
    return path


def load_generator(name):
    """Loads a pretrained generator by name.

    The file is checked against the SHA-256 in the package's registry and
    loaded with `safe_mode=True`. Works on every backend.

    Args:
        name: a preset name, one of `list_generators()`.

    Returns:
        A `keras.Model` from `(batch, latent_dim)` noise to samples (images in
        [-1, 1]).

    Example:

    ```python
    generator = wk.load_generator("gaussians8_mlp_gp")
    points = generator(keras.random.normal((512, generator.input_shape[-1])))
    ```
    """
    return load_preset_model(name, MODEL_FILE)


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


def save_preset(model, name, metadata, grid=None, root=None, model_file=MODEL_FILE):
    """Writes a preset folder atomically and returns its files' SHA-256s.

    Everything is written into a temporary folder beside the target, which then
    replaces it atomically: a crash leaves the previous preset whole. Record
    the returned hashes in `registry.py`.

    Args:
        model: the `keras.Model` to ship (saved without optimizer state).
        name: the preset's name (a folder name).
        metadata: a JSON-serializable dict.
        grid: a PIL image of samples, or None.
        root: the folder of presets; default `saved_models/`.
        model_file: the model's file name in the folder.

    Returns:
        `{file name: sha256}`.
    """
    root = root or saved_models_root()
    with staged_directory(os.path.join(root, name), overwrite=True) as staging:
        _without_optimizer(model).save(os.path.join(staging, model_file))
        with open(os.path.join(staging, METADATA_FILE), "w") as f:
            json.dump(metadata, f, indent=2, sort_keys=True)
            f.write("\n")
        files = [model_file, METADATA_FILE]
        if grid is not None:
            grid.save(os.path.join(staging, GRID_FILE))
            files.append(GRID_FILE)
        hashes = {file: sha256_of(os.path.join(staging, file)) for file in files}
    return hashes
