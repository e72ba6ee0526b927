"""Checks of real samples before training uses them: dtype, shape, range."""

import warnings

import keras
import numpy as np

from wgan_keras._utils.layers import flatten_layers

# Real samples may stray this share of the generator's output range beyond it
# (rounding, augmentation) before they count as wrongly scaled.
RANGE_MARGIN = 0.05
_BOUNDED_ACTIVATIONS = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}


def output_range(generator):
    """`(low, high)` of the generator's samples, or None where unbounded.

    Read from the activation of its last layer that has one: tanh gives
    (-1, 1), sigmoid (0, 1); anything else leaves the range open.
    """
    for layer in reversed(flatten_layers(generator, include_self=False)):
        activation = getattr(layer, "activation", None)
        if activation is not None:
            return _BOUNDED_ACTIVATIONS.get(getattr(activation, "__name__", None))
    return None


def check_values(x, value_range, received="x", name="x"):
    """Raises unless every value of `x` is finite and inside `value_range`.

    Warns where the range is [-1, 1] and the samples all lie in [0, 1]: data
    that was probably never scaled for a tanh generator.

    Args:
        x: numpy array of samples.
        value_range: `(low, high)` or None.
        received: what `x` is, for the message ("x", "a batch of x").
        name: the argument that holds it.
    """
    finite = np.isfinite(x)
    if not finite.all():
        raise ValueError(
            f"`{name}` must be finite. Received: {received} with "
            f"{x.size - int(finite.sum())} NaN or inf values"
        )
    if value_range is None or x.size == 0:
        return
    low, high = value_range
    margin = RANGE_MARGIN * (high - low)
    x_min, x_max = float(x.min()), float(x.max())
    if x_min < low - margin or x_max > high + margin:
        raise ValueError(
            f"`{name}` must lie in the output range [{low:g}, {high:g}] of the "
            "generator (its final activation); scale the samples first, e.g. images "
            f"`x / 127.5 - 1` for [-1, 1]. Received: {received} with values in "
            f"[{x_min:.4g}, {x_max:.4g}]"
        )
    if (low, high) == (-1.0, 1.0) and x_min >= 0 and x_max > 0.5:
        # No values in the message: Python then shows it once, not per batch.
        warnings.warn(
            f"`{name}` holds no negative values, while the generator's tanh output "
            "spans [-1, 1]: were the samples scaled to [0, 1] rather than [-1, 1] "
            "(`x * 2 - 1`)? The generator will learn the range it is shown.",
            stacklevel=2,
        )


def first_leaf(structure):
    """The samples of a batch: the batch itself, or the first of `(x, y)`."""
    if isinstance(structure, dict):
        raise ValueError(
            "`x` must yield batches of samples, or `(samples, labels)` tuples. "
            f"Received: batches of dicts with keys {sorted(structure)}; select "
            "the samples first, e.g. `dataset.map(lambda d: d['image'])`"
        )
    return keras.tree.flatten(structure)[0]


def check_floating(dtype, name="x"):
    if not keras.backend.is_float_dtype(keras.backend.standardize_dtype(dtype)):
        raise ValueError(
            f"`{name}` must hold floating-point samples scaled to the generator's "
            f"output range (e.g. images in [-1, 1]: `x / 127.5 - 1`). "
            f"Received: {name} with dtype {keras.backend.standardize_dtype(dtype)}"
        )


def check_sample_shape(shape, sample_shape, received="samples"):
    """Raises unless samples of `shape` (no batch axis) fit the critic."""
    if sample_shape is None:
        return
    shape = tuple(shape)
    if len(shape) != len(sample_shape) or any(
        have is not None and have != want for have, want in zip(shape, sample_shape)
    ):
        hint = ""
        if len(shape) == len(sample_shape) == 3 and shape[:2] == sample_shape[:2]:
            hint = f" (the critic takes {sample_shape[-1]} channels)"
        elif len(shape) == 2 and len(sample_shape) == 3 and sample_shape[-1] == 1:
            hint = " (add a channel axis: `x[..., None]`)"
        raise ValueError(
            f"Real samples must have the generator's sample shape {sample_shape}"
            f"{hint}. Received: {received} of shape {shape}"
        )


def check_replica_share(batch_size, replicas):
    """Raises unless every replica gets the same share of a critic batch."""
    if batch_size % replicas:
        raise ValueError(
            f"`batch_size` must be divisible by the number of replicas "
            f"({replicas}), so that each gets an equal share of every critic "
            f"batch. Received: batch_size={batch_size}"
        )


def batch_checker(
    sample_shape, value_range, critic_steps, replicas, name="x", num_classes=None
):
    """Checks one group of streamed batches: dtype, shape, finite, in range,
    and a conditional GAN's labels."""

    def check(group):
        x = np.asarray(first_leaf(group))
        check_replica_share(len(x) // critic_steps, replicas)
        check_floating(x.dtype, name)
        check_sample_shape(x.shape[1:], sample_shape)
        check_values(x, value_range, received=f"a batch of {name}", name=name)
        if num_classes is not None:
            check_batch_labels(group, num_classes, name)

    return check


def batch_labels(batch, num_classes, name):
    """The labels of a `(samples, labels)` batch; raises where it has none."""
    if not isinstance(batch, (tuple, list)) or len(batch) < 2:
        raise ValueError(
            f"A conditional GAN (num_classes={num_classes}) trains on labelled "
            f"samples: `{name}` must yield `(samples, labels)` batches. "
            f"Received: batches of {type(batch).__name__}"
        )
    return batch[1]


def check_batch_labels(batch, num_classes, name):
    """Raises unless a batch's labels are integer classes in range."""
    labels = np.asarray(
        keras.ops.convert_to_numpy(batch_labels(batch, num_classes, name))
    )
    if (
        labels.dtype.kind not in "iu"
        or labels.size
        and (labels.min() < 0 or labels.max() >= num_classes)
    ):
        low, high = (labels.min(), labels.max()) if labels.size else (None, None)
        raise ValueError(
            f"`{name}`'s labels must be integers in [0, {num_classes}) "
            f"(num_classes={num_classes}). Received: a batch of labels of dtype "
            f"{labels.dtype} with values in [{low}, {high}]"
        )


def check_validation_data(data, sample_shape, value_range, num_classes=None):
    """Checks held-out samples before the first step, as far as they can be.

    Arrays are checked whole; for a `tf.data.Dataset` the dtype and shape of
    its elements, and for a `keras.utils.PyDataset` its first batch (their
    batches are checked as read: `wgan_keras.data.checked_validation_data`).
    A Python iterator cannot be read ahead and is used as given.
    """
    if data is None:
        return
    name = "validation_data"
    x = data[0] if isinstance(data, (tuple, list)) and 0 < len(data) <= 3 else data
    if hasattr(x, "element_spec"):
        spec = first_leaf(x.element_spec)
        check_floating(spec.dtype, name)
        if spec.shape.rank is not None:
            check_sample_shape(spec.shape[1:], sample_shape, f"{name} samples")
        return
    if isinstance(x, keras.utils.PyDataset):
        x = first_leaf(x[0])
        name = "validation_data's first batch"
    if not (hasattr(x, "shape") and hasattr(x, "dtype")):
        return
    check_floating(x.dtype, "validation_data")
    check_sample_shape(x.shape[1:], sample_shape, f"{name} samples")
    check_values(np.asarray(x), value_range, received=name, name="validation_data")
    if num_classes is not None:
        labelled = data if isinstance(data, (tuple, list)) else x
        check_batch_labels(labelled, num_classes, "validation_data")
