"""The adapter for Python iterables of batches: re-iterables and generators."""

import itertools

from wgan_keras.data.interleave import endless, grouped


def is_one_shot(x):
    """Whether `x` is an iterator (a generator, say): read once, not re-iterable."""
    return hasattr(x, "__next__") and not hasattr(x, "element_spec")


def group_iterable(x, critic_steps, check):
    """`(groups, steps_per_epoch)` of an iterable of batches.

    A re-iterable with a length (a torch `DataLoader`) gives one pass per
    epoch; a generator is read once, and its pass ends where it runs out
    (`steps_per_epoch` None).
    """
    if not hasattr(x, "__next__") and hasattr(x, "__len__"):
        steps = len(x) // critic_steps
        if steps == 0:
            raise ValueError(
                f"Each train step needs `critic_steps={critic_steps}` batches. "
                f"Received: an iterable of {len(x)} batches"
            )
        return grouped(endless(x), critic_steps, check), steps
    iterator = iter(x)
    first = next(iterator, None)
    if first is None:
        raise ValueError("`x` is empty. Received: an iterator with no batches")
    groups = grouped(itertools.chain([first], iterator), critic_steps, check)
    first_group = next(groups, None)
    if first_group is None:
        raise ValueError(
            f"Each train step needs `critic_steps={critic_steps}` batches. "
            "Received: an iterator of fewer batches"
        )
    # Keras reads a Python generator, not any iterator: chain in one.
    return (group for group in itertools.chain([first_group], groups)), None
