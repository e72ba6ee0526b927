"""The adapter for in-memory arrays: seeded, resumable passes."""

import keras
import numpy as np

from wgan_keras.data.checks import (
    check_floating,
    check_replica_share,
    check_sample_shape,
    check_values,
)
from wgan_keras.data.interleave import interleave


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
        self,
        x,
        batch_size,
        critic_steps,
        shuffle=True,
        seed=None,
        steps_per_epoch=None,
        labels=None,
    ):
        super().__init__()
        self.x = x
        self.labels = labels
        self.batch_size = batch_size
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
        samples = interleave(np.split(self.x[rows], self.critic_steps))
        if self.labels is None:
            return samples
        return samples, interleave(np.split(self.labels[rows], self.critic_steps))

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


def group_arrays(
    x,
    batch_size,
    critic_steps,
    shuffle,
    seed,
    sample_shape,
    value_range,
    replicas,
    steps_per_epoch,
    labels=None,
):
    """`ArrayCriticBatches` of `x` (numpy or a backend tensor), checked whole,
    with `labels` (checked already) where the GAN is conditional."""
    x = keras.ops.convert_to_numpy(x)
    check_floating(x.dtype)
    if x.ndim < 2:
        raise ValueError(
            "`x` must have a batch axis and at least one sample axis, e.g. "
            f"(N, 2) or (N, 28, 28, 1). Received: x with shape {x.shape}"
        )
    check_sample_shape(x.shape[1:], sample_shape)
    check_values(x, value_range)
    batch_size = batch_size or 64
    check_replica_share(batch_size, replicas)
    return ArrayCriticBatches(
        x, batch_size, critic_steps, shuffle, seed, steps_per_epoch, labels
    )
