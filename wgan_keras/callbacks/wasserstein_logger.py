"""`WassersteinLogger`: the Wasserstein estimate per step, per epoch, held out."""

import csv
import os

import keras
import numpy as np
from keras import ops

from wgan_keras._utils.files import check_writable_folder
from wgan_keras._utils.validation import validate_int
from wgan_keras.callbacks.step_values import StepValues, is_scalar
from wgan_keras.data.checks import (
    check_batch_labels,
    check_sample_shape,
    check_values,
)
from wgan_keras.visualization import median_filter, plot_curves


class WassersteinLogger(keras.callbacks.Callback):
    """Records the critic's Wasserstein estimate while a WGAN trains.

    The WGAN paper's point is a loss that means something: the estimate
    E[f(real)] - E[f(fake)] falls as the samples improve. This callback keeps it
    at three resolutions:

    - per step: every `every_n_steps` generator steps, the estimate of that step
      (the mean over its critic updates), recovered from Keras' running epoch
      means, with the step's other losses; in `step_logs` and
      `steps.csv`;
    - per epoch: `history` already holds the epoch means; with
      `validation_data`, this adds `dev_wasserstein_estimate`, the critic's
      estimate on a fixed held-out real batch against a fixed latent batch (the
      improved-WGAN code's "dev disc cost", negated), in inference mode and
      comparable from epoch to epoch; in `history` and `epochs.csv`;
    - a PNG curve, `wasserstein.png`: the raw per-step estimate, its running
      median (window `median_window`, as in the papers' figures) and the
      held-out estimate per epoch.

    Args:
        log_dir: folder for `steps.csv`, `epochs.csv` and `wasserstein.png`;
            None keeps the records in memory only.
        validation_data: held-out real samples (a numpy array in the
            generator's range), `(samples, labels)` for a conditional GAN
            (the fake batch then has the same labels), or None.
        every_n_steps: int >= 1, generator steps between step records.
        median_window: int >= 1, width of the running median in the plot.
        num_validation_samples: int >= 1, how many held-out samples (and fixed
            latent vectors) the held-out estimate uses.
        seed: int, seeds the fixed latent batch and the choice of held-out
            samples.

    Example:

    ```python
    logger = wk.callbacks.WassersteinLogger("logs", validation_data=x_test)
    history = gan.fit(x_train, epochs=10, callbacks=[logger])
    history.history["dev_wasserstein_estimate"]  # one value per epoch
    ```

    Reference:
        Arjovsky et al. 2017, Section 4.2 and Figures 3-4 (the estimate
        correlates with sample quality); Gulrajani et al. 2017, gan_mnist.py.
    """

    def __init__(
        self,
        log_dir=None,
        validation_data=None,
        every_n_steps=1,
        median_window=101,
        num_validation_samples=1024,
        seed=0,
    ):
        super().__init__()
        validate_int("every_n_steps", every_n_steps)
        validate_int("median_window", median_window)
        validate_int("num_validation_samples", num_validation_samples)
        self.log_dir = None if log_dir is None else os.fspath(log_dir)
        self.every_n_steps = every_n_steps
        self.median_window = median_window
        self.seed = seed
        self.validation_samples = self.validation_labels = None
        if validation_data is not None:
            self.validation_samples, self.validation_labels = _held_out(
                validation_data, num_validation_samples, seed
            )
        self.step_logs = {"step": []}
        self.epoch_logs = {"epoch": []}
        self._step_values = StepValues()
        self._latent = None

    # ----------------------------------------------------------- callbacks

    def on_train_begin(self, logs=None):
        if self.log_dir:
            check_writable_folder("log_dir", self.log_dir)
            self._resume_records()
        if self.validation_samples is not None:
            check_sample_shape(
                self.validation_samples.shape[1:],
                self.model.sample_shape,
                "validation_data samples",
            )
            num_classes = self.model.num_classes
            if num_classes is not None:
                held_out = self.validation_samples
                if self.validation_labels is not None:
                    held_out = (held_out, self.validation_labels)
                check_batch_labels(held_out, num_classes, "validation_data")
            self._latent = (
                np.random.default_rng(self.seed)
                .standard_normal((len(self.validation_samples), self.model.latent_dim))
                .astype("float32")
            )

    def on_epoch_begin(self, epoch, logs=None):
        self._step_values.reset()
        self._epoch_first_step = self._steps_done()
        # A resumed run starts at `initial_epoch`: drop records from later on.
        _truncate(self.epoch_logs, "epoch", lambda e: e < epoch)

    def _steps_done(self):
        """Train steps so far (= generator steps under the constant schedule)."""
        return int(ops.convert_to_numpy(self.model.optimizer.iterations))

    def _resume_records(self):
        """Continues the CSV files of an earlier run of this model, if any.

        A model that has already trained (a loaded checkpoint) keeps the step
        records up to its current generator step; a fresh one starts anew.
        """
        step = self._steps_done()
        if step == 0 or self.step_logs["step"]:
            return
        for name, key in (("steps", "step"), ("epochs", "epoch")):
            path = os.path.join(self.log_dir, f"{name}.csv")
            if os.path.exists(path):
                records = _read_csv(path, key)
                if key in records:
                    setattr(self, f"{key}_logs", records)
        _truncate(self.step_logs, "step", lambda s: s <= step)

    def on_train_batch_end(self, batch, logs=None):
        values = self._step_values.update(batch, logs)
        # Model variables are not synced mid-epoch on JAX: count steps here.
        step = self._epoch_first_step + batch + 1
        if step % self.every_n_steps:
            return
        self._append(self.step_logs, "step", step, values)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        if self.validation_samples is not None:
            logs["dev_wasserstein_estimate"] = self.held_out_estimate()
        self._append(
            self.epoch_logs,
            "epoch",
            epoch,
            {k: float(v) for k, v in logs.items() if is_scalar(v)},
        )
        if self.log_dir:
            self.write()

    # -------------------------------------------------------------- values

    def held_out_estimate(self, batch_size=256):
        """E[f(held-out real)] - E[f(G(fixed z))], inference mode."""
        if self.validation_samples is None:
            raise ValueError(
                "`held_out_estimate` needs held-out samples. Received: "
                "validation_data=None"
            )
        gan = self.model
        real_scores, fake_scores = [], []
        for start in range(0, len(self.validation_samples), batch_size):
            rows = slice(start, start + batch_size)
            # Keras takes a list of tensors or a list of arrays, not a mix.
            real = ops.convert_to_tensor(self.validation_samples[rows])
            labels = None
            if self.validation_labels is not None:
                labels = ops.convert_to_tensor(self.validation_labels[rows])
            z = gan.generator_inputs(ops.convert_to_tensor(self._latent[rows]), labels)
            fake = gan.generator(z, training=False)
            for samples, scores in ((real, real_scores), (fake, fake_scores)):
                outputs = gan.critic(gan.critic_inputs(samples, labels), training=False)
                # float32 before numpy: its mean of a bfloat16 array sums in
                # bfloat16, which rounds away the estimate (mixed precision).
                scores.append(
                    ops.convert_to_numpy(
                        ops.cast(gan.critic_outputs(outputs)[0], "float32")
                    )
                )
        return float(np.mean(np.concatenate(real_scores))) - float(
            np.mean(np.concatenate(fake_scores))
        )

    @staticmethod
    def _append(records, key, index, values):
        length = len(records[key])
        records[key].append(index)
        for name, value in values.items():
            records.setdefault(name, [float("nan")] * length).append(value)
        for column in records.values():
            if len(column) < length + 1:
                column.append(float("nan"))

    def write(self):
        """Writes `steps.csv`, `epochs.csv` and `wasserstein.png` to `log_dir`."""
        if not self.log_dir:
            raise ValueError("`write` needs a folder. Received: log_dir=None")
        os.makedirs(self.log_dir, exist_ok=True)
        for records, name in ((self.step_logs, "steps"), (self.epoch_logs, "epochs")):
            _write_csv(records, os.path.join(self.log_dir, f"{name}.csv"))
        self.plot(os.path.join(self.log_dir, "wasserstein.png"))

    def plot(self, path):
        """Raw and median-filtered per-step estimate; held-out and exact W1.

        `exact_wasserstein` is drawn when an `ExactWasserstein` callback
        placed before this one in the list puts it in the logs.
        """
        steps = np.asarray(self.step_logs["step"], "float64")
        raw = np.asarray(self.step_logs.get("wasserstein_estimate", []), "float64")
        curves = {}
        if len(raw):
            curves["estimate per step"] = (steps, raw)
            curves[f"median of {self.median_window}"] = (
                steps,
                median_filter(raw, self.median_window),
            )
        # Epoch-level curves at the step where each epoch ended.
        epochs = len(self.epoch_logs["epoch"])
        if epochs and len(steps):
            per_epoch = len(steps) / epochs
            ends = np.ceil(np.arange(1, epochs + 1) * per_epoch).astype(int) - 1
            x = steps[np.clip(ends, 0, len(steps) - 1)]
            for name, label in _EPOCH_CURVES:
                if name in self.epoch_logs:
                    curves[label] = (x, np.asarray(self.epoch_logs[name], "float64"))
        return plot_curves(
            curves,
            path,
            title="Wasserstein estimate vs generator step",
            background=("estimate per step",),
        )


# Epoch-level values drawn beside the per-step estimate when present.
_EPOCH_CURVES = (
    ("dev_wasserstein_estimate", "held out, per epoch"),
    ("exact_wasserstein", "exact W1 (optimal transport)"),
)


def _held_out(data, count, seed):
    """`(samples, labels)`: up to `count` rows chosen with `seed`; labels None
    where `data` holds samples alone."""
    labels = None
    if isinstance(data, (tuple, list)) and len(data) == 2:
        data, labels = data[0], np.asarray(data[1])
    x = np.asarray(data)
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(
            "`validation_data` must be floating point, scaled like the training "
            f"data. Received: validation_data with dtype {x.dtype}"
        )
    if len(x) == 0:
        raise ValueError("`validation_data` is empty. Received: 0 samples")
    check_values(x, None, received="validation_data", name="validation_data")
    rows = np.sort(np.random.default_rng(seed).permutation(len(x))[:count])
    return x[rows].astype("float32"), None if labels is None else labels[rows]


def _read_csv(path, key):
    """Columns of a CSV written by `_write_csv`; the index `key` as ints."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        return {}
    names = rows[0]
    return {
        name: [(int if name == key else float)(row[i]) for row in rows[1:]]
        for i, name in enumerate(names)
    }


def _truncate(records, key, keep):
    """Keeps the rows of `records` whose `key` passes `keep`."""
    rows = [i for i, value in enumerate(records[key]) if keep(value)]
    for name in records:
        records[name] = [records[name][i] for i in rows]


def _write_csv(records, path):
    names = list(records)
    tmp = f"{path}.tmp"
    with open(tmp, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(names)
        writer.writerows(zip(*(records[n] for n in names)))
    os.replace(tmp, path)
