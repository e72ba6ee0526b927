"""The critic's passes: scoring real and fake batches, and the held-out step."""

from keras import ops

from wgan_keras import losses
from wgan_keras.models.sampling import batch_size_of


class CriticPasses:
    """How `WassersteinGAN` runs its critic on real and fake batches: a mix-in."""

    def _critic_scores(self, trainable, non_trainable, real, fake, labels):
        """Scores of the real and fake batches, in float32 (mixed precision),
        and the classifier's logits of the real batch (or None)."""
        real_outputs, fake_outputs, non_trainable = self._critic_passes(
            trainable, non_trainable, real, fake, labels
        )
        real_scores, real_logits = self.critic_outputs(real_outputs)
        fake_scores, _ = self.critic_outputs(fake_outputs)
        return (
            ops.cast(real_scores, "float32"),
            ops.cast(fake_scores, "float32"),
            real_logits,
            non_trainable,
        )

    def _critic_passes(self, trainable, non_trainable, real, fake, labels):
        """The critic on the real and fake batches: one pass where possible."""
        critic = self.critic
        if self._critic_has_batch_statistics:
            # Separate passes, so batch statistics are per batch, as in the
            # original WGAN code.
            real_outputs, non_trainable = critic.stateless_call(
                trainable,
                non_trainable,
                self.critic_inputs(real, labels),
                training=True,
            )
            fake_outputs, non_trainable = critic.stateless_call(
                trainable,
                non_trainable,
                self.critic_inputs(fake, labels),
                training=True,
            )
            return real_outputs, fake_outputs, non_trainable
        both = self.critic_inputs(
            ops.concatenate([real, fake]),
            None if labels is None else ops.concatenate([labels, labels]),
        )
        outputs, non_trainable = critic.stateless_call(
            trainable, non_trainable, both, training=True
        )
        if isinstance(outputs, (list, tuple)):
            halves = [ops.split(output, 2) for output in outputs]
            return [h[0] for h in halves], [h[1] for h in halves], non_trainable
        real_outputs, fake_outputs = ops.split(outputs, 2)
        return real_outputs, fake_outputs, non_trainable

    def _wgan_test_step(self, data):
        """The critic's Wasserstein estimate on held-out real samples."""
        real, labels = self._real_samples(data)
        batch_size = batch_size_of(real)
        z = self.generator_inputs(self.sample_latent(batch_size), labels)
        fake = self.generator(z, training=False)
        real_scores, fake_scores = (
            ops.cast(
                self.critic_outputs(
                    self.critic(self.critic_inputs(x, labels), training=False)
                )[0],
                "float32",
            )
            for x in (real, fake)
        )
        self.wasserstein_estimate_tracker.update_state(
            losses.wasserstein_estimate(real_scores, fake_scores)
        )
        self.critic_loss_tracker.update_state(
            losses.critic_wasserstein_loss(real_scores, fake_scores)
        )
        self.generator_loss_tracker.update_state(self.generator_objective(fake_scores))
        # No penalty is computed here, so none is reported.
        evaluated = (
            self.critic_loss_tracker,
            self.generator_loss_tracker,
            self.wasserstein_estimate_tracker,
        )
        return {m.name: m.result() for m in evaluated}

    # ----------------------------------------------------------------- config
