"""Image data for training: tensorflow-datasets, `.npz` files, arrays, folders.

Every source ends in the same `tf.data` pipeline: uint8 images kept in memory
(or cached), reshuffled each epoch, batched with `drop_remainder` so every
critic update gets a full batch of its own, scaled to float32 in [-1, 1] (the
generator's `tanh` range) and prefetched. `WassersteinGAN.fit` takes the
batches as they are: one batch is one critic batch.

The `tf.data` pipeline itself is built in `wgan_keras.data.tf_dataset`, the
package's one `tf.data` module, imported here lazily; `fit` reads the
batches on every Keras backend.
"""

import os

import numpy as np

from wgan_keras._utils.downloads import GOOGLE_STORAGE, can_reach
from wgan_keras._utils.files import open_npz
from wgan_keras._utils.validation import validate_int

# tensorflow-datasets names and how each is prepared. `crop` is a centred square
# crop before resizing (the DCGAN CelebA crop); `size` the default image size.
TFDS_DATASETS = {
    "mnist": {"tfds_name": "mnist", "size": 28, "channels": 1},
    "fashion_mnist": {"tfds_name": "fashion_mnist", "size": 28, "channels": 1},
    "cifar10": {"tfds_name": "cifar10", "size": 32, "channels": 3},
    "celeb_a": {"tfds_name": "celeb_a", "size": 64, "channels": 3, "crop": 108},
    "lsun_bedroom": {"tfds_name": "lsun/bedroom", "size": 64, "channels": 3},
}
# `lsun/bedroom` is also accepted, as tensorflow-datasets spells it.
_TFDS_ALIASES = {"lsun/bedroom": "lsun_bedroom", "lsun": "lsun_bedroom"}

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
NPZ_SPLITS = {"train": "x_train", "test": "x_test"}

# Hosts that tensorflow-datasets downloads from; one must answer for a download.
_DOWNLOAD_PROBE = GOOGLE_STORAGE


def load_images(
    name_or_path,
    split="train",
    image_size=None,
    batch_size=64,
    shuffle=True,
    seed=None,
    data_dir=None,
    repeat=False,
    channels=None,
):
    """Real images as a `tf.data.Dataset` of float32 NHWC batches in [-1, 1].

    Args:
        name_or_path: where the images come from:
            - a tensorflow-datasets name: `"mnist"`, `"fashion_mnist"`,
              `"cifar10"`, `"celeb_a"` (centre crop 108, then 64x64, as in
              DCGAN) or `"lsun_bedroom"` (`"lsun/bedroom"`; the WGAN paper's
              64x64 bedrooms);
            - a `.npz` file in Keras' `mnist.npz` layout (`x_train`, `x_test`);
            - a folder of image files (searched recursively);
            - a numpy array of images `(N, H, W)` or `(N, H, W, C)`: uint8 in
              0..255, or floating point already in [-1, 1].
        split: `"train"` or `"test"` for tensorflow-datasets and `.npz`
            sources; ignored for arrays and folders.
        image_size: int or None: resize to `image_size x image_size` (bilinear,
            after any crop); None keeps the source's size (tfds sources get
            their standard size).
        batch_size: int, samples per critic batch (the paper's m).
        shuffle: reshuffle the images every epoch.
        seed: int or None, seeds the shuffle.
        data_dir: tensorflow-datasets data directory (where prepared or
            manually downloaded data lives).
        repeat: repeat forever (then give `fit` a `steps_per_epoch`).
        channels: 1 or 3 to convert a folder's images to grey or RGB; by
            default the first image's mode decides.

    Returns:
        A `tf.data.Dataset` of `(batch_size, H, W, C)` float32 batches.

    Raises:
        ValueError: for unknown names, missing files, bad shapes or values,
            or a dataset that is not on disk when it cannot be downloaded.

    Example:

    ```python
    images = wk.datasets.load_images("../shared/data/mnist.npz", batch_size=64)
    gan.fit(images, epochs=10)
    ```
    """
    validate_int("batch_size", batch_size)
    if image_size is not None:
        validate_int("image_size", image_size)
    if channels not in (None, 1, 3):
        raise ValueError(
            f"`channels` must be 1, 3 or None. Received: channels={channels!r}"
        )
    if split not in NPZ_SPLITS:
        raise ValueError(
            f"`split` must be one of {sorted(NPZ_SPLITS)}. Received: split={split!r}"
        )

    if isinstance(name_or_path, np.ndarray):
        images = _array_images(name_or_path, "name_or_path")
        return _pipeline(images, batch_size, image_size, shuffle, seed, repeat)
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise ValueError(
            "`name_or_path` must be a dataset name, a path or a numpy array. "
            f"Received: name_or_path of type {type(name_or_path).__name__}"
        )
    source = os.fspath(name_or_path)
    key = _TFDS_ALIASES.get(source, source)
    if source.endswith(".npz"):
        images = _npz_images(source, split)
    elif os.path.isdir(source):
        images = _folder_images(source, image_size, channels)
    elif key in TFDS_DATASETS:
        return _tfds_pipeline(
            key, split, data_dir, batch_size, image_size, shuffle, seed, repeat
        )
    else:
        raise ValueError(
            "`name_or_path` must be a tensorflow-datasets name "
            f"({', '.join(TFDS_DATASETS)}), a .npz file, a folder of images "
            f"or a numpy array. Received: name_or_path={source!r}, which is "
            "none of those (no such file or folder)"
        )
    return _pipeline(images, batch_size, image_size, shuffle, seed, repeat)


def read_images(path, split="train"):
    """All images of a `.npz` split or a folder, as float32 in [-1, 1].

    For evaluation, where every image counts: no batching, no shuffle, and no
    TensorFlow.

    Args:
        path: a `.npz` in Keras' mnist.npz layout, or a folder of images (of
            one size).
        split: `"train"` or `"test"` (`.npz` only).

    Returns:
        An `(n, H, W, C)` float32 array.

    Example:

    ```python
    test_images = wk.datasets.read_images("mnist.npz", split="test")
    ```
    """
    source = os.fspath(path)
    if source.endswith(".npz"):
        if split not in NPZ_SPLITS:
            raise ValueError(
                f"`split` must be one of {sorted(NPZ_SPLITS)}. "
                f"Received: split={split!r}"
            )
        images = _npz_images(source, split)
    elif os.path.isdir(source):
        images = _folder_images(source, None, None)
    else:
        raise ValueError(
            "`path` must be a .npz file or a folder of images. "
            f"Received: path={source!r}"
        )
    if images.dtype == np.uint8:
        return images.astype("float32") / 127.5 - 1.0
    return images


def read_labels(path, split="train"):
    """The class labels of a `.npz` split (`y_train`, `y_test`), as int32.

    They label `read_images(path, split)` row for row, for a conditional GAN.

    Args:
        path: a `.npz` in Keras' mnist.npz layout.
        split: `"train"` or `"test"`.

    Returns:
        An `(n,)` int32 array (Keras' CIFAR-10 `(n, 1)` labels flattened).

    Example:

    ```python
    labels = wk.datasets.read_labels("mnist.npz")
    gan.fit(wk.datasets.read_images("mnist.npz"), labels)
    ```
    """
    source = os.fspath(path)
    if split not in NPZ_SPLITS:
        raise ValueError(
            f"`split` must be one of {sorted(NPZ_SPLITS)}. Received: split={split!r}"
        )
    if not (source.endswith(".npz") and os.path.isfile(source)):
        raise ValueError(
            "`path` must be a .npz file with labels (Keras' mnist.npz layout). "
            f"Received: path={source!r}"
        )
    key = NPZ_SPLITS[split].replace("x_", "y_")
    labels = _npz_array(source, key, split, "path")
    if labels.ndim == 2 and labels.shape[1] == 1:  # Keras' CIFAR-10: (n, 1)
        labels = labels[:, 0]
    if labels.dtype.kind not in "iu" or labels.ndim != 1:
        raise ValueError(
            f"`{key}` must hold integer labels, shape (n,) or (n, 1). Received: "
            f"dtype {labels.dtype}, shape {labels.shape}"
        )
    return labels.astype("int32")


def _array_images(x, name):
    """Checks an image array; returns it as (N, H, W, C), uint8 or float32."""
    x = np.asarray(x)
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[-1] not in (1, 3, 4):
        raise ValueError(
            f"`{name}` must hold images of shape (N, H, W) or (N, H, W, C) with "
            f"C in (1, 3, 4). Received: {name} with shape {x.shape}"
        )
    if x.dtype == np.uint8:
        return x
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(
            f"`{name}` must be uint8 in 0..255 or floating point in [-1, 1]. "
            f"Received: {name} with dtype {x.dtype}"
        )
    if not np.all(np.isfinite(x)):
        raise ValueError(
            f"`{name}` must be finite. Received: {name} with "
            f"{int(np.size(x) - np.isfinite(x).sum())} NaN or inf values"
        )
    low, high = float(x.min()), float(x.max())
    if low < -1.0 - 1e-3 or high > 1.0 + 1e-3:
        raise ValueError(
            f"Floating-point `{name}` must be scaled to [-1, 1] (e.g. "
            f"`x / 127.5 - 1`), or given as uint8. Received: {name} with values "
            f"in [{low:g}, {high:g}]"
        )
    return x.astype("float32")


def _npz_images(path, split):
    if not os.path.isfile(path):
        raise ValueError(f"No such .npz file. Received: name_or_path={path!r}")
    key = NPZ_SPLITS[split]
    images = _npz_array(path, key, split, "name_or_path")
    return _array_images(images, f"{os.path.basename(path)}[{key!r}]")


def _npz_array(path, key, split, argument):
    """Array `key` of a `.npz` file; `argument` names the path in errors."""
    with open_npz(path, argument) as archive:
        if key not in archive.files:
            raise ValueError(
                f"The .npz file must hold `{key}` for split={split!r} (Keras' "
                f"mnist.npz layout). Received: {path!r} with keys {archive.files}"
            )
        return archive[key]


def _folder_images(path, image_size, channels):
    from PIL import Image

    files = sorted(
        os.path.join(root, name)
        for root, _, names in os.walk(path)
        for name in names
        if name.lower().endswith(IMAGE_EXTENSIONS)
    )
    if not files:
        raise ValueError(
            f"The folder holds no images ({', '.join(IMAGE_EXTENSIONS)}). "
            f"Received: name_or_path={path!r}"
        )
    images = []
    for file in files:
        with Image.open(file) as image:
            if channels is None:
                channels = 1 if image.mode in ("1", "L", "I", "I;16", "F") else 3
            image = image.convert("L" if channels == 1 else "RGB")
            if image_size is not None:
                image = image.resize((image_size, image_size), Image.BILINEAR)
            array = np.asarray(image, dtype=np.uint8)
        if images and array.shape[:2] != images[0].shape[:2]:
            raise ValueError(
                "The folder's images differ in size; pass `image_size` to resize "
                f"them. Received: {files[0]} of {images[0].shape[:2]} and {file} "
                f"of {array.shape[:2]}"
            )
        images.append(array)
    return _array_images(np.stack(images), "name_or_path")


def _tfds_pipeline(key, split, data_dir, batch_size, image_size, shuffle, seed, repeat):
    from wgan_keras.data import tf_dataset

    spec = TFDS_DATASETS[key]
    builder = tf_dataset.tfds_builder(spec["tfds_name"], data_dir)
    if not builder.is_prepared():
        if not _can_download():
            raise ValueError(
                f"The tensorflow-datasets dataset {spec['tfds_name']!r} is not "
                f"prepared in {builder.data_dir!r} and cannot be downloaded "
                f"({_DOWNLOAD_PROBE[0]} is unreachable). Provide it in one of "
                "these ways: pass a local .npz file in Keras' mnist.npz layout "
                "(x_train, x_test) or a folder of images as `name_or_path`; "
                "point `data_dir` at a directory where it is prepared (run "
                "`tfds build` on a connected machine and copy the directory); or "
                "place the manual download under `<data_dir>/downloads/manual` "
                f"(see tensorflow-datasets' page for {spec['tfds_name']!r}). "
                f"Received: name_or_path={key!r}, data_dir={data_dir!r}"
            )
        builder.download_and_prepare()
    return tf_dataset.image_batches(
        tf_dataset.tfds_images(builder, split, shuffle),
        builder.info.splits[split].num_examples,
        batch_size,
        image_size or spec["size"],
        spec.get("crop"),
        shuffle,
        seed,
        repeat,
    )


def _can_download():
    """Whether tensorflow-datasets' download host answers, within seconds."""
    return can_reach(_DOWNLOAD_PROBE)


def synthetic_digits(count, seed):
    """Bright random strokes on black, `(count, 28, 28, 1)` uint8.

    Stand-in digits for smoke runs and tests, made here (no download).

    Example:

    ```python
    images = wk.datasets.synthetic_digits(640, seed=0)
    ```
    """
    rng = np.random.default_rng(seed)
    images = np.zeros((count, 28, 28), dtype="uint8")
    for image in images:
        row, column = rng.integers(4, 24, size=2)
        image[row - 3 : row + 3, 4:24] = 255
        image[4:24, column - 2 : column + 2] = 255
    return images[..., None]


def _pipeline(images, batch_size, image_size, shuffle, seed, repeat):
    """The shared pipeline over an in-memory (N, H, W, C) array."""
    if len(images) < batch_size:
        raise ValueError(
            f"The data holds {len(images)} images, fewer than one batch. "
            f"Received: batch_size={batch_size}"
        )
    from wgan_keras.data import tf_dataset

    return tf_dataset.image_batches(
        tf_dataset.images_dataset(images),
        len(images),
        batch_size,
        image_size,
        None,
        shuffle,
        seed,
        repeat,
    )
