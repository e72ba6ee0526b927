"""Mid-epoch resume: continuing a run exactly where its backup was taken."""

from wgan_keras._utils.validation import validate_int


class MidEpochResume:
    """`resume_at` for `WassersteinGAN`: a mix-in.

    The train step reads `resume_steps_to_skip` and passes over that many
    steps without any update.
    """

    def resume_signature(self):
        """What a backup must match for this GAN's `fit` to resume it.

        Read by `wk.callbacks.BackupAndRestore`: the method, the networks'
        weight shapes, the critic schedule and, for array data, the batch size
        and the number of samples (None where the data do not tell).
        """
        data = self._critic_batches
        samples = getattr(data, "x", None)
        return {
            "generator": [list(w.shape) for w in self.generator.weights],
            "critic": [list(w.shape) for w in self.critic.weights],
            "ema_generator": self.ema_generator is not None,
            "critic_steps": self.critic_steps,
            "critic_schedule": self.critic_schedule,
            "batch_size": getattr(data, "batch_size", None),
            "samples": None if samples is None else len(samples),
        }

    def resume_at(self, epoch, step):
        """Makes the next `fit` continue `step` steps into `epoch`, exactly.

        Called by `wk.callbacks.BackupAndRestore` after it restores a backup
        taken mid-epoch. Keras' `fit` can only start at an epoch boundary, so
        the first `step` train steps of that epoch pass over their data
        without any update, noise draw or metric update: the run then sees the
        data, noise and weights that an uninterrupted run would have (for array
        data, whose epoch order depends only on the seed and the epoch).

        Args:
            epoch: int >= 0, the epoch `fit` starts at (its `initial_epoch`).
            step: int >= 0, train steps of that epoch already done.
        """
        validate_int("epoch", epoch, minimum=0)
        validate_int("step", step, minimum=0)
        if hasattr(self._critic_batches, "skip_epochs"):
            self._critic_batches.skip_epochs(epoch)
        self.resume_steps_to_skip.assign(step)
        if step and not self._traces_resume_skip:
            self._traces_resume_skip = True  # read when the step is traced
            self.make_train_function(force=True)
