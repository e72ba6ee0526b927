"""Regroups a user's data so that each train step gets `critic_steps` batches.

A user's batch is one critic batch (the paper's m samples). `WassersteinGAN.fit`
hands every train step `critic_steps` consecutive, disjoint batches concatenated
along the batch axis; the step splits them again, so every critic update sees
its own real samples.
"""

import keras
import numpy as np


def _first_leaf(structure):
    return keras.tree.flatten(structure)[0]


def _check_floating(dtype, name="x"):
    if not keras.backend.is_float_dtype(keras.backend.standardize_dtype(dtype)):
        raise ValueError(
            f"`{name}` must hold floating-point samples scaled to the generator's "
            f"output range (e.g. images in [-1, 1]: `x / 127.5 - 1`). "
            f"Received: {name} with dtype {keras.backend.standardize_dtype(dtype)}"
        )


class ArrayCriticBatches(keras.utils.PyDataset):
    """Shuffled groups of `critic_steps` batches from in-memory arrays."""

    def __init__(self, x, batch_size, critic_steps, shuffle=True, seed=None):
        super().__init__()
        self.x = x
        self.group_size = batch_size * critic_steps
        self.shuffle = shuffle
        self._rng = np.random.default_rng(seed)
        self._num_groups = len(x) // self.group_size
        if self._num_groups == 0:
            raise ValueError(
                f"Each train step needs critic_steps x batch_size = "
                f"{critic_steps} x {batch_size} = {self.group_size} samples. "
                f"Received: x with {len(x)} samples"
            )
        self.on_epoch_end()

    def __len__(self):
        return self._num_groups

    def __getitem__(self, index):
        start = index * self.group_size
        rows = np.sort(self._order[start : start + self.group_size])
        return self.x[rows]

    def on_epoch_end(self):
        n = len(self.x)
        self._order = self._rng.permutation(n) if self.shuffle else np.arange(n)


class GroupedPyDataset(keras.utils.PyDataset):
    """Concatenates `critic_steps` consecutive batches of a `PyDataset`."""

    def __init__(self, dataset, critic_steps):
        super().__init__()
        self.dataset = dataset
        self.critic_steps = critic_steps
        if len(dataset) < critic_steps:
            raise ValueError(
                f"Each train step needs `critic_steps={critic_steps}` batches. "
                f"Received: a dataset of {len(dataset)} batches"
            )

    def __len__(self):
        return len(self.dataset) // self.critic_steps

    def __getitem__(self, index):
        start = index * self.critic_steps
        return _concatenate([self.dataset[start + i] for i in range(self.critic_steps)])

    def on_epoch_end(self):
        self.dataset.on_epoch_end()


def _concatenate(batches):
    return keras.tree.map_structure(
        lambda *parts: np.concatenate([np.asarray(p) for p in parts]), *batches
    )


def _grouped(batches, critic_steps):
    """Yields `critic_steps` consecutive batches at a time, dropping a remainder."""
    group = []
    for batch in batches:
        group.append(batch)
        if len(group) == critic_steps:
            yield _concatenate(group)
            group = []


def _endless(iterable):
    while True:
        yield from iterable


def _check_sample_shape(shape, sample_shape):
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


def group_critic_batches(
    x, batch_size, critic_steps, shuffle=True, seed=None, sample_shape=None
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

    Returns:
        The grouped data and the number of train steps in one pass over `x`
        (None where Keras can tell it from the data itself).
    """
    if hasattr(x, "element_spec") and hasattr(x, "unbatch"):  # tf.data.Dataset
        spec = _first_leaf(x.element_spec)
        _check_floating(spec.dtype)
        if spec.shape.rank is not None:
            _check_sample_shape(spec.shape[1:], sample_shape)
        if int(x.cardinality()) == 0:
            raise ValueError("`x` is an empty dataset. Received: 0 batches")
        per_batch = batch_size or spec.shape[0]
        if per_batch is None:  # e.g. `.batch(m)` without drop_remainder
            first = next(iter(x.take(1)), None)
            if first is None:
                raise ValueError("Received: an empty dataset (no batches)")
            per_batch = int(_first_leaf(first).shape[0])
        return x.unbatch().batch(per_batch * critic_steps, drop_remainder=True), None
    if isinstance(x, keras.utils.PyDataset):
        return GroupedPyDataset(x, critic_steps), None
    if hasattr(x, "shape") and hasattr(x, "dtype"):  # numpy array or tensor
        x = keras.ops.convert_to_numpy(x)
        _check_floating(x.dtype)
        if x.ndim < 2:
            raise ValueError(
                "`x` must have a batch axis and at least one sample axis, e.g. "
                f"(N, 2) or (N, 28, 28, 1). Received: x with shape {x.shape}"
            )
        _check_sample_shape(x.shape[1:], sample_shape)
        finite = np.isfinite(x)
        if not finite.all():
            raise ValueError(
                f"`x` must be finite. Received: x with {x.size - finite.sum()} "
                "NaN or inf values"
            )
        batch_size = batch_size or 64
        data = ArrayCriticBatches(x, batch_size, critic_steps, shuffle, seed)
        return data, len(data)
    if hasattr(x, "__iter__") and not hasattr(x, "__next__") and hasattr(x, "__len__"):
        # Re-iterable with a length (a torch DataLoader): one pass per epoch.
        steps = len(x) // critic_steps
        if steps == 0:
            raise ValueError(
                f"Each train step needs `critic_steps={critic_steps}` batches. "
                f"Received: an iterable of {len(x)} batches"
            )
        return _grouped(_endless(x), critic_steps), steps
    if hasattr(x, "__iter__"):  # a generator: read once
        return _grouped(x, critic_steps), None
    raise ValueError(
        "`x` must be an array, a tf.data.Dataset, a keras.utils.PyDataset or an "
        f"iterable of batches. Received: x of type {type(x).__name__}"
    )
