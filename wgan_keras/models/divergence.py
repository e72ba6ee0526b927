"""`StopOnDivergence`: a diverged loss ends training at once, saving nothing."""

import collections
import math
import statistics

import keras

from wgan_keras._utils.validation import validate_int


class DivergenceError(FloatingPointError):
    """Training diverged (a loss not finite, or blown up); nothing was saved."""


class StopOnDivergence(keras.callbacks.Callback):
    """Stops training at the first step whose losses diverged.

    Checks every logged value (`critic_loss`, `generator_loss`,
    `wasserstein_estimate`, `gradient_penalty`, ...) after each train step and
    raises `DivergenceError` naming the generator step, the epoch and the
    metric where one is NaN or inf, or where its magnitude has grown past
    `max_growth` times its running median over the last `window` steps
    (taken as at least 1, so that losses near 0 may grow freely): a finite
    blow-up, such as a critic loss of -3e8 after an oversized learning rate.
    Raising, rather than setting `stop_training`, keeps every later callback
    from running: no backup or checkpoint is written from the diverged
    weights, so the last good one is untouched and training can be resumed
    from it (with a lower learning rate, say).

    `WassersteinGAN.fit` puts one first in its callbacks unless one is given;
    give one yourself to place it elsewhere or to change its limits.

    Args:
        max_growth: float > 1, or None to stop on NaN and inf only.
        window: int >= 1, the steps the running median looks back over.

    Example:

    ```python
    try:
        gan.fit(images, epochs=100, callbacks=[wk.callbacks.BackupAndRestore("bk")])
    except wk.callbacks.DivergenceError as error:
        print(error)  # Training diverged at generator step 1234 ...
    ```
    """

    def __init__(self, max_growth=1e3, window=100):
        super().__init__()
        if max_growth is not None and not (
            isinstance(max_growth, (int, float)) and 1 < max_growth < math.inf
        ):
            raise ValueError(
                "`max_growth` must be a finite number > 1, or None. "
                f"Received: max_growth={max_growth!r}"
            )
        validate_int("window", window)
        self.max_growth = max_growth
        self.window = window
        self._epoch = 0
        self._history = {}

    def on_train_begin(self, logs=None):
        self._history = {}

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        bad = {}
        for name, value in (logs or {}).items():
            value = float(keras.ops.convert_to_numpy(value))
            if not math.isfinite(value):
                bad[name] = f"{name}={value}"
            elif self.max_growth is not None:
                history = self._history.setdefault(
                    name, collections.deque(maxlen=self.window)
                )
                scale = max(statistics.median(history), 1.0) if history else None
                if scale is not None and abs(value) > self.max_growth * scale:
                    bad[name] = (
                        f"{name}={value:.4g}, over {self.max_growth:g} times its "
                        f"running median magnitude {scale:.4g}"
                    )
                history.append(abs(value))
        if not bad:
            return
        step = int(keras.ops.convert_to_numpy(self._step_counter()))
        raise DivergenceError(
            f"Training diverged at generator step {step} (epoch {self._epoch + 1}, "
            f"step {batch + 1} of the epoch): {'; '.join(bad.values())}. Stopped "
            "before any later callback ran, so no checkpoint or backup holds "
            "these weights; resume from the last good one, e.g. with a lower "
            "learning rate."
        )

    def _step_counter(self):
        optimizer = getattr(self.model, "generator_optimizer", None)
        optimizer = optimizer or self.model.optimizer
        return optimizer.iterations


def with_divergence_check(callbacks):
    """`callbacks` with a `StopOnDivergence` first, unless it holds one."""
    if callbacks is None:
        callbacks = []
    if not isinstance(callbacks, (list, tuple)):
        return callbacks  # a keras.callbacks.CallbackList: the user's own
    if any(isinstance(c, StopOnDivergence) for c in callbacks):
        return list(callbacks)
    return [StopOnDivergence(), *callbacks]
