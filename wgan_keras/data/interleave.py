"""Interleaving `critic_steps` batches into the rows of one train step."""

import keras
import numpy as np


def interleave(batches):
    """One array per leaf whose row `j * len(batches) + i` is `batches[i][j]`.

    A short batch (the last of a loader without `drop_last`) shortens the
    others of its group to its size: critic batches of one step are equal.
    """

    def interleave(*parts):
        size = min(len(p) for p in parts)
        stacked = np.stack([np.asarray(p)[:size] for p in parts], axis=1)
        return stacked.reshape(-1, *stacked.shape[2:])

    return keras.tree.map_structure(interleave, *batches)


def grouped(batches, critic_steps, check=None):
    """Yields `critic_steps` consecutive batches at a time, dropping a remainder.

    Each group is a tuple, `(x,)` or `(x, y, ...)`: Keras reads a Python
    generator's elements only in that form.
    """
    group = []
    for batch in batches:
        group.append(batch)
        if len(group) == critic_steps:
            grouped = interleave(group)
            if check is not None:
                check(grouped)
            yield tuple(grouped) if isinstance(grouped, (tuple, list)) else (grouped,)
            group = []


def endless(iterable):
    while True:
        yield from iterable
