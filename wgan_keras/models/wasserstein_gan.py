"""`WassersteinGAN`: the WGAN game as a `keras.Model`, on every Keras backend."""

import keras
from keras import ops

from wgan_keras import backend as wgan_backend
from wgan_keras import losses
from wgan_keras._utils.layers import flatten_layers
from wgan_keras.data.checks import check_floating
from wgan_keras.models.arguments import (
    check_seed,
    checked_arguments,
    validate_weight,
)
from wgan_keras.models.conditioning import LabelConditioning, network_conditioning
from wgan_keras.models.critic_passes import CriticPasses
from wgan_keras.models.critic_schedule import CriticSchedule, step_counter
from wgan_keras.models.ema import GeneratorEMA, averaged_copy
from wgan_keras.models.fitting import CriticBatchFit
from wgan_keras.models.optimizers import PairedCompile, record_mean
from wgan_keras.models.resume import MidEpochResume
from wgan_keras.models.sampling import Sampling, batch_size_of
from wgan_keras.models.saving import SeedStateSaving


@keras.saving.register_keras_serializable(package="wgan_keras")
class WassersteinGAN(
    # The model's own concerns first, then the backend's trainer, then Keras:
    # `fit` groups the data before the backend's `fit` wraps Keras' loop.
    PairedCompile,
    CriticBatchFit,
    CriticSchedule,
    CriticPasses,
    LabelConditioning,
    GeneratorEMA,
    MidEpochResume,
    Sampling,
    SeedStateSaving,
    wgan_backend.WGANTrainer,
    keras.Model,
):
    """A Wasserstein GAN: `critic_steps` critic updates per generator update.

    One train step takes `critic_steps` fresh real batches (`fit` groups the
    user's batches for it). For each of them it draws fresh noise, generates a
    fake batch and updates the critic on its loss; it then draws fresh noise once
    more and updates the generator against the updated critic. The critic update
    leaves the generator's weights alone and the generator update leaves the
    critic's alone. `history` holds `critic_loss`, `generator_loss` and
    `wasserstein_estimate` (E[f(real)] - E[f(fake)], penalty excluded).

    This base class adds no Lipschitz constraint of its own: use `WGAN` (weight
    clipping), `WGANGP` (gradient penalty) or `SNWGAN` (spectral normalization),
    or give it a critic that is constrained some other way.

    Args:
        generator: a `keras.Model` from `(batch, latent_dim)` noise to samples.
        critic: a `keras.Model` from samples to one unbounded score per sample,
            shape `(batch, 1)`.
        latent_dim: int, size of the noise vector; by default read from the
            generator's input.
        critic_steps: int >= 1, critic updates per generator update (n_critic;
            5 in both papers).
        critic_schedule: `"constant"` (default): `critic_steps` every time;
            `"original"`: the WGAN reference code's schedule, where the generator
            waits for 100 critic updates during its first 25 updates and at every
            500th (a train step then only updates the critic until the count is
            reached, `critic_steps` fresh batches at a time).
        seed: int >= 0 or None, seeds the noise that training draws (latent vectors,
            penalty interpolation). Together with `keras.utils.set_random_seed`
            before the networks are built, two runs give identical weights.
        ema_decay: float in [0, 1) or None (default). When set, the GAN keeps
            `ema_generator`, an exponential moving average of the generator's
            weights updated after every generator update with decay
            `min(ema_decay, (1 + t) / (10 + t))` at generator update `t` (a short
            warm-up, as in `tf.train.ExponentialMovingAverage`); batch-norm
            statistics are copied. `generate`, `call` in inference, the sample
            grids and `wk.export_generator` then use it (Yazici et al., "The
            Unusual Effectiveness of Averaging in GAN Training", ICLR 2019).
        num_classes: None or an int >= 2, for a class-conditional GAN; read
            from the generator where it has the attribute (`wk.networks`).
            `fit` then takes labels (`fit(x, y)`, or data yielding `(samples,
            labels)`), the generator `[z, labels]` and the critic `[samples,
            labels]` (projection) or samples, returning `[scores,
            class_logits]` (auxiliary classifier). Each critic update's fake
            batch has the real batch's labels, so the penalty's interpolates
            keep their labels; generator updates draw labels uniformly.
        acgan_weight: float >= 0, the weight of the auxiliary classifier's
            cross-entropy on real samples in the critic's loss (1, as the
            WGAN-GP reference's ACGAN_SCALE).
        acgan_generator_weight: float >= 0, the weight of that cross-entropy
            on generated samples in the generator's loss (0.1, ACGAN_SCALE_G).

    Example:

    ```python
    import wgan_keras as wk

    generator = wk.networks.MLPGenerator(latent_dim=2, output_shape=(2,))
    critic = wk.networks.MLPCritic(input_shape=(2,))
    gan = wk.WGANGP(generator=generator, critic=critic)
    gan.compile()
    gan.fit(wk.datasets.gaussian_mixture_2d(64_000), batch_size=64, epochs=5)
    samples = gan.generate(1000, seed=0)  # (1000, 2)
    ```

    Reference:
        Arjovsky, Chintala & Bottou, "Wasserstein GAN", ICML 2017, Algorithm 1.
    """

    # Names of the scalars a method's `critic_objective` logs besides the
    # estimate (e.g. "gradient_penalty"); each gets a `keras.metrics.Mean`.
    method_metrics = ()

    def __init__(
        self,
        generator,
        critic,
        latent_dim=None,
        critic_steps=5,
        critic_schedule="constant",
        seed=None,
        ema_decay=None,
        num_classes=None,
        acgan_weight=1.0,
        acgan_generator_weight=0.1,
        **kwargs,
    ):
        super().__init__(**kwargs)
        latent_dim = checked_arguments(
            generator, critic, latent_dim, critic_steps, critic_schedule, ema_decay
        )
        check_seed(seed)
        conditioning = network_conditioning(generator, critic, num_classes)
        for name, weight in (
            ("acgan_weight", acgan_weight),
            ("acgan_generator_weight", acgan_generator_weight),
        ):
            validate_weight(name, weight)

        # === Networks and state ===
        self.generator = generator
        self.critic = critic
        self.latent_dim = latent_dim
        self.critic_steps = critic_steps
        self.critic_schedule = critic_schedule
        self.seed = seed
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        self.num_classes, self.critic_takes_labels, self.critic_classifies = (
            conditioning
        )
        self.acgan_weight = float(acgan_weight)
        self.acgan_generator_weight = float(acgan_generator_weight)
        self.ema_generator = None
        self.seed_generator = keras.random.SeedGenerator(seed, name="seed_generator")
        self.critic_updates_since_generator = step_counter(
            "critic_updates_since_generator"
        )
        # Train steps to pass over without updates: the steps of an epoch that
        # a resumed run had finished before it was interrupted (`resume_at`).
        self.resume_steps_to_skip = step_counter("resume_steps_to_skip")
        self._traces_resume_skip = False
        self._critic_batches = None

        # === Metrics ===
        self.critic_loss_tracker = keras.metrics.Mean(name="critic_loss")
        self.generator_loss_tracker = keras.metrics.Mean(name="generator_loss")
        self.wasserstein_estimate_tracker = keras.metrics.Mean(
            name="wasserstein_estimate"
        )
        names = self.method_metrics + ("classifier_loss",) * self.critic_classifies
        self.method_trackers = [keras.metrics.Mean(name=n) for n in names]
        self.build()

    # ------------------------------------------------------------------ build

    def build(self, input_shape=None):
        del input_shape  # The generator's input is (batch, latent_dim).
        labels = keras.KerasTensor((2,), dtype="int32")
        if not self.generator.built:
            self.generator.build((None, self.latent_dim))
        spec = self.generator.compute_output_spec(
            self.generator_inputs(keras.KerasTensor((2, self.latent_dim)), labels)
        )
        self.sample_shape = tuple(spec.shape[1:])
        if not self.critic.built:
            self.critic.build((None, *self.sample_shape))
        scores, _ = self.critic_outputs(
            self.critic.compute_output_spec(
                self.critic_inputs(keras.KerasTensor((2, *self.sample_shape)), labels)
            )
        )
        if tuple(scores.shape) not in ((2, 1), (2,)):
            raise ValueError(
                "The critic must return one score per sample, shape (batch, 1). "
                f"Received: critic output shape {tuple(scores.shape)} for a batch "
                f"of 2 samples of shape {self.sample_shape}"
            )
        self._critic_has_batch_statistics = any(
            isinstance(layer, keras.layers.BatchNormalization)
            for layer in flatten_layers(self.critic)
        )
        self.configure_critic(self.critic)
        if self.ema_decay is not None and self.ema_generator is None:
            self.ema_generator = averaged_copy(self.generator)
        self.built = True

    def configure_critic(self, critic):
        """Hook for subclasses: check or constrain the critic once it is built."""
        del critic

    def call(self, inputs, training=False):
        """Generates samples from noise `(batch, latent_dim)` (`[z, labels]`).

        In inference the EMA generator runs where there is one.
        """
        if training:
            return self.generator(inputs, training=True)
        return self.sampling_generator(inputs, training=False)

    # ---------------------------------------------------------------- metrics

    @property
    def metrics(self):
        return [
            self.critic_loss_tracker,
            self.generator_loss_tracker,
            self.wasserstein_estimate_tracker,
            *self.method_trackers,
        ]

    # ------------------------------------------------------------- train step

    @property
    def step_variables(self):
        """Every variable a train step may read or write."""
        return (
            self.trainable_variables
            + self.non_trainable_variables
            + self.optimizer.variables
            + self.metrics_variables
        )

    def _real_samples(self, data):
        """The batch's samples, and its int32 labels (None if unconditional)."""
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        check_floating(x.dtype, name="x")
        return ops.cast(x, self.compute_dtype), self.real_labels(data)

    def _wgan_train_step(self, data):
        """One generator update after `critic_steps` critic updates.

        Written once for every backend in `keras.ops`: each backend's
        `train_step` calls it (on JAX inside a `keras.StatelessScope` holding
        the traced state), and it hands each update's loss function to the
        backend's `optimizer_step`, which takes the gradient and applies it.
        """
        if not self._traces_resume_skip:
            self._wgan_updates(data)
        else:
            skip = self.resume_steps_to_skip
            wgan_backend.cond_update(
                skip <= 0,
                lambda: self._wgan_updates(data),
                self.step_variables,
            )
            skip.assign(ops.maximum(skip - 1, 0))
        return {m.name: m.result() for m in self.metrics}

    def _wgan_updates(self, data):
        # (m * critic_steps, ...), interleaved: row j * critic_steps + i is
        # sample j of critic batch i (`wgan_keras.data`).
        real, labels = self._real_samples(data)
        batches = ops.reshape(real, (-1, self.critic_steps, *real.shape[1:]))
        if labels is not None:
            labels = ops.reshape(labels, (-1, self.critic_steps))
        for i in range(self.critic_steps):
            if labels is None:
                self._critic_update(batches[:, i])  # (m, ...)
            else:
                self._critic_update(batches[:, i], labels[:, i])  # and (m,) labels
        batch_size = batch_size_of(batches)
        if self.critic_schedule == "original":
            self._scheduled_generator_update(batch_size)
        else:
            self._generator_update(batch_size)

    def critic_objective(self, real_scores, fake_scores, penalty_inputs):
        """The critic's loss and its logs; subclasses add penalties.

        Args:
            real_scores: `(m, 1)` scores of the real batch.
            fake_scores: `(m, 1)` scores of the fake batch.
            penalty_inputs: `(score_fn, real, fake, noise)` for penalties that
                need the critic at other points; `score_fn(x)` runs the critic
                with the weights being differentiated.

        Returns:
            `(loss, logs)` with `logs` a dict of scalars for the trackers.
        """
        del penalty_inputs
        return losses.critic_wasserstein_loss(real_scores, fake_scores), {}

    def generator_objective(self, fake_scores):
        """The generator's loss from the critic's scores of generated samples."""
        return losses.generator_wasserstein_loss(fake_scores)

    def critic_noise(self, real):
        """Extra randomness a critic update needs (drawn outside the gradient)."""
        del real
        return None

    def _critic_update(self, real, labels=None):
        critic = self.critic
        batch_size = batch_size_of(real)
        z = self.generator_inputs(self.sample_latent(batch_size), labels)
        fake = ops.stop_gradient(self.generator(z, training=True))
        noise = self.critic_noise(real)

        def loss_fn(trainable):
            non_trainable = [v.value for v in critic.non_trainable_variables]
            real_scores, fake_scores, real_logits, non_trainable = self._critic_scores(
                trainable, non_trainable, real, fake, labels
            )

            def score_fn(x):  # samples x with the batch's labels
                outputs, _ = critic.stateless_call(
                    trainable,
                    non_trainable,
                    self.critic_inputs(x, labels),
                    training=True,
                )
                return self.critic_outputs(outputs)[0]

            loss, logs = self.critic_objective(
                real_scores, fake_scores, (score_fn, real, fake, noise)
            )
            classifier_term, logs["classifier_loss"] = self.classifier_losses(
                real_logits, labels
            )
            loss = loss + classifier_term
            logs["wasserstein_estimate"] = losses.wasserstein_estimate(
                real_scores, fake_scores
            )
            return loss, (non_trainable, logs)

        loss, (non_trainable, logs), applied = self.optimizer_step(
            critic, self.critic_optimizer, loss_fn
        )
        _assign(critic.non_trainable_variables, non_trainable)
        record_mean(self.critic_loss_tracker, loss, applied)
        for metric in self.metrics:
            if metric.name in logs:
                record_mean(metric, logs[metric.name], applied)

    def _generator_update(self, batch_size):
        generator, critic = self.generator, self.critic
        labels = None if self.num_classes is None else self.sample_labels(batch_size)
        z = self.generator_inputs(self.sample_latent(batch_size), labels)
        # The critic is a constant here: its values are read once, and nothing
        # it computes (batch statistics, power iterations) is written back.
        critic_trainable = [v.value for v in critic.trainable_variables]
        critic_non_trainable = [v.value for v in critic.non_trainable_variables]

        def loss_fn(trainable):
            non_trainable = [v.value for v in generator.non_trainable_variables]
            fake, non_trainable = generator.stateless_call(
                trainable, non_trainable, z, training=True
            )
            outputs, _ = critic.stateless_call(
                critic_trainable,
                critic_non_trainable,
                self.critic_inputs(fake, labels),
                training=True,
            )
            scores, logits = self.critic_outputs(outputs)
            loss = self.generator_objective(ops.cast(scores, "float32"))
            classifier_term, _ = self.classifier_losses(logits, labels, True)
            return loss + classifier_term, (non_trainable, None)

        loss, (non_trainable, _), applied = self.optimizer_step(
            generator, self.generator_optimizer, loss_fn
        )
        _assign(generator.non_trainable_variables, non_trainable)
        record_mean(self.generator_loss_tracker, loss, applied)
        if self.ema_generator is not None:
            self._update_ema()

    # ----------------------------------------------------------------- config

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "critic": keras.saving.serialize_keras_object(self.critic),
            "latent_dim": self.latent_dim,
            "critic_steps": self.critic_steps,
            "critic_schedule": self.critic_schedule,
            "seed": self.seed,
            "ema_decay": self.ema_decay,
            "num_classes": self.num_classes,
            "acgan_weight": self.acgan_weight,
            "acgan_generator_weight": self.acgan_generator_weight,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for name in ("generator", "critic"):
            config[name] = keras.saving.deserialize_keras_object(config[name])
        return cls(**config)


def _assign(variables, values):
    # Batch statistics and power iterations the update's forward pass computed.
    for variable, value in zip(variables, values, strict=True):
        variable.assign(value)
