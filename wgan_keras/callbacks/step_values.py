"""Per-step values from the running epoch means that Keras hands callbacks."""

import numpy as np


class StepValues:
    """Recovers each train step's own metric values.

    Keras' `logs` at `on_train_batch_end` hold means since the epoch began. The
    step's own value is what it added to the sum: `k * mean_k - j * mean_j`
    over the `k - j` steps since the previous call (one step unless
    `steps_per_execution` > 1, then their mean).
    """

    def __init__(self):
        self._running = {}  # name -> (steps, mean) at the previous call

    def reset(self):
        """Call at each epoch's start: Keras resets its metrics there."""
        self._running = {}

    def update(self, batch, logs):
        """Returns `{name: value}` for the steps up to batch index `batch`."""
        count = batch + 1
        values = {}
        for name, value in (logs or {}).items():
            if not is_scalar(value):
                continue
            mean = float(value)
            previous_count, previous_mean = self._running.get(name, (0, 0.0))
            steps = max(count - previous_count, 1)
            values[name] = (count * mean - previous_count * previous_mean) / steps
            self._running[name] = (count, mean)
        return values


def is_scalar(value):
    """Whether a log value is one number."""
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return np.ndim(value) == 0
