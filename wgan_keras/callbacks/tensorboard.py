"""`TensorBoard`: a WGAN's scalars and its sample grid as TensorBoard events."""

import os

import keras
import numpy as np

from wgan_keras._utils.validation import validate_int
from wgan_keras.callbacks.sample_grid import SampleGrid
from wgan_keras.callbacks.step_values import StepValues, is_scalar


class TensorBoard(keras.callbacks.Callback):
    """Writes losses, the Wasserstein estimate and sample grids for TensorBoard.

    Scalars go under `step/<metric>` (each train step's own value, every
    `every_n_steps` steps, x axis = generator step) and `epoch/<metric>` (the
    epoch means in `history`, plus anything other callbacks put in the logs,
    such as `exact_wasserstein`). The sample grid of one fixed latent batch is
    an image, `samples`, every `images_every_n_epochs` epochs. Events go to
    `log_dir/wgan`, so `keras.callbacks.TensorBoard(log_dir)` (which writes
    `log_dir/train` and `log_dir/validation`) can run beside it and
    `tensorboard --logdir log_dir` shows both. Works on every backend (the
    events are written with `tf.summary`).

    Args:
        log_dir: the TensorBoard log folder.
        every_n_steps: int >= 1, steps between per-step scalars.
        images_every_n_epochs: int >= 1, epochs between sample grids.
        num_samples: int >= 1, samples in the grid.
        seed: int, seeds the grid's fixed latent batch.

    Example:

    ```python
    gan.fit(images, epochs=10, callbacks=[wk.callbacks.TensorBoard("logs")])
    # tensorboard --logdir logs
    ```
    """

    def __init__(
        self,
        log_dir,
        every_n_steps=10,
        images_every_n_epochs=1,
        num_samples=64,
        seed=0,
    ):
        super().__init__()
        validate_int("every_n_steps", every_n_steps)
        validate_int("images_every_n_epochs", images_every_n_epochs)
        self.log_dir = os.fspath(log_dir)
        self.every_n_steps = every_n_steps
        self.images_every_n_epochs = images_every_n_epochs
        self._grid = SampleGrid(
            os.path.join(self.log_dir, "wgan"), num_samples=num_samples, seed=seed
        )
        self._step_values = StepValues()
        self._writer = None
        self._epoch_first_step = 0

    @property
    def events_dir(self):
        return os.path.join(self.log_dir, "wgan")

    def _summary(self):
        import tensorflow as tf

        if self._writer is None:
            self._writer = tf.summary.create_file_writer(self.events_dir)
        return tf.summary

    def on_train_begin(self, logs=None):
        self._grid.set_model(self.model)
        self._summary()

    def on_epoch_begin(self, epoch, logs=None):
        self._step_values.reset()
        self._epoch_first_step = int(
            keras.ops.convert_to_numpy(self.model.optimizer.iterations)
        )

    def on_train_batch_end(self, batch, logs=None):
        values = self._step_values.update(batch, logs)
        step = self._epoch_first_step + batch + 1
        if step % self.every_n_steps:
            return
        summary = self._summary()
        with self._writer.as_default(step=step):
            for name, value in values.items():
                summary.scalar(f"step/{name}", value)

    def on_epoch_end(self, epoch, logs=None):
        summary = self._summary()
        step = int(keras.ops.convert_to_numpy(self.model.optimizer.iterations))
        with self._writer.as_default(step=step):
            for name, value in (logs or {}).items():
                if is_scalar(value):
                    summary.scalar(f"epoch/{name}", float(value))
            summary.scalar("epoch/epoch", epoch)
            if (epoch + 1) % self.images_every_n_epochs == 0:
                grid = np.asarray(self._grid.grid())
                if grid.ndim == 2:
                    grid = grid[..., None]
                summary.image("samples", grid[None])  # (1, H, W, C) uint8
        self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None
