"""`BackupAndRestore`: atomic backups that resume only the run they came from."""

import glob
import json
import math
import os

import keras

from wgan_keras._utils.files import check_writable_folder, staged_file, write_text
from wgan_keras._utils.validation import validate_int
from wgan_keras.models.optimizers import learning_rate_of

_METADATA = "training_metadata.json"
_FIELDS = {"epoch": int, "step": int, "weights": str}


class BackupAndRestore(keras.callbacks.Callback):
    """Backs training up every epoch (or N steps) and resumes from the backup.

    Like `keras.callbacks.BackupAndRestore`, but every write is atomic: the
    weights go to a new file `backup-<epoch>-<step>.weights.h5`, then the small
    `training_metadata.json` that names it is written to a temporary file and
    renamed over the old one (the commit), and only then are backups beyond the
    newest `keep` deleted. A process killed at any moment leaves a consistent
    backup: the new one or the previous one. The backup holds everything
    `save_weights` saves for a `WassersteinGAN`: both networks, both
    optimizers' state and step counters, and the noise generator's state.

    When `fit` starts and a backup exists, the model is restored from it and
    training resumes where the backup was taken. A `WassersteinGAN` resumes a
    backup taken mid-epoch (`save_freq` as a number of steps) at that very
    step (`WassersteinGAN.resume_at`): with array data and a `seed`, the
    resumed run ends with the weights of a run that was never interrupted.
    Other models resume from the start of that epoch, as with Keras' own
    callback.

    A backup resumes only the run it came from. It records the model's class,
    the networks' weight shapes, `critic_steps`, the batch size, the number
    of samples and the steps per epoch, and a `fit` that differs in any of
    them is refused before any step, naming what differs; so is a damaged
    backup, with its path and what is wrong. A refused backup is never
    deleted. The optimizers' state and step counts are restored, their
    settings are not: learning rates compiled for the resumed run win over
    the backup's (to resume a diverged run at a lower rate, compile it so).

    Args:
        backup_dir: folder for the backups; checked to be writable when `fit`
            starts.
        save_freq: `"epoch"`, or an int >= 1: back up every that many steps.
        delete_checkpoint: delete the backups when training finishes.
        keep: int >= 1, how many of the newest backups to keep. The metadata
            names the newest; `gan.load_weights` reads the older ones.

    Example:

    ```python
    backup = wk.callbacks.BackupAndRestore("backup", delete_checkpoint=False)
    gan.fit(images, epochs=100, callbacks=[backup])  # rerun after a crash
    ```
    """

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint=True, keep=1):
        super().__init__()
        if not backup_dir:
            raise ValueError(
                f"`backup_dir` must name a folder. Received: backup_dir={backup_dir!r}"
            )
        if save_freq != "epoch":
            validate_int("save_freq", save_freq)
        validate_int("keep", keep)
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = delete_checkpoint
        self.keep = keep
        self._epoch = 0
        self._steps_since_save = 0
        self._resumed_epoch = self._resumed_step = None
        self._run = None

    @property
    def metadata_path(self):
        return os.path.join(self.backup_dir, _METADATA)

    def read_metadata(self):
        """The committed backup's metadata, or None if there is none.

        Raises:
            ValueError: the metadata is damaged or names a missing file.
        """
        path = self.metadata_path
        if not os.path.exists(path):
            return None
        try:
            with open(path) as f:
                metadata = json.load(f)
        except (OSError, ValueError) as error:  # JSON and Unicode errors
            raise self._damaged(path, f"it is not readable JSON ({error})") from error
        if not isinstance(metadata, dict) or any(
            not isinstance(metadata.get(key), kind) for key, kind in _FIELDS.items()
        ):
            raise self._damaged(
                path,
                f"it must hold epoch, step and weights; it holds {metadata!r:.200}",
            )
        weights = metadata["weights"]
        if os.path.basename(weights) != weights or not os.path.isfile(
            os.path.join(self.backup_dir, weights)
        ):
            raise self._damaged(
                path, f"the weights file {weights!r} it names is missing"
            )
        return metadata

    def _damaged(self, path, problem):
        return ValueError(
            f"The backup in `backup_dir`={self.backup_dir!r} cannot be resumed: "
            f"{path}: {problem}. Nothing was deleted; move the folder aside to start "
            "a new run, or restore an intact copy."
        )

    def on_train_begin(self, logs=None):
        check_writable_folder("backup_dir", self.backup_dir)
        self._resumed_epoch = self._resumed_step = None
        self._run = run_signature(self.model, self.params.get("steps"))
        metadata = self.read_metadata()
        if metadata is None:
            return
        self._check_same_run(metadata)
        path = os.path.join(self.backup_dir, metadata["weights"])
        rates = constant_learning_rates(self.model)
        try:
            self.model.load_weights(path)
        except Exception as error:  # h5py, Keras and backend errors alike
            raise self._damaged(
                path, f"its weights cannot be loaded ({type(error).__name__}: {error})"
            ) from error
        for optimizer, rate in rates:  # settings are the compiled run's
            optimizer.learning_rate = rate
        epoch, step = metadata["epoch"], metadata["step"]
        self.model._initial_epoch = epoch  # read by Keras' fit
        self._epoch = epoch
        if hasattr(self.model, "resume_at"):
            self.model.resume_at(epoch, step)
            self._resumed_epoch, self._resumed_step = epoch, step

    def _check_same_run(self, metadata):
        recorded = metadata.get("run")
        if recorded is not None:
            differences = [
                f"{key} {_describe(recorded[key])} in the backup, "
                f"{_describe(value)} now"
                for key, value in self._run.items()
                if value is not None
                and recorded.get(key) is not None
                and recorded[key] != value
            ]
            if differences:
                raise ValueError(
                    f"The backup in `backup_dir`={self.backup_dir!r} comes from "
                    f"another run: {'; '.join(differences)}. It is kept; rerun "
                    "with the backup's settings to resume it, or give another "
                    "`backup_dir` to start a new run."
                )
        steps = self._run["steps_per_epoch"]
        if steps is not None and metadata["step"] >= steps:
            raise ValueError(
                f"The backup in `backup_dir`={self.backup_dir!r} resumes at step "
                f"{metadata['step']} of epoch {metadata['epoch'] + 1}, but an epoch "
                f"of this run has {steps} steps. It is kept; rerun with the "
                "backup's data and batch size to resume it."
            )

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        if self._epoch == self._resumed_epoch and batch < self._resumed_step:
            return  # a step the resumed run passes over, done before the backup
        self._steps_since_save += 1
        if self._steps_since_save >= self.save_freq:
            if batch + 1 == self.params.get("steps"):  # the epoch's last step
                self.save(epoch=self._epoch + 1, step=0)
            else:
                self.save(epoch=self._epoch, step=batch + 1)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self.save(epoch=epoch + 1, step=0)

    def save(self, epoch, step):
        """Writes a backup that resumes at `epoch` (`step` steps into it)."""
        self._steps_since_save = 0
        os.makedirs(self.backup_dir, exist_ok=True)
        weights = f"backup-{epoch:06d}-{step:09d}.weights.h5"
        with staged_file(os.path.join(self.backup_dir, weights)) as tmp:
            self.model.save_weights(tmp)
        run = self._run or run_signature(self.model, self.params.get("steps"))
        record = {"epoch": epoch, "step": step, "weights": weights, "run": run}
        write_text(self.metadata_path, json.dumps(record))  # the commit
        # Names sort by epoch and step; temporary files start with a dot.
        backups = sorted(glob.glob(os.path.join(self.backup_dir, "backup-*.h5")))
        kept = {weights, *map(os.path.basename, backups[-self.keep :])}
        for path in self._weight_files():
            if os.path.basename(path) not in kept:
                os.remove(path)

    def _weight_files(self):
        """Backups and the temporary files of interrupted writes."""
        return glob.glob(os.path.join(self.backup_dir, "backup-*.weights.h5")) + (
            glob.glob(os.path.join(self.backup_dir, ".backup-*.weights.h5"))
        )

    def on_train_end(self, logs=None):
        if not self.delete_checkpoint:
            if self._steps_since_save and self.save_freq != "epoch":
                # Finished between two backups: commit the end, so that the
                # same command run again has nothing left to train.
                self.save(epoch=self._epoch + 1, step=0)
            return
        if not os.path.isdir(self.backup_dir):
            return
        for path in self._weight_files():
            os.remove(path)
        if os.path.exists(self.metadata_path):
            os.remove(self.metadata_path)


def run_signature(model, steps_per_epoch):
    """What a backup must match to be resumed: JSON values, None if unknown."""
    signature = {"model": type(model).__name__, "steps_per_epoch": steps_per_epoch}
    if hasattr(model, "resume_signature"):
        signature.update(model.resume_signature())
    else:
        signature["weights"] = [list(w.shape) for w in model.weights]
    return json.loads(json.dumps(signature))  # tuples as the file holds them


def _describe(value):
    if isinstance(value, list) and all(isinstance(s, list) for s in value):
        parameters = sum(math.prod(shape) for shape in value)
        return f"{len(value)} weights ({parameters:,} parameters)"
    return repr(value)


def constant_learning_rates(model):
    """`(optimizer, rate)` for each of the model's optimizers with a constant rate.

    Loading weights restores the optimizers' `learning_rate` variables with
    the rest of their state; these are the rates compiled for this run.
    """
    optimizers = [
        getattr(model, name, None)
        for name in ("critic_optimizer", "generator_optimizer")
    ]
    optimizers = [o for o in optimizers if o is not None] or [model.optimizer]
    rates = []
    for optimizer in optimizers:
        if optimizer is None:  # a model compiled without one
            continue
        holder, rate = learning_rate_of(optimizer)
        if isinstance(rate, (int, float)):  # not a schedule
            rates.append((holder, float(rate)))
    return rates
