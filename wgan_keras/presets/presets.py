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
import shutil
import tempfile

import keras

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


def preset_dir(name):
    """The folder of preset `name` (checked against the registry)."""
    _check_name(name)
    return os.path.join(saved_models_root(), name)


def _check_name(name):
    if name not in PRESETS:
        raise ValueError(
            f"Unknown preset. Known presets: {', '.join(sorted(PRESETS))}. "
            f"Received: name={name!r}"
        )


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _verified_path(name, file):
    path = os.path.join(preset_dir(name), file)
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
    path = _verified_path(name, MODEL_FILE)
    return keras.saving.load_model(path, compile=False, safe_mode=True)


def list_generators():
    """Every preset's metadata (its `metadata.json`), by name."""
    presets = {}
    for name in sorted(PRESETS):
        with open(_verified_path(name, METADATA_FILE)) as f:
            presets[name] = json.load(f)
    return presets


def save_preset(generator, name, metadata, grid, root=None):
    """Writes a preset folder atomically and returns its files' SHA-256s.

    Everything is written into a temporary folder beside the target, which is
    then renamed into place: a crash leaves the previous preset whole. Record
    the returned hashes in `registry.py`.

    Args:
        generator: the `keras.Model` to ship.
        name: the preset's name (a folder name).
        metadata: a JSON-serializable dict.
        grid: a PIL image of samples.
        root: the folder of presets; default `saved_models/`.

    Returns:
        `{file name: sha256}`.
    """
    root = root or saved_models_root()
    os.makedirs(root, exist_ok=True)
    target = os.path.join(root, name)
    staging = tempfile.mkdtemp(prefix=f".{name}-", dir=root)
    try:
        os.chmod(staging, 0o755)  # mkdtemp makes it private
        generator.save(os.path.join(staging, MODEL_FILE))
        with open(os.path.join(staging, METADATA_FILE), "w") as f:
            json.dump(metadata, f, indent=2, sort_keys=True)
            f.write("\n")
        grid.save(os.path.join(staging, GRID_FILE))
        hashes = {
            file: sha256_of(os.path.join(staging, file))
            for file in (MODEL_FILE, METADATA_FILE, GRID_FILE)
        }
        if os.path.exists(target):
            old = f"{staging}.old"
            os.replace(target, old)
            os.replace(staging, target)
            shutil.rmtree(old)
        else:
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return hashes
