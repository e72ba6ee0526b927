"""`fit` for `WassersteinGAN`: critic batches in, the divergence check first."""

from wgan_keras import backend as wgan_backend
from wgan_keras._utils.labels import checked_labels
from wgan_keras._utils.layers import flatten_layers
from wgan_keras._utils.validation import validate_int
from wgan_keras.backend import allocator
from wgan_keras.data import (
    checked_validation_data,
    fit_data,
    group_critic_batches,
    output_range,
)
from wgan_keras.data.iterables import is_one_shot
from wgan_keras.layers import SpectralNormalization
from wgan_keras.models.divergence import with_divergence_check


class CriticBatchFit:
    """`fit` that hands each train step `critic_steps` batches: a mix-in."""

    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        verbose="auto",
        callbacks=None,
        shuffle=True,
        initial_epoch=0,
        steps_per_epoch=None,
        validation_data=None,
        validation_steps=None,
        validation_batch_size=None,
        validation_freq=1,
    ):
        """Trains the GAN; one batch of `x` is one critic batch.

        Each train step consumes `critic_steps` consecutive batches, so an epoch
        over `N` samples has `N // (batch_size * critic_steps)` generator updates
        and `critic_steps` times as many critic updates.

        The data are checked before they are used: floating point, the
        generator's sample shape, finite, and inside the generator's output
        range where its final activation bounds it (arrays up front, streamed
        data batch by batch), and `validation_data` the same way before the
        first step. A one-shot iterator needs `steps_per_epoch` to span
        several epochs. A `wk.callbacks.StopOnDivergence` runs first among the
        callbacks: a NaN, inf or blown-up loss raises
        `wk.callbacks.DivergenceError` at that step, before any checkpoint is
        written.

        While it trains, memory freed by one step stays in the process for the
        next (`wgan_keras.backend.allocator.retain_freed_memory`, glibc only) and goes
        back to the system when `fit` returns; set the environment variable
        `WGAN_KERAS_RETAIN_FREED_MEMORY=0` to leave glibc's defaults alone.

        Args:
            x: real samples: a numpy array (batched here, `batch_size` defaults
                to 64), a `tf.data.Dataset` of batches, a `keras.utils.PyDataset`
                or an iterable of batches. A conditional GAN (`num_classes`)
                takes `(samples, labels)` batches from these; an unconditional
                one ignores labels in them.
            y: a conditional GAN's integer class labels for array `x`, shape
                `(N,)`, each in `[0, num_classes)`; None otherwise.
            batch_size: int, samples per critic batch (m).
            epochs, verbose, callbacks, initial_epoch, validation_steps,
            validation_freq: as in `keras.Model.fit`.
            shuffle: reshuffle array inputs every epoch.
            steps_per_epoch: generator updates per epoch; by default one pass
                over `x`. Arrays run on into their next pass (a fresh shuffle)
                when an epoch is longer than a pass, and an epoch shorter than
                a pass leaves the rest of it to the next.
            validation_data: held-out real samples; each validation batch gives
                the critic's Wasserstein estimate on it (no update).
            validation_batch_size: batch size for array `validation_data`.

        Returns:
            A `keras.callbacks.History`.
        """
        x, labels = self._labelled(x, y)
        if batch_size is not None:
            validate_int("batch_size", batch_size)
        if steps_per_epoch is not None:
            validate_int("steps_per_epoch", steps_per_epoch)
        if steps_per_epoch is None and epochs > initial_epoch + 1 and is_one_shot(x):
            raise ValueError(
                "A Python iterator is read once: without `steps_per_epoch` its one "
                f"pass is one epoch, and epochs={epochs} would find no data after "
                "it. Pass `steps_per_epoch` (the iterator then runs across the "
                "epochs) or data that can be read again (an array, a list of "
                "batches, a PyDataset, a tf.data.Dataset). Received: x of type "
                f"{type(x).__name__}, epochs={epochs}, steps_per_epoch=None"
            )
        value_range = output_range(self.generator)
        data, steps = group_critic_batches(
            x,
            batch_size,
            self.critic_steps,
            shuffle=shuffle,
            seed=self.seed,
            sample_shape=self.sample_shape,
            value_range=value_range,
            replicas=wgan_backend.data_replicas(self),
            steps_per_epoch=steps_per_epoch,
            labels=labels,
            num_classes=self.num_classes,
        )
        validation_data = checked_validation_data(
            validation_data, self.sample_shape, value_range, self.num_classes
        )
        self._critic_batches = data  # `resume_at` moves its epoch order on
        data = fit_data(data)
        # Every step allocates what the last one freed: keep it mapped.
        with allocator.retain_freed_memory():
            history = super().fit(
                data,
                epochs=epochs,
                verbose=verbose,
                callbacks=with_divergence_check(callbacks),
                initial_epoch=initial_epoch,
                # Arrays are shuffled above (seeded); Keras must not reorder groups.
                shuffle=False,
                steps_per_epoch=steps_per_epoch or steps,
                validation_data=validation_data,
                validation_steps=validation_steps,
                validation_batch_size=validation_batch_size or batch_size,
                validation_freq=validation_freq,
            )
        # Spectral normalization tracks sigma with one power iteration per step;
        # converge it on the final weights so inference normalizes exactly.
        for network in (self.critic, self.generator, self.ema_generator):
            if network is None:
                continue
            for layer in flatten_layers(network):
                if isinstance(layer, SpectralNormalization):
                    layer.converge_singular_vector()
        return history

    def _labelled(self, x, y):
        """`(x, labels)`: a conditional GAN's array labels checked, else None."""
        if self.num_classes is None:
            if y is not None:
                raise ValueError(
                    "This GAN is unconditional (no `num_classes`), so it learns "
                    "from samples alone: pass them as `x` and leave `y` unset. "
                    f"Received: y of type {type(y).__name__}"
                )
            return x, None
        is_array = hasattr(x, "shape") and hasattr(x, "dtype")
        if y is None:
            if is_array:
                raise ValueError(
                    f"A conditional GAN (num_classes={self.num_classes}) trains on "
                    "labelled samples: pass their class labels as `y`. Received: "
                    "y=None"
                )
            return x, None  # batches of (samples, labels), checked as read
        if not is_array:
            raise ValueError(
                "`y` goes with array `x`; a dataset carries its labels in "
                f"`(samples, labels)` batches. Received: x of type "
                f"{type(x).__name__} and y"
            )
        return x, checked_labels(y, self.num_classes, len(x), name="y")
