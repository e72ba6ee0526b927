"""Class labels of conditional GANs, checked before any work is done."""

import keras
import numpy as np


def checked_labels(labels, num_classes, count=None, name="labels"):
    """Labels as an int32 numpy vector, refused unless each is a class.

    Args:
        labels: integers, shape `(n,)` or `(n, 1)`; or one int for all.
        num_classes: int, labels must lie in `[0, num_classes)`.
        count: the number of samples they label, where known.
        name: the argument they came in, for the message.
    """
    array = np.asarray(keras.ops.convert_to_numpy(labels))
    if array.ndim == 0 and count is not None:
        array = np.full(count, array)
    if array.ndim == 2 and array.shape[-1] == 1:
        array = array[:, 0]
    if array.dtype.kind not in "iu" or array.ndim != 1:
        raise ValueError(
            f"`{name}` must be integer class labels, one per sample, shape "
            f"(n,). Received: {name} of dtype {array.dtype} and shape {array.shape}"
        )
    if count is not None and len(array) != count:
        raise ValueError(
            f"`{name}` must hold one label per sample ({count}). Received: "
            f"{len(array)} labels"
        )
    if array.size and (array.min() < 0 or array.max() >= num_classes):
        raise ValueError(
            f"`{name}` must lie in [0, {num_classes}) (num_classes={num_classes}). "
            f"Received: {name} with values in [{array.min()}, {array.max()}]"
        )
    return array.astype("int32")
