"""Checks of real samples before training uses them: dtype, shape, range."""

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


def check_values(x, value_range, received="x"):
    """Raises unless every value of `x` is finite and inside `value_range`.

    Args:
        x: numpy array of samples.
        value_range: `(low, high)` or None.
        received: what `x` is, for the message ("x", "a batch of x").
    """
    finite = np.isfinite(x)
    if not finite.all():
        raise ValueError(
            f"`x` must be finite. Received: {received} with "
            f"{x.size - int(finite.sum())} NaN or inf values"
        )
    if value_range is None or x.size == 0:
        return
    low, high = value_range
    margin = RANGE_MARGIN * (high - low)
    x_min, x_max = float(x.min()), float(x.max())
    if x_min < low - margin or x_max > high + margin:
        raise ValueError(
            f"`x` must lie in the output range [{low:g}, {high:g}] of the generator "
            "(its final activation); scale the samples first, e.g. images "
            f"`x / 127.5 - 1` for [-1, 1]. Received: {received} with values in "
            f"[{x_min:.4g}, {x_max:.4g}]"
        )


def first_leaf(structure):
    return keras.tree.flatten(structure)[0]


def check_floating(dtype, name="x"):
    if not keras.backend.is_float_dtype(keras.backend.standardize_dtype(dtype)):
        raise ValueError(
            f"`{name}` must hold floating-point samples scaled to the generator's "
            f"output range (e.g. images in [-1, 1]: `x / 127.5 - 1`). "
            f"Received: {name} with dtype {keras.backend.standardize_dtype(dtype)}"
        )


def check_sample_shape(shape, sample_shape):
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
            f"{hint}. Received: samples of shape {shape}"
        )


def check_replica_share(batch_size, replicas):
    """Raises unless every replica gets the same share of a critic batch."""
    if batch_size % replicas:
        raise ValueError(
            f"`batch_size` must be divisible by the number of replicas "
            f"({replicas}), so that each gets an equal share of every critic "
            f"batch. Received: batch_size={batch_size}"
        )


def batch_checker(sample_shape, value_range, critic_steps, replicas):
    """Checks one group of streamed batches: dtype, shape, finite, in range."""

    def check(group):
        x = np.asarray(first_leaf(group))
        check_replica_share(len(x) // critic_steps, replicas)
        check_floating(x.dtype)
        check_sample_shape(x.shape[1:], sample_shape)
        check_values(x, value_range, received="a batch of x")

    return check
