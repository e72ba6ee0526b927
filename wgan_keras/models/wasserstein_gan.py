"""`WassersteinGAN`: the WGAN game as a `keras.Model`, on every Keras backend."""

import keras
import numpy as np
from keras import ops

from wgan_keras import allocator, losses
from wgan_keras import backend as wgan_backend
from wgan_keras.layers import SpectralNormalization
from wgan_keras.models.critic_batches import group_critic_batches, output_range
from wgan_keras.validation import validate_int

CRITIC_SCHEDULES = ("constant", "original")

# The WGAN paper's schedule (Arjovsky et al. 2017, reference code): 100 critic
# updates per generator update for the first 25 generator updates and every 500th.
_ORIGINAL_WARMUP_STEPS = 25
_ORIGINAL_BOOST_EVERY = 500
_ORIGINAL_BOOST_CRITIC_STEPS = 100


class OptimizerPair:
    """Presents the critic's and the generator's optimizers to Keras' trainers.

    Keras' `fit()` looks for one `model.optimizer`; on JAX it threads
    `model.optimizer.variables` through the compiled step. This pair lists the
    variables of both optimizers, so both states advance inside `jit`, and
    builds each optimizer for its own network's weights. It is not saved itself:
    `critic_optimizer` and `generator_optimizer` are.
    """

    def __init__(self, critic_optimizer, generator_optimizer, critic, generator):
        self.critic_optimizer = critic_optimizer
        self.generator_optimizer = generator_optimizer
        self._critic = critic
        self._generator = generator

    @property
    def variables(self):
        return list(self.critic_optimizer.variables) + list(
            self.generator_optimizer.variables
        )

    @property
    def built(self):
        return self.critic_optimizer.built and self.generator_optimizer.built

    @property
    def iterations(self):
        """Generator updates: the step counter that callbacks see."""
        return self.generator_optimizer.iterations

    def build(self, var_list=None):
        del var_list  # Each optimizer gets its own network's weights.
        if not self.critic_optimizer.built:
            self.critic_optimizer.build(self._critic.trainable_variables)
        if not self.generator_optimizer.built:
            self.generator_optimizer.build(self._generator.trainable_variables)

    def scale_loss(self, loss):
        return loss

    def finalize_variable_values(self, var_list=None):
        del var_list
        self.critic_optimizer.finalize_variable_values(self._critic.trainable_variables)
        self.generator_optimizer.finalize_variable_values(
            self._generator.trainable_variables
        )


def paper_rmsprop():
    """RMSprop(5e-5) as the WGAN papers' code ran it, for weight clipping.

    Keras adds `epsilon` under the square root, `lr * g / sqrt(v + epsilon)`,
    and its default of 1e-7 floors the root at 3.2e-4. A weight-clipped critic
    and its generator have gradients far below that (root mean squares of 1e-5
    to 1e-4 measured on MNIST), so Keras' default would turn RMSprop into plain
    SGD with steps 3 to 30 times too small. The epsilon of 1e-10 is TensorFlow
    1's `RMSPropOptimizer` default, which the WGAN-GP reference code's clipping
    mode used (also under the root; the WGAN code's PyTorch RMSprop adds 1e-8
    outside it); `rho` 0.9 is both TensorFlow 1's and Keras' default.

    Reference:
        Arjovsky et al., "Wasserstein GAN", 2017, Algorithm 1; Gulrajani et
        al. 2017, gan_mnist.py (`MODE == 'wgan'`).
    """
    return keras.optimizers.RMSprop(learning_rate=5e-5, rho=0.9, epsilon=1e-10)


@keras.saving.register_keras_serializable(package="wgan_keras")
class WassersteinGAN(wgan_backend.WGANTrainer, keras.Model):
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

    The algorithm is written once with `keras.ops`; `wgan_keras.backend` supplies
    the gradients (and on JAX the state threading) for TensorFlow, JAX and
    PyTorch.

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
        seed: int or None, seeds the noise that training draws (latent vectors,
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
        **kwargs,
    ):
        super().__init__(**kwargs)
        for name, network in (("generator", generator), ("critic", critic)):
            if not isinstance(network, keras.layers.Layer):
                raise ValueError(
                    f"`{name}` must be a keras.Model. Received: {name} of type "
                    f"{type(network).__name__}"
                )
        validate_int("critic_steps", critic_steps)
        if critic_schedule not in CRITIC_SCHEDULES:
            raise ValueError(
                f"`critic_schedule` must be one of {CRITIC_SCHEDULES}. "
                f"Received: critic_schedule={critic_schedule!r}"
            )
        generator_latent_dim = _input_dim(generator)
        if latent_dim is None:
            latent_dim = generator_latent_dim
            if latent_dim is None:
                raise ValueError(
                    "Could not read `latent_dim` from the generator's input; pass "
                    "it. Received: latent_dim=None"
                )
        validate_int("latent_dim", latent_dim)
        if ema_decay is not None and not (
            isinstance(ema_decay, (int, float))
            and not isinstance(ema_decay, bool)
            and 0 <= ema_decay < 1
        ):
            raise ValueError(
                f"`ema_decay` must be None or a float in [0, 1). "
                f"Received: ema_decay={ema_decay!r}"
            )
        if generator_latent_dim is not None and generator_latent_dim != latent_dim:
            raise ValueError(
                f"`latent_dim` must match the generator's input size "
                f"({generator_latent_dim}). Received: latent_dim={latent_dim}"
            )

        # === Networks and state ===
        self.generator = generator
        self.critic = critic
        self.latent_dim = latent_dim
        self.critic_steps = critic_steps
        self.critic_schedule = critic_schedule
        self.seed = seed
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        self.ema_generator = None
        self.seed_generator = keras.random.SeedGenerator(seed, name="seed_generator")
        # Counters are the same on every replica: one replica's update stands.
        self.critic_updates_since_generator = keras.Variable(
            0,
            dtype="int32",
            trainable=False,
            aggregation="only_first_replica",
            name="critic_updates_since_generator",
        )
        # Train steps to pass over without updates: the steps of an epoch that
        # a resumed run had finished before it was interrupted (`resume_at`).
        self.resume_steps_to_skip = keras.Variable(
            0,
            dtype="int32",
            trainable=False,
            aggregation="only_first_replica",
            name="resume_steps_to_skip",
        )
        self._traces_resume_skip = False
        self._critic_batches = None

        # === Metrics ===
        self.critic_loss_tracker = keras.metrics.Mean(name="critic_loss")
        self.generator_loss_tracker = keras.metrics.Mean(name="generator_loss")
        self.wasserstein_estimate_tracker = keras.metrics.Mean(
            name="wasserstein_estimate"
        )
        self.method_trackers = [keras.metrics.Mean(name=n) for n in self.method_metrics]
        self.build()

    # ------------------------------------------------------------------ build

    def build(self, input_shape=None):
        del input_shape  # The generator's input is (batch, latent_dim).
        if not self.generator.built:
            self.generator.build((None, self.latent_dim))
        spec = self.generator.compute_output_spec(
            keras.KerasTensor((2, self.latent_dim))
        )
        self.sample_shape = tuple(spec.shape[1:])
        if not self.critic.built:
            self.critic.build((None, *self.sample_shape))
        scores = self.critic.compute_output_spec(
            keras.KerasTensor((2, *self.sample_shape))
        )
        if tuple(scores.shape) not in ((2, 1), (2,)):
            raise ValueError(
                "The critic must return one score per sample, shape (batch, 1). "
                f"Received: critic output shape {tuple(scores.shape)} for a batch "
                f"of 2 samples of shape {self.sample_shape}"
            )
        self._critic_has_batch_statistics = any(
            isinstance(layer, keras.layers.BatchNormalization)
            for layer in self.critic._flatten_layers()
        )
        self.configure_critic(self.critic)
        if self.ema_decay is not None and self.ema_generator is None:
            self.ema_generator = _averaged_copy(self.generator)
        self.built = True

    def configure_critic(self, critic):
        """Hook for subclasses: check or constrain the critic once it is built."""
        del critic

    def call(self, inputs, training=False):
        """Generates samples from noise `inputs` of shape `(batch, latent_dim)`.

        In inference the EMA generator runs where there is one.
        """
        if training:
            return self.generator(inputs, training=True)
        return self.sampling_generator(inputs, training=False)

    @property
    def sampling_generator(self):
        """The generator to sample and export: the EMA one where kept."""
        return self.generator if self.ema_generator is None else self.ema_generator

    # ---------------------------------------------------------------- compile

    def default_critic_optimizer(self):
        """The paper's critic optimizer; subclasses override."""
        return paper_rmsprop()

    def default_generator_optimizer(self):
        """The paper's generator optimizer; subclasses override."""
        return paper_rmsprop()

    def compile(
        self,
        critic_optimizer=None,
        generator_optimizer=None,
        run_eagerly=False,
        jit_compile="auto",
        steps_per_execution=1,
        **kwargs,
    ):
        """Sets the two optimizers; by default the paper's for this method.

        Args:
            critic_optimizer: a `keras.optimizers.Optimizer`, its name or config;
                None for the paper's default.
            generator_optimizer: likewise, for the generator.
            run_eagerly: bool, as in `keras.Model.compile`.
            jit_compile: bool or "auto", as in `keras.Model.compile`.
            steps_per_execution: int, as in `keras.Model.compile`.
        """
        for name in ("optimizer", "loss", "metrics", "loss_weights"):
            if name in kwargs:
                raise ValueError(
                    f"`{name}` is not an argument of {type(self).__name__}."
                    "compile(): the losses are the method's own; give the "
                    "optimizers as `critic_optimizer=` and `generator_optimizer=`. "
                    f"Received: {name}={kwargs[name]!r}"
                )
        if kwargs:
            raise ValueError(
                f"Unknown arguments to {type(self).__name__}.compile(). "
                f"Received: {sorted(kwargs)}"
            )
        critic_optimizer = (
            self.default_critic_optimizer()
            if critic_optimizer is None
            else keras.optimizers.get(critic_optimizer)
        )
        generator_optimizer = (
            self.default_generator_optimizer()
            if generator_optimizer is None
            else keras.optimizers.get(generator_optimizer)
        )
        if self.dtype_policy.name == "mixed_float16":
            # float16 gradients underflow unless the loss is scaled, as Keras'
            # own `compile` does for this policy.
            critic_optimizer, generator_optimizer = (
                optimizer
                if isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
                else keras.optimizers.LossScaleOptimizer(optimizer)
                for optimizer in (critic_optimizer, generator_optimizer)
            )
        if critic_optimizer is generator_optimizer:
            raise ValueError(
                "`critic_optimizer` and `generator_optimizer` must be two "
                "optimizer instances, one per network. Received: the same "
                f"instance {critic_optimizer!r} for both"
            )
        super().compile(
            optimizer=None,
            run_eagerly=run_eagerly,
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
        )
        self.critic_optimizer = critic_optimizer
        self.generator_optimizer = generator_optimizer
        self.optimizer = OptimizerPair(
            critic_optimizer, generator_optimizer, self.critic, self.generator
        )
        self.optimizer.build()
        self._wgan_compile_config = {
            "run_eagerly": run_eagerly,
            "jit_compile": jit_compile,
            "steps_per_execution": steps_per_execution,
        }

    def get_compile_config(self):
        if not getattr(self, "compiled", False) or not hasattr(
            self, "critic_optimizer"
        ):
            return {}
        return {
            "critic_optimizer": keras.optimizers.serialize(self.critic_optimizer),
            "generator_optimizer": keras.optimizers.serialize(self.generator_optimizer),
            **self._wgan_compile_config,
        }

    def compile_from_config(self, config):
        config = dict(config)
        config["critic_optimizer"] = keras.optimizers.deserialize(
            config["critic_optimizer"]
        )
        config["generator_optimizer"] = keras.optimizers.deserialize(
            config["generator_optimizer"]
        )
        self.compile(**config)

    @property
    def metrics(self):
        return [
            self.critic_loss_tracker,
            self.generator_loss_tracker,
            self.wasserstein_estimate_tracker,
            *self.method_trackers,
        ]

    # -------------------------------------------------------------------- fit

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
        data batch by batch). A `wk.callbacks.StopOnDivergence` runs first
        among the callbacks: a NaN or inf loss raises
        `wk.callbacks.DivergenceError` at that step, before any checkpoint is
        written.

        While it trains, memory freed by one step stays in the process for the
        next (`wgan_keras.allocator.retain_freed_memory`, glibc only) and goes
        back to the system when `fit` returns; set the environment variable
        `WGAN_KERAS_RETAIN_FREED_MEMORY=0` to leave glibc's defaults alone.

        Args:
            x: real samples: a numpy array (batched here, `batch_size` defaults
                to 64), a `tf.data.Dataset` of batches, a `keras.utils.PyDataset`
                or an iterable of batches. Labels in `(x, y)` elements are ignored.
            y: unused; a WGAN is unsupervised. Must be None.
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
        if y is not None:
            raise ValueError(
                "A Wasserstein GAN learns from samples alone: pass them as `x` and "
                f"leave `y` unset. Received: y of type {type(y).__name__}"
            )
        if batch_size is not None:
            validate_int("batch_size", batch_size)
        if steps_per_epoch is not None:
            validate_int("steps_per_epoch", steps_per_epoch)
        data, steps = group_critic_batches(
            x,
            batch_size,
            self.critic_steps,
            shuffle=shuffle,
            seed=self.seed,
            sample_shape=self.sample_shape,
            value_range=output_range(self.generator),
            replicas=wgan_backend.data_replicas(self),
            steps_per_epoch=steps_per_epoch,
        )
        self._critic_batches = data  # `resume_at` moves its epoch order on
        data = wgan_backend.fit_data(data)
        # Every step allocates what the last one freed: keep it mapped.
        with allocator.retain_freed_memory():
            history = super().fit(
                data,
                epochs=epochs,
                verbose=verbose,
                callbacks=_with_divergence_check(callbacks),
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
            for layer in network._flatten_layers():
                if isinstance(layer, SpectralNormalization):
                    layer.converge_singular_vector()
        return history

    # ------------------------------------------------------------- train step

    def sample_latent(self, batch_size):
        """Draws `(batch_size, latent_dim)` standard-normal noise.

        Under `tf.distribute`, `batch_size` is the replica's share and each
        replica gets its own rows of one global draw (`replica_rows`).
        """
        return replica_rows(
            lambda n: keras.random.normal(
                (n, self.latent_dim), seed=self.seed_generator
            ),
            batch_size,
        )

    def _real_samples(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        if not keras.backend.is_float_dtype(keras.backend.standardize_dtype(x.dtype)):
            raise ValueError(
                "Real samples must be floating point, scaled to the generator's "
                "output range (e.g. images in [-1, 1]: `x / 127.5 - 1`). "
                f"Received: dtype {keras.backend.standardize_dtype(x.dtype)}"
            )
        return ops.cast(x, self.compute_dtype)

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

    def _wgan_train_step(self, data):
        """One generator update after `critic_steps` critic updates.

        Written once for every backend: each backend's `train_step` calls it
        (on JAX inside a `keras.StatelessScope` holding the traced state).
        """
        if not self._traces_resume_skip:
            self._wgan_updates(data)
        else:
            skip = self.resume_steps_to_skip
            wgan_backend.cond_update(
                skip <= 0,
                lambda: self._wgan_updates(data),
                self.trainable_variables
                + self.non_trainable_variables
                + self.optimizer.variables
                + self.metrics_variables,
            )
            skip.assign(ops.maximum(skip - 1, 0))
        return {m.name: m.result() for m in self.metrics}

    def _wgan_updates(self, data):
        # (m * critic_steps, ...), interleaved: row j * critic_steps + i is
        # sample j of critic batch i (`critic_batches`).
        real = self._real_samples(data)
        batches = ops.reshape(real, (-1, self.critic_steps, *real.shape[1:]))
        for i in range(self.critic_steps):
            self._critic_update(batches[:, i])  # (m, ...)
        batch_size = batch_size_of(batches)
        if self.critic_schedule == "original":
            self._scheduled_generator_update(batch_size)
        else:
            self._generator_update(batch_size)

    def _critic_scores(self, trainable, non_trainable, real, fake):
        """Scores of the real and fake batches, in float32 (mixed precision)."""
        real_scores, fake_scores, non_trainable = self._critic_passes(
            trainable, non_trainable, real, fake
        )
        return (
            ops.cast(real_scores, "float32"),
            ops.cast(fake_scores, "float32"),
            non_trainable,
        )

    def _critic_passes(self, trainable, non_trainable, real, fake):
        """The critic on the real and fake batches: one pass where possible."""
        critic = self.critic
        if self._critic_has_batch_statistics:
            # Separate passes, so batch statistics are per batch, as in the
            # original WGAN code.
            real_scores, non_trainable = critic.stateless_call(
                trainable, non_trainable, real, training=True
            )
            fake_scores, non_trainable = critic.stateless_call(
                trainable, non_trainable, fake, training=True
            )
            return real_scores, fake_scores, non_trainable
        scores, non_trainable = critic.stateless_call(
            trainable, non_trainable, ops.concatenate([real, fake]), training=True
        )
        real_scores, fake_scores = ops.split(scores, 2)
        return real_scores, fake_scores, non_trainable

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

    @staticmethod
    def _update(network, optimizer, loss_fn):
        """One optimizer step on `network`'s trainable weights.

        `loss_fn(trainable_values)` returns `(loss, (non_trainable, aux))`: the
        loss, the network's new non-trainable values (written back here) and
        anything else to hand back. Returns `(loss, aux, applied)`: `applied`
        is None, or under loss scaling whether the gradients were finite (a
        LossScaleOptimizer skips the step where they are not).
        """
        trainable = network.trainable_variables
        _, replicas = wgan_backend.replica_position()

        def scaled_loss_fn(values):
            loss, aux = loss_fn(values)
            # Under tf.distribute the optimizer sums the replicas' gradients, so
            # each replica differentiates its share of the global mean loss;
            # a LossScaleOptimizer (mixed_float16) scales it up.
            share = loss if replicas == 1 else loss / replicas
            return optimizer.scale_loss(share), (loss, aux)

        (_, (loss, (non_trainable, aux))), grads = wgan_backend.value_and_grad(
            scaled_loss_fn, [v.value for v in trainable]
        )
        applied = None
        if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
            applied = optimizer.check_finite(grads)
        wgan_backend.apply_gradients(optimizer, grads, trainable)
        for variable, value in zip(network.non_trainable_variables, non_trainable):
            variable.assign(value)
        return loss, aux, applied

    @staticmethod
    def _record(tracker, value, applied):
        """Adds `value` to a mean, unless loss scaling skipped its step.

        A skipped step's values overflowed at the old scale (an infinite
        penalty is the scaled input gradient's overflow, not the critic's);
        they would turn the epoch's mean into inf.
        """
        if applied is None:
            tracker.update_state(value)
        else:
            tracker.update_state(
                ops.where(applied, value, ops.zeros_like(value)),
                sample_weight=ops.cast(applied, "float32"),
            )

    def _critic_update(self, real):
        critic = self.critic
        batch_size = batch_size_of(real)
        fake = ops.stop_gradient(
            self.generator(self.sample_latent(batch_size), training=True)
        )
        noise = self.critic_noise(real)

        def loss_fn(trainable):
            non_trainable = [v.value for v in critic.non_trainable_variables]
            real_scores, fake_scores, non_trainable = self._critic_scores(
                trainable, non_trainable, real, fake
            )

            def score_fn(x):
                scores, _ = critic.stateless_call(
                    trainable, non_trainable, x, training=True
                )
                return scores

            loss, logs = self.critic_objective(
                real_scores, fake_scores, (score_fn, real, fake, noise)
            )
            logs["wasserstein_estimate"] = losses.wasserstein_estimate(
                real_scores, fake_scores
            )
            return loss, (non_trainable, logs)

        loss, logs, applied = self._update(critic, self.critic_optimizer, loss_fn)
        self._record(self.critic_loss_tracker, loss, applied)
        for metric in self.metrics:
            if metric.name in logs:
                self._record(metric, logs[metric.name], applied)

    def _generator_update(self, batch_size):
        generator, critic = self.generator, self.critic
        z = self.sample_latent(batch_size)
        # The critic is a constant here: its values are read once, and nothing
        # it computes (batch statistics, power iterations) is written back.
        critic_trainable = [v.value for v in critic.trainable_variables]
        critic_non_trainable = [v.value for v in critic.non_trainable_variables]

        def loss_fn(trainable):
            non_trainable = [v.value for v in generator.non_trainable_variables]
            fake, non_trainable = generator.stateless_call(
                trainable, non_trainable, z, training=True
            )
            scores, _ = critic.stateless_call(
                critic_trainable, critic_non_trainable, fake, training=True
            )
            scores = ops.cast(scores, "float32")
            return self.generator_objective(scores), (non_trainable, None)

        loss, _, applied = self._update(generator, self.generator_optimizer, loss_fn)
        self._record(self.generator_loss_tracker, loss, applied)
        if self.ema_generator is not None:
            self._update_ema()

    def _update_ema(self):
        """Moves the EMA generator towards the generator after an update."""
        # The optimizer has counted this update: t = iterations - 1.
        t = ops.cast(self.generator_optimizer.iterations - 1, "float32")
        decay = ops.minimum(self.ema_decay, (1.0 + t) / (10.0 + t))
        generator = self.generator
        for average, weight in zip(
            self.ema_generator.weights, generator.weights, strict=True
        ):
            value = ops.stop_gradient(weight.value)
            if weight.trainable:
                decay_ = ops.cast(decay, average.dtype)
                value = decay_ * average.value + (1 - decay_) * value
            average.assign(value)

    def critic_steps_required(self, generator_iterations):
        """Critic updates the generator waits for at a given generator update."""
        if self.critic_schedule == "constant":
            return self.critic_steps
        boost = ops.logical_or(
            generator_iterations < _ORIGINAL_WARMUP_STEPS,
            generator_iterations % _ORIGINAL_BOOST_EVERY == 0,
        )
        return ops.where(boost, _ORIGINAL_BOOST_CRITIC_STEPS, self.critic_steps)

    def _scheduled_generator_update(self, batch_size):
        counter = self.critic_updates_since_generator
        counter.assign(counter + self.critic_steps)
        required = self.critic_steps_required(self.generator_optimizer.iterations)

        def update():
            self._generator_update(batch_size)
            counter.assign(ops.zeros((), "int32"))

        wgan_backend.cond_update(
            counter >= ops.cast(required, "int32"),
            update,
            self.trainable_variables
            + self.non_trainable_variables
            + self.optimizer.variables
            + self.metrics_variables,
        )

    def _wgan_test_step(self, data):
        """The critic's Wasserstein estimate on held-out real samples."""
        real = self._real_samples(data)
        batch_size = batch_size_of(real)
        fake = self.generator(self.sample_latent(batch_size), training=False)
        real_scores = ops.cast(self.critic(real, training=False), "float32")
        fake_scores = ops.cast(self.critic(fake, training=False), "float32")
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

    # --------------------------------------------------------------- sampling

    def generate(self, num_samples, seed=None, batch_size=256):
        """Samples from the generator in inference mode (its EMA where kept).

        The noise comes from `numpy.random.default_rng(seed)`, so a seed gives
        the same noise on every backend and the same samples for the same weights.

        Args:
            num_samples: int >= 1.
            seed: int or None.
            batch_size: int, samples per generator call.

        Returns:
            A numpy array `(num_samples, *sample_shape)`; images in [-1, 1].
        """
        return generate_samples(
            self.sampling_generator, num_samples, seed, batch_size, self.latent_dim
        )

    # ----------------------------------------------------------------- config

    # Keras does not save a SeedGenerator's state; the GAN saves it with its own
    # variables so that a reloaded model continues with the same noise stream.
    _SEED_STATE_KEY = "seed_generator_state"

    def save_own_variables(self, store):
        super().save_own_variables(store)
        store[self._SEED_STATE_KEY] = ops.convert_to_numpy(self.seed_generator.state)

    def load_own_variables(self, store):
        keys = list(store.keys())
        if self._SEED_STATE_KEY in keys:
            self.seed_generator.state.assign(store[self._SEED_STATE_KEY])
        values = {key: store[key] for key in keys if key != self._SEED_STATE_KEY}
        if len(values) == 1:
            # Written before `resume_steps_to_skip` (own variable "1") existed.
            values["1"] = np.zeros((), "int32")
        super().load_own_variables(values)

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
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for name in ("generator", "critic"):
            config[name] = keras.saving.deserialize_keras_object(config[name])
        return cls(**config)


def generate_samples(
    generator, num_samples, seed=None, batch_size=256, latent_dim=None
):
    """Samples of a generator in inference mode, from `default_rng(seed)` noise.

    The noise is numpy's, so a seed gives the same samples on every backend
    for the same weights. `WassersteinGAN.generate` and `wk.evaluation` use it.

    Args:
        generator: a `keras.Model` from `(batch, latent_dim)` noise.
        num_samples: int >= 1.
        seed: int or None.
        batch_size: int, samples per generator call.
        latent_dim: int, default read from the generator's input.

    Returns:
        A numpy array `(num_samples, *sample_shape)`.

    Example:

    ```python
    images = generate_samples(wk.load_generator("mnist_dcgan_gp"), 64, seed=0)
    ```
    """
    validate_int("num_samples", num_samples)
    validate_int("batch_size", batch_size)
    latent_dim = latent_dim or generator.input_shape[-1]
    z = (
        np.random.default_rng(seed)
        .standard_normal((num_samples, latent_dim))
        .astype("float32")
    )
    # predict_on_batch: compiled on TensorFlow and JAX (on JAX, 10,000 MNIST
    # samples take 3 s against 9-13 s eagerly), and without autograd on torch.
    outputs = [
        generator.predict_on_batch(z[start : start + batch_size])
        for start in range(0, num_samples, batch_size)
    ]
    return np.concatenate(outputs).astype("float32")  # float16 in mixed precision


def _with_divergence_check(callbacks):
    """`callbacks` with a `StopOnDivergence` first, unless it holds one."""
    from wgan_keras.callbacks import StopOnDivergence

    if callbacks is None:
        callbacks = []
    if not isinstance(callbacks, (list, tuple)):
        return callbacks  # a keras.callbacks.CallbackList: the user's own
    if any(isinstance(c, StopOnDivergence) for c in callbacks):
        return list(callbacks)
    return [StopOnDivergence(), *callbacks]


def _averaged_copy(generator):
    """A non-trainable copy of `generator` with its current weights."""
    copy = keras.models.clone_model(generator)
    copy.build((None, *generator.input_shape[1:]))
    copy.set_weights(generator.get_weights())
    copy.trainable = False
    return copy


def replica_rows(draw, batch_size):
    """This replica's `batch_size` rows of `draw(global_batch_size)`.

    Under `tf.distribute` the replicas' seed states are mirrored, so a plain
    draw would give every replica the same noise. Instead each replica draws
    the noise of the whole global batch and keeps its own rows: the replicas'
    noise differs, and together it is exactly the noise a one-device step with
    the global batch draws. Elsewhere this is `draw(batch_size)`, split over
    the devices like the data where a JAX `keras.distribution` is set.

    Args:
        draw: a function of a row count returning a tensor with that many rows.
        batch_size: rows this replica needs.
    """
    replica, replicas = wgan_backend.replica_position()
    if replicas == 1:
        return wgan_backend.shard_batch(draw(batch_size))
    rows = draw(batch_size * replicas)
    start = [replica * batch_size] + [0] * (len(rows.shape) - 1)
    return ops.slice(rows, start, (batch_size, *rows.shape[1:]))


def batch_size_of(x):
    """The batch size of `x`: static where known, else a scalar tensor."""
    return x.shape[0] if x.shape[0] is not None else ops.shape(x)[0]


def _input_dim(model):
    """The size of a model's single vector input, or None if unknown."""
    inputs = getattr(model, "inputs", None)
    try:
        if inputs and len(inputs) == 1 and len(inputs[0].shape) == 2:
            return inputs[0].shape[-1]
    except (AttributeError, TypeError, ValueError):
        return None
    return None
