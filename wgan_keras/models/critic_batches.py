"""Regroups a user's data so that each train step gets `critic_steps` batches.

A user's batch is one critic batch (the paper's m samples). `WassersteinGAN.fit`
hands every train step `critic_steps` consecutive, disjoint batches interleaved
along the batch axis: row `j * critic_steps + i` is sample `j` of critic batch
`i`. The step takes them apart again, so every critic update sees its own real
samples. Interleaved, a split of the rows across replicas (`tf.distribute`,
JAX sharding) gives each replica its share of every critic batch, so a
distributed step sees the same critic batches as a one-device step.
"""

import itertools

import keras
import numpy as np

# Real samples may stray this share of the generator's output range beyond it
# (rounding, augmentation) before they count as wrongly scaled.
RANGE_MARGIN = 0.05
_BOUNDED_ACTIVATIONS = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}


def output_range(generator):
    """`(low, high)` of the generator's samples, or None where unbounded.

    Read from the activation of its last layer that has one: tanh gives
    (-1, 1), sigmoid (0, 1); anything else leaves the range open.
    """
    for layer in reversed(generator._flatten_layers(include_self=False)):
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
    """Shuffled groups of `critic_steps` batches from in-memory arrays.

    The groups form one endless stream of passes over `x`, pass `p` in an
    order that is a function of `(seed, p)` alone; epoch `k` is the
    `steps_per_epoch` groups after the first `k * steps_per_epoch`. An epoch
    longer than a pass runs on into the next pass, and a shorter one leaves
    the rest of the pass to the next epoch. So a run resumed at epoch `k`
    (`skip_epochs(k)`) sees the same samples in the same order as one that
    never stopped.
    """

    def __init__(
        self, x, batch_size, critic_steps, shuffle=True, seed=None, steps_per_epoch=None
    ):
        super().__init__()
        self.x = x
        self.critic_steps = critic_steps
        self.group_size = batch_size * critic_steps
        self.shuffle = shuffle
        self._seed = np.random.SeedSequence(seed).entropy
        self._epoch = 0  # the epoch being read
        self._next_epoch = 0  # the epoch `on_epoch_begin` starts
        self._num_groups = len(x) // self.group_size
        if self._num_groups == 0:
            raise ValueError(
                f"Each train step needs critic_steps x batch_size = "
                f"{critic_steps} x {batch_size} = {self.group_size} samples. "
                f"Received: x with {len(x)} samples"
            )
        self.steps_per_epoch = steps_per_epoch or self._num_groups
        self._orders = {}  # pass -> order, for the pass or two an epoch spans

    @property
    def groups_per_pass(self):
        """Train steps in one pass over `x`."""
        return self._num_groups

    def __len__(self):
        return self.steps_per_epoch

    def __getitem__(self, index):
        position = self._epoch * self.steps_per_epoch + index
        pass_, group = divmod(position, self._num_groups)
        start = group * self.group_size
        order = self._order_of(pass_)
        rows = np.sort(order[start : start + self.group_size])  # h5py, memmaps
        # Critic batch i is the i-th run of batch_size rows, as for datasets.
        return _interleave(np.split(self.x[rows], self.critic_steps))

    def _order_of(self, pass_):
        if not self.shuffle:
            return np.arange(len(self.x))
        if pass_ not in self._orders:
            if len(self._orders) >= 2:
                self._orders.pop(min(self._orders))
            rng = np.random.default_rng([self._seed, pass_])
            self._orders[pass_] = rng.permutation(len(self.x))
        return self._orders[pass_]

    def skip_epochs(self, count):
        """Makes the next epoch start `count` epochs on, as if they had run."""
        self._next_epoch += count

    def on_epoch_begin(self):
        # Epochs are counted as they begin: Keras also calls `on_epoch_end`
        # once before the first epoch of every `fit`.
        self._epoch = self._next_epoch
        self._next_epoch += 1


class GroupedPyDataset(keras.utils.PyDataset):
    """Interleaves `critic_steps` consecutive batches of a `PyDataset`."""

    def __init__(self, dataset, critic_steps, check=None):
        super().__init__()
        self.dataset = dataset
        self.critic_steps = critic_steps
        self.check = check
        if len(dataset) < critic_steps:
            raise ValueError(
                f"Each train step needs `critic_steps={critic_steps}` batches. "
                f"Received: a dataset of {len(dataset)} batches"
            )

    def __len__(self):
        return len(self.dataset) // self.critic_steps

    def __getitem__(self, index):
        start = index * self.critic_steps
        group = _interleave([self.dataset[start + i] for i in range(self.critic_steps)])
        if self.check is not None:
            self.check(group)
        return group

    def on_epoch_end(self):
        self.dataset.on_epoch_end()


def _interleave(batches):
    """One array per leaf whose row `j * len(batches) + i` is `batches[i][j]`.

    A short batch (the last of a loader without `drop_last`) shortens the
    others of its group to its size: critic batches of one step are equal.
    """

    def interleave(*parts):
        size = min(len(p) for p in parts)
        stacked = np.stack([np.asarray(p)[:size] for p in parts], axis=1)
        return stacked.reshape(-1, *stacked.shape[2:])

    return keras.tree.map_structure(interleave, *batches)


def _grouped(batches, critic_steps, check=None):
    """Yields `critic_steps` consecutive batches at a time, dropping a remainder.

    Each group is a tuple, `(x,)` or `(x, y, ...)`: Keras reads a Python
    generator's elements only in that form.
    """
    group = []
    for batch in batches:
        group.append(batch)
        if len(group) == critic_steps:
            grouped = _interleave(group)
            if check is not None:
                check(grouped)
            yield tuple(grouped) if isinstance(grouped, (tuple, list)) else (grouped,)
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


def _check_replica_share(batch_size, replicas):
    """Raises unless every replica gets the same share of a critic batch."""
    if batch_size % replicas:
        raise ValueError(
            f"`batch_size` must be divisible by the number of replicas "
            f"({replicas}), so that each gets an equal share of every critic "
            f"batch. Received: batch_size={batch_size}"
        )


def _batch_checker(sample_shape, value_range, critic_steps, replicas):
    """Checks one group of streamed batches: dtype, shape, finite, in range."""

    def check(group):
        x = np.asarray(_first_leaf(group))
        _check_replica_share(len(x) // critic_steps, replicas)
        _check_floating(x.dtype)
        _check_sample_shape(x.shape[1:], sample_shape)
        check_values(x, value_range, received="a batch of x")

    return check


def _checked_tf_dataset(dataset, value_range, critic_steps):
    """Groups of `dataset`, interleaved, asserted finite and in range."""
    import tensorflow as tf

    def interleave(x):  # (critic_steps * m, ...) contiguous -> interleaved
        shape = tf.shape(x)
        parts = tf.reshape(x, tf.concat([[critic_steps, -1], shape[1:]], 0))
        rank = len(x.shape)
        parts = tf.transpose(parts, [1, 0, *range(2, rank + 1)])
        return tf.reshape(parts, shape)

    def check(*batch):
        x = tf.cast(_first_leaf(batch), "float32")
        checks = [
            tf.debugging.assert_all_finite(
                x, "`x` must be finite. Received: a batch of x with NaN or inf values"
            )
        ]
        if value_range is not None:
            low, high = value_range
            margin = RANGE_MARGIN * (high - low)
            message = (
                f"`x` must lie in the output range [{low:g}, {high:g}] of the "
                "generator (its final activation); scale the samples first, e.g. "
                "images `x / 127.5 - 1`. Received: a batch of x with values in"
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
        with tf.control_dependencies(checks):
            return tf.nest.map_structure(
                interleave, batch[0] if len(batch) == 1 else batch
            )

    return dataset.map(check)


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

    Returns:
        The grouped data and the number of train steps in one pass over `x`
        (None for a `tf.data.Dataset`, which Keras measures itself, and for a
        one-shot iterator, whose pass ends where it runs out).
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
        _check_replica_share(per_batch, replicas)
        grouped = x.unbatch().batch(per_batch * critic_steps, drop_remainder=True)
        return _checked_tf_dataset(grouped, value_range, critic_steps), None
    check = _batch_checker(sample_shape, value_range, critic_steps, replicas)
    if isinstance(x, keras.utils.PyDataset):
        grouped = GroupedPyDataset(x, critic_steps, check)
        return grouped, len(grouped)
    if hasattr(x, "shape") and hasattr(x, "dtype"):  # numpy array or tensor
        x = keras.ops.convert_to_numpy(x)
        _check_floating(x.dtype)
        if x.ndim < 2:
            raise ValueError(
                "`x` must have a batch axis and at least one sample axis, e.g. "
                f"(N, 2) or (N, 28, 28, 1). Received: x with shape {x.shape}"
            )
        _check_sample_shape(x.shape[1:], sample_shape)
        check_values(x, value_range)
        batch_size = batch_size or 64
        _check_replica_share(batch_size, replicas)
        data = ArrayCriticBatches(
            x, batch_size, critic_steps, shuffle, seed, steps_per_epoch
        )
        return data, data.groups_per_pass
    if hasattr(x, "__iter__") and not hasattr(x, "__next__") and hasattr(x, "__len__"):
        # Re-iterable with a length (a torch DataLoader): one pass per epoch.
        steps = len(x) // critic_steps
        if steps == 0:
            raise ValueError(
                f"Each train step needs `critic_steps={critic_steps}` batches. "
                f"Received: an iterable of {len(x)} batches"
            )
        return _grouped(_endless(x), critic_steps, check), steps
    if hasattr(x, "__iter__"):  # a generator: read once
        iterator = iter(x)
        first = next(iterator, None)
        if first is None:
            raise ValueError("`x` is empty. Received: an iterator with no batches")
        groups = _grouped(itertools.chain([first], iterator), critic_steps, check)
        first_group = next(groups, None)
        if first_group is None:
            raise ValueError(
                f"Each train step needs `critic_steps={critic_steps}` batches. "
                "Received: an iterator of fewer batches"
            )
        # Keras reads a Python generator, not any iterator: chain in one.
        return (group for group in itertools.chain([first_group], groups)), None
    raise ValueError(
        "`x` must be an array, a tf.data.Dataset, a keras.utils.PyDataset or an "
        f"iterable of batches. Received: x of type {type(x).__name__}"
    )
