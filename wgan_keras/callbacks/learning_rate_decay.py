"""`LinearLearningRateDecay`: both learning rates fall linearly to 0 at the end."""

import keras

from wgan_keras._utils.validation import validate_int
from wgan_keras.models.optimizers import learning_rate_of


class LinearLearningRateDecay(keras.callbacks.Callback):
    """Scales both optimizers' learning rates linearly down to 0.

    The learning rates keep their compiled values (the values the optimizers
    hold when `fit` first hands this callback the model) up to generator step
    `start_step`, then fall linearly to 0 at generator step `end_step`: at
    step s between the two, each is its compiled value times
    `(end_step - s) / (end_step - start_step)`. This is the linear decay of
    the WGAN-GP reference code (CIFAR-10, to 0 over all 100,000 generator
    steps, `start_step=0`) and of SN-GAN's ResNet runs: annealing the step
    size lets both networks settle at the end of training instead of moving
    at the constant rate's scale to the last step.

    The rates are set at each epoch's start from the generator optimizer's
    step count, so the decay is linear in steps of `steps_per_epoch`, the
    same on every backend (JAX's `fit` reads variables written by a callback
    only between epochs), and resumes exactly from a backup. The optimizers'
    own `learning_rate` variables are assigned, so checkpoints and backups keep
    their layout; optimizers compiled with a learning-rate schedule are
    refused.

    Args:
        start_step: int >= 0, the generator step at which the decay begins.
        end_step: int > `start_step`, the generator step at which both
            learning rates reach 0.

    Example:

    ```python
    gan = wk.WGANGP(generator, critic)
    gan.compile()  # Adam(1e-4, beta_1=0, beta_2=0.9) for both
    decay = wk.callbacks.LinearLearningRateDecay(start_step=0, end_step=100_000)
    gan.fit(images, epochs=400, steps_per_epoch=250, callbacks=[decay])
    ```

    Reference: Gulrajani et al. 2017, "Improved Training of Wasserstein
    GANs" (code: `gan_cifar_resnet.py`); Miyato et al. 2018, "Spectral
    Normalization for Generative Adversarial Networks", section 4.
    """

    def __init__(self, start_step: int, end_step: int):
        super().__init__()
        validate_int("start_step", start_step, minimum=0)
        validate_int("end_step", end_step, minimum=0)
        if end_step <= start_step:
            raise ValueError(
                "`end_step` must be > `start_step`. Received: "
                f"start_step={start_step}, end_step={end_step}"
            )
        self.start_step = start_step
        self.end_step = end_step
        self._compiled_rates = None
        self._for_model = None

    def set_model(self, model):
        super().set_model(model)
        if self._for_model is model:
            return  # a later fit: keep the rates first compiled, not decayed ones
        rates = {}
        for name, (_, rate) in self._optimizers(model).items():
            if not isinstance(rate, (int, float)):
                raise ValueError(
                    "LinearLearningRateDecay sets constant learning rates; "
                    f"`{name}` has a schedule. Received: {name}.learning_rate="
                    f"{rate!r}"
                )
            rates[name] = float(rate)
        self._compiled_rates, self._for_model = rates, model

    def factor(self, step: int) -> float:
        """The multiplier of the compiled learning rates at generator `step`."""
        span = self.end_step - self.start_step
        return min(1.0, max(0.0, (self.end_step - step) / span))

    def on_epoch_begin(self, epoch, logs=None):
        step = int(
            keras.ops.convert_to_numpy(self.model.generator_optimizer.iterations)
        )
        factor = self.factor(step)
        for name, (holder, _) in self._optimizers(self.model).items():
            holder.learning_rate = self._compiled_rates[name] * factor

    @staticmethod
    def _optimizers(model):
        if not hasattr(model, "critic_optimizer"):
            raise ValueError(
                "LinearLearningRateDecay needs a compiled WassersteinGAN (with "
                "`critic_optimizer` and `generator_optimizer`). Received: a "
                f"{type(model).__name__} without them"
            )
        return {
            name: learning_rate_of(optimizer)
            for name, optimizer in (
                ("critic_optimizer", model.critic_optimizer),
                ("generator_optimizer", model.generator_optimizer),
            )
        }
