"""Everything `tf.data`: the adapter for a user's `tf.data.Dataset`, the reading
of Python data on TensorFlow, and the image pipelines of `wk.datasets`.

The only module of the data path that imports TensorFlow.
"""

import itertools

import keras
import numpy as np
import tensorflow as tf

from wgan_keras.data.checks import (
    RANGE_MARGIN,
    batch_labels,
    check_floating,
    check_replica_share,
    check_sample_shape,
    first_leaf,
)

# Shuffle buffer for sources too large to shuffle whole (CelebA, LSUN).
_SHUFFLE_BUFFER = 100_000
# Sources up to this many images are cached in memory after resizing.
_MAX_CACHED_IMAGES = 300_000


def group_tf_dataset(
    x, batch_size, critic_steps, sample_shape, value_range, replicas, num_classes=None
):
    """Groups of `critic_steps` batches of a `tf.data.Dataset`, checked as read."""
    if num_classes is not None:
        labels = batch_labels(x.element_spec, num_classes, "x")
        if not labels.dtype.is_integer:
            raise ValueError(
                f"`x`'s labels must be integer classes in [0, {num_classes}). "
                f"Received: labels of dtype {labels.dtype.name}"
            )
    spec = first_leaf(x.element_spec)
    check_floating(spec.dtype)
    if spec.shape.rank is not None:
        check_sample_shape(spec.shape[1:], sample_shape)
    if int(x.cardinality()) == 0:
        raise ValueError("`x` is an empty dataset. Received: 0 batches")
    per_batch = batch_size or spec.shape[0]
    if per_batch is None:  # e.g. `.batch(m)` without drop_remainder
        first = next(iter(x.take(1)), None)
        if first is None:
            raise ValueError("Received: an empty dataset (no batches)")
        per_batch = int(first_leaf(first).shape[0])
    check_replica_share(per_batch, replicas)
    grouped = x.unbatch().batch(per_batch * critic_steps, drop_remainder=True)
    return checked_tf_dataset(grouped, value_range, critic_steps, "x", num_classes)


def checked_tf_dataset(dataset, value_range, critic_steps, name="x", num_classes=None):
    """Groups of `dataset`, interleaved, asserted finite and in range.

    `name` is the argument the data came in, for the messages; where
    `num_classes` is set, each batch's labels are asserted in range too.
    """
    if num_classes is not None:
        batch_labels(dataset.element_spec, num_classes, name)

    def interleave(x):  # (critic_steps * m, ...) contiguous -> interleaved
        shape = tf.shape(x)
        parts = tf.reshape(x, tf.concat([[critic_steps, -1], shape[1:]], 0))
        rank = len(x.shape)
        parts = tf.transpose(parts, [1, 0, *range(2, rank + 1)])
        return tf.reshape(parts, shape)

    def check(*batch):
        x = tf.cast(first_leaf(batch), "float32")
        checks = [
            tf.debugging.assert_all_finite(
                x,
                f"`{name}` must be finite. Received: a batch of {name} with NaN or "
                "inf values",
            )
        ]
        if value_range is not None:
            low, high = value_range
            margin = RANGE_MARGIN * (high - low)
            message = (
                f"`{name}` must lie in the output range [{low:g}, {high:g}] of the "
                "generator (its final activation); scale the samples first, e.g. "
                f"images `x / 127.5 - 1`. Received: a batch of {name} with values in"
            )
            checks.append(
                tf.debugging.Assert(
                    tf.logical_and(
                        tf.reduce_min(x) >= low - margin,
                        tf.reduce_max(x) <= high + margin,
                    ),
                    [message, tf.reduce_min(x), tf.reduce_max(x)],
                )
            )
        if num_classes is not None:
            labels = batch[1]
            checks.append(
                tf.debugging.Assert(
                    tf.logical_and(
                        tf.reduce_all(labels >= 0),
                        tf.reduce_all(labels < num_classes),
                    ),
                    [
                        f"`{name}`'s labels must be integers in [0, {num_classes}) "
                        f"(num_classes={num_classes}). Received: a batch of labels "
                        "with values in",
                        tf.reduce_min(labels),
                        tf.reduce_max(labels),
                    ],
                )
            )
        with tf.control_dependencies(checks):
            return tf.nest.map_structure(
                interleave, batch[0] if len(batch) == 1 else batch
            )

    return dataset.map(check)


def fit_data(data):
    """`data` as `fit` hands it to Keras: Python data as a `tf.data.Dataset`.

    Keras reads a `keras.utils.PyDataset` or a Python iterator through
    `tf.data.Dataset.from_generator(...).prefetch(tf.data.AUTOTUNE)`, a new
    iterator every epoch. With tf.data's autotuning on, such a pipeline,
    which calls Python, runs some epochs with the whole process asleep about
    half the time: a DCGAN step took 1.28 s or 0.64 s, by the epoch
    (`benchmarks/README.md`). The same generator read with autotuning off and
    a fixed prefetch buffer keeps every epoch fast. Pure tf.data pipelines
    (the user's `tf.data.Dataset`) were fast either way and pass through
    unchanged.

    A `PyDataset` becomes one endless stream of passes, each pass opened and
    closed with its `on_epoch_begin` and `on_epoch_end` as Keras would, so
    `fit` must be given its `steps_per_epoch`.

    Args:
        data: a `tf.data.Dataset`, a `keras.utils.PyDataset` or an iterator of
            batches (arrays, or tuples or dicts of arrays).

    Returns:
        A `tf.data.Dataset` of tuples (or dicts), or `data` itself.
    """
    if isinstance(data, tf.data.Dataset):
        return data
    if isinstance(data, keras.utils.PyDataset):
        first = data[0]  # for the signature; reading does not open an epoch

        def batches():
            for _ in itertools.count():
                data.on_epoch_begin()
                for index in range(len(data)):
                    yield _as_tuple(data[index])
                data.on_epoch_end()

    else:
        iterator = iter(data)
        first = next(iterator)  # group_critic_batches refuses a stepless iterator
        stream = itertools.chain([first], iterator)

        def batches():
            for batch in stream:
                yield _as_tuple(batch)

    signature = tf.nest.map_structure(
        lambda x: tf.TensorSpec((None, *np.shape(x)[1:]), np.asarray(x).dtype),
        _as_tuple(first),
    )
    options = tf.data.Options()
    options.autotune.enabled = False
    return (
        tf.data.Dataset.from_generator(batches, output_signature=signature)
        .prefetch(2)
        .with_options(options)
    )


def _as_tuple(batch):
    """A batch as Keras standardizes it: `(x,)`, `(x, y, ...)` or a dict."""
    if isinstance(batch, (tuple, dict)):
        return batch
    if isinstance(batch, list):
        return tuple(batch)
    return (batch,)


def images_dataset(images):
    """A dataset of the single images of an in-memory (N, H, W, C) array."""
    return tf.data.Dataset.from_tensor_slices(images)


def tfds_builder(name, data_dir):
    """tensorflow-datasets' builder of `name` (imported here: it is slow)."""
    import tensorflow_datasets as tfds

    return tfds.builder(name, data_dir=data_dir)


def tfds_images(builder, split, shuffle):
    """The single images of a prepared tensorflow-datasets split."""
    dataset = builder.as_dataset(split=split, shuffle_files=shuffle)
    return dataset.map(
        lambda example: example["image"], num_parallel_calls=tf.data.AUTOTUNE
    )


def image_batches(dataset, size, batch_size, image_size, crop, shuffle, seed, repeat):
    """Resizes single images once (cached), then shuffles, batches and scales.

    `dataset` yields single (H, W, C) images, uint8 or float32 in [-1, 1];
    `size` is their number (for the shuffle buffer) or None if unknown.
    """
    float_input = dataset.element_spec.dtype != tf.uint8

    def resize(image):  # (H, W, C) -> (S, S, C), same dtype
        if crop is not None:
            image = tf.image.resize_with_crop_or_pad(image, crop, crop)
        if image_size is None or tuple(image.shape[:2]) == (image_size, image_size):
            return image
        resized = tf.image.resize(
            tf.cast(image, tf.float32), (image_size, image_size), antialias=True
        )
        if float_input:
            return tf.clip_by_value(resized, -1.0, 1.0)
        return tf.cast(tf.clip_by_value(tf.round(resized), 0.0, 255.0), tf.uint8)

    if crop is not None or image_size is not None:
        dataset = dataset.map(resize, num_parallel_calls=tf.data.AUTOTUNE)
    if size is not None and size <= _MAX_CACHED_IMAGES:
        dataset = dataset.cache()  # in memory; LSUN's 3M bedrooms are streamed
    if shuffle:
        buffer = min(size, _SHUFFLE_BUFFER) if size else _SHUFFLE_BUFFER
        dataset = dataset.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        dataset = dataset.repeat()
    dataset = dataset.batch(batch_size, drop_remainder=True)

    def scale(batch):  # (B, H, W, C) -> float32 in [-1, 1]
        batch = tf.cast(batch, tf.float32)
        return batch if float_input else batch / 127.5 - 1.0

    dataset = dataset.map(scale, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)
