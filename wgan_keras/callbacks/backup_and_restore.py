"""`BackupAndRestore`: resumable training whose backups are never half-written."""

import glob
import json
import os

import keras

from wgan_keras._utils.files import staged_file, write_text
from wgan_keras._utils.validation import validate_int

_METADATA = "training_metadata.json"


class BackupAndRestore(keras.callbacks.Callback):
    """Backs training up every epoch (or N steps) and resumes from the backup.

    Like `keras.callbacks.BackupAndRestore`, but every write is atomic: the
    weights go to a new file `backup-<epoch>-<step>.weights.h5`, then the small
    `training_metadata.json` that names it is written to a temporary file and
    renamed over the old one (the commit), and only then is the previous
    backup deleted. A process killed at any moment leaves a consistent backup:
    the new one or the previous one. The backup holds everything
    `save_weights` saves for a `WassersteinGAN`: both networks, both
    optimizers' state and step counters, and the noise generator's state.

    When `fit` starts and a backup exists, the model is restored from it and
    training resumes where the backup was taken. A `WassersteinGAN` resumes a
    backup taken mid-epoch (`save_freq` as a number of steps) at that very
    step (`WassersteinGAN.resume_at`): with array data and a `seed`, the
    resumed run ends with the weights of a run that was never interrupted.
    Other models resume from the start of that epoch, as with Keras' own
    callback.

    Args:
        backup_dir: folder for the backups.
        save_freq: `"epoch"`, or an int >= 1: back up every that many steps.
        delete_checkpoint: delete the backup when training finishes.

    Example:

    ```python
    backup = wk.callbacks.BackupAndRestore("backup", delete_checkpoint=False)
    gan.fit(images, epochs=100, callbacks=[backup])  # rerun after a crash
    ```
    """

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError(
                f"`backup_dir` must name a folder. Received: backup_dir={backup_dir!r}"
            )
        if save_freq != "epoch":
            validate_int("save_freq", save_freq)
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = delete_checkpoint
        self._epoch = 0
        self._steps_since_save = 0
        self._resumed_epoch = self._resumed_step = None

    @property
    def metadata_path(self):
        return os.path.join(self.backup_dir, _METADATA)

    def read_metadata(self):
        """The committed backup's metadata, or None if there is none."""
        if not os.path.exists(self.metadata_path):
            return None
        with open(self.metadata_path) as f:
            return json.load(f)

    def on_train_begin(self, logs=None):
        self._resumed_epoch = self._resumed_step = None
        metadata = self.read_metadata()
        if metadata is None:
            return
        self.model.load_weights(os.path.join(self.backup_dir, metadata["weights"]))
        epoch, step = metadata["epoch"], metadata["step"]
        self.model._initial_epoch = epoch  # read by Keras' fit
        self._epoch = epoch
        if hasattr(self.model, "resume_at"):
            self.model.resume_at(epoch, step)
            self._resumed_epoch, self._resumed_step = epoch, step

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
        record = {"epoch": epoch, "step": step, "weights": weights}
        write_text(self.metadata_path, json.dumps(record))  # the commit
        for path in self._weight_files():
            if os.path.basename(path) != weights:
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
