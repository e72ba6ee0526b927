"""`StopOnDivergence`: a NaN or inf loss ends training at once, saving nothing."""

import math

import keras


class DivergenceError(FloatingPointError):
    """Training produced a NaN or inf loss; the run stopped without saving."""


class StopOnDivergence(keras.callbacks.Callback):
    """Stops training at the first step whose losses are not finite.

    Checks every logged value (`critic_loss`, `generator_loss`,
    `wasserstein_estimate`, `gradient_penalty`, ...) after each train step and
    raises `DivergenceError` naming the generator step, the epoch and the
    metric. Raising, rather than setting `stop_training`, keeps every later
    callback from running: no backup or checkpoint is written from the
    diverged weights, so the last good one is untouched and training can be
    resumed from it (with a lower learning rate, say).

    `WassersteinGAN.fit` puts one first in its callbacks unless one is given;
    give one yourself to place it elsewhere.

    Example:

    ```python
    try:
        gan.fit(images, epochs=100, callbacks=[wk.callbacks.BackupAndRestore("bk")])
    except wk.callbacks.DivergenceError as error:
        print(error)  # Training diverged at generator step 1234 ...
    ```
    """

    def __init__(self):
        super().__init__()
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        bad = {}
        for name, value in (logs or {}).items():
            value = float(keras.ops.convert_to_numpy(value))
            if not math.isfinite(value):
                bad[name] = value
        if not bad:
            return
        step = int(keras.ops.convert_to_numpy(self._step_counter()))
        metrics = ", ".join(f"{name}={value}" for name, value in bad.items())
        raise DivergenceError(
            f"Training diverged at generator step {step} (epoch {self._epoch + 1}, "
            f"step {batch + 1} of the epoch): {metrics}. Stopped before any "
            "later callback ran, so no checkpoint or backup holds these weights; "
            "resume from the last good one, e.g. with a lower learning rate."
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
