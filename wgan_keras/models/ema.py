"""The generator EMA: an exponential moving average of the generator's weights."""

from keras import ops

from wgan_keras._utils.layers import copy_with_weights


class GeneratorEMA:
    """`ema_decay` for `WassersteinGAN`: a mix-in.

    After every generator update the EMA generator moves towards the generator
    with decay `min(ema_decay, (1 + t) / (10 + t))` at update `t`; batch-norm
    statistics are copied. Sampling and exports use it where it is kept.

    Reference:
        Yazici et al., "The Unusual Effectiveness of Averaging in GAN
        Training", ICLR 2019.
    """

    @property
    def sampling_generator(self):
        """The generator to sample and export: the EMA one where kept."""
        return self.generator if self.ema_generator is None else self.ema_generator

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


def averaged_copy(generator):
    """A non-trainable copy of `generator` with its current weights, of its
    own class where it is a `wk.networks` generator (so a saved, sampled or
    exported EMA generator keeps a conditional generator's `num_classes`)."""
    copy = copy_with_weights(generator)
    copy.trainable = False
    return copy
