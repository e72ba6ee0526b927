"""The two optimizers of a WGAN: the pair Keras' trainers see, the mean of a
step's values under loss scaling, and the papers' RMSprop for clipping."""

import warnings

import keras
from keras import ops

from wgan_keras import backend as wgan_backend


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


def record_mean(tracker, value, applied):
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


class PairedCompile:
    """`compile` with one optimizer per network, for `WassersteinGAN`: a mix-in.

    Subclasses name the paper's optimizers in `default_critic_optimizer` and
    `default_generator_optimizer`.
    """

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
        for name, optimizer in (
            ("critic_optimizer", critic_optimizer),
            ("generator_optimizer", generator_optimizer),
        ):
            _check_learning_rate(name, optimizer)
        networks = (self.generator, self.critic)
        if any(network.compute_dtype == "bfloat16" for network in networks):
            slowdown = wgan_backend.bfloat16_slowdown()
            if slowdown:
                warnings.warn(slowdown, stacklevel=2)
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


def learning_rate_of(optimizer):
    """`(holder, rate)`: the optimizer that holds `optimizer`'s learning rate
    and that rate as configured, a number or a schedule's config.

    A LossScaleOptimizer (mixed_float16) holds none of its own: its inner
    optimizer's is the one to read and set.
    """
    holder = getattr(optimizer, "inner_optimizer", optimizer)
    return holder, holder.get_config()["learning_rate"]


def _check_learning_rate(name, optimizer):
    """Raises unless a constant learning rate is finite and >= 0.

    0 freezes the network, which is useful; a negative rate climbs the loss.
    """
    inner, rate = learning_rate_of(optimizer)
    if isinstance(rate, (int, float)) and not 0 <= rate < float("inf"):
        raise ValueError(
            f"`{name}` must have a finite learning rate >= 0. Received: {name}="
            f"{type(inner).__name__}(learning_rate={rate!r})"
        )
