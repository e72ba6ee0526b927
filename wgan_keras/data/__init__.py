"""The data path: each kind of input regrouped so that a train step gets
`critic_steps` batches.

A user's batch is one critic batch (the paper's m samples). `WassersteinGAN.fit`
hands every train step `critic_steps` consecutive, disjoint batches interleaved
along the batch axis: row `j * critic_steps + i` is sample `j` of critic batch
`i`. The step takes them apart again, so every critic update sees its own real
samples. Interleaved, a split of the rows across replicas (`tf.distribute`,
JAX sharding) gives each replica its share of every critic batch, so a
distributed step sees the same critic batches as a one-device step.

One adapter per kind of input: `arrays.py` (numpy arrays and backend
tensors), `tf_dataset.py` (`tf.data.Dataset`, the only one that imports
TensorFlow), `py_dataset.py` (`keras.utils.PyDataset`) and `iterables.py`
(re-iterables such as a torch `DataLoader`, and generators).
"""

import keras

from wgan_keras.data.arrays import ArrayCriticBatches, group_arrays  # noqa: F401
from wgan_keras.data.checks import (  # noqa: F401
    RANGE_MARGIN,
    batch_checker,
    check_validation_data,
    check_values,
    output_range,
)
from wgan_keras.data.iterables import group_iterable
from wgan_keras.data.py_dataset import GroupedPyDataset


def fit_data(data):
    """The grouped data as `fit` hands it to Keras.

    On TensorFlow, Python data becomes a `tf.data.Dataset` read without
    autotuning (`wgan_keras.data.tf_dataset.fit_data`); elsewhere `data`.
    """
    if keras.config.backend() != "tensorflow":
        return data
    from wgan_keras.data import tf_dataset

    return tf_dataset.fit_data(data)


def checked_validation_data(data, sample_shape, value_range, num_classes=None):
    """`validation_data` checked as `fit`'s data is: up front, then as read.

    Arrays are checked whole before the first step; a `tf.data.Dataset` or
    `keras.utils.PyDataset` is checked for its element spec or first batch up
    front, then every batch as it is read, with the same messages on every
    backend.
    """
    check_validation_data(data, sample_shape, value_range, num_classes)
    if hasattr(data, "element_spec") and hasattr(data, "unbatch"):
        from wgan_keras.data.tf_dataset import checked_tf_dataset

        return checked_tf_dataset(
            data, value_range, 1, name="validation_data", num_classes=num_classes
        )
    if isinstance(data, keras.utils.PyDataset):
        check = batch_checker(
            sample_shape, value_range, 1, 1, "validation_data", num_classes
        )
        return GroupedPyDataset(data, 1, check)
    return data


def group_critic_batches(
    x,
    batch_size,
    critic_steps,
    shuffle=True,
    seed=None,
    sample_shape=None,
    value_range=None,
    replicas=1,
    steps_per_epoch=None,
    labels=None,
    num_classes=None,
):
    """Returns `(data, steps_per_epoch)` for `keras.Model.fit`.

    Args:
        x: numpy array (or backend tensor) of samples, a `tf.data.Dataset` of
            batches, a `keras.utils.PyDataset`, or a re-iterable of batches
            (such as a torch `DataLoader`).
        batch_size: int or None, samples per critic batch; for arrays it
            defaults to 64 (the paper's m), for datasets to their own batch size.
        critic_steps: int, critic updates per train step.
        shuffle: whether to reshuffle arrays every epoch.
        seed: seed of that shuffle.
        sample_shape: the generator's sample shape, to check the data against
            (where it is known before training).
        value_range: `(low, high)` of the generator's samples, or None; real
            samples far outside it are refused (wrongly scaled data), as are
            NaN and inf. Arrays are checked here, streamed data batch by batch
            as it is read (before the step that would use it).
        replicas: int, the shares each batch is split into for data-parallel
            training; the batch size must be a multiple of it.
        steps_per_epoch: int or None, train steps per epoch where `fit` was
            given them; arrays then run on across passes instead of ending
            the epoch where a pass ends.
        labels: checked int32 labels of array `x`, or None.
        num_classes: a conditional GAN's classes: streamed batches must then
            be `(samples, labels)`, each label in `[0, num_classes)`.

    Returns:
        The grouped data and the number of train steps in one pass over `x`
        (None for a `tf.data.Dataset`, which Keras measures itself, and for a
        one-shot iterator, whose pass ends where it runs out).
    """
    if hasattr(x, "element_spec") and hasattr(x, "unbatch"):  # tf.data.Dataset
        from wgan_keras.data.tf_dataset import group_tf_dataset

        args = (batch_size, critic_steps, sample_shape, value_range, replicas)
        return group_tf_dataset(x, *args, num_classes), None
    if isinstance(x, (list, tuple)) and x and not hasattr(x[0], "shape"):
        raise ValueError(
            "`x` as a Python list must hold array batches; a list of samples goes "
            "in as one array, e.g. `np.asarray(x, dtype='float32')`. Received: a "
            f"{type(x).__name__} of {type(x[0]).__name__}"
        )
    check = batch_checker(
        sample_shape, value_range, critic_steps, replicas, num_classes=num_classes
    )
    if isinstance(x, keras.utils.PyDataset):
        grouped = GroupedPyDataset(x, critic_steps, check)
        return grouped, len(grouped)
    if hasattr(x, "shape") and hasattr(x, "dtype"):  # numpy array or tensor
        args = (shuffle, seed, sample_shape, value_range, replicas, steps_per_epoch)
        data = group_arrays(x, batch_size, critic_steps, *args, labels)
        return data, data.groups_per_pass
    if hasattr(x, "__iter__"):
        return group_iterable(x, critic_steps, check)
    raise ValueError(
        "`x` must be an array, a tf.data.Dataset, a keras.utils.PyDataset or an "
        f"iterable of batches. Received: x of type {type(x).__name__}"
    )
